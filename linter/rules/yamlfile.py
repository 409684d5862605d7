"""Reading a rule file's YAML: one-line errors naming the file, and a faster build of the
plain strings, lists and mappings rule files are made of."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import MsglintError


class RuleFileError(MsglintError):
    """A rule file is unreadable or malformed; str() is one line naming file/rule/field."""


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
