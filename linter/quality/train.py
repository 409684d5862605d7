"""Training the learned layer from the corpus's training split, reproducibly.

    corpus/train/*.jsonl -> parse (the same pipeline and line/sentence split the linter
    uses) -> hashed sentence features -> per category: out-of-fold scores by k-fold cross-
    validation (threshold for precision >= 0.95, or rules-only) -> a final fit on all of
    the training split -> linter/model/artifact/

Nothing here reads the test split. Folds are assigned by a hash of each text, so the
cross-validation is as reproducible as the fit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy

from ..model.features import hashed, sentence_features
from ..model.fit import choose_threshold, design_matrix, fit_logistic, sigmoid
from ..rules.engine import line_spans
from .corpus import Example

# What the layer learns and how; written into model.json so a run can be reproduced.
DEFAULT_CONFIG = {
    "dim": 1 << 17,
    "features": {"bigrams": True, "lemmas": True, "deps": True, "chars": [3, 4]},
    "l2": 0.5,
    "max_positive_weight": 4.0,
    "folds": 5,
    "precision": 0.95,
    # Categories whose false alarm costs most (a wrong "you're guilt-tripping" is worse than
    # a wrong "this is long") need the model to be surer before it speaks.
    "heavy": ["ultimatum", "guilt-trip", "lashing-out", "dating-question", "miss-me", "begging", "neediness", "apology-excuse"],
    "heavy_precision": 0.97,
    "min_hits": 5,
    "max_iter": 150,
    # `length` is a count, not a reading: the rule is exact and the model would only blur it.
    "exclude": ["length"],
}


@dataclass
class Parsed:
    """Each example's sentences as hashed feature indices (message = union of sentences)."""

    sentences: list[list[list[int]]]

    def message_rows(self) -> list[list[int]]:
        return [sorted({i for s in sents for i in s}) for sents in self.sentences]


def parse(nlp, texts: Sequence[str], config: dict) -> Parsed:
    """Parse like the linter does: each non-empty line on its own, sentences by the parser."""
    spans = [line_spans(t) for t in texts]
    flat = [t[a:b] for t, sp in zip(texts, spans) for a, b in sp]
    docs = iter(nlp.pipe(flat, batch_size=256))
    out = []
    for sp in spans:
        sents = []
        for _ in sp:
            doc = next(docs)
            for sent in doc.sents:
                sents.append(hashed(sentence_features(sent, config["features"]), config["dim"]))
        out.append(sents)
    return Parsed(out)


def fold_of(text: str, folds: int) -> int:
    return int.from_bytes(hashlib.sha256(("fold:" + text).encode("utf-8")).digest()[:8], "big") % folds


def label_matrix(examples: Sequence[Example], categories: Sequence[str]) -> numpy.ndarray:
    return numpy.array([[c in e.labels for c in categories] for e in examples], dtype=numpy.int8)


_shared: dict = {}


def _fit_one(c: int) -> tuple[numpy.ndarray, float]:
    X, Y, config = _shared["X"], _shared["Y"], _shared["config"]
    return fit_logistic(X, Y[:, c], l2=config["l2"], max_positive_weight=config["max_positive_weight"], max_iter=config["max_iter"])


def fit_all(rows: Sequence[Sequence[int]], Y: numpy.ndarray, config: dict, jobs: int = 1) -> tuple[numpy.ndarray, numpy.ndarray]:
    """One model per category (column of Y); on `jobs` forked processes, same result."""
    _shared.update(X=design_matrix(rows, config["dim"]), Y=Y, config=config)
    try:
        if jobs > 1 and "fork" in __import__("multiprocessing").get_all_start_methods():
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                fitted = list(pool.map(_fit_one, range(Y.shape[1])))
        else:
            fitted = [_fit_one(c) for c in range(Y.shape[1])]
    finally:
        _shared.clear()
    W = numpy.stack([w for w, _ in fitted], axis=1)
    b = numpy.array([bias for _, bias in fitted])
    return W, b


def message_scores(parsed: Parsed, W: numpy.ndarray, b: numpy.ndarray) -> numpy.ndarray:
    """Each message's score per category: its best sentence, as the linter scores drafts."""
    out = numpy.zeros((len(parsed.sentences), W.shape[1]))
    for i, sents in enumerate(parsed.sentences):
        if sents:
            out[i] = numpy.max([W[s].sum(axis=0) for s in sents], axis=0)
    return sigmoid(out + b)


