"""signal-export Markdown chats: `[2019-05-29, 15:04] Name: text`, continuation lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from linter.messages import Message

from .common import ChatImportError, Item, Skipped, SystemLine, iter_lines, read_head, strip_bidi
from .header_shape import NAME_COLON, HeaderShape

# Old releases wrote "[YYYY-MM-DD, HH:MM]", newer ones "[YYYY-MM-DD HH:MM:SS]".
HEADER = re.compile(
    r"^\[(?P<date>\d{4}-\d{2}-\d{2}),? (?P<time>\d{2}:\d{2}(?::\d{2})?)\] (?P<name>[^:]+?): ?(?P<text>.*)$"
)
OLD_STYLE = re.compile(r"^\[\d{4}-\d{2}-\d{2}, \d{2}:\d{2}\] ")
# Attachments and stickers link to files beside the export ("./media/..."); user-typed
# Markdown links point elsewhere and stay in the text.
_ATTACHMENT = re.compile(r"!?\[[^\]]*\]\(\.{1,2}/[^)]*\)\s*")
_REACTIONS = re.compile(r"\n?\(- (?P<list>.*) -\)\s*$")
_STICKER = re.compile(r"\n?\(\( (?P<label>.*) \)\)\s*$")
_DELETED = "(This message was deleted)"
# Both header layouts, for telling a damaged header from a body line (header_shape.py).
_SHAPES = HeaderShape(NAME_COLON, ("[2019-05-29, 15:04] ", "[2019-05-29 15:04:05] "))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SignalParser:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.notes: list[str] = []
        if not any(HEADER.match(line) for line in read_head(path).splitlines()):
            raise ChatImportError(
                f"{path}: not a signal-export chat "
                '(no "[YYYY-MM-DD, HH:MM] Name: text" line in the first 8 KB)'
            )

    def __iter__(self) -> Iterator[Item]:
        start: int | None = None
        head: re.Match[str] | None = None
        lines: list[str] = []
        damaged: Skipped | None = None  # the last damaged header, gathering its own lines
        for number, raw in iter_lines(self.path):
            match = HEADER.match(raw)
            if match is None:
                if raw[:1] == "[" and _SHAPES.damaged(raw):
                    # Its own entry: the lines after it are its text, not the previous sender's.
                    if head is not None:
                        yield _finish(start, head, lines)
                    head = None
                    damaged = Skipped(number, "damaged message header", raw)
                    yield damaged
                elif _CONTROL.search(raw):
                    yield Skipped(number, "damaged line (control characters)", raw)
                elif head is not None:
                    lines.append(raw)
                elif damaged is not None:
                    damaged.text += "\n" + raw
                elif raw.strip():
                    yield Skipped(number, "not a message line", raw)
                continue
            if head is not None:
                yield _finish(start, head, lines)
            start, head, lines, damaged = number, match, [match.group("text")], None
        if head is not None:
            yield _finish(start, head, lines)


def _finish(line: int, head: re.Match[str], lines: list[str]) -> Item:
    text = "\n".join(lines).rstrip()
    try:
        time = head.group("time")
        sent_at = datetime.strptime(
            f"{head.group('date')} {time}", "%Y-%m-%d %H:%M:%S" if time.count(":") == 2 else "%Y-%m-%d %H:%M"
        )
    except ValueError:
        return Skipped(line, "unparseable timestamp", head.group(0))
    if text == _DELETED:
        return SystemLine(line, "deleted message", text)
    meta: dict = {}
    reactions = _REACTIONS.search(text)
    if reactions:
        meta["reactions"] = reactions.group("list")
        text = text[: reactions.start()]
    sticker = _STICKER.search(text)
    if sticker:
        meta["media"] = True
        text = text[: sticker.start()]
    # A reply starts with the quoted text, one "> " line per quoted line.
    body = text.split("\n")
    quoted = [part[2:] for part in body if part.startswith("> ")]
    if quoted and body[: len(quoted)] == ["> " + q for q in quoted]:
        meta["quote"] = "\n".join(quoted)
        body = body[len(quoted):]
    text = "\n".join(body)
    without_attachments = _ATTACHMENT.sub("", text)
    if without_attachments != text:
        meta["media"] = True
        text = without_attachments
    return Message(
        text=text.strip(),
        sender=strip_bidi(head.group("name")).strip(),
        sent_at=sent_at,
        source_line=line,
        meta=meta,
    )
