"""DiscordChatExporter plain-text (TXT) and CSV exports.

TXT: a block between two rules of "=" (Guild:, Channel:, optional Topic:/After:/Before:),
then one block per message: "[date] Author" (plus " (pinned)"), the content, a blank line,
then optional {Attachments}/{Embed}/{Stickers}/{Reactions} sections, then a blank line;
at the end a rule, "Exported N message(s)" and a rule. CSV: the header
AuthorID,Author,Date,Content,Attachments,Reactions and one quoted row per message.

Dates are written with the exporting machine's culture ("1/2/2023 3:04 PM",
"02.01.2023 15:04", the old default "02-Jan-23 03:04 PM"), so the day/month order of
numeric dates is decided once per file from its own evidence, as for WhatsApp.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from dateutil import parser as dateutil_parser

from linter.messages import Message

from .common import ChatImportError, Item, Skipped, SystemLine, add_note, iter_lines, read_head
from .tabular import csv_rows
from .timestamps import TimeKind, parse_iso

RULE = re.compile(r"={20,}\s*")
_BLOCK_FIELDS = ("Guild", "Channel", "Topic", "After", "Before")
_EXPORTED = re.compile(r"Exported (?P<count>[\d,.\u00a0\u202f ']+) message\(s\)\s*")
# Discord names cannot hold "[" or "]" in the date part; the author is the rest of the line.
HEADER = re.compile(r"\[(?P<date>[^\[\]]{4,64})\] (?P<name>\S.*?)(?P<pinned> \(pinned\))?\s*")
SECTIONS = {"{Attachments}": "attachments", "{Embed}": "embeds", "{Stickers}": "stickers", "{Reactions}": "reactions"}
CSV_HEADER = "AuthorID,Author,Date,Content,Attachments,Reactions"
CSV_COLUMNS = ("authorid", "author", "date", "content", "attachments", "reactions")

# What the exporter writes in place of the content of an app-written event (its
# "fallback content"). A person could type one of these sentences, but exactly, alone, and
# in a channel export that is far rarer than the event itself.
_SYSTEM_TEXTS = (
    (r"Added .+ to the group\.|Added a recipient\.", "member added"),
    (r"Left the group\.", "member left"),
    (r"Removed .+ from the group\.|Removed a recipient\.", "member removed"),
    (r"Started a call(?: that lasted [\d,.]+ minutes)?\.", "call"),
    (r"Changed the channel name(?:: .+|\.)", "channel renamed"),
    (r"Changed the channel icon\.", "channel icon changed"),
    (r"Pinned a message\.", "message pinned"),
    (r"Started a thread\.", "thread created"),
    (r"Joined the server\.", "member joined"),
)
# One pattern, one match per message: group i holds kind i.
_SYSTEM = re.compile("|".join(f"({pattern})" for pattern, _ in _SYSTEM_TEXTS))

_NUMERIC = re.compile(
    r"(?P<a>\d{1,4})(?P<sep>[./-]) ?(?P<b>\d{1,2})(?P=sep) ?(?P<c>\d{1,4})\.?"
    r"(?:,? +|T)(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2})(?:[.,]\d{1,7})?)?"
    r"(?: ?(?P<ampm>[AaPp])\.? ?[Mm]\.?)?"
)
# English month names: the old default "dd-MMM-yy hh:mm tt" ("02-Jan-23 03:04 PM") and
# US long dates ("Jan 2, 2023 3:04 PM"), read without dateutil (which is slow per line).
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_TIME = r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?: ?(?P<ampm>[AaPp])\.? ?[Mm]\.?)?"
_DAY_MONTH = re.compile(rf"(?P<d>\d{{1,2}})[- ](?P<mon>[A-Za-z]{{3,9}})\.?[- ](?P<y>\d{{2}}|\d{{4}}),? {_TIME}")
_MONTH_DAY = re.compile(rf"(?P<mon>[A-Za-z]{{3,9}})\.? (?P<d>\d{{1,2}}),? (?P<y>\d{{4}}),? {_TIME}")
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2001, 2, 2)
DAY_FIRST, MONTH_FIRST = "day-first (D/M)", "month-first (M/D)"


def system_kind(text: str) -> str | None:
    """The kind of app-written event whose fallback content `text` is, else None."""
    match = _SYSTEM.fullmatch(text) if len(text) < 2000 else None
    return _SYSTEM_TEXTS[match.lastindex - 1][1] if match else None


def has_text_preamble(lines: list[str]) -> bool:
    """The TXT export's opening block: a rule, Guild: and Channel: lines, a closing rule."""
    lines = [line.lstrip("\ufeff") for line in lines[:40]]
    if not lines or not RULE.fullmatch(lines[0]):
        return False
    closing = next((i for i in range(1, len(lines)) if RULE.fullmatch(lines[i])), None)
    if closing is None:
        return False
    inner = lines[1:closing]
    return any(line.startswith("Guild: ") for line in inner) and any(line.startswith("Channel: ") for line in inner)


