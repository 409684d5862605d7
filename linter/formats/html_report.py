"""`msglint review --format html`: one self-contained report file.

Everything is inline (CSS, a few lines of JS for the category filter, SVG charts drawn
here), so the file opens offline and fetches nothing; a Content-Security-Policy in the page
forbids any request even if something slipped in. Message text comes from a chat export,
so it is untrusted: every string goes through `html.escape`, and the page never builds
HTML from text on the client side.

Input: a review object (see `linter.review.Review`): counts, per-month and per-hour
figures, and the flagged messages with their findings.
"""

from __future__ import annotations

import math
from datetime import time
from html import escape
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any, Iterator, Sequence

from ..context import CATEGORIES as CONTEXT_CATEGORIES
from ..context import format_time
from ..findings import Finding, Severity

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)


def esc(value: Any) -> str:
    return escape(str(value), quote=True)


def _template() -> str:
    try:
        return (resources.files("linter.formats") / "report.html").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError, TypeError):  # pragma: no cover - odd installs
        return Path(__file__).with_name("report.html").read_text(encoding="utf-8")


def iter_render(review: Any) -> Iterator[str]:
    """The page in pieces: everything up to the flagged messages, one card at a time, the
    rest; a report with thousands of flagged messages is never held whole in memory."""
    from .. import __version__

    name = Path(review.path).name
    who = f"you are \u201c{review.me}\u201d" if review.me else "every message treated as yours"
    head, tail = _template().split("${cards}")
    values = dict(
        version=esc(__version__),
        title=esc(f"msglint review \u2013 {name}"),
        heading=esc(f"Review of {name}"),
        subheading=esc(f"{review.path} \u00b7 {review.format} export \u00b7 {who}"),
        stats=_stats(review),
        notes=_notes(review),
        charts=_charts(review),
        worst=_worst(review),
        skipped=_skipped(review),
        filters=_filters(review),
    )
    yield Template(head).substitute(values)
    if not review.flagged:
        yield '<p class="empty">No flagged messages.</p>'
    for item in review.flagged:
        yield _card(review, item) + "\n"
    yield Template(tail).substitute(values)


def render(review: Any) -> str:
    return "".join(iter_render(review))


# -- summary --------------------------------------------------------------------------

def _stats(review: Any) -> str:
    sev = review.by_severity()
    items = [
        (review.messages_read, "messages read"),
        (review.yours, "yours"),
        (review.theirs, "theirs"),
        (review.skipped_count, "skipped"),
        (review.finding_count, "findings"),
        (len(review.flagged), "flagged messages"),
        *((sev[s], "info" if s is Severity.INFO else f"{s}s") for s in SEVERITIES),
    ]
    cells = "".join(f'<div class="stat"><b>{n:,}</b><span>{esc(label)}</span></div>' for n, label in items)
    return f'<div class="stats">{cells}</div>'


def _notes(review: Any) -> str:
    notes = [f"{review.yours_reviewed:,} of your messages had text to review; {review.yours_media:,} were media only (they still count for timing)."]
    notes += [f"Import: {n}" for n in review.import_notes]
    notes += [f"Context rules: {n}" for n in review.context_notes]
    return '<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>"


def _worst(review: Any) -> str:
    worst = review.worst(10)
    if not worst:
        return '<p class="empty">No problems found in your messages.</p>'
    rows = []
    for item in worst:
        when = format_time(item.message.sent_at) if item.message.sent_at else "\u2013"
        cats = ", ".join(dict.fromkeys(f.category for f in item.findings))
        rows.append(
            f'<tr><td class="nowrap"><a href="#m{item.index}">{esc(_where(item))}</a></td><td class="nowrap">{esc(when)}</td>'
            f'<td><span class="sev {item.worst}">{item.worst}</span></td><td class="num">{len(item.findings)}</td>'
            f"<td>{esc(cats)}</td><td>{esc(_preview(item.message.text))}</td></tr>"
        )
    head = '<tr><th>where</th><th>sent</th><th>worst</th><th class="num">findings</th><th>categories</th><th>message</th></tr>'
    return f"<table>{head}{''.join(rows)}</table>"


def _skipped(review: Any) -> str:
    if not review.skipped:
        return '<p class="empty">Nothing was skipped: every item in the export became a message.</p>'
    rows = []
    for reason, lines in sorted(review.skipped.items(), key=lambda kv: -len(kv[1])):
        known = [str(n) for n in lines if n is not None]
        shown = ", ".join(known[:30]) + (f", \u2026 ({len(known) - 30} more)" if len(known) > 30 else "")
        rows.append(f'<tr><td>{esc(reason)}</td><td class="num">{len(lines):,}</td><td>{esc(shown)}</td></tr>')
    where = "message numbers" if review.line_is_index else "lines"
    return f'<table><tr><th>reason</th><th class="num">count</th><th>{where}</th></tr>{"".join(rows)}</table>'


