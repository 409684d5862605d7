"""How far the verdict can be trusted, measured on a labelled corpus like the categories:

- the corpus's good messages (register "good": short, light, with a hook) must come out
  *send*, and the report says how many had a hook found in them;
- a labelled draft (any message-level category) should not come out *send*;
- a draft with an error-severity finding never comes out *send* (a guarantee: counted so
  a change that breaks it shows);
- a crisis draft must come out *wait*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from ..findings import Severity
from .corpus import Example
from .scoring import _ratio, _round

if TYPE_CHECKING:
    from ..api import Linter
    from ..verdict import Verdict

GOOD_REGISTER = "good"
# The first corpus kept its good messages in a file of their own, without a register.
GOOD_FILES = ("good.jsonl",)
SAMPLES = 10


def is_good(example: Example) -> bool:
    return not example.labels and (example.register == GOOD_REGISTER or Path(example.file).name in GOOD_FILES)


@dataclass
class Rate:
    """`hits` of `texts` (and up to SAMPLES of the texts that missed)."""

    texts: int = 0
    hits: int = 0
    misses: list[tuple[Example, str]] = field(default_factory=list)

    def add(self, example: Example, hit: bool, why: str = "") -> None:
        self.texts += 1
        if hit:
            self.hits += 1
        elif len(self.misses) < SAMPLES:
            self.misses.append((example, why))

    @property
    def rate(self) -> float | None:
        return _ratio(self.hits, self.texts)

    def to_dict(self, show: int) -> dict:
        return {
            "texts": self.texts, "hits": self.hits, "rate": _round(self.rate),
            "misses": [{"source": e.source, "text": e.text, "verdict": why} for e, why in self.misses[:show]],
        }


@dataclass
class VerdictReport:
    good_sent: Rate = field(default_factory=Rate)  # good messages -> send
    good_hooked: Rate = field(default_factory=Rate)  # good messages with a hook found
    bad_held: Rate = field(default_factory=Rate)  # labelled drafts -> not send
    error_held: Rate = field(default_factory=Rate)  # drafts with an error finding -> not send
    crisis_waited: Rate = field(default_factory=Rate)  # crisis drafts -> wait

    def to_dict(self, show: int = SAMPLES) -> dict:
        return {
            "good_sent": self.good_sent.to_dict(show),
            "good_with_hook": self.good_hooked.to_dict(show),
            "labelled_not_sent": self.bad_held.to_dict(show),
            "error_not_sent": self.error_held.to_dict(show),
            "crisis_wait": self.crisis_waited.to_dict(show),
        }


def score_verdicts(examples: Sequence[Example], verdicts: Sequence["Verdict"], errors: Sequence[bool], goods_vocabulary: Mapping[str, dict], crisis: Iterable[str] = ("crisis",)) -> VerdictReport:
    """`errors[i]`: whether example i had an error-severity finding."""
    hooks = {k for k, info in goods_vocabulary.items() if not info.get("whole_draft")}
    crisis = set(crisis)
    report = VerdictReport()
    for example, verdict, had_error in zip(examples, verdicts, errors):
        if is_good(example):
            report.good_sent.add(example, verdict.send, verdict.headline)
            report.good_hooked.add(example, any(g.kind in hooks for g in verdict.goods), verdict.good_line or "no good found")
        if example.labels:
            report.bad_held.add(example, not verdict.send, verdict.headline)
        if had_error:
            report.error_held.add(example, not verdict.send, verdict.headline)
        if example.labels & crisis:
            report.crisis_waited.add(example, verdict.decision == "wait", verdict.headline)
    return report


def verdicts_for(linter: "Linter", examples: Sequence[Example], threshold: Severity | None) -> tuple[list["Verdict"], list[bool]]:
    """The verdict on each example (as a pre-send check would give it, without the clock)."""
    from ..verdict import decide

    verdicts, errors = [], []
    for found, goods in linter.check_many(e.text for e in examples):
        verdicts.append(decide(found, goods, threshold=threshold))
        errors.append(any(f.severity >= Severity.ERROR for f in found))
    return verdicts, errors


def render_verdicts(report: VerdictReport, *, show: int) -> str:
    rows = (
        ("good messages -> send", report.good_sent),
        ("good messages with a hook found", report.good_hooked),
        ("labelled drafts -> not send", report.bad_held),
        ("error findings -> not send", report.error_held),
        ("crisis drafts -> wait", report.crisis_waited),
    )
    out = [f"{'verdict':<34} {'rate':>6} {'of':>6}"]
    for name, rate in rows:
        shown = "  n/a" if rate.rate is None else f"{rate.rate:.3f}"
        out.append(f"{name:<34} {shown:>6} {rate.texts:>6}")
    for name, rate in rows:
        if rate.misses and show:
            out.append("")
            out.append(f"{name}: missed")
            for example, why in rate.misses[:show]:
                flat = example.text.replace("\n", " / ")
                out.append(f"  {example.source}: {flat[:120]}  [{why}]")
    return "\n".join(out) + "\n"
