"""The decision a check ends in: send, rewrite first, or wait, with the factors behind it
and what is already good.

    findings, goods = split(outcome_findings)
    v = decide(findings, goods, threshold=Severity.WARNING)
    v.decision, v.headline, v.factors, v.goods

Everything category-specific is data in rulesets/categories.yaml: each category's `factor`
(what part of the message it weighs on), `verdict: wait` (the moment is wrong, not the
words) and `says` (how a reason to wait is put); each good's `says` and `unless_found`
(categories that cancel it: a joke in an angry message is not a strength).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping, Sequence

from .findings import Finding, Severity

SEND, REWRITE, WAIT = "send", "rewrite", "wait"
# The order factors are listed in: what matters most at 2 am first.
FACTORS = ("safety", "timing", "pressure", "asks", "tone", "opening", "length")
# A factor's level: no finding and nothing good / something good / info notes only /
# a problem to fix / a reason to wait.
OK, GOOD, NOTE, PROBLEM, HOLD = "ok", "good", "note", "problem", "wait"


@dataclass(frozen=True)
class Good:
    """Something the draft already does well, and the words that do it."""

    kind: str
    says: str
    factor: str
    text: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return {"kind": self.kind, "says": self.says, "factor": self.factor, "text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Factor:
    name: str
    level: str
    findings: tuple[str, ...] = ()  # "category/rule" of the findings behind the level
    goods: tuple[str, ...] = ()  # kinds of the goods behind it

    def to_dict(self) -> dict:
        return {"name": self.name, "level": self.level, "findings": list(self.findings), "goods": list(self.goods)}


@dataclass(frozen=True)
class Verdict:
    decision: str  # send | rewrite | wait
    headline: str  # one line, shown first
    factors: tuple[Factor, ...] = ()
    goods: tuple[Good, ...] = ()
    reasons: tuple[str, ...] = field(default=())  # the categories that decided it, worst first

    @property
    def send(self) -> bool:
        return self.decision == SEND

    @property
    def good_line(self) -> str | None:
        """ "good: short; a shared memory to answer", or None when nothing is."""
        says = list(dict.fromkeys(g.says for g in self.goods))
        return f"good: {'; '.join(says)}" if says else None

    def to_dict(self) -> dict:
        return {
            "decision": self.decision,
            "headline": self.headline,
            "reasons": list(self.reasons),
            "factors": [f.to_dict() for f in self.factors],
            "goods": [g.to_dict() for g in self.goods],
        }


@lru_cache(maxsize=1)
def _vocabularies() -> tuple[Mapping[str, dict], Mapping[str, dict]]:
    # Read here, not through linter.api: a front end that only shows a server's answer
    # must not load spaCy for it (linter.api.reset_caches clears this too).
    from .rules.vocabulary import load_goods_vocabulary, load_vocabulary

    return load_vocabulary(), load_goods_vocabulary()


def split(found: Sequence[Finding], goods_vocabulary: Mapping[str, dict] | None = None) -> tuple[list[Finding], list[Finding]]:
    """A check's list (findings and goods' matches together, as `run_job` returns them)
    as (findings, goods)."""
    kinds = goods_vocabulary if goods_vocabulary is not None else _vocabularies()[1]
    findings = [f for f in found if f.category not in kinds]
    goods = [f for f in found if f.category in kinds]
    return findings, goods


def decide(
    findings: Sequence[Finding],
    goods: Sequence[Finding] = (),
    *,
    threshold: Severity | None = Severity.WARNING,
    vocabulary: Mapping[str, dict] | None = None,
    goods_vocabulary: Mapping[str, dict] | None = None,
) -> Verdict:
    """The verdict on one draft.

    *wait* when a finding's category says so (crisis, late night, unanswered, too soon);
    else *rewrite first* when a finding is at or over `threshold` (an error always is);
    else *send*. Goods are kept only where no finding overlaps their words and none of the
    categories that cancel them was found.
    """
    if vocabulary is None or goods_vocabulary is None:
        vocab, good_vocab = _vocabularies()
        vocabulary = vocabulary if vocabulary is not None else vocab
        goods_vocabulary = goods_vocabulary if goods_vocabulary is not None else good_vocab
    blocking_level = Severity.ERROR if threshold is None else min(threshold, Severity.ERROR, key=int)
    ordered = sorted(findings, key=lambda f: (-int(f.severity), f.start))
    waits = [f for f in ordered if vocabulary.get(f.category, {}).get("verdict") == WAIT]
    blocking = [f for f in ordered if f.severity >= blocking_level]
    # When the writer may be in danger (a `first` category: crisis), the verdict is about
    # them, not the message: no praise of its style either.
    care_first = any(vocabulary.get(f.category, {}).get("first") for f in findings)
    kept = [] if care_first else _kept_goods(goods, findings, goods_vocabulary)

    by_factor: dict[str, list[Finding]] = {}
    for f in findings:
        by_factor.setdefault(vocabulary.get(f.category, {}).get("factor", "tone"), []).append(f)
    goods_by_factor: dict[str, list[Good]] = {}
    for g in kept:
        goods_by_factor.setdefault(g.factor, []).append(g)
    factors = []
    for name in FACTORS:
        found = by_factor.get(name, [])
        level = OK
        if any(f in waits for f in found):
            level = HOLD
        elif any(f.severity >= blocking_level for f in found):
            level = PROBLEM
        elif found:
            level = NOTE
        elif goods_by_factor.get(name):
            level = GOOD
        factors.append(Factor(name, level, tuple(dict.fromkeys(f"{f.category}/{f.rule}" for f in found)), tuple(dict.fromkeys(g.kind for g in goods_by_factor.get(name, [])))))

    if waits:
        # The writer's safety first (a `first` category), then the most serious finding.
        waits.sort(key=lambda f: (not vocabulary.get(f.category, {}).get("first"), -int(f.severity), f.start))
        reasons = tuple(dict.fromkeys(f.category for f in waits))
        headline = f"Wait: {vocabulary.get(reasons[0], {}).get('says', reasons[0])}"
        if len(reasons) > 1:
            headline += f" (also: {', '.join(reasons[1:])})"
        return Verdict(WAIT, headline, tuple(factors), tuple(kept), reasons)
    if blocking:
        reasons = tuple(dict.fromkeys(f.category for f in blocking))
        return Verdict(REWRITE, f"Rewrite first: {', '.join(reasons)}", tuple(factors), tuple(kept), reasons)
    headline = "Good to send"
    if findings:
        n = len(findings)
        headline += f" ({n} minor note{'s' if n != 1 else ''})"
    return Verdict(SEND, headline, tuple(factors), tuple(kept), ())


def _kept_goods(goods: Sequence[Finding], findings: Sequence[Finding], goods_vocabulary: Mapping[str, dict]) -> list[Good]:
    found_categories = {f.category for f in findings}
    kept: list[Good] = []
    seen: set[str] = set()
    # Whole-draft goods ("short") first, then the others in the order their words come.
    for g in sorted(goods, key=lambda f: (not goods_vocabulary.get(f.category, {}).get("whole_draft"), f.start)):
        info = goods_vocabulary.get(g.category)
        if info is None or g.category in seen:
            continue
        if found_categories & set(info.get("unless_found", ())):
            continue
        # Words that are also a problem are not a strength (a "remember when" that is about
        # the fight). A whole-draft good ("short") spans everything: for it only the
        # cancelling categories count.
        if not info.get("whole_draft") and any(f.start < g.end and g.start < f.end for f in findings):
            continue
        seen.add(g.category)
        kept.append(Good(g.category, info["says"], info.get("factor", "opening"), g.text, g.start, g.end))
    return kept


def judge_drafts(names: Sequence[str], results: Sequence[Sequence[Finding]], threshold: Severity | None) -> tuple[list[Finding], dict[str, Verdict]]:
    """A check of several drafts as front ends show it: every draft's findings, each with
    its draft's name as its path, and each draft's verdict. `results` is run_job's list
    per draft (findings and goods together)."""
    from dataclasses import replace

    findings: list[Finding] = []
    verdicts: dict[str, Verdict] = {}
    for name, found in zip(names, results):
        problems, goods = split(found)
        verdicts[name] = decide(problems, goods, threshold=threshold)
        findings.extend(replace(f, path=name) for f in problems)
    return findings, verdicts
