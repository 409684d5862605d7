"""Reading rule files (YAML) into validated `Rule`s.

Every mistake in a rule file is reported as one line naming the file, the rule and the
field, because rule files are written by people (us and users with `--rules DIR`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

from ..errors import MsglintError
from ..findings import Severity
from .checks import CHECKS
from .model import Condition, Example, Rule, Source
from .predicates import ARGUMENTS, PREDICATES


VOCABULARY_FILE = "categories.yaml"
RULE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class RuleFileError(MsglintError):
    """A rule file is unreadable or malformed; str() is one line naming file/rule/field."""


def builtin_dir() -> Path:
    """The rulesets shipped with msglint: linter/rulesets inside an installed wheel, else
    the rulesets/ directory of a source checkout (which is also what an editable install
    maps linter.rulesets to)."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "rulesets"
    if (installed / VOCABULARY_FILE).is_file():
        return installed
    return package.parent / "rulesets"


def load_vocabulary(directory: Path | None = None) -> dict[str, dict]:
    """The category contract: {name: {"scope": message|context, "summary": ...}}."""
    path = (directory or builtin_dir()) / VOCABULARY_FILE
    data = read_yaml(path)
    cats = data.get("categories") if isinstance(data, dict) else None
    if not isinstance(cats, dict):
        raise RuleFileError(f"{path}: expected a top-level 'categories' mapping")
    return cats


def load_rules(directories: Iterable[Path], vocabulary: dict[str, dict]) -> list[Rule]:
    """All rules from every *.yaml in the directories, in a stable order; ids are unique."""
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    for directory in directories:
        directory = Path(directory).expanduser()
        if not directory.is_dir():
            raise RuleFileError(f"{directory}: rules directory not found")
        for path in sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml")):
            if path.name == VOCABULARY_FILE:
                continue
            for rule in load_file(path, vocabulary):
                if rule.id in seen:
                    raise RuleFileError(f"{path}: rule {rule.id}: id already defined in {seen[rule.id]}")
                seen[rule.id] = path
                rules.append(rule)
    return rules


def read_yaml(path: Path) -> Any:
    """A rule file's data: from the built-in snapshot when the file is unchanged (fast),
    else parsed from YAML. Errors are one line naming the file."""
    from .snapshot import _MISSING, cached

    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise RuleFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    data = cached(path, raw, builtin_dir())
    return parse_yaml(path, raw) if data is _MISSING else data


