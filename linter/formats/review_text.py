"""`msglint review` as a text report, written in pieces as it is made."""

from __future__ import annotations

from typing import Iterator

import click

from ..context import CATEGORIES as CONTEXT_CATEGORIES
from ..findings import Finding, Severity
from ..review.summary import Flagged, Review


_SEVERITY_COLOR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def iter_text(review: Review, *, color: bool = False) -> Iterator[str]:
    """The text report in pieces (summary, then one piece per flagged message), so a long
    report is written as it is made instead of being held whole in memory."""

    def st(text: str, **kw) -> str:
        return click.style(text, **kw) if color else text

    from ..context import format_time

    out: list[str] = []
    who = f' as "{review.me}"' if review.me else ""
    out.append(st(f"Review of {review.path} ({review.format}){who}", bold=True))
    out.append(f"  messages  {review.messages_read:,} read: {review.yours:,} yours ({review.yours_reviewed:,} with text reviewed, {review.yours_media:,} media only), {review.theirs:,} theirs")
    if review.system_lines:
        out.append(f"  system    {review.system_count:,} (written by the app, not by a person):")
        for kind, lines in sorted(review.system_lines.items(), key=lambda kv: -len(kv[1])):
            out.append(f"            {len(lines):>6,}  {kind}{_line_list(lines, review)}")
    if review.skipped:
        out.append(f"  skipped   {review.skipped_count:,} (not messages or unreadable):")
        for reason, lines in sorted(review.skipped.items(), key=lambda kv: -len(kv[1])):
            out.append(f"            {len(lines):>6,}  {reason}{_line_list(lines, review)}")
    else:
        out.append("  skipped   nothing")
    for note in review.import_notes:
        out.append(f"  note      {note}")
    for note in review.context_notes:
        out.append(f"  context   {note}")
    out.append("")

    total = review.finding_count
    if not total:
        out.append(st("No problems found", fg="green", bold=True) + f" in {review.yours:,} of your messages.")
        yield "\n".join(out) + "\n"
        return
    sev = review.by_severity()
    parts = ", ".join(f"{sev[s]:,} {s}{'s' if sev[s] != 1 else ''}" for s in (Severity.ERROR, Severity.WARNING, Severity.INFO) if sev[s])
    out.append(st(f"Findings: {total:,}", bold=True) + f" ({parts}) in {len(review.flagged):,} of your {review.yours:,} messages")
    cats = review.by_category().most_common()
    top = cats[0][1]
    for cat, n in cats:
        out.append(f"  {cat:16} {n:>6,}  {st(_bar(n, top, 30), fg='cyan')}")
    out.append("")

    out.append(st("Worst messages", bold=True))
    for item in review.worst(5):
        when = format_time(item.message.sent_at) if item.message.sent_at else "no time"
        names = ", ".join(dict.fromkeys(f.category for f in item.findings))
        out.append(f"  {review.location(item)}  {when}  {st(str(item.worst), fg=_SEVERITY_COLOR[item.worst])} x{len(item.findings)}  {names}")
        out.append(f"      \u201c{one_line(item.message.text, 90)}\u201d" if item.message.text.strip() else "      [media]")
    out.append("")

    if review.months:
        out.append(st("By month", bold=True) + "   yours  flagged  findings")
        peak = max(m.yours for m in review.months.values()) or 1
        for key, m in review.months.items():
            out.append(f"  {key}   {m.yours:>6,}  {m.flagged:>7,}  {m.findings:>8,}  {st(_bar(m.flagged, peak, 30), fg='magenta')}")
        out.append("")

    out.append(st("Findings", bold=True))
    yield "\n".join(out) + "\n"
    reasons: dict[str, Finding] = {}
    for item in review.flagged:
        when = format_time(item.message.sent_at) if item.message.sent_at else "no time"
        out = [""]
        context = [f for f in item.findings if f.category in CONTEXT_CATEGORIES]
        for f in item.findings:
            reasons.setdefault(f"{f.category}/{f.rule}", f)
            out.append(
                st(f"{review.location(item, f)}:", bold=True)
                + f" {when} "
                + st(str(f.severity), fg=_SEVERITY_COLOR[f.severity], bold=True)
                + " " + st(f"{f.category}/{f.rule}", fg="cyan") + f": {f.message}"
            )
            if f.category not in CONTEXT_CATEGORIES:
                out.extend(_quote(item, f, st))
            elif f is context[-1]:
                out.append(st("    | ", dim=True) + (one_line(item.message.text, 100) or "[media]"))
        yield "\n".join(out) + "\n"
    out = [""]
    out.append(st("Why these matter", bold=True) + " (each rule once)")
    for name, f in sorted(reasons.items()):
        out.append("")
        out.append(st(name, fg="cyan", bold=True))
        out.append(f"    {st('why:', bold=True)} {f.why}")
        out.append(f"    {st('try:', bold=True, fg='green')} {f.suggestion}")
        out.append(f"    {st('source:', dim=True)} {f.source}")
    out.append("")
    out.append(st(f"Found {total:,} problem{'s' if total != 1 else ''}", bold=True) + f" ({parts}) in {len(review.flagged):,} of your {review.yours:,} messages.")
    yield "\n".join(out) + "\n"


def _quote(item: Flagged, f: Finding, st) -> list[str]:
    """The finding's line of the message with its words underlined."""
    lines = item.message.text.split("\n")
    src = lines[f.line - 1] if 0 < f.line <= len(lines) else ""
    width = (f.end_column if f.end_line == f.line else len(src) + 1) - f.column
    return [
        st("    | ", dim=True) + src,
        st("    | ", dim=True) + " " * (f.column - 1) + st("^" * max(1, width), fg=_SEVERITY_COLOR[f.severity]),
    ]


def _line_list(lines: list[int | None], review: Review, limit: int = 8) -> str:
    known = [n for n in lines if n is not None]
    if not known:
        return ""
    word = "message" if review.line_is_index else "line"
    shown = ", ".join(str(n) for n in known[:limit])
    more = f", \u2026 ({len(known) - limit} more)" if len(known) > limit else ""
    return f" ({word}{'s' if len(known) > 1 else ''} {shown}{more})"


def _bar(n: int, top: int, width: int) -> str:
    if n <= 0 or top <= 0:
        return ""
    return "\u2588" * max(1, round(width * n / top))


def one_line(text: str, width: int) -> str:
    flat = " / ".join(part.strip() for part in text.split("\n") if part.strip())
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"