def _where(item: Any) -> str:
    """Where the message is in the export (the file itself is named in the header)."""
    line = item.message.source_line
    if line is None:
        return "no line number"
    return f"message #{line}" if item.message.meta.get("source_line_is_index") else f"line {line}"


def _preview(text: str, width: int = 90) -> str:
    flat = " / ".join(p.strip() for p in text.split("\n") if p.strip())
    if not flat:
        return "[media]"
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"


# -- charts (inline SVG) --------------------------------------------------------------

def _charts(review: Any) -> str:
    return "".join(
        [
            _figure("Findings per category", "", _category_chart(review.by_category()), ""),
            _figure("Your messages by hour of day", "(local time of the export)", _hour_chart(review.hours, review.late_night), _legend([("var(--yours)", "your messages"), ("var(--night)", f"late-night window {_hhmm(review.late_night[0])}\u2013{_hhmm(review.late_night[1])}")])),
            _figure("Per month", "", _month_chart(review.months), _legend([("var(--yours)", "your messages"), ("var(--flagged)", "flagged messages")]), wide=True),
        ]
    )


def _figure(title: str, note: str, svg: str, legend: str, wide: bool = False) -> str:
    cls = ' class="wide"' if wide else ""
    small = f" <small>{esc(note)}</small>" if note else ""
    return f"<figure{cls}><figcaption>{esc(title)}{small}</figcaption>{svg}{legend}</figure>"


def _legend(items: Sequence[tuple[str, str]]) -> str:
    return '<div class="legend">' + "".join(f'<span><i style="background:{c}"></i>{esc(t)}</span>' for c, t in items) + "</div>"


def _hhmm(t: time) -> str:
    return t.strftime("%H:%M")


def _empty_svg(message: str, width: int = 560, height: int = 120) -> str:
    return (
        f'<svg class="chart empty-chart" viewBox="0 0 {width} {height}" role="img" aria-label="{esc(message)}">'
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" rx="8" fill="#f7f8fb" stroke="#dde2ea"/>'
        f'<text x="{width / 2}" y="{height / 2 + 4}" text-anchor="middle" class="axis">{esc(message)}</text></svg>'
    )


