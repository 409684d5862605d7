"""`msglint rules` and `msglint explain`: the rule catalogue and the reasoning behind it."""

from __future__ import annotations

import click

from .errors import fail
from .options import resolve_settings, settings_options

def _catalogue(options: dict):
    """(settings, category vocabulary, every rule) for the listing commands."""
    from ..api import all_rules
    from ..rules.loader import load_vocabulary

    settings = resolve_settings(**options)
    return settings, load_vocabulary(), all_rules(settings)


@click.command("rules")
@click.option("--category", "categories", multiple=True, help="Only rules of this category (repeatable).")
@click.option("--categories", "list_categories", is_flag=True, help="List the category vocabulary instead.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@settings_options
def rules_command(categories: tuple[str, ...], list_categories: bool, fmt: str, **options) -> None:
    """List the rules (id, category, severity, message)."""
    import json

    from ..api import is_enabled

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


@click.command("explain")
@click.argument("name")
@settings_options
def explain_command(name: str, **options) -> None:
    """Show the full reasoning and examples of a rule or a category."""
    _, vocabulary, rules = _catalogue(options)
    chosen = [r for r in rules if r.id == name or r.category == name or f"{r.category}/{r.id}" == name]
    from ..context import load_context_rules

    context_rules = [r for r in load_context_rules().values() if name in (r.id, r.category)]
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
        click.echo(f"  {_filled(r.message, r.params)}")
        click.echo(f"  why:    {r.why}")
        click.echo(f"  try:    {r.suggestion}")
        if r.rewrite:
            click.echo(f"  e.g.:   {r.rewrite}")
        click.echo(f"  source: {r.source}")
        click.echo("  flags:  " + "\n          ".join(e.text.replace("\n", " / ") for e in r.flag_examples))
        click.echo("  passes: " + "\n          ".join(e.text.replace("\n", " / ") for e in r.pass_examples))
        click.echo()


class _Placeholders(dict):
    """A message's values outside any draft: the rule's parameters, and N for what only a
    draft can say ("{sentences} sentences" reads "N sentences")."""

    def __missing__(self, key: str) -> str:
        return "N"


def _filled(message: str, params: dict) -> str:
    try:
        return message.format_map(_Placeholders({k: v for k, v in params.items() if isinstance(v, (int, float, str))}))
    except (ValueError, IndexError):
        return message
