"""`msglint eval`: precision and recall of the rules on a labelled corpus, or false-alarm
rates on unlabelled real texts.

Data flows one way: corpus files -> `Example`s (malformed lines become `Problem`s) ->
findings (one batched engine pass) -> scores -> text or JSON. The functions that read and
score return data and never print; only the click command writes to the terminal.

Corpus format (JSON Lines, one object per line):

    {"text": "hey\\ndo u miss me", "labels": ["miss-me"], "lines": {"miss-me": 2}, "note": "..."}

`labels` are message-level categories (`[]` for a text that must not be flagged); `lines`
optionally gives, per category, the 1-based line of a multi-line draft it belongs on.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

import click

from .cli import build_engine, fail, resolve_settings, settings_options

if TYPE_CHECKING:
    from .findings import Finding
    from .rules.engine import Engine

MESSAGE_SCOPE = "message"
NO_LABELS = "(no labels)"
# Text output shortens long samples; JSON always carries the full text.
SAMPLE_WIDTH = 160
# Malformed lines echoed on stderr by the text output; JSON lists every one.
MAX_PROBLEMS_SHOWN = 20


class CorpusError(Exception):
    """A corpus file cannot be read at all; str() is one line naming the file."""


# -- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """One corpus text with its expected categories."""

    text: str
    labels: frozenset[str]
    file: str
    line: int
    lines: Mapping[str, int] = field(default_factory=dict)
    note: str | None = None

    @property
    def source(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Problem:
    """A corpus line that was skipped, and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "reason": self.reason}


@dataclass
class Corpus:
    files: list[str]
    examples: list[Example]
    problems: list[Problem]


def message_categories(vocabulary: Mapping[str, Mapping]) -> list[str]:
    """The categories a corpus may label: those decided from the text alone."""
    return [name for name, info in vocabulary.items() if info.get("scope") == MESSAGE_SCOPE]


def read_corpus(paths: Iterable[str | Path], vocabulary: Mapping[str, Mapping], *, labeled: bool = True) -> Corpus:
    """Every valid example of the files, in order, plus one `Problem` per skipped line.

    `labeled=False` reads unlabelled texts (benign mode): `labels`, if present, must be empty.
    Raises CorpusError only for a file that cannot be read at all.
    """
    corpus = Corpus([], [], [])
    for path in paths:
        name = str(path)
        corpus.files.append(name)
        for number, raw in _lines(Path(path)):
            result = parse_line(raw, vocabulary, labeled=labeled)
            if isinstance(result, str):
                corpus.problems.append(Problem(name, number, result))
            elif result is not None:
                text, labels, lines, note = result
                corpus.examples.append(Example(text, labels, name, number, lines, note))
    return corpus


def _lines(path: Path) -> Iterable[tuple[int, bytes]]:
    try:
        if path.is_dir():
            raise CorpusError(f"{path}: is a directory; pass .jsonl corpus files")
        data = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{path}: no such file") from None
    except PermissionError:
        raise CorpusError(f"{path}: permission denied") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        yield number, raw


