"""`msglint review EXPORT --me NAME`: your patterns across an old chat export.

Data flows one way: export -> importer (`linter.chats`, streamed) -> your messages, in
chunks, through the rule engine (`Engine.lint_many`, or N worker processes with --jobs) and
every message through the context rules (`linter.context`) -> a `Review` (counts, the
flagged messages and their findings; nothing else is kept) -> a report format.

With --me given and no progress bar, the export is read once. Otherwise a quick first pass
(no linting) counts the senders, so a missing or wrong --me fails at once instead of after
the work, and gives the progress bar its length.
"""

from __future__ import annotations

import sys
from collections import Counter, deque
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

import click

from . import collector
from .chats import FORMATS as INPUT_FORMATS
from .cli import fail, resolve_settings, settings_options, use_color
from .config import Settings
from .context import CATEGORIES as CONTEXT_CATEGORIES
from .context import wall_clock
from .findings import Finding, Severity
from .messages import Message

if TYPE_CHECKING:
    from .chats import ChatImport

REPORT_FORMATS = ("text", "json", "csv", "html")

# Skips that are part of every export (notices, deletions): counted in the report, but not
# warned about one by one. Everything else (a line that does not parse) gets a warning.
ROUTINE_SKIPS = ("system message", "service message", "deleted message", "unsent message", "reaction notice", "empty message", "empty text")
MAX_WARNINGS = 20

CHUNK = 512  # messages per lint call / per task for a worker process

# Findings depend on the text alone, and chats repeat short texts ("ok", "lol", "haha yes")
# all the time: a text linted once is not parsed again. Bounded, and only short texts.
CACHE_TEXTS = 10_000
CACHE_MAX_CHARS = 200


# -- the review: what the report needs, and nothing more -----------------------------

@dataclass
class Flagged:
    """One of your messages with at least one finding."""

    index: int  # position among the import's messages (0-based)
    message: Message
    findings: list[Finding] = field(default_factory=list)

    @property
    def worst(self) -> Severity:
        return max(f.severity for f in self.findings)

    def export_line(self, finding: Finding | None = None) -> int | None:
        """Line in the export where the finding's words are (for line-based formats)."""
        line = self.message.source_line
        if line is None or finding is None or self.message.meta.get("source_line_is_index"):
            return line
        return line + finding.line - 1


@dataclass
class MonthStats:
    yours: int = 0
    theirs: int = 0
    flagged: int = 0
    findings: int = 0


@dataclass
class Review:
    path: str
    format: str
    me: str | None
    senders: dict[str, int]
    import_notes: list[str]
    messages_read: int
    skipped: dict[str, list[int | None]]  # reason -> lines (or message numbers)
    yours: int = 0
    yours_reviewed: int = 0  # with text, linted
    yours_media: int = 0  # media only: counted for timing, nothing to lint
    theirs: int = 0
    context_notes: list[str] = field(default_factory=list)
    late_night: tuple[time, time] = (time(23, 0), time(5, 0))
    flagged: list[Flagged] = field(default_factory=list)
    months: dict[str, MonthStats] = field(default_factory=dict)
    hours: list[int] = field(default_factory=lambda: [0] * 24)
    yours_untimed: int = 0
    line_is_index: bool = False

    @property
    def skipped_count(self) -> int:
        return sum(len(v) for v in self.skipped.values())

    def findings(self) -> Iterator[tuple[Flagged, Finding]]:
        for item in self.flagged:
            for f in item.findings:
                yield item, f

    @property
    def finding_count(self) -> int:
        return sum(len(item.findings) for item in self.flagged)

    def by_category(self) -> Counter:
        return Counter(f.category for _, f in self.findings())

    def by_severity(self) -> Counter:
        return Counter(f.severity for _, f in self.findings())

    def worst(self, n: int = 10) -> list[Flagged]:
        """Most serious first: highest severity, then most findings, then earliest."""
        return sorted(self.flagged, key=lambda x: (-int(x.worst), -len(x.findings), x.index))[:n]

    def location(self, item: Flagged, finding: Finding | None = None) -> str:
        line = item.export_line(finding)
        if line is None:
            return self.path
        return f"{self.path}:#{line}" if item.message.meta.get("source_line_is_index") else f"{self.path}:{line}"


def month_key(t: datetime | None) -> str | None:
    if t is None:
        return None
    t = wall_clock(t)
    return f"{t.year:04d}-{t.month:02d}"


