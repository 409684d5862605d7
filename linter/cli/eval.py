"""`msglint eval`: precision and recall of the rules on a labelled corpus, or false-alarm
rates on unlabelled real texts.

Data flows one way: corpus files -> `Example`s (malformed lines become `Problem`s) ->
findings (one batched engine pass) -> scores -> text or JSON (`linter.quality`).
"""

from __future__ import annotations

import json

import click

from .errors import fail
from .options import settings_options, resolve_settings

# Malformed lines echoed on stderr by the text output; JSON lists every one.
MAX_PROBLEMS_SHOWN = 20

@click.command("eval")
@click.argument("files", nargs=-1, metavar="CORPUS.jsonl...")
@click.option("--benign", is_flag=True, help="The files hold unlabelled texts: report the share flagged per category instead.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format (json has stable keys, for scripts).")
@click.option("--show", type=click.IntRange(min=0), default=10, show_default=True, help="Texts shown per category and kind (false alarms, misses, flagged); 0: counts only.")
@click.option("--category", "focus", multiple=True, metavar="CATEGORY", help="Report (and apply thresholds to) only this category (repeatable).")
@click.option("--min-precision", type=click.FloatRange(0, 1), help="Exit 1 when a category with support > 0 has lower precision.")
@click.option("--min-recall", type=click.FloatRange(0, 1), help="Exit 1 when a category with support > 0 has lower recall.")
@click.option("--max-rate", type=click.FloatRange(0, 1), help="With --benign: exit 1 when a category flags a larger share of the texts.")
@settings_options
def eval_command(files: tuple[str, ...], benign: bool, fmt: str, show: int, focus: tuple[str, ...], min_precision: float | None, min_recall: float | None, max_rate: float | None, **options) -> None:
    """Precision and recall per category on labelled CORPUS.jsonl files.

    \b
    msglint eval corpus/*.jsonl
    msglint eval corpus/*.jsonl --category miss-me --show 30
    msglint eval corpus/*.jsonl --min-precision 0.9 --min-recall 0.85   (CI)
    msglint eval --benign ../shared/corpus-real/benign_sms.jsonl
    """
    from ..api import all_rules, get_linter
    from ..quality.corpus import MESSAGE_SCOPE, read_corpus
    from ..quality.report import benign_to_dict, render_benign, render_report, report_to_dict
    from ..quality.scoring import above_rate, below_floors, evaluated_categories, lint_examples, score, score_benign
    from ..rules.loader import load_vocabulary

    if not files:
        fail("no corpus: pass one or more .jsonl files (e.g. msglint eval corpus/*.jsonl)")
    if benign and (min_precision is not None or min_recall is not None):
        fail("--min-precision/--min-recall need labels; with --benign use --max-rate")
    if not benign and max_rate is not None:
        fail("--max-rate applies to --benign only; use --min-precision/--min-recall")
    settings = resolve_settings(**options)
    vocabulary = load_vocabulary()
    for name in focus:
        if name not in vocabulary:
            fail(f"--category: unknown category {name!r} (see msglint rules --categories)")
        if vocabulary[name].get("scope") != MESSAGE_SCOPE:
            fail(f"--category: {name!r} is a context-level category; eval measures message-level ones")
    corpus = read_corpus(files, vocabulary, labeled=not benign)
    for problem in corpus.problems[:MAX_PROBLEMS_SHOWN]:
        click.echo(f"msglint: warning: {problem} (line skipped)", err=True)
    if len(corpus.problems) > MAX_PROBLEMS_SHOWN:
        click.echo(f"msglint: warning: {len(corpus.problems) - MAX_PROBLEMS_SHOWN} more malformed line(s) skipped (--format json lists them all)", err=True)
    if not corpus.examples:
        fail(f"no valid texts in {', '.join(corpus.files)}" + (f" ({len(corpus.problems)} malformed line(s))" if corpus.problems else ""))

    engine = get_linter(settings).engine
    categories, disabled = evaluated_categories(engine, all_rules(settings), vocabulary)
    chosen = [c for c in categories if not focus or c in focus]
    findings = lint_examples(engine, corpus.examples)

    if benign:
        benign_report = score_benign(corpus.examples, findings, categories).focus(chosen)
        benign_report.not_evaluated = disabled
        over = above_rate(benign_report, max_rate) if max_rate is not None else []
        if fmt == "json":
            click.echo(json.dumps(benign_to_dict(benign_report, corpus, show=show, over=over, max_rate=max_rate), indent=2, ensure_ascii=False))
        else:
            click.echo(render_benign(benign_report, corpus, show=show, over=over), nl=False)
        if over:
            raise SystemExit(1)
        return

    report = score(corpus.examples, findings, categories).focus(chosen)
    report.not_evaluated = disabled
    floors = below_floors(report, min_precision, min_recall)
    if fmt == "json":
        click.echo(json.dumps(report_to_dict(report, corpus, show=show, floors=floors, min_precision=min_precision, min_recall=min_recall), indent=2, ensure_ascii=False))
    else:
        click.echo(render_report(report, corpus, show=show, floors=floors), nl=False)
    if floors:
        raise SystemExit(1)
