"""The command line: `msglint FILE...` plus subcommands, one module per command. Each
command only parses its options and calls the library. Exit codes, as ruff's:

    0  nothing at or above --fail-on
    1  findings at or above --fail-on
    2  usage, input, config or rule-file errors (one line on stderr, never a traceback)
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from .. import __version__, collector
from ..errors import MsglintError
from .errors import UserError, fail

__all__ = ["main", "run", "UserError", "fail"]

# Every command lives in its own module, imported only when used: start-up stays fast and
# each command's module holds its own options.
COMMANDS = {
    "check": ("linter.cli.check", "check_command"),
    "rules": ("linter.cli.catalogue", "rules_command"),
    "explain": ("linter.cli.catalogue", "explain_command"),
    "eval": ("linter.cli.eval", "eval_command"),
    "review": ("linter.cli.review", "review_command"),
    "serve": ("linter.cli.serve", "serve_command"),
    "clipboard": ("linter.cli.clipboard", "clipboard_command"),
    "train": ("linter.cli.train", "train_command"),
}


class DefaultGroup(click.Group):
    """`msglint draft.txt` means `msglint check draft.txt`; subcommands win by name. A
    library error raised by any command ends it as one line and exit 2."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.list_commands(ctx) and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            module, attr = COMMANDS[name]
            self.commands[name] = getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MsglintError as exc:
            raise UserError(str(exc)) from None


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="msglint")
def main() -> None:
    """Lint a message to your ex before you send it.

    \b
    msglint draft.txt            lint a draft (or - for stdin)
    msglint rules                list the rules
    msglint explain miss-me      the reasoning behind a rule or category
    msglint review EXPORT --me NAME   your patterns in an old chat export
    msglint eval corpus/test/*.jsonl  precision and recall on a labelled corpus
    """


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
