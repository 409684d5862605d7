"""`msglint check FILE...` (the default command): lint drafts, print findings."""

from __future__ import annotations

import sys

import click

from ..formats import FORMATS
from .errors import fail
from .options import FAIL_ON, presend_options, resolve_settings, settings_options, use_color


@click.command("check")
@click.argument("files", nargs=-1, type=str, metavar="FILE...")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format.")
@click.option("--fail-on", type=FAIL_ON, default=None, help="Lowest severity that makes the exit status 1 (default: warning).")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on a terminal, unless NO_COLOR is set).")
@presend_options
@settings_options
def check_command(files: tuple[str, ...], fmt: str, fail_on: str | None, color: bool | None, now, history_path: str | None, me: str | None, input_format: str | None, no_server: bool, socket_file: str | None, **options) -> None:
    """Lint draft FILEs (or - for stdin).

    Time-aware: a draft checked late at night gets late-night (the clock, or --now), a
    no-contact period in the config gets too-soon, and with --history EXPORT --me NAME the
    draft is checked as your next message in that chat. Uses `msglint serve` when it runs.
    """
    from ..check import make_job
    from ..config import parse_fail_on
    from ..formats import render
    from ..reader import InputError, read_draft
    from ..server.client import lint_job
    from ..verdict import judge_drafts

    if not files:
        if sys.stdin is None or sys.stdin.isatty():
            fail("no input: pass a draft file, or - to read stdin (see msglint --help)")
        files = ("-",)
    settings = resolve_settings(**options)
    threshold = parse_fail_on(fail_on) if fail_on else settings.fail_on

    texts: dict[str, str] = {}
    errors = 0
    for source in files:
        try:
            name = "<stdin>" if source == "-" else source
            texts[name] = read_draft(source, settings.max_draft_bytes)
        except InputError as exc:
            click.echo(f"msglint: error: {exc}", err=True)
            errors += 1
    findings = []
    verdicts = {}
    if texts:
        job = make_job(list(texts.values()), settings, now=now, history_path=history_path, me=me, input_format=input_format)
        outcome = lint_job(job, use_server=not no_server, socket=socket_file)
        for note in outcome.notes:
            click.echo(note, err=True)
        findings, verdicts = judge_drafts(list(texts), outcome.findings, threshold)
    if texts or fmt == "json":
        click.echo(render(findings, fmt, color=use_color(color), sources=texts, files=len(texts), verdicts=verdicts), nl=False)
    if errors:
        sys.exit(2)
    if threshold is not None and any(f.severity >= threshold for f in findings):
        sys.exit(1)