# -- running it -----------------------------------------------------------------------

class ReviewError(Exception):
    """Cannot review this export; str() is one line."""


class Senders:
    """Who wrote how many messages (names compared case-insensitively).

    Counts each sender string as written (one Counter update per message) and folds case
    and spacing only when asked, over the few distinct names."""

    def __init__(self) -> None:
        self.as_written: Counter = Counter()  # sender as written (None: no sender) -> messages

    def add(self, message: Message) -> None:
        self.as_written[message.sender] += 1

    @property
    def total(self) -> int:
        return sum(self.as_written.values())

    @property
    def unnamed(self) -> int:
        """Messages without a sender."""
        return self.as_written[None]

    def ranked(self) -> list[tuple[str, str, int]]:
        """(casefolded name, its most common spelling, messages), most messages first."""
        folded: dict[str, Counter] = {}
        for name, n in self.as_written.items():
            if name is not None:
                folded.setdefault(name.strip().casefold(), Counter())[name.strip()] += n
        rows = [(key, spellings.most_common(1)[0][0], sum(spellings.values())) for key, spellings in folded.items()]
        rows.sort(key=lambda row: -row[2])  # stable: ties stay in first-seen order
        return rows

    @property
    def counts(self) -> Counter:
        """Casefolded name -> messages."""
        return Counter({key: n for key, _, n in self.ranked()})

    def spelling(self, key: str) -> str:
        """The name as the export writes it most often."""
        return next(spelling for k, spelling, _ in self.ranked() if k == key)

    def as_dict(self) -> dict[str, int]:
        out = {spelling: n for _, spelling, n in self.ranked()}
        if self.unnamed and out:
            out["(no sender)"] = self.unnamed
        return out

    def listing(self, limit: int = 20) -> str:
        rows = self.ranked()
        shown = ", ".join(f"\"{spelling}\" ({n:,})" for _, spelling, n in rows[:limit])
        more = f", and {len(rows) - limit} more" if len(rows) > limit else ""
        return shown + more


def count_senders(chat: "ChatImport") -> Senders:
    senders = Senders()
    for message in chat:
        senders.add(message)
    return senders


def choose_me(senders: Senders, me: str | None, path: str) -> str | None:
    """Who "you" are: --me matched case-insensitively; required when senders are named.
    Returns the name as the export spells it (None when the export names no senders)."""
    if not senders.counts:
        return None
    if me is None:
        n = len(senders.counts)
        raise ReviewError(f"{path} has messages from {n} sender{'s' if n != 1 else ''}; say which one is you with --me NAME: {senders.listing()}")
    key = me.strip().casefold()
    if key not in senders.counts:
        raise ReviewError(f"--me {me!r} matches no sender in {path}; the senders are: {senders.listing()}")
    return senders.spelling(key)


