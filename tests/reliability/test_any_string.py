"""Any Python string can be linted: lone surrogates, NULs, control characters, bidi
overrides, piles of combining marks, one endless word. Findings point into the text."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import linter
from linter.cli import main
from linter.messages import Message, clean_text

# Every code point, surrogates included (hypothesis leaves them out unless told).
ANY_CHAR = st.characters(codec=None, exclude_categories=())
SURROGATE = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
# Text with a realistic share of words the rules react to, among hostile characters.
HOSTILE = st.lists(st.one_of(st.text(ANY_CHAR, max_size=12), st.sampled_from(["do you miss me?", "\n", " ", "CALL ME NOW", "\ud83d", "\x00", "\u202e"]), st.text(SURROGATE, max_size=3)), max_size=12).map("".join)

SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _check_findings(text: str, found) -> None:
    shown = clean_text(text)
    for f in found:
        assert 0 <= f.start <= f.end <= len(text)
        assert f.text == shown[f.start : f.end]
        f.text.encode("utf-8")  # every finding can be printed and sent over the socket
        assert f.line == shown.count("\n", 0, f.start) + 1
        assert f.column == f.start - (shown.rfind("\n", 0, f.start) + 1) + 1


@given(st.text(ANY_CHAR))
@settings(max_examples=500)
def test_clean_text_keeps_every_offset_and_always_encodes(text):
    cleaned = clean_text(text)
    assert len(cleaned) == len(text)
    cleaned.encode("utf-8")
    assert all(a == b or (0xD800 <= ord(a) <= 0xDFFF and b == "\ufffd") for a, b in zip(text, cleaned))


def test_clean_text_returns_ordinary_text_itself():
    for text in ("do you miss me?", "i’m sorry 💔", ""):
        assert clean_text(text) is text


@given(HOSTILE)
@SLOW
def test_lint_takes_any_string(text):
    _check_findings(text, linter.lint(text))


@given(st.lists(HOSTILE, max_size=6))
@SLOW
def test_lint_many_takes_any_strings(texts):
    results = list(linter.lint_many(texts))
    assert len(results) == len(texts)
    for text, found in zip(texts, results):
        _check_findings(text, found)


def test_surrogates_from_json_escapes_are_linted_in_place():
    text = json.loads('"do you miss me \\ud83d? \\udc00"')
    found = linter.lint(text)
    assert [f.category for f in found] == ["miss-me"]
    assert (found[0].start, found[0].text) == (3, "you miss me")


@pytest.mark.parametrize(
    "text",
    [
        "hey\x00 do you miss me?\x00",
        "".join(map(chr, range(32))) + "\x7f\x85 do you miss me?",
        "\u202edo you miss me?\u202c \u2066x\u2069 \u200f",
        "a" + "\u0301" * 10_000 + " do you miss me?",
        "x" * 100_000,
        "\u2028do you miss me?\u2029\ufeff\ufffe\uffff\U0010ffff",
        "\ud83d" * 5000 + "\n" + "\udfff do you miss me?",
        ("do you miss me? " * 3000).replace(" ", "\u0301 "),
    ],
    ids=["nul", "control", "bidi", "combining", "one-word", "separators", "surrogates", "marks-everywhere"],
)
def test_hostile_strings_are_linted(text):
    _check_findings(text, linter.lint(text))


def test_messages_are_cleaned_on_construction():
    m = Message("miss you \ud83d", sender="Sam\udc80")
    assert (m.text, m.sender) == ("miss you \ufffd", "Sam\ufffd")
    assert Message("plain").text == "plain"


@given(st.binary(max_size=300))
@settings(max_examples=100, deadline=None)
def test_the_command_line_takes_any_bytes_on_stdin(data):
    result = CliRunner().invoke(main, ["-", "--no-server", "--format", "json", "--now", "2026-11-23T12:00"], input=data)
    assert result.exit_code in (0, 1, 2), result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("msglint: error: ")
    json.loads(result.stdout)  # the JSON format answers even when the input was refused
