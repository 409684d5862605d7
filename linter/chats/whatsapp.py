"""WhatsApp "Export chat" .txt files (Android and iOS layouts, any locale)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from linter.messages import Message

from .common import ChatImportError, Item, Skipped, SystemLine, iter_lines, read_head, strip_bidi
from .whatsapp_header import DateOrder, Header, match_header
from .whatsapp_system import MEDIA, UNRECOGNISED, attached_matcher, notice

# Direction marks (and a stray BOM) that may precede a header, e.g. iOS's "\u200e[3/6/18 …]".
_LEADING_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"

# "Name: text"; a name never contains a quote (system lines quote group names, and
# 'Alice changed the subject to "a: b"' must not yield a sender 'Alice changed ... "a').
_AUTHOR = re.compile(r'(?P<name>[^:"]{1,80}?):(?: (?P<text>.*)|(?P<tight>\S.*)?)$')

_EDITED = re.compile(r"\s*<this message was edited>\s*$", re.IGNORECASE)
# C0 control characters (tab aside) never occur in a chat a phone wrote: such a line is
# damage or injected garbage, not more of the message above it.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Where a header can start (after direction marks): cheap gate before the shape test.
_HEADER_START = frozenset("0123456789[")
_MAX_SENDERS = 500  # names remembered to recognise "date - Sam hey" (colon lost)


class _Pending:
    """The item being assembled while its continuation lines are read (one per message,
    so a slotted class rather than a dataclass)."""

    __slots__ = ("line", "header", "sender", "lines", "skip_reason", "lrm_start")

    def __init__(self, line: int, header: Header | None, lines: list[str], sender: str | None = None, skip_reason: str | None = None, lrm_start: bool = False) -> None:
        self.line = line
        self.header = header
        self.lines = lines
        self.sender = sender
        self.skip_reason = skip_reason
        self.lrm_start = lrm_start

    @property
    def raw(self) -> str:
        """The header line as written, for skip reports."""
        return strip_bidi(f"{self.header.prefix} {self.header.rest}")


class WhatsAppParser:
    """Two passes over the file: one to learn the date order, one (per iteration) to yield."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.notes: list[str] = []
        if not any(match_header(clean_start(line)) for line in read_head(path).splitlines()):
            raise ChatImportError(
                f'{path}: not a WhatsApp export (no "date, time - Name: text" line in the first 8 KB)'
            )
        self._order = DateOrder()
        observe = self._order.observe_line
        for _, line in iter_lines(path):
            observe(line.lstrip(_LEADING_MARKS))
        self._order.decide(self.notes)
        self._attached = attached_matcher()

    def __iter__(self) -> Iterator[Item]:
        pending: _Pending | None = None
        self._senders: set[str] = set()
        damaged = self._order.shapes.damaged
        for number, raw in iter_lines(self.path):
            line = clean_start(raw)
            header = match_header(line)
            if header is None:
                if line[:1] in _HEADER_START and damaged(line):
                    # Its own entry: the lines after it are its text, not the previous sender's.
                    if pending is not None:
                        yield self._finish(pending)
                    pending = _Pending(number, None, [strip_bidi(raw)], skip_reason="damaged message header")
                elif _CONTROL.search(raw):
                    yield Skipped(number, "damaged line (control characters)", raw)
                elif pending is not None:
                    pending.lines.append(strip_bidi(raw))
                elif raw.strip():
                    yield Skipped(number, "not a message line", raw)
                continue
            if pending is not None:
                yield self._finish(pending)
            pending = self._start(number, header)
        if pending is not None:
            yield self._finish(pending)

    def _start(self, number: int, header: Header) -> _Pending:
        author = _AUTHOR.match(header.rest)
        if author is None:
            return _Pending(number, header, [strip_bidi(header.rest)])
        name, text, tight = author.group("name", "text", "tight")
        if text is None:
            text = tight or ""
        return _Pending(number, header, [strip_bidi(text)], sender=strip_bidi(name).strip(), lrm_start=text.startswith(("\u200e", "\u200f")))

    def _finish(self, item: _Pending) -> Item:
        text = "\n".join(item.lines).rstrip()
        if item.skip_reason:
            return Skipped(item.line, item.skip_reason, text)
        if item.sender is None:
            return self._senderless(item, text)
        try:
            sent_at = item.header.timestamp(self._order.order_for(item.header))
        except ValueError:
            whole = "\n".join([item.raw, *item.lines[1:]]).rstrip()
            return Skipped(item.line, "unparseable timestamp", whole)
        meta: dict = {}
        first, _, caption = text.partition("\n")
        kind = self._attached(first)
        if kind == MEDIA:
            meta["media"] = True
            text = caption.strip()
        elif kind is not None and not caption:
            return SystemLine(item.line, kind, text)
        elif item.lrm_start:
            # iOS marks its own notices (and only those, besides media) with a leading LRM,
            # attributing them to the group name as if it were a sender.
            return SystemLine(item.line, notice(first) or UNRECOGNISED, text)
        edited = _EDITED.search(text)
        if edited:
            meta["edited"] = True
            text = text[: edited.start()]
        if len(self._senders) < _MAX_SENDERS:
            self._senders.add(item.sender)
        return Message(text=text, sender=item.sender, sent_at=sent_at, source_line=item.line, meta=meta)

    def _senderless(self, item: _Pending, text: str) -> Item:
        """A header with no "Name:" part: WhatsApp's own notice, or a header that lost its colon."""
        first = item.lines[0]
        kind = notice(first)
        if kind is not None:
            return SystemLine(item.line, kind, text)
        whole = "\n".join([item.raw, *item.lines[1:]]).rstrip()
        if any(first.startswith(name + " ") for name in self._senders):
            return Skipped(item.line, "damaged message header", whole)
        return Skipped(item.line, "unrecognised system line", whole)


def clean_start(line: str) -> str:
    return line.lstrip(_LEADING_MARKS)
