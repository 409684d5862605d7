"""`--format json`: for scripts. An object: the verdict on the check (one draft's, or the
most cautious of several), each draft's verdict, and the findings, one object each:

    {"verdict": {"decision": "rewrite", "headline": ..., "factors": [...], "goods": [...]},
     "drafts": [{"path": "draft.txt", "verdict": {...}}],
     "findings": [{"path": ..., "line": ..., "category": ..., ...}]}
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Mapping, Sequence

from ..findings import Finding

if TYPE_CHECKING:
    from ..verdict import Verdict

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


# The most cautious decision of several drafts is the check's.
_CAUTION = {"send": 0, "rewrite": 1, "wait": 2}


def render(findings: Sequence[Finding], verdicts: "Mapping[str, Verdict] | None" = None) -> str:
    verdicts = verdicts or {}
    overall = max(verdicts.values(), key=lambda v: _CAUTION.get(v.decision, 0), default=None)
    document = {
        "verdict": overall.to_dict() if overall is not None else None,
        "drafts": [{"path": path, "verdict": v.to_dict()} for path, v in verdicts.items()],
        "findings": as_dicts(findings),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
