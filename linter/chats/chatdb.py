"""iMessage and SMS straight from macOS Messages' database, ~/Library/Messages/chat.db.

The database is the user's live one, so it is opened strictly read-only (see `connect`),
and every SQLite error becomes one line. One conversation is read per import: the chats
with the same person (an iMessage chat and an SMS chat with one number share a
`chat_identifier`) form one conversation; a group chat is its own.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

from linter.messages import Message

from .common import ChatImportError, ConversationChoice, Item, Skipped, SystemLine, add_note, index_meta
from .typedstream import decode_attributed_body

SQLITE_MAGIC = b"SQLite format 3\x00"
ME = "me"
_REQUIRED = ("message", "handle", "chat", "chat_message_join")
_APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=timezone.utc)
# Seconds since 2001 stay below 1e11 until the year 5000; nanoseconds (macOS 10.13 and
# later) pass it 100 seconds after the epoch.
_NANOSECONDS = 1e11
_OBJECT_REPLACEMENT = "\ufffc"  # where an attachment sat inside the text
# Tapbacks: 2000-2005 love/like/dislike/laugh/emphasis/question, 2006 emoji, 2007 sticker;
# 3000-3007 take one back.
_REACTIONS = range(2000, 4000)
_ITEM_KINDS = {1: "group member change", 2: "group renamed", 3: "group change", 4: "location sharing", 6: "FaceTime call"}
_OPTIONAL = (
    "text", "attributedBody", "handle_id", "date", "date_read", "is_from_me", "cache_has_attachments",
    "associated_message_type", "item_type", "group_title", "is_audio_message", "service",
)
_LABEL_PARTICIPANTS = 4
# Other apps' SQLite databases that also have a `message` table, to say what was given.
_KNOWN_DATABASES = (
    ({"jid", "message", "chat"}, "WhatsApp's msgstore.db"),
    ({"thread", "recipient", "message"}, "a Signal database"),
    ({"sms", "threads"}, "Android's mmssms.db"),
)


_FULL_DISK_ACCESS = "on macOS, give your terminal app Full Disk Access (System Settings > Privacy & Security)"


def is_sqlite(path: Path) -> bool:
    """Does the file start with SQLite's magic? OSError if it cannot be read."""
    with path.open("rb") as fh:
        return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def _is_messages_path(path: Path) -> bool:
    return path.name == "chat.db" or path.parent.name == "Messages"


def looks_like_chat_db(path: Path) -> bool:
    """The importer's NON_TEXT test: a SQLite file with a `message` table. Never raises.

    A SQLite file too damaged to list its tables counts too: the parser then says so in
    one line, where the text checks would only complain about its bytes.
    """
    try:
        if not path.is_file() or not is_sqlite(path):
            return False
    except PermissionError:
        # ~/Library/Messages without Full Disk Access: claim it, to say how to get access.
        return _is_messages_path(path)
    except OSError:
        return False
    try:
        connection, _ = connect(path)
    except (sqlite3.Error, OSError):
        return True
    try:
        return "message" in _tables(connection)
    except sqlite3.Error:
        return True
    finally:
        connection.close()


def connect(path: Path) -> tuple[sqlite3.Connection, str | None]:
    """Open `path` read-only without writing, creating or locking anything beside it.

    Returns the connection and a note when recent messages may be missing.

    - No `-wal` file: everything is in chat.db itself, and `immutable=1` reads it without
      any locks or side files. (Plain `mode=ro` on a WAL-mode database would create
      `chat.db-wal` and `chat.db-shm` next to it, and in a read-only directory fail.)
    - `-wal` and `-shm` present (Messages is running, or has not checkpointed): the newest
      messages are only in the WAL, which `immutable=1` would ignore. `mode=ro` with
      `readonly_shm=1` reads them and opens the shared-memory index read-only, so not even
      a reader mark is written; it takes only the shared read locks every reader takes,
      which never stop Messages from adding messages.
    - `-wal` without `-shm`: SQLite would have to create the `-shm`, so chat.db is read
      alone (immutable) and the user is told the newest messages may be missing.
    """
    wal = path.with_name(path.name + "-wal")
    shm = path.with_name(path.name + "-shm")
    note = None
    if wal.exists() and shm.exists():
        params = "mode=ro&readonly_shm=1"
    else:
        params = "mode=ro&immutable=1"
        if wal.exists():
            note = f"{wal.name} is there without {shm.name}: read {path.name} alone, the newest messages may be missing"
    # quote() escapes what would end or change the path inside a URI: ?, #, % and spaces.
    uri = "file:" + quote(str(path.absolute()), safe="/") + "?" + params
    connection = sqlite3.connect(uri, uri=True, timeout=5, isolation_level=None, check_same_thread=False)
    connection.text_factory = bytes  # a bad byte in one row must not abort the whole read
    try:
        connection.execute("PRAGMA query_only = 1")
    except sqlite3.Error:
        connection.close()
        raise
    return connection, note


