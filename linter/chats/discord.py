"""DiscordChatExporter JSON: `guild`, `channel`, `messages[]` with typed entries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from linter.messages import Message

from .common import Item, Skipped, index_meta, load_export
from .timestamps import TimeKind, parse_iso

# Everything else (GuildMemberJoin, ThreadCreated, ChannelNameChange, Call, pins…) is an
# event Discord renders in the channel, not something a person wrote.
_MESSAGE_TYPES = {"Default", "Reply"}


def looks_like_discord(document: Any) -> bool:
    if not isinstance(document, dict) or not isinstance(document.get("messages"), list):
        return False
    if "guild" in document and "channel" in document:
        return True
    first = next((m for m in document["messages"] if isinstance(m, dict)), None)
    return first is not None and isinstance(first.get("author"), dict) and "timestamp" in first


class DiscordParser:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.notes: list[str] = []
        document = load_export(path, looks_like_discord, 'a DiscordChatExporter JSON export (no "messages" list with "author")')
        self._messages: list = document["messages"]

    def __iter__(self) -> Iterator[Item]:
        to_kind = TimeKind(self.notes)
        for index, entry in enumerate(self._messages, 1):
            yield _convert(entry, index, to_kind)


def _convert(entry: Any, index: int, to_kind: TimeKind) -> Item:
    if not isinstance(entry, dict):
        return Skipped(index, "not a message object", str(entry)[:200])
    text = entry.get("content") if isinstance(entry.get("content"), str) else ""
    kind = entry.get("type", "Default")
    if kind not in _MESSAGE_TYPES:
        return Skipped(index, f"system message ({kind})", text)
    try:
        sent_at = to_kind(parse_iso(entry["timestamp"]))
    except (KeyError, TypeError, ValueError, OverflowError):
        return Skipped(index, "unparseable timestamp", text)
    meta = index_meta()
    if any(entry.get(key) for key in ("attachments", "stickers", "embeds")):
        meta["media"] = True
    elif not text.strip():
        return Skipped(index, "empty message", "")
    author = entry.get("author") if isinstance(entry.get("author"), dict) else {}
    # The nickname is the name shown in the channel, i.e. the one the user recognises.
    sender = author.get("nickname") or author.get("name")
    for key, value in (
        ("id", entry.get("id")),
        ("author_name", author.get("name")),
        ("author_id", author.get("id")),
        ("is_bot", author.get("isBot")),
        ("edited_at", entry.get("timestampEdited")),
        ("reply_to", (entry.get("reference") or {}).get("messageId")),
    ):
        if value is not None:
            meta[key] = value
    return Message(
        text=text,
        sender=sender if isinstance(sender, str) else None,
        sent_at=sent_at,
        source_line=index,
        meta=meta,
    )
