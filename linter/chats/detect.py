"""Tell an export's format from its first few KB (and its file extension).

Each text format is scored by its own structure: the share of the sniffed non-blank lines
that are its message headers, or a block or header row it must have. The one clear winner
is chosen; when nothing clearly wins, the file is refused with one line saying what it
looks like instead. A near miss is never guessed: one header-like line among two hundred
lines of prose is prose.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import discord, discord_text, meta, telegram
from .android_sms import looks_like_android_sms
from .common import FORMATS, ChatImportError, check_readable, load_json, read_head
from .imessage import TIMESTAMP as IMESSAGE_TIMESTAMP
from .signal import HEADER as SIGNAL_HEADER, OLD_STYLE as SIGNAL_OLD_STYLE
from .tabular import looks_like_csv_header, sniff_delimiter
from .whatsapp import clean_start
from .whatsapp_header import match_header

_SNIFF_LINES = 200
_JSON_START = re.compile(r"\s*(?:\{|\[\s*[{\]])")
# A format's headers must be at least this share of the non-blank lines, or (when the first
# line is one, as in every real export) at least _MIN_HEADERS of them at _MIN_SHARE_LED:
# long multi-line messages lower the share, a stray header-like line in prose does not lead.
_MIN_SHARE = 0.2
_MIN_SHARE_LED = 0.03
_MIN_HEADERS = 2
# Of two formats that both pass, the winner must have this many times the other's share.
_CLEAR_MARGIN = 2.0

_NAMES = {
    "whatsapp": "WhatsApp", "signal": "signal-export", "imessage": "imessage-exporter",
    "discord": "DiscordChatExporter TXT", "csv": "CSV",
}
# A format whose structure is a stricter form of another's wins over it on the same lines:
# signal-export's "[2024-01-02 13:14:15] Name:" is also a WhatsApp iOS header, and a
# DiscordChatExporter TXT body may hold WhatsApp-like lines, but its ==== block decides.
_PREFERRED_OVER = {"signal": {"whatsapp"}, "discord": {"whatsapp", "signal", "imessage"}}


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


@dataclass(frozen=True)
class Evidence:
    """What the sniffed lines say for one format."""

    format: str
    headers: int  # lines that are this format's message headers
    lines: int  # non-blank lines sniffed
    passed: bool  # the format's own structural test
    why: str = ""  # for a format that fails despite some headers: what is missing

    @property
    def share(self) -> float:
        return self.headers / self.lines if self.lines else 0.0


def detect_format(path: str | Path) -> str:
    """Name of the export format of `path`; ChatImportError (one line) when it cannot tell."""
    path = Path(path)
    check_readable(path)
    head = read_head(path)
    if not head.strip():
        raise ChatImportError(f"{path}: file is empty (or only whitespace)")
    suffix = path.suffix.lower()
    first_line = head.split("\n", 1)[0]
    if discord_text.is_csv_header(first_line):
        return "discord"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    # "[" alone is not enough: WhatsApp iOS and Signal lines start with "[2019-…".
    if _JSON_START.match(head):
        found = _json_head(head) or _jsonl_head(head)
        if found:
            return found
        document = load_json(path)
        found = _json_structure(document)
        if found:
            return found
        raise ChatImportError(f"{path}: not a chat export this tool knows: {_describe_json(document)}; {choices_hint()}")
    if looks_like_android_sms(head):
        return "android-sms"
    lines = head.splitlines()[:_SNIFF_LINES]
    evidence = text_evidence(lines, suffix)
    return _choose(path, evidence) or _refuse(path, head, lines, evidence)


# ---------------------------------------------------------------- JSON


def _json_head(head: str) -> str | None:
    for name, alternatives in _JSON_HINTS:
        if any(all(_key(k).search(head) for k in keys) for keys in alternatives):
            return name
    return None


def _jsonl_head(head: str) -> str | None:
    lines = [line for line in head.splitlines() if line.strip()][:3]
    if len(lines) < 2:
        return None  # one line is a whole (minified) document, not a stream of rows
    try:
        rows = [json.loads(line) for line in lines[:2]]
    except json.JSONDecodeError:
        return None
    # A minified single-line document is one object holding a "messages" list.
    if all(isinstance(row, dict) and not isinstance(row.get("messages"), list) for row in rows):
        return "jsonl"
    return None


def _json_structure(document: Any) -> str | None:
    """Last resort for JSON whose first KB were inconclusive (e.g. a long contacts list)."""
    if meta.looks_like_meta(document):
        return "messenger"
    if discord.looks_like_discord(document):
        return "discord"
    if telegram.looks_like_telegram(document):
        return "telegram"
    return None


def _keys(value: dict) -> str:
    names = [str(k)[:30] for k in list(value)[:8]]
    more = ", …" if len(value) > 8 else ""
    return ", ".join(repr(n) for n in names) + more if names else "none"


def _describe_json(document: Any) -> str:
    if isinstance(document, dict):
        return f"JSON of an unknown shape with keys {_keys(document)}"
    if isinstance(document, list):
        first = next((item for item in document if isinstance(item, dict)), None)
        if first is not None:
            return f"a JSON list of {len(document)} item(s) of an unknown shape, the first with keys {_keys(first)}"
        return f"a JSON list of {len(document)} item(s), none of them an object"
    return f"a lone JSON {type(document).__name__}"


# ---------------------------------------------------------------- text


def _enough(headers: int, lines: int, led: bool) -> bool:
    if headers == 0 or lines == 0:
        return False
    share = headers / lines
    return share >= _MIN_SHARE or (led and headers >= _MIN_HEADERS and share >= _MIN_SHARE_LED)


def _whatsapp_header(line: str) -> bool:
    line = clean_start(line)
    header = match_header(line)
    if header is None:
        return False
    # "[date] rest" with no "Name:" is not a WhatsApp message (iOS names every sender, and
    # its system lines carry the group's name); it is how DiscordChatExporter TXT looks.
    return not line.startswith("[") or ":" in header.rest


def text_evidence(lines: list[str], suffix: str = "") -> list[Evidence]:
    """The evidence for each text format in the sniffed `lines`."""
    nonblank = [line for line in lines if line.strip()]
    n = len(nonblank)
    first = nonblank[0] if nonblank else ""
    found: list[Evidence] = []

    whatsapp = sum(map(_whatsapp_header, nonblank))
    found.append(Evidence("whatsapp", whatsapp, n, _enough(whatsapp, n, _whatsapp_header(first))))

    signal_lines = [line for line in nonblank if SIGNAL_HEADER.match(line)]
    signal_ok = _enough(len(signal_lines), n, bool(SIGNAL_HEADER.match(first)))
    # Newer signal-export headers are also a WhatsApp iOS layout: only the Markdown
    # extension or the old comma layout settles it.
    specific = suffix == ".md" or all(SIGNAL_OLD_STYLE.match(line) for line in signal_lines)
    found.append(Evidence("signal", len(signal_lines), n, signal_ok and specific))

    def imessage_line(line: str) -> bool:
        return bool(IMESSAGE_TIMESTAMP.match(line)) and not line.startswith(" ")

    imessage = sum(map(imessage_line, nonblank))
    found.append(Evidence("imessage", imessage, n, _enough(imessage, n, imessage_line(first))))

    discord_headers = discord_text.message_headers(lines)
    has_block = discord_text.has_text_preamble(lines)
    found.append(Evidence(
        "discord", discord_headers, n, has_block,
        "" if has_block else "no ==== block with Guild: and Channel: at the top",
    ))

    csv_header = bool(lines) and looks_like_csv_header(lines[0])
    found.append(Evidence("csv", n if csv_header else 0, n, csv_header))
    return found


def _choose(path: Path, evidence: list[Evidence]) -> str | None:
    passed = [e for e in evidence if e.passed]
    names = {e.format for e in passed}
    passed = [e for e in passed if not any(e.format in _PREFERRED_OVER.get(other, ()) for other in names)]
    if not passed:
        return None
    if len(passed) == 1:
        return passed[0].format
    passed.sort(key=lambda e: e.share, reverse=True)
    best, second = passed[0], passed[1]
    if best.share >= _CLEAR_MARGIN * second.share:
        return best.format
    raise ChatImportError(
        f"{path}: cannot tell which chat export this is: {best.headers} of {best.lines} non-blank lines look like "
        f"{_NAMES[best.format]} message headers and {second.headers} like {_NAMES[second.format]} ones; "
        f"{choices_hint()}"
    )


# ---------------------------------------------------------------- what it is instead

_EMAIL_HEADER = re.compile(
    r"(?:From|To|Cc|Subject|Date|Message-ID|Received|Return-Path|MIME-Version|Content-Type|Delivered-To|X-[\w-]+): ",
    re.IGNORECASE,
)
_MBOX_FROM = re.compile(r"From \S+ +\S.*\d{4}\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _refuse(path: Path, head: str, lines: list[str], evidence: list[Evidence]) -> str:
    raise ChatImportError(f"{path}: not a chat export this tool recognises: {_describe_text(head, lines, evidence)}; {choices_hint()}")


def _describe_text(head: str, lines: list[str], evidence: list[Evidence]) -> str:
    lowered = head[:4096].lower()
    nonblank = [line for line in lines if line.strip()]
    if len(_CONTROL.findall(head)) > len(head) / 20:
        return "looks like binary data, not text"
    if "<html" in lowered or "<!doctype html" in lowered:
        if "chatlog__" in lowered or "discordchatexporter" in lowered:
            return "looks like a DiscordChatExporter HTML export (export the channel as JSON, TXT or CSV instead)"
        if 'class="history"' in lowered or "page_wrap" in lowered:
            return "looks like a Telegram HTML export (export it as machine-readable JSON instead)"
        return "looks like an HTML page"
    if lowered.lstrip().startswith("<?xml"):
        root = re.search(r"<([A-Za-z_][\w.-]*)[\s>]", head[head.find("?>") + 2:] if "?>" in head else head)
        return f"looks like XML (root element <{root.group(1)}>)" if root else "looks like XML"
    if nonblank and (_MBOX_FROM.match(nonblank[0]) or sum(bool(_EMAIL_HEADER.match(x)) for x in nonblank[:12]) >= 3):
        return "looks like an email/mbox"
    near = max((e for e in evidence if e.headers and not e.passed), key=lambda e: e.headers, default=None)
    if near is not None and near.format == "discord" and near.why:
        return f"looks like DiscordChatExporter TXT messages, but {near.why}"
    if near is not None and near.format != "csv":
        return (
            f"looks like plain prose: only {near.headers} of {near.lines} non-blank lines look like "
            f"{_NAMES[near.format]} message headers, too few for an export"
        )
    table = _table_columns(nonblank)
    if table:
        return f"looks like a table with columns {table}, none of them named text, message, body or content"
    return "looks like plain prose, with no message header a supported export writes"


def _table_columns(lines: list[str]) -> str | None:
    """The header of what looks like a delimited table: the same delimiter count on most lines."""
    if len(lines) < 2:
        return None
    delimiter = sniff_delimiter(lines[0])
    width = lines[0].count(delimiter)
    if width < 1:
        return None
    rows = lines[1:20]
    if sum(line.count(delimiter) == width for line in rows) < max(1, len(rows) * 0.8):
        return None
    names = [name.strip().strip('"')[:30] for name in lines[0].split(delimiter)][:8]
    return ", ".join(names)
