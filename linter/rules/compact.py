"""The compact forms of rule files, expanded into plain spaCy patterns and validated
conditions (docs/writing-rules.md): word-class references, list shorthand, bare words,
one-pair dependency nodes, pattern families and example blocks. Every function takes the
rule's `fail(field, problem)` so a mistake is reported as one line naming file, rule and
field."""

from __future__ import annotations

import re
from typing import Any

from .model import Condition, Example
from .predicates import ARGUMENTS, PREDICATES

NODE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")  # a dependency node written in the one-pair form
# A reference to a word class: "$" and a class name. Anything else is a literal word
# (so "$" alone, or "$20", stays a word).
REFERENCE = re.compile(r"^\$([a-z][a-z0-9_]*)$")

LEXICON_FILE = "lexicons.yaml"

# The lexicon: word classes by name (an ordered tuple of distinct words each) and named
# tokens (a token spec each, its word lists expanded).
Lexicon = dict[str, "tuple[str, ...] | dict"]


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
