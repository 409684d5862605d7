"""DiscordChatExporter exports: JSON here (`guild`, `channel`, `messages[]` with typed
entries); TXT and CSV in discord_text. `DiscordParser` tells them apart by content."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from linter.messages import Message

from .common import ChatImportError, Item, Parser, Skipped, SystemLine, index_meta, load_export, read_head
from .discord_text import DiscordCsvParser, DiscordTextParser, has_text_preamble, is_csv_header
from .tabular import type_name
from .timestamps import TimeKind, parse_iso

# Everything else (GuildMemberJoin, ThreadCreated, ChannelNameChange, Call, pins…) is an
# event Discord renders in the channel, not something a person wrote.
_MESSAGE_TYPES = {"Default", "Reply"}
# The same short kinds the TXT and CSV readers give these events (discord_text._SYSTEM_TEXTS).
_SYSTEM_KINDS = {
    "RecipientAdd": "member added",
    "RecipientRemove": "member removed",
    "Call": "call",
    "ChannelNameChange": "channel renamed",
    "ChannelIconChange": "channel icon changed",
    "ChannelPinnedMessage": "message pinned",
    "ThreadCreated": "thread created",
    "GuildMemberJoin": "member joined",
}
_MEDIA_KEYS = ("attachments", "stickers", "embeds")


def looks_like_discord(document: Any) -> bool:
    if not isinstance(document, dict) or not isinstance(document.get("messages"), list):
        return False
    if "guild" in document and "channel" in document:
        return True
    first = next((m for m in document["messages"] if isinstance(m, dict)), None)
    return first is not None and isinstance(first.get("author"), dict) and "timestamp" in first


class DiscordParser:
    """Any DiscordChatExporter export the tool reads: JSON, TXT or CSV, by its content."""

    def __init__(self, path: Path) -> None:
        head = read_head(path)
        reader: Parser
        if head.lstrip().startswith(("{", "[")):
            reader = DiscordJsonParser(path)
        elif is_csv_header(head.split("\n", 1)[0]):
            reader = DiscordCsvParser(path)
        elif has_text_preamble(head.splitlines()):
            reader = DiscordTextParser(path)
        else:
            raise ChatImportError(
                f"{path}: not a DiscordChatExporter export (JSON, TXT with its ==== Guild:/Channel: "
                "block, or CSV with the AuthorID,Author,Date,Content,Attachments,Reactions header)"
            )
        self._reader = reader

    @property
    def notes(self) -> list[str]:
        return self._reader.notes

    def __iter__(self) -> Iterator[Item]:
        return iter(self._reader)


# As for Telegram: json.load needs several times the file size, so past this the parsed
# document would not fit in memory.
MAX_BYTES = 512 * 1024 * 1024


class DiscordJsonParser:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.notes: list[str] = []
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ChatImportError(f"{path}: {size:,} bytes is more than the {MAX_BYTES:,} a DiscordChatExporter JSON export may have here; export it in parts (its --partition option)")
        document = load_export(path, looks_like_discord, 'a DiscordChatExporter JSON export (no "messages" list with "author")')
        self._messages: list = document["messages"]

    def __iter__(self) -> Iterator[Item]:
        to_kind = TimeKind(self.notes)
        for index, entry in enumerate(self._messages, 1):
            yield _convert(entry, index, to_kind)


def _wrong(index: int, key: str, value: Any, wanted: str, entry: dict) -> Skipped:
    return Skipped(index, f"{key} is {type_name(value)}, not {wanted}", _preview(entry))


def _preview(entry: dict) -> str:
    content = entry.get("content")
    return content[:200] if isinstance(content, str) else ""


def _convert(entry: Any, index: int, to_kind: TimeKind) -> Item:
    if not isinstance(entry, dict):
        return Skipped(index, f"not a message object ({type_name(entry)})", str(entry)[:200])
    kind = entry.get("type", "Default")
    if not isinstance(kind, str):
        return _wrong(index, "type", kind, "a string", entry)
    if "content" not in entry:
        return Skipped(index, "missing content field", "")
    text = entry["content"]
    if text is None:
        text = ""  # Discord sends null content for some events and media-only messages
    elif not isinstance(text, str):
        return _wrong(index, "content", text, "a string", entry)
    if kind not in _MESSAGE_TYPES:
        return SystemLine(index, _SYSTEM_KINDS.get(kind, _kind_words(kind)), text)
    if "timestamp" not in entry:
        return Skipped(index, "missing timestamp field", text[:200])
    stamp = entry["timestamp"]
    if not isinstance(stamp, str):
        return _wrong(index, "timestamp", stamp, "a date string", entry)
    try:
        sent_at = to_kind(parse_iso(stamp))
    except (ValueError, OverflowError):
        return Skipped(index, "unparseable timestamp", text[:200])
    for key in _MEDIA_KEYS:
        if entry.get(key) is not None and not isinstance(entry[key], list):
            return _wrong(index, key, entry[key], "a list", entry)
    if "author" not in entry:
        return Skipped(index, "missing author field", text[:200])
    author = entry["author"]
    if not isinstance(author, dict):
        return _wrong(index, "author", author, "an object", entry)
    # The nickname is the name shown in the channel, i.e. the one the user recognises.
    sender = author.get("nickname") or author.get("name")
    if sender is not None and not isinstance(sender, str):
        which = "nickname" if author.get("nickname") else "name"
        return _wrong(index, f"author {which}", sender, "a string", entry)
    reference = entry.get("reference")
    if reference is not None and not isinstance(reference, dict):
        return _wrong(index, "reference", reference, "an object", entry)
    meta = index_meta()
    if any(entry.get(key) for key in _MEDIA_KEYS):
        meta["media"] = True
    elif not text.strip():
        return Skipped(index, "empty message", "")
    for key, value in (
        ("id", entry.get("id")),
        ("author_name", author.get("name")),
        ("author_id", author.get("id")),
        ("is_bot", author.get("isBot")),
        ("edited_at", entry.get("timestampEdited")),
        ("reply_to", (reference or {}).get("messageId")),
    ):
        # Only plain values: meta is shown and serialised, and this is someone else's file.
        if isinstance(value, (str, int, float, bool)):
            meta[key] = value
    return Message(text=text, sender=sender, sent_at=sent_at, source_line=index, meta=meta)


def _kind_words(kind: str) -> str:
    """"GuildBoostTier1" -> "guild boost tier1": an unknown event type, still short and stable."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", kind[:40]).lower() or "system message"
