"""How the command line ends on a problem: one line on stderr and exit 2.

The library raises `MsglintError`s; the command group turns each into a `UserError`, and
option checks that belong to the command line call `fail()`.
"""

from __future__ import annotations

from typing import NoReturn

import click


class UserError(click.ClickException):
    """One line on stderr and exit 2."""

    exit_code = 2

    def show(self, file=None) -> None:  # noqa: ARG002 - click's signature
        click.echo(f"msglint: error: {self.format_message()}", err=True)


def fail(message: str) -> NoReturn:
    raise UserError(message)
