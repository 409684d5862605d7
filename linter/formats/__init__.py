"""Output formats, one module per format: findings of a check (`render`: text, json,
short) and the report of a review (`render_review`: text, json, csv, html)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Mapping, Sequence

from ..findings import Finding

if TYPE_CHECKING:
    from ..review.summary import Review
    from ..verdict import Verdict

FORMATS = ("text", "json", "short")
REPORT_FORMATS = ("text", "json", "csv", "html")


def render(findings: Sequence[Finding], fmt: str, *, color: bool = False, sources: dict[str, str] | None = None, files: int = 1, verdicts: "Mapping[str, Verdict] | None" = None) -> str:
    """Findings of a check in `fmt`; `verdicts` (path -> Verdict) come first in text and
    as the `verdict` object in json (short is findings only, for editors)."""
    if fmt == "json":
        from .json_format import render as r

        return r(findings, verdicts)
    if fmt == "short":
        from .short import render as r

        return r(findings)
    from .text import render as r

    return r(findings, color=color, sources=sources or {}, files=files, verdicts=verdicts)


def render_review(review: "Review", fmt: str, *, color: bool = False) -> Iterator[str]:
    """The review report in `fmt`, as pieces of text to write in order."""
    if fmt == "json":
        from .review_json import iter_json

        return iter_json(review)
    if fmt == "csv":
        from .csv_format import iter_render
        from .review_json import finding_row

        return iter_render(finding_row(review, item, f) for item, f in review.findings())
    if fmt == "html":
        from .html_report import iter_render

        return iter_render(review)
    from .review_text import iter_text

    return iter_text(review, color=color)
