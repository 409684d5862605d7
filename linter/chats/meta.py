"""Facebook Messenger and Instagram DM JSON (`message_1.json`), the format Meta shares.

Meta writes each UTF-8 byte as its own `\\u00XX` escape, so "i’m" arrives as "iâ\\x80\\x99m";
re-encoding as latin-1 and decoding as UTF-8 restores it. Messages are newest first.

A long chat is split into `message_1.json` (newest), `message_2.json`, …; pass the folder
holding them to read them as one conversation, oldest first. Each part is a whole JSON
document of at most MAX_PART_BYTES. Items are numbered through the parts in name order
(message_1's entries first), so every entry of the folder has its own number.

Each entry becomes one item: a Message (media-only ones with empty text and the media kind
in meta["media"]; a shared link in the text), a SystemLine for what Meta wrote itself
(calls, joins and leaves, renames, reactions, unsent messages) or a counted Skipped.
"""

from __future__ import annotations

import os
import re
import reprlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from linter.messages import Message

from .common import (
    ChatImportError, Item, Skipped, SystemLine, add_note, check_readable, index_meta, load_export, validate_utf8,
)
from .timestamps import TimeKind, from_epoch

# Meta cuts parts at about 10,000 messages (a few MB); a part far past that is not one.
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_PARTS = 1000
_PART_NAME = re.compile(r"message_([1-9][0-9]{0,5})\.json")