def review_messages(
    chat: "ChatImport",
    me: str | None,
    settings: Settings,
    *,
    engine_settings: Settings | None = None,
    jobs: int = 1,
    burst: timedelta | None = None,
    no_contact_from: date | None = None,
    progress=None,
) -> Review:
    """One streaming pass over the export: your messages are linted in chunks, every
    message goes through the context rules, and only flagged messages are kept.

    Raises ReviewError when the export has named senders and `me` matches none of them
    (or is None), and when it has no messages at all.
    """
    from .context import BURST_WINDOW, ConversationChecker

    senders = Senders()
    stream = iter(chat)
    first = next(stream, None)
    if first is None:
        raise ReviewError(f"{chat.path}: no messages found" + _skip_summary(chat))
    # Exports either name the sender of every message or of none (plain text); without
    # names nobody can have replied, so the reply rules cannot run.
    named = first.sender is not None
    if named and me is None:
        raise ReviewError(f"{chat.path}: say which sender is you with --me NAME")
    review = Review(path=str(chat.path), format=chat.format, me=me, senders={}, import_notes=[], messages_read=0, skipped={}, late_night=settings.late_night)
    review.line_is_index = bool(first.meta.get("source_line_is_index"))
    checker = ConversationChecker(me, settings, replies_known=named, burst=burst if burst is not None else BURST_WINDOW, no_contact_from=no_contact_from)
    flagged: dict[int, Flagged] = {}
    months: dict[tuple[int, int], MonthStats] = {}

    def add(index: int, message: Message, found: Sequence[Finding]) -> None:
        if found:
            item = flagged.get(index)
            if item is None:
                item = flagged[index] = Flagged(index, message)
            item.findings.extend(found)

    linter = _Linter(engine_settings or settings, jobs)
    chunk: list[tuple[int, Message]] = []
    cache: dict[str, list[Finding]] = {}
    # Cacheable texts already on their way to the engine -> later messages with the same
    # text, which take its findings when they come back instead of being parsed again.
    waiting: dict[str, list[tuple[int, Message]]] = {}

    def cacheable(text: str) -> bool:
        return CACHE_TEXTS > 0 and len(text) <= CACHE_MAX_CHARS

    def linted(index: int, message: Message, found: list[Finding]) -> None:
        add(index, message, found)
        text = message.text
        if cacheable(text):
            for i, m in waiting.pop(text, ()):
                add(i, m, found)
            if text not in cache:
                if len(cache) >= CACHE_TEXTS:
                    cache.pop(next(iter(cache)))
                cache[text] = found

    done_since_update = 0
    try:
        for index, message in enumerate(chain([first], stream)):
            senders.add(message)
            mine = checker.is_mine(message)
            for hit in checker.feed(index, message):
                add(hit.index, hit.message, [hit.finding])
            _count(review, months, message, mine)
            if mine and message.text.strip():
                text = message.text
                known = cache.get(text)
                if known is not None:
                    add(index, message, known)
                elif text in waiting:
                    waiting[text].append((index, message))
                else:
                    chunk.append((index, message))
                    if cacheable(text):
                        waiting[text] = []
            done_since_update += 1
            if len(chunk) >= CHUNK:
                for (i, m), found in linter.submit(chunk):
                    linted(i, m, found)
                chunk = []
            if progress is not None and (not chunk or done_since_update >= 1000):
                progress.update(done_since_update)
                done_since_update = 0
        for hit in checker.finish():
            add(hit.index, hit.message, [hit.finding])
        for (i, m), found in linter.submit(chunk, last=True):
            linted(i, m, found)
        if progress is not None:
            progress.update(done_since_update)
    finally:
        linter.close()
    review.me = choose_me(senders, me, str(chat.path))
    review.senders = senders.as_dict()
    review.messages_read = senders.total
    review.skipped = _group_skips(chat)
    review.import_notes = list(chat.notes)
    review.context_notes = checker.notes
    review.yours_untimed = checker.own_without_time
    review.flagged = [flagged[i] for i in sorted(flagged)]
    review.months = {f"{y:04d}-{m:02d}": stats for (y, m), stats in sorted(months.items())}
    for item in review.flagged:
        item.findings.sort(key=lambda f: (f.category not in CONTEXT_CATEGORIES, f.start, -int(f.severity), f.end, f.category, f.rule))
        key = month_key(item.message.sent_at)
        if key is not None:
            stats = review.months.setdefault(key, MonthStats())
            stats.flagged += 1
            stats.findings += len(item.findings)
    return review


def _count(review: Review, months: dict[tuple[int, int], MonthStats], message: Message, mine: bool) -> None:
    """Count the message in the review's totals, its month (in `months`, keyed by (year,
    month): cheaper than formatting a key per message) and, if yours, its hour."""
    at = message.sent_at
    if at is not None:
        local = wall_clock(at)
        key = (local.year, local.month)
        stats = months.get(key)
        if stats is None:
            stats = months[key] = MonthStats()
    else:
        stats = None
    if not mine:
        review.theirs += 1
        if stats:
            stats.theirs += 1
        return
    review.yours += 1
    if message.text.strip():
        review.yours_reviewed += 1
    else:
        review.yours_media += 1
    if stats:
        stats.yours += 1
        review.hours[local.hour] += 1


