"""Time and text helpers the context rules share.

- Durations are real elapsed time: aware datetimes are compared in UTC (a DST change does
  not stretch or shrink a gap); naive datetimes are the export's wall clock, compared as is.
- Hours of the day (late-night, the report's hour chart) use the export's local wall clock:
  a naive time as written; an aware time in its own offset, except UTC, which is shown in
  this machine's local zone (exports that store instants usually mean the reader's zone).
"""

from __future__ import annotations

import string
import unicodedata
from datetime import datetime, time, timedelta, timezone
from typing import Iterable


def wall_clock(t: datetime) -> datetime:
    """The local wall-clock reading of a timestamp (see the module docstring)."""
    if t.tzinfo is not None and t.utcoffset() == timedelta(0):
        return t.astimezone()
    return t


def elapsed(earlier: datetime, later: datetime) -> timedelta:
    """Real time from `earlier` to `later` (UTC for aware times; naive ones as local)."""
    if earlier.tzinfo is None and later.tzinfo is None:
        return later - earlier
    # Python subtracts two times of the same zone on the wall clock, ignoring a DST change
    # between them; UTC is exact. A naive time among aware ones is this machine's local time.
    return later.astimezone(timezone.utc) - earlier.astimezone(timezone.utc)


def in_window(t: time, window: tuple[time, time]) -> bool:
    """Is wall-clock time `t` inside [start, end)? Windows may cross midnight."""
    start, end = window
    t = t.replace(tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end


def format_time(t: datetime) -> str:
    return wall_clock(t).strftime("%Y-%m-%d %H:%M")


def format_duration(d: timedelta) -> str:
    minutes = max(0, int(d.total_seconds() // 60))
    if minutes < 90:
        return plural(minutes, "minute")
    hours = minutes // 60
    if hours < 48:
        return plural(hours, "hour")
    return plural(hours // 24, "day")


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def window_text(window: tuple[time, time]) -> str:
    return f"{window[0].strftime('%H:%M')}\u2013{window[1].strftime('%H:%M')}"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def preview(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "\u2026"


_ASCII_PUNCT = str.maketrans("", "", string.punctuation)


def normalize(text: str) -> str:
    """Text for comparing repeats: case, punctuation and spacing do not make a message new.
    Emoji are kept (a lone "\u2764\ufe0f" sent every night is a repeat too)."""
    if text.isascii():  # the common case, at C speed
        return " ".join(text.lower().translate(_ASCII_PUNCT).split())
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(ch for ch in folded if not unicodedata.category(ch).startswith("P"))
    return " ".join(kept.split())



def format_time_or(t: datetime | None) -> str:
    return format_time(t) if t is not None else "an unknown time"


def match_kind(now: datetime, stamps: Iterable[datetime | None]) -> datetime:
    """`now` as the same kind (naive local / aware) as the history's timestamps."""
    for t in stamps:
        if t is None:
            continue
        if t.tzinfo is not None and now.tzinfo is None:
            return now.astimezone()
        if t.tzinfo is None and now.tzinfo is not None:
            return now.astimezone().replace(tzinfo=None)
        return now
    return now
