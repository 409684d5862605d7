"""Reading rule files (YAML) into validated `Rule`s.

Every mistake in a rule file is reported as one line naming the file, the rule and the
field, because rule files are written by people (us and users with `--rules DIR`).

Rule files are spaCy patterns plus a few compact forms, all expanded here at load time so
that the engine sees plain spaCy patterns (docs/writing-rules.md describes them):

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

from ..errors import MsglintError
from ..findings import Severity
from .checks import CHECKS
from .model import Condition, Example, Rule, Source
from .predicates import ARGUMENTS, PREDICATES


VOCABULARY_FILE = "categories.yaml"
LEXICON_FILE = "lexicons.yaml"
RULE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CLASS_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
NODE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")  # a dependency node written in the one-pair form
# A reference to a word class: "$" and a class name. Anything else is a literal word
# (so "$" alone, or "$20", stays a word).
REFERENCE = re.compile(r"^\$([a-z][a-z0-9_]*)$")
DEFAULTABLE = ("severity", "source", "when", "unless")

# The lexicon: word classes by name (an ordered tuple of distinct words each) and named
# tokens (a token spec each, its word lists expanded).
Lexicon = dict[str, "tuple[str, ...] | dict"]


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


def load_rules(directories: Iterable[Path], vocabulary: dict[str, dict]) -> list[Rule]:
    """All rules from every *.yaml in the directories, in a stable order; ids are unique."""
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    builtin: Lexicon | None = None
    for directory in directories:
        directory = Path(directory).expanduser()
        if not directory.is_dir():
            raise RuleFileError(f"{directory}: rules directory not found")
        builtin = load_lexicon(builtin_dir()) if builtin is None else builtin
        lexicon = lexicon_for(directory, builtin)
        for path in sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml")):
            if path.name in (VOCABULARY_FILE, LEXICON_FILE):
                continue
            for rule in load_file(path, vocabulary, lexicon):
                if rule.id in seen:
                    raise RuleFileError(f"{path}: rule {rule.id}: id already defined in {seen[rule.id]}")
                seen[rule.id] = path
                rules.append(rule)
    return rules


def read_yaml(path: Path) -> Any:
    """A rule file's data, parsed from YAML. Errors are one line naming the file."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise RuleFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse_yaml(path, raw)


