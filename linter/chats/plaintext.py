"""Plain text: one message per paragraph, no senders, no times."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from linter.messages import Message

from .common import Item, iter_lines


class PlainTextParser:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.notes: list[str] = []

    def __iter__(self) -> Iterator[Item]:
        start: int | None = None
        lines: list[str] = []
        for number, line in iter_lines(self.path):
            if line.strip():
                if start is None:
                    start = number
                lines.append(line)
            elif start is not None:
                yield Message(text="\n".join(lines), source_line=start)
                start, lines = None, []
        if start is not None:
            yield Message(text="\n".join(lines), source_line=start)