def is_csv_header(line: str) -> bool:
    """The exact header DiscordChatExporter writes (quotes and case aside)."""
    try:
        names = next(csv.reader([line.lstrip("\ufeff").rstrip("\r\n")]), [])
    except csv.Error:
        return False
    return tuple(name.strip().lower() for name in names) == CSV_COLUMNS


def message_headers(lines: list[str]) -> int:
    """How many lines are TXT message headers (each after a blank line, with a real date)."""
    count = 0
    previous = ""
    for line in lines:
        match = HEADER.fullmatch(line) if not previous.strip() else None
        if match and _plausible(match.group("date")):
            count += 1
        previous = line
    return count


# ---------------------------------------------------------------- dates


_DIGITS = re.compile(r"\d+")
_LETTERS = re.compile(r"[^\W\d_]+")


def _shape(text: str) -> str:
    """"02-Jan-23 03:04 PM" and "31-Dec-24 11:59 AM" alike: digits and letters collapsed."""
    return _DIGITS.sub("9", _LETTERS.sub("a", text))


def _numeric_date(match: re.Match[str], order: str) -> datetime:
    a, b, c = match.group("a", "b", "c")
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    else:
        first, second = int(a), int(b)
        day, month = (first, second) if order == DAY_FIRST else (second, first)
        year = int(c) + (2000 if len(c) <= 2 else 0)
    return _clock(match, year, month, day)


def _named_month(text: str) -> datetime | None:
    match = _DAY_MONTH.fullmatch(text) or _MONTH_DAY.fullmatch(text)
    month = _MONTHS.get(match.group("mon")[:3].lower()) if match else None
    if match is None or month is None:
        return None
    year = match.group("y")
    return _clock(match, int(year) + (2000 if len(year) == 2 else 0), month, int(match.group("d")))


def _clock(match: re.Match[str], year: int, month: int, day: int) -> datetime:
    hour, minute, second = int(match.group("H")), int(match.group("M")), int(match.group("S") or 0)
    ampm = match.group("ampm")
    if ampm and 1 <= hour <= 12:
        hour = hour % 12 + (12 if ampm in "pP" else 0)
    return datetime(year, month, day, hour, minute, second)


def _dateutil(text: str, dayfirst: bool) -> datetime:
    try:
        first = dateutil_parser.parse(text, default=_DEFAULT_A, dayfirst=dayfirst)
        second = dateutil_parser.parse(text, default=_DEFAULT_B, dayfirst=dayfirst)
    except (ValueError, OverflowError, TypeError) as exc:
        raise ValueError(f"unrecognised date {text!r}") from exc
    if first.date() != second.date():
        raise ValueError(f"date {text!r} has no full date")
    return first


def _plausible(text: str) -> bool:
    """A full date and time in some order: enough to tell a header from a "[note] x" line."""
    match = _NUMERIC.fullmatch(text.strip())
    if match:
        for order in (DAY_FIRST, MONTH_FIRST):
            try:
                _numeric_date(match, order)
                return True
            except ValueError:
                pass
        return False
    if not re.search(r"\d[:.]\d\d", text):
        return False
    try:
        if _named_month(text.strip()) is not None:
            return True
        _dateutil(text, dayfirst=True)
    except ValueError:
        return False
    return True


