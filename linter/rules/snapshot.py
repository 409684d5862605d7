"""A JSON snapshot of the built-in rule files, so start-up does not pay for YAML.

PyYAML builds every scalar through Python constructors: the built-in rulesets take
~100 ms to parse, which is most of what msglint adds to a cold spaCy start. The snapshot
holds the same data as JSON (a few ms), keyed by each YAML file's SHA-256. A file whose
bytes differ from its snapshot entry (someone edited a rule) is read from YAML as before,
so a stale snapshot costs speed, never correctness; the test suite keeps it fresh.

    python -m linter.rules      # rewrite rulesets/snapshot.json after editing rules
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

SNAPSHOT_NAME = "snapshot.json"
_MISSING = object()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=2)
def _entries(root: Path) -> dict[str, dict]:
    try:
        with open(root / SNAPSHOT_NAME, encoding="utf-8") as fh:
            snapshot = json.load(fh)
        return snapshot["files"] if snapshot.get("version") == 1 else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}  # no or unreadable snapshot: everything is read from YAML


def cached(path: Path, raw: bytes, root: Path) -> Any:
    """The snapshot's data for this built-in rule file if its bytes are unchanged, else
    _MISSING. Only files under `root`, the built-in rulesets directory, are looked up."""
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return _MISSING
    entry = _entries(root).get(rel)
    if entry is None or entry.get("sha256") != digest(raw):
        return _MISSING
    return entry["data"]


def build(root: Path, parse_yaml: Callable[[Path, bytes], Any]) -> dict:
    """The snapshot of every YAML file under `root`, parsed with the loader's `parse_yaml`."""
    files = {}
    for path in sorted(root.rglob("*.yaml")):
        raw = path.read_bytes()
        files[path.relative_to(root).as_posix()] = {"sha256": digest(raw), "data": parse_yaml(path, raw)}
    return {"version": 1, "files": files}


# Rewriting it: `python -m linter.rules` (linter/rules/__main__.py), which owns both
# halves, so this module never imports the loader.
