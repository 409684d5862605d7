"""`msglint review EXPORT --me NAME`: your patterns across an old chat export.

With --me given and no progress bar, the export is read once. Otherwise a quick first pass
(no linting) counts the senders, so a missing or wrong --me fails at once instead of after
the work, and gives the progress bar its length.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..chats import FORMATS as INPUT_FORMATS
from ..config import Settings
from ..formats import REPORT_FORMATS
from ..formats.review_text import one_line
from .errors import fail
from .options import FAIL_ON, resolve_settings, settings_options, use_color

if TYPE_CHECKING:
    from ..chats import ChatImport

# Skips that are part of every export (notices, deletions): counted in the report, but not
# warned about one by one. Everything else (a line that does not parse) gets a warning.
ROUTINE_SKIPS = ("system message", "service message", "deleted message", "unsent message", "reaction notice", "empty message", "empty text")
MAX_WARNINGS = 20

def parse_columns(value: str | None) -> dict[str, str] | None:
    if not value:
        return None
    out = {}
    for part in value.split(","):
        role, sep, name = part.partition("=")
        if not sep or not role.strip() or not name.strip():
            fail(f"--columns: expected ROLE=COLUMN pairs like timestamp=Date,sender=From,text=Body, got {part.strip()!r}")
        out[role.strip().lower()] = name.strip()
    return out



def _warn_skips(chat: "ChatImport", path: str) -> None:
    bad = [s for s in chat.skipped if not s.reason.startswith(ROUTINE_SKIPS)]
    for s in bad[:MAX_WARNINGS]:
        where = f"{path}:{s.line}" if s.line is not None else path
        preview = one_line(s.text, 60) if s.text else ""
        click.echo(f"msglint: warning: {where}: skipped ({s.reason})" + (f": {preview}" if preview else ""), err=True)
    if len(bad) > MAX_WARNINGS:
        click.echo(f"msglint: warning: {len(bad) - MAX_WARNINGS:,} more lines skipped; the report lists them by reason", err=True)


def _open(export: str, input_format: str | None, columns: dict[str, str] | None, conversation: str | None, strict: bool) -> "ChatImport":
    from ..chats import ConversationChoice, load_chat

    try:
        return load_chat(export, input_format, columns=columns, conversation=conversation, strict=strict)
    except ConversationChoice as choice:
        # Like a missing --me: show what there is to choose from, then fail in one line.
        if choice.conversations:
            click.echo("Conversations in this source (messages):", err=True)
            for name, count in choice.conversations:
                click.echo(f"  {count:>8,}  {name}", err=True)
        fail(str(choice))


def _engine_settings(settings: Settings) -> Settings:
    """The settings without the --disable/--enable names of context rules and categories:
    the engine does not know them (and `build_engine` would reject them as unknown)."""
    from ..context import context_names

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
@click.option("--with", "conversation", metavar="NAME|NUMBER", help="Which conversation of a source that holds several (SMS backup, chat.db, full Telegram export). Without it, they are listed.")
@click.option("--strict", is_flag=True, help="Any entry that cannot be read as a message is fatal (exit 2) instead of a counted skip.")
@click.option("--columns", metavar="ROLE=COL,...", help="Column names for csv/jsonl, e.g. timestamp=Date,sender=From,text=Body.")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text", show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file (default: stdout). Nothing is written to disk otherwise.")
@click.option("--fail-on", type=FAIL_ON, default=None, help="Lowest severity that makes the exit status 1 (default: warning).")
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
def review_command(export: str, me: str | None, input_format: str | None, conversation: str | None, strict: bool, columns: str | None, fmt: str, output: Path | None, fail_on: str | None, jobs: int, progress: bool | None, color: bool | None, late_night: str | None, ignored_streak: int | None, too_soon_days: int | None, no_contact_until: datetime | None, no_contact_from: datetime | None, repeat_similarity: int | None, burst_minutes: float, **options) -> None:
    """Review every message you sent in a chat EXPORT (WhatsApp, Telegram, Signal, ...).

    Lints your messages like drafts, and checks the conversation's timing and history:
    late-night messages, double texts, ignored streaks, reaching out too soon, repeats.
    """
    from .. import collector
    from ..api import get_linter
    from ..config import parse_fail_on, parse_window
    from ..context import context_names
    from ..formats import render_review
    from ..review import ReviewError, choose_me, count_senders, review_messages
    from ..review.run import skip_summary

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
    context_names()  # a broken context rule file fails here, in one line
    chat = _open(export, input_format, parse_columns(columns), conversation, strict)
    me = me or chat.me
    if me is None or show_progress:
        # A quick pass without linting: the senders to choose from (a missing or wrong
        # --me fails now, not after the work) and the progress bar's length.
        senders = count_senders(chat)
        total = senders.total
        if me is None:
            _warn_skips(chat, export)
        if total == 0:
            raise ReviewError(f"{export}: no messages found" + skip_summary(chat))
        choose_me(senders, me, export)
    engine_settings = _engine_settings(settings)
    get_linter(engine_settings)  # one-line errors for a bad model or rule file, before the work
    bar = click.progressbar(length=total or 0, label="Reviewing", file=sys.stderr, show_pos=True) if show_progress else None
    try:
        if bar is not None:
            bar.__enter__()
        with collector.batch():
            review = review_messages(
                chat, me, settings, engine_settings=engine_settings, jobs=jobs, burst=timedelta(minutes=burst_minutes),
                no_contact_from=no_contact_from.date() if no_contact_from else None, progress=bar,
            )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if me is not None:
        _warn_skips(chat, export)

    color_on = fmt == "text" and output is None and use_color(color)
    pieces = render_review(review, fmt, color=color_on)
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
