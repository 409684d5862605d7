"""Telegram Desktop JSON exports (`result.json`): one chat, or the whole account.

A whole-account export (`{"chats": {"list": [...]}}`) holds every chat; unless it holds
just one, `--with NAME|ID` picks the conversation (ConversationChoice lists them).

Each entry of the chosen chat's `messages` becomes one item:
- `type` "message" (or no `type`) -> a Message; media-only ones (photo, file, sticker,
  voice message, ...) have empty text and the media kind in meta["media"];
- `type` "service" -> a SystemLine of kind "service: <action>" (a call, a pin, a join);
- any other `type`, or a wrong-typed entry -> a counted Skipped.
The sender is `from`; when it is null or missing (deleted accounts) it is the name that
`from_id` has elsewhere in the chat, else the `from_id` itself; an entry with neither is
skipped ("no sender"): a message nobody can be attributed to cannot be read as yours or theirs.
"""

from __future__ import annotations

import reprlib
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from linter.messages import Message

from .common import ChatImportError, ConversationChoice, Item, Skipped, SystemLine, index_meta, load_export
from .timestamps import TimeKind, from_epoch

# A whole-account export without media is text only; past this it is not one the tool can
# hold in memory as a parsed document (json.load needs several times the file size).
MAX_BYTES = 512 * 1024 * 1024

# Keys Telegram uses for non-text content, and the media kind each one means. A message
# with one of them is a message even when its text is empty (a reply with a photo).
_MEDIA_KEYS = (
    ("photo", "photo"), ("sticker_emoji", "sticker"), ("poll", "poll"),
    ("location_information", "location"), ("contact_information", "contact"),
    ("game_title", "game"), ("invoice_information", "invoice"), ("place_name", "place"),
    ("file", "file"),
)
_MAX_DEPTH = 16  # of nested entity lists; Telegram writes two levels
_SURROGATE = re.compile("[\ud800-\udfff]")
_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 200


def preview(value: Any) -> str:
    """A short, printable rendering of a wrong-typed entry for a skip report."""
    text = value if isinstance(value, str) else _repr.repr(value)
    return _SURROGATE.sub("\ufffd", text[:200])


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
        messages = chat.get("messages")
        first = next((m for m in messages if isinstance(m, dict)), None) if isinstance(messages, list) else None
        if first is not None:
            return ("date" in first or "date_unixtime" in first) and "author" not in first
    return True


class TelegramParser:
    def __init__(self, path: Path, conversation: str | None = None) -> None:
        self.path = path
        self.notes: list[str] = []
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise ChatImportError(f"{path}: cannot read ({exc.strerror or exc})") from exc
        if size > MAX_BYTES:
            raise ChatImportError(
                f"{path}: {size:,} bytes is more than the {MAX_BYTES:,} a Telegram export may have here; "
                "export the one chat you need instead of the whole account"
            )
        try:
            document = load_export(path, looks_like_telegram, 'a Telegram export (no "messages" list)')
        except RecursionError:
            raise ChatImportError(f"{path}: JSON nested too deeply to be a Telegram export") from None
        single = isinstance(document.get("messages"), list)
        self._chat = _choose(path, chats_of(document), conversation, single)
        if not isinstance(self._chat.get("messages"), list):
            raise ChatImportError(f'{path}: the chat {_label(self._chat, 1)!r} has no "messages" list')

    def __iter__(self) -> Iterator[Item]:
        to_kind = TimeKind(self.notes)
        messages = self._chat["messages"]
        names = _names_by_id(messages)
        chat_name = self._chat.get("name")
        chat_name = _SURROGATE.sub("\ufffd", chat_name) if isinstance(chat_name, str) else None
        for index, entry in enumerate(messages, 1):
            item = _convert(entry, index, to_kind, names)
            if isinstance(item, Message) and isinstance(chat_name, str):
                item.meta["chat"] = chat_name
            yield item


# ---------------------------------------------------------------- choosing the chat


def _label(chat: dict, position: int) -> str:
    name = chat.get("name")
    return _SURROGATE.sub("\ufffd", name) if isinstance(name, str) and name.strip() else f"(unnamed chat {position})"


def _message_count(chat: dict) -> int:
    messages = chat.get("messages")
    if not isinstance(messages, list):
        return 0
    return sum(1 for m in messages if isinstance(m, dict) and m.get("type") in (None, "message"))


def _choose(path: Path, chats: list[dict], conversation: str | None, single: bool) -> dict:
    if single and conversation is None:
        return chats[0]
    if not chats:
        raise ChatImportError(f"{path}: a Telegram account export with no chats in it")
    labels = [_label(chat, n) for n, chat in enumerate(chats, 1)]
    # Two chats of one name ("Mum" twice) are told apart by id in the listing.
    duplicated = {label for label in labels if labels.count(label) > 1}
    listing = [
        (f"{label} (id {chat.get('id')})" if label in duplicated else label, _message_count(chat))
        for label, chat in zip(labels, chats)
    ]
    if conversation is None:
        if len(chats) == 1:
            return chats[0]
        raise ConversationChoice(
            f"{path}: a Telegram export with {len(chats)} chats; choose one with --with NAME or --with ID",
            listing,
        )
    wanted = conversation.strip().casefold()
    matches = [
        chat for chat, label, (shown, _) in zip(chats, labels, listing)
        if wanted in (label.casefold(), shown.casefold())
        or (chat.get("id") is not None and not isinstance(chat.get("id"), (dict, list))
            and wanted == str(chat["id"]).casefold())
    ]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ConversationChoice(
            f"{path}: {len(matches)} chats are named {conversation!r}; choose one with --with ID", listing,
        )
    raise ConversationChoice(f"{path}: no chat named {conversation!r} (or with that id) in this export", listing)


