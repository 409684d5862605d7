"""Recognise a WhatsApp message header line and decide its day/month order.

WhatsApp writes the date in the phone's locale, so `3/6/18` is June 3rd in one file and
March 6th in another. A single header rarely says which; the whole file usually does (some
day above 12 somewhere). Headers are grouped by their layout ("style") and each group is
decided from its own evidence, then from the rest of the file, then from a locale guess.
A real export has one style, so this is a per-file decision; only hand-made catalogues
that mix layouts get more than one group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from .header_shape import NAME_COLON, HeaderShape

_SP = "[ \u00a0\u202f]"  # WhatsApp puts NBSP / narrow NBSP before AM/PM on newer phones
_SPACES = " \u00a0\u202f"

HEADER = re.compile(
    rf"^(?P<open>\[)?"
    rf"(?P<a>\d{{1,4}})(?P<sep>[./-]){_SP}?(?P<b>\d{{1,4}})(?P=sep){_SP}?(?P<c>\d{{1,4}})\.?"
    rf"(?:,{_SP}*|{_SP}+)(?:(?:klo|à|um|at){_SP}+)?"
    rf"(?P<H>\d{{1,2}})[:.](?P<M>\d{{2}})(?:[:.](?P<S>\d{{2}}))?"
    rf"(?:{_SP}*(?P<ampm>[aApP]\.?{_SP}?[mM]\.?))?"
    rf"(?(open)\]{_SP}*|(?P<after>{_SP}*[-–]{_SP}|:{_SP}|{_SP}))"
    rf"(?P<rest>.*)$"
)

DAY_FIRST, MONTH_FIRST = "DM", "MD"


class Header:
    """One matched header: raw date fields, time, and what follows the timestamp.

    A plain slotted class, its numbers worked out once: an export has a header per message,
    and a frozen dataclass with derived properties cost more than the regex match itself.
    """

    __slots__ = ("fields", "hour", "minute", "second", "ampm", "style", "rest", "day_month", "_line", "_rest_at")

    def __init__(self, m: re.Match, line: str, after: str | None, rest: str) -> None:
        opening, a, sep, b, c, hour, minute, second, self.ampm = m.group("open", "a", "sep", "b", "c", "H", "M", "S", "ampm")
        self.fields = (a, b, c)
        # The two non-year fields, in the order they are written.
        if len(a) == 4:
            year_pos, self.day_month = 0, (int(b), int(c))
        elif len(b) == 4:
            year_pos, self.day_month = 1, (int(a), int(c))
        else:
            year_pos, self.day_month = 2, (int(a), int(b))
        self.style = (opening is not None, sep, year_pos, len(self.fields[year_pos]), "]" if after is None else after.strip(_SPACES))
        self.hour, self.minute, self.second = int(hour), int(minute), int(second or 0)
        self.rest = rest
        self._line, self._rest_at = line, m.start("rest")

    @property
    def year_pos(self) -> int:
        return self.style[2]

    @property
    def stamp(self) -> str:
        """The line up to the sender's name, exactly as written (for header shapes)."""
        return self._line[: self._rest_at]

    @property
    def prefix(self) -> str:
        """The timestamp part of the line as written (for notes and skip reports)."""
        return self._line[: self._rest_at].strip()

    def own_order(self) -> str | None:
        """The order this header proves by itself (a field above 12 must be the day)."""
        return _own_order(*self.day_month)

    def timestamp(self, order: str) -> datetime:
        """Wall-clock datetime; ValueError if the header does not hold a real date/time."""
        first, second = self.day_month
        day, month = (first, second) if (_own_order(first, second) or order) == DAY_FIRST else (second, first)
        year_text = self.fields[self.year_pos]
        if len(year_text) == 2:
            year = 2000 + int(year_text)
        elif len(year_text) == 4:
            year = int(year_text)
        else:
            raise ValueError(f"year {year_text!r}")
        hour = self.hour
        if self.ampm and hour <= 12:
            pm = self.ampm[0] in "pP"
            hour = (12 if pm else 0) if hour == 12 else hour + (12 if pm else 0)
        return datetime(year, month, day, hour, self.minute, self.second)


def _own_order(first: int, second: int) -> str | None:
    if first > 12 >= second:
        return DAY_FIRST
    if second > 12 >= first:
        return MONTH_FIRST
    return None


