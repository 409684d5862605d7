"""Reading a chat export is bounded line by line: a line far longer than any message is one
clear line (exit 2) after reading about a megabyte of it, never the whole line in memory,
and an over-long CSV field is a counted skip that takes no other row with it."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from linter.chats import ChatImportError, load_chat
from linter.chats.common import MAX_LINE
from linter.cli import main

MB = 1_000_000
# Far below the 50 MB and 10 MB lines: what reading one capped line may take.
PEAK_LIMIT = 8 * MB


def _write(path: Path, head: str, huge: str, tail: str) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(head)
        fh.write(huge)
        fh.write(tail)
    return path


def _peak(fn) -> tuple[object, int]:
    """What `fn()` returned (or raised), and the peak of Python allocations while it ran."""
    tracemalloc.start()
    try:
        try:
            out: object = fn()
        except ChatImportError as exc:
            out = exc
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _import(path: Path, fmt: str | None = None) -> list:
    return list(load_chat(path, fmt))


@pytest.fixture(scope="module")
def whatsapp_50mb(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("huge") / "WhatsApp Chat with Alex.txt"
    return _write(path, "12/31/23, 10:00 - Sam: hey\n12/31/23, 10:01 - Alex: ", "ha" * (25 * MB), "\n12/31/23, 10:02 - Sam: bye\n")


def test_a_50_mb_line_in_a_whatsapp_export_is_one_line_with_bounded_memory(whatsapp_50mb):
    out, peak = _peak(lambda: _import(whatsapp_50mb))
    assert isinstance(out, ChatImportError)
    assert str(out).count("\n") == 0 and "line 2 " in str(out) and f"{MAX_LINE:,} characters" in str(out)
    assert peak < PEAK_LIMIT, f"reading the export took {peak:,} bytes at its peak"


def test_review_of_that_export_exits_2_with_one_line(whatsapp_50mb):
    result = CliRunner().invoke(main, ["review", str(whatsapp_50mb), "--me", "Sam"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("msglint: error: ") and "line 2 " in line and "Traceback" not in result.stderr


@pytest.mark.parametrize("fmt, head, tail", [
    ("jsonl", '{"sender": "Sam", "text": "hey"}\n{"sender": "Alex", "text": "', '"}\n'),
    ("text", "hey\n\n", "\n\nbye\n"),
    ("csv", "timestamp,sender,text\n2023-12-31 10:00,Sam,hey\n2023-12-31 10:01,Alex,", "\n"),
], ids=["jsonl", "text", "csv-unquoted"])
def test_every_line_reader_stops_at_the_line_cap(tmp_path, fmt, head, tail):
    path = _write(tmp_path / f"chat.{fmt}", head, "x" * (10 * MB), tail)
    out, peak = _peak(lambda: _import(path, fmt))
    assert isinstance(out, ChatImportError), out
    assert "is over 1,048,576 characters" in str(out)
    assert peak < PEAK_LIMIT, f"{fmt}: reading took {peak:,} bytes at its peak"


def test_a_10_mb_quoted_csv_field_over_many_lines_is_counted_and_merges_nothing(tmp_path):
    # Lines under the line cap, so only the csv module's own field limit can stop it.
    field = ("x" * 99_999 + "\n") * 100
    path = _write(tmp_path / "chat.csv", "timestamp,sender,text\n2023-12-31 10:00,Sam,hey\n2023-12-31 10:01,Alex,\"", field, "end\"\n2023-12-31 10:02,Sam,bye\n")
    chat = load_chat(path)
    out, peak = _peak(lambda: [(m.sender, m.text) for m in chat])
    assert out == [("Sam", "hey"), ("Sam", "bye")]
    assert chat.skipped and chat.skipped[0].line == 3 and "field limit" in chat.skipped[0].reason
    # Every physical line of the field is accounted for, none became part of a message.
    assert chat.entries == chat.messages_read + len(chat.system_lines) + len(chat.skipped)
    assert peak < PEAK_LIMIT, f"reading took {peak:,} bytes at its peak"


def test_a_long_message_under_the_cap_is_read_whole(tmp_path):
    text = "word " * 150_000  # 750,000 characters: long, but a line an app could write
    path = _write(tmp_path / "chat.txt", "12/31/23, 10:00 - Sam: hey\n12/31/23, 10:01 - Alex: ", text, "\n12/31/23, 10:02 - Sam: bye\n")
    chat = load_chat(path)
    assert [(m.sender, len(m.text)) for m in chat] == [("Sam", 3), ("Alex", len(text.rstrip())), ("Sam", 3)]
    assert chat.skipped == []


def test_a_line_of_exactly_the_cap_is_read_and_one_more_character_is_not(tmp_path):
    row = '{"sender": "Alex", "text": "' + "y" * (MAX_LINE - 30) + '"}'
    assert len(row) == MAX_LINE
    bye = json.dumps({"sender": "Sam", "text": "bye"})
    path = _write(tmp_path / "chat.jsonl", "", row, "\n" + bye + "\n")
    assert [len(m.text) for m in load_chat(path, "jsonl")] == [MAX_LINE - 30, 3]
    path = _write(tmp_path / "chat.jsonl", "", row + " ", "\n" + bye + "\n")
    with pytest.raises(ChatImportError, match="line 1 is over"):
        list(load_chat(path, "jsonl"))


@pytest.mark.parametrize("module, name, document", [
    ("telegram", "result.json", {"name": "Alex", "type": "personal_chat", "id": 1, "messages": [{"id": 1, "type": "message", "date": "2024-01-02T10:00:00", "from": "Sam", "text": "hi"}]}),
    ("discord", "dm.json", {"guild": {"name": "Direct Messages"}, "channel": {"name": "sam"}, "messages": [{"id": "1", "type": "Default", "timestamp": "2024-01-02T10:00:00+00:00", "content": "hi", "author": {"id": "9", "name": "sam"}}]}),
])
def test_a_json_export_parsed_whole_is_refused_past_its_cap_before_parsing(tmp_path, monkeypatch, module, name, document):
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    assert [m.text for m in load_chat(path, module)] == ["hi"]
    monkeypatch.setattr(f"linter.chats.{module}.MAX_BYTES", path.stat().st_size - 1)
    # Not parsed at all past the cap: json.load would take several times the file.
    monkeypatch.setattr("linter.chats.common.json.load", lambda *a, **k: pytest.fail("parsed an export over its cap"))
    with pytest.raises(ChatImportError, match="is more than the"):
        list(load_chat(path, module))
