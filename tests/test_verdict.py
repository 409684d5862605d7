"""The pre-send verdict: send / rewrite first / wait, its factors, and what is good.

- each goods rule's own examples (must find / must not), like every rule's;
- the decision rules (wait beats rewrite beats send; an error never sends; crisis gets no
  style praise), on findings built by hand;
- the verdict first in the text output and as an object in JSON, through the CLI;
- the verdict on the fixed test split meets the floors in quality_floors.toml [verdict].
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from linter.api import get_linter, goods_engine, goods_vocabulary
from linter.cli import main
from linter.config import Settings
from linter.findings import Finding, Severity
from linter.quality.corpus import read_corpus
from linter.quality.verdicts import score_verdicts, verdicts_for
from linter.rules.loader import load_goods, load_vocabulary
from linter.verdict import REWRITE, SEND, WAIT, decide, split

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
FLOORS = tomllib.loads((REPO / "tests" / "quality_floors.toml").read_text(encoding="utf-8"))["verdict"]
GOODS = load_goods()


def _cases(kind: str):
    for rule in GOODS:
        for i, ex in enumerate(rule.flag_examples if kind == "flag" else rule.pass_examples):
            yield pytest.param(rule, ex, id=f"{rule.id}-{kind}{i}")


def test_every_goods_rule_has_examples_and_a_known_kind():
    kinds = goods_vocabulary()
    assert GOODS
    for rule in GOODS:
        assert rule.flag_examples and rule.pass_examples, rule.id
        assert rule.category in kinds, rule.id


@pytest.mark.parametrize("rule, example", list(_cases("flag")))
def test_goods_flag_example(rule, example):
    hits = [g for g in goods_engine(Settings()).lint(example.text) if g.rule == rule.id]
    assert len(hits) == 1, f"{rule.id}: expected one match on {example.text!r}, got {[h.text for h in hits]}"
    if example.span is not None:
        assert hits[0].text == example.span


@pytest.mark.parametrize("rule, example", list(_cases("pass")))
def test_goods_pass_example(rule, example):
    assert not [g.text for g in goods_engine(Settings()).lint(example.text) if g.rule == rule.id]


def _finding(category: str, severity: Severity = Severity.WARNING, start: int = 0, end: int = 5) -> Finding:
    return Finding(path=None, line=1, column=start + 1, end_line=1, end_column=end + 1, category=category, rule=f"{category}-rule", severity=severity, message="m", why="w", source="s", suggestion="t", text="x" * (end - start), start=start, end=end)


def test_wait_beats_rewrite_and_an_error_never_sends():
    assert decide([_finding("late-night"), _finding("pressure")]).decision == WAIT
    assert decide([_finding("pressure")]).decision == REWRITE
    # Even when the user lets warnings through, an error holds the draft back.
    assert decide([_finding("guilt-trip", Severity.ERROR)], threshold=None).decision == REWRITE
    assert decide([_finding("pressure")], threshold=Severity.ERROR).decision == SEND
    assert decide([]).decision == SEND


def test_crisis_waits_with_care_and_no_praise():
    good = _finding("short", Severity.INFO, 0, 20)
    verdict = decide([_finding("crisis", Severity.ERROR)], [good])
    assert verdict.decision == WAIT and verdict.reasons == ("crisis",)
    assert "help" in verdict.headline
    assert not verdict.goods


def test_goods_that_overlap_a_problem_or_are_cancelled_are_dropped():
    memory = _finding("shared-memory", Severity.INFO, 0, 10)
    assert not decide([_finding("hurt", start=30, end=40)], [memory]).goods  # cancelled by hurt
    assert not decide([_finding("monitoring", start=5, end=12)], [memory]).goods  # overlapping words
    assert [g.kind for g in decide([], [memory]).goods] == ["shared-memory"]


def test_factors_name_the_findings_behind_them():
    verdict = decide([_finding("pressure"), _finding("neediness", Severity.INFO, 10, 15)])
    levels = {f.name: (f.level, f.findings) for f in verdict.factors}
    assert levels["pressure"] == ("problem", ("pressure/pressure-rule",))
    assert levels["tone"] == ("note", ("neediness/neediness-rule",))
    assert levels["timing"] == ("ok", ())


@pytest.mark.parametrize("text", ["I need you to return my keys", "do you miss Denver?", "call me when you land"])
def test_precision_examples_are_good_to_send(text):
    (found, goods), = get_linter(Settings()).check_many([text])
    assert decide(found, goods).decision == SEND, found


def test_text_output_starts_with_the_verdict_and_what_is_good():
    runner = CliRunner()
    good = runner.invoke(main, ["--no-server", "-"], input="lol remember the goat at the petting zoo... it has its own instagram now\n")
    first, second = good.output.splitlines()[:2]
    assert first == "Good to send" and second.startswith("  good: short") and "a shared memory to answer" in second
    assert good.exit_code == 0
    bad = runner.invoke(main, ["--no-server", "-"], input="do you miss me? if you cared at all you'd answer\n")
    assert bad.output.splitlines()[0].startswith("Rewrite first: ") and "guilt-trip" in bad.output.splitlines()[0]
    assert bad.exit_code == 1


def test_json_carries_the_verdict_with_factors_and_goods():
    result = CliRunner().invoke(main, ["--no-server", "--format", "json", "-"], input="The arcade reopened and the pinball machine still eats quarters 😂\n")
    data = json.loads(result.output)
    verdict = data["verdict"]
    assert verdict["decision"] == "send"
    assert {f["name"] for f in verdict["factors"]} >= {"length", "opening", "asks", "tone", "pressure", "timing"}
    assert {g["kind"] for g in verdict["goods"]} >= {"short", "humour"}
    assert data["drafts"][0]["verdict"] == verdict and data["findings"] == []


def test_a_late_night_check_says_wait():
    result = CliRunner().invoke(main, ["--no-server", "--now", "2026-12-03T02:10", "--format", "json", "-"], input="the taco truck is back on 5th\n")
    assert json.loads(result.output)["verdict"]["decision"] == "wait"


def test_split_separates_goods_from_findings():
    found = [_finding("pressure"), _finding("short", Severity.INFO)]
    problems, goods = split(found)
    assert [f.category for f in problems] == ["pressure"] and [g.category for g in goods] == ["short"]


def test_verdict_floors_on_the_test_split():
    corpus = read_corpus(sorted((REPO / "corpus" / "test").glob("*.jsonl")), load_vocabulary())
    verdicts, errors = verdicts_for(get_linter(Settings()), corpus.examples, Settings().fail_on)
    report = score_verdicts(corpus.examples, verdicts, errors, goods_vocabulary()).to_dict(show=5)
    below = {name: (report[name]["rate"], floor) for name, floor in FLOORS.items() if report[name]["rate"] is None or report[name]["rate"] < floor}
    assert not below, f"verdict below its floors (rate, floor): {below}; misses: {[report[n]['misses'] for n in below]}"
