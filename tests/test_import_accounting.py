"""Every entry of an export is counted once: a message, a system line or a skip."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from linter.chats import ChatImportError, load_chat
from linter.cli import main

CHAT = (
    "12/31/23, 10:00 - Sam: hey\n"
    "this is not a header, only the second line of Sam's message\n"
    "12/31/23, 10:05 - Alex: hi\n"
)


def test_counts_add_up_to_the_entries(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text(CHAT + "\x00\x01 garbage\n", encoding="utf-8")
    chat = load_chat(path)
    messages = list(chat)
    assert chat.entries == chat.messages_read + len(chat.system_lines) + len(chat.skipped)
    assert chat.messages_read == len(messages) == 2


def test_strict_makes_a_skip_fatal(tmp_path):
    path = tmp_path / "chat.json"
    path.write_text(json.dumps({"name": "Sam", "type": "personal_chat", "id": 1, "messages": [
        {"id": 1, "type": "message", "date": "2023-12-31T10:00:00", "from": "Sam", "text": "hey"},
        {"id": 2, "type": "message", "date": "not a date", "from": "Sam", "text": "hi"},
    ]}), encoding="utf-8")
    assert len(list(load_chat(path))) == 1
    with pytest.raises(ChatImportError, match="--strict"):
        list(load_chat(path, strict=True))
    result = CliRunner().invoke(main, ["review", str(path), "--me", "Sam", "--strict"])
    assert result.exit_code == 2
    assert "--strict" in result.output


def test_json_report_carries_the_totals(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text(CHAT, encoding="utf-8")
    result = CliRunner().invoke(main, ["review", str(path), "--me", "Alex", "--format", "json"])
    summary = json.loads(result.output)["summary"]
    assert summary["entries"] == summary["messages_read"] + summary["system_lines"] + summary["skipped"]
    assert summary["messages_read"] == 2


def test_a_sqlite_file_that_is_not_chat_db_is_named_for_what_it_is(tmp_path):
    import sqlite3

    path = tmp_path / "notes.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    with pytest.raises(ChatImportError, match="a SQLite database, but not one this tool reads"):
        load_chat(path)
