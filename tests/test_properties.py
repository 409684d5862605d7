"""Properties of linting that hold for any text (hypothesis, bounded).

- linting never crashes, on arbitrary unicode and on drafts assembled from corpus lines;
- every finding's offsets lie within the text, `text[start:end] == finding.text`, and its
  line/column pairs agree with the offsets (recomputed here independently of LineIndex);
- output is deterministic, and batching (`lint_many`) changes nothing;
- findings of line-scoped rules do not depend on the lines around them: adding unrelated
  lines before/after a draft moves them by the shift and changes nothing else. Rules
  backed by a draft-scoped check (length of the whole draft, a greeting-only draft) are
  exempt; that set is derived from the loaded rules.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.rules.checks import CHECKS

CORPUS_DIR = Path(__file__).resolve().parents[1] / "corpus"
# A few lines of their own, so the strategies work before the corpus exists.
FALLBACK_LINES = [
    "do you miss me?",
    "call me tonight or we're done",
    "The arcade reopened and the pinball machine still eats quarters 😂",
    "hey",
    "i cant stop thinking about u",
    "WHY WOULD YOU DO THIS",
]


def _corpus_lines() -> list[str]:
    lines: set[str] = set()
    for path in sorted(CORPUS_DIR.glob("*.jsonl")):
        for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                text = json.loads(raw).get("text")
            except (ValueError, AttributeError):
                continue  # malformed lines are test_quality's business
            if isinstance(text, str):
                lines.update(line for line in text.replace("\r", "\n").split("\n") if line.strip())
    return sorted(lines) or FALLBACK_LINES


CORPUS_LINES = _corpus_lines()

corpus_line = st.sampled_from(CORPUS_LINES)
# A draft as people write them: one to four corpus lines.
corpus_draft = st.lists(corpus_line, min_size=1, max_size=4).map("\n".join)
# Anything at all, newlines, emoji, combining marks and control characters included.
any_text = st.text(max_size=300)
# Mostly texting-like text: corpus lines with arbitrary unicode mixed in.
mixed_text = st.lists(st.one_of(corpus_line, st.text(max_size=40)), min_size=1, max_size=5).map("\n".join)
# A line that contains no line break (line breaks are what the rules are invariant over).
unrelated_line = st.one_of(corpus_line, st.text(max_size=60).map(lambda s: s.replace("\n", " ")))

bounded = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of an offset, by counting newlines."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def check_findings_agree_with_text(text: str, findings, categories) -> None:
    starts = [f.start for f in findings]
    assert starts == sorted(starts), "findings are not sorted by position"
    for f in findings:
        assert 0 <= f.start <= f.end <= len(text), (f.rule, f.start, f.end, len(text))
        assert text[f.start : f.end] == f.text, (f.rule, text[f.start : f.end], f.text)
        assert (f.line, f.column) == position(text, f.start), (f.rule, f.line, f.column)
        assert (f.end_line, f.end_column) == position(text, f.end), (f.rule, f.end_line, f.end_column)
        assert f.category in categories, f.category


@pytest.fixture(scope="module")
def draft_scoped(engine) -> set[str]:
    """Rule ids whose findings depend on the whole draft (exempt from line invariance)."""
    return {r.id for r in engine.rules if r.check and CHECKS[r.check].scope == "draft"}


@bounded
@given(text=st.one_of(any_text, mixed_text, corpus_draft))
def test_findings_agree_with_the_text(engine, vocabulary, text):
    check_findings_agree_with_text(text, engine.lint(text), vocabulary)


@settings(bounded, max_examples=40)
@given(texts=st.lists(st.one_of(corpus_draft, mixed_text), min_size=1, max_size=4))
def test_deterministic_and_batch_independent(engine, texts):
    once = [engine.lint(t) for t in texts]
    again = [engine.lint(t) for t in texts]
    batched = list(engine.lint_many(texts))
    assert once == again
    assert batched == once


@bounded
@given(draft=corpus_draft, before=st.lists(unrelated_line, max_size=3), after=st.lists(unrelated_line, max_size=3))
def test_line_findings_ignore_surrounding_lines(engine, draft_scoped, draft, before, after):
    alone = [f for f in engine.lint(draft) if f.rule not in draft_scoped]
    shift_lines = len(before)
    shift_chars = sum(len(line) + 1 for line in before)
    combined = "\n".join([*before, draft, *after])
    first, last = shift_lines + 1, shift_lines + draft.count("\n") + 1

    def key(f, lines: int = 0, chars: int = 0) -> tuple:
        return (f.rule, f.category, f.message, f.start + chars, f.end + chars, f.line + lines, f.column, f.end_line + lines, f.end_column, f.text)

    inside = [f for f in engine.lint(combined) if f.rule not in draft_scoped and first <= f.line <= last]
    assert sorted(key(f) for f in inside) == sorted(key(f, shift_lines, shift_chars) for f in alone)



@settings(max_examples=300, deadline=None)
@given(text=st.one_of(any_text, mixed_text, st.text(alphabet=".!?\n\r\u2028 ab'\u201d)", max_size=60)))
def test_too_long_shortcut_bounds_the_sentence_count(text):
    """too_long skips counting when lines + terminal marks <= the limit: that sum must
    bound what count_sentences would say, for any text."""
    from linter.rules.checks import count_sentences

    assert count_sentences(text) <= len(text.splitlines()) + text.count(".") + text.count("!") + text.count("?")