def parse_yaml(path: Path, raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RuleFileError(f"{path}: not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})") from None
    import yaml  # imported on first use: start-up pays for it only when rules are read

    try:
        return _load_yaml(text)
    except RecursionError:
        raise RuleFileError(f"{path}: invalid YAML: an alias refers to the node that holds it") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RuleFileError(f"{path}:{where}: invalid YAML: {problem}") from None


def _load_yaml(text: str) -> Any:
    """`yaml.safe_load(text)`, the same data, built faster.

    Start-up parses every built-in rule file (there is no cache of them), and PyYAML's
    generic constructor costs more than its parser. So the document is composed with
    libyaml when PyYAML has it (as its wheels do), and the plain strings, lists and
    mappings rule files are made of are built directly; every other node (numbers,
    booleans, nulls, merge keys, explicit tags) goes through PyYAML's SafeConstructor as
    before. The resolver's per-scalar regex checks are skipped for scalars that cannot
    be anything but a string (quoted, or starting with a character no implicit type
    starts with). tests/test_lexicon.py checks the result against yaml.safe_load."""
    loader = _yaml_loader()(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _build(node, loader)
    finally:
        loader.dispose()


def _build(node: Any, loader: Any) -> Any:
    tag = node.tag
    if tag == _STR and type(node) is _ScalarNode:
        return node.value
    if tag == _SEQ and type(node) is _SequenceNode:
        return [_build(item, loader) for item in node.value]
    if tag == _MAP and type(node) is _MappingNode and all(k.tag == _STR and type(k) is _ScalarNode for k, _ in node.value):
        return {_build(key, loader): _build(value, loader) for key, value in node.value}
    return loader.construct_object(node, deep=True)


_STR, _SEQ, _MAP, _MERGE = (f"tag:yaml.org,2002:{t}" for t in ("str", "seq", "map", "merge"))
_LOADER = _ScalarNode = _SequenceNode = _MappingNode = None


def _yaml_loader() -> type:
    global _LOADER, _ScalarNode, _SequenceNode, _MappingNode
    if _LOADER is None:
        import yaml
        from yaml.nodes import MappingNode, ScalarNode, SequenceNode
        from yaml.resolver import Resolver

        _ScalarNode, _SequenceNode, _MappingNode = ScalarNode, SequenceNode, MappingNode

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        resolvers = base.yaml_implicit_resolvers
        first_chars = frozenset(c for c in resolvers if c)  # what a number, bool, null... can start with

        class Loader(base):  # type: ignore[misc, valid-type]
            def resolve(self, kind, value, implicit):  # noqa: ANN001, ANN202
                if kind is ScalarNode and (not implicit[0] or (value and value[0] not in first_chars)):
                    return _STR  # what Resolver.resolve returns for these, minus its regex checks
                return Resolver.resolve(self, kind, value, implicit)

        # The shortcut holds only for resolvers keyed by first character, as PyYAML's are.
        _LOADER = Loader if None not in resolvers and not base.yaml_path_resolvers else base
    return _LOADER


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


def _list(value: Any, fail, field: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise fail(field, "expected a list")
    return value


def _pattern_list(value: Any, fail, field: str) -> tuple[list[list], list[str]]:
    """The patterns of a `tokens` or `dependency` list, and the field label of each. An
    item is a pattern, or a family of patterns sharing their first tokens (nodes):
    `{prefix: [A, B], then: [[C], [D, E]]}` is the patterns [A, B, C] and [A, B, D, E]."""
    patterns: list[list] = []
    labels: list[str] = []

    def pattern(p: Any, label: str) -> list:
        if not isinstance(p, list) or not p or not all(isinstance(t, (dict, str)) for t in p):
            raise fail(label, "expected a non-empty list of tokens (mappings, $names or words; quote yes/no/on/off/true/false/null and numbers)")
        return p

    for i, item in enumerate(_list(value, fail, field)):
        label = f"{field}[{i}]"
        if isinstance(item, dict):
            if set(item) != {"prefix", "then"} or not isinstance(item["then"], list) or not item["then"]:
                raise fail(label, "a family of patterns is a mapping {prefix: [tokens], then: [patterns]}")
            prefix = pattern(item["prefix"], f"{label}.prefix")
            for k, rest in enumerate(item["then"]):
                patterns.append(prefix + pattern(rest, f"{label}.then[{k}]"))
                labels.append(f"{label}.then[{k}]")
        else:
            patterns.append(pattern(item, label))
            labels.append(label)
    return patterns, labels


def _examples(value: Any, fail, field: str) -> list:
    """A list of examples, or a block of text holding one example per line (blank lines
    are skipped): no quoting needed, but no example that spans lines either."""
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    return _list(value, fail, field)


def _example(value: Any, fail, field: str, marked: bool = False) -> Example:
    if isinstance(value, str) and value.strip():
        if "[" not in value and "]" not in value:
            return Example(value)
        # "why did [you leave me]?": the words the finding must cover, marked in place.
        found = _MARKED.match(value)
        if not marked or found is None or not found["span"].strip():
            where = "a flag example marks its span as [words] once" if marked else "only flag examples mark a span; write brackets in a pass example as {text: ...}"
            raise fail(field, f"{value!r}: {where}")
        return Example(found["before"] + found["span"] + found["after"], found["span"])
    if isinstance(value, dict) and isinstance(value.get("text"), str) and value["text"].strip():
        span = value.get("span")
        if span is not None and (not isinstance(span, str) or span not in value["text"]):
            raise fail(field, f"span {span!r} does not occur in example {value['text']!r}")
        return Example(value["text"], span)
    raise fail(field, "each example is a string or a mapping with 'text' (and optional 'span')")


_MARKED = re.compile(r"^(?P<before>[^\[\]]*)\[(?P<span>[^\[\]]*)\](?P<after>[^\[\]]*)$")


def _is_reference(value: Any) -> bool:
    return isinstance(value, str) and REFERENCE.match(value) is not None


def _words(value: Any, lexicon: Lexicon, fail, field: str) -> list:
    """A word list with its class references expanded, in order, each word once. `value`
    is a `$name` or a list mixing `$name`s and literal words."""
    items = value if isinstance(value, list) else [value]
    if not any(map(_is_reference, items)):
        return items  # nothing to expand: the list as written
    out: list = []
    for item in items:
        ref = REFERENCE.match(item) if isinstance(item, str) else None
        if ref is None:
            out.append(item)
            continue
        words = lexicon.get(ref[1])
        if words is None:
            raise fail(field, f"unknown word class {item} (not in {LEXICON_FILE})")
        if isinstance(words, dict):
            raise fail(field, f"{item} is a named token, not a word class")
        out.extend(words)
    return list(dict.fromkeys(out))


def _spec(spec: dict, lexicon: Lexicon, fail, field: str) -> dict:
    """A token spec in spaCy's syntax: `{ATTR: [words]}` and `{ATTR: $name}` become
    `{ATTR: {IN: [...]}}`, and classes inside IN / NOT_IN lists are expanded."""
    out = {}
    for attr, value in spec.items():
        if attr != "OP" and (isinstance(value, list) or _is_reference(value)):
            value = {"IN": _words(value, lexicon, fail, field)}
        elif isinstance(value, dict):
            value = {
                op: _words(v, lexicon, fail, field) if op in ("IN", "NOT_IN") and (isinstance(v, list) or _is_reference(v)) else v
                for op, v in value.items()
            }
        out[attr] = value
    return out


def _token(token: dict | str, lexicon: Lexicon, fail, field: str) -> dict:
    """A token of a Matcher pattern: a spec, `$name` for a named token of the lexicon, or
    a bare word, which matches that word in any case: `back` is `{LOWER: back}`."""
    if isinstance(token, dict):
        return _spec(token, lexicon, fail, field)
    if not _is_reference(token):
        return {"LOWER": token}
    spec = lexicon.get(token[1:])
    if spec is None:
        raise fail(field, f"unknown token {token} (not in {LEXICON_FILE})")
    if not isinstance(spec, dict):
        raise fail(field, f"{token} is a word class, not a token: write {{LOWER: {token}}} or another attribute")
    return dict(spec)


def _node(node: dict, lexicon: Lexicon, fail, field: str) -> dict:
    """A DependencyMatcher node. Besides spaCy's own form it may be written as one pair,
    `{name: ATTRS}` for the anchor and `{"left REL_OP name": ATTRS}` for the others:
    `{verb > subject: {DEP: nsubj}}` is `{LEFT_ID: verb, REL_OP: ">", RIGHT_ID: subject,
    RIGHT_ATTRS: {DEP: nsubj}}`."""
    if not isinstance(node, dict):
        raise fail(field, f"{node!r}: a dependency node is a mapping (named tokens are for token patterns)")
    if len(node) == 1:
        (key, attrs), = node.items()
        if isinstance(key, str) and key not in _NODE_FIELDS:
            parts = key.split()
            if len(parts) == 1 and NODE_NAME.match(parts[0]):
                node = {"RIGHT_ID": parts[0], "RIGHT_ATTRS": attrs}
            elif len(parts) == 3 and NODE_NAME.match(parts[0]) and NODE_NAME.match(parts[2]):
                node = {"LEFT_ID": parts[0], "REL_OP": parts[1], "RIGHT_ID": parts[2], "RIGHT_ATTRS": attrs}
            else:
                raise fail(field, f"node {key!r}: write a node as {{name: ATTRS}} or {{'left REL_OP name': ATTRS}}, names in lowercase")
    attrs = node.get("RIGHT_ATTRS")
    if not isinstance(attrs, dict):
        return node
    return {**node, "RIGHT_ATTRS": _spec(attrs, lexicon, fail, field)}


_NODE_FIELDS = ("RIGHT_ID", "RIGHT_ATTRS", "LEFT_ID", "REL_OP")


def _conditions(value: Any, lexicon: Lexicon, fail, field: str) -> list[Condition]:
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
        if needs is list and (isinstance(arg, list) or _is_reference(arg)):
            arg = _words(arg, lexicon, fail, field)
        if needs is not None and not isinstance(arg, needs):
            raise fail(field, f"predicate {name!r} takes a {needs.__name__} argument")
        out.append((name, arg))
    return out
