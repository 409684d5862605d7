"""The eval reports as text (for people) and as dicts (for `--format json`)."""

from __future__ import annotations

from typing import Iterable, Sequence

from .corpus import Corpus
from .scoring import BenignReport, Report, _ratio, _round

NO_LABELS = "(no labels)"
# Text output shortens long samples; JSON always carries the full text.
SAMPLE_WIDTH = 160

def _fmt(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:.3f}"


def _short(text: str, width: int = SAMPLE_WIDTH) -> str:
    flat = text.replace("\n", " / ")
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _names(categories: Iterable[str]) -> str:
    names = list(categories)
    return ", ".join(names) if names else NO_LABELS


def report_to_dict(report: Report, corpus: Corpus, *, show: int, floors: Sequence[tuple] = (), min_precision: float | None = None, min_recall: float | None = None) -> dict:
    checked, correct = report.line_placement()
    misplaced = [s for c in report.categories.values() for s in c.misplaced]
    return {
        "mode": "labeled",
        "files": corpus.files,
        "texts": report.texts,
        "unlabeled_texts": report.unlabeled_texts,
        "unlabeled_flagged": report.unlabeled_flagged,
        "skipped": len(corpus.problems),
        "problems": [p.to_dict() for p in corpus.problems],
        "not_evaluated": report.not_evaluated,
        "categories": {name: s.to_dict(show) for name, s in report.categories.items()},
        "micro": report.micro().to_dict(),
        "macro": report.macro().to_dict(),
        "line_placement": {"checked": checked, "correct": correct, "accuracy": _round(_ratio(correct, checked)), "misplaced": [s.to_dict() for s in misplaced[:show]]},
        "thresholds": {
            "min_precision": min_precision,
            "min_recall": min_recall,
            "below": [{"category": c, "metric": m, "value": _round(v), "floor": f} for c, m, v, f in floors],
        },
    }


def benign_to_dict(report: BenignReport, corpus: Corpus, *, show: int, over: Sequence[tuple] = (), max_rate: float | None = None) -> dict:
    return {
        "mode": "benign",
        "files": corpus.files,
        "texts": report.texts,
        "skipped": len(corpus.problems),
        "problems": [p.to_dict() for p in corpus.problems],
        "not_evaluated": report.not_evaluated,
        "flagged_any": report.flagged_any,
        "flagged_any_rate": _round(_ratio(report.flagged_any, report.texts)),
        "categories": {c: {"flagged": s.flagged, "rate": _round(report.rate(c)), "samples": [x.to_dict() for x in s.samples[:show]]} for c, s in report.categories.items()},
        "thresholds": {"max_rate": max_rate, "above": [{"category": c, "rate": _round(r), "ceiling": m} for c, r, m in over]},
    }


_PLURAL = {"false alarm": "false alarms", "miss": "misses", "wrong line": "wrong lines"}


def render_report(report: Report, corpus: Corpus, *, show: int, floors: Sequence[tuple] = ()) -> str:
    out = [f"{report.texts} texts from {len(corpus.files)} file(s); {report.unlabeled_texts} without labels, {report.unlabeled_flagged} of them flagged" + (f"; {len(corpus.problems)} malformed line(s) skipped" if corpus.problems else ""), ""]
    out.append(f"{'category':<16} {'prec':>6} {'recall':>6} {'f1':>6} {'support':>7} {'tp':>5} {'fp':>5} {'fn':>5}  lines")
    for name, s in report.categories.items():
        lines = f"{s.line_correct}/{s.line_checked}" if s.line_checked else "-"
        out.append(f"{name:<16} {_fmt(s.precision):>6} {_fmt(s.recall):>6} {_fmt(s.f1):>6} {s.support:>7} {s.tp:>5} {s.fp:>5} {s.fn:>5}  {lines}")
    for label, avg in (("micro", report.micro()), ("macro", report.macro())):
        out.append(f"{label:<16} {_fmt(avg.precision):>6} {_fmt(avg.recall):>6} {_fmt(avg.f1):>6}")
    checked, correct = report.line_placement()
    if checked:
        out.append(f"\nline placement: {correct}/{checked} = {correct / checked:.3f} (true positives on multi-line drafts found on the labelled line)")
    if report.not_evaluated:
        out.append(f"\nnot evaluated (every rule disabled): {', '.join(report.not_evaluated)}")

    for name, s in report.categories.items():
        if not (s.false_alarms or s.misses or s.misplaced):
            continue
        out.append(f"\n== {name}: {_count(s.fp, 'false alarm', 'false alarms')}, {_count(s.fn, 'miss', 'misses')}" + (f", {len(s.misplaced)} on the wrong line" if s.misplaced else ""))
        for labels, n in sorted(s.confused_with.items(), key=lambda kv: (-kv[1], kv[0])):
            where = f"where the labels were {', '.join(labels)}" if labels else "on texts with no labels"
            out.append(f"  flagged {name} {where}: {n}")
        for flagged, n in sorted(s.flagged_instead.items(), key=lambda kv: (-kv[1], kv[0])):
            out.append(f"  missed {name}; flagged instead: {_names(flagged) if flagged else 'nothing'}: {n}")
        for kind, samples in (("false alarm", s.false_alarms), ("miss", s.misses), ("wrong line", s.misplaced)):
            for sample in samples[:show]:
                out.append(f"  {kind:<11} {sample.example.source}  {_short(sample.example.text)!r}")
                if kind == "false alarm":
                    out.append("              " + "; ".join(f"{f.rule}: {_short(f.text, 60)!r}" for f in sample.findings))
                elif kind == "miss":
                    out.append(f"              labels: {_names(sorted(sample.example.labels))}; flagged: {_names(sample.flagged) if sample.flagged else 'nothing'}")
                else:
                    out.append(f"              labelled line {sample.expected_line}; found on line(s) {', '.join(str(f.line) for f in sample.findings)}")
            if show and len(samples) > show:
                more = len(samples) - show
                out.append(f"  … {more} more {kind if more == 1 else _PLURAL[kind]} (--show N)")
    for category, metric, value, floor in floors:
        out.append(f"\nbelow floor: {category} {metric} {value:.3f} < {floor:.3f}")
    return "\n".join(out) + "\n"


