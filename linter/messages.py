"""The unit every input becomes: one message, wherever it came from.

A draft file, stdin, the clipboard and every chat-export importer produce `Message`s, so the
rest of the pipeline (parse, match, context rules, format) never knows where text came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Message:
    """One message: its text plus whatever the source knows about it.

    `sent_at` is in the export's own local time (naive) when the source records wall-clock
    time, or timezone-aware when the source records an instant (epoch or ISO offset).
    `source_line` is the 1-based line in the source file where the message starts, so
    findings and skip warnings can point back into the export.
    """

    text: str
    sender: str | None = None
    sent_at: datetime | None = None
    source_line: int | None = None
    meta: dict = field(default_factory=dict, compare=False, hash=False)
