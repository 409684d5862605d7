"""The unit every input becomes: one message, wherever it came from.

A draft file, stdin, the clipboard and every chat-export importer produce `Message`s, so the
rest of the pipeline (parse, match, context rules, format) never knows where text came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

# Lone UTF-16 surrogates are valid in a Python str but not in any encoding: JSON "\ud83d"
# escapes and surrogateescape decoding make them, and spaCy's string store, the output
# encoders and the server's socket all fail on them.
_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD: one code point for one, so
    every offset, line and column into the text stays where it was.

    Ordinary text costs one scan in C (ASCII, or it encodes as UTF-8) and comes back as is.
    """
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", text)
    return text


@dataclass(frozen=True)
class Message:
    """One message: its text plus whatever the source knows about it.

    `sent_at` is in the export's own local time (naive) when the source records wall-clock
    time, or timezone-aware when the source records an instant (epoch or ISO offset).
    `source_line` is the 1-based line in the source file where the message starts, so
    findings and skip warnings can point back into the export.

    `text` and `sender` are cleaned of lone surrogates on construction (see `clean_text`),
    so no importer can hand the rest of the pipeline a string it cannot encode.
    """

    text: str
    sender: str | None = None
    sent_at: datetime | None = None
    source_line: int | None = None
    meta: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if type(self.text) is not str or not self.text.isascii():
            object.__setattr__(self, "text", clean_text(_as_text(self.text)))
        if self.sender is not None and (type(self.sender) is not str or not self.sender.isascii()):
            object.__setattr__(self, "sender", clean_text(_as_text(self.sender)))


def _as_text(value: object) -> str:
    # An importer handed a number or None from a JSON field: text, never a crash later.
    return value if isinstance(value, str) else "" if value is None else str(value)
