"""The library API and the pieces under it: shorthand parsing, spans, rule-file validation."""

from __future__ import annotations

import pytest

from linter import Settings, lint
from linter.findings import LineIndex, Severity
from linter.rules.checks import count_sentences
from linter.rules.loader import RuleFileError, load_file, load_rules


def test_lint_returns_findings_with_consistent_spans():
    text = "ok so\ndo u miss me"
    [f] = [f for f in lint(text) if f.category == "miss-me"]
    assert text[f.start : f.end] == f.text == "u miss me"
    assert (f.line, f.column, f.end_line, f.end_column) == (2, 4, 2, 13)
    assert f.severity is Severity.WARNING and f.source and f.why and f.suggestion


def test_settings_disable(monkeypatch):
    assert not [f for f in lint("do you miss me?", settings=Settings(disable=frozenset({"miss-me"})))]


@pytest.mark.parametrize(
    "text, subject_norm",
    [("r u seeing someone", "you"), ("do u regret it", "you"), ("R U OK", "you")],
)
def test_shorthand_parses_as_a_question_with_you_as_subject(nlp, text, subject_norm):
    from linter.rules.predicates import sentence_is_question

    doc = nlp(text)
    subjects = [t.norm_ for t in doc if t.dep_ == "nsubj"]
    assert subject_norm in subjects
    assert sentence_is_question(next(doc.sents))


def test_line_index_positions():
    index = LineIndex("ab\ncd\n\nef")
    assert index.position(0) == (1, 1)
    assert index.position(3) == (2, 1)
    assert index.position(7) == (4, 1)
    assert index.position(9) == (4, 3)


@pytest.mark.parametrize(
    "text, n",
    [
        ("hey", 1),
        ("hey. how are you? i miss you", 3),
        ("i dont know... maybe we should talk", 1),
        ("Dr. Patel said hi", 2),  # an abbreviation reads as a stop; words decide long drafts anyway
        ("one!!! two?? three", 3),
        ("line one\nline two\n\n", 2),
    ],
)
def test_sentence_count(text, n):
    assert count_sentences(text) == n


BASE = """category: pressure
rules:
  - id: r
    severity: warning
    message: m
    why: w
    source: {title: t, section: s}
    suggestion: s
    match: {phrases: ["call me"]}
    examples: {flag: ["call me"], pass: ["hi"]}
"""


@pytest.mark.parametrize(
    "change, field",
    [
        (("severity: warning", "severity: loud"), "severity"),
        (("category: pressure", "category: nagging"), "category"),
        (("    message: m\n", ""), "message"),
        (("match: {phrases: [\"call me\"]}", "match: {check: nope}"), "match.check"),
        (("examples: {flag: [\"call me\"], pass: [\"hi\"]}", "examples: {flag: [], pass: [\"hi\"]}"), "examples.flag"),
        (("    suggestion: s\n", "    suggestion: s\n    unless: [sarcastic]\n"), "unless"),
        (("    suggestion: s\n", "    suggestion: s\n    colour: red\n"), "colour"),
    ],
)
def test_rule_file_errors_name_file_rule_and_field(tmp_path, vocabulary, change, field):
    path = tmp_path / "bad.yaml"
    path.write_text(BASE.replace(*change), encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        load_file(path, vocabulary)
    assert str(err.value).startswith(f"{path}: rule r: field '{field}'")


def test_invalid_yaml_and_duplicate_ids(tmp_path, vocabulary):
    bad = tmp_path / "a" / "x.yaml"
    bad.parent.mkdir()
    bad.write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match="invalid YAML"):
        load_file(bad, vocabulary)
    for name in ("one", "two"):
        d = tmp_path / name
        d.mkdir()
        (d / "r.yaml").write_text(BASE, encoding="utf-8")
    with pytest.raises(RuleFileError, match="id already defined"):
        load_rules([tmp_path / "one", tmp_path / "two"], vocabulary)


def test_bad_spacy_pattern_is_reported_with_rule_and_field(tmp_path, vocabulary, nlp):
    from linter.rules.engine import Engine, PatternError

    path = tmp_path / "p.yaml"
    path.write_text(BASE.replace('match: {phrases: ["call me"]}', "match: {tokens: [[{LEMMAA: call}]]}"), encoding="utf-8")
    rules = load_file(path, vocabulary)
    with pytest.raises(PatternError, match=r"rule r: field 'match.tokens'"):
        Engine(nlp, rules)


def test_conditions_apply_to_line_checks_and_are_refused_on_draft_checks(tmp_path, vocabulary, nlp):
    from linter.rules.engine import Engine

    path = tmp_path / "shout.yaml"
    path.write_text(
        BASE.replace('match: {phrases: ["call me"]}', "match: {check: shouting, params: {min_words: 3}}\n    unless: [quoted]")
        .replace('examples: {flag: ["call me"], pass: ["hi"]}', 'examples: {flag: ["STOP DOING THIS NOW"], pass: ["hi"]}'),
        encoding="utf-8",
    )
    engine = Engine(nlp, load_file(path, vocabulary))
    [hit] = engine.lint("ok STOP DOING THIS NOW")
    assert hit.text == "STOP DOING THIS NOW" and hit.message == "m"
    assert engine.lint('she yelled "STOP DOING THIS NOW" at the dog') == []

    path.write_text(BASE.replace('match: {phrases: ["call me"]}', "match: {check: too_long}\n    unless: [quoted]"), encoding="utf-8")
    with pytest.raises(RuleFileError, match="field 'unless': conditions read one match's sentence"):
        load_file(path, vocabulary)
