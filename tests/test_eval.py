"""`msglint eval` on a tiny hand-made corpus with a tiny hand-made ruleset.

The built-in rules are being tuned all the time, so these tests score two throwaway rules
("zebra crossing" -> ultimatum, "giraffe" -> monitoring) whose behaviour is certain; the
built-in rules are disabled by id in the CLI tests. Every expected number below is worked
out by hand from the corpus in `CORPUS`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from linter.cli import main
from linter.quality.corpus import read_corpus
from linter.quality.scoring import (
    below_floors,
    evaluated_categories,
    lint_examples,
    score,
    score_benign,
)

RULES_YAML = """
rules:
  - id: test-zebra
    category: ultimatum
    severity: warning
    message: "zebra"
    why: "A throwaway rule for the eval tests."
    source: {title: "test", section: "test"}
    suggestion: "none"
    match: {phrases: ["zebra crossing"]}
    examples: {flag: ["a zebra crossing"], pass: ["a zebra"]}
  - id: test-giraffe
    category: monitoring
    severity: warning
    message: "giraffe"
    why: "A throwaway rule for the eval tests."
    source: {title: "test", section: "test"}
    suggestion: "none"
    match: {phrases: ["giraffe"]}
    examples: {flag: ["a giraffe"], pass: ["a zebra"]}
