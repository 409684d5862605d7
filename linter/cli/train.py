"""`msglint train`: fit the learned layer on the corpus's training split, reproducibly."""

from __future__ import annotations

import os
from pathlib import Path

import click

from .errors import fail
from .options import resolve_settings, settings_options


@click.command("train")
@click.option("--corpus", "corpus_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("corpus/train"), show_default=True, help="The training split: a directory of labelled .jsonl files.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Where to write model.json and weights.npy (default: the package's own artifact directory).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=min(2, os.cpu_count() or 1), show_default=True, help="Worker processes for fitting.")
@click.option("--check", is_flag=True, help="Write nothing: exit 1 if the shipped artifact was not trained on this corpus (or with another configuration).")
@settings_options
def train_command(corpus_dir: Path, out_dir: Path | None, jobs: int, check: bool, **options) -> None:
    """Train the learned layer from labelled drafts (the training split only).

    The same corpus and configuration give the same weights: folds and the fit are
    deterministic. Needs SciPy (`pip install 'msglint[train]'`); checking drafts does not.
    """
    from ..model.artifact import ARTIFACT_DIR, load, save
    from ..quality.corpus import message_categories, read_corpus
    from ..quality.train import DEFAULT_CONFIG, corpus_digest, train
    from ..rules.loader import load_vocabulary

    files = sorted(corpus_dir.glob("*.jsonl"))
    if not files:
        fail(f"{corpus_dir}: no .jsonl files (pass --corpus DIR, the training split)")
    if corpus_dir.resolve().name == "test":
        fail(f"{corpus_dir}: that is the test split; the model never trains on it")
    digest = corpus_digest(files)
    if check:
        meta = load(out_dir or ARTIFACT_DIR).meta
        if meta.get("corpus_sha256") != digest or meta.get("config") != DEFAULT_CONFIG:
            click.echo(f"msglint: the trained layer does not match {corpus_dir} (corpus {digest[:12]} vs trained on {str(meta.get('corpus_sha256'))[:12]}); run `msglint train`", err=True)
            raise SystemExit(1)
        click.echo(f"msglint: the trained layer matches {corpus_dir} ({digest[:12]})")
        return
    try:
        import scipy  # noqa: F401
    except ImportError:
        fail("training needs SciPy: pip install 'msglint[train]' (checking drafts does not)")
    from ..nlp import load as load_pipeline

    settings = resolve_settings(**options)
    vocabulary = load_vocabulary()
    corpus = read_corpus(files, vocabulary)
    for problem in corpus.problems[:20]:
        click.echo(f"msglint: warning: {problem} (line skipped)", err=True)
    categories = [c for c in message_categories(vocabulary) if c not in DEFAULT_CONFIG["exclude"]]
    nlp = load_pipeline(settings.model)
    meta, weights = train(nlp, corpus.examples, categories, DEFAULT_CONFIG, corpus_sha256=digest, jobs=jobs, say=lambda m: click.echo(f"msglint train: {m}", err=True))
    target = out_dir or ARTIFACT_DIR
    save(target, meta, weights)
    rows = [(c, v) for c, v in meta["cross_validation"].items()]
    click.echo(f"msglint train: wrote {target} ({len(corpus.examples):,} texts, corpus {digest[:12]})")
    for c, v in rows:
        t = meta["thresholds"][c]
        status = f"threshold {t:.3f}, cv precision {v['precision']:.3f}, recall {v['recall']:.3f}" if t is not None else "rules-only (no threshold reaches the precision target)"
        click.echo(f"  {c:16} AP {v['average_precision']:.3f}  {status}")
