"""Guess an export's format from its first few KB and its file extension."""

from __future__ import annotations

import json
import re
from pathlib import Path

from . import discord, meta, telegram
from .android_sms import looks_like_android_sms
from .common import FORMATS, ChatImportError, check_readable, load_json, read_head
from .imessage import TIMESTAMP as IMESSAGE_TIMESTAMP
from .signal import HEADER as SIGNAL_HEADER, OLD_STYLE as SIGNAL_OLD_STYLE
from .tabular import looks_like_csv_header
from .whatsapp import clean_start
from .whatsapp_header import match_header

_SNIFF_LINES = 200
_JSON_START = re.compile(r"\s*(?:\{|\[\s*[{\]])")


def _key(name: str) -> re.Pattern[str]:
    # A key, not the same word inside a string value (where its quotes would be escaped).
    return re.compile(rf'(?<!\\)"{name}"\s*:')


_JSON_HINTS: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = (
    # (format, alternatives; each alternative is a set of keys that must all be present)
    ("messenger", (("sender_name", "timestamp_ms"), ("participants", "sender_name"))),
    ("discord", (("guild", "channel", "messages"), ("author", "timestamp", "content"))),
    (
        "telegram",
        (
            ("date_unixtime",), ("from_id",), ("text_entities",), ("personal_information",),
            ("chats", "list"), ("messages", "from", "date"),
        ),
    ),
)


def choices_hint() -> str:
    return f"pass --input-format with one of: {', '.join(FORMATS)} (text = one message per paragraph)"


def detect_format(path: str | Path) -> str:
    """Name of the export format of `path`; ChatImportError when it cannot tell."""
    path = Path(path)
    check_readable(path)
    head = read_head(path)
    if not head.strip():
        raise ChatImportError(f"{path}: file is empty (or only whitespace)")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    # "[" alone is not enough: WhatsApp iOS and Signal lines start with "[2019-…".
    if _JSON_START.match(head):
        found = _json_head(head) or _jsonl_head(head) or _json_structure(path)
        if found:
            return found
        raise ChatImportError(f"{path}: JSON, but not a chat export this tool knows; {choices_hint()}")
    if looks_like_android_sms(head):
        return "android-sms"
    found = _text_head(head, suffix)
    if found:
        return found
    raise ChatImportError(
        f"{path}: cannot tell which chat export this is (no known message header in the first "
        f"{len(head.encode())} bytes); {choices_hint()}"
    )


def _json_head(head: str) -> str | None:
    for name, alternatives in _JSON_HINTS:
        if any(all(_key(k).search(head) for k in keys) for keys in alternatives):
            return name
    return None


def _jsonl_head(head: str) -> str | None:
    lines = [line for line in head.splitlines() if line.strip()][:3]
    try:
        rows = [json.loads(line) for line in lines[:2]]
    except json.JSONDecodeError:
        return None
    # A minified single-line document is one object holding a "messages" list.
    if all(isinstance(row, dict) and not isinstance(row.get("messages"), list) for row in rows):
        return "jsonl"
    return None


def _json_structure(path: Path) -> str | None:
    """Last resort for JSON whose first KB were inconclusive (e.g. a long contacts list)."""
    document = load_json(path)
    if meta.looks_like_meta(document):
        return "messenger"
    if discord.looks_like_discord(document):
        return "discord"
    if telegram.looks_like_telegram(document):
        return "telegram"
    return None


def _text_head(head: str, suffix: str) -> str | None:
    lines = head.splitlines()[:_SNIFF_LINES]
    if lines and looks_like_csv_header(lines[0]):
        return "csv"
    if any(IMESSAGE_TIMESTAMP.match(line) and not line.startswith(" ") for line in lines):
        return "imessage"
    signal_lines = [line for line in lines if SIGNAL_HEADER.match(line)]
    # Newer signal-export headers ("[2024-01-02 13:14:15] Name:") are also a WhatsApp iOS
    # layout, so only the Markdown extension or the old comma layout settles it.
    if signal_lines and (suffix == ".md" or all(SIGNAL_OLD_STYLE.match(line) for line in signal_lines)):
        return "signal"
    if any(match_header(clean_start(line)) for line in lines):
        return "whatsapp"
    return None
