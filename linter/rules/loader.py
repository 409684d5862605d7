"""Reading rule files (YAML) into validated `Rule`s.

Every mistake in a rule file is reported as one line naming the file, the rule and the
field, because rule files are written by people (us and users with `--rules DIR`).

Rule files are spaCy patterns plus a few compact forms, all expanded at load time (by
`compact.py`) so that the engine sees plain spaCy patterns (docs/writing-rules.md):

- `$name` names a word class from `lexicons.yaml`; a word list may mix classes and words;
- `$name` in place of a token of a pattern is a named token from `lexicons.yaml`, and a
  bare word is that word in any case (`{LOWER: word}`);
- `{ATTR: [words]}` / `{ATTR: $name}` in a pattern means `{ATTR: {IN: ...}}`;
- a dependency node may be one pair: `{verb: ATTRS}`, `{verb > subject: ATTRS}`;
- patterns sharing their first tokens may be written once: `{prefix: [...], then: [...]}`;
- a file's `defaults:` give `severity`, `source`, `when` and `unless` to rules without them;
- examples may be a block of text, one per line; a flag example written as a string may
  mark its expected span in [brackets].
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

from ..findings import Severity
from .checks import CHECKS
from .compact import LEXICON_FILE, REFERENCE, Lexicon, _conditions, _example, _examples, _is_reference, _node, _pattern_list, _spec, _token, _words
from .model import Rule, Source
from .vocabulary import GOODS_DIR, VOCABULARY_FILE, builtin_dir, load_goods_vocabulary, load_vocabulary
from .yamlfile import RuleFileError, parse_yaml, read_yaml

__all__ = [
    "RuleFileError", "builtin_dir", "load_file", "load_goods", "load_goods_vocabulary", "load_lexicon", "load_rules",
    "load_vocabulary", "parse_yaml", "read_yaml",
]


RULE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CLASS_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
DEFAULTABLE = ("severity", "source", "when", "unless")







def load_goods(directory: Path | None = None) -> list:
    """The rules that find what is good in a draft (built-in `rulesets/goods/`)."""
    base = directory or builtin_dir()
    goods_dir = base / GOODS_DIR
    if not goods_dir.is_dir():
        return []
    return load_rules([goods_dir], load_goods_vocabulary(base), lexicon=load_lexicon(base))


def load_lexicon(directory: Path | None = None, base: Lexicon | None = None) -> Lexicon:
    """The names defined in `lexicons.yaml` in a directory (default: the built-in one), on
    top of `base` (the built-in names, for a user's directory), which it cannot redefine.

    The file maps each name to a word class (a list of words, which may include other
    classes by `$name`) or to a named token (one token spec in spaCy's syntax, whose word
    lists may name classes). A directory without the file has just the `base` names."""
    directory = directory or builtin_dir()
    path = directory / LEXICON_FILE
    lexicon: Lexicon = dict(base or {})
    if not path.is_file():
        return lexicon
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise RuleFileError(f"{path}: expected a mapping of names to word lists or token specs")
    for name, entry in data.items():
        if not isinstance(name, str) or not CLASS_NAME.match(name):
            raise RuleFileError(f"{path}: {name!r}: names are lowercase words joined by underscores")
        if name in lexicon:
            raise RuleFileError(f"{path}: {name}: already defined in the built-in {LEXICON_FILE}")
        if isinstance(entry, dict) and entry:
            continue
        if not isinstance(entry, list) or not entry or not all(isinstance(w, str) for w in entry):
            raise RuleFileError(f"{path}: {name}: expected a non-empty list of words (quote yes/no/on/off, which YAML reads as booleans) or a token mapping")

    def resolve(name: str, via: tuple[str, ...]) -> tuple[str, ...]:
        if name in lexicon:
            return lexicon[name]
        if name in via:
            raise RuleFileError(f"{path}: {name}: includes itself (via {' -> '.join(via)})")
        out: list[str] = []
        for word in data[name]:
            ref = REFERENCE.match(word)
            if ref is None:
                out.append(word)
            elif isinstance(lexicon.get(ref[1], data.get(ref[1])), (list, tuple)):
                out.extend(resolve(ref[1], (*via, name)))
            else:
                raise RuleFileError(f"{path}: {name}: {word} is not a word class")
        lexicon[name] = tuple(dict.fromkeys(out))
        return lexicon[name]

    for name, entry in data.items():
        if isinstance(entry, list):
            resolve(name, ())
    for name, entry in data.items():
        if isinstance(entry, dict):

            def fail(field: str, problem: str, name: str = name) -> RuleFileError:
                return RuleFileError(f"{path}: {name}: {problem}")

            lexicon[name] = _spec(entry, lexicon, fail, name)
    return lexicon


def lexicon_for(directory: Path, builtin: Lexicon | None = None) -> Lexicon:
    """The classes a rule file in this directory can name: the built-in ones, plus the
    directory's own `lexicons.yaml` when it is not the built-in directory."""
    builtin = load_lexicon(builtin_dir()) if builtin is None else builtin
    directory = Path(directory).expanduser()
    if directory.resolve() == builtin_dir().resolve():
        return builtin
    return load_lexicon(directory, base=builtin)


def load_rules(directories: Iterable[Path], vocabulary: dict[str, dict], *, lexicon: Lexicon | None = None) -> list[Rule]:
    """All rules from every *.yaml in the directories, in a stable order; ids are unique.
    `lexicon` overrides the classes the files can name (default: by directory)."""
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    builtin: Lexicon | None = None
    given = lexicon
    for directory in directories:
        directory = Path(directory).expanduser()
        if not directory.is_dir():
            raise RuleFileError(f"{directory}: rules directory not found")
        builtin = load_lexicon(builtin_dir()) if builtin is None else builtin
        lexicon = given if given is not None else lexicon_for(directory, builtin)
        for path in sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml")):
            if path.name in (VOCABULARY_FILE, LEXICON_FILE):
                continue
            for rule in load_file(path, vocabulary, lexicon):
                if rule.id in seen:
                    raise RuleFileError(f"{path}: rule {rule.id}: id already defined in {seen[rule.id]}")
                seen[rule.id] = path
                rules.append(rule)
    return rules


def load_file(path: Path, vocabulary: dict[str, dict], lexicon: Lexicon | None = None) -> list[Rule]:
    """The rules of one file; `lexicon` defaults to the classes its directory can name."""
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RuleFileError(f"{path}: expected a mapping with a 'rules' list")
    if lexicon is None:
        lexicon = lexicon_for(Path(path).parent)
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise RuleFileError(f"{path}: 'defaults' must be a mapping")
    for key in defaults:
        if key not in DEFAULTABLE:
            raise RuleFileError(f"{path}: defaults: {key!r} cannot have a default (only {', '.join(DEFAULTABLE)})")
    defaults = {**defaults, "category": data.get("category")}
    return [_rule(path, i, raw, defaults, vocabulary, lexicon) for i, raw in enumerate(data["rules"])]


def _rule(path: Path, index: int, raw: Any, defaults: dict, vocabulary: dict[str, dict], lexicon: Lexicon) -> Rule:
    label = f"rule #{index + 1}"

    def fail(field: str, problem: str) -> RuleFileError:
        return RuleFileError(f"{path}: {label}: field '{field}': {problem}")

    if not isinstance(raw, dict):
        raise RuleFileError(f"{path}: {label}: expected a mapping")
    raw = {**defaults, **raw}
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

    category = raw.get("category")
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
    dependency, dep_labels = _pattern_list(match.get("dependency"), fail, "match.dependency")
    tokens, token_labels = _pattern_list(match.get("tokens"), fail, "match.tokens")
    dependency = [[_node(n, lexicon, fail, label) for n in p] for p, label in zip(dependency, dep_labels)]
    tokens = [[_token(t, lexicon, fail, label) for t in p] for p, label in zip(tokens, token_labels)]
    phrases = match.get("phrases") or []
    if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
        raise fail("match.phrases", "expected a list of strings")
    check = match.get("check")
    if check is not None and check not in CHECKS:
        raise fail("match.check", f"unknown check {check!r} (known: {', '.join(sorted(CHECKS))})")
    params = dict(match.get("params") or {})
    if not isinstance(params, dict):
        raise fail("match.params", "expected a mapping")
    if check:
        defaults = CHECKS[check].defaults
        unknown = set(params) - set(defaults)
        if unknown:
            raise fail("match.params", f"unknown parameter(s) for {check}: {', '.join(sorted(unknown))}")
        for name, value in params.items():
            expected = type(defaults[name])
            if expected is list and (isinstance(value, list) or _is_reference(value)):
                value = params[name] = _words(value, lexicon, fail, f"match.params.{name}")
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
    flag = [_example(e, fail, "examples.flag", marked=True) for e in _examples(examples.get("flag"), fail, "examples.flag")]
    passing = [_example(e, fail, "examples.pass") for e in _examples(examples.get("pass"), fail, "examples.pass")]
    if not flag:
        raise fail("examples.flag", "at least one example that must flag is required")
    if not passing:
        raise fail("examples.pass", "at least one example that must pass is required")

    when = _conditions(raw.get("when"), lexicon, fail, "when")
    unless = _conditions(raw.get("unless"), lexicon, fail, "unless")
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


