"""The learned layer at run time: each sentence of a parsed draft scored per category, a
`Detection` where the score reaches the category's threshold.

NumPy only: a sentence's score is the sum of its features' weights (a few hundred rows of
a float16 matrix) plus the category's bias, through a sigmoid. Categories whose
cross-validated precision never reached the target have no threshold and stay rules-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, Sequence

import numpy

from ..findings import Severity
from ..rules.checks import Line
from ..rules.engine import Detection
from .artifact import Artifact
from .features import hashed, sentence_features


@dataclass(frozen=True)
class CategoryText:
    """What a model finding of a category says: the category's own reasoning."""

    severity: Severity
    message: str
    why: str
    source: str
    suggestion: str
    rewrite: str | None = None


class LearnedLayer:
    def __init__(self, artifact: Artifact, texts: Mapping[str, CategoryText], categories: Iterable[str] | None = None) -> None:
        meta = artifact.meta
        self.dim = meta["dim"]
        self.features = meta["features"]
        self.weights = artifact.weights  # (dim, categories), float16
        self.bias = numpy.asarray(meta["bias"], dtype=numpy.float32)
        wanted = set(categories) if categories is not None else None
        thresholds = meta["thresholds"]
        # Columns that can fire: a threshold, texts to speak with, and not disabled.
        self.active = [
            (j, c, float(thresholds[c])) for j, c in enumerate(meta["categories"])
            if thresholds.get(c) is not None and c in texts and (wanted is None or c in wanted)
        ]
        self.texts = dict(texts)

    def scores(self, sent) -> numpy.ndarray:
        """The sentence's probability per category (all columns)."""
        idx = hashed(sentence_features(sent, self.features), self.dim)
        z = self.weights[idx].sum(axis=0, dtype=numpy.float32) + self.bias if idx else self.bias.copy()
        return 1.0 / (1.0 + numpy.exp(-z))

    def detect(self, lines: Sequence[Line]) -> Iterator[Detection]:
        if not self.active:
            return
        for line in lines:
            for sent in line.doc.sents:
                text = sent.text
                if not text.strip():
                    continue
                p = self.scores(sent)
                start = line.offset + sent.start_char
                end = start + len(text.rstrip())
                for j, category, threshold in self.active:
                    if p[j] >= threshold:
                        t = self.texts[category]
                        yield Detection(category, start, end, t.severity, t.message, t.why, t.source, t.suggestion, "model", float(p[j]), rewrite=t.rewrite)