"""

# ultimatum:  TP lines 1, 6, 7 · FP lines 2, 3 · FN line 4      -> P 3/5, R 3/4
# monitoring: TP line 5        · FN line 3                      -> P 1/1, R 1/2
# line placement: line 6 right (line 2), line 7 wrong (found on 1, labelled 2) -> 1/2
CORPUS = [
    {"text": "the zebra crossing is closed", "labels": ["ultimatum"]},
    {"text": "a zebra crossing at noon", "labels": []},
    {"text": "watch the zebra crossing", "labels": ["monitoring"]},
    {"text": "no animals here", "labels": ["ultimatum"]},
    {"text": "i saw a giraffe", "labels": ["monitoring"]},
    {"text": "hello there\nzebra crossing ahead", "labels": ["ultimatum"], "lines": {"ultimatum": 2}},
    {"text": "zebra crossing\nnothing else", "labels": ["ultimatum"], "lines": {"ultimatum": 2}, "note": "placed on the wrong line"},
    {"text": "just a sentence", "labels": []},
]

BENIGN = [
    {"text": "a giraffe at the zoo"},
    {"text": "another giraffe"},
    {"text": "the zebra crossing"},
    {"text": "nothing to see"},
    {"text": "nothing here either", "labels": []},
]


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture()
def rules_dir(tmp_path: Path) -> Path:
    d = tmp_path / "rules"
    d.mkdir()
    (d / "test.yaml").write_text(RULES_YAML, encoding="utf-8")
    return d


@pytest.fixture()
def test_engine(nlp, vocabulary, rules_dir):
    from linter.rules.engine import Engine
    from linter.rules.loader import load_rules

    rules = load_rules([rules_dir], vocabulary)
    return Engine(nlp, rules), rules


@pytest.fixture()
def cli(tmp_path: Path, rules_dir: Path, rules, monkeypatch):
    """Run `msglint eval` hermetically: an empty config, the test rules, built-ins off."""
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "empty.toml"
    config.write_text("", encoding="utf-8")
    isolate = ["--config", str(config), "--rules", str(rules_dir)]
    for rule in rules:
        isolate += ["--disable", rule.id]

    def run(*args: str):
        return CliRunner().invoke(main, ["eval", *args, *isolate])

    return run


# -- the logic ---------------------------------------------------------------------------


def test_scores_match_hand_counts(tmp_path, test_engine, vocabulary):
    engine, rules = test_engine
    corpus = read_corpus([write_jsonl(tmp_path / "c.jsonl", CORPUS)], vocabulary)
    assert corpus.problems == []
    categories, disabled = evaluated_categories(engine, rules, vocabulary)
    assert disabled == [] and "ultimatum" in categories and "monitoring" in categories
    report = score(corpus.examples, lint_examples(engine, corpus.examples), categories)

    ult, mon = report.categories["ultimatum"], report.categories["monitoring"]
    assert (ult.tp, ult.fp, ult.fn, ult.support) == (3, 2, 1, 4)
    assert ult.precision == pytest.approx(0.6) and ult.recall == pytest.approx(0.75)
    assert ult.f1 == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    assert (mon.tp, mon.fp, mon.fn) == (1, 0, 1)
    assert mon.precision == 1.0 and mon.recall == 0.5

    micro, macro = report.micro(), report.macro()
    assert micro.precision == pytest.approx(4 / 6) and micro.recall == pytest.approx(4 / 6)
    assert macro.precision == pytest.approx((0.6 + 1.0) / 2)
    assert macro.recall == pytest.approx((0.75 + 0.5) / 2)

    assert report.texts == 8 and report.unlabeled_texts == 2 and report.unlabeled_flagged == 1
    # A category that no text carries and no rule fires has nothing to measure.
    hurt = report.categories["hurt"]
    assert (hurt.support, hurt.precision, hurt.recall) == (0, None, None)


def test_false_alarms_misses_and_confusion(tmp_path, test_engine, vocabulary):
    engine, rules = test_engine
    corpus = read_corpus([write_jsonl(tmp_path / "c.jsonl", CORPUS)], vocabulary)
    report = score(corpus.examples, lint_examples(engine, corpus.examples), evaluated_categories(engine, rules, vocabulary)[0])
    ult, mon = report.categories["ultimatum"], report.categories["monitoring"]

    assert [s.example.text for s in ult.false_alarms] == ["a zebra crossing at noon", "watch the zebra crossing"]
    assert [s.example.source for s in ult.false_alarms] == [f"{tmp_path / 'c.jsonl'}:2", f"{tmp_path / 'c.jsonl'}:3"]
    assert [f.text for s in ult.false_alarms for f in s.findings] == ["zebra crossing", "zebra crossing"]
    # "flagged ultimatum where the labels were ...": once no labels, once monitoring.
    assert dict(ult.confused_with) == {(): 1, ("monitoring",): 1}
    assert [s.example.text for s in ult.misses] == ["no animals here"]
    # The monitoring miss had ultimatum fire instead.
    assert dict(mon.flagged_instead) == {("ultimatum",): 1}


def test_line_placement(tmp_path, test_engine, vocabulary):
    engine, rules = test_engine
    corpus = read_corpus([write_jsonl(tmp_path / "c.jsonl", CORPUS)], vocabulary)
    report = score(corpus.examples, lint_examples(engine, corpus.examples), evaluated_categories(engine, rules, vocabulary)[0])
    ult = report.categories["ultimatum"]
    assert (ult.line_checked, ult.line_correct) == (2, 1)
    assert report.line_placement() == (2, 1)
    [wrong] = ult.misplaced
    assert wrong.example.note == "placed on the wrong line"
    assert wrong.expected_line == 2 and [f.line for f in wrong.findings] == [1]


def test_floors(tmp_path, test_engine, vocabulary):
    engine, rules = test_engine
    corpus = read_corpus([write_jsonl(tmp_path / "c.jsonl", CORPUS)], vocabulary)
    report = score(corpus.examples, lint_examples(engine, corpus.examples), evaluated_categories(engine, rules, vocabulary)[0])
    assert below_floors(report, min_precision=0.6, min_recall=0.5) == []
    assert [(c, m) for c, m, _, _ in below_floors(report, min_precision=0.61)] == [("ultimatum", "precision")]
    assert [(c, m) for c, m, _, _ in below_floors(report, min_recall=0.76)] == [("ultimatum", "recall"), ("monitoring", "recall")]


def test_benign_rates(tmp_path, test_engine, vocabulary):
    engine, rules = test_engine
    corpus = read_corpus([write_jsonl(tmp_path / "b.jsonl", BENIGN)], vocabulary, labeled=False)
    assert corpus.problems == []
    report = score_benign(corpus.examples, lint_examples(engine, corpus.examples), evaluated_categories(engine, rules, vocabulary)[0])
    assert report.texts == 5 and report.flagged_any == 3
    assert report.categories["monitoring"].flagged == 2 and report.rate("monitoring") == pytest.approx(0.4)
    assert report.rate("ultimatum") == pytest.approx(0.2)
    assert [s.example.text for s in report.categories["ultimatum"].samples] == ["the zebra crossing"]


def test_identical_texts_are_linted_once_but_counted_each_time(tmp_path, test_engine, vocabulary):
    engine, rules = test_engine
    rows = [{"text": "i saw a giraffe", "labels": ["monitoring"]}] * 3
    corpus = read_corpus([write_jsonl(tmp_path / "c.jsonl", rows)], vocabulary)
    report = score(corpus.examples, lint_examples(engine, corpus.examples), evaluated_categories(engine, rules, vocabulary)[0])
    assert report.categories["monitoring"].tp == 3


def test_malformed_lines_are_reported_with_line_numbers(tmp_path, vocabulary):
    rows = [
        {"text": "fine", "labels": []},
        "not json at all",
        {"labels": ["miss-me"]},
        {"text": "hi", "labels": ["no-such-category"]},
        {"text": "late", "labels": ["late-night"]},
        "",
        {"text": "one\ntwo", "labels": ["miss-me"], "lines": {"miss-me": 3}},
        {"text": "no labels key"},
        ["a", "list"],
        {"text": "ok again", "labels": ["miss-me"], "lines": {"miss-me": 1}},
    ]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    with open(path, "ab") as fh:
        fh.write(b'{"text": "caf\xe9", "labels": []}\n')  # Latin-1, not UTF-8
    corpus = read_corpus([path], vocabulary)
    assert [e.line for e in corpus.examples] == [1, 10]
    problems = {p.line: p.reason for p in corpus.problems}
    assert sorted(problems) == [2, 3, 4, 5, 7, 8, 9, 11]  # line 6 is blank: nothing to report
    assert "invalid JSON" in problems[2]
    assert "missing 'text'" in problems[3]
    assert "no-such-category" in problems[4]
    assert "context-level" in problems[5]
    assert "'lines'" in problems[7]
    assert "missing 'labels'" in problems[8]
    assert "JSON object" in problems[9]
    assert "UTF-8" in problems[11]
    assert all(p.file == str(path) for p in corpus.problems)


def test_crlf_texts_read_as_the_linter_reads_drafts(tmp_path, vocabulary):
    corpus = read_corpus([write_jsonl(tmp_path / "c.jsonl", [{"text": "a\r\nb", "labels": ["miss-me"], "lines": {"miss-me": 2}}])], vocabulary)
    assert corpus.examples[0].text == "a\nb"


# -- the command -------------------------------------------------------------------------


def test_json_output_shape(tmp_path, cli):
    result = cli(str(write_jsonl(tmp_path / "c.jsonl", CORPUS)), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "mode", "files", "texts", "unlabeled_texts", "unlabeled_flagged", "skipped", "problems",
        "not_evaluated", "categories", "micro", "macro", "line_placement", "thresholds",
    }
    assert data["mode"] == "labeled" and data["texts"] == 8 and data["skipped"] == 0
    ult = data["categories"]["ultimatum"]
    assert set(ult) == {
        "precision", "recall", "f1", "support", "tp", "fp", "fn", "line_checked", "line_correct",
        "line_accuracy", "confused_with", "flagged_instead", "false_alarms", "misses", "misplaced",
    }
    assert (ult["precision"], ult["recall"], ult["support"], ult["tp"], ult["fp"], ult["fn"]) == (0.6, 0.75, 4, 3, 2, 1)
    assert ult["line_accuracy"] == 0.5
    assert ult["confused_with"] == [{"labels": [], "count": 1}, {"labels": ["monitoring"], "count": 1}]
    alarm = ult["false_alarms"][0]
    assert set(alarm) == {"source", "text", "labels", "flagged", "findings", "note"}
    assert alarm["source"].endswith("c.jsonl:2") and alarm["findings"][0]["text"] == "zebra crossing"
    assert data["micro"] == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667}
    assert data["line_placement"]["checked"] == 2 and data["line_placement"]["correct"] == 1
    # Every built-in category with rules was disabled by id; ours are scored.
    assert "ultimatum" not in data["not_evaluated"] and "monitoring" not in data["not_evaluated"]


def test_text_output_names_the_confusion_and_the_texts(tmp_path, cli):
    result = cli(str(write_jsonl(tmp_path / "c.jsonl", CORPUS)))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "flagged ultimatum where the labels were monitoring: 1" in out
    assert "flagged ultimatum on texts with no labels: 1" in out
    assert "a zebra crossing at noon" in out and "no animals here" in out
    assert "line placement: 1/2" in out
    row = next(line for line in out.splitlines() if line.startswith("ultimatum "))
    assert row.split()[1:8] == ["0.600", "0.750", "0.667", "4", "3", "2", "1"]


def test_show_and_category_focus(tmp_path, cli):
    path = str(write_jsonl(tmp_path / "c.jsonl", CORPUS))
    data = json.loads(cli(path, "--format", "json", "--show", "1", "--category", "ultimatum").stdout)
    assert list(data["categories"]) == ["ultimatum"]
    assert len(data["categories"]["ultimatum"]["false_alarms"]) == 1
    assert data["micro"]["precision"] == 0.6  # averages follow the focus
    text = cli(path, "--show", "0", "--category", "monitoring").stdout
    assert "i saw a giraffe" not in text and "watch the zebra crossing" not in text
    table = text.split("\n\n")[1].splitlines()
    assert [line.split()[0] for line in table] == ["category", "monitoring", "micro", "macro"]


def test_min_precision_and_min_recall_exit_codes(tmp_path, cli):
    path = str(write_jsonl(tmp_path / "c.jsonl", CORPUS))
    assert cli(path, "--min-precision", "0.6").exit_code == 0
    failing = cli(path, "--min-precision", "0.7")
    assert failing.exit_code == 1
    assert "below floor: ultimatum precision 0.600 < 0.700" in failing.stdout
    assert cli(path, "--min-recall", "0.5").exit_code == 0
    assert cli(path, "--min-recall", "0.6").exit_code == 1  # monitoring recall 0.5
    data = json.loads(cli(path, "--min-recall", "0.6", "--format", "json").stdout)
    assert data["thresholds"]["below"] == [{"category": "monitoring", "metric": "recall", "value": 0.5, "floor": 0.6}]
    # Focusing on a category that passes leaves the failing one out of the verdict.
    assert cli(path, "--min-recall", "0.6", "--category", "ultimatum").exit_code == 0


def test_disable_works_in_eval(tmp_path, cli):
    path = str(write_jsonl(tmp_path / "c.jsonl", CORPUS))
    data = json.loads(cli(path, "--format", "json", "--disable", "test-zebra").stdout)
    assert "ultimatum" in data["not_evaluated"] and "ultimatum" not in data["categories"]
    assert data["categories"]["monitoring"]["recall"] == 0.5


def test_malformed_lines_warn_and_still_evaluate(tmp_path, cli):
    rows = [CORPUS[0], "{broken", {"labels": []}, {"text": "x", "labels": ["nope"]}]
    result = cli(str(write_jsonl(tmp_path / "c.jsonl", rows)), "--format", "json")
    assert result.exit_code == 0
    for line in (2, 3, 4):
        assert f"c.jsonl:{line}:" in result.stderr
    data = json.loads(result.stdout)
    assert data["texts"] == 1 and data["skipped"] == 3
    assert [p["line"] for p in data["problems"]] == [2, 3, 4]


def test_nothing_valid_is_a_usage_error(tmp_path, cli):
    result = cli(str(write_jsonl(tmp_path / "c.jsonl", ["nope", {"labels": []}])))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].startswith("msglint: error: no valid texts")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "no corpus"),
        (["missing.jsonl"], "missing.jsonl: no such file"),
        (["."], "is a directory"),
        (["c.jsonl", "--category", "nope"], "unknown category 'nope'"),
        (["c.jsonl", "--category", "late-night"], "context-level"),
        (["c.jsonl", "--max-rate", "0.1"], "--max-rate applies to --benign only"),
        (["--benign", "c.jsonl", "--min-precision", "0.5"], "need labels"),
    ],
)
def test_usage_errors_are_one_line(tmp_path, cli, args, message):
    write_jsonl(tmp_path / "c.jsonl", CORPUS)
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("msglint: error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_benign_mode(tmp_path, cli):
    path = str(write_jsonl(tmp_path / "b.jsonl", [*BENIGN, {"text": "labelled", "labels": ["miss-me"]}]))
    result = cli("--benign", path, "--format", "json", "--show", "1")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"mode", "files", "texts", "skipped", "problems", "not_evaluated", "flagged_any", "flagged_any_rate", "categories", "thresholds"}
    assert data["mode"] == "benign" and data["texts"] == 5 and data["flagged_any"] == 3
    assert data["skipped"] == 1 and "has labels" in data["problems"][0]["reason"]
    mon = data["categories"]["monitoring"]
    assert (mon["flagged"], mon["rate"]) == (2, 0.4)
    assert [s["text"] for s in mon["samples"]] == ["a giraffe at the zoo"]

    text = cli("--benign", path).stdout
    assert "5 unlabelled texts" in text and "another giraffe" in text
    assert cli("--benign", path, "--max-rate", "0.4").exit_code == 0
    assert cli("--benign", path, "--max-rate", "0.3").exit_code == 1
