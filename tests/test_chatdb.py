"""Reading macOS Messages' chat.db: conversations, message kinds, dates, and read-only access."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_typedstream import attributed_body

from linter.chats import ChatImportError, ConversationChoice, SystemLine, load_chat
from linter.chats.chatdb import apple_time, looks_like_chat_db, normalise
from linter.cli import main
from linter.messages import Message

# The tables and columns Messages uses (a subset of each table's columns, with the real
# names, types and defaults; the reader must cope with the rest being absent).
SCHEMA = """
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT,
    service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT, UNIQUE (id, service));
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, style INTEGER,
    state INTEGER, account_id TEXT, properties BLOB, chat_identifier TEXT, service_name TEXT, room_name TEXT,
    account_login TEXT, is_archived INTEGER DEFAULT 0, last_addressed_handle TEXT, display_name TEXT,
    group_id TEXT);
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT,
    replace INTEGER DEFAULT 0, service_center TEXT, handle_id INTEGER DEFAULT 0, subject TEXT, country TEXT,
    attributedBody BLOB, version INTEGER DEFAULT 0, type INTEGER DEFAULT 0, service TEXT, account TEXT,
    account_guid TEXT, error INTEGER DEFAULT 0, date INTEGER, date_read INTEGER, date_delivered INTEGER,
    is_delivered INTEGER DEFAULT 0, is_finished INTEGER DEFAULT 0, is_emote INTEGER DEFAULT 0,
    is_from_me INTEGER DEFAULT 0, is_empty INTEGER DEFAULT 0, is_read INTEGER DEFAULT 0,
    is_system_message INTEGER DEFAULT 0, is_sent INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0,
    cache_roomnames TEXT, is_audio_message INTEGER DEFAULT 0, is_played INTEGER DEFAULT 0,
    item_type INTEGER DEFAULT 0, other_handle INTEGER DEFAULT 0, group_title TEXT,
    group_action_type INTEGER DEFAULT 0, associated_message_guid TEXT,
    associated_message_type INTEGER DEFAULT 0, balloon_bundle_id TEXT, payload_data BLOB,
    expressive_send_style_id TEXT, thread_originator_guid TEXT, date_edited INTEGER DEFAULT 0);
CREATE TABLE chat_handle_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
    handle_id INTEGER REFERENCES handle (ROWID) ON DELETE CASCADE, UNIQUE(chat_id, handle_id));
CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
    message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, message_date INTEGER DEFAULT 0,
    PRIMARY KEY (chat_id, message_id));
CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
    created_date INTEGER DEFAULT 0, filename TEXT, uti TEXT, mime_type TEXT, transfer_name TEXT,
    total_bytes INTEGER DEFAULT 0);
CREATE TABLE message_attachment_join (message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE,
    attachment_id INTEGER REFERENCES attachment (ROWID) ON DELETE CASCADE, UNIQUE(message_id, attachment_id));
