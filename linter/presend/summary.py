"""What the pre-send notification says: the verdict as its title, then what is good, the
first finding with its rewrite example, and how many more there are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..findings import Finding, Severity


@dataclass(frozen=True)
class Notice:
    send: bool
    title: str
    lines: tuple[str, ...]
    decision: str = "send"  # send | rewrite | wait (linter.verdict)

    @property
    def text(self) -> str:
        return "\n".join((self.title, *self.lines))



def verdict(found: Sequence[Finding], threshold: Severity | None, limit: int = 3) -> Notice:
    """The notification for one checked draft. `found` is the check's list as run_job
    gives it (findings and goods' matches together)."""
    from ..formats.short import line
    from ..verdict import decide, split

    findings, goods = split(found)
    decided = decide(findings, goods, threshold=threshold)
    # The decisive findings first (a crisis finding before all), then the rest.
    reasons = set(decided.reasons)
    shown = sorted(findings, key=lambda f: (f.category not in reasons, -int(f.severity), f.start, f.end, f.category, f.rule))
    lines: list[str] = []
    if decided.good_line:
        lines.append(decided.good_line)
    if shown:
        first = shown[0]
        lines.append(line(first))
        if first.rewrite:
            lines.append(f"e.g.: {first.rewrite}")
        lines.extend(line(f) for f in shown[1:limit])
        if len(shown) > limit:
            lines.append(f"and {len(shown) - limit} more")
    return Notice(decided.send, decided.headline, tuple(lines), decided.decision)
