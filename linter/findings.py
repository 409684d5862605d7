"""What a rule reports: the Finding type, severities, and character offsets -> line/column."""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass
from enum import IntEnum


class Severity(IntEnum):
    """Ordered so `--fail-on` is a comparison: info < warning < error."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, name: str) -> "Severity":
        try:
            return cls[name.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {name!r} (expected error, warning or info)") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Finding:
    """One reported problem. Lines and columns are 1-based; `end_column` is exclusive.

    `start`/`end` are character offsets into the linted text, so `text[start:end]` is
    always the matched words (`text` below).
    """

    rule: str
    category: str
    severity: Severity
    message: str
    why: str
    source: str
    suggestion: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    text: str
    path: str | None = None
    # "rules" (a rule file's pattern or check) or "model" (the learned layer, with its
    # score for the category in `confidence`, 0..1).
    detector: str = "rules"
    confidence: float | None = None
    # A concrete example of what to send instead (the rule's `rewrite`), when it has one.
    rewrite: str | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data


class LineIndex:
    """Maps character offsets of one text to (line, column), both 1-based."""

    def __init__(self, text: str) -> None:
        self._starts = [0]
        pos = text.find("\n")
        while pos >= 0:
            self._starts.append(pos + 1)
            pos = text.find("\n", pos + 1)

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1


def sort_key(f: Finding) -> tuple:
    return (f.path or "", f.start, f.end, -int(f.severity), f.category, f.rule)
