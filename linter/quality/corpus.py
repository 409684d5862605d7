"""Reading a labelled corpus: JSON Lines of drafts and their categories, with every
malformed line kept as a `Problem` (file:line: reason) rather than dropped.

Corpus format (one object per line):

    {"text": "hey\\ndo u miss me", "labels": ["miss-me"], "lines": {"miss-me": 2}, "note": "..."}

`labels` are message-level categories (`[]` for a text that must not be flagged); `lines`
optionally gives, per category, the 1-based line of a multi-line draft it belongs on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from ..errors import MsglintError

MESSAGE_SCOPE = "message"


class CorpusError(MsglintError):
    """A corpus file cannot be read at all; str() is one line naming the file."""


@dataclass(frozen=True)
class Example:
    """One corpus text with its expected categories."""

    text: str
    labels: frozenset[str]
    file: str
    line: int
    lines: Mapping[str, int] = field(default_factory=dict)
    note: str | None = None
    register: str | None = None  # how it is written ("good", "texting", "logistics", ...)

    @property
    def source(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Problem:
    """A corpus line that was skipped, and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "reason": self.reason}


@dataclass
class Corpus:
    files: list[str]
    examples: list[Example]
    problems: list[Problem]


def message_categories(vocabulary: Mapping[str, Mapping]) -> list[str]:
    """The categories a corpus may label: those decided from the text alone."""
    return [name for name, info in vocabulary.items() if info.get("scope") == MESSAGE_SCOPE]


def read_corpus(paths: Iterable[str | Path], vocabulary: Mapping[str, Mapping], *, labeled: bool = True) -> Corpus:
    """Every valid example of the files, in order, plus one `Problem` per skipped line.

    `labeled=False` reads unlabelled texts (benign mode): `labels`, if present, must be empty.
    Raises CorpusError only for a file that cannot be read at all.
    """
    corpus = Corpus([], [], [])
    for path in paths:
        name = str(path)
        corpus.files.append(name)
        for number, raw in _lines(Path(path)):
            result = parse_line(raw, vocabulary, labeled=labeled)
            if isinstance(result, str):
                corpus.problems.append(Problem(name, number, result))
            elif result is not None:
                text, labels, lines, note, register = result
                corpus.examples.append(Example(text, labels, name, number, lines, note, register))
    return corpus


def _lines(path: Path) -> Iterable[tuple[int, bytes]]:
    try:
        if path.is_dir():
            raise CorpusError(f"{path}: is a directory; pass .jsonl corpus files")
        data = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{path}: no such file") from None
    except PermissionError:
        raise CorpusError(f"{path}: permission denied") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        yield number, raw


def parse_line(raw: bytes, vocabulary: Mapping[str, Mapping], *, labeled: bool = True) -> tuple | str | None:
    """(text, labels, lines, note, register) for a valid line, a reason for a malformed one, None for a blank one."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"byte 0x{raw[exc.start]:02x} at byte {exc.start + 1} of the line is not valid UTF-8 (save the corpus as UTF-8)"
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"invalid JSON: {exc.msg} (column {exc.colno})"
    if not isinstance(obj, dict):
        return f"expected a JSON object, got {type(obj).__name__}"
    text = obj.get("text")
    if text is None:
        return "missing 'text'"
    if not isinstance(text, str):
        return f"'text' must be a string, got {type(text).__name__}"
    if not text.strip():
        return "'text' is empty"
    # The same newlines a draft read from a file gets, so line numbers mean the same thing.
    text = text.replace("\r\n", "\n").replace("\r", "\n")

    labels = obj.get("labels")
    if labels is None:
        if labeled:
            return "missing 'labels' (use [] for a text that must not be flagged)"
        labels = []
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        return "'labels' must be a list of category names"
    if not labeled and labels:
        return "has labels; --benign expects unlabelled texts (evaluate labelled files without --benign)"
    for label in labels:
        if label not in vocabulary:
            return f"unknown category label {label!r} (see msglint rules --categories)"
        if vocabulary[label].get("scope") != MESSAGE_SCOPE:
            return f"label {label!r} is a context-level category; a corpus labels message-level categories only"

    lines = obj.get("lines") or {}
    if not isinstance(lines, dict):
        return "'lines' must be an object mapping a category to a 1-based line number"
    line_count = text.count("\n") + 1
    for category, number in lines.items():
        if category not in labels:
            return f"'lines' names {category!r}, which is not among the labels"
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= line_count:
            return f"'lines' for {category!r} must be a line number from 1 to {line_count}, got {number!r}"

    note = obj.get("note")
    register = obj.get("register")
    return text, frozenset(labels), dict(lines), note if isinstance(note, str) else None, register if isinstance(register, str) else None