def cross_validated_scores(parsed: Parsed, examples: Sequence[Example], Y: numpy.ndarray, config: dict, jobs: int = 1) -> numpy.ndarray:
    """Out-of-fold message scores: each text scored by a model that never saw it."""
    folds = numpy.array([fold_of(e.text, config["folds"]) for e in examples])
    rows = parsed.message_rows()
    scores = numpy.zeros(Y.shape, dtype=numpy.float64)
    for k in range(config["folds"]):
        train_idx = numpy.nonzero(folds != k)[0]
        test_idx = numpy.nonzero(folds == k)[0]
        W, b = fit_all([rows[i] for i in train_idx], Y[train_idx], config, jobs)
        scores[test_idx] = message_scores(Parsed([parsed.sentences[i] for i in test_idx]), W, b)
    return scores


def thresholds(scores: numpy.ndarray, Y: numpy.ndarray, categories: Sequence[str], config: dict) -> dict[str, float | None]:
    def target(c: str) -> float:
        return config["heavy_precision"] if c in config["heavy"] else config["precision"]

    return {c: choose_threshold(scores[:, j], Y[:, j], precision=target(c), min_hits=config["min_hits"]) for j, c in enumerate(categories)}


def corpus_digest(paths: Sequence[Path]) -> str:
    """SHA-256 over the training files (names and bytes), for the artifact's provenance."""
    h = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        h.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def average_precision(scores: numpy.ndarray, labels: numpy.ndarray) -> float | None:
    """Area under the precision-recall curve (mean precision at each true positive)."""
    positives = int((labels > 0).sum())
    if not positives:
        return None
    order = numpy.argsort(-scores, kind="stable")
    hit = labels[order] > 0
    precision_at = numpy.cumsum(hit) / numpy.arange(1, len(hit) + 1)
    return float(precision_at[hit].sum() / positives)


def train(nlp, examples: Sequence[Example], categories: Sequence[str], config: dict, *, corpus_sha256: str, jobs: int = 1, say=lambda _msg: None, oof_path=None) -> tuple[dict, numpy.ndarray]:
    """The artifact's metadata and weights, from the training split's examples."""
    import spacy

    say(f"parsing {len(examples):,} texts")
    parsed = parse(nlp, [e.text for e in examples], config)
    Y = label_matrix(examples, categories)
    say(f"{config['folds']}-fold cross-validation, {len(categories)} categories")
    oof = cross_validated_scores(parsed, examples, Y, config, jobs)
    if oof_path is not None:  # for studying thresholds without refitting (never shipped)
        numpy.save(oof_path, oof)
    chosen = thresholds(oof, Y, categories, config)
    cv = {}
    for j, c in enumerate(categories):
        t = chosen[c]
        entry = {"support": int(Y[:, j].sum()), "average_precision": _round(average_precision(oof[:, j], Y[:, j]))}
        if t is not None:
            pred = oof[:, j] >= t
            tp = int((pred & (Y[:, j] > 0)).sum())
            entry.update(precision=_round(tp / max(int(pred.sum()), 1)), recall=_round(tp / max(int(Y[:, j].sum()), 1)))
        cv[c] = entry
    say("fitting the final model on the whole training split")
    W, b = fit_all(parsed.message_rows(), Y, config, jobs)
    meta = {
        "dim": config["dim"],
        "features": config["features"],
        "categories": list(categories),
        "thresholds": {c: (None if t is None else round(t, 6)) for c, t in chosen.items()},
        "bias": [round(float(x), 6) for x in b],
        "config": config,
        "corpus_sha256": corpus_sha256,
        "spacy_model": f"{nlp.meta.get('name')}-{nlp.meta.get('version')}",
        "spacy": spacy.__version__,
        "cross_validation": cv,
    }
    return meta, W


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def cross_validated_findings(nlp, examples: Sequence[Example], artifact_meta: dict, *, jobs: int = 1) -> list[list]:
    """What the learned layer would have said about each training text had it not been
    trained on it: k-fold out-of-fold scores, the shipped thresholds, one whole-text
    finding per category over its threshold (enough for text-level scoring)."""
    from ..findings import Finding, Severity

    config = artifact_meta["config"]
    categories = artifact_meta["categories"]
    parsed = parse(nlp, [e.text for e in examples], config)
    Y = label_matrix(examples, categories)
    oof = cross_validated_scores(parsed, examples, Y, config, jobs)
    out = []
    for i, e in enumerate(examples):
        found = []
        for j, c in enumerate(categories):
            t = artifact_meta["thresholds"].get(c)
            if t is not None and oof[i, j] >= t:
                found.append(Finding("model", c, Severity.WARNING, "", "", "", "", 0, len(e.text), 1, 1, 1, 1, e.text, detector="model", confidence=float(oof[i, j])))
        out.append(found)
    return out