def parse_yaml(path: Path, raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RuleFileError(f"{path}: not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})") from None
    import yaml  # only when a file is not in the snapshot: PyYAML is slow to load and run

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when built with libyaml
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RuleFileError(f"{path}:{where}: invalid YAML: {problem}") from None


def load_file(path: Path, vocabulary: dict[str, dict]) -> list[Rule]:
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RuleFileError(f"{path}: expected a mapping with a 'rules' list")
    default_category = data.get("category")
    return [_rule(path, i, raw, default_category, vocabulary) for i, raw in enumerate(data["rules"])]


def _rule(path: Path, index: int, raw: Any, default_category: Any, vocabulary: dict[str, dict]) -> Rule:
    label = f"rule #{index + 1}"

    def fail(field: str, problem: str) -> RuleFileError:
        return RuleFileError(f"{path}: {label}: field '{field}': {problem}")

    if not isinstance(raw, dict):
        raise RuleFileError(f"{path}: {label}: expected a mapping")
    rid = raw.get("id")
    if not isinstance(rid, str) or not RULE_ID.match(rid):
        raise fail("id", "required, lowercase words joined by hyphens")
    label = f"rule {rid}"

    known = {
        "id", "category", "severity", "message", "why", "source", "suggestion", "match",
        "highlight", "when", "unless", "examples", "rewrite", "link",
    }
    for key in raw:
        if key not in known:
            raise fail(str(key), f"unknown field (expected one of: {', '.join(sorted(known))})")

    def text(field: str, required: bool = True) -> str | None:
        value = raw.get(field)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise fail(field, "required, a non-empty string")
        return " ".join(value.split())

    category = raw.get("category", default_category)
    if category not in vocabulary:
        raise fail("category", f"{category!r} is not a category (see msglint rules --categories)")
    try:
        severity = Severity.parse(str(raw.get("severity", "")))
    except ValueError as exc:
        raise fail("severity", str(exc)) from None

    source = raw.get("source")
    if not isinstance(source, dict) or not all(isinstance(source.get(k), str) and source[k].strip() for k in ("title", "section")):
        raise fail("source", "required, a mapping with 'title' and 'section'")

    match = raw.get("match")
    if not isinstance(match, dict) or not match:
        raise fail("match", "required, a mapping with dependency, tokens, phrases or check")
    for key in match:
        if key not in ("dependency", "tokens", "phrases", "check", "params"):
            raise fail(f"match.{key}", "unknown (expected dependency, tokens, phrases, check, params)")
    dependency = _pattern_list(match.get("dependency"), fail, "match.dependency")
    tokens = _pattern_list(match.get("tokens"), fail, "match.tokens")
    phrases = match.get("phrases") or []
    if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
        raise fail("match.phrases", "expected a list of strings")
    check = match.get("check")
    if check is not None and check not in CHECKS:
        raise fail("match.check", f"unknown check {check!r} (known: {', '.join(sorted(CHECKS))})")
    params = match.get("params") or {}
    if not isinstance(params, dict):
        raise fail("match.params", "expected a mapping")
    if check:
        defaults = CHECKS[check].defaults
        unknown = set(params) - set(defaults)
        if unknown:
            raise fail("match.params", f"unknown parameter(s) for {check}: {', '.join(sorted(unknown))}")
        for name, value in params.items():
            expected = type(defaults[name])
            if not isinstance(value, expected) or isinstance(value, bool) is not isinstance(defaults[name], bool):
                raise fail(f"match.params.{name}", f"expected {expected.__name__}")
            if expected is list:
                odd = [v for v in value if not isinstance(v, str)]
                if odd:
                    raise fail(f"match.params.{name}", f"{odd[0]!r} is not a string (YAML reads yes/no/on/off as booleans: quote them)")
    if not (dependency or tokens or phrases or check):
        raise fail("match", "needs at least one of dependency, tokens, phrases, check")
    if check and (dependency or tokens or phrases):
        raise fail("match", "a check cannot be combined with patterns in one rule")

    highlight = raw.get("highlight") or []
    if not isinstance(highlight, list) or not all(isinstance(h, str) for h in highlight):
        raise fail("highlight", "expected a list of node names")
    node_names = {n.get("RIGHT_ID") for p in dependency for n in p}
    for name in highlight:
        if name not in node_names:
            raise fail("highlight", f"{name!r} is not a RIGHT_ID of any dependency pattern")

    examples = raw.get("examples")
    if not isinstance(examples, dict):
        raise fail("examples", "required, a mapping with 'flag' and 'pass' lists")
    flag = [_example(e, fail, "examples.flag") for e in _list(examples.get("flag"), fail, "examples.flag")]
    passing = [_example(e, fail, "examples.pass") for e in _list(examples.get("pass"), fail, "examples.pass")]
    if not flag:
        raise fail("examples.flag", "at least one example that must flag is required")
    if not passing:
        raise fail("examples.pass", "at least one example that must pass is required")

    when = _conditions(raw.get("when"), fail, "when")
    unless = _conditions(raw.get("unless"), fail, "unless")
    if check and CHECKS[check].scope == "draft" and (when or unless):
        raise fail("when" if when else "unless", f"conditions read one match's sentence; {check} judges the whole draft")

    return Rule(
        id=rid,
        category=category,
        severity=severity,
        message=text("message"),
        why=text("why"),
        source=Source(" ".join(source["title"].split()), " ".join(source["section"].split())),
        suggestion=text("suggestion"),
        file=path,
        dependency=dependency,
        tokens=tokens,
        phrases=[" ".join(p.split()) for p in phrases],
        check=check,
        params={**(CHECKS[check].defaults if check else {}), **params},
        highlight=highlight,
        when=when,
        unless=unless,
        flag_examples=flag,
        pass_examples=passing,
        rewrite=text("rewrite", required=False),
        link=text("link", required=False),
    )


def _list(value: Any, fail, field: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise fail(field, "expected a list")
    return value


def _pattern_list(value: Any, fail, field: str) -> list[list[dict]]:
    patterns = _list(value, fail, field)
    for i, pattern in enumerate(patterns):
        if not isinstance(pattern, list) or not pattern or not all(isinstance(t, dict) for t in pattern):
            raise fail(f"{field}[{i}]", "expected a non-empty list of token/node mappings")
    return patterns


def _example(value: Any, fail, field: str) -> Example:
    if isinstance(value, str) and value.strip():
        return Example(value)
    if isinstance(value, dict) and isinstance(value.get("text"), str) and value["text"].strip():
        span = value.get("span")
        if span is not None and (not isinstance(span, str) or span not in value["text"]):
            raise fail(field, f"span {span!r} does not occur in example {value['text']!r}")
        return Example(value["text"], span)
    raise fail(field, "each example is a string or a mapping with 'text' (and optional 'span')")


def _conditions(value: Any, fail, field: str) -> list[Condition]:
    out: list[Condition] = []
    for item in _list(value, fail, field):
        if isinstance(item, str):
            name, arg = item, None
        elif isinstance(item, dict) and len(item) == 1:
            name, arg = next(iter(item.items()))
        else:
            raise fail(field, "each condition is a predicate name or a one-key mapping {name: argument}")
        if name not in PREDICATES:
            raise fail(field, f"unknown predicate {name!r} (known: {', '.join(sorted(PREDICATES))})")
        needs = ARGUMENTS.get(name)
        if needs is not None and not isinstance(arg, needs):
            raise fail(field, f"predicate {name!r} takes a {needs.__name__} argument")
        out.append((name, arg))
    return out
