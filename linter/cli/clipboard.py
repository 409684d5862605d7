"""`msglint clipboard`: the pre-send check behind a hotkey.

Copy the draft, press the hotkey: the clipboard is read, linted (through `msglint serve`
when it runs), and the verdict shown as a desktop notification, or printed when none can
be shown. The exit status is the verdict, so scripts can chain it:

    0  looks good to send      1  don't send (findings at or above --fail-on)
    2  could not check (no clipboard tool, empty clipboard, bad options...)
"""

from __future__ import annotations

import sys

import click

from ..errors import MsglintError
from ..presend.clipboard import TOOLS
from .errors import UserError, fail
from .options import FAIL_ON, presend_options, resolve_settings, settings_options


@click.command("clipboard")
@click.option("--no-notify", is_flag=True, help="Print the verdict only; no desktop notification.")
@click.option("--tool", type=click.Choice(sorted(TOOLS)), help="Clipboard tool (default: the first available: wl-paste on Wayland, xclip, xsel, pbpaste, PowerShell).")
@click.option("--from-file", metavar="FILE", help="Check FILE (or - for stdin) instead of the clipboard: the same path, for testing and benchmarks.")
@click.option("--start-server", is_flag=True, help="Start `msglint serve --daemon` when none runs, so the next checks are instant.")
@click.option("--max-findings", type=click.IntRange(min=1), default=3, show_default=True, help="Findings shown in the verdict before 'and N more'.")
@click.option("--fail-on", type=FAIL_ON, default=None, help="Lowest severity that means don't send (default: the config's, else warning).")
@presend_options
@settings_options
def clipboard_command(no_notify: bool, tool: str | None, from_file: str | None, start_server: bool, max_findings: int, fail_on: str | None, now, history_path: str | None, me: str | None, input_format: str | None, no_server: bool, socket_file: str | None, **options) -> None:
    """Check the draft on the clipboard before you send it (bind this to a hotkey).

    Shows the verdict (good to send, rewrite first, wait) and the top findings as a desktop notification (printed
    when no notification can be shown, or with --no-notify). Exit status: 0 send,
    1 don't send, 2 could not check, e.g. `msglint clipboard && xdotool key ctrl+Return`.
    """
    from ..check import make_job
    from ..config import parse_fail_on
    from ..presend.notify import notify
    from ..presend.summary import verdict

    try:
        if start_server and no_server:
            fail("--start-server and --no-server contradict each other")
        try:
            settings = resolve_settings(**options)
            threshold = parse_fail_on(fail_on) if fail_on else settings.fail_on
            text = _read(tool, from_file, settings.max_draft_bytes)
            job = make_job([text], settings, now=now, history_path=history_path, me=me, input_format=input_format)
            findings = _lint(job, start_server=start_server, no_server=no_server, socket_file=socket_file)
        except MsglintError as exc:
            raise UserError(str(exc)) from None
    except click.ClickException as exc:
        if not no_notify:
            notify("msglint could not check", exc.format_message(), urgent=True)
        raise
    result = verdict(findings, threshold, max_findings)
    shown = False if no_notify else notify(result.title, "\n".join(result.lines), urgent=not result.send)
    # Printed only when no notification was shown (or on a terminal): a hotkey daemon's
    # stdout often ends up in the system journal, and findings may quote the chat.
    if not shown or (sys.stdout is not None and sys.stdout.isatty()):
        click.echo(result.text)
    sys.exit(0 if result.send else 1)


def _read(tool: str | None, from_file: str | None, max_bytes: int) -> str:
    """The draft from the clipboard (or --from-file); UserError if there is none."""
    from ..presend.clipboard import choose_backend, read_clipboard
    from ..reader import read_draft

    if from_file is not None:
        text = read_draft(from_file, max_bytes)
        where = "the file" if from_file != "-" else "stdin"
    else:
        text = read_clipboard(choose_backend(prefer=tool), max_bytes=max_bytes)
        where = "the clipboard"
    if not text.strip():
        raise UserError(f"nothing to check: {where} is empty")
    return text


def _lint(job, *, start_server: bool, no_server: bool, socket_file: str | None) -> list:
    from ..server.client import ensure_server, lint_job

    if start_server:
        problem = ensure_server(socket_file)
        if problem:
            click.echo(f"msglint: warning: {problem}; checking in-process", err=True)
    outcome = lint_job(job, use_server=not no_server, socket=socket_file)
    for note in outcome.notes:
        click.echo(note, err=True)
    return outcome.findings[0]