def _tables(connection: sqlite3.Connection) -> set[str]:
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {_str(name) for (name,) in rows}


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {_str(row[1]) for row in connection.execute(f'PRAGMA table_info("{table}")')}


def _str(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def normalise(value: str) -> str:
    """A handle as a comparable key: `+1 (555) 010-2233` -> `+15550102233`; emails casefolded."""
    value = value.strip()
    if "@" in value:
        return value.casefold()
    if re.fullmatch(r"[+\d\s().\-/]+", value) and any(c.isdigit() for c in value):
        return ("+" if value.startswith("+") else "") + re.sub(r"\D", "", value)
    return value.casefold()


def _digits(value: str) -> str:
    """The digits of a phone number; "" for an email or a group's "chat123…" identifier."""
    key = normalise(value).lstrip("+")
    return key if key.isdigit() else ""


@dataclass
class Conversation:
    key: str  # normalised chat_identifier: the same person over iMessage and SMS is one
    identifier: str
    display_name: str = ""
    chat_ids: list[int] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    count: int = 0
    label: str = ""

    def make_label(self) -> str:
        name = self.display_name or self.identifier
        others = [p for p in self.participants if normalise(p) != normalise(name)]
        if not others:
            return name
        shown = ", ".join(others[:_LABEL_PARTICIPANTS])
        more = len(others) - _LABEL_PARTICIPANTS
        return f"{name} ({shown}{f', +{more} more' if more > 0 else ''})"


def list_conversations(connection: sqlite3.Connection, tables: set[str]) -> list[Conversation]:
    by_key: dict[str, Conversation] = {}
    by_chat: dict[int, Conversation] = {}
    chat_columns = _columns(connection, "chat")
    identifier = "chat_identifier" if "chat_identifier" in chat_columns else "guid" if "guid" in chat_columns else "ROWID"
    name = "display_name" if "display_name" in chat_columns else "NULL"
    for chat_id, raw_identifier, raw_name in connection.execute(f"SELECT ROWID, {identifier}, {name} FROM chat ORDER BY ROWID"):
        ident = _str(raw_identifier).strip() or f"chat {chat_id}"
        conversation = by_key.setdefault(normalise(ident), Conversation(normalise(ident), ident))
        conversation.chat_ids.append(chat_id)
        conversation.display_name = conversation.display_name or _str(raw_name).strip()
        by_chat[chat_id] = conversation
    if "chat_handle_join" in tables:
        rows = connection.execute(
            "SELECT j.chat_id, h.id FROM chat_handle_join j JOIN handle h ON h.ROWID = j.handle_id ORDER BY j.chat_id, h.ROWID"
        )
        for chat_id, handle in rows:
            conversation = by_chat.get(chat_id)
            handle = _str(handle).strip()
            if conversation and handle and handle not in conversation.participants:
                conversation.participants.append(handle)
    for conversation in by_key.values():
        marks = ",".join("?" * len(conversation.chat_ids))
        conversation.count = connection.execute(
            f"SELECT count(*) FROM message WHERE ROWID IN (SELECT message_id FROM chat_message_join WHERE chat_id IN ({marks}))",
            conversation.chat_ids,
        ).fetchone()[0]
    conversations = sorted(by_key.values(), key=lambda c: (-c.count, c.identifier))
    labels: dict[str, int] = {}
    for conversation in conversations:
        conversation.label = conversation.make_label()
        labels[conversation.label] = labels.get(conversation.label, 0) + 1
    for conversation in conversations:
        if labels[conversation.label] > 1:  # two groups both called "Family"
            conversation.label += f" [{conversation.identifier}]"
    return conversations


def choose(conversations: list[Conversation], wanted: str | None, path: Path) -> Conversation:
    """The conversation `--with` names; ConversationChoice when it is missing or unclear."""
    listing = [(c.label, c.count) for c in conversations]
    if not conversations:
        raise ChatImportError(f"{path}: chat.db has no conversations")
    if wanted is None or not wanted.strip():
        if len(conversations) == 1:
            return conversations[0]
        raise ConversationChoice(
            f"{path}: holds {len(conversations)} conversations; choose one with --with NAME|NUMBER|EMAIL", listing
        )
    key, digits = normalise(wanted), _digits(wanted)

    def direct(c: Conversation) -> bool:
        return wanted.strip() == c.label or c.key == key or (c.display_name and c.display_name.casefold() == wanted.strip().casefold())

    def participant(c: Conversation) -> bool:
        return any(normalise(p) == key or (digits and _digits(p) == digits) for p in c.participants)

    def national(c: Conversation) -> bool:
        # "5550102233" for "+15550102233": a number typed without its country code.
        return len(digits) >= 7 and any(_digits(p).endswith(digits) for p in [c.identifier, *c.participants])

    for test in (direct, participant, national):
        found = [c for c in conversations if test(c)]
        if len(found) == 1:
            return found[0]
        if found:
            raise ConversationChoice(
                f"{path}: --with {wanted!r} matches {len(found)} conversations; pass one of these names exactly",
                [(c.label, c.count) for c in found],
            )
    raise ConversationChoice(f"{path}: no conversation matches --with {wanted!r}", listing)


def _describe(tables: set[str]) -> str:
    for needed, name in _KNOWN_DATABASES:
        if needed <= tables:
            return f"looks like {name}"
    shown = ", ".join(sorted(tables)[:8]) + (", ..." if len(tables) > 8 else "")
    return f"its tables: {shown}" if tables else "it has no tables"


class ChatDbParser:
    """Messages of one conversation of chat.db, in date order, as Messages stored them."""

    def __init__(self, path: Path, conversation: str | None = None) -> None:
        self.path = path
        self.notes: list[str] = []
        self.me = ME  # is_from_me says which side sent each message: --me is implied
        if not path.is_file():
            raise ChatImportError(f"{path}: not a file; pass the chat.db file itself")
        try:
            sqlite = is_sqlite(path)
        except OSError as exc:
            hint = f"; {_FULL_DISK_ACCESS}" if isinstance(exc, PermissionError) else ""
            raise ChatImportError(f"{path}: cannot read ({exc.strerror or exc}){hint}") from None
        if not sqlite:
            raise ChatImportError(f"{path}: not a SQLite database, so not iMessage's chat.db")
        with self._session() as connection:
            tables = _tables(connection)
            missing = [t for t in _REQUIRED if t not in tables]
            if missing:
                raise ChatImportError(
                    f"{path}: a SQLite database, but not iMessage's chat.db "
                    f"(no {', '.join(missing)} table{'s' if len(missing) > 1 else ''}; {_describe(tables)})"
                )
            columns = _columns(connection, "message")
            for needed in ("date", "is_from_me"):
                if needed not in columns:
                    raise ChatImportError(f"{path}: chat.db's message table has no {needed} column; not a Messages database this tool knows")
            self._chosen = choose(list_conversations(connection, tables), conversation, path)
            self._query = _message_query(columns, tables, len(self._chosen.chat_ids))
        if len(self._chosen.chat_ids) > 1:
            add_note(self.notes, f"{len(self._chosen.chat_ids)} chats with {self._chosen.label} (e.g. iMessage and SMS) read as one conversation")

    def _session(self) -> "_Session":
        return _Session(self.path, self.notes)

    def __iter__(self) -> Iterator[Item]:
        with self._session() as connection:
            rows = connection.execute(self._query, self._chosen.chat_ids)
            while True:
                try:
                    row = rows.fetchone()
                except sqlite3.Error as exc:
                    raise _database_error(self.path, exc) from None
                if row is None:
                    return
                yield _item(row, len(self._chosen.participants) == 1 and self._chosen.participants[0])


class _Session:
    """A read-only connection whose SQLite errors come out as one ChatImportError line."""

    def __init__(self, path: Path, notes: list[str]) -> None:
        self.path = path
        self.notes = notes
        self.connection: sqlite3.Connection | None = None

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.connection, note = connect(self.path)
            self.connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            self.__exit__(None, None, None)
            raise _database_error(self.path, exc) from None
        if note:
            add_note(self.notes, note)
        return self.connection

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if isinstance(exc, sqlite3.Error):
            raise _database_error(self.path, exc) from None
        return False


def _database_error(path: Path, exc: sqlite3.Error) -> ChatImportError:
    reason = " ".join(str(exc).split()) or type(exc).__name__
    if "unable to open" in reason or "authorization" in reason or "not authorized" in reason:
        hint = f"; {_FULL_DISK_ACCESS}"
    elif "locked" in reason or "busy" in reason:
        hint = "; Messages is writing to it: try again, or quit Messages first"
    else:
        hint = "; the file is damaged, truncated or not a SQLite database"
    return ChatImportError(f"{path}: cannot read the SQLite database ({reason}){hint}")


def _message_query(columns: set[str], tables: set[str], chats: int) -> str:
    def column(name: str) -> str:
        return f"m.{name}" if name in columns else "NULL"

    if {"attachment", "message_attachment_join"} <= tables:
        attachments = (
            "(SELECT count(*) FROM message_attachment_join j WHERE j.message_id = m.ROWID), "
            "(SELECT a.mime_type FROM message_attachment_join j JOIN attachment a ON a.ROWID = j.attachment_id "
            "WHERE j.message_id = m.ROWID ORDER BY a.ROWID LIMIT 1)"
        )
    else:
        attachments = "0, NULL"
    marks = ",".join("?" * chats)
    # Dates in seconds and in nanoseconds can sit in one database (older rows); order by
    # the instant, then by ROWID (the order Messages stored them in).
    return (
        f"SELECT m.ROWID, {', '.join(column(name) for name in _OPTIONAL)}, h.id, {attachments} "
        f"FROM message m LEFT JOIN handle h ON h.ROWID = {column('handle_id')} "
        f"WHERE m.ROWID IN (SELECT message_id FROM chat_message_join WHERE chat_id IN ({marks})) "
        f"ORDER BY CASE WHEN abs(m.date) >= {_NANOSECONDS:.0f} THEN m.date / 1e9 ELSE m.date END, m.ROWID"
    )


def apple_time(value: object) -> datetime | None:
    """Messages' timestamps: seconds or nanoseconds since 2001-01-01 UTC; None if absent."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value == 0:
        return None
    seconds = value / 1e9 if abs(value) >= _NANOSECONDS else value
    try:
        return _APPLE_EPOCH + timedelta(seconds=seconds)
    except (OverflowError, ValueError):
        return None


def _media_kind(mime: object, audio: object) -> str:
    if audio:
        return "audio"
    kind = _str(mime).split("/", 1)[0].strip().lower()
    return kind if kind in ("image", "video", "audio", "text", "application") else "attachment"


def _item(row: tuple, only_participant: str | bool) -> Item:
    (rowid, raw_text, body, handle_id, date, date_read, from_me, has_attachments, associated,
     item_type, group_title, audio, service, handle, attachment_count, mime) = row
    line = rowid if isinstance(rowid, int) else None
    try:
        text = raw_text.decode("utf-8") if isinstance(raw_text, bytes) else None
    except UnicodeDecodeError:
        return Skipped(line, "text is not valid UTF-8", raw_text.decode("utf-8", "replace")[:200])
    if not text and body is not None:
        text = decode_attributed_body(body)
        if text is None:
            return Skipped(line, "undecodable attributedBody", "")
    text = (text or "").replace(_OBJECT_REPLACEMENT, "").strip()
    if isinstance(associated, int) and associated in _REACTIONS:
        return SystemLine(line, "reaction", text)
    if isinstance(item_type, int) and item_type != 0:
        return SystemLine(line, _ITEM_KINDS.get(item_type, "system message"), text or _str(group_title))
    sent_at = apple_time(date)
    if sent_at is None:
        return Skipped(line, "no date" if date in (None, 0) else "date out of range", text)
    meta: dict = {"service": _str(service)} if service else {}
    read_at = apple_time(date_read)
    if read_at is not None:
        meta["read_at"] = read_at
    if (isinstance(attachment_count, int) and attachment_count > 0) or has_attachments or audio:
        meta["media"] = _media_kind(mime, audio)
    if not text and "media" not in meta:
        return Skipped(line, "empty message", "")
    if from_me:
        sender = ME
    elif handle:
        sender = _str(handle).strip()
    elif only_participant:
        sender = only_participant  # a 1:1 chat: the other side is its one participant
    else:
        return Skipped(line, "sender unknown (no handle)", text)
    return Message(text=text, sender=sender, sent_at=sent_at, source_line=line, meta=index_meta(meta))
