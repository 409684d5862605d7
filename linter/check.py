"""Checking drafts as messages about to be sent: the `Job` a front end builds (drafts,
settings, the clock, optionally the chat they continue) and `run_job`, which turns it into
findings. The command line runs it in-process, the server runs the same function on the
same `Job` sent over its socket, so both routes give the same answer.
"""

from __future__ import annotations

import os
import stat
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Sequence

from .config import Settings
from .errors import MsglintError, UsageError
from .findings import Finding, sort_key
from .messages import Message, clean_text


class HistoryError(MsglintError):
    """The --history export cannot be used (unreadable, or --me names nobody in it)."""


@dataclass(frozen=True)
class History:
    """A chat export to read the draft against: the draft is the next message `me` sends."""

    path: str  # absolute, for opening
    shown: str  # as the user typed it, for messages
    me: str
    input_format: str | None = None


@dataclass(frozen=True)
class Job:
    """Everything a check needs, resolved by the client: drafts, settings, clock, history.
    `now` is the moment the drafts are checked as sent at (None: no context rules)."""

    texts: tuple[str, ...]
    settings: Settings
    now: datetime | None = None
    history: History | None = None


@dataclass
class Outcome:
    # One list per draft, in order: its findings, sorted, then the goods' matches (see
    # linter.verdict.split, which every front end uses before showing findings).
    findings: list[list[Finding]]
    notes: list[str] = field(default_factory=list)  # lines for stderr (skipped history items...)


def make_job(texts: Sequence[str], settings: Settings, *, now: datetime | None, history_path: str | None, me: str | None, input_format: str | None) -> Job:
    """The job for these drafts, validating the time-aware options (UsageError)."""
    if history_path is None and (me is not None or input_format is not None):
        raise UsageError("--me and --input-format go with --history EXPORT")
    history = None
    if history_path is not None:
        if not me:
            raise UsageError("--history needs --me NAME (your name as it appears in the export)")
        history = History(str(Path(history_path).expanduser().absolute()), history_path, me, input_format)
    return Job(tuple(map(clean_text, texts)), settings, now or datetime.now(), history)


def run_job(job: Job) -> Outcome:
    """Lint in this process: message rules, then the context rules. MsglintError on bad input."""
    from .api import get_linter

    linter = get_linter(job.settings)
    # A Job may arrive over the server's socket, built by another client: clean it here too.
    job = replace(job, texts=tuple(map(clean_text, job.texts)))
    # Each draft's list also holds what is good in it (categories of scope "good"): they
    # travel with the findings (through the server too) and the verdict takes them apart.
    results = [found + good for found, good in linter.check_many(job.texts)]
    notes: list[str] = []
    if job.now is None and job.history is None:
        return Outcome(results, notes)
    from .context import draft_findings

    history: Sequence[Message] = ()
    me = None
    if job.history is not None:
        history = load_history(job.history, notes, job.settings.max_history_bytes)
        me = job.history.me
    for i, text in enumerate(job.texts):
        extra = draft_findings(text, now=job.now or datetime.now(), settings=job.settings, history=history, me=me)
        if extra:
            results[i] = linter.ordered(sorted(results[i] + list(extra), key=sort_key))
    return Outcome(results, notes)


_history_cache: dict[tuple, tuple[list, list[str]]] = {}
_history_lock = threading.Lock()


def load_history(history: History, notes: list[str], max_bytes: int | None = None) -> list[Message]:
    """The export's messages (cached by path, size and mtime for the server), with its
    skipped items and the importer's assumptions added to `notes`; HistoryError if unusable
    or (a file) over `max_bytes` (default: the config's `max_history_bytes` default)."""
    from .chats import ChatImportError, load_chat
    from .config import MAX_HISTORY_BYTES
    from .reader import size_text

    limit = MAX_HISTORY_BYTES if max_bytes is None else max_bytes
    try:
        st = os.stat(history.path)
        key = (history.path, st.st_mtime_ns, st.st_size, history.input_format)
    except OSError:
        key = None
    else:
        # Checked before anything is read: an export is parsed whole, so its size is the
        # bound on memory (a directory export is bounded by its importer).
        if stat.S_ISREG(st.st_mode) and st.st_size > limit:
            raise HistoryError(f"{history.shown} is over the {size_text(limit)} limit for a --history export; raise it with max_history_bytes in the config")
    with _history_lock:
        cached = _history_cache.get(key) if key else None
    if cached is None:
        try:
            chat = load_chat(history.path, history.input_format)
            messages = list(chat)
        except ChatImportError as exc:
            raise HistoryError(str(exc).replace(history.path, history.shown)) from None
        except OSError as exc:
            raise HistoryError(f"{history.shown}: cannot read: {exc.strerror or exc}") from None
        found: list[str] = []
        if chat.skipped:
            reasons: dict[str, int] = {}
            for s in chat.skipped:
                reasons[s.reason] = reasons.get(s.reason, 0) + 1
            detail = "; ".join(f"{n} {r}" for r, n in sorted(reasons.items(), key=lambda kv: -kv[1]))
            found.append(f"msglint: warning: {history.shown}: skipped {len(chat.skipped)} item(s) that are not messages ({detail})")
        found.extend(f"msglint: note: {history.shown}: {note}" for note in chat.notes)
        cached = (messages, found)
        if key:
            with _history_lock:
                if len(_history_cache) >= 4:
                    _history_cache.pop(next(iter(_history_cache)))
                _history_cache[key] = cached
    messages, found = cached
    senders = sorted({m.sender for m in messages if m.sender})
    if senders and history.me not in senders:  # (no senders at all: every message is yours)
        shown = ", ".join(senders[:8]) + (", ..." if len(senders) > 8 else "")
        raise HistoryError(f"--me {history.me!r}: no such sender in {history.shown} (senders: {shown or 'none'})")
    notes.extend(found)
    return messages
