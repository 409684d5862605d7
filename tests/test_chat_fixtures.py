"""Every importer reads a small export under tests/fixtures/chats/ (written for this project
from each format's documentation) and counts every entry once: a message, a system line or
a skip. macOS chat.db is built by tests/test_chatdb.py's builder, not stored."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from test_chatdb import build

from linter.chats import ConversationChoice, load_chat
from linter.chats.common import FORMATS

FIXTURES = Path(__file__).parent / "fixtures" / "chats"
CHAT_DB = "<built: chat.db>"

# path, format, options, entries, messages, system lines, skipped (None: not pinned here, the
# format's own test file does). The format is detected, except plain text, which is only read
# when asked for.
CASES = [
    ("whatsapp/Chat de WhatsApp con Lucía.txt", "whatsapp", {}, 10, 7, 3, 0),
    ("whatsapp_ios.txt", "whatsapp", {}, None, None, None, None),
    ("telegram/result.json", "telegram", {}, 6, 4, 2, 0),
    ("telegram/full_export/result.json", "telegram", {"conversation": "Alex"}, 4, 3, 1, 0),
    ("messenger/inbox/alexkim_10150123456789", "messenger", {}, 9, 7, 2, 0),
    ("messenger_mojibake.json", "messenger", {}, 4, None, None, None),
    ("signal/Alex.md", "signal", {}, 5, 4, 1, 0),
    ("imessage/Alex.txt", "imessage", {}, 5, 4, 1, 0),
    ("discord/book_club.csv", "discord", {}, 8, 4, 1, 3),
    ("discord/Direct Messages - alexk [900].json", "discord", {}, 5, 4, 1, 0),
    ("discord/book_club.txt", "discord", {}, None, None, None, None),
    ("discord/old_default.txt", "discord", {}, None, None, None, None),
    ("chat_default.csv", "csv", {}, 5, 4, 0, 1),
    ("chat_default.jsonl", "jsonl", {}, 4, 2, 0, 2),
    ("plain.txt", "text", {}, None, None, None, None),
    ("android_sms/backup.xml", "android-sms", {"conversation": "Sam"}, 8, 5, 1, 2),
    (CHAT_DB, "imessage-db", {"conversation": "+15550102233"}, 11, 7, 1, 3),
]


def _path(relative: str, tmp_path: Path) -> Path:
    return build(tmp_path / "chat.db") if relative == CHAT_DB else FIXTURES / relative


def _read(path: Path, fmt: str | None = None, **options):
    chat = load_chat(path, fmt, **options)
    messages = list(chat)
    assert chat.entries == chat.messages_read + len(chat.system_lines) + len(chat.skipped)
    assert chat.messages_read == len(messages)
    return chat, messages


def test_every_importer_has_a_fixture():
    assert {row[1] for row in CASES} == set(FORMATS)


@pytest.mark.parametrize("relative, fmt, options, entries, messages, system, skipped", CASES,
                         ids=[f"{row[1]}:{row[0]}" for row in CASES])
def test_totals_add_up(tmp_path, relative, fmt, options, entries, messages, system, skipped):
    path = _path(relative, tmp_path)
    chat, _ = _read(path, None if fmt != "text" else fmt, **options)
    assert chat.format == fmt  # detected
    assert chat.entries > 0
    expected = {"entries": entries, "messages": messages, "system": system, "skipped": skipped}
    actual = {"entries": chat.entries, "messages": chat.messages_read, "system": len(chat.system_lines),
              "skipped": len(chat.skipped)}
    assert {k: v for k, v in actual.items() if expected[k] is not None} == {k: v for k, v in expected.items() if v is not None}
    # A second pass counts the same, not twice.
    list(chat)
    assert chat.entries == actual["entries"]


def test_whatsapp_in_spanish():
    chat, msgs = _read(FIXTURES / "whatsapp" / "Chat de WhatsApp con Lucía.txt")
    # 14/3/24: a day above 12 settles the order, day first as a Spanish phone writes it.
    assert msgs[0].sent_at == datetime(2024, 3, 14, 9, 12)
    assert [(m.source_line, m.sender) for m in msgs] == [
        (2, "Sam"), (3, "Lucía"), (4, "Sam"), (6, "Sam"), (8, "Lucía"), (10, "Sam"), (11, "Lucía"),
    ]
    assert msgs[2].text == "quería devolverte las llaves\ny la chaqueta azul que dejaste"
    assert msgs[3].text == "" and msgs[3].meta["media"]  # "<Multimedia omitido>": Sam sent it
    assert [(s.line, s.kind) for s in chat.system_lines] == [
        (1, "encryption notice"), (7, "deleted message"), (9, "missed call"),
    ]


def test_telegram_entities_media_and_service_entries():
    chat, msgs = _read(FIXTURES / "telegram" / "result.json")
    assert [m.text for m in msgs] == [
        "sorry, bad line. can we talk tomorrow?",
        "Not tomorrow. Here is the list: https://example.org/list",
        "",
        "ok",
    ]
    assert msgs[1].meta["reply_to_message_id"] == 2202
    assert msgs[2].meta["media"] == "photo" and msgs[2].meta["edited"] is True
    assert msgs[3].sent_at == datetime(2024, 2, 1, 23, 47, 55)
    assert [(s.line, s.kind) for s in chat.system_lines] == [(1, "service: phone_call"), (6, "service: pin_message")]


def test_telegram_whole_account_export_needs_with():
    path = FIXTURES / "telegram" / "full_export" / "result.json"
    with pytest.raises(ConversationChoice) as info:
        load_chat(path)
    assert info.value.conversations == [("Alex", 3), ("Book club", 1)]
    chat, msgs = _read(path, conversation="4815162342")  # the chat's id works too
    assert [(m.sender, m.text, m.meta.get("media")) for m in msgs] == [
        ("Sam Rivera", "still up?", None),
        ("Alex", "sorry, was asleep. what's up?", None),
        ("Sam Rivera", "", "voice_message"),
    ]
    assert [(s.line, s.kind) for s in chat.system_lines] == [(2, "service: phone_call")]


def test_discord_chat_exporter_json():
    chat, msgs = _read(FIXTURES / "discord" / "Direct Messages - alexk [900].json")
    # The nickname is the sender; the account name stays in meta.
    assert [(m.sender, m.text) for m in msgs] == [
        ("Sam", "hey, you still have my switch?"), ("Alex", "yes, I'll bring it friday"), ("Alex", ""), ("Sam", "thank you 🙏"),
    ]
    assert msgs[0].meta["author_name"] == "sam.r" and msgs[1].meta["reply_to"] == "1201"
    assert msgs[2].meta["media"]  # an attachment alone
    assert msgs[0].sent_at == datetime(2024, 3, 8, 22, 41, 5, 512000, tzinfo=timezone.utc)
    assert [(s.line, s.kind) for s in chat.system_lines] == [(2, "call")]


def test_messenger_folder_of_two_parts():
    chat, msgs = _read(FIXTURES / "messenger" / "inbox" / "alexkim_10150123456789")
    assert [(m.sender, m.text) for m in msgs][:3] == [
        ("Sam Rivera", "hey, are you coming to Nora's on friday?"),
        ("Zoë Martin", "maybe! who else is going?"),  # Meta's mojibake undone
        ("Sam Rivera", "the usual crowd 😊"),
    ]
    assert [m.meta["part"] for m in msgs] == ["message_2.json"] * 3 + ["message_1.json"] * 4
    assert msgs[0].sent_at == datetime(2023, 9, 14, 18, 0, tzinfo=timezone.utc)
    times = [m.sent_at for m in msgs]
    assert times == sorted(times)
    assert msgs[2].meta["reactions"] == [{"reaction": "❤", "actor": "Zoë Martin"}]
    assert msgs[3].meta["media"] == "photo" and msgs[4].meta["share"] == "https://example.org/octopus"
    assert sorted(s.kind for s in chat.system_lines) == ["call", "unsent message"]
    assert chat.notes == []


def test_signal_and_imessage_text_exports():
    signal, s_msgs = _read(FIXTURES / "signal" / "Alex.md")
    imessage, i_msgs = _read(FIXTURES / "imessage" / "Alex.txt")
    # The same evening, exported by the two tools: the same messages.
    assert [(m.sender, m.text) for m in s_msgs] == [(m.sender, m.text) for m in i_msgs] == [
        ("Me", "are we still on for saturday?"),
        ("Alex", "yes! bring the tent\nif you still have it"),
        ("Me", "found it"),
        ("Me", "I miss you"),
    ]
    assert s_msgs[2].meta["media"]  # the attachment link is not text
    assert [(s.line, s.kind) for s in signal.system_lines] == [(6, "deleted message")]
    assert [(s.line, s.kind) for s in imessage.system_lines] == [(14, "group change")]
    assert i_msgs[1].meta["read_receipt"] == "Read by you after 2 minutes, 5 seconds"
    assert i_msgs[3].sent_at == datetime(2023, 9, 15, 1, 12, 33)