_MEDIA_KEYS = (
    ("photos", "photo"), ("videos", "video"), ("audio_files", "audio"), ("gifs", "gif"),
    ("sticker", "sticker"), ("files", "file"), ("attachments", "attachment"),
)
_MESSAGE_TYPES = {None, "Generic", "Share"}
_SYSTEM_TYPES = {"Call": "call", "Subscribe": "join", "Unsubscribe": "leave"}
# Text Meta generates for a media-only message; it is not what the person typed.
_GENERATED = re.compile(
    r"(?P<actor>.{1,80}) sent an? (?P<kind>attachment|photo|video|voice message|audio clip|GIF|gif|sticker|link|file)\.?"
)
_GENERATED_KIND = {"voice message": "audio", "audio clip": "audio", "GIF": "gif"}
# Notices Meta writes as if a person had sent them. Those naming an actor count only when
# the actor is the entry's sender (or "You"): "I named the group chat Fred" stays a message.
_ANONYMOUS_NOTICES = (
    (re.compile(r"Liked a message|Reacted .{1,40} to your message ?"), "reaction"),
    (re.compile(r"You unsent a message\.?|This message was unsent\.?"), "unsent message"),
    (re.compile(r"The (?:video |audio )?(?:chat|call) ended\.?|You missed a (?:video |audio )?call from .{1,80}"), "call"),
)
_ACTOR_NOTICES = (
    (re.compile(r"reacted .{1,40} to (?:your|a|their|his|her) message ?"), "reaction"),
    (re.compile(r"unsent a message\.?"), "unsent message"),
    (re.compile(r"named the group .{0,500}"), "group renamed"),
    (re.compile(r"(?:changed|removed) the group (?:photo|image|name)\b.{0,500}"), "group settings"),
    (re.compile(r"added .{1,500} to the group\.?|joined the group\.?"), "join"),
    (re.compile(r"left the group\.?|removed .{1,500} from the group\.?"), "leave"),
    (re.compile(r"(?:set|changed|cleared) (?:the |your |his |her |their |own )?nickname.{0,500}"), "nickname"),
    (re.compile(r"(?:changed|set) the (?:chat )?(?:theme|emoji|quick reaction)\b.{0,500}"), "chat settings"),
    (re.compile(r"(?:started|joined|ended) (?:a |the )?(?:video |audio )?(?:chat|call)\.?|called you\.?|"
                r"missed (?:your|a) (?:video |audio )?call.{0,80}"), "call"),
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 200


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


def is_message_folder(path: Path) -> bool:
    """A folder holding Meta's `message_N.json` parts (never raises)."""
    try:
        if not path.is_dir():
            return False
        with os.scandir(path) as entries:
            return any(_PART_NAME.fullmatch(entry.name) for entry in entries)
    except OSError:
        return False


class MetaParser:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.notes: list[str] = []
        parts = _parts_of(path, self.notes) if path.is_dir() else [(None, path)]
        self._parts: list[tuple[str | None, list]] = []
        participants: list[tuple[str, frozenset[str]]] = []
        for _, part in parts:
            document = _load_part(part)
            self._parts.append((part.name if path.is_dir() else None, document["messages"]))
            participants.append((part.name, _participants(document)))
        if path.is_dir():
            _check_participants(participants, self.notes)
            _check_part_order(self._parts, self.notes)
        else:
            _note_siblings(path, self.notes)

    def __iter__(self) -> Iterator[Item]:
        to_kind = TimeKind(self.notes)
        offset = 0
        numbered = []  # per part, in name order: (part name, [(number, entry), ...])
        for name, messages in self._parts:
            numbered.append((name, list(enumerate(messages, offset + 1))))
            offset += len(messages)
        # message_1 holds the newest messages: the highest-numbered part comes first in time.
        for name, indexed in reversed(numbered):
            if _newest_first([entry for _, entry in indexed]):
                indexed = indexed[::-1]
            for index, entry in indexed:
                item = _convert(entry, index, to_kind)
                if name is not None and isinstance(item, Message):
                    item.meta["part"] = name
                yield item


# ---------------------------------------------------------------- the parts of a folder


def _parts_of(folder: Path, notes: list[str]) -> list[tuple[int, Path]]:
    found: list[tuple[int, Path]] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                match = _PART_NAME.fullmatch(entry.name)
                if match:
                    found.append((int(match.group(1)), Path(entry.path)))
                    if len(found) > MAX_PARTS:
                        raise ChatImportError(f"{folder}: more than {MAX_PARTS} message_N.json parts; not one chat")
    except OSError as exc:
        raise ChatImportError(f"{folder}: cannot read the folder ({exc.strerror or exc})") from exc
    if not found:
        raise ChatImportError(f"{folder}: no message_1.json (or other message_N.json) in this folder")
    found.sort()
    numbers = {number for number, _ in found}
    missing = [n for n in range(1, found[-1][0] + 1) if n not in numbers]
    if missing:
        shown = ", ".join(f"message_{n}.json" for n in missing[:5]) + (" …" if len(missing) > 5 else "")
        add_note(notes, f"{len(missing)} part(s) missing from the folder ({shown}); the conversation has gaps there")
    return found


def _load_part(part: Path) -> dict:
    check_readable(part)
    size = part.stat().st_size
    if size == 0:
        raise ChatImportError(f"{part}: file is empty")
    if size > MAX_PART_BYTES:
        raise ChatImportError(
            f"{part}: {size:,} bytes is more than the {MAX_PART_BYTES:,} a Messenger/Instagram part may have"
        )
    validate_utf8(part)
    try:
        return load_export(part, looks_like_meta, 'a Messenger/Instagram export (no "messages" list with "sender_name")')
    except RecursionError:
        raise ChatImportError(f"{part}: JSON nested too deeply to be a Messenger/Instagram export") from None


def _participants(document: dict) -> frozenset[str]:
    listing = document.get("participants")
    if not isinstance(listing, list):
        return frozenset()
    return frozenset(
        fix_mojibake(p["name"]) for p in listing if isinstance(p, dict) and isinstance(p.get("name"), str)
    )


def _check_participants(participants: list[tuple[str, frozenset[str]]], notes: list[str]) -> None:
    first_name, first = participants[0]
    for name, names in participants[1:]:
        if names != first:
            def show(group: frozenset[str]) -> str:
                return _clean(", ".join(sorted(group))[:200]) or "nobody"
            add_note(notes, f"participants differ between parts: {first_name} lists {show(first)}; "
                            f"{name} lists {show(names)}")
            return


def _note_siblings(path: Path, notes: list[str]) -> None:
    match = _PART_NAME.fullmatch(path.name)
    if not match:
        return
    siblings = [p for p in (path.with_name("message_1.json"), path.with_name("message_2.json")) if p != path]
    if any(p.exists() for p in siblings):
        add_note(notes, f"{path.name} is one part of a longer chat; pass its folder to read every part")


def _check_part_order(parts: list[tuple[str | None, list]], notes: list[str]) -> None:
    spans = []
    for name, messages in parts:
        stamps = [_stamp(entry) for entry in messages]
        stamps = [s for s in stamps if s is not None]
        if stamps:
            spans.append((name, min(stamps), max(stamps)))
    # In name order, each part must be newer than the next one.
    for (newer, low, _), (older, _, high) in zip(spans, spans[1:]):
        if high > low:
            add_note(notes, f"{older} has messages newer than some in {newer}; the parts were read in name order")
            return


def _stamp(entry: Any) -> float | None:
    value = entry.get("timestamp_ms") if isinstance(entry, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return float(value)


def _newest_first(messages: list) -> bool:
    stamps = [s for s in map(_stamp, messages) if s is not None]
    return len(stamps) > 1 and stamps[0] > stamps[-1]


# ---------------------------------------------------------------- one entry


def _clean(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def _preview(value: Any) -> str:
    return _clean(value[:200] if isinstance(value, str) else _repr.repr(value))


def _fixed(value: Any) -> str | None:
    return fix_mojibake(value) if isinstance(value, str) else None


def _notice(text: str, sender: str | None) -> str | None:
    """The SystemLine kind of a notice Meta wrote in a person's name, or None."""
    for pattern, kind in _ANONYMOUS_NOTICES:
        if pattern.fullmatch(text):
            return kind
    actors = {"You"}
    if sender and sender.split():
        actors |= {sender, sender.split()[0]}
    for actor in actors:
        if text.startswith(actor + " "):
            rest = text[len(actor) + 1:]
            for pattern, kind in _ACTOR_NOTICES:
                if pattern.fullmatch(rest):
                    return kind
    return None


def _convert(entry: Any, index: int, to_kind: TimeKind) -> Item:
    if not isinstance(entry, dict):
        return Skipped(index, "not a message object", _preview(entry))
    content = entry.get("content")
    text = fix_mojibake(content) if isinstance(content, str) else ""
    sender = _fixed(entry.get("sender_name"))
    # Names are shown and compared (--me); half an emoji in one must not break either.
    sender = _clean(sender) if sender is not None else None
    kind = entry.get("type")
    if isinstance(kind, str) and kind in _SYSTEM_TYPES:
        return SystemLine(index, _SYSTEM_TYPES[kind], _clean(text))
    if entry.get("is_unsent") is True:
        return SystemLine(index, "unsent message", _clean(text))
    if not (kind is None or isinstance(kind, str)):
        return Skipped(index, "entry type is not a string", _clean(text))
    if kind not in _MESSAGE_TYPES:
        return Skipped(index, f"unknown entry type {_preview(kind)[:40]!r}", _clean(text))
    if content is not None and not isinstance(content, str):
        return Skipped(index, "content is not text", _preview(content))
    media = next((name for key, name in _MEDIA_KEYS if entry.get(key)), None)
    share = entry.get("share")
    link, share_text = (_fixed(share.get("link")), _fixed(share.get("share_text"))) if isinstance(share, dict) else (None, None)
    if media is None and not link and not share_text:
        notice = _notice(text, sender)
        if notice is not None:
            return SystemLine(index, notice, _clean(text))
    try:
        stamp = entry["timestamp_ms"]
        if isinstance(stamp, bool) or not isinstance(stamp, (int, float, str)):
            raise TypeError(stamp)
        sent_at = to_kind(from_epoch(float(stamp) / 1000))
    except (KeyError, TypeError, ValueError, OverflowError):
        return Skipped(index, "unparseable timestamp", _clean(text))
    if sender is None or not sender.strip():
        return Skipped(index, "no sender_name", _clean(text))
    meta = index_meta()
    generated = _GENERATED.fullmatch(text)
    if generated and generated.group("actor") in {"You", sender, sender.split()[0]}:
        # "Sam sent a photo." is Meta's caption, also when the photo itself has expired.
        text = ""
        kind_named = generated.group("kind")
        if kind_named != "link":
            media = media or _GENERATED_KIND.get(kind_named, kind_named)
    if link or share_text:
        meta["share"] = link or ""
        for extra in (link, share_text):
            if extra and extra not in text:
                text = f"{text}\n{extra}" if text else extra
    if media:
        meta["media"] = media
    elif not text.strip():
        return Skipped(index, "empty message", "")
    reactions = _reactions(entry.get("reactions"))
    if reactions:
        meta["reactions"] = reactions
    return Message(text=text, sender=sender, sent_at=sent_at, source_line=index, meta=meta)


def _reactions(value: Any) -> list[dict[str, str]]:
    """The `reactions` list of a message: who reacted how. Not messages of their own."""
    if not isinstance(value, list):
        return []
    return [
        {"reaction": fix_mojibake(r["reaction"]), "actor": _fixed(r.get("actor")) or ""}
        for r in value[:100]
        if isinstance(r, dict) and isinstance(r.get("reaction"), str)
    ]
