"""Tell a damaged message header from a body line that merely starts with a number.

A line-based export (WhatsApp, Signal, iMessage's text export) glues every line that is not
a header onto the message before it. A header hit by a stray byte ("12/31/2O23, 10:0x - Sam:
hey"), cut short ("12/31, 10:00 - Sam: hey") or missing its bracket would so be credited to
the wrong person. This module compares a line's *shape* with the shapes of the file's real
headers:

- the shape ("skeleton") of a text maps every run of digits to "9", every run of letters to
  "a" and every run of spaces to one space, and keeps punctuation: "12/31/23, 10:00 - " and
  "1/2/21, 9:05 - " are both "9/9/9, 9:9 - ". A letter touching a digit ("2O23", "0x") is
  read as a digit but counted as a glitch;
- "most of the shape" means: the line starts where a header starts (a digit or "[", or a
  letter for iMessage), its skeleton is at most MAX_COST edits (insert, delete, replace one
  character) plus glitches away from a header's, and what follows has the header's tail
  (a "Name:" for WhatsApp and Signal, nothing for iMessage). Three or more defects, or no
  "Name:", and the line stays a continuation.

The second condition is what keeps "10:30 works for me", "12/31 is fine", "1. eggs" and
"3/4 cup flour" continuations: their skeletons are far from "9/9/9, 9:9 - " and none has a
name and colon where a header has one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_COST = 2
_MAX_TEMPLATES = 16

_GLITCH = re.compile(r"(?<=\d)[^\W\d_]|[^\W\d_](?=\d)")
_LETTERS = re.compile(r"[^\W\d_]+")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")

# What must follow the header part of the line.
NAME_COLON = re.compile(r' ?[^:"\[\]]{1,80}?:')
NOTHING_OR_NOTE = re.compile(r" ?(?:\(.*)?$")


def skeleton(text: str) -> tuple[str, int]:
    """(shape of `text`, number of letters read as digits)."""
    text, glitches = _GLITCH.subn("0", text)
    text = _DIGITS.sub("9", _LETTERS.sub("a", text))
    return _SPACES.sub(" ", text), glitches


def _distance(template: str, line: str) -> tuple[int, int]:
    """Fewest edits turning `template` into a prefix of `line`, and where that prefix ends."""
    previous = list(range(len(line) + 1))
    for i, t in enumerate(template, 1):
        current = [i] + [0] * len(line)
        for j, c in enumerate(line, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (t != c))
        if min(current) > MAX_COST:
            return MAX_COST + 1, 0
        previous = current
    best = min(range(len(previous)), key=lambda j: (previous[j], j))
    return previous[best], best


class HeaderShape:
    """The header shapes of one file (learned, or fixed for a format), and the test."""

    def __init__(self, tail: re.Pattern[str], templates: Iterable[str] = ()) -> None:
        self._tail = tail
        self._templates: dict[str, int] = {}
        self._window = 0
        for text in templates:
            self.learn(text)

    def learn(self, header_prefix: str) -> None:
        """Add the shape of a real header's date-and-time part (up to the name)."""
        if len(self._templates) >= _MAX_TEMPLATES:
            return
        shape, glitches = skeleton(header_prefix)
        known = self._templates.get(shape)
        self._templates[shape] = glitches if known is None else min(known, glitches)
        self._window = max(self._window, len(header_prefix) + 4)

    def damaged(self, line: str) -> bool:
        """True if `line` (not a header) has most of a header's shape; see the module doc."""
        if not self._templates:
            return False
        head = line[: self._window]
        shape, glitches = skeleton(head)
        rest_shape = skeleton(line[self._window: self._window + 90])[0] if len(line) > self._window else ""
        for template, usual in self._templates.items():
            cost, end = _distance(template, shape[: len(template) + MAX_COST])
            cost += max(0, glitches - usual)
            if cost <= MAX_COST and self._tail.match(shape[end:] + rest_shape):
                return True
        return False
