"""Timestamp parsing shared by the importers, and the naive/aware rule for one import."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from dateutil import parser as dateutil_parser

from .common import add_note

# String epochs need at least 9 digits: shorter numbers ("2021", "15") are far more likely to
# be something else than an instant in 1970.
_EPOCH_STRING = re.compile(r"-?\d{9,}(?:\.\d+)?")

# Two different defaults: if dateutil's answer depends on the default, the text had no date.
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2001, 2, 2)


def from_epoch(value: float) -> datetime:
    """Epoch seconds, milliseconds, microseconds or nanoseconds → aware local datetime."""
    magnitude = abs(value)
    if magnitude >= 1e17:
        value /= 1e9
    elif magnitude >= 1e14:
        value /= 1e6
    elif magnitude >= 1e11:
        value /= 1e3
    try:
        return datetime.fromtimestamp(value, timezone.utc).astimezone()
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError(f"epoch value {value!r} out of range") from exc


def parse_iso(text: str) -> datetime:
    """ISO 8601 with any number of fraction digits and an optional offset or Z."""
    if not isinstance(text, str):  # a JSON export's number or list: the callers' TypeError
        raise TypeError(f"not an ISO 8601 string: {type(text).__name__}")
    return dateutil_parser.isoparse(text.strip())


def parse_timestamp(value: object) -> datetime:
    """ISO 8601, epoch (s/ms/µs/ns) or anything dateutil reads; ValueError otherwise."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, (int, float)):
        return from_epoch(float(value))
    text = str(value).strip()
    if not text:
        raise ValueError("empty timestamp")
    if _EPOCH_STRING.fullmatch(text):
        return from_epoch(float(text))
    try:
        return parse_iso(text)
    except (ValueError, OverflowError):
        pass
    try:
        first = dateutil_parser.parse(text, default=_DEFAULT_A)
        second = dateutil_parser.parse(text, default=_DEFAULT_B)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"unrecognised timestamp {text!r}") from exc
    if first.date() != second.date():
        raise ValueError(f"timestamp {text!r} has no full date")
    return first


def is_aware(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() is not None


class TimeKind:
    """Keep one import's `sent_at` all naive or all aware.

    The first timestamp decides; later ones of the other kind are converted through the
    local time zone (naive = local wall-clock time), which is what the export means when
    it writes wall-clock times. Deterministic, so a second pass gives the same values.
    """

    def __init__(self, notes: list[str]) -> None:
        self._notes = notes
        self._aware: bool | None = None

    def __call__(self, moment: datetime | None) -> datetime | None:
        if moment is None:
            return None
        aware = is_aware(moment)
        if self._aware is None:
            self._aware = aware
        if aware == self._aware:
            return moment
        add_note(
            self._notes,
            "timestamps mix local wall-clock times and instants; converted all to "
            + ("instants in the local time zone" if self._aware else "local wall-clock time"),
        )
        if self._aware:
            return moment.astimezone()
        return moment.astimezone().replace(tzinfo=None)
