"""The in-memory shape of a rule, as loaded and validated from a rule file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..findings import Severity

# A condition in `when` / `unless`: a predicate name, optionally with an argument.
Condition = tuple[str, Any]


@dataclass(frozen=True)
class Example:
    text: str
    # For must-flag examples: the words the finding must cover (None: any span).
    span: str | None = None


@dataclass(frozen=True)
class Source:
    title: str
    section: str

    def __str__(self) -> str:
        return f"{self.title}, section \u201c{self.section}\u201d"


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: Severity
    message: str
    why: str
    source: Source
    suggestion: str
    file: Path
    # Match definitions, all plain data in spaCy's own pattern syntax.
    dependency: list[list[dict]] = field(default_factory=list)
    tokens: list[list[dict]] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    # A named Python check (for what patterns cannot say) and its parameters.
    check: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    # Node names (dependency) whose tokens form the reported span; default: all.
    highlight: list[str] = field(default_factory=list)
    when: list[Condition] = field(default_factory=list)
    unless: list[Condition] = field(default_factory=list)
    flag_examples: list[Example] = field(default_factory=list)
    pass_examples: list[Example] = field(default_factory=list)
    rewrite: str | None = None
    link: str | None = None
