"""Scoring findings against labels: precision, recall and line placement per category on
a labelled corpus, and the share of texts flagged per category on unlabelled real texts.
Functions here return data and never print."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from .corpus import MESSAGE_SCOPE, Example

if TYPE_CHECKING:
    from ..findings import Finding
    from ..rules.engine import Engine

def lint_examples(engine: "Engine", examples: Sequence[Example]) -> list[list["Finding"]]:
    """Findings per example, in order. Each distinct text is linted once (linting is
    deterministic), in one batched pass."""
    unique = list(dict.fromkeys(e.text for e in examples))
    found = dict(zip(unique, engine.lint_many(unique)))
    return [found[e.text] for e in examples]


def detector_findings(engine: "Engine", examples: Sequence[Example], needed: Sequence[str] = ("both",)) -> dict[str, list[list["Finding"]]]:
    """Findings per example for "both" detectors, "rules" alone and "model" alone.

    With both, a learned-layer finding the rules already made on the same words is not
    reported twice, so "model" alone is measured on its own pass (no rules), not read off
    the combined one."""
    out: dict[str, list[list["Finding"]]] = {}
    if "both" in needed or "rules" in needed:
        both = lint_examples(engine, examples)
        out["both"] = both
        out["rules"] = [[f for f in found if f.detector == "rules"] for found in both]
    if "model" in needed:
        from ..rules.engine import Engine

        alone = Engine(engine.nlp, [], detectors=engine.detectors)
        out["model"] = lint_examples(alone, examples)
    return {k: out[k] for k in needed}


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


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _counts(key: str, counter: Counter) -> list[dict]:
    return [{key: list(k), "count": n} for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


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