class _Linter:
    """Lints chunks of (index, message) in order: in process, or on N worker processes
    with at most 2 chunks per worker in flight, so memory stays flat on any export."""

    def __init__(self, settings: Settings, jobs: int) -> None:
        from .api import get_engine

        self._settings = settings
        self._engine = get_engine(settings)
        self._pool = None
        self._pending: deque = deque()
        self._jobs = jobs
        self._thaw = False  # what collector.freeze() returned
        if jobs > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            methods = multiprocessing.get_all_start_methods()
            # fork: workers inherit the loaded model and compiled rules (no second load).
            # gc.freeze keeps the collector in the workers from touching (and so copying)
            # every inherited object.
            ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            if ctx.get_start_method() == "fork":
                self._thaw = collector.freeze()
            self._pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init, initargs=(settings,))

    def submit(self, chunk: list[tuple[int, Message]], last: bool = False) -> Iterator[tuple[tuple[int, Message], list[Finding]]]:
        if self._pool is None:
            if chunk:
                yield from zip(chunk, self._engine.lint_many([m.text for _, m in chunk]))
            return
        if chunk:
            self._pending.append((chunk, self._pool.submit(_worker_lint, [m.text for _, m in chunk])))
        while self._pending and (last or len(self._pending) > 2 * self._jobs):
            done, future = self._pending.popleft()
            yield from zip(done, future.result())

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        collector.thaw(self._thaw)


_worker_engine = None


def _worker_init(settings: Settings) -> None:
    global _worker_engine
    from .api import get_engine

    _worker_engine = get_engine(settings)


def _worker_lint(texts: list[str]) -> list[list[Finding]]:
    return list(_worker_engine.lint_many(texts))


# -- text report ----------------------------------------------------------------------

_SEVERITY_COLOR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def iter_text(review: Review, *, color: bool = False) -> Iterator[str]:
    """The text report in pieces (summary, then one piece per flagged message), so a long
    report is written as it is made instead of being held whole in memory."""

    def st(text: str, **kw) -> str:
        return click.style(text, **kw) if color else text

    from .context import format_time

    out: list[str] = []
    who = f' as "{review.me}"' if review.me else ""
    out.append(st(f"Review of {review.path} ({review.format}){who}", bold=True))
    out.append(f"  messages  {review.messages_read:,} read: {review.yours:,} yours ({review.yours_reviewed:,} with text reviewed, {review.yours_media:,} media only), {review.theirs:,} theirs")
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
        out.append(f"      \u201c{_one_line(item.message.text, 90)}\u201d" if item.message.text.strip() else "      [media]")
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
                out.append(st("    | ", dim=True) + (_one_line(item.message.text, 100) or "[media]"))
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


def _one_line(text: str, width: int) -> str:
    flat = " / ".join(part.strip() for part in text.split("\n") if part.strip())
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"


# -- json report ----------------------------------------------------------------------

def finding_row(review: Review, item: Flagged, f: Finding) -> dict:
    """One finding with where and when its message was sent (json and csv rows)."""
    return {
        "path": review.path,
        "source_line": item.export_line(f),
        "message_index": item.index,
        "timestamp": item.message.sent_at.isoformat() if item.message.sent_at else None,
        "sender": item.message.sender,
        "category": f.category,
        "rule": f.rule,
        "severity": str(f.severity),
        **{k: getattr(f, k) for k in ("message", "why", "source", "suggestion", "text", "start", "end", "line", "column", "end_line", "end_column")},
        "message_text": item.message.text,
    }


def summary_dict(review: Review) -> dict:
    sev = review.by_severity()
    return {
        "path": review.path,
        "format": review.format,
        "me": review.me,
        "senders": review.senders,
        "messages_read": review.messages_read,
        "yours": review.yours,
        "yours_reviewed": review.yours_reviewed,
        "yours_media_only": review.yours_media,
        "theirs": review.theirs,
        "skipped": review.skipped_count,
        "skipped_by_reason": {reason: {"count": len(lines), "lines": lines} for reason, lines in review.skipped.items()},
        "source_line_is_index": review.line_is_index,
        "import_notes": review.import_notes,
        "context_notes": review.context_notes,
        "findings": review.finding_count,
        "flagged_messages": len(review.flagged),
        "by_severity": {str(s): sev[s] for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)},
        "by_category": dict(review.by_category().most_common()),
        "by_month": {k: vars(v) for k, v in review.months.items()},
        "your_messages_by_hour": review.hours,
        "late_night_window": [review.late_night[0].strftime("%H:%M"), review.late_night[1].strftime("%H:%M")],
        "worst_messages": [
            {"message_index": item.index, "source_line": item.message.source_line, "timestamp": item.message.sent_at.isoformat() if item.message.sent_at else None,
             "severity": str(item.worst), "findings": len(item.findings), "categories": sorted({f.category for f in item.findings}), "text": item.message.text}
            for item in review.worst(10)
        ],
    }


