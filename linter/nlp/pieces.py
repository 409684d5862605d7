"""Cutting text into pieces the parser handles in bounded time and memory.

spaCy refuses a Doc over `nlp.max_length` characters (E088), and on one long Doc some
lookups per match walk the Doc (a token's sentence, the `quoted` condition), so a line of
200,000 characters took minutes. No line of the corpora reaches `PIECE_CHARS` (the longest
is 910 characters), so a line is cut only when it is longer than messages are: after the last sentence end in the window, else after the last whitespace, else
(one endless "word") at the limit itself. Pieces keep their offsets into the text, so
findings, lines and columns stay where they are in the draft.
"""

from __future__ import annotations

import re
import unicodedata

PIECE_CHARS = 1_000

# A sentence end followed by whitespace: the cut goes after the whitespace.
_SENTENCE_BREAK = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*\s+")
_SPACE = re.compile(r"\s+")


def piece_spans(text: str, start: int, end: int, limit: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """(start, end) pieces of `text[start:end]`, each at most `limit` characters, covering
    it without gaps; one piece when it is short enough (every ordinary line)."""
    if end - start <= limit:
        return [(start, end)]
    out = []
    pos = start
    while end - pos > limit:
        cut = _cut(text, pos, pos + limit)
        out.append((pos, cut))
        pos = cut
    out.append((pos, end))
    return out


def _cut(text: str, lo: int, hi: int) -> int:
    """Where to end the piece starting at `lo`, at most at `hi` (and after `lo`)."""
    floor = lo + (hi - lo) // 4  # pieces stay long enough that the count of them stays small
    for pattern in (_SENTENCE_BREAK, _SPACE):
        last = None
        for m in pattern.finditer(text, floor, hi):
            last = m
        if last is not None and last.end() > lo:
            return last.end()
    # No break at all: keep a base letter with the combining marks that follow it, unless
    # the whole window is marks.
    cut = hi
    while cut > floor and unicodedata.combining(text[cut]):
        cut -= 1
    return cut if cut > floor else hi