class Dates:
    """Reads one export's dates. Numeric day/month order comes from the whole file: some day
    above 12 proves it; without one the culture is guessed (AM/PM means US) and noted."""

    def __init__(self) -> None:
        self._votes = {DAY_FIRST: 0, MONTH_FIRST: 0}
        self._ambiguous_example: str | None = None
        self._ampm = False
        self.order = DAY_FIRST

    def observe(self, text: str) -> None:
        match = _NUMERIC.fullmatch(text.strip())
        if match is None or len(match.group("a")) == 4:
            return
        first, second = int(match.group("a")), int(match.group("b"))
        if first > 12 >= second:
            self._votes[DAY_FIRST] += 1
        elif second > 12 >= first:
            self._votes[MONTH_FIRST] += 1
        elif self._ambiguous_example is None:
            self._ambiguous_example = text.strip()
        self._ampm |= match.group("ampm") is not None

    def decide(self, notes: list[str]) -> None:
        dm, md = self._votes[DAY_FIRST], self._votes[MONTH_FIRST]
        if dm and md:
            self.order = DAY_FIRST if dm >= md else MONTH_FIRST
            add_note(notes, f"dates disagree on day/month order ({dm} day-first, {md} month-first); "
                            f"ambiguous dates read {self.order}")
        elif dm or md:
            self.order = DAY_FIRST if dm else MONTH_FIRST
        elif self._ambiguous_example is not None:
            self.order = MONTH_FIRST if self._ampm else DAY_FIRST
            reason = "AM/PM times, as in the US" if self._ampm else "the usual order outside the US"
            add_note(notes, f'no date like "{self._ambiguous_example}" has a day above 12; '
                            f"assumed {self.order} ({reason})")

    def parse(self, text: str) -> datetime:
        """Wall-clock time as written (the export converts to local time or UTC itself)."""
        text = text.strip()
        match = _NUMERIC.fullmatch(text)
        if match:
            return _numeric_date(match, self.order)
        named = _named_month(text)
        if named is not None:
            return named
        try:
            return parse_iso(text)
        except (ValueError, OverflowError):
            pass
        return _dateutil(text, dayfirst=self.order == DAY_FIRST)


# ---------------------------------------------------------------- one message, any layout


def build_item(
    line: int, sender: str, date: str, text: str, media: list[str], meta: dict, dates: Dates, to_kind: TimeKind
) -> Item:
    """The item of one exported message, from the TXT block or the CSV row."""
    text = text.strip()
    if not media:
        kind = system_kind(text)
        if kind is not None:
            return SystemLine(line, kind, text)
    try:
        sent_at = to_kind(dates.parse(date))
    except (ValueError, OverflowError):
        return Skipped(line, "unparseable timestamp", f"[{date}] {sender}: {text}"[:200])
    if media:
        meta["media"] = True
        meta["media_kinds"] = media
    elif not text:
        return Skipped(line, "empty message", f"[{date}] {sender}")
    return Message(text=text, sender=sender.strip() or None, sent_at=sent_at, source_line=line, meta=meta)


# ---------------------------------------------------------------- TXT


class _Block:
    __slots__ = ("line", "header", "lines")

    def __init__(self, line: int, header: re.Match[str]) -> None:
        self.line = line
        self.header = header
        self.lines: list[str] = []


def _split_body(lines: list[str]) -> tuple[str, dict[str, list[str]]]:
    """Content, and the lines of each section. A section marker follows a blank line; the
    content is everything before the first one."""
    start = next(
        (i for i, line in enumerate(lines) if line.strip() in SECTIONS and i > 0 and not lines[i - 1].strip()),
        len(lines),
    )
    content = "\n".join(lines[:start]).strip("\n")
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines[start:]:
        name = SECTIONS.get(line.strip())
        if name is not None:
            current = sections.setdefault(name, [])
        elif line.strip() and current is not None:
            current.append(line.strip())
    return content, sections


