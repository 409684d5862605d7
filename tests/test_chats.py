"""Chat-export importers: real-format samples from other projects, plus small hand-made fixtures."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

import pytest

from linter.chats import FORMATS, ChatImport, ChatImportError, ConversationChoice, Skipped, SystemLine, detect_format, load_chat
from linter.messages import Message

from conftest import SHARED, needs_shared

CORPUS = SHARED / "corpus-real" / "chats"
FIXTURES = Path(__file__).parent / "fixtures" / "chats"
UTC = timezone.utc

needs_corpus = needs_shared("corpus-real", "chats")

# path, format, count in SOURCES.md (messages + system/service entries), real messages,
# senders, reasons of the skipped entries and "system: KIND" of the system lines. A source
# of several conversations is read with the one CHOSEN names, and its row counts that one.
SAMPLES = [
    ("discord/chatanalytics__DM_2A_2M.json", "discord", 3, 2, {"Someones nickname", "mlomb"},
     ["system: call"]),
    ("discord/chatanalytics__GC_3A_5M.json", "discord", 6, 3, {"lombi", "mlomb", "theplant"},
     ["system: call", "system: channel icon changed", "system: channel renamed"]),
    ("discord/chatanalytics__SV_5A_5M.json", "discord", 5, 5, {"Deleted User", "mlomb"}, []),
    ("discord/dcef__chill_talk.json", "discord", 6, 6, {"Adam", "Patrick", "RICK NITRO", "Thomas"}, []),
    ("discord/dcef__general.json", "discord", 35, 31, {"Adam", "Patrick", "Thomas"},
     ["system: member joined"] * 3 + ["system: thread created"]),
    ("discord/dcef__thread_thomas.json", "discord", 5, 5, {"Adam", "Patrick", "Thomas"}, []),
    ("imessage/imessage_exporter__txt_expectations.txt", "imessage", 9, 6, {"Me", "Sample Contact"},
     ["system: group change"] * 2 + ["system: shareplay"]),
    ("messenger/chatanalytics__2A_7M.json", "messenger", 7, 7, {"Alice", "Bob"}, []),
    ("messenger/chatminer__instagram_test_export.json", "messenger", 2, 2, {"Jane Doe", "John Doe"}, []),
    ("signal/chatminer__test_export.txt", "signal", 2, 2, {"Jane Doe", "John Doe"}, []),
    ("signal/signalexport__readme_example.md", "signal", 3, 3, {"Aya", "Jim", "Me"}, []),
    ("telegram/chatanalytics__DM_2A_7M.json", "telegram", 8, 6, {"Alice", "Bob"}, ["system: service: joined_telegram", "system: service: phone_call"]),
    ("telegram/chatminer__test_batch_export.json", "telegram", 2, 2, {"Author 1", "Author 2"}, []),
    ("telegram/chatminer__test_single_export.json", "telegram", 2, 2, {"Author 1", "Author 2"}, []),
    ("telegram/mehrdad__test_data.json", "telegram", 5, 5, {"علی", "فاطمه", "محمد"}, []),
    ("whatsapp/chatanalytics__2A_5M.txt", "whatsapp", 5, 5, {"A", "B"}, []),
    ("whatsapp/chatanalytics__4A_11M.txt", "whatsapp", 14, 11, {"Alice", "Bob", "Eve", "Mallory", "Trent"},
     ["system: encryption notice"] + ["system: group change"] * 2),
    *[
        (f"whatsapp/chatminer__test_{variant}.txt", "whatsapp", 9, 7,
         {"Jahn Doe", "John Doe", "John Doe 🤓", "John-John Doe", "🤓"}, ["system: group change"] * 2)
        for variant in ("[mmddyy]_24hrs", "ddmmyy_24hrs", "mmddyyyy_12hrs", "yyyymmdd_24hrs")
    ],
    ("whatsapp/pustur__header_format_catalog.txt", "whatsapp", 18, 17, {"Luke", "a"}, ["system: group change"]),
    # "Note System message on Android." is no notice WhatsApp writes: counted, not guessed.
    ("whatsapp/rbparser__sample.txt", "whatsapp", 7, 5, {"Alice", "Bob", "Charlie", "Jane Smith", "John Doe"},
     ["unrecognised system line"] * 2),
    *[
        (f"whatsapp/whatstk__{name}.txt", "whatsapp", count, count,
         {"+1 123 456 789", "Giuseppe", "John", "Mary"}, [])
        for name, count in (("lorem-2000", 2000), ("lorem", 500))
    ],
    ("whatsapp/whatstk__pokemon.txt", "whatsapp", 20, 18,
     {"Ash Ketchum", "Brock", "Jessie & James", "Meowth", "Misty", "Prof. Oak", "Raichu", "Wobbuffet"},
     ["system: encryption notice"] * 2),
]


CHOSEN = {"telegram/mehrdad__test_data.json": "Test Chat"}


@lru_cache(maxsize=None)
def _loaded(relative: str) -> tuple[ChatImport, tuple[Message, ...]]:
    chat = load_chat(CORPUS / relative, conversation=CHOSEN.get(relative))
    return chat, tuple(chat)


def messages(relative: str) -> tuple[Message, ...]:
    return _loaded(relative)[1]


def skipped(relative: str) -> list[Skipped]:
    return _loaded(relative)[0].skipped


def system(relative: str) -> list[SystemLine]:
    return _loaded(relative)[0].system_lines


def load_fixture(name: str, input_format: str | None = None, **kwargs) -> tuple[ChatImport, list[Message]]:
    chat = load_chat(FIXTURES / name, input_format, **kwargs)
    return chat, list(chat)


# ---------------------------------------------------------------- every real sample


@needs_corpus
def test_every_sample_is_in_the_table():
    on_disk = {
        str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*")
        if p.is_file() and p.name != "SOURCES.md" and "LICENSES" not in p.parts
    }
    assert on_disk == {row[0] for row in SAMPLES}


@needs_corpus
@pytest.mark.parametrize("relative, fmt, total, real, senders, reasons", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_sample_detected_counted_and_attributed(relative, fmt, total, real, senders, reasons):
    assert detect_format(CORPUS / relative) == fmt
    chat, msgs = _loaded(relative)
    assert chat.format == fmt
    assert chat.messages_read == len(msgs) == real
    assert chat.entries == total
    not_read = [s.reason for s in chat.skipped] + [f"system: {s.kind}" for s in chat.system_lines]
    assert sorted(not_read) == sorted(reasons)
    assert {m.sender for m in msgs} == senders
    kinds = {m.sent_at.tzinfo is not None for m in msgs if m.sent_at is not None}
    assert len(kinds) == 1, "naive and aware timestamps mixed in one import"
    assert all(isinstance(m.source_line, int) and m.source_line >= 1 for m in msgs)


@needs_corpus
def test_sample_can_be_iterated_twice_with_the_same_result():
    chat = load_chat(CORPUS / "whatsapp/whatstk__pokemon.txt")
    first = [(m.text, m.sender, m.sent_at, m.source_line) for m in chat]
    first_skipped = list(chat.skipped)
    second = [(m.text, m.sender, m.sent_at, m.source_line) for m in chat]
    assert first == second
    assert chat.skipped == first_skipped and chat.messages_read == 18


@needs_corpus
def test_line_formats_are_read_lazily():
    chat = load_chat(CORPUS / "whatsapp/whatstk__lorem-2000.txt")
    stream = iter(chat)
    next(stream)
    next(stream)
    assert chat.messages_read == 2  # the rest of the file has not been parsed yet


# ---------------------------------------------------------------- WhatsApp samples


@needs_corpus
def test_whatsapp_chatminer_variants_agree_on_every_message():
    # Same conversation in four header layouts (12 h Spanish a. m./p. m., D/M/Y, Y/M/D, [M/D/Y]).
    variants = [
        [(m.sender, m.text, m.sent_at) for m in messages(f"whatsapp/chatminer__test_{v}.txt")]
        for v in ("mmddyyyy_12hrs", "ddmmyy_24hrs", "yyyymmdd_24hrs", "[mmddyy]_24hrs")
    ]
    assert variants[0] == variants[1] == variants[2] == variants[3]
    first, empty, multi, colon = variants[0][:4]
    assert first == ("John Doe", "Lorem ipsum dolor sit amet.", datetime(2019, 1, 1, 11, 25))
    assert empty == ("John Doe", ".", datetime(2019, 1, 20, 11, 23))
    assert multi == ("Jahn Doe", "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero.",
                     datetime(2019, 1, 30, 20, 49))
    assert colon[1] == "Lorem ipsum : dolor sit amet."
    assert variants[0][-2][2] == datetime(2021, 12, 20, 12, 10)  # "12:10 p. m." is noon
    notices = system("whatsapp/chatminer__test_mmddyyyy_12hrs.txt")
    assert [(s.line, s.kind, s.text) for s in notices] == [
        (6, "group change", '+12 345 578 created group "Groupname"'),
        (7, "group change", "You were added"),
    ]


@needs_corpus
def test_whatsapp_pokemon_drops_e2e_notice_attributed_to_group_name():
    notices = system("whatsapp/whatstk__pokemon.txt")
    assert [(s.line, s.kind) for s in notices] == [(1, "encryption notice"), (2, "encryption notice")]
    assert notices[0].text.startswith("Messages and calls are end-to-end encrypted")
    msgs = messages("whatsapp/whatstk__pokemon.txt")
    assert (msgs[0].sender, msgs[0].text, msgs[0].sent_at) == ("Ash Ketchum", "Hey guys!",
                                                               datetime(2016, 8, 6, 13, 23))
    # The file's trailing empty line is not glued onto the last message.
    assert (msgs[-1].sender, msgs[-1].text, msgs[-1].source_line) == ("Wobbuffet", "Wo-bbu-ffet", 20)


@needs_corpus
def test_whatsapp_lorem_files_decide_date_order_from_evidence():
    lorem = messages("whatsapp/whatstk__lorem.txt")
    assert lorem[0].sent_at == datetime(2020, 1, 15, 2, 22, 56)  # [15-01-20 …]: day first
    assert lorem[0].text == "Nostrud exercitation magna id."  # export's trailing space removed
    assert lorem[2].sender == "+1 123 456 789"
    assert _loaded("whatsapp/whatstk__lorem.txt")[0].notes == []
    big = messages("whatsapp/whatstk__lorem-2000.txt")
    assert big[0].sent_at == datetime(2019, 4, 16, 2, 9) and big[-1].source_line == 2000


@needs_corpus
def test_whatsapp_us_android_layout_assumed_month_first_and_noted():
    msgs = messages("whatsapp/chatanalytics__4A_11M.txt")
    assert msgs[0].sent_at == datetime(2020, 12, 9, 23, 55)
    assert msgs[8].text == "👩🏻\u200d⚖️"  # ZWJ sequence intact: only direction marks are stripped
    notes = _loaded("whatsapp/chatanalytics__4A_11M.txt")[0].notes
    assert len(notes) == 1 and "month-first" in notes[0]
    notices = [(s.line, s.kind, s.text) for s in system("whatsapp/chatanalytics__4A_11M.txt")]
    assert notices[1:] == [(2, "group change", 'Alice created group "Some cool group chat"'),
                           (3, "group change", "Alice added you")]


@needs_corpus
def test_whatsapp_media_placeholder_and_file_order():
    msgs = messages("whatsapp/chatanalytics__2A_5M.txt")
    assert (msgs[3].text, msgs[3].meta.get("media")) == ("", True)
    assert msgs[4].text == "This message should be reordered"  # kept in file order
    assert msgs[4].sent_at < msgs[3].sent_at


@needs_corpus
def test_whatsapp_mixed_layouts_in_one_file():
    msgs = messages("whatsapp/rbparser__sample.txt")
    by_sender = {m.sender: m for m in msgs}
    assert by_sender["John Doe"].sent_at == datetime(2025, 12, 15, 10, 30)  # 12/15/25, 10:30 AM
    assert by_sender["Alice"].sent_at == datetime(2025, 12, 15, 10, 32, 3)  # [15/12/2025, 10:32:03 AM]
    assert by_sender["Charlie"].text == "iOS message without brackets."
    assert by_sender["Bob"].text == "And another iOS message.\nWith multi-line\ncontent as well."
    assert [s.line for s in skipped("whatsapp/rbparser__sample.txt")] == [10, 11]


@needs_corpus
def test_whatsapp_header_catalogue():
    at = {m.source_line: m for m in messages("whatsapp/pustur__header_format_catalog.txt")}
    june3, june13 = datetime(2018, 6, 3, 13, 55), datetime(2018, 6, 13, 21, 25, 15)
    assert at[1].sent_at == datetime(2018, 6, 23, 1, 55) and at[1].text == "Hey!"
    # The expectations of Pustur/whatsapp-chat-parser's own test for these layouts:
    for line in (3, 4, 9, 10):
        assert at[line].sent_at == june3, line
    for line in (5, 6, 7, 8, 11, 12):
        assert at[line].sent_at == june13, line
    assert at[10].sender == "a" and at[10].text == "m"  # header prefixed with U+200E
    assert at[13].sent_at == at[14].sent_at == june3  # U+00A0 in "p. m.", U+202F before "PM"
    for line in (15, 16, 17, 18):
        assert at[line].meta.get("media") is True, line
    assert [at[line].text for line in (15, 16, 17)] == ["", "", ""]
    assert at[18].text == "Dir auch frohe Ostern."  # caption after "(Datei angehängt)"
    assert system("whatsapp/pustur__header_format_catalog.txt")[0].text == 'You created group "Test"'


# ---------------------------------------------------------------- JSON samples


@needs_corpus
def test_telegram_single_chat_with_service_entries_and_mixed_dates():
    msgs = messages("telegram/chatanalytics__DM_2A_7M.json")
    assert msgs[0].text == "https://google.com 👀"  # [link entity, " 👀"] concatenated
    assert msgs[0].sent_at == datetime(2019, 7, 12, 16, 55, 32)
    # date_unixtime-only entries become local wall-clock time like the `date` ones.
    assert msgs[2].sent_at == datetime.fromtimestamp(1652135033)
    assert (msgs[4].text, msgs[4].meta.get("media")) == ("", "photo")
    chat = _loaded("telegram/chatanalytics__DM_2A_7M.json")[0]
    assert chat.skipped == []
    assert [(s.line, s.kind) for s in chat.system_lines] == [(1, "service: joined_telegram"), (8, "service: phone_call")]
    assert any("wall-clock" in note for note in _loaded("telegram/chatanalytics__DM_2A_7M.json")[0].notes)


@needs_corpus
def test_telegram_epoch_only_export_is_aware():
    msgs = messages("telegram/chatminer__test_single_export.json")
    assert msgs[0].sent_at == datetime.fromtimestamp(1544006350, UTC)
    assert msgs[1].text == "Link:https://telegram.org/"
    assert msgs[1].meta["source_line_is_index"] is True and msgs[1].source_line == 2


@needs_corpus
def test_telegram_account_wide_export_lists_its_chats_and_reads_the_chosen_one():
    with pytest.raises(ConversationChoice) as info:
        load_chat(CORPUS / "telegram/mehrdad__test_data.json")
    assert info.value.conversations == [("Test Chat", 5), ("دوستان", 2)]
    friends = list(load_chat(CORPUS / "telegram/mehrdad__test_data.json", conversation="دوستان"))
    assert [(m.sender, m.meta["chat"], m.source_line) for m in friends] == [("رضا", "دوستان", 1), ("علی", "دوستان", 2)]
    msgs = messages("telegram/mehrdad__test_data.json")
    assert [m.meta["chat"] for m in msgs] == ["Test Chat"] * 5
    assert [m.source_line for m in msgs] == list(range(1, 6))
    assert msgs[1].text == "سلام! چطور می\u200cتونم کمکت کنم؟"  # ZWNJ kept
    assert messages("telegram/chatminer__test_batch_export.json")[0].meta["chat"] == "Chatname"


@needs_corpus
def test_discord_general_channel():
    msgs = messages("discord/dcef__general.json")
    assert msgs[0].sent_at == datetime(2023, 1, 6, 14, 3, 3, 853000, tzinfo=UTC)
    hello = next(m for m in msgs if m.text.startswith("Hello"))
    assert hello.text == "Hello 👏"  # \uD83D\uDC4F surrogate pair decoded
    sticker = next(m for m in msgs if m.source_line == 4)
    assert (sticker.text, sticker.meta.get("media")) == ("", True)
    assert next(m for m in msgs if m.source_line == 11).sent_at.microsecond == 250000  # ".25"
    assert [s.line for s in _loaded("discord/dcef__general.json")[0].system_lines] == [2, 3, 25, 34]


@needs_corpus
def test_discord_prefers_nickname_and_keeps_name():
    plant = messages("discord/chatanalytics__GC_3A_5M.json")[0]
    assert (plant.sender, plant.meta["author_name"]) == ("theplant", "not a plant")
    no_nick = messages("discord/chatanalytics__SV_5A_5M.json")[2]
    assert no_nick.sender == "mlomb"
    reply = messages("discord/chatanalytics__GC_3A_5M.json")[2]
    assert reply.meta["reply_to"] == "1064990824305274930"


@needs_corpus
def test_messenger_is_yielded_oldest_first():
    msgs = messages("messenger/chatanalytics__2A_7M.json")  # file starts with a BOM
    times = [m.sent_at for m in msgs]
    assert times == sorted(times)
    assert msgs[0].sent_at == datetime.fromtimestamp(1415147240.411, UTC)
    assert (msgs[0].sender, msgs[0].text, msgs[0].meta.get("media")) == ("Bob", "", "photo")
    assert (msgs[-1].sender, msgs[-1].text, msgs[-1].source_line) == ("Alice", "Hello", 1)
    insta = messages("messenger/chatminer__instagram_test_export.json")
    assert [(m.sender, m.text) for m in insta] == [("Jane Doe", "Hello John!"), ("John Doe", "Hello Jane!")]


# ---------------------------------------------------------------- Signal and iMessage samples


@needs_corpus
def test_signal_samples():
    msgs = messages("signal/chatminer__test_export.txt")
    assert msgs[1].text == "Hello\nJane!" and msgs[1].sent_at == datetime(2020, 1, 17, 21, 49)
    readme = messages("signal/signalexport__readme_example.md")
    assert (readme[0].sender, readme[0].text, readme[0].sent_at) == ("Me", "How is everyone?",
                                                                     datetime(2019, 5, 29, 15, 4))


@needs_corpus
def test_imessage_exporter_layout():
    msgs = messages("imessage/imessage_exporter__txt_expectations.txt")
    assert all(m.text == "Hello world" for m in msgs)
    assert all(m.sent_at == datetime(2022, 5, 17, 17, 29, 42) for m in msgs)
    assert [m.sender for m in msgs] == ["Me"] * 3 + ["Sample Contact"] * 3
    assert msgs[1].meta.get("deleted") is True  # the notice line is not part of the text
    assert msgs[2].meta["read_receipt"] == "Read by them after 1 hour, 49 seconds"
    assert [(s.line, s.kind, s.text) for s in system("imessage/imessage_exporter__txt_expectations.txt")] == [
        (26, "shareplay", "SharePlay Message\nEnded"),
        (31, "group change", "You renamed the conversation to Hello world"),
        (33, "group change", "Name renamed the conversation to Hello world"),
    ]


# ---------------------------------------------------------------- hand-made fixtures


def test_messenger_mojibake_is_undone():
    chat, msgs = load_fixture("messenger_mojibake.json")
    assert chat.format == "messenger"
    assert [m.text for m in msgs] == ["i’m sorry, café tomorrow?", "", "ok 😭"]
    assert [m.sender for m in msgs] == ["Zoë", "Zoë", "Sam"]
    assert msgs[1].meta.get("media") == "photo"
    assert chat.skipped == [] and [(s.line, s.kind) for s in chat.system_lines] == [(1, "leave")]


def test_csv_default_columns_and_a_bad_row():
    chat, msgs = load_fixture("chat_default.csv")
    assert chat.format == "csv"
    assert [(m.source_line, m.sender, m.text) for m in msgs] == [
        (2, "Sam", "Morning"), (3, "Alex", "hey, you up?"), (5, "Alex", "two\nlines"), (7, "Sam", "ok"),
    ]
    assert msgs[0].sent_at == datetime(2024, 3, 1, 9, 0)
    [bad] = chat.skipped
    assert bad.line == 4 and bad.reason.startswith("bad timestamp") and "not a date" in bad.text


def test_csv_custom_columns_semicolons_and_a_short_row():
    columns = {"timestamp": "When", "sender": "Who", "text": "What"}
    chat, msgs = load_fixture("chat_custom.csv", columns=columns)
    assert [(m.sender, m.text) for m in msgs] == [("Sam", "first"), ("Alex", "second"),
                                                  ("Alex", "third; with a semicolon")]
    assert msgs[0].sent_at == datetime.fromtimestamp(1709283600, UTC)  # epoch millis, aware
    assert [(s.line, s.reason) for s in chat.skipped] == [(4, "row has 2 fields, the header has 4")]


def test_csv_stray_quote_is_reported_not_swallowed(tmp_path):
    path = tmp_path / "chat.csv"
    path.write_text('timestamp,sender,text\n2024-01-01 10:00,a,"bad"x\n2024-01-01 10:01,b,fine\n')
    chat = load_chat(path)
    assert [(m.source_line, m.text) for m in chat] == [(3, "fine")]
    assert [(s.line, s.reason.split(":")[0]) for s in chat.skipped] == [(2, "malformed CSV row")]


def test_csv_without_a_known_text_column_names_the_columns():
    with pytest.raises(ChatImportError, match=r"no text column .*columns are: When, Who, What, Channel"):
        load_chat(FIXTURES / "chat_custom.csv")


def test_jsonl_default_keys_and_malformed_lines():
    chat, msgs = load_fixture("chat_default.jsonl")
    assert chat.format == "jsonl"
    assert [(m.source_line, m.sender, m.text) for m in msgs] == [
        (1, "Sam", "Morning"),
        (5, "Sam", "still here"),
    ]
    assert msgs[0].sent_at == datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    assert [(s.line, s.reason.split(":")[0]) for s in chat.skipped] == [(2, "not valid JSON"),
                                                                        (3, "missing text field")]


def test_jsonl_custom_keys_win_over_aliases():
    columns = {"timestamp": "ts", "sender": "who", "text": "msg"}
    chat, msgs = load_fixture("chat_custom.jsonl", columns=columns)
    assert [(m.sender, m.text) for m in msgs] == [("Sam", "first"), ("Alex", "second")]
    assert msgs[1].sent_at - msgs[0].sent_at == timedelta(minutes=1)
    assert [s.line for s in chat.skipped] == [2]


def test_plain_text_paragraphs():
    chat, msgs = load_fixture("plain.txt", "text")
    assert [(m.source_line, m.text) for m in msgs] == [
        (1, "Hey, I know it's been a while."),
        (3, "I just wanted to say\nthat I'm sorry."),
        (7, "Anyway. Take care."),
    ]
    assert all(m.sender is None and m.sent_at is None for m in msgs) and chat.skipped == []


def test_whatsapp_android_edge_cases():
    chat, msgs = load_fixture("whatsapp_android_edge.txt")
    assert chat.format == "whatsapp"
    by_line = {m.source_line: m for m in msgs}
    # Every date has day and month <= 12: day-first is assumed and the assumption recorded.
    assert any("day-first" in note for note in chat.notes)
    assert by_line[3].sent_at == datetime(2023, 4, 3, 23, 59)
    assert by_line[4].sent_at == datetime(2023, 4, 4, 0, 1)  # across midnight
    assert by_line[4].sender == "Alex"  # U+200E stripped from the name
    assert by_line[5].text == "I wanted to say\nthat I'm sorry"
    assert (by_line[8].text, by_line[8].meta) == ("", {"media": True})
    assert (by_line[9].text, by_line[9].meta) == ("the view from here", {"media": True})
    assert (by_line[11].text, by_line[11].meta) == ("ok", {"edited": True})
    assert [(s.line, s.reason) for s in chat.skipped] == [(1, "not a message line"), (7, "unparseable timestamp")]
    assert [(s.line, s.kind) for s in chat.system_lines] == [(2, "encryption notice"), (12, "deleted message")]
    assert "13/13/2023" in chat.skipped[1].text


def test_whatsapp_ios_system_and_media_lines_marked_with_lrm():
    chat, msgs = load_fixture("whatsapp_ios.txt")
    assert chat.skipped == []
    assert [(s.line, s.kind) for s in chat.system_lines] == [(1, "encryption notice"), (2, "group change")]
    assert [(m.sender, m.text, bool(m.meta.get("media"))) for m in msgs] == [
        ("Sam", "hey", False),
        ("Alex", "", True),
        ("+44 7700 900123", "hi, who is this?", False),  # U+202A/U+202C around the number stripped
        ("Sam", "", True),
    ]
    assert msgs[0].sent_at == datetime(2023, 5, 12, 18, 3, 15) and chat.notes == []


# ---------------------------------------------------------------- errors


def test_non_utf8_byte_is_named_with_its_offset():
    with pytest.raises(ChatImportError) as info:
        load_chat(FIXTURES / "not_utf8.txt")
    message = str(info.value)
    assert "byte 0xe9 at offset 32 (line 2) is not valid UTF-8" in message and "\n" not in message


def test_undetectable_file_lists_the_choices():
    with pytest.raises(ChatImportError) as info:
        detect_format(FIXTURES / "undetectable.txt")
    message = str(info.value)
    assert message.startswith(str(FIXTURES / "undetectable.txt"))
    assert "--input-format" in message and all(name in message for name in FORMATS)


def test_unusable_paths_and_formats(tmp_path):
    with pytest.raises(ChatImportError, match="is a directory"):
        load_chat(tmp_path)
    with pytest.raises(ChatImportError, match="no such file"):
        load_chat(tmp_path / "missing.txt")
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(ChatImportError, match="file is empty"):
        load_chat(tmp_path / "empty.txt")
    with pytest.raises(ChatImportError, match="unknown input format 'kik'"):
        load_chat(FIXTURES / "plain.txt", "kik")


def test_invalid_json_and_wrong_explicit_format(tmp_path):
    broken = tmp_path / "chat.json"
    broken.write_text('{"messages": [\n  {"from": "a",\n}')
    with pytest.raises(ChatImportError, match=r"chat.json: invalid JSON at line 3"):
        load_chat(broken)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"participants": [], "messages": [{"sender_name": "a", "timestamp_ms": 1}]}))
    with pytest.raises(ChatImportError, match=r'other.json: not a Telegram export \(no "messages" list\)'):
        load_chat(other, "telegram")
    with pytest.raises(ChatImportError, match="not a WhatsApp export"):
        load_chat(FIXTURES / "plain.txt", "whatsapp")


def test_every_item_is_accounted_for_in_fixtures():
    counts = Counter()
    for name, fmt, kwargs in [
        ("chat_default.csv", None, {}),
        ("chat_default.jsonl", None, {}),
        ("whatsapp_android_edge.txt", None, {}),
        ("messenger_mojibake.json", None, {}),
    ]:
        chat, msgs = load_fixture(name, fmt, **kwargs)
        counts[name] = chat.entries
    assert counts == {"chat_default.csv": 5, "chat_default.jsonl": 4, "whatsapp_android_edge.txt": 10,
                      "messenger_mojibake.json": 4}
