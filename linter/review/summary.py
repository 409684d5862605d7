"""What a review keeps: counts, per-month and per-hour figures, and your flagged messages
with their findings (nothing else of the export is held)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Iterator

from ..context import wall_clock
from ..errors import MsglintError
from ..findings import Finding, Severity
from ..messages import Message


class ReviewError(MsglintError):
    """Cannot review this export; str() is one line."""


@dataclass
class Flagged:
    """One of your messages with at least one finding."""

    index: int  # position among the import's messages (0-based)
    message: Message
    findings: list[Finding] = field(default_factory=list)

    @property
    def worst(self) -> Severity:
        return max(f.severity for f in self.findings)

    def export_line(self, finding: Finding | None = None) -> int | None:
        """Line in the export where the finding's words are (for line-based formats)."""
        line = self.message.source_line
        if line is None or finding is None or self.message.meta.get("source_line_is_index"):
            return line
        return line + finding.line - 1


@dataclass
class MonthStats:
    yours: int = 0
    theirs: int = 0
    flagged: int = 0
    findings: int = 0


@dataclass
class Review:
    path: str
    format: str
    me: str | None
    senders: dict[str, int]
    import_notes: list[str]
    messages_read: int
    skipped: dict[str, list[int | None]]  # reason -> lines (or message numbers)
    system_lines: dict[str, list[int | None]] = field(default_factory=dict)  # kind -> lines
    yours: int = 0
    yours_reviewed: int = 0  # with text, linted
    yours_media: int = 0  # media only: counted for timing, nothing to lint
    theirs: int = 0
    context_notes: list[str] = field(default_factory=list)
    late_night: tuple[time, time] = (time(23, 0), time(5, 0))
    flagged: list[Flagged] = field(default_factory=list)
    months: dict[str, MonthStats] = field(default_factory=dict)
    hours: list[int] = field(default_factory=lambda: [0] * 24)
    yours_untimed: int = 0
    line_is_index: bool = False

    @property
    def skipped_count(self) -> int:
        return sum(len(v) for v in self.skipped.values())

    @property
    def system_count(self) -> int:
        return sum(len(v) for v in self.system_lines.values())

    @property
    def entries(self) -> int:
        """Every entry of the export: each is a message, a system line or a skip."""
        return self.messages_read + self.system_count + self.skipped_count

    def findings(self) -> Iterator[tuple[Flagged, Finding]]:
        for item in self.flagged:
            for f in item.findings:
                yield item, f

    @property
    def finding_count(self) -> int:
        return sum(len(item.findings) for item in self.flagged)

    def by_category(self) -> Counter:
        return Counter(f.category for _, f in self.findings())

    def by_severity(self) -> Counter:
        return Counter(f.severity for _, f in self.findings())

    def worst(self, n: int = 10) -> list[Flagged]:
        """Most serious first: highest severity, then most findings, then earliest."""
        return sorted(self.flagged, key=lambda x: (-int(x.worst), -len(x.findings), x.index))[:n]

    def location(self, item: Flagged, finding: Finding | None = None) -> str:
        line = item.export_line(finding)
        if line is None:
            return self.path
        return f"{self.path}:#{line}" if item.message.meta.get("source_line_is_index") else f"{self.path}:{line}"


def month_key(t: datetime | None) -> str | None:
    if t is None:
        return None
    t = wall_clock(t)
    return f"{t.year:04d}-{t.month:02d}"
