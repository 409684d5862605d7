"""Facebook Messenger and Instagram DM JSON (`message_1.json`), the format Meta shares.

Meta writes each UTF-8 byte as its own `\\u00XX` escape, so "i’m" arrives as "iâ\\x80\\x99m";
re-encoding as latin-1 and decoding as UTF-8 restores it. Messages are newest first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from linter.messages import Message

from .common import Item, Skipped, index_meta, load_export
from .timestamps import TimeKind, from_epoch

_MEDIA_KEYS = ("photos", "videos", "audio_files", "files", "gifs", "sticker", "share", "attachments")
_SYSTEM_TYPES = {"Call", "Subscribe", "Unsubscribe"}
# Text Meta generates for a media-only message; it is not what the person typed.
_GENERATED = re.compile(r".{1,80} sent an? (?:attachment|photo|video|voice message|GIF|sticker|link)\.")
_REACTION_NOTICE = re.compile(r"Liked a message|Reacted .+ to your message ?")


def fix_mojibake(text: str) -> str:
    """Undo Meta's byte-per-escape encoding when the text round-trips; else keep it."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def looks_like_meta(document: Any) -> bool:
    if not isinstance(document, dict) or not isinstance(document.get("messages"), list):
        return False
    first = next((m for m in document["messages"] if isinstance(m, dict)), None)
    if first is None:
        return "participants" in document
    return "sender_name" in first or "timestamp_ms" in first


class MetaParser:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.notes: list[str] = []
        document = load_export(path, looks_like_meta, 'a Messenger/Instagram export (no "messages" list with "sender_name")')
        self._messages: list = document["messages"]

    def __iter__(self) -> Iterator[Item]:
        to_kind = TimeKind(self.notes)
        indexed = list(enumerate(self._messages, 1))
        if _newest_first(self._messages):
            indexed.reverse()
        for index, entry in indexed:
            yield _convert(entry, index, to_kind)


def _newest_first(messages: list) -> bool:
    stamps = [m.get("timestamp_ms") for m in messages if isinstance(m, dict)]
    stamps = [s for s in stamps if isinstance(s, (int, float))]
    return len(stamps) > 1 and stamps[0] > stamps[-1]


def _convert(entry: Any, index: int, to_kind: TimeKind) -> Item:
    if not isinstance(entry, dict):
        return Skipped(index, "not a message object", str(entry)[:200])
    content = entry.get("content")
    text = fix_mojibake(content) if isinstance(content, str) else ""
    kind = entry.get("type")
    if kind in _SYSTEM_TYPES:
        return Skipped(index, f"system message ({kind})", text)
    if entry.get("is_unsent"):
        return Skipped(index, "unsent message", text)
    if _REACTION_NOTICE.fullmatch(text):
        return Skipped(index, "reaction notice", text)
    try:
        sent_at = to_kind(from_epoch(float(entry["timestamp_ms"]) / 1000))
    except (KeyError, TypeError, ValueError):
        return Skipped(index, "unparseable timestamp", text)
    meta = index_meta()
    if any(entry.get(key) for key in _MEDIA_KEYS):
        meta["media"] = True
        if _GENERATED.fullmatch(text):
            text = ""
    elif not text.strip():
        return Skipped(index, "empty message", "")
    sender = entry.get("sender_name")
    return Message(
        text=text,
        sender=fix_mojibake(sender) if isinstance(sender, str) else None,
        sent_at=sent_at,
        source_line=index,
        meta=meta,
    )