def _category_chart(counts) -> str:
    items = counts.most_common()
    if not items:
        return _empty_svg("no findings")
    width, label_w, row = 560, 130, 26
    bar_max = width - label_w - 60
    height = row * len(items) + 10
    top = items[0][1]
    parts = [f'<svg class="chart" id="chart-categories" viewBox="0 0 {width} {height}" role="img" aria-label="findings per category">']
    for i, (cat, n) in enumerate(items):
        y = 5 + i * row
        w = max(2.0, bar_max * n / top)
        color = "var(--ctx)" if cat in CONTEXT_CATEGORIES else "var(--msg)"
        parts.append(
            f'<g><title>{esc(cat)}: {n:,} finding{"s" if n != 1 else ""}</title>'
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{esc(cat)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" rx="3" fill="{color}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}" class="axis">{n:,}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts) + _legend([("var(--msg)", "the words"), ("var(--ctx)", "timing and history")])


def _hour_chart(hours: Sequence[int], window: tuple[time, time]) -> str:
    if not any(hours):
        return _empty_svg("no timestamps in this export")
    width, height, left, right, top, bottom = 560, 220, 36, 8, 10, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    band = plot_w / 24
    peak = _nice(max(hours))
    parts = [f'<svg class="chart" id="chart-hours" viewBox="0 0 {width} {height}" role="img" aria-label="your messages by hour of day">']
    start = window[0].hour + window[0].minute / 60
    end = window[1].hour + window[1].minute / 60
    shades = [] if start == end else ([(start, end)] if start < end else [(start, 24.0), (0.0, end)])
    for a, b in shades:
        if b > a:
            parts.append(f'<rect class="night" x="{left + a * band:.1f}" y="{top}" width="{(b - a) * band:.1f}" height="{plot_h}" fill="var(--night)"><title>late-night window</title></rect>')
    parts.append(_y_axis(left, top, plot_w, plot_h, peak))
    for h, n in enumerate(hours):
        bar_h = plot_h * n / peak if peak else 0
        x = left + h * band + band * 0.15
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{band * 0.7:.1f}" height="{bar_h:.1f}" fill="var(--yours)">'
            f"<title>{h:02d}:00\u2013{h:02d}:59: {n:,} message{'s' if n != 1 else ''}</title></rect>"
        )
    for h in range(0, 24, 3):
        parts.append(f'<text class="axis" x="{left + h * band + band / 2:.1f}" y="{height - 8}" text-anchor="middle">{h:02d}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _month_range(keys: Sequence[str]) -> list[str]:
    """Every month from the first to the last, so gaps show as gaps."""
    y, m = map(int, keys[0].split("-"))
    y2, m2 = map(int, keys[-1].split("-"))
    out = []
    while (y, m) <= (y2, m2) and len(out) < 1200:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month_chart(months: dict) -> str:
    if not months:
        return _empty_svg("no timestamps in this export", width=1100)
    keys = _month_range(sorted(months))
    width, height, left, right, top, bottom = 1100, 240, 44, 8, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    band = plot_w / len(keys)
    peak = _nice(max((m.yours for m in months.values()), default=0))
    every = max(1, math.ceil(len(keys) / 14))
    parts = [f'<svg class="chart" id="chart-months" viewBox="0 0 {width} {height}" role="img" aria-label="your messages and flagged messages per month">']
    parts.append(_y_axis(left, top, plot_w, plot_h, peak))
    for i, key in enumerate(keys):
        m = months.get(key)
        yours, flagged, findings = (m.yours, m.flagged, m.findings) if m else (0, 0, 0)
        w = min(band * 0.76, 48.0)  # a few months must not become slabs
        x = left + i * band + (band - w) / 2
        h_y = plot_h * yours / peak
        h_f = plot_h * flagged / peak
        parts.append(
            f"<g><title>{key}: {yours:,} of your messages, {flagged:,} flagged ({findings:,} findings)</title>"
            f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - h_y:.1f}" width="{w:.1f}" height="{h_y:.1f}" fill="var(--yours)"/>'
            f'<rect class="bar flagged" x="{x:.1f}" y="{top + plot_h - h_f:.1f}" width="{w:.1f}" height="{h_f:.1f}" fill="var(--flagged)"/></g>'
        )
        if i % every == 0:
            parts.append(f'<text class="axis" x="{left + i * band + band / 2:.1f}" y="{height - 10}" text-anchor="middle">{key}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _nice(peak: int) -> int:
    """The axis top: the smallest 1, 2, 4 or 5 x 10^k at or above the data's peak."""
    if peak <= 1:
        return 1
    scale = 10 ** (len(str(int(peak))) - 1)
    for m in (1, 2, 4, 5, 10):
        if m * scale >= peak:
            return m * scale
    return 10 * scale  # pragma: no cover


def _y_axis(left: float, top: float, plot_w: float, plot_h: float, peak: int) -> str:
    parts = []
    for frac in (0, 0.5, 1):
        value = peak * frac
        if value != int(value):
            continue
        y = top + plot_h - plot_h * frac
        label = f"{int(value):,}"
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dde2ea"/>')
        parts.append(f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    return "".join(parts)


# -- flagged messages -----------------------------------------------------------------

def _filters(review: Any) -> str:
    counts = review.by_category().most_common()
    if not counts:
        return ""
    buttons = [f'<button type="button" data-category="*" aria-pressed="true">all ({len(review.flagged):,})</button>']
    buttons += [f'<button type="button" data-category="{esc(c)}" aria-pressed="false">{esc(c)} ({n:,})</button>' for c, n in counts]
    return f'<div class="filters" role="group" aria-label="filter by category">{"".join(buttons)}</div>'


def _card(review: Any, item: Any) -> str:
    msg = item.message
    when = format_time(msg.sent_at) if msg.sent_at else "no timestamp"
    cats = " ".join(dict.fromkeys(f.category for f in item.findings))
    sender = f" \u00b7 {msg.sender}" if msg.sender else ""
    if msg.text.strip():
        body = f'<p class="text">{highlight(msg.text, item.findings)}</p>'
    else:
        body = '<p class="text media">[media only]</p>'
    reasons = "".join(_reason(f) for f in item.findings)
    return (
        f'<article class="card {item.worst}" id="m{item.index}" data-categories="{esc(cats)}">'
        f'<div class="meta">{esc(_where(item))} \u00b7 {esc(when)}{esc(sender)}</div>'
        f"{body}<ul>{reasons}</ul></article>"
    )


def _reason(f: Finding) -> str:
    return (
        f'<li><span class="sev {f.severity}">{f.severity}</span> <strong>{esc(f.category)}</strong> '
        f"<code>{esc(f.rule)}</code> {esc(f.message)}"
        f"<details><summary>why, and what to try</summary><p>{esc(f.why)}</p>"
        f"<p><strong>Try:</strong> {esc(f.suggestion)}</p><p><em>{esc(f.source)}</em></p></details></li>"
    )


def highlight(text: str, findings: Sequence[Finding]) -> str:
    """The message, escaped, with each message-level finding's words in a <mark>.
    Context findings cover the whole message; they are listed, not highlighted."""
    spans = [f for f in findings if f.category not in CONTEXT_CATEGORIES and 0 <= f.start < f.end <= len(text)]
    if not spans:
        return esc(text)
    cuts = sorted({0, len(text), *(f.start for f in spans), *(f.end for f in spans)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        piece = esc(text[a:b])
        cover = [f for f in spans if f.start <= a and b <= f.end]
        if not cover:
            out.append(piece)
            continue
        worst = max(f.severity for f in cover)
        title = "; ".join(f"{f.category}: {f.message}" for f in cover)
        out.append(f'<mark class="{worst}" title="{esc(title)}">{piece}</mark>')
    return "".join(out)
