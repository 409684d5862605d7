"""The learned layer: trained from the corpus it says, checked at load, deterministic,
marked in its findings, and never doubling a rule finding."""

from __future__ import annotations

import json
import shutil

import numpy
import pytest

from conftest import REPO
from linter.api import get_engine
from linter.config import Settings
from linter.model.artifact import ARTIFACT_DIR, ModelArtifactError, load
from linter.model.fit import choose_threshold, design_matrix, fit_logistic
from linter.quality.train import DEFAULT_CONFIG, corpus_digest, fit_all

pytest.importorskip("scipy", reason="training needs SciPy (the test extra installs it)")


def test_the_shipped_artifact_was_trained_on_this_training_split_with_this_configuration():
    meta = load().meta
    assert meta["corpus_sha256"] == corpus_digest(sorted((REPO / "corpus" / "train").glob("*.jsonl"))), "corpus/train changed: run `msglint train`"
    assert meta["config"] == DEFAULT_CONFIG, "the training configuration changed: run `msglint train`"
    assert "length" not in meta["categories"]


def test_an_altered_weight_file_is_refused(tmp_path):
    copy = tmp_path / "artifact"
    shutil.copytree(ARTIFACT_DIR, copy)
    raw = bytearray((copy / "weights.npy").read_bytes())
    raw[-1] ^= 0x01
    (copy / "weights.npy").write_bytes(bytes(raw))
    with pytest.raises(ModelArtifactError, match="does not match model.json"):
        load(copy)
    (copy / "model.json").write_text(json.dumps({"version": 99}))
    with pytest.raises(ModelArtifactError, match="format version"):
        load(copy)


def test_fitting_is_deterministic_and_the_same_on_two_processes():
    rng = numpy.random.default_rng(7)
    rows = [sorted(set(rng.integers(0, 512, 12).tolist())) for _ in range(300)]
    Y = numpy.array([[(r[0] % 3 == 0), (5 in r or 9 in r)] for r in rows], dtype=numpy.int8)
    config = {**DEFAULT_CONFIG, "dim": 512, "max_iter": 50}
    one = fit_all(rows, Y, config, jobs=1)
    again = fit_all(rows, Y, config, jobs=1)
    two = fit_all(rows, Y, config, jobs=2)
    assert numpy.array_equal(one[0], again[0]) and numpy.array_equal(one[1], again[1])
    assert numpy.allclose(one[0], two[0]) and numpy.allclose(one[1], two[1])


def test_a_feature_that_predicts_the_label_gets_a_positive_weight():
    rows = [[1, 7], [1, 8], [1, 9], [2, 7], [2, 8], [2, 9]] * 10
    y = numpy.array([1, 1, 1, 0, 0, 0] * 10)
    w, _ = fit_logistic(design_matrix(rows, 16), y, l2=1.0, max_positive_weight=4.0)
    assert w[1] > 0 > w[2]


def test_threshold_is_the_lowest_score_that_keeps_precision():
    scores = numpy.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    labels = numpy.array([1, 1, 1, 0, 1, 0])
    assert choose_threshold(scores, labels, precision=0.95, min_hits=2) == 0.7
    assert choose_threshold(scores, labels, precision=0.75, min_hits=2) == 0.5
    assert choose_threshold(scores, labels, precision=0.95, min_hits=4) is None


BURIED = (
    "Work has been wild, we finally shipped the app and the whole team went out for tacos. "
    "The dog learned to open the fridge, which is a problem. "
    "Honestly you always made everything about yourself and I was the only one who ever tried. "
    "Anyway the weather is finally nice here."
)


def test_model_findings_are_marked_and_sit_on_the_sentence_that_scored():
    found = [f for f in get_engine(Settings()).lint(BURIED) if f.detector == "model"]
    for f in found:
        assert 0 < f.confidence <= 1 and f.rule == "model"
        assert BURIED[f.start : f.end] == f.text and f.text.endswith((".", "!", "?")) or f.end == len(BURIED.rstrip())
        assert f.why and f.suggestion and f.source


def test_the_model_never_repeats_a_rule_finding_on_the_same_words():
    for text in ("do you miss me?", "if you cared about me at all you'd call", "I need you. please take me back"):
        found = get_engine(Settings()).lint(text)
        rules = [(f.category, f.start, f.end) for f in found if f.detector == "rules"]
        for f in found:
            if f.detector == "model":
                assert not any(c == f.category and s < f.end and f.start < e for c, s, e in rules), (text, f)


def test_the_layer_can_be_turned_off():
    text = "I keep replaying the night you walked out and I still don't understand what I did"
    for settings in (Settings(learned=False), Settings(disable=frozenset({"model"}))):
        assert all(f.detector == "rules" for f in get_engine(settings).lint(text))
