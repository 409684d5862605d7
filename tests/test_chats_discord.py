"""DiscordChatExporter TXT and CSV imports, and wrong-typed entries in Discord JSON and
generic CSV/JSONL: every entry is one message, system line or counted skip, never a crash."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.chats import ChatImportError, SystemLine, load_chat
from linter.chats.discord import DiscordJsonParser
from linter.chats.tabular import JsonlParser

FIXTURES = Path(__file__).parent / "fixtures" / "chats" / "discord"
RULE = "=" * 62


def load(path, input_format=None, **kwargs):
    chat = load_chat(path, input_format, **kwargs)
    return chat, list(chat)


def assert_counts_add_up(chat, msgs, entries):
    assert chat.messages_read == len(msgs)
    assert chat.entries == chat.messages_read + len(chat.system_lines) + len(chat.skipped) == entries


def txt_export(*blocks: str, footer: int | None = None) -> str:
    """A TXT export as the exporter writes it: the block, then each message block."""
    text = f"{RULE}\nGuild: G\nChannel: Text Channels / c\n{RULE}\n\n" + "".join(blocks)
    if footer is not None:
        text += f"{RULE}\nExported {footer} message(s)\n{RULE}\n"
    return text


# ---------------------------------------------------------------- TXT


def test_txt_export_is_read_not_taken_for_whatsapp():
    chat, msgs = load(FIXTURES / "book_club.txt")
    assert chat.format == "discord"
    assert [(m.source_line, m.sender, m.text) for m in msgs] == [
        (8, "sam", "hey, did you finish the book?"),
        (12, "alex", "not yet\nI'm on chapter 3\n\nand it's slow"),
        (19, "alex", ""),
        (26, "sam", "look at this"),
        (42, "sam", "remember: chapter 4 by friday"),
        (54, "alex", ""),
        (61, "sam", "my notes so far:\n\n[note] this line is part of the message\n12:30 pm: the end"),
    ]
    # "1/14/2024 9:05 PM": the 14 proves month-first, and PM is afternoon.
    assert msgs[0].sent_at == datetime(2024, 1, 14, 21, 5)
    assert msgs[4].sent_at == datetime(2024, 1, 15, 10, 1)
    by_line = {m.source_line: m for m in msgs}
    assert by_line[19].meta["media"] is True and by_line[19].meta["media_kinds"] == ["attachments"]
    assert by_line[54].meta["media_kinds"] == ["stickers"]
    assert by_line[26].meta["reactions"] == "👍 (2) ❤️"
    assert by_line[42].meta["pinned"] is True and "pinned" not in by_line[8].meta
    assert by_line[8].meta["chat"] == "Book Club / Text Channels / general"
    assert [(s.line, s.kind) for s in chat.system_lines] == [(38, "member joined"), (46, "message pinned"), (50, "call")]
    assert chat.skipped == [] and chat.notes == []
    assert_counts_add_up(chat, msgs, 10)  # the footer's "Exported 10 message(s)"


def test_txt_old_default_dates_and_discriminators():
    chat, msgs = load(FIXTURES / "old_default.txt")
    assert [(m.sender, m.sent_at, m.text) for m in msgs] == [
        ("river#4821", datetime(2021, 3, 5, 23, 58), "are you awake"),
        ("lake#0912", datetime(2021, 3, 6, 0, 1), "yes"),  # 12:01 AM is just after midnight
        ("lake#0912", datetime(2021, 3, 6, 0, 3), ""),
    ]
    assert msgs[1].meta["reactions"] == "😂 (2)" and msgs[2].meta["media"] is True
    assert_counts_add_up(chat, msgs, 3)


def test_txt_can_be_iterated_twice_with_the_same_result():
    chat = load_chat(FIXTURES / "book_club.txt")
    first = [(m.source_line, m.text, m.sent_at) for m in chat]
    first_system = list(chat.system_lines)
    assert [(m.source_line, m.text, m.sent_at) for m in chat] == first
    assert chat.system_lines == first_system and chat.entries == 10


def test_txt_day_first_is_proved_by_the_file(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text(txt_export("[02/01/2024 15:04] a\nhi\n\n\n", "[13/01/2024 09:00] b\nyo\n\n\n"))
    chat, msgs = load(path)
    assert [m.sent_at for m in msgs] == [datetime(2024, 1, 2, 15, 4), datetime(2024, 1, 13, 9, 0)]
    assert chat.notes == []


def test_txt_ambiguous_dates_are_assumed_and_noted(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text(txt_export("[1/2/2024 3:04 PM] a\nhi\n\n\n"))
    chat, msgs = load(path)
    assert msgs[0].sent_at == datetime(2024, 1, 2, 15, 4)  # AM/PM: US month-first
    assert len(chat.notes) == 1 and "month-first" in chat.notes[0] and "1/2/2024 3:04 PM" in chat.notes[0]
    path.write_text(txt_export("[01.02.2024 15:04] a\nhi\n\n\n"))
    chat, msgs = load(path)
    assert msgs[0].sent_at == datetime(2024, 2, 1, 15, 4)
    assert "day-first" in chat.notes[0]


def test_txt_iso_and_year_first_dates(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text(txt_export("[2024-01-02 15:04] a\nhi\n\n\n", "[2024/01/03 16:05:06] b\nyo\n\n\n"))
    chat, msgs = load(path)
    assert [m.sent_at for m in msgs] == [datetime(2024, 1, 2, 15, 4), datetime(2024, 1, 3, 16, 5, 6)]
    assert chat.notes == []


@pytest.mark.parametrize("written", [
    "02-Jan-23 03:04 PM",  # the old default, dd-MMM-yy hh:mm tt
    "Jan 2, 2023 3:04 PM",
    "1/2/2023 3:04 PM",  # en-US "g": AM/PM, so month-first
    "02/01/2023 15:04",  # en-GB / fr-FR "g": no AM/PM, so day-first
    "2.1.2023 15:04",  # de-DE
    "2023-01-02 15:04",  # sv-SE
    "2023/01/02 15:04",  # ja-JP
])
def test_txt_dates_in_the_exporters_cultures(tmp_path, written):
    path = tmp_path / "c.txt"
    path.write_text(txt_export(f"[{written}] a\nhi\n\n\n"))
    [msg] = load_chat(path)
    assert msg.sent_at == datetime(2023, 1, 2, 15, 4)


def test_txt_bad_date_in_the_files_shape_is_a_counted_skip(tmp_path):
    # Same shape as the other headers, impossible date: a damaged header, not content.
    path = tmp_path / "c.txt"
    path.write_text(txt_export("[1/14/2024 9:05 PM] a\nhi\n\n\n", "[13/45/2024 9:06 PM] b\nyo\n\n\n"))
    chat, msgs = load(path)
    assert [m.text for m in msgs] == ["hi"]
    assert [(s.line, s.reason) for s in chat.skipped] == [(10, "unparseable timestamp")]
    assert_counts_add_up(chat, msgs, 2)
    with pytest.raises(ChatImportError, match="--strict"):
        list(load_chat(path, strict=True))


def test_txt_footer_that_disagrees_is_noted_and_stray_lines_counted(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text(txt_export("stray line before any message\n\n", "[1/14/2024 9:05 PM] a\nhi\n\n\n", footer=3))
    chat, msgs = load(path)
    assert [(s.line, s.reason) for s in chat.skipped] == [(6, "not a message line")]
    assert chat.notes == ["the export's footer counts 3 message(s); 1 were found"]
    assert_counts_add_up(chat, msgs, 2)


def test_txt_system_lines_are_never_fatal_under_strict():
    chat = load_chat(FIXTURES / "book_club.txt", strict=True)
    assert len(list(chat)) == 7 and len(chat.system_lines) == 3


def test_txt_empty_message_without_media_is_skipped(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text(txt_export("[1/14/2024 9:05 PM] a\n\n\n\n", "[1/14/2024 9:06 PM] b\nok\n\n\n"))
    chat, msgs = load(path)
    assert [(s.line, s.reason) for s in chat.skipped] == [(6, "empty message")]
    assert_counts_add_up(chat, msgs, 2)


# ---------------------------------------------------------------- CSV


def test_csv_export_is_read_as_discord():
    chat, msgs = load(FIXTURES / "book_club.csv")
    assert chat.format == "discord"
    assert [(m.source_line, m.sender, m.text) for m in msgs] == [
        (2, "sam", "hey, did you finish the book?"),
        (3, "alex", "not yet\nI'm on chapter 3"),  # multi-line quoted field, CRLF file
        (5, "alex", ""),
        (7, "sam", 'remember "chapter 4"'),
    ]
    assert msgs[0].sent_at == datetime(2024, 1, 14, 21, 5)  # 14/01: day-first, proved
    assert msgs[2].meta["media"] is True and msgs[0].meta["author_id"] == "111"
    assert msgs[3].meta["reactions"] == "👍 (2),❤️ (1)"
    assert [(s.line, s.kind) for s in chat.system_lines] == [(6, "member joined")]
    assert [(s.line, s.reason) for s in chat.skipped] == [
        (8, "unparseable timestamp"), (9, "empty message"), (10, "row has 4 fields, the header has 6"),
    ]
    assert_counts_add_up(chat, msgs, 8)


def test_csv_export_without_csv_extension_and_with_a_bom(tmp_path):
    path = tmp_path / "export.txt"
    path.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "book_club.csv").read_bytes())
    chat, msgs = load(path)
    assert chat.format == "discord" and len(msgs) == 4


def test_explicit_discord_format_on_something_else_is_one_line(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\n")
    with pytest.raises(ChatImportError) as info:
        load_chat(path, "discord")
    assert "not a DiscordChatExporter export" in str(info.value) and "\n" not in str(info.value)


# ---------------------------------------------------------------- JSON entries of the wrong type


def _entry(**overrides):
    entry = {"id": "1", "type": "Default", "timestamp": "2024-01-14T21:05:00+00:00",
             "content": "hi", "author": {"id": "9", "name": "sam"}, "attachments": []}
    entry.update(overrides)
    return {key: value for key, value in entry.items() if value is not ...}


WRONG_JSON = [
    (_entry(), None),
    ("a bare string", "not a message object (a string)"),
    (_entry(content=5), "content is a number, not a string"),
    (_entry(content=["hi"]), "content is a list, not a string"),
    (_entry(content=...), "missing content field"),
    (_entry(timestamp=True), "timestamp is a boolean, not a date string"),
    (_entry(timestamp=1705266300), "timestamp is a number, not a date string"),
    (_entry(timestamp=...), "missing timestamp field"),
    (_entry(timestamp="yesterday"), "unparseable timestamp"),
    (_entry(author="sam"), "author is a string, not an object"),
    (_entry(author=...), "missing author field"),
    (_entry(author={"name": 7}), "author name is a number, not a string"),
    (_entry(author={"name": "sam", "nickname": {"x": 1}}), "author nickname is an object, not a string"),
    (_entry(type=3), "type is a number, not a string"),
    (_entry(attachments="pic.png"), "attachments is a string, not a list"),
    (_entry(reference="123"), "reference is a string, not an object"),
    (_entry(content=""), "empty message"),
]


def test_discord_json_wrong_types_are_counted_skips(tmp_path):
    path = tmp_path / "c.json"
    entries = [entry for entry, _ in WRONG_JSON]
    entries.append(_entry(type="ChannelPinnedMessage", content=None))
    entries.append(_entry(type="GuildBoostTier1", content=""))
    path.write_text(json.dumps({"guild": {"name": "G"}, "channel": {"name": "c"}, "messages": entries}))
    chat, msgs = load(path)
    assert [m.source_line for m in msgs] == [1]
    assert [(s.line, s.reason) for s in chat.skipped] == [
        (i, reason) for i, (_, reason) in enumerate(WRONG_JSON, 1) if reason is not None
    ]
    assert [(s.line, s.kind) for s in chat.system_lines] == [
        (len(WRONG_JSON) + 1, "message pinned"), (len(WRONG_JSON) + 2, "guild boost tier1"),
    ]
    assert_counts_add_up(chat, msgs, len(entries))


def test_discord_json_keeps_only_plain_meta_values(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"guild": {}, "channel": {}, "messages": [
        _entry(id={"nested": True}, reference={"messageId": ["x"]}, timestampEdited="2024-01-14T22:00:00Z"),
    ]}))
    [msg] = load_chat(path)
    assert "id" not in msg.meta and "reply_to" not in msg.meta
    assert msg.meta["edited_at"] == "2024-01-14T22:00:00Z"


# ---------------------------------------------------------------- JSONL/CSV rows of the wrong type


WRONG_ROWS = [
    ({"time": "2024-03-01T09:00:00", "from": "Sam", "text": "fine"}, None),
    ({"time": "2024-03-01T09:00:00", "from": "Sam", "text": 42}, "text is a number, not a string"),
    ({"time": "2024-03-01T09:00:00", "from": "Sam", "text": None}, "text is null, not a string"),
    ({"time": "2024-03-01T09:00:00", "from": "Sam", "text": ["a"]}, "text is a list, not a string"),
    ({"time": "2024-03-01T09:00:00", "from": "Sam", "text": {"a": 1}}, "text is an object, not a string"),
    ({"time": "2024-03-01T09:00:00", "from": "Sam", "text": True}, "text is a boolean, not a string"),
    ({"time": True, "from": "Sam", "text": "x"}, "timestamp is a boolean, not a date"),
    ({"time": [2024, 3, 1], "from": "Sam", "text": "x"}, "timestamp is a list, not a date"),
    ({"time": {"y": 2024}, "from": "Sam", "text": "x"}, "timestamp is an object, not a date"),
    ({"time": 10 ** 400, "from": "Sam", "text": "x"}, "bad timestamp"),
    ({"time": "2024-03-01T09:00:00", "from": 15551234, "text": "x"}, "sender is a number, not a string"),
    ({"time": "2024-03-01T09:00:00", "from": None, "text": "x"}, "sender is null, not a string"),
    ({"time": "2024-03-01T09:00:00", "from": ["Sam"], "text": "x"}, "sender is a list, not a string"),
    ({"time": "2024-03-01T09:00:00", "from": "Sam"}, "missing text field"),
    ({"time": "2024-03-01T09:00:00", "from": "Sam", "text": "   "}, "empty text"),
]


def test_jsonl_wrong_types_are_counted_skips(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row, _ in WRONG_ROWS) + "[1, 2]\n")
    chat, msgs = load(path)
    assert [(m.source_line, m.text) for m in msgs] == [(1, "fine")]
    got = [(s.line, s.reason.split(":")[0]) for s in chat.skipped]
    expected = [(i, reason) for i, (_, reason) in enumerate(WRONG_ROWS, 1) if reason is not None]
    assert got == expected + [(len(WRONG_ROWS) + 1, "not a JSON object")]
    assert_counts_add_up(chat, msgs, len(WRONG_ROWS) + 1)


def test_jsonl_explicit_missing_column_is_named(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"msg": "x"}) + "\n" + json.dumps({"msg": "y", "who": "Sam"}) + "\n")
    chat, msgs = load(path, columns={"text": "msg", "sender": "who"})
    assert [(s.line, s.reason) for s in chat.skipped] == [(1, "missing sender field")]
    assert_counts_add_up(chat, msgs, 2)


def test_csv_counts_add_up_with_bad_rows(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text('timestamp,sender,text\n2024-01-01 10:00,a,hi\n\n2024-01-01 10:01,b\n"x,y\n')
    chat, msgs = load(path)
    assert [m.text for m in msgs] == ["hi"]
    assert [(s.line, s.reason.split(":")[0]) for s in chat.skipped] == [
        (4, "row has 2 fields, the header has 3"), (5, "malformed CSV row"),
    ]
    assert_counts_add_up(chat, msgs, 3)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_FIELDS = ["id", "type", "timestamp", "content", "author", "attachments", "stickers", "embeds", "reference"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.dictionaries(st.sampled_from(_FIELDS), _JSON, max_size=6) | _JSON, max_size=6))
def test_any_discord_json_entries_give_one_item_each(tmp_path, entries):
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps({"guild": {}, "channel": {}, "messages": entries}))
    items = list(DiscordJsonParser(path))
    assert len(items) == len(entries)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.dictionaries(st.sampled_from(["time", "from", "text", "x"]), _JSON, max_size=4), max_size=6))
def test_any_jsonl_rows_give_one_item_each(tmp_path, rows):
    path = tmp_path / "fuzz.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    items = list(JsonlParser(path))
    assert len(items) == len(rows)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([
    "[1/14/2024 9:05 PM] a", "[13/45/2024 9:05 PM] b", "hello", "", "{Attachments}", "{Reactions}",
    "https://x/y.png", RULE, "Exported 2 message(s)", "Joined the server.", "[note] x",
]), max_size=30))
def test_any_txt_body_gives_counted_items(tmp_path, lines):
    path = tmp_path / "fuzz.txt"
    path.write_text(txt_export("\n".join(lines) + "\n"))
    chat = load_chat(path, "discord")
    msgs = list(chat)
    assert chat.entries == len(msgs) + len(chat.system_lines) + len(chat.skipped)
    assert all(not isinstance(m, SystemLine) for m in msgs)
