"""Every rule's embedded examples run as tests, strictly (as LanguageTool's do).

- a must-flag example yields exactly one finding of that rule, on the expected words;
- a must-pass example yields no finding of that rule;
- a rule's suggested rewrite does not trigger the rule again.
"""

from __future__ import annotations

import pytest

from linter.rules.loader import builtin_dir, load_rules, load_vocabulary

_RULES = load_rules([builtin_dir()], load_vocabulary())


def _cases(kind: str):
    for rule in _RULES:
        examples = {"flag": rule.flag_examples, "pass": rule.pass_examples}[kind]
        for i, ex in enumerate(examples):
            yield pytest.param(rule, ex, id=f"{rule.id}-{kind}{i}")


def test_every_rule_has_examples_of_both_kinds():
    assert _RULES, "no built-in rules loaded"
    for rule in _RULES:
        assert rule.flag_examples and rule.pass_examples, rule.id


@pytest.mark.parametrize("rule, example", list(_cases("flag")))
def test_flag_example(engine, rule, example):
    hits = [f for f in engine.lint(example.text) if f.rule == rule.id]
    assert len(hits) == 1, f"{rule.id}: expected exactly one finding on {example.text!r}, got {[h.text for h in hits]}"
    if example.span is not None:
        assert hits[0].text == example.span, f"{rule.id}: on {example.text!r} flagged {hits[0].text!r}, expected {example.span!r}"
    assert hits[0].category == rule.category


@pytest.mark.parametrize("rule, example", list(_cases("pass")))
def test_pass_example(engine, rule, example):
    hits = [f.text for f in engine.lint(example.text) if f.rule == rule.id]
    assert not hits, f"{rule.id}: must pass {example.text!r} but flagged {hits}"


@pytest.mark.parametrize("rule", [r for r in _RULES if r.rewrite], ids=lambda r: r.id)
def test_rewrite_does_not_trigger_its_rule(engine, rule):
    hits = [f.text for f in engine.lint(rule.rewrite) if f.rule == rule.id]
    assert not hits, f"{rule.id}: its own rewrite {rule.rewrite!r} triggers it: {hits}"
