"""WhatsApp "Export chat" .txt files (Android and iOS layouts, any locale)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from linter.messages import Message

from .common import ChatImportError, Item, Skipped, iter_lines, read_head, strip_bidi
from .whatsapp_header import DateOrder, Header, match_header

# Direction marks (and a stray BOM) that may precede a header, e.g. iOS's "\u200e[3/6/18 …]".
_LEADING_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"

# "Name: text"; a name never contains a quote (system lines quote group names, and
# 'Alice changed the subject to "a: b"' must not yield a sender 'Alice changed ... "a').
_AUTHOR = re.compile(r'(?P<name>[^:"]{1,80}?):(?: (?P<text>.*)|(?P<tight>\S.*)?)$')

_MEDIA = re.compile(
    r"<\s*(?:media|multimedia|medien|médias|mídia|medya)\b[^<>]*>"
    r"|<\s*attached:[^<>]+>"
    r"|.+\s<attached>"
    r"|(?:image|video|audio|sticker|gif|document|contact card|video note)\s+omitted"
    r"|.+\s+document omitted"
    r"|(?:imagen|video|audio|sticker|gif|documento)\s+omitid[oa]"
    r"|(?:bild|video|audio|sticker|gif|dokument)\s+weggelassen"
    r"|.+\s\((?:file attached|datei angehängt|archivo adjunto|fichier joint|arquivo anexado"
    r"|file allegato|bestand bijgevoegd)\)",
    re.IGNORECASE,
)
# How every _MEDIA form ends: a cheap test that spares most texts the full pattern.
_MEDIA_ENDINGS = (">", ")", "omitted", "omitido", "omitida", "weggelassen")


def _looks_like_media(line: str) -> bool:
    line = line.strip()
    return line[-12:].lower().endswith(_MEDIA_ENDINGS) and _MEDIA.fullmatch(line) is not None


_DELETED = re.compile(r"(?:this message was deleted|you deleted this message)\.?", re.IGNORECASE)
_EDITED = re.compile(r"\s*<this message was edited>\s*$", re.IGNORECASE)
_E2E = re.compile(
    r"messages and calls are end-to-end encrypted"
    r"|messages (?:you send )?to this (?:group|chat) are now secured with end-to-end encryption"
    r"|your security code with .+ changed",
    re.IGNORECASE,
)


class _Pending:
    """The item being assembled while its continuation lines are read (one per message,
    so a slotted class rather than a dataclass)."""

    __slots__ = ("line", "header", "sender", "lines", "skip_reason", "lrm_start")

    def __init__(self, line: int, header: Header, lines: list[str], sender: str | None = None, skip_reason: str | None = None, lrm_start: bool = False) -> None:
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

    def __iter__(self) -> Iterator[Item]:
        pending: _Pending | None = None
        for number, raw in iter_lines(self.path):
            line = clean_start(raw)
            header = match_header(line)
            if header is None:
                if pending is not None:
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
            return _Pending(number, header, [strip_bidi(header.rest)], skip_reason="system message")
        name, text, tight = author.group("name", "text", "tight")
        if text is None:
            text = tight or ""
        return _Pending(number, header, [strip_bidi(text)], sender=strip_bidi(name).strip(), lrm_start=text.startswith(("\u200e", "\u200f")))

    def _finish(self, item: _Pending) -> Item:
        text = "\n".join(item.lines).rstrip()
        if item.skip_reason:
            return Skipped(item.line, item.skip_reason, text)
        try:
            sent_at = item.header.timestamp(self._order.order_for(item.header))
        except ValueError:
            whole = "\n".join([item.raw, *item.lines[1:]]).rstrip()
            return Skipped(item.line, "unparseable timestamp", whole)
        meta: dict = {}
        first, _, caption = text.partition("\n")
        if _looks_like_media(first):
            meta["media"] = True
            text = caption.strip()
        elif _DELETED.fullmatch(text):
            return Skipped(item.line, "deleted message", text)
        elif item.lrm_start or _E2E.match(text):
            # iOS marks system notices (and only those, besides media) with a leading LRM,
            # attributing them to the group name as if it were a sender.
            return Skipped(item.line, "system message", text)
        edited = _EDITED.search(text)
        if edited:
            meta["edited"] = True
            text = text[: edited.start()]
        return Message(text=text, sender=item.sender, sent_at=sent_at, source_line=item.line, meta=meta)


def clean_start(line: str) -> str:
    return line.lstrip(_LEADING_MARKS)
