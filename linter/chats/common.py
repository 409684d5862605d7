"""Pieces every importer shares: the error and skip types, safe file access, JSON loading."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO, Union

from ..errors import MsglintError
from ..messages import Message

HEAD_BYTES = 8192
# One line of a text export, in characters: far above any real message (WhatsApp stops a
# message at 65,536), and what bounds the memory one line can take.
MAX_LINE = 1 << 20

FORMATS: tuple[str, ...] = (
    "whatsapp", "telegram", "csv", "jsonl", "messenger", "signal", "imessage", "imessage-db", "discord", "android-sms",
    "text",
)

# WhatsApp (and some other exporters) wrap names and placeholders in these invisible
# direction marks; they would make "Alice" and "\u200eAlice" two different senders.
_BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class ChatImportError(MsglintError):
    """Input that cannot be imported at all. `str()` is one line meant for the user."""


@dataclass
class Skipped:
    """One input entry that could not or should not be read as a message, and why
    (damaged, wrong type, empty). `--strict` makes any of these fatal."""

    line: int | None
    reason: str
    text: str = ""


@dataclass
class SystemLine:
    """One entry the app wrote, not a person: an encryption notice, a join, a missed
    call, "This message was deleted". Counted in the report, never linted, never a skip."""

    line: int | None
    kind: str  # short, stable, English: "encryption notice", "media omitted", ...
    text: str = ""


class ConversationChoice(ChatImportError):
    """The source holds several conversations (an SMS backup, chat.db, a full Telegram
    export) and none was chosen, or the chosen one is not there.

    `conversations` lists (name, message count) so the CLI can show the choices.
    """

    def __init__(self, message: str, conversations: list[tuple[str, int]]) -> None:
        super().__init__(message)
        self.conversations = conversations


Item = Union[Message, Skipped, SystemLine]


class Parser(Protocol):
    """What each format module provides: eager checks in __init__, items on iteration.

    Every entry of the source becomes exactly one item (a Message, a SystemLine or a
    Skipped), so the counts add up. A parser whose source records which side sent each
    message also sets `me` to the sender name it gives your own messages.
    """

    notes: list[str]

    def __iter__(self) -> Iterator[Item]: ...


def strip_bidi(text: str) -> str:
    return text if text.isascii() else _BIDI_MARKS.sub("", text)


def add_note(notes: list[str], note: str) -> None:
    # Parsers may run several times over one import; a note must not pile up.
    if note not in notes:
        notes.append(note)


def check_readable(path: Path) -> None:
    """Raise a one-line ChatImportError unless `path` is a regular, readable file."""
    if not path.exists():
        raise ChatImportError(f"{path}: no such file")
    if path.is_dir():
        raise ChatImportError(
            f"{path}: is a directory; pass the export file inside it "
            "(e.g. _chat.txt, result.json, message_1.json)"
        )
    if not path.is_file():
        # A pipe would block the open below and a device (/dev/zero) never ends.
        raise ChatImportError(f"{path}: not a regular file (a device, pipe or socket); pass the export file")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise ChatImportError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def validate_utf8(path: Path, chunk_size: int = 1 << 16) -> None:
    """Stream the file once and name the first byte that is not UTF-8.

    Done up front so a bad byte is reported with its offset and line before any message is
    yielded, instead of surfacing half-way through linting as a bare UnicodeDecodeError.
    """
    offset = 0  # absolute offset of `pending[0]`
    newlines = 0
    pending = b""
    with path.open("rb") as fh:
        first = fh.read(4)
        if first[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            raise ChatImportError(f"{path}: file is UTF-16 encoded; re-save it as UTF-8")
        fh.seek(0)
        while True:
            chunk = fh.read(chunk_size)
            final = not chunk
            data = pending + chunk
            try:
                _, consumed = codecs.utf_8_decode(data, "strict", final)
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
                line = newlines + data.count(b"\n", 0, exc.start) + 1
                raise ChatImportError(
                    f"{path}: byte 0x{data[exc.start]:02x} at offset {bad} (line {line}) "
                    "is not valid UTF-8; re-save the export as UTF-8"
                ) from None
            newlines += data.count(b"\n", 0, consumed)
            offset += consumed
            pending = data[consumed:]
            if final:
                return


def read_head(path: Path, size: int = HEAD_BYTES) -> str:
    """The first `size` bytes as text (BOM removed; a character cut at the end is dropped)."""
    with path.open("rb") as fh:
        raw = fh.read(size)
    return raw.decode("utf-8-sig", errors="ignore")


def bounded_lines(fh: TextIO, path: Path) -> Iterator[str]:
    """The lines of `fh` (newline kept), each read with at most MAX_LINE + 1 characters in
    memory; ChatImportError for a longer one, so a 50 MB line costs no more than a short one."""
    number = 0
    while True:
        line = fh.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE and not line.endswith(("\n", "\r")):
            raise ChatImportError(f"{path}: line {number:,} is over {MAX_LINE:,} characters; not a chat export (no app writes a message that long)")
        yield line


def iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, line without its newline), streaming the file."""
    try:
        with path.open("r", encoding="utf-8-sig", newline=None) as fh:
            for number, line in enumerate(bounded_lines(fh, path), 1):
                yield number, line.rstrip("\n")
    except UnicodeDecodeError:
        # The file changed since validation, or was never validated: report it properly.
        validate_utf8(path)
        raise


def load_export(path: Path, looks_like, what: str) -> Any:
    """The JSON document of an export, or ChatImportError saying it is not `what`."""
    document = load_json(path)
    if not looks_like(document):
        raise ChatImportError(f"{path}: not {what}")
    return document


def load_json(path: Path) -> Any:
    """Parse a whole JSON document, turning syntax errors into a one-line ChatImportError."""
    try:
        with path.open("r", encoding="utf-8-sig") as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise ChatImportError(
            f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except UnicodeDecodeError:
        validate_utf8(path)
        raise


def index_meta(meta: dict | None = None) -> dict:
    """Meta for JSON sources, where `source_line` holds the message's 1-based list index."""
    meta = dict(meta or {})
    meta["source_line_is_index"] = True
    return meta
