"""What the pre-send notification says: a title (send or not) and the top findings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..findings import Finding, Severity


@dataclass(frozen=True)
class Verdict:
    send: bool
    title: str
    lines: tuple[str, ...]  # `--format short` lines, the most serious first, then "and N more"

    @property
    def text(self) -> str:
        return "\n".join((self.title, *self.lines))


def verdict(findings: Sequence[Finding], threshold: Severity | None, limit: int = 3) -> Verdict:
    from ..formats.short import line

    blocking = [f for f in findings if threshold is not None and f.severity >= threshold]
    shown = sorted(blocking or findings, key=lambda f: (-int(f.severity), f.start, f.end, f.category, f.rule))
    lines = [line(f) for f in shown[:limit]]
    if len(shown) > limit:
        lines.append(f"and {len(shown) - limit} more")
    if blocking:
        n = len(blocking)
        cats = ", ".join(dict.fromkeys(f.category for f in shown))
        return Verdict(False, f"Don't send yet: {n} problem{'s' if n != 1 else ''} ({cats})", tuple(lines))
    if findings:
        n = len(findings)
        return Verdict(True, f"Looks good to send ({n} minor note{'s' if n != 1 else ''})", tuple(lines))
    return Verdict(True, "Looks good to send", ())
