"""Fitting the learned layer: one L2-regularised logistic regression per category over
hashed sparse features, and the per-category threshold that keeps it precise.

Deterministic by construction: full-batch L-BFGS from zero weights (no sampling, no random
initialisation), so the same corpus and configuration give the same weights. Needs SciPy,
which only training does (the `train` extra); scoring at run time is NumPy alone.
"""

from __future__ import annotations

from typing import Sequence

import numpy


def design_matrix(rows: Sequence[Sequence[int]], dim: int):
    """Binary CSR matrix: one row per text, a 1 at each feature index."""
    from scipy.sparse import csr_matrix

    indptr = numpy.zeros(len(rows) + 1, dtype=numpy.int64)
    numpy.cumsum([len(r) for r in rows], out=indptr[1:])
    indices = numpy.fromiter((i for r in rows for i in r), dtype=numpy.int32, count=int(indptr[-1]))
    data = numpy.ones(len(indices), dtype=numpy.float64)
    return csr_matrix((data, indices, indptr), shape=(len(rows), dim))


def fit_logistic(X, y: numpy.ndarray, *, l2: float, max_positive_weight: float, max_iter: int = 300) -> tuple[numpy.ndarray, float]:
    """Weights and bias minimising class-weighted log loss + l2/2 |w|^2 (bias free)."""
    from scipy.optimize import minimize

    y = y.astype(numpy.float64)
    pos = y.sum()
    neg = len(y) - pos
    # Positives are scarce; weight them up to balance, but no more than the cap, so a rare
    # category does not buy its recall with false alarms.
    pw = min(max_positive_weight, neg / pos) if pos else 1.0
    sample_w = numpy.where(y > 0, pw, 1.0)
    dim = X.shape[1]
    Xt = X.T.tocsr()

    def loss(theta: numpy.ndarray) -> tuple[float, numpy.ndarray]:
        w, b = theta[:dim], theta[dim]
        z = X @ w + b
        # log(1 + e^-z) for positives, log(1 + e^z) for negatives, stably
        s = numpy.where(y > 0, -z, z)
        value = float(numpy.sum(sample_w * numpy.logaddexp(0.0, s))) + 0.5 * l2 * float(w @ w)
        p = 1.0 / (1.0 + numpy.exp(-z))
        g = sample_w * (p - y)
        grad = numpy.empty(dim + 1)
        grad[:dim] = Xt @ g + l2 * w
        grad[dim] = g.sum()
        return value, grad

    result = minimize(loss, numpy.zeros(dim + 1), jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
    return result.x[:dim], float(result.x[dim])


def sigmoid(z):
    return 1.0 / (1.0 + numpy.exp(-z))


def choose_threshold(scores: numpy.ndarray, labels: numpy.ndarray, *, precision: float, min_hits: int) -> float | None:
    """The lowest score at which the texts scoring at least that much are at least
    `precision` correct (and at least `min_hits` of them are right): None when no
    threshold gets there, and the category then stays rules-only."""
    order = numpy.argsort(-scores, kind="stable")
    hits = numpy.cumsum(labels[order] > 0)
    shown = numpy.arange(1, len(order) + 1)
    ok = (hits / shown >= precision) & (hits >= min_hits)
    # Only a score that differs from the next one can be a threshold (ties go together).
    distinct = numpy.append(scores[order][:-1] > scores[order][1:], True)
    ok &= distinct
    if not ok.any():
        return None
    last = int(numpy.nonzero(ok)[0][-1])
    return float(scores[order][last])