def _accepted(m: re.Match) -> tuple[str | None, str] | None:
    """(separator after the time, rest of the line) if the match is a header, else None."""
    after, rest = m.group("after", "rest")
    # Without a " - " or "] " separator the only sign of a header is "Name:" after the
    # time; otherwise a body line that merely starts with a date would split a message.
    if after is not None and not after.strip(_SPACES) and (":" not in rest or rest[:1] in "-–"):
        return None  # "10:00 -Sam: hi" lost a space of its " - ": damaged, not sender "-Sam"
    return after, rest


def match_header(line: str) -> Header | None:
    """Parse a header line (leading direction marks already removed), or None."""
    m = HEADER.match(line)
    if not m:
        return None
    accepted = _accepted(m)
    if accepted is None:
        return None
    return Header(m, line, *accepted)


@dataclass
class _Group:
    example: str
    votes: dict = field(default_factory=lambda: {DAY_FIRST: 0, MONTH_FIRST: 0})
    padded: bool = False
    dotted_ampm: bool = False


class DateOrder:
    """Collects evidence from every header of a file, then answers per header style."""

    def __init__(self) -> None:
        self._groups: dict[tuple, _Group] = {}
        self._decided: dict[tuple, str] = {}
        # What a header's date fields prove, by those fields: a file repeats each date on
        # every message of that day, so the first pass builds a Header once per date.
        self._evidence: dict[tuple, tuple[_Group, str | None]] = {}
        # The shapes of this file's headers, to recognise a damaged one (header_shape.py).
        self.shapes = HeaderShape(NAME_COLON)

    def observe(self, header: Header) -> None:
        group = self._groups.setdefault(header.style, _Group(example=header.prefix))
        self.shapes.learn(header.stamp)
        order = header.own_order()
        if order:
            group.votes[order] += 1
        first, second = (f for i, f in enumerate(header.fields) if i != header.year_pos)
        group.padded |= first.startswith("0") or second.startswith("0")
        if header.ampm:
            group.dotted_ampm |= "." in header.ampm

    def observe_line(self, line: str) -> None:
        """`observe` the line's header, if it has one (direction marks already removed)."""
        m = HEADER.match(line)
        if not m:
            return
        key = m.group("open", "a", "sep", "b", "c", "ampm", "after")
        known = self._evidence.get(key)
        if known is None:
            accepted = _accepted(m)
            if accepted is None:
                return  # whether a line is a header depends on more than its date
            header = Header(m, line, *accepted)
            self.observe(header)
            self._evidence[key] = (self._groups[header.style], header.own_order())
            return
        if _accepted(m) is None:
            return
        group, order = known
        if order:
            group.votes[order] += 1

    def decide(self, notes: list[str]) -> None:
        for style, group in self._groups.items():
            self._decided[style] = self._decide_group(style, group, notes)

    def order_for(self, header: Header) -> str:
        return self._decided.get(header.style, DAY_FIRST)

    def _decide_group(self, style: tuple, group: _Group, notes: list[str]) -> str:
        bracketed, sep, year_pos, year_len, _ = style
        dm, md = group.votes[DAY_FIRST], group.votes[MONTH_FIRST]
        if dm and md:
            order = DAY_FIRST if dm >= md else MONTH_FIRST
            notes.append(
                f'headers like "{group.example}" disagree on day/month order '
                f"({dm} day-first, {md} month-first); ambiguous dates read {_words(order)}"
            )
            return order
        if dm or md:
            return DAY_FIRST if dm else MONTH_FIRST
        if year_pos != 2:
            return MONTH_FIRST  # year written first: Y-M-D, as in ISO dates
        file_dm, file_md = self._file_votes(year_pos)
        if file_dm != file_md:
            order = DAY_FIRST if file_dm > file_md else MONTH_FIRST
            reason = "as most dates elsewhere in the file"
        elif not bracketed and sep == "/" and year_len == 2 and not group.padded and not group.dotted_ampm:
            order = MONTH_FIRST
            reason = "the header looks like US Android (M/D/YY)"
        else:
            order = DAY_FIRST
            reason = "the usual order outside the US"
        notes.append(
            f'no date in headers like "{group.example}" has a day above 12; '
            f"assumed {_words(order)} ({reason})"
        )
        return order

    def _file_votes(self, year_pos: int) -> tuple[int, int]:
        groups = [g for s, g in self._groups.items() if s[2] == year_pos]
        return (
            sum(g.votes[DAY_FIRST] for g in groups),
            sum(g.votes[MONTH_FIRST] for g in groups),
        )


def _words(order: str) -> str:
    return "day-first (D/M)" if order == DAY_FIRST else "month-first (M/D)"