class DiscordTextParser:
    """Two passes: one to learn the date order, one (per iteration) to yield."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.notes: list[str] = []
        self._chat: str | None = None
        if not has_text_preamble(read_head(path).splitlines()):
            raise ChatImportError(
                f"{path}: not a DiscordChatExporter TXT export (no ==== block with Guild: and Channel: at the top)"
            )
        self._dates = Dates()
        for item in self._scan():
            if isinstance(item, _Block):
                self._dates.observe(item.header.group("date"))
        self._dates.decide(self.notes)

    def __iter__(self) -> Iterator[Item]:
        headers = 0
        to_kind = TimeKind(self.notes)
        for item in self._scan():
            if isinstance(item, _Block):
                headers += 1
                yield self._finish(item, to_kind)
            elif isinstance(item, int):
                if item != headers:
                    add_note(self.notes, f"the export's footer counts {item} message(s); {headers} were found")
            else:
                yield item

    def _finish(self, block: _Block, to_kind: TimeKind) -> Item:
        content, sections = _split_body(block.lines)
        header = block.header
        meta: dict = {"author_name": header.group("name")}
        if self._chat:
            meta["chat"] = self._chat
        if header.group("pinned"):
            meta["pinned"] = True
        if sections.get("reactions"):
            meta["reactions"] = " ".join(sections["reactions"])
        media = [kind for kind in ("attachments", "stickers", "embeds") if sections.get(kind)]
        return build_item(block.line, header.group("name"), header.group("date"), content, media, meta, self._dates, to_kind)

    def _scan(self) -> Iterator[_Block | Skipped | int]:
        """Message blocks, stray lines (Skipped) and the footer's count (an int), in order.
        The opening block and the footer are not entries."""
        self._chat = None
        lines = iter_lines(self.path)
        yield from self._preamble(lines)
        block: _Block | None = None
        previous = ""
        rule: tuple[int, str] | None = None  # a rule line that may open the footer
        shapes: dict[str, bool] = {}  # date shape -> whether its dates are real ones
        for number, line in lines:
            if rule is not None:
                footer = _EXPORTED.fullmatch(line)
                pending, rule = rule, None
                if footer:
                    if block is not None:
                        yield block
                        block = None
                    digits = re.sub(r"\D", "", footer.group("count"))
                    yield from self._footer_end(lines)
                    if digits:
                        yield int(digits)
                    previous = ""
                    continue
                if block is not None:
                    block.lines.append(pending[1])
                else:
                    yield Skipped(pending[0], "not a message line", pending[1])
            header = HEADER.fullmatch(line) if not previous.strip() else None
            if header is not None:
                date = header.group("date")
                # A numeric date-time is a header even when its values are impossible (a
                # damaged header is a counted skip, not text merged into the message above);
                # another layout is one when the first date of its shape is a real date.
                is_header = _NUMERIC.fullmatch(date.strip()) is not None
                if not is_header:
                    form = _shape(date)
                    is_header = shapes.get(form)
                    if is_header is None:
                        is_header = _plausible(date)
                        if len(shapes) < 256:  # bounded: a hostile file has endless shapes
                            shapes[form] = is_header
                if is_header:
                    if block is not None:
                        yield block
                    block = _Block(number, header)
                    previous = line
                    continue
            if line.startswith("=") and RULE.fullmatch(line) and not previous.strip():
                rule = (number, line)
            elif block is not None:
                block.lines.append(line)
            elif line.strip():
                yield Skipped(number, "not a message line", line[:200])
            previous = line
        if rule is not None:
            if block is not None:
                block.lines.append(rule[1])
            else:
                yield Skipped(rule[0], "not a message line", rule[1])
        if block is not None:
            yield block

    def _preamble(self, lines: Iterator[tuple[int, str]]) -> Iterator[Skipped]:
        fields: dict[str, str] = {}
        last: str | None = None
        for number, line in lines:
            if number == 1:
                continue  # the opening rule (checked in __init__)
            if RULE.fullmatch(line):
                break
            name, sep, value = line.partition(": ")
            if sep and name in _BLOCK_FIELDS:
                fields[name] = value.strip()
                last = name
            elif last == "Topic":
                fields["Topic"] += "\n" + line  # a topic may span several lines
            else:
                yield Skipped(number, "unexpected line in the export's header block", line[:200])
        self._chat = fields.get("Channel")
        if fields.get("Guild") and fields["Guild"] != "Direct Messages" and self._chat:
            self._chat = f"{fields['Guild']} / {self._chat}"

    @staticmethod
    def _footer_end(lines: Iterator[tuple[int, str]]) -> Iterator[Skipped]:
        for number, line in lines:
            if RULE.fullmatch(line):
                return
            if line.strip():
                yield Skipped(number, "not a message line", line[:200])


# ---------------------------------------------------------------- CSV


class DiscordCsvParser:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.notes: list[str] = []
        if not is_csv_header(read_head(path).split("\n", 1)[0]):
            raise ChatImportError(
                f"{path}: not a DiscordChatExporter CSV export (header is not {CSV_HEADER})"
            )
        self._dates = Dates()
        for _, row in self._rows():
            if isinstance(row, list) and len(row) == len(CSV_COLUMNS):
                self._dates.observe(row[2])
        self._dates.decide(self.notes)

    def _rows(self) -> Iterable[tuple[int, list[str] | Skipped]]:
        return csv_rows(self.path, ",", skip_header=True)

    def __iter__(self) -> Iterator[Item]:
        to_kind = TimeKind(self.notes)
        for line, row in self._rows():
            if isinstance(row, Skipped):
                yield row
                continue
            if len(row) != len(CSV_COLUMNS):
                yield Skipped(line, f"row has {len(row)} fields, the header has {len(CSV_COLUMNS)}", ",".join(row)[:200])
                continue
            author_id, author, date, content, attachments, reactions = row
            meta: dict = {"author_name": author}
            if author_id.strip():
                meta["author_id"] = author_id.strip()
            if reactions.strip():
                meta["reactions"] = reactions.strip()
            media = ["attachments"] if attachments.strip() else []
            # The row ends in the exporting machine's newline; Discord's own are "\n".
            content = content.replace("\r\n", "\n")
            yield build_item(line, author, date, content, media, meta, self._dates, to_kind)
