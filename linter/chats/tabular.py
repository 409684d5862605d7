"""Generic CSV and JSON Lines chats: one row per message, timestamp/sender/text columns."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from linter.messages import Message

from .common import ChatImportError, Item, Skipped, bounded_lines, iter_lines, read_head, validate_utf8
from .timestamps import TimeKind, parse_timestamp

ALIASES: dict[str, tuple[str, ...]] = {
    "timestamp": ("timestamp", "time", "date", "datetime", "sent_at"),
    "sender": ("sender", "from", "author", "name", "user"),
    "text": ("text", "message", "body", "content"),
}


def check_columns(columns: Mapping[str, str] | None) -> dict[str, str]:
    columns = dict(columns or {})
    unknown = sorted(set(columns) - set(ALIASES))
    if unknown:
        raise ChatImportError(
            f"unknown column role(s) {', '.join(unknown)}; use timestamp, sender and/or text"
        )
    return columns


def resolve(keys: list[str], columns: dict[str, str]) -> dict[str, str | None]:
    """Map each role to an actual key: the one named in `columns`, else the first alias."""
    by_lower = {}
    for key in keys:
        by_lower.setdefault(key.strip().lower(), key)
    found: dict[str, str | None] = {}
    for role, aliases in ALIASES.items():
        if role in columns:
            found[role] = by_lower.get(columns[role].strip().lower())
        else:
            found[role] = next((by_lower[a] for a in aliases if a in by_lower), None)
    return found


def looks_like_csv_header(line: str) -> bool:
    """A header naming a text column and at least one other known column."""
    delimiter = sniff_delimiter(line)
    names = {n.strip().strip('"').lower() for n in line.split(delimiter)}
    roles = [role for role, aliases in ALIASES.items() if names & set(aliases)]
    return "text" in roles and len(roles) >= 2


def sniff_delimiter(header: str) -> str:
    # A header line rarely quotes a delimiter, so the most frequent candidate wins.
    return max(",;\t|", key=header.count)


def _row_item(
    number: int, values: Mapping[str, Any], keys: dict[str, str | None], explicit: set[str], to_kind: TimeKind
) -> Item:
    missing = [role for role in ("text", *explicit) if keys.get(role) is None or keys[role] not in values]
    if missing:
        wanted = ", ".join(sorted(set(missing)))
        return Skipped(number, f"missing {wanted} field", _preview(values))
    text = values[keys["text"]]
    if not isinstance(text, str):
        return Skipped(number, f"text is {type_name(text)}, not a string", _preview(values))
    if not text.strip():
        return Skipped(number, "empty text", _preview(values))
    sent_at = None
    stamp = values.get(keys["timestamp"]) if keys["timestamp"] is not None else None
    # A bool is an int to Python, and a list or object would be read as its repr.
    if isinstance(stamp, (bool, list, dict)):
        return Skipped(number, f"timestamp is {type_name(stamp)}, not a date", _preview(values))
    if stamp not in (None, ""):
        try:
            sent_at = to_kind(parse_timestamp(stamp))
        except (ValueError, OverflowError, TypeError) as exc:
            return Skipped(number, f"bad timestamp: {exc}", _preview(values))
    sender = None
    if keys["sender"] is not None and keys["sender"] in values:
        sender = values[keys["sender"]]
        if not isinstance(sender, str):
            return Skipped(number, f"sender is {type_name(sender)}, not a string", _preview(values))
    return Message(
        text=text,
        sender=(sender.strip() or None) if sender is not None else None,
        sent_at=sent_at,
        source_line=number,
    )


def type_name(value: object) -> str:
    """How a JSON value's type is named in a skip reason: "null", "a number", "a list"..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _preview(values: Mapping[str, Any]) -> str:
    return json.dumps(dict(values), ensure_ascii=False, default=str)[:200]


class CsvParser:
    def __init__(self, path: Path, columns: Mapping[str, str] | None = None) -> None:
        self.path = path
        self.notes: list[str] = []
        self._explicit = check_columns(columns)
        first_line = read_head(path).split("\n", 1)[0].rstrip("\r")
        if not first_line.strip():
            raise ChatImportError(f"{path}: no CSV header row on line 1")
        self._delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(first_line)
        header = next(csv.reader([first_line], delimiter=self._delimiter))
        self._keys = resolve(header, self._explicit)
        for role in ("text", *self._explicit):
            if self._keys[role] is None:
                wanted = self._explicit.get(role) or "/".join(ALIASES[role])
                raise ChatImportError(
                    f"{path}: no {role} column ({wanted}) in the header; columns are: {', '.join(header)}"
                )
        self._width = len(header)

    def __iter__(self) -> Iterator[Item]:
        to_kind = TimeKind(self.notes)
        explicit = set(self._explicit)
        header: list[str] | None = None
        for start, row in csv_rows(self.path, self._delimiter, skip_header=False):
            if isinstance(row, Skipped):
                yield row
            elif header is None:
                header = row
            elif len(row) != self._width:
                reason = f"row has {len(row)} fields, the header has {self._width}"
                yield Skipped(start, reason, self._delimiter.join(row)[:200])
            else:
                yield _row_item(start, dict(zip(header, row)), self._keys, explicit, to_kind)


def csv_rows(path: Path, delimiter: str, *, skip_header: bool) -> Iterator[tuple[int, list[str] | Skipped]]:
    """(first line of the row, its fields or a Skipped for a malformed row), streaming.

    Blank lines are not rows. The header row comes first unless `skip_header`; a header
    that cannot be read at all is a ChatImportError.
    """
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        # strict: a stray quote becomes a reported error instead of a message that
        # silently swallows every row after it.
        reader = csv.reader(bounded_lines(fh, path), delimiter=delimiter, strict=True)
        try:
            header = next(reader, [])
        except csv.Error as exc:
            raise ChatImportError(f"{path}: malformed CSV header: {exc}") from None
        except UnicodeDecodeError:
            validate_utf8(path)
            raise
        if not skip_header:
            yield 1, header
        last_line = reader.line_num
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                start, last_line = last_line + 1, reader.line_num
                yield start, Skipped(start, f"malformed CSV row: {exc}", "")
                continue
            except UnicodeDecodeError:
                validate_utf8(path)
                raise
            start, last_line = last_line + 1, reader.line_num
            if row:  # a blank line: nothing was there to import
                yield start, row


class JsonlParser:
    def __init__(self, path: Path, columns: Mapping[str, str] | None = None) -> None:
        self.path = path
        self.notes: list[str] = []
        self._explicit = check_columns(columns)

    def __iter__(self) -> Iterator[Item]:
        to_kind = TimeKind(self.notes)
        for number, line in iter_lines(self.path):
            if not line.strip():
                continue
            try:
                values = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Skipped(number, f"not valid JSON: {exc.msg} at column {exc.colno}", line[:200])
                continue
            if not isinstance(values, dict):
                yield Skipped(number, "not a JSON object", line[:200])
                continue
            keys = resolve(list(values), self._explicit)
            yield _row_item(number, values, keys, set(self._explicit), to_kind)