"""

APPLE_EPOCH = 978307200  # 2001-01-01 UTC in Unix seconds


def ns(when: datetime) -> int:
    """macOS 10.13+: nanoseconds since 2001."""
    return (int(when.timestamp()) - APPLE_EPOCH) * 1_000_000_000


def secs(when: datetime) -> int:
    """Older macOS: seconds since 2001."""
    return int(when.timestamp()) - APPLE_EPOCH


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


SAM, SAM_SMS, ALEX, JO = 1, 2, 3, 4
# (ROWID, chat, is_from_me, handle, date, text, attributedBody, extra columns)
ROWS = [
    (1, 1, 1, 0, ns(utc(2023, 5, 1, 23, 40)), "hey, are you up?", None, {}),
    (2, 1, 0, SAM, ns(utc(2023, 5, 1, 23, 45)), None, attributed_body("yeah, what's up"), {}),
    (3, 1, 1, 0, ns(utc(2023, 5, 1, 23, 46)), "Loved \u201cyeah, what's up\u201d", None,
     {"associated_message_type": 2000, "associated_message_guid": "p:0/m2"}),
    (4, 1, 0, SAM, ns(utc(2023, 5, 1, 23, 50)), "\ufffc", None, {"cache_has_attachments": 1}),
    (5, 2, 1, 0, secs(utc(2016, 2, 3, 10, 0)), "old sms, dated in seconds", None, {"service": "SMS"}),
    (6, 1, 0, SAM, ns(utc(2023, 5, 2, 8, 0)), None, b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x00", {}),
    (7, 1, 1, 0, ns(utc(2023, 5, 2, 8, 1)), None, None, {}),
    (8, 1, 1, 0, None, "no date on this one", None, {}),
    (9, 1, 1, 0, ns(utc(2023, 5, 2, 9, 0)), None, attributed_body("a long one " * 20, mutable=True), {}),
    (10, 1, 0, SAM, ns(utc(2023, 5, 2, 9, 0)), "same instant as 9, stored after it", None, {"date_read": ns(utc(2023, 5, 2, 9, 5))}),
    (11, 1, 1, 0, ns(utc(2023, 5, 2, 9, 30)), None, None, {"is_audio_message": 1, "cache_has_attachments": 1}),
    # The group chat.
    (20, 3, 0, ALEX, ns(utc(2023, 6, 1, 12, 0)), "who's bringing snacks", None, {}),
    (21, 3, 0, JO, ns(utc(2023, 6, 1, 12, 5)), None, attributed_body("me!"), {}),
    (22, 3, 1, 0, ns(utc(2023, 6, 1, 12, 6)), None, None, {"item_type": 2, "group_title": "Book club"}),
    (23, 3, 0, ALEX, ns(utc(2023, 6, 1, 12, 7)), None, None, {"item_type": 1, "other_handle": JO}),
    (24, 3, 1, 0, ns(utc(2023, 6, 1, 12, 8)), "see you all thursday", None, {}),
]


def build(path: Path, rows=ROWS, *, wal: bool = True) -> Path:
    db = sqlite3.connect(path)
    if wal:  # chat.db is a WAL-mode database; its header says so
        db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO handle (ROWID, id, service) VALUES (?, ?, ?)", [
        (SAM, "+15550102233", "iMessage"), (SAM_SMS, "+15550102233", "SMS"),
        (ALEX, "alex@example.com", "iMessage"), (JO, "+15559998877", "iMessage"),
    ])
    db.executemany("INSERT INTO chat (ROWID, guid, style, chat_identifier, service_name, display_name) VALUES (?, ?, ?, ?, ?, ?)", [
        (1, "iMessage;-;+15550102233", 45, "+15550102233", "iMessage", ""),
        (2, "SMS;-;+15550102233", 45, "+15550102233", "SMS", None),
        (3, "iMessage;+;chat123456789", 43, "chat123456789", "iMessage", "Book club"),
    ])
    db.executemany("INSERT INTO chat_handle_join VALUES (?, ?)", [(1, SAM), (2, SAM_SMS), (3, ALEX), (3, JO)])
    for rowid, chat, from_me, handle, date, text, body, extra in rows:
        columns = {"ROWID": rowid, "guid": f"m{rowid}", "is_from_me": from_me, "handle_id": handle, "date": date,
                   "text": text, "attributedBody": body, "service": "iMessage", **extra}
        db.execute(f"INSERT INTO message ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", list(columns.values()))
        db.execute("INSERT INTO chat_message_join VALUES (?, ?, ?)", (chat, rowid, date or 0))
    db.execute("INSERT INTO attachment (ROWID, guid, mime_type, transfer_name) VALUES (1, 'a1', 'image/jpeg', 'IMG_0001.jpeg')")
    db.execute("INSERT INTO message_attachment_join VALUES (4, 1)")
    db.commit()
    db.close()  # the last connection checkpoints the WAL and removes -wal and -shm
    return path


@pytest.fixture
def chat_db(tmp_path):
    return build(tmp_path / "chat.db")


def items(chat):
    """Every item the parser yields, in order (Message, SystemLine or Skipped)."""
    return list(chat._parser)


def where(item) -> int | None:
    return item.source_line if isinstance(item, Message) else item.line


def test_detected_without_a_format(chat_db):
    assert looks_like_chat_db(chat_db)
    chat = load_chat(chat_db, conversation="+15550102233")
    assert chat.format == "imessage-db"
    assert chat.me == "me"


def test_one_person_over_imessage_and_sms_is_one_conversation(chat_db):
    chat = load_chat(chat_db, conversation="+1 (555) 010-2233")
    messages = list(chat)
    assert [m.source_line for m in messages] == [5, 1, 2, 4, 9, 10, 11]
    assert [m.sender for m in messages] == ["me", "me", "+15550102233", "+15550102233", "me", "+15550102233", "me"]
    assert messages[0].text == "old sms, dated in seconds" and messages[0].meta["service"] == "SMS"
    assert messages[2].text == "yeah, what's up"  # from attributedBody
    assert messages[4].text == ("a long one " * 20).strip()
    assert any("2 chats" in note for note in chat.notes)


def test_counts_add_up(chat_db):
    chat = load_chat(chat_db, conversation="+15550102233")
    list(chat)
    assert chat.entries == 11  # ROWIDs 1-11, the two chats with Sam
    assert chat.messages_read == 7
    assert [(s.line, s.kind) for s in chat.system_lines] == [(3, "reaction")]
    assert sorted((s.line, s.reason) for s in chat.skipped) == [
        (6, "undecodable attributedBody"), (7, "empty message"), (8, "no date"),
    ]
    assert chat.entries == chat.messages_read + len(chat.system_lines) + len(chat.skipped)
    list(chat)  # a second pass counts the same, not twice
    assert chat.entries == 11


def test_both_date_units(chat_db):
    messages = {m.source_line: m for m in load_chat(chat_db, conversation="+15550102233")}
    assert messages[5].sent_at == utc(2016, 2, 3, 10, 0)  # seconds
    assert messages[1].sent_at == utc(2023, 5, 1, 23, 40)  # nanoseconds
    assert messages[10].meta["read_at"] == utc(2023, 5, 2, 9, 5)
    assert apple_time(0) is None and apple_time(None) is None and apple_time(10**30) is None


def test_same_instant_keeps_rowid_order(chat_db):
    lines = [m.source_line for m in load_chat(chat_db, conversation="+15550102233")]
    assert lines.index(9) + 1 == lines.index(10)


def test_reactions_and_media(chat_db):
    found = {where(item): item for item in items(load_chat(chat_db, conversation="+15550102233"))}
    reaction = found[3]
    assert isinstance(reaction, SystemLine) and reaction.kind == "reaction" and "Loved" in reaction.text
    photo, voice = found[4], found[11]
    assert photo.text == "" and photo.meta["media"] == "image"
    assert voice.text == "" and voice.meta["media"] == "audio"
    assert "media" not in found[1].meta
    assert found[1].meta["source_line_is_index"]


def test_group_chat_senders_and_changes(chat_db):
    chat = load_chat(chat_db, conversation="book CLUB")
    found = items(chat)
    messages = [item for item in found if isinstance(item, Message)]
    assert [(m.sender, m.text) for m in messages] == [
        ("alex@example.com", "who's bringing snacks"), ("+15559998877", "me!"), ("me", "see you all thursday"),
    ]
    changes = [(item.line, item.kind, item.text) for item in found if isinstance(item, SystemLine)]
    assert changes == [(22, "group renamed", "Book club"), (23, "group member change", "")]


def test_conversations_listed_without_with(chat_db):
    with pytest.raises(ConversationChoice) as caught:
        load_chat(chat_db)
    assert caught.value.conversations == [("+15550102233", 11), ("Book club (alex@example.com, +15559998877)", 5)]
    assert "--with" in str(caught.value)


@pytest.mark.parametrize("wanted", ["Book club", "book club", "chat123456789", "ALEX@example.com", "+1 555 999 8877",
                                    "Book club (alex@example.com, +15559998877)"])
def test_with_matches_name_identifier_or_handle(chat_db, wanted):
    chat = load_chat(chat_db, conversation=wanted)
    assert {m.source_line for m in chat} == {20, 21, 24}


@pytest.mark.parametrize("wanted", ["15550102233", "5550102233", "(555) 010-2233"])
def test_numbers_without_plus_or_country_code(chat_db, wanted):
    assert len(list(load_chat(chat_db, conversation=wanted))) == 7


def test_with_that_matches_nothing_lists_them(chat_db):
    with pytest.raises(ConversationChoice) as caught:
        load_chat(chat_db, conversation="Taylor")
    assert "no conversation matches --with 'Taylor'" in str(caught.value)
    assert len(caught.value.conversations) == 2


def test_normalise():
    assert normalise("+1 (555) 010-2233") == normalise("+15550102233") == "+15550102233"
    assert normalise("Sam@Example.COM") == "sam@example.com"


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in folder.iterdir()}


@pytest.fixture
def read_only_folder(tmp_path):
    # A name with every character that means something inside a SQLite URI.
    folder = tmp_path / "Messages copy ?#%20 100%"
    folder.mkdir()
    yield folder
    for path in [folder, *folder.iterdir()]:
        path.chmod(stat.S_IRWXU)


def _lock(folder: Path) -> None:
    for path in folder.iterdir():
        path.chmod(stat.S_IRUSR)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)


def test_read_only_and_leaves_no_trace(read_only_folder):
    path = build(read_only_folder / "chat.db")
    _lock(read_only_folder)
    before = _snapshot(read_only_folder)
    assert set(before) == {"chat.db"}
    assert looks_like_chat_db(path)
    chat = load_chat(path, conversation="+15550102233")
    assert len(list(chat)) == 7 and len(list(chat)) == 7
    with pytest.raises(ConversationChoice):
        load_chat(path)
    assert _snapshot(read_only_folder) == before  # same bytes, same mtime, no -wal/-shm/-journal


def test_uncheckpointed_messages_in_the_wal_are_read_without_a_trace(tmp_path, read_only_folder):
    live = build(tmp_path / "chat.db")
    writer = sqlite3.connect(live)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("INSERT INTO message (ROWID, guid, text, date, is_from_me) VALUES (12, 'm12', 'only in the WAL', ?, 1)",
                   (ns(utc(2023, 5, 3, 1, 0)),))
    writer.execute("INSERT INTO chat_message_join VALUES (1, 12, 0)")
    writer.commit()
    # What Messages leaves while it runs: chat.db plus its -wal and -shm, the newest
    # messages only in the -wal. A copy, so no other connection shares its memory.
    for suffix in ("", "-wal", "-shm"):
        shutil.copyfile(str(live) + suffix, read_only_folder / f"chat.db{suffix}")
    writer.close()
    _lock(read_only_folder)
    before = _snapshot(read_only_folder)
    chat = load_chat(read_only_folder / "chat.db", conversation="+15550102233")
    assert [m.text for m in chat][-1] == "only in the WAL"
    assert _snapshot(read_only_folder) == before
    assert not chat.notes or all("missing" not in note for note in chat.notes)


def test_a_wal_without_its_shm_is_not_recreated(tmp_path, read_only_folder):
    path = build(read_only_folder / "chat.db")
    (read_only_folder / "chat.db-wal").write_bytes(b"")
    _lock(read_only_folder)
    before = _snapshot(read_only_folder)
    chat = load_chat(path, conversation="+15550102233")
    assert len(list(chat)) == 7
    assert _snapshot(read_only_folder) == before
    assert any("newest messages may be missing" in note for note in chat.notes)


def test_another_apps_sqlite_file_is_named(tmp_path):
    path = tmp_path / "msgstore.db"
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE jid (_id INTEGER PRIMARY KEY, raw_string TEXT); CREATE TABLE chat (_id INTEGER PRIMARY KEY);"
                     "CREATE TABLE message (_id INTEGER PRIMARY KEY, text_data TEXT);")
    db.close()
    with pytest.raises(ChatImportError) as caught:
        load_chat(path)
    message = str(caught.value)
    assert "not iMessage's chat.db" in message and "WhatsApp" in message and "\n" not in message


def test_a_sqlite_file_without_messages_is_named_when_forced(tmp_path):
    path = tmp_path / "notes.sqlite"
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); CREATE TABLE tags (name TEXT);")
    db.close()
    assert not looks_like_chat_db(path)
    with pytest.raises(ChatImportError, match=r"not iMessage's chat.db \(no message, handle, chat, chat_message_join tables; its tables: notes, tags\)"):
        load_chat(path, "imessage-db")


def test_a_text_file_forced_as_chat_db(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text("hello\n")
    with pytest.raises(ChatImportError, match="not a SQLite database"):
        load_chat(path, "imessage-db")


@pytest.mark.parametrize("damage", ["truncated", "garbage", "header only"])
def test_a_damaged_database_is_one_line_and_exit_2(chat_db, damage):
    data = chat_db.read_bytes()
    if damage == "truncated":
        data = data[: len(data) // 3]
    elif damage == "garbage":
        data = data[:100] + bytes((i * 37) % 256 for i in range(len(data) - 100))
    else:
        data = data[:16]
    chat_db.write_bytes(data)
    result = CliRunner().invoke(main, ["review", str(chat_db), "--with", "+15550102233"])
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("msglint: error:"), result.output


def test_review_end_to_end_without_me(chat_db):
    result = CliRunner().invoke(main, ["review", str(chat_db), "--with", "+15550102233", "--no-progress"])
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    assert "yeah, what's up" not in result.output or "+15550102233" in result.output


def test_review_lists_conversations_when_with_is_missing(chat_db):
    result = CliRunner().invoke(main, ["review", str(chat_db)])
    assert result.exit_code == 2
    assert "Conversations in this source" in result.output
    assert "Book club (alex@example.com, +15559998877)" in result.output
    assert result.output.strip().splitlines()[-1].startswith("msglint: error:")


def test_strict_makes_a_skipped_row_fatal(chat_db):
    with pytest.raises(ChatImportError, match=r"chat.db:8: skipped \(no date\); --strict"):
        list(load_chat(chat_db, conversation="+15550102233", strict=True))


def test_messages_with_text_as_invalid_utf8_are_counted(tmp_path):
    rows = [(1, 1, 1, 0, ns(utc(2023, 1, 1)), "fine", None, {}),
            (2, 1, 0, SAM, ns(utc(2023, 1, 2)), None, None, {})]
    path = build(tmp_path / "chat.db", rows)
    db = sqlite3.connect(path)
    db.execute("UPDATE message SET text = CAST(x'ff6869' AS TEXT) WHERE ROWID = 2")
    db.commit()
    db.close()
    chat = load_chat(path, conversation="+15550102233")
    assert [m.text for m in chat] == ["fine"]
    assert [s.reason for s in chat.skipped] == ["text is not valid UTF-8"]
    assert os.path.getsize(path) > 0


def test_without_full_disk_access_the_error_says_how(chat_db, monkeypatch):
    real_open = Path.open

    def denied(self, *args, **kwargs):
        if self == chat_db:
            raise PermissionError(1, "Operation not permitted", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)
    result = CliRunner().invoke(main, ["review", str(chat_db), "--with", "+15550102233"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"msglint: error: {chat_db}: cannot read (Operation not permitted); "
        "on macOS, give your terminal app Full Disk Access (System Settings > Privacy & Security)"
    ]


def test_a_group_identifier_is_not_a_phone_number(chat_db):
    with pytest.raises(ConversationChoice, match="no conversation matches"):
        load_chat(chat_db, conversation="3456789")  # the digits of "chat123456789"


_LIVE_WRITER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA wal_autocheckpoint = 0")
db.execute("INSERT INTO message (ROWID, guid, text, date, is_from_me) VALUES (12, 'm12', 'sent a second ago', ?, 1)", (int(sys.argv[2]),))
db.execute("INSERT INTO chat_message_join VALUES (1, 12, 0)")
db.commit()
print("written", flush=True)
sys.stdin.readline()  # keep the connection (and the WAL) open until the test is done
"""


def test_while_messages_is_running(tmp_path):
    # Another process holds the database open in WAL mode, its newest message only in
    # chat.db-wal: what a running Messages app looks like from outside.
    path = build(tmp_path / "chat.db")
    writer = subprocess.Popen([sys.executable, "-c", _LIVE_WRITER, str(path), str(ns(utc(2023, 5, 3, 1, 0)))],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "written"
        before = _snapshot(tmp_path)
        assert {"chat.db-wal", "chat.db-shm"} <= set(before)
        chat = load_chat(path, conversation="+15550102233")
        assert [m.text for m in chat][-1] == "sent a second ago"
        assert _snapshot(tmp_path) == before  # not even the shared-memory index was written
    finally:
        writer.stdin.write("\n")
        writer.stdin.close()
        writer.wait()