def iter_json(review: Review, rows_per_piece: int = 256) -> Iterator[str]:
    """{"summary": {...}, "findings": [one object per line]}, written as it is made, a few
    hundred rows per piece (writing each row on its own cost as much as encoding it)."""
    import json

    yield '{\n"summary": ' + json.dumps(summary_dict(review), ensure_ascii=False, indent=2) + ',\n"findings": ['
    encode = json.JSONEncoder(ensure_ascii=False).encode
    sep, piece = "\n", []
    for item, f in review.findings():
        piece.append(encode(finding_row(review, item, f)))
        if len(piece) >= rows_per_piece:
            yield sep + ",\n".join(piece)
            sep, piece = ",\n", []
    if piece:
        yield sep + ",\n".join(piece)
    yield "\n]\n}\n"


def render(review: Review, fmt: str, *, color: bool = False) -> Iterator[str]:
    """The report in `fmt` (text, json, csv, html), as pieces of text to write in order."""
    if fmt == "json":
        return iter_json(review)
    if fmt == "csv":
        from .formats.csv_format import iter_render

        return iter_render(finding_row(review, item, f) for item, f in review.findings())
    if fmt == "html":
        from .formats.html_report import iter_render

        return iter_render(review)
    return iter_text(review, color=color)


# -- the command ----------------------------------------------------------------------

def parse_columns(value: str | None) -> dict[str, str] | None:
    if not value:
        return None
    out = {}
    for part in value.split(","):
        role, sep, name = part.partition("=")
        if not sep or not role.strip() or not name.strip():
            raise ReviewError(f"--columns: expected ROLE=COLUMN pairs like timestamp=Date,sender=From,text=Body, got {part.strip()!r}")
        out[role.strip().lower()] = name.strip()
    return out


def _group_skips(chat: "ChatImport") -> dict[str, list[int | None]]:
    grouped: dict[str, list[int | None]] = {}
    for s in chat.skipped:
        grouped.setdefault(s.reason, []).append(s.line)
    return grouped


def _skip_summary(chat: "ChatImport") -> str:
    grouped = _group_skips(chat)
    return f" (skipped: {'; '.join(f'{len(v)} {k}' for k, v in grouped.items())})" if grouped else ""


def _warn_skips(chat: "ChatImport", path: str) -> None:
    bad = [s for s in chat.skipped if not s.reason.startswith(ROUTINE_SKIPS)]
    for s in bad[:MAX_WARNINGS]:
        where = f"{path}:{s.line}" if s.line is not None else path
        preview = _one_line(s.text, 60) if s.text else ""
        click.echo(f"msglint: warning: {where}: skipped ({s.reason})" + (f": {preview}" if preview else ""), err=True)
    if len(bad) > MAX_WARNINGS:
        click.echo(f"msglint: warning: {len(bad) - MAX_WARNINGS:,} more lines skipped; the report lists them by reason", err=True)


def _engine_settings(settings: Settings) -> Settings:
    """The settings without the --disable/--enable names of context rules and categories:
    the engine does not know them (and `build_engine` would reject them as unknown)."""
    from .context import context_names

    names = context_names()
    return replace(settings, disable=settings.disable - names, enable=settings.enable - names)


