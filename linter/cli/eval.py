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
@click.option("--detector", type=click.Choice(["both", "rules", "model"]), default="both", show_default=True, help="Score the rules and the learned layer together, or either alone.")
@click.option("--compare", is_flag=True, help="One table: precision and recall per category for rules alone, model alone and both.")
@click.option("--verdict", "verdicts", is_flag=True, help="Score the pre-send verdict instead: good messages -> send, labelled drafts -> not send, crisis -> wait.")
@click.option("--cv", is_flag=True, help="With --compare, on the training split: the learned layer scored by k-fold cross-validation (each text by a model that never saw it). Needs SciPy; takes minutes.")
@settings_options
def eval_command(files: tuple[str, ...], benign: bool, fmt: str, show: int, focus: tuple[str, ...], min_precision: float | None, min_recall: float | None, max_rate: float | None, detector: str, compare: bool, verdicts: bool, cv: bool, **options) -> None:
    """Precision and recall per category on labelled CORPUS.jsonl files.

    \b
    msglint eval corpus/test/*.jsonl
    msglint eval corpus/test/*.jsonl --category miss-me --show 30
    msglint eval corpus/test/*.jsonl --min-precision 0.9 --min-recall 0.85   (CI)
    msglint eval --benign ../shared/corpus-real/benign_sms.jsonl
    msglint eval corpus/test/*.jsonl --compare   (rules, model, both: the README table)
    msglint eval corpus/test/*.jsonl --verdict   (send / rewrite / wait on the corpus)
    """
    from ..api import all_rules, get_linter
    from ..quality.corpus import MESSAGE_SCOPE, read_corpus
    from ..quality.report import benign_to_dict, comparison_to_dict, render_benign, render_comparison, render_report, report_to_dict
    from ..quality.scoring import above_rate, below_floors, detector_findings, evaluated_categories, score, score_benign
    from ..rules.loader import load_vocabulary

    if cv and (benign or not compare):
        fail("--cv goes with --compare on a labelled training split")
    if not files:
        fail("no corpus: pass one or more .jsonl files (e.g. msglint eval corpus/test/*.jsonl)")
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

    if verdicts:
        if benign or compare or cv:
            fail("--verdict scores a labelled corpus on its own (without --benign, --compare or --cv)")
        _verdicts(corpus, settings, fmt, show)
        return
    engine = get_linter(settings).engine
    categories, disabled = evaluated_categories(engine, all_rules(settings), vocabulary)
    chosen = [c for c in categories if not focus or c in focus]
    if cv:
        by_detector = _cross_validated(engine, corpus.examples)
    else:
        by_detector = detector_findings(engine, corpus.examples, needed=("rules", "model", "both") if compare else (detector,))
    if compare:
        reports = {name: (score_benign if benign else score)(corpus.examples, found, categories).focus(chosen) for name, found in by_detector.items()}
        if fmt == "json":
            click.echo(json.dumps(comparison_to_dict(reports, benign=benign), indent=2, ensure_ascii=False))
        else:
            click.echo(render_comparison(reports, corpus, benign=benign), nl=False)
        return
    findings = by_detector[detector]

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


def _cross_validated(engine, examples) -> dict:
    """rules (as shipped), model (out-of-fold) and both (either), per training text."""
    import os

    from ..model.artifact import load
    from ..quality.scoring import detector_findings
    from ..quality.train import cross_validated_findings

    try:
        import scipy  # noqa: F401
    except ImportError:
        fail("--cv trains models: it needs SciPy (pip install 'msglint[train]')")
    rules = detector_findings(engine, examples, needed=("rules",))["rules"]
    model = cross_validated_findings(engine.nlp, examples, load().meta, jobs=min(2, os.cpu_count() or 1))
    return {"rules": rules, "model": model, "both": [r + m for r, m in zip(rules, model)]}


def _verdicts(corpus, settings, fmt: str, show: int) -> None:
    from ..api import get_linter, goods_vocabulary
    from ..quality.verdicts import render_verdicts, score_verdicts, verdicts_for

    verdicts, errors = verdicts_for(get_linter(settings), corpus.examples, settings.fail_on)
    report = score_verdicts(corpus.examples, verdicts, errors, goods_vocabulary())
    if fmt == "json":
        click.echo(json.dumps({"mode": "verdict", "files": corpus.files, **report.to_dict(show)}, indent=2, ensure_ascii=False))
    else:
        click.echo(render_verdicts(report, show=show), nl=False)