# ---------------------------------------------------------------- one entry


def _names_by_id(messages: list) -> dict[str, str]:
    """from_id -> name, from the entries that carry both (a deleted account has only the id)."""
    names: dict[str, str] = {}
    for entry in messages:
        if isinstance(entry, dict) and isinstance(entry.get("from"), str) and entry["from"].strip():
            key = _scalar(entry.get("from_id"))
            if key is not None:
                names.setdefault(key, entry["from"])
    return names


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value) if str(value).strip() else None


def _convert(entry: Any, index: int, to_kind: TimeKind, names: dict[str, str]) -> Item:
    if not isinstance(entry, dict):
        return Skipped(index, "not a message object", preview(entry))
    kind = entry.get("type")
    kind = "message" if kind is None else kind  # minimal exports leave it out
    text = render(entry)
    if kind == "service":
        action = entry.get("action")
        label = f"service: {action}" if isinstance(action, str) and action else "service"
        actor = entry.get("actor")
        description = text if text is not None and text.strip() else (
            f"{actor}: {label}" if isinstance(actor, str) else label
        )
        return SystemLine(index, _SURROGATE.sub("\ufffd", label[:80]), preview(description))
    if kind != "message":
        # A string type names a kind this tool does not know; anything else is damage.
        reason = f"unknown entry type {preview(kind)[:40]!r}" if isinstance(kind, str) else "entry type is not a string"
        return Skipped(index, reason, preview(text or ""))
    if text is None:
        return Skipped(index, "text is neither a string nor a list of text parts", preview(entry.get("text")))
    try:
        sent_at = to_kind(_sent_at(entry))
    except (ValueError, TypeError, OverflowError):
        return Skipped(index, "unparseable timestamp", preview(text))
    sender = entry.get("from")
    if not (isinstance(sender, str) and sender.strip()):
        from_id = _scalar(entry.get("from_id"))
        if from_id is None:
            return Skipped(index, "no sender (neither from nor from_id)", preview(text))
        sender = names.get(from_id, from_id)
    meta = index_meta()
    media = _media(entry)
    if media:
        meta["media"] = media
    elif not text.strip():
        return Skipped(index, "empty message", "")
    for key in ("id", "reply_to_message_id", "forwarded_from", "from_id"):
        value = _scalar(entry.get(key)) and entry[key]
        if value is not None:
            meta[key] = value
    if entry.get("edited") or entry.get("edited_unixtime"):
        meta["edited"] = True
    # Names are shown and compared (--me); half an emoji in one must not break either.
    sender = _SURROGATE.sub("\ufffd", sender)
    return Message(text=text, sender=sender, sent_at=sent_at, source_line=index, meta=meta)


def _media(entry: dict) -> str | None:
    media_type = entry.get("media_type")
    if isinstance(media_type, str) and media_type:
        return media_type  # sticker, voice_message, video_message, animation, audio_file…
    return next((kind for key, kind in _MEDIA_KEYS if entry.get(key)), None)


def render(entry: dict) -> str | None:
    """The message text: `text_entities` when well-formed, else `text` (a string, a list of
    strings and entity objects, or one entity object); None when neither is text."""
    entities = entry.get("text_entities")
    if isinstance(entities, list) and all(isinstance(e, dict) and isinstance(e.get("text"), str) for e in entities):
        from_entities = "".join(e["text"] for e in entities)
        # An empty or absent entity list next to a non-empty `text` is an older or edited
        # export that did not fill it in; the `text` is then the one to trust.
        if from_entities or "text" not in entry:
            return from_entities
    if "text" not in entry:
        return ""
    return _text(entry["text"], 0)


def _text(value: Any, depth: int) -> str | None:
    if isinstance(value, str):
        return value
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, dict):
        return _text(value.get("text", ""), depth + 1)
    if isinstance(value, list):
        parts = [_text(part, depth + 1) for part in value]
        return None if any(part is None for part in parts) else "".join(parts)
    if value is None:
        return ""
    return None


def _sent_at(entry: dict) -> datetime | None:
    # `date` is the exporting machine's wall-clock time, the same clock the user reads;
    # `date_unixtime` (newer exports, sometimes the only one) is the instant.
    date, unix = entry.get("date"), entry.get("date_unixtime")
    if isinstance(date, str):
        try:
            return datetime.fromisoformat(date)
        except ValueError:
            if unix is None:
                raise
    if isinstance(unix, bool) or isinstance(unix, (dict, list)):
        raise ValueError(f"date_unixtime is not a number: {unix!r}")
    if unix is not None:
        return from_epoch(float(unix))
    if date is not None:
        raise ValueError(f"date is not a string: {date!r}")
    return None
