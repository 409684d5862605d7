"""One streaming pass over a chat export: your messages through the rule engine in chunks,
every message through the context rules, into a `Review`."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import chain
from typing import TYPE_CHECKING, Sequence

from ..config import Settings
from ..context import CATEGORIES as CONTEXT_CATEGORIES
from ..context import wall_clock
from ..findings import Finding
from ..messages import Message
from .senders import Senders, choose_me
from .summary import Flagged, MonthStats, Review, ReviewError, month_key
from .workers import LintPool

if TYPE_CHECKING:
    from ..chats import ChatImport

CHUNK = 512  # messages per lint call / per task for a worker process

# Findings depend on the text alone, and chats repeat short texts ("ok", "lol", "haha yes")
# all the time: a text linted once is not parsed again. Bounded, and only short texts.
CACHE_TEXTS = 10_000
CACHE_MAX_CHARS = 200


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
    from ..context import BURST_WINDOW, ConversationChecker

    senders = Senders()
    stream = iter(chat)
    first = next(stream, None)
    if first is None:
        raise ReviewError(f"{chat.path}: no messages found" + skip_summary(chat))
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

    linter = LintPool(engine_settings or settings, jobs)
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
    review.skipped = group_skips(chat)
    review.system_lines = group_system_lines(chat)
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


def group_skips(chat: "ChatImport") -> dict[str, list[int | None]]:
    grouped: dict[str, list[int | None]] = {}
    for s in chat.skipped:
        grouped.setdefault(s.reason, []).append(s.line)
    return grouped


def group_system_lines(chat: "ChatImport") -> dict[str, list[int | None]]:
    grouped: dict[str, list[int | None]] = {}
    for s in chat.system_lines:
        grouped.setdefault(s.kind, []).append(s.line)
    return grouped


def skip_summary(chat: "ChatImport") -> str:
    parts = [f"{label}: {'; '.join(f'{len(v)} {k}' for k, v in grouped.items())}"
             for label, grouped in (("skipped", group_skips(chat)), ("system messages", group_system_lines(chat))) if grouped]
    return f" ({'; '.join(parts)})" if parts else ""
