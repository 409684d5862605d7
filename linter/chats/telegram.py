"""Telegram Desktop JSON exports (`result.json`): one chat, or the whole account."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from linter.messages import Message

from .common import Item, Skipped, index_meta, load_export
from .timestamps import TimeKind, from_epoch

# Keys Telegram uses for non-text content; a message with one of them is a message even
# when its text is empty (the other side "replied" with a photo).
_MEDIA_KEYS = (
    "photo", "file", "media_type", "sticker_emoji", "poll", "location_information",
    "contact_information", "game_title", "invoice_information", "place_name",
)


def chats_of(document: Any) -> list[dict] | None:
    """The chats in a single-chat or account-wide export, or None if it is neither."""
    if not isinstance(document, dict):
        return None
    if isinstance(document.get("messages"), list):
        return [document]
    chats = []
    for section in ("chats", "left_chats"):
        listing = document.get(section)
        if isinstance(listing, dict) and isinstance(listing.get("list"), list):
            chats.extend(c for c in listing["list"] if isinstance(c, dict))
    if chats or isinstance(document.get("chats"), dict):
        return chats
    return None


def looks_like_telegram(document: Any) -> bool:
    """A chats/messages shape whose entries carry `date`/`date_unixtime` (Discord's do not)."""
    chats = chats_of(document)
    if chats is None:
        return False
    for chat in chats:
        first = next((m for m in chat.get("messages") or [] if isinstance(m, dict)), None)
        if first is not None:
            return ("date" in first or "date_unixtime" in first) and "author" not in first
    return True


class TelegramParser:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.notes: list[str] = []
        document = load_export(path, looks_like_telegram, 'a Telegram export (no "messages" list)')
        self._chats = chats_of(document)

    def __iter__(self) -> Iterator[Item]:
        to_kind = TimeKind(self.notes)
        index = 0  # runs across all chats, so every item of the file has its own number
        for chat in self._chats:
            messages = chat.get("messages")
            for entry in messages if isinstance(messages, list) else []:
                index += 1
                item = _convert(entry, index, to_kind)
                if isinstance(item, Message) and chat.get("name") is not None:
                    item.meta["chat"] = chat["name"]
                yield item


def _convert(entry: Any, index: int, to_kind: TimeKind) -> Item:
    if not isinstance(entry, dict):
        return Skipped(index, "not a message object", str(entry)[:200])
    text = _text(entry.get("text", ""))
    if entry.get("type") == "service":
        return Skipped(index, "service message", text or str(entry.get("action", "")))
    try:
        sent_at = to_kind(_sent_at(entry))
    except (ValueError, TypeError):
        return Skipped(index, "unparseable timestamp", text)
    meta = index_meta()
    if any(entry.get(key) for key in _MEDIA_KEYS):
        meta["media"] = True
    elif not text.strip():
        return Skipped(index, "empty message", "")
    for key in ("id", "reply_to_message_id", "edited", "forwarded_from"):
        if entry.get(key) is not None:
            meta[key] = entry[key]
    sender = entry.get("from")
    return Message(
        text=text,
        sender=sender if isinstance(sender, str) else None,
        sent_at=sent_at,
        source_line=index,
        meta=meta,
    )


def _text(value: Any) -> str:
    """`text` is a string, or a list of strings and entity objects {type, text}."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(
            part if isinstance(part, str) else _text(part.get("text")) if isinstance(part, dict) else ""
            for part in value
        )
    return ""


def _sent_at(entry: dict) -> datetime | None:
    # `date` is the exporting machine's wall-clock time, the same clock the user reads.
    if isinstance(entry.get("date"), str):
        return datetime.fromisoformat(entry["date"])
    if entry.get("date_unixtime") is not None:
        return from_epoch(float(entry["date_unixtime"]))
    return None
