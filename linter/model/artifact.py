"""The trained layer on disk: `model.json` (configuration, categories, thresholds, biases,
provenance) and `weights.npy` (one column of feature weights per category), checked
against the SHA-256 that model.json records before it is used."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import MsglintError

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifact"
META = "model.json"
WEIGHTS = "weights.npy"
FORMAT_VERSION = 1


class ModelArtifactError(MsglintError):
    """The trained layer's files are missing, altered or of another version."""


@dataclass(frozen=True)
class Artifact:
    meta: dict
    weights: "object"  # numpy array (dim, categories), float16

    @property
    def categories(self) -> list[str]:
        return self.meta["categories"]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load(directory: Path = ARTIFACT_DIR) -> Artifact:
    import numpy

    try:
        meta = json.loads((directory / META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelArtifactError(f"{directory / META}: cannot read the trained layer ({exc}); run `msglint train` or turn the layer off (model = false)") from None
    if meta.get("version") != FORMAT_VERSION:
        raise ModelArtifactError(f"{directory / META}: format version {meta.get('version')!r}, this msglint reads {FORMAT_VERSION}; run `msglint train`")
    path = directory / WEIGHTS
    try:
        digest = sha256_file(path)
    except OSError as exc:
        raise ModelArtifactError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if digest != meta.get("weights_sha256"):
        raise ModelArtifactError(f"{path}: SHA-256 {digest[:12]}... does not match model.json ({str(meta.get('weights_sha256'))[:12]}...); the file was altered or is from another training run")
    weights = numpy.load(path, allow_pickle=False)
    if weights.shape != (meta["dim"], len(meta["categories"])):
        raise ModelArtifactError(f"{path}: shape {weights.shape} does not match model.json")
    return Artifact(meta, weights)


def save(directory: Path, meta: dict, weights) -> None:
    import numpy

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / WEIGHTS
    numpy.save(path, weights.astype(numpy.float16), allow_pickle=False)
    meta = {**meta, "version": FORMAT_VERSION, "weights_sha256": sha256_file(path)}
    (directory / META).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
