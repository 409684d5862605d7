"""`msglint review --format csv`: one row per finding, for spreadsheets.

Columns: timestamp, sender, source_line, category, rule, severity, message, text (the
flagged words), then message_text (the whole message) for context.

Message text is untrusted: a cell starting with = + - @ (or a tab / carriage return) would
run as a formula when the file is opened in a spreadsheet, so such cells get a leading
apostrophe, the usual neutraliser (spreadsheets show the text, not the apostrophe).
"""

from __future__ import annotations

import csv
import io
from typing import Iterable, Iterator, Mapping

COLUMNS = ("timestamp", "sender", "source_line", "category", "rule", "severity", "message", "text", "message_text")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def iter_render(rows: Iterable[Mapping[str, object]]) -> Iterator[str]:
    """The CSV text, one row at a time (the header first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([cell(row.get(c)) for c in COLUMNS])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def render(rows: Iterable[Mapping[str, object]]) -> str:
    return "".join(iter_render(rows))