def parse_line(raw: bytes, vocabulary: Mapping[str, Mapping], *, labeled: bool = True) -> tuple | str | None:
    """(text, labels, lines, note) for a valid line, a reason for a malformed one, None for a blank one."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"byte 0x{raw[exc.start]:02x} at byte {exc.start + 1} of the line is not valid UTF-8 (save the corpus as UTF-8)"
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"invalid JSON: {exc.msg} (column {exc.colno})"
    if not isinstance(obj, dict):
        return f"expected a JSON object, got {type(obj).__name__}"
    text = obj.get("text")
    if text is None:
        return "missing 'text'"
    if not isinstance(text, str):
        return f"'text' must be a string, got {type(text).__name__}"
    if not text.strip():
        return "'text' is empty"
    # The same newlines a draft read from a file gets, so line numbers mean the same thing.
    text = text.replace("\r\n", "\n").replace("\r", "\n")

    labels = obj.get("labels")
    if labels is None:
        if labeled:
            return "missing 'labels' (use [] for a text that must not be flagged)"
        labels = []
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        return "'labels' must be a list of category names"
    if not labeled and labels:
        return "has labels; --benign expects unlabelled texts (evaluate labelled files without --benign)"
    for label in labels:
        if label not in vocabulary:
            return f"unknown category label {label!r} (see msglint rules --categories)"
        if vocabulary[label].get("scope") != MESSAGE_SCOPE:
            return f"label {label!r} is a context-level category; a corpus labels message-level categories only"

    lines = obj.get("lines") or {}
    if not isinstance(lines, dict):
        return "'lines' must be an object mapping a category to a 1-based line number"
    line_count = text.count("\n") + 1
    for category, number in lines.items():
        if category not in labels:
            return f"'lines' names {category!r}, which is not among the labels"
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= line_count:
            return f"'lines' for {category!r} must be a line number from 1 to {line_count}, got {number!r}"

    note = obj.get("note")
    return text, frozenset(labels), dict(lines), note if isinstance(note, str) else None


# -- linting ---------------------------------------------------------------------------


def lint_examples(engine: "Engine", examples: Sequence[Example]) -> list[list["Finding"]]:
    """Findings per example, in order. Each distinct text is linted once (linting is
    deterministic), in one batched pass."""
    unique = list(dict.fromkeys(e.text for e in examples))
    found = dict(zip(unique, engine.lint_many(unique)))
    return [found[e.text] for e in examples]


def evaluated_categories(engine: "Engine", all_rules: Sequence, vocabulary: Mapping[str, Mapping]) -> tuple[list[str], list[str]]:
    """(categories to score, categories left out because every rule of theirs is disabled).

    A message-level category with no rules at all is still scored: its recall is then 0,
    which is the truth. Categories of enabled user rules are scored too.
    """
    enabled = {r.category for r in engine.rules}
    having_rules = {r.category for r in all_rules}
    disabled = [c for c in vocabulary if c in having_rules and c not in enabled and vocabulary[c].get("scope") == MESSAGE_SCOPE]
    scored = [c for c in vocabulary if c not in disabled and (vocabulary[c].get("scope") == MESSAGE_SCOPE or c in enabled)]
    return scored, disabled


# -- scoring: labelled corpus ----------------------------------------------------------


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Sample:
    """One text shown as evidence: a false alarm, a miss or a misplaced finding."""

    example: Example
    flagged: tuple[str, ...]  # every category found on the text
    findings: tuple["Finding", ...] = ()  # the findings this sample is about
    expected_line: int | None = None

    def to_dict(self) -> dict:
        data: dict[str, Any] = {
            "source": self.example.source,
            "text": self.example.text,
            "labels": sorted(self.example.labels),
            "flagged": list(self.flagged),
            "findings": [{"rule": f.rule, "category": f.category, "line": f.line, "column": f.column, "text": f.text} for f in self.findings],
            "note": self.example.note,
        }
        if self.expected_line is not None:
            data["expected_line"] = self.expected_line
        return data


@dataclass
class CategoryScore:
    category: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    line_checked: int = 0
    line_correct: int = 0
    false_alarms: list[Sample] = field(default_factory=list)
    misses: list[Sample] = field(default_factory=list)
    misplaced: list[Sample] = field(default_factory=list)
    # For false alarms: the label sets the texts had instead. For misses: what fired instead.
    confused_with: Counter = field(default_factory=Counter)
    flagged_instead: Counter = field(default_factory=Counter)

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        """None when the category never fired (no false alarms, but nothing to judge)."""
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.support)

    @property
    def f1(self) -> float | None:
        return _f1(self.precision, self.recall)

    @property
    def line_accuracy(self) -> float | None:
        return _ratio(self.line_correct, self.line_checked)

    def to_dict(self, show: int) -> dict:
        return {
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "f1": _round(self.f1),
            "support": self.support,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "line_checked": self.line_checked,
            "line_correct": self.line_correct,
            "line_accuracy": _round(self.line_accuracy),
            "confused_with": _counts("labels", self.confused_with),
            "flagged_instead": _counts("flagged", self.flagged_instead),
            "false_alarms": [s.to_dict() for s in self.false_alarms[:show]],
            "misses": [s.to_dict() for s in self.misses[:show]],
            "misplaced": [s.to_dict() for s in self.misplaced[:show]],
        }


@dataclass(frozen=True)
class Average:
    precision: float | None
    recall: float | None
    f1: float | None

    def to_dict(self) -> dict:
        return {"precision": _round(self.precision), "recall": _round(self.recall), "f1": _round(self.f1)}


@dataclass
class Report:
    """Scores of a labelled corpus, per category and averaged."""

    texts: int
    unlabeled_texts: int
    unlabeled_flagged: int
    categories: dict[str, CategoryScore]
    not_evaluated: list[str] = field(default_factory=list)

    def micro(self) -> Average:
        """Counts pooled over the categories: dominated by the big categories."""
        tp = sum(s.tp for s in self.categories.values())
        fp = sum(s.fp for s in self.categories.values())
        fn = sum(s.fn for s in self.categories.values())
        p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        return Average(p, r, _f1(p, r))

    def macro(self) -> Average:
        """Unweighted mean over the categories with support > 0; a category that never
        fired counts as precision 0 (as scikit-learn's zero_division=0)."""
        scored = [s for s in self.categories.values() if s.support]
        if not scored:
            return Average(None, None, None)

        def mean(values: list[float | None]) -> float:
            return sum(v or 0.0 for v in values) / len(values)

        return Average(mean([s.precision for s in scored]), mean([s.recall for s in scored]), mean([s.f1 for s in scored]))

    def line_placement(self) -> tuple[int, int]:
        """(checked, correct) over every category: true positives on texts with `lines`."""
        return (sum(s.line_checked for s in self.categories.values()), sum(s.line_correct for s in self.categories.values()))

    def focus(self, categories: Sequence[str]) -> "Report":
        """The same report restricted to some categories (averages follow)."""
        return Report(self.texts, self.unlabeled_texts, self.unlabeled_flagged, {c: self.categories[c] for c in categories if c in self.categories}, self.not_evaluated)


def score(examples: Sequence[Example], findings: Sequence[Sequence["Finding"]], categories: Sequence[str]) -> Report:
    """Per-category true positives, false alarms and misses, with the texts behind them.

    A text counts once per category however many findings of it there are: the corpus
    labels texts, not spans.
    """
    if len(examples) != len(findings):
        raise ValueError(f"{len(examples)} examples but {len(findings)} finding lists")
    scores = {c: CategoryScore(c) for c in categories}
    unlabeled = unlabeled_flagged = 0
    for example, found in zip(examples, findings):
        by_category: dict[str, list] = {}
        for f in found:
            by_category.setdefault(f.category, []).append(f)
        flagged = tuple(sorted(by_category))
        if not example.labels:
            unlabeled += 1
            unlabeled_flagged += any(c in scores for c in flagged)
        for category, s in scores.items():
            hit, expected = category in by_category, category in example.labels
            if hit and expected:
                s.tp += 1
                line = example.lines.get(category)
                if line is not None:
                    s.line_checked += 1
                    if any(f.line == line for f in by_category[category]):
                        s.line_correct += 1
                    else:
                        s.misplaced.append(Sample(example, flagged, tuple(by_category[category]), expected_line=line))
            elif hit:
                s.fp += 1
                s.false_alarms.append(Sample(example, flagged, tuple(by_category[category])))
                s.confused_with[tuple(sorted(example.labels))] += 1
            elif expected:
                s.fn += 1
                s.misses.append(Sample(example, flagged))
                s.flagged_instead[flagged] += 1
    return Report(len(examples), unlabeled, unlabeled_flagged, scores)


def below_floors(report: Report, min_precision: float | None = None, min_recall: float | None = None) -> list[tuple[str, str, float, float]]:
    """(category, metric, measured, floor) for every category with support > 0 under a floor.

    A category that never fired has no precision to judge; its recall (0) fails instead.
    """
    out = []
    for name, s in report.categories.items():
        if not s.support:
            continue
        if min_precision is not None and s.precision is not None and s.precision < min_precision:
            out.append((name, "precision", s.precision, min_precision))
        if min_recall is not None and s.recall is not None and s.recall < min_recall:
            out.append((name, "recall", s.recall, min_recall))
    return out


# -- scoring: unlabelled (benign) texts --------------------------------------------------


@dataclass
class RateScore:
    category: str
    flagged: int = 0
    samples: list[Sample] = field(default_factory=list)


@dataclass
class BenignReport:
    """How often each category fires on texts that carry no labels."""

    texts: int
    flagged_any: int
    categories: dict[str, RateScore]
    not_evaluated: list[str] = field(default_factory=list)

    def rate(self, category: str) -> float | None:
        return _ratio(self.categories[category].flagged, self.texts)

    def focus(self, categories: Sequence[str]) -> "BenignReport":
        return BenignReport(self.texts, self.flagged_any, {c: self.categories[c] for c in categories if c in self.categories}, self.not_evaluated)


def score_benign(examples: Sequence[Example], findings: Sequence[Sequence["Finding"]], categories: Sequence[str]) -> BenignReport:
    if len(examples) != len(findings):
        raise ValueError(f"{len(examples)} examples but {len(findings)} finding lists")
    scores = {c: RateScore(c) for c in categories}
    flagged_any = 0
    for example, found in zip(examples, findings):
        by_category: dict[str, list] = {}
        for f in found:
            by_category.setdefault(f.category, []).append(f)
        flagged = tuple(sorted(by_category))
        flagged_any += any(c in scores for c in flagged)
        for category, hits in by_category.items():
            if category in scores:
                scores[category].flagged += 1
                scores[category].samples.append(Sample(example, flagged, tuple(hits)))
    return BenignReport(len(examples), flagged_any, scores)


def above_rate(report: BenignReport, max_rate: float) -> list[tuple[str, float, float]]:
    """(category, measured rate, ceiling) for every category flagging more than max_rate."""
    return [(c, report.rate(c) or 0.0, max_rate) for c in report.categories if (report.rate(c) or 0.0) > max_rate]


# -- output ----------------------------------------------------------------------------


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _counts(key: str, counter: Counter) -> list[dict]:
    return [{key: list(k), "count": n} for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


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


# -- the command -----------------------------------------------------------------------


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
    from .api import all_rules
    from .rules.loader import RuleFileError, load_vocabulary

    if not files:
        fail("no corpus: pass one or more .jsonl files (e.g. msglint eval corpus/*.jsonl)")
    if benign and (min_precision is not None or min_recall is not None):
        fail("--min-precision/--min-recall need labels; with --benign use --max-rate")
    if not benign and max_rate is not None:
        fail("--max-rate applies to --benign only; use --min-precision/--min-recall")
    settings = resolve_settings(**options)
    try:
        vocabulary = load_vocabulary()
    except RuleFileError as exc:
        fail(str(exc))
    for name in focus:
        if name not in vocabulary:
            fail(f"--category: unknown category {name!r} (see msglint rules --categories)")
        if vocabulary[name].get("scope") != MESSAGE_SCOPE:
            fail(f"--category: {name!r} is a context-level category; eval measures message-level ones")
    try:
        corpus = read_corpus(files, vocabulary, labeled=not benign)
    except CorpusError as exc:
        fail(str(exc))
    for problem in corpus.problems[:MAX_PROBLEMS_SHOWN]:
        click.echo(f"msglint: warning: {problem} (line skipped)", err=True)
    if len(corpus.problems) > MAX_PROBLEMS_SHOWN:
        click.echo(f"msglint: warning: {len(corpus.problems) - MAX_PROBLEMS_SHOWN} more malformed line(s) skipped (--format json lists them all)", err=True)
    if not corpus.examples:
        fail(f"no valid texts in {', '.join(corpus.files)}" + (f" ({len(corpus.problems)} malformed line(s))" if corpus.problems else ""))

    engine = build_engine(settings)
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
