"""The text output: findings on the same words folded into one block, never under a
whole-draft finding; every finding still counted and still in JSON."""

from __future__ import annotations

import json

from click.testing import CliRunner

from linter.cli import main
from linter.findings import Finding, Severity
from linter.formats.text import folded

DRAFT = "do you miss me? if you cared at all you'd answer\n"


def _f(category: str, start: int, end: int, severity: Severity = Severity.WARNING, text: str | None = None) -> Finding:
    return Finding(path="d", line=1, column=start + 1, end_line=1, end_column=end + 1, category=category, rule=f"{category}-rule", severity=severity, message="m", why="w", source="s", suggestion="t", text=text if text is not None else "x" * (end - start), start=start, end=end)


def test_rules_on_the_same_words_are_one_block_with_the_others_also():
    out = CliRunner().invoke(main, ["--no-server", "-"], input=DRAFT).output
    blocks = [b for b in out.split("\n\n") if b.startswith("<stdin>:")]
    guilt = [b for b in blocks if "guilt-trip/if-you-cared" in b]
    assert len(guilt) == 1 and "    also: pressure/guilts-them-into-replying: " in guilt[0]
    assert not any(b.startswith("<stdin>:1:37:") for b in blocks)  # no block of its own
    assert "Found 3 problems" in out
    found = json.loads(CliRunner().invoke(main, ["--no-server", "--format", "json", "-"], input=DRAFT).output)["findings"]
    assert {f["category"] for f in found} >= {"guilt-trip", "pressure", "miss-me"}


def test_the_more_serious_finding_leads_its_group():
    groups = folded([_f("pressure", 10, 20), _f("guilt-trip", 15, 30, Severity.ERROR), _f("miss-me", 40, 45)])
    assert [(head.category, [o.category for o in also]) for head, also in groups] == [("guilt-trip", ["pressure"]), ("miss-me", [])]


def test_a_whole_draft_finding_neither_folds_nor_is_folded():
    text = "a" * 50
    groups = folded([_f("length", 0, 50, text=text), _f("pressure", 10, 20), _f("hurt", 30, 35)], {"d": text})
    assert [(head.category, len(also)) for head, also in groups] == [("length", 0), ("pressure", 0), ("hurt", 0)]
