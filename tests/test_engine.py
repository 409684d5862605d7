"""The engine's speed-ups must never change what it finds."""

from __future__ import annotations

import json


from linter.rules.engine import Engine, pattern_requirement

from conftest import REPO, SHARED


def _sample_texts() -> list[str]:
    texts = []
    for path in sorted((REPO / "corpus").glob("*/*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = texts[::4]  # every fourth corpus text: all registers, a quarter of the time
    sms = SHARED / "corpus-real" / "benign_sms.jsonl"
    if sms.is_file():
        texts += [json.loads(line)["text"] for line in sms.read_text(encoding="utf-8").splitlines()[:1500]]
    return texts


def test_trigger_prefilter_finds_exactly_what_the_full_matchers_find(nlp, rules, monkeypatch):
    texts = _sample_texts()
    fast = [[(f.rule, f.start, f.end) for f in fs] for fs in Engine(nlp, rules, validate=False).lint_many(texts)]
    # The slow path: every rule's matchers run on every line.
    monkeypatch.setattr(Engine, "_candidate_matchers", lambda self, doc: list(range(len(self._units))))
    full = [[(f.rule, f.start, f.end) for f in fs] for fs in Engine(nlp, rules).lint_many(texts)]
    assert fast == full
    assert sum(map(len, full)) > 100  # the comparison covered real findings


def test_trigger_requires_every_literal_word_of_a_pattern():
    pattern = [{"LOWER": "call"}, {"NORM": "me"}, {"IS_PUNCT": True, "OP": "?"}]
    assert pattern_requirement(pattern) == (("LOWER", frozenset({"call"})), ("NORM", frozenset({"me"})))
    optional_only = [{"LOWER": "call", "OP": "?"}, {"POS": "PRON"}]
    assert pattern_requirement(optional_only) is None


def test_lint_many_matches_lint_one_by_one(engine):
    texts = ["do you miss me?", "", "hey", "answer me now\n\ncall me", "I need you to return my keys"]
    assert list(engine.lint_many(texts, batch_size=2)) == [engine.lint(t) for t in texts]
