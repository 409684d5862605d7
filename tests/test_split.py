"""The corpus split: fixed by each text's hash, the test split untouched by anything tuned,
and no near-copies across the two halves."""

from __future__ import annotations

import json

import pytest

from conftest import REPO
from linter.quality.split import TEST_SHARE, bucket, normalise, split_of

TRAIN = REPO / "corpus" / "train"
TEST = REPO / "corpus" / "test"
# The files the rules were tuned on before the split existed: training material only.
TUNED = {"mission", "negatives", "other", "good", "dev-p1", "dev-h2", "dev-d3", "dev-u4"}


def texts(folder, stems=None):
    out = []
    for path in sorted(folder.glob("*.jsonl")):
        if stems is None or path.stem in stems:
            out += [(path.stem, json.loads(line)["text"]) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def test_the_split_is_a_function_of_the_normalised_text():
    assert split_of("Do you miss me?") == split_of("do you   miss me")
    assert normalise("Hey!!  You?") == "hey you"
    assert {bucket(f"draft {i}") for i in range(200)} == set(range(TEST_SHARE))


def test_test_files_hold_only_test_texts_and_tuned_files_never_appear_there():
    test = texts(TEST)
    assert len(test) > 1000
    assert all(split_of(t) == "test" for _, t in test)
    assert not {stem for stem, _ in test} & TUNED
    untuned_train = [t for stem, t in texts(TRAIN) if stem not in TUNED]
    assert all(split_of(t) == "train" for t in untuned_train)


def test_no_text_or_near_copy_is_on_both_sides():
    from rapidfuzz import fuzz, process

    train = [normalise(t) for _, t in texts(TRAIN)]
    test = [normalise(t) for _, t in texts(TEST)]
    assert not set(train) & set(test)
    longer = [t for t in test if len(t) > 12]
    scores = process.cdist(longer, train, scorer=fuzz.ratio, score_cutoff=90, workers=2)
    close = [(longer[i], train[j]) for i, j in zip(*scores.nonzero())]
    assert not close, f"{len(close)} near-copies across the split, e.g. {close[:3]}"


@pytest.mark.parametrize("folder", [TRAIN, TEST], ids=["train", "test"])
def test_corpus_size_and_coverage(folder, vocabulary):
    rows = [json.loads(line) for path in folder.glob("*.jsonl") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert all(set(r["labels"]) <= set(vocabulary) for r in rows)
    if folder is TRAIN:
        counts = {c: 0 for c, v in vocabulary.items() if v["scope"] == "message"}
        both = rows + [json.loads(line) for path in TEST.glob("*.jsonl") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for r in both:
            for c in r["labels"]:
                counts[c] += 1
        assert len(both) >= 8000
        assert sum(1 for r in both if not r["labels"]) >= 3000
        assert min(counts.values()) >= 300, counts