def render_benign(report: BenignReport, corpus: Corpus, *, show: int, over: Sequence[tuple] = ()) -> str:
    total = report.texts
    out = [f"{total} unlabelled texts from {len(corpus.files)} file(s); {report.flagged_any} flagged ({report.flagged_any / total:.2%})" + (f"; {len(corpus.problems)} malformed line(s) skipped" if corpus.problems else ""), ""]
    out.append(f"{'category':<16} {'flagged':>7} {'rate':>7}")
    for name, s in report.categories.items():
        out.append(f"{name:<16} {s.flagged:>7} {s.flagged / total:>7.2%}")
    if report.not_evaluated:
        out.append(f"\nnot evaluated (every rule disabled): {', '.join(report.not_evaluated)}")
    for name, s in report.categories.items():
        if not s.samples or not show:
            continue
        out.append(f"\n== {name}: {s.flagged} flagged")
        for sample in s.samples[:show]:
            out.append(f"  {sample.example.source}  {_short(sample.example.text)!r}")
            out.append("      " + "; ".join(f"{f.rule}: {_short(f.text, 60)!r}" for f in sample.findings))
        if len(s.samples) > show:
            out.append(f"  … {len(s.samples) - show} more (--show N)")
    for category, rate, ceiling in over:
        out.append(f"\nabove ceiling: {category} flags {rate:.2%} of texts > {ceiling:.2%}")
    return "\n".join(out) + "\n"


def comparison_to_dict(reports: dict, *, benign: bool) -> dict:
    """{category: {detector: {precision, recall, f1, support} or {rate}}} plus macro averages."""
    out: dict = {"categories": {}, "macro": {}}
    for name, report in reports.items():
        for c, s in report.categories.items():
            entry = {"rate": _round(report.rate(c))} if benign else {"precision": _round(s.precision), "recall": _round(s.recall), "f1": _round(s.f1), "support": s.support}
            out["categories"].setdefault(c, {})[name] = entry
        if not benign:
            out["macro"][name] = report.macro().to_dict()
    return out


def render_comparison(reports: dict, corpus: Corpus, *, benign: bool) -> str:
    """The per-category table: precision / recall (or the share flagged) per detector."""
    names = list(reports)
    first = reports[names[0]]
    cats = list(first.categories)
    if benign:
        head = f"{'category':16}" + "".join(f" {n:>8}" for n in names)
        rows = [head, "-" * len(head)]
        for c in cats:
            rows.append(f"{c:16}" + "".join(f" {_fmt(reports[n].rate(c)):>8}" for n in names))
        return f"{first.texts:,} unlabelled texts from {len(corpus.files)} file(s): share flagged per category\n\n" + "\n".join(rows) + "\n"
    head = f"{'category':16} {'n':>5}" + "".join(f" {n + ' P':>9} {n + ' R':>9}" for n in names)
    rows = [head, "-" * len(head)]
    for c in cats:
        rows.append(f"{c:16} {first.categories[c].support:>5}" + "".join(f" {_fmt(reports[n].categories[c].precision):>9} {_fmt(reports[n].categories[c].recall):>9}" for n in names))
    rows.append("-" * len(head))
    rows.append(f"{'macro':16} {'':>5}" + "".join(f" {_fmt(reports[n].macro().precision):>9} {_fmt(reports[n].macro().recall):>9}" for n in names))
    return f"{len(corpus.examples):,} texts from {len(corpus.files)} file(s)\n\n" + "\n".join(rows) + "\n"
