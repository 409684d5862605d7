"""`--format short`: one line per finding, short enough for a desktop notification."""

from __future__ import annotations

from typing import Sequence

from ..findings import Finding


def line(f: Finding) -> str:
    where = f"{f.path}:" if f.path else ""
    return f"{where}{f.line}:{f.column}: {f.severity} {f.category}/{f.rule}: {f.message}"


def render(findings: Sequence[Finding]) -> str:
    return "".join(line(f) + "\n" for f in findings)
