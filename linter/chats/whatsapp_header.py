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

_SP = "[ \u00a0\u202f]"  # WhatsApp puts NBSP / narrow NBSP before AM/PM on newer phones

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


@dataclass(frozen=True)
class Header:
    """One matched header: raw date fields, time, and what follows the timestamp."""

    fields: tuple[str, str, str]
    hour: int
    minute: int
    second: int
    ampm: str | None
    style: tuple
    prefix: str
    rest: str

    @property
    def year_pos(self) -> int:
        return self.style[2]

    def day_month(self) -> tuple[int, int]:
        """The two non-year fields, in the order they are written."""
        others = [int(f) for i, f in enumerate(self.fields) if i != self.year_pos]
        return others[0], others[1]

    def own_order(self) -> str | None:
        """The order this header proves by itself (a field above 12 must be the day)."""
        first, second = self.day_month()
        if first > 12 >= second:
            return DAY_FIRST
        if second > 12 >= first:
            return MONTH_FIRST
        return None

    def timestamp(self, order: str) -> datetime:
        """Wall-clock datetime; ValueError if the header does not hold a real date/time."""
        first, second = self.day_month()
        day, month = (first, second) if (self.own_order() or order) == DAY_FIRST else (second, first)
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


def match_header(line: str) -> Header | None:
    """Parse a header line (leading direction marks already removed), or None."""
    m = HEADER.match(line)
    if not m:
        return None
    after = m.group("after")
    rest = m.group("rest")
    # Without a " - " or "] " separator the only sign of a header is "Name:" after the
    # time; otherwise a body line that merely starts with a date would split a message.
    if after is not None and not after.strip(" \u00a0\u202f") and ":" not in rest:
        return None
    fields = (m.group("a"), m.group("b"), m.group("c"))
    year_pos = 0 if len(fields[0]) == 4 else 1 if len(fields[1]) == 4 else 2
    separator = "]" if m.group("open") else after.strip(" \u00a0\u202f")
    style = (bool(m.group("open")), m.group("sep"), year_pos, len(fields[year_pos]), separator)
    return Header(
        fields=fields,
        hour=int(m.group("H")),
        minute=int(m.group("M")),
        second=int(m.group("S") or 0),
        ampm=m.group("ampm"),
        style=style,
        prefix=line[: m.start("rest")].strip(),
        rest=rest,
    )


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

    def observe(self, header: Header) -> None:
        group = self._groups.setdefault(header.style, _Group(example=header.prefix))
        order = header.own_order()
        if order:
            group.votes[order] += 1
        first, second = (f for i, f in enumerate(header.fields) if i != header.year_pos)
        group.padded |= first.startswith("0") or second.startswith("0")
        if header.ampm:
            group.dotted_ampm |= "." in header.ampm

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