def _progress_enabled(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return sys.stderr is not None and sys.stderr.isatty()


@click.command("review")
@click.argument("export", type=str, metavar="EXPORT")
@click.option("--me", metavar="NAME", help="Your name as it appears in the export (case-insensitive). Without it, the senders are listed.")
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), default=None, help="Force the export format (default: detected from the content).")
@click.option("--columns", metavar="ROLE=COL,...", help="Column names for csv/jsonl, e.g. timestamp=Date,sender=From,text=Body.")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text", show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file (default: stdout). Nothing is written to disk otherwise.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default=None, help="Lowest severity that makes the exit status 1 (default: warning).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Lint on N worker processes.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when stderr is a terminal).")
@click.option("--color/--no-color", default=None, help="Force colour on or off (text report on a terminal).")
@click.option("--late-night", metavar="HH:MM-HH:MM", help="Late-night window, in the export's local time (default 23:00-05:00).")
@click.option("--ignored-streak", type=click.IntRange(min=1), help="Unanswered messages in a row that make a streak (default 2).")
@click.option("--too-soon-days", type=click.IntRange(min=1), help="Days to wait after an unanswered message (default 7).")
@click.option("--no-contact-until", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD", help="End of a declared no-contact period: your messages before that day are flagged.")
@click.option("--no-contact-from", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD", help="Start of the no-contact period (default: 30 days before its end).")
@click.option("--repeat-similarity", type=click.IntRange(1, 100), help="How alike (0-100) two messages must be to count as a repeat (default 85).")
@click.option("--burst-minutes", type=click.FloatRange(min=0), default=2.0, show_default=True, help="Your lines sent within this many minutes of each other count as one message (double-text, ignored-streak, too-soon).")
@settings_options
def review_command(export: str, me: str | None, input_format: str | None, columns: str | None, fmt: str, output: Path | None, fail_on: str | None, jobs: int, progress: bool | None, color: bool | None, late_night: str | None, ignored_streak: int | None, too_soon_days: int | None, no_contact_until: datetime | None, no_contact_from: datetime | None, repeat_similarity: int | None, burst_minutes: float, **options) -> None:
    """Review every message you sent in a chat EXPORT (WhatsApp, Telegram, Signal, ...).

    Lints your messages like drafts, and checks the conversation's timing and history:
    late-night messages, double texts, ignored streaks, reaching out too soon, repeats.
    """
    from .chats import ChatImportError, load_chat
    from .cli import build_engine
    from .config import parse_fail_on, parse_window
    from .context import ContextRuleError, context_names

    settings = resolve_settings(**options)
    try:
        window = parse_window(late_night) if late_night else None
    except ValueError as exc:
        fail(f"--late-night: {exc}")
    settings = settings.with_overrides(
        late_night=window, ignored_streak=ignored_streak, too_soon_days=too_soon_days,
        no_contact_until=no_contact_until.date() if no_contact_until else None, repeat_similarity=repeat_similarity,
    )
    if no_contact_from and not settings.no_contact_until:
        fail("--no-contact-from needs --no-contact-until (or no_contact_until in the config)")
    if no_contact_from and settings.no_contact_until and no_contact_from.date() >= settings.no_contact_until:
        fail("--no-contact-from must be before the end of the no-contact period")
    threshold = parse_fail_on(fail_on) if fail_on else settings.fail_on
    show_progress = _progress_enabled(progress)
    total = None
    try:
        context_names()  # a broken context rule file fails here, in one line
        chat = load_chat(export, input_format, columns=parse_columns(columns))
        if me is None or show_progress:
            # A quick pass without linting: the senders to choose from (a missing or wrong
            # --me fails now, not after the work) and the progress bar's length.
            senders = count_senders(chat)
            total = senders.total
            if me is None:
                _warn_skips(chat, export)
            if total == 0:
                raise ReviewError(f"{export}: no messages found" + _skip_summary(chat))
            choose_me(senders, me, export)
    except (ChatImportError, ReviewError, ContextRuleError) as exc:
        fail(str(exc))
    engine_settings = _engine_settings(settings)
    build_engine(engine_settings)  # one-line errors for a bad model or rule file, before the work
    bar = click.progressbar(length=total or 0, label="Reviewing", file=sys.stderr, show_pos=True) if show_progress else None
    try:
        if bar is not None:
            bar.__enter__()
        with collector.batch():
            review = review_messages(
                chat, me, settings, engine_settings=engine_settings, jobs=jobs, burst=timedelta(minutes=burst_minutes),
                no_contact_from=no_contact_from.date() if no_contact_from else None, progress=bar,
            )
    except (ChatImportError, ReviewError) as exc:
        fail(str(exc))
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if me is not None:
        _warn_skips(chat, export)

    color_on = fmt == "text" and output is None and use_color(color)
    pieces = render(review, fmt, color=color_on)
    if output is not None:
        try:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                for piece in pieces:
                    fh.write(piece)
        except OSError as exc:
            fail(f"--output {output}: cannot write: {exc.strerror or exc}")
        click.echo(f"msglint: wrote the {fmt} report to {output} ({review.finding_count:,} findings in {len(review.flagged):,} of your messages)", err=True)
    else:
        try:
            for piece in pieces:
                click.echo(piece, nl=False, color=color_on or None)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader (e.g. `| head`) went away: stop quietly, as other CLI tools do.
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if threshold is not None and any(f.severity >= threshold for _, f in review.findings()):
        sys.exit(1)
