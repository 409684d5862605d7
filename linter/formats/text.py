"""The default human format: location, severity, rule and message, then the offending line
with the words underlined, the reasoning (why), what to try instead, and the source."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Mapping, Sequence

import click

from ..findings import Finding, Severity

if TYPE_CHECKING:
    from ..verdict import Verdict

_SEVERITY_COLOR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def _style(text: str, color: bool, **kw) -> str:
    return click.style(text, **kw) if color else text


def folded(findings: Sequence[Finding], sources: Mapping[str, str] | None = None) -> list[tuple[Finding, list[Finding]]]:
    """Findings on the same words shown as one: each group of findings whose spans overlap
    (in one draft) becomes its most serious finding plus the others, folded in as "also:".
    Order of first appearance is kept. A finding about the whole draft (its length, a
    greeting-only opener) overlaps everything, so it is never folded nor folds others."""
    sources = sources or {}

    def whole(f: Finding) -> bool:
        text = sources.get(f.path or "")
        return text is not None and f.text.strip() == text.strip()

    groups: list[tuple[Finding, list[Finding]]] = []
    for f in findings:
        if whole(f):
            groups.append((f, []))
            continue
        for i, (head, rest) in enumerate(groups):
            if whole(head):
                continue
            members = [head, *rest]
            if head.path == f.path and any(m.start < f.end and f.start < m.end for m in members):
                if int(f.severity) > int(head.severity):
                    groups[i] = (f, [head, *rest])
                else:
                    rest.append(f)
                break
        else:
            groups.append((f, []))
    return groups


def finding_block(f: Finding, *, color: bool, source_text: str | None, also: Sequence[Finding] = ()) -> str:
    where = f"{f.path}:" if f.path else ""
    head = (
        _style(f"{where}{f.line}:{f.column}:", color, bold=True)
        + " "
        + _style(str(f.severity), color, fg=_SEVERITY_COLOR[f.severity], bold=True)
        + " "
        + _style(f"{f.category}/{f.rule}", color, fg="cyan")
        + f": {f.message}"
    )
    lines = [head]
    if source_text is not None:
        src_lines = source_text.split("\n")
        if 0 < f.line <= len(src_lines):
            src = src_lines[f.line - 1]
            width = (f.end_column if f.end_line == f.line else len(src) + 1) - f.column
            gutter = f"{f.line:>4} | "
            lines.append(_style(gutter, color, dim=True) + src)
            lines.append(_style(" " * (len(gutter) - 2) + "| ", color, dim=True) + " " * (f.column - 1) + _style("^" * max(1, width), color, fg=_SEVERITY_COLOR[f.severity]))
    for other in also:
        lines.append(f"    {_style('also:', color, bold=True, fg='cyan')} {other.category}/{other.rule}: {other.message}")
    lines.append(f"    {_style('why:', color, bold=True)} {f.why}")
    lines.append(f"    {_style('try:', color, bold=True, fg='green')} {f.suggestion}")
    if f.rewrite:
        lines.append(f"    {_style('e.g.:', color, bold=True, fg='green')} {f.rewrite}")
    lines.append(f"    {_style('source:', color, dim=True)} {f.source}")
    return "\n".join(lines)


def summary(findings: Sequence[Finding], files: int, *, color: bool, verdicts: bool = False) -> str:
    if not findings:
        # With a verdict shown above, it has said whether to send; the count stays here.
        tail = "" if verdicts else " Looks good to send."
        return _style("No problems found", color, fg="green", bold=True) + (" in 1 draft." if files == 1 else f" in {files} drafts.") + tail
    counts = Counter(f.severity for f in findings)
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in (Severity.ERROR, Severity.WARNING, Severity.INFO) if counts[s]]
    n = len(findings)
    in_files = "" if files == 1 else f" in {files} drafts"
    return _style(f"Found {n} problem{'s' if n != 1 else ''}", color, bold=True) + f" ({', '.join(parts)}){in_files}."


_DECISION_COLOR = {"send": "green", "rewrite": "yellow", "wait": "red"}


def verdict_lines(verdict: "Verdict", *, color: bool, path: str | None = None) -> list[str]:
    """The verdict first, as the moment wants a decision: its headline, then what is good."""
    where = f"{path}: " if path else ""
    lines = [where + _style(verdict.headline, color, fg=_DECISION_COLOR.get(verdict.decision), bold=True)]
    if verdict.good_line:
        lines.append("  " + _style(verdict.good_line, color, fg="green"))
    return lines


def render(findings: Sequence[Finding], *, color: bool = False, sources: dict[str, str], files: int = 1, verdicts: "Mapping[str, Verdict] | None" = None) -> str:
    if not findings and sources and not any(text.strip() for text in sources.values()):
        # An empty draft is not a good one: say there was nothing to read.
        what = "the draft is empty" if len(sources) == 1 else "the drafts are empty"
        return _style("Nothing to check", color, bold=True) + f": {what}.\n"
    head: list[str] = []
    for path, verdict in (verdicts or {}).items():
        if sources.get(path, "x").strip():
            head.extend(verdict_lines(verdict, color=color, path=path if len(verdicts or {}) > 1 else None))
    blocks = [finding_block(f, color=color, source_text=sources.get(f.path or ""), also=also) for f, also in folded(findings, sources)]
    out = "\n\n".join(blocks)
    top = "\n".join(head) + "\n\n" if head else ""
    return top + (out + "\n\n" if out else "") + summary(findings, files, color=color, verdicts=bool(head)) + "\n"
