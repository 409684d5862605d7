"""`--format json`: a list of findings, one object each, for scripts."""

from __future__ import annotations

import json
from typing import Sequence

from ..findings import Finding

FIELDS = (
    "path", "line", "column", "end_line", "end_column", "category", "rule", "severity",
    "message", "why", "source", "suggestion", "text", "start", "end", "detector", "confidence", "rewrite",
)


def as_dicts(findings: Sequence[Finding]) -> list[dict]:
    out = []
    for f in findings:
        data = f.to_dict()
        out.append({k: data[k] for k in FIELDS})
    return out


def render(findings: Sequence[Finding]) -> str:
    return json.dumps(as_dicts(findings), ensure_ascii=False, indent=2) + "\n"
