"""The context rules' texts (message templates, why, source, suggestion), loaded from
`rulesets/context/<category>.yaml`, and the findings made from them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from ..config import Settings
from ..errors import MsglintError
from ..findings import Finding, Severity
from ..messages import Message
from ..rules.model import Source

CATEGORIES = ("late-night", "double-text", "ignored-streak", "too-soon", "repeat")


class ContextRuleError(MsglintError):
    """A context rule file is missing or malformed; str() is one line naming file and field."""


@dataclass(frozen=True)
class ContextRule:
    id: str
    category: str
    severity: Severity
    message: str
    draft_message: str
    why: str
    source: Source
    suggestion: str
    file: Path


class ContextHit(NamedTuple):
    """A context finding and the message (index into the conversation) it is about."""

    index: int
    message: Message
    finding: Finding


# -- rule texts -----------------------------------------------------------------------

def context_dir() -> Path:
    from ..rules.loader import builtin_dir

    return builtin_dir() / "context"


@lru_cache(maxsize=4)
def load_context_rules(directory: Path | None = None) -> dict[str, ContextRule]:
    """The context rules by id, from every *.yaml in `directory` (default: the built-in)."""
    directory = directory or context_dir()
    if not directory.is_dir():
        raise ContextRuleError(f"{directory}: context rules directory not found")
    rules: dict[str, ContextRule] = {}
    for path in sorted(directory.glob("*.yaml")):
        for rule in _load_file(path):
            if rule.id in rules:
                raise ContextRuleError(f"{path}: rule {rule.id}: id already defined in {rules[rule.id].file}")
            rules[rule.id] = rule
    missing = [c for c in CATEGORIES if not any(r.category == c for r in rules.values())]
    if missing:
        raise ContextRuleError(f"{directory}: no rule for context categor{'y' if len(missing) == 1 else 'ies'} {', '.join(missing)}")
    return rules


def _load_file(path: Path) -> list[ContextRule]:
    from ..rules.loader import RuleFileError, read_yaml

    try:
        data = read_yaml(path)
    except RuleFileError as exc:
        raise ContextRuleError(str(exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ContextRuleError(f"{path}: expected a mapping with a 'rules' list")
    out = []
    for i, raw in enumerate(data["rules"]):
        label = f"rule #{i + 1}"
        if not isinstance(raw, dict):
            raise ContextRuleError(f"{path}: {label}: expected a mapping")
        label = f"rule {raw.get('id', label)}"

        def text(key: str, default: str | None = None) -> str:
            value = raw.get(key, default)
            if not isinstance(value, str) or not value.strip():
                raise ContextRuleError(f"{path}: {label}: field '{key}': required, a non-empty string")
            return " ".join(value.split())

        category = raw.get("category", data.get("category"))
        if category not in CATEGORIES:
            raise ContextRuleError(f"{path}: {label}: field 'category': {category!r} is not a context category ({', '.join(CATEGORIES)})")
        try:
            severity = Severity.parse(str(raw.get("severity", "")))
        except ValueError as exc:
            raise ContextRuleError(f"{path}: {label}: field 'severity': {exc}") from None
        source = raw.get("source")
        if not isinstance(source, dict) or not all(isinstance(source.get(k), str) and source[k].strip() for k in ("title", "section")):
            raise ContextRuleError(f"{path}: {label}: field 'source': required, a mapping with 'title' and 'section'")
        message = text("message")
        out.append(
            ContextRule(
                id=text("id"),
                category=category,
                severity=severity,
                message=message,
                draft_message=text("draft_message", message),
                why=text("why"),
                source=Source(" ".join(source["title"].split()), " ".join(source["section"].split())),
                suggestion=text("suggestion"),
                file=path,
            )
        )
    return out


def enabled_rules(settings: Settings, rules: dict[str, ContextRule] | None = None) -> dict[str, ContextRule]:
    """Context rules by category (one rule per category, except too-soon's two), honouring
    --disable/--enable by rule id or category like the message rules."""
    rules = rules if rules is not None else load_context_rules()
    out = {}
    for rule in rules.values():
        keys = {rule.id, rule.category}
        if not (keys & settings.disable) or (keys & settings.enable):
            out[rule.id] = rule
    return out


def context_names(rules: dict[str, ContextRule] | None = None) -> set[str]:
    """Every context rule id and category (for validating --disable/--enable)."""
    rules = rules if rules is not None else load_context_rules()
    return {r.id for r in rules.values()} | {r.category for r in rules.values()}



class Template(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"



def make_finding(rule: ContextRule, message: str, text: str) -> Finding:
    """A finding that spans the whole message (context rules are about the message as sent)."""
    # Where the text ends: after its last line break (what LineIndex gives for len(text)).
    end_line, end_column = text.count("\n") + 1, len(text) - text.rfind("\n")
    return Finding(
        rule=rule.id,
        category=rule.category,
        severity=rule.severity,
        message=message,
        why=rule.why,
        source=str(rule.source),
        suggestion=rule.suggestion,
        start=0,
        end=len(text),
        line=1,
        column=1,
        end_line=end_line,
        end_column=end_column,
        text=text,
        path=None,
    )
