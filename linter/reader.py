"""Reading drafts from files and stdin, with one clear line for anything unusable."""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import MsglintError

# A draft is a message, not a book. Past this the parse would take minutes; say so instead.
MAX_BYTES = 2 * 1024 * 1024


class InputError(MsglintError):
    """Input that cannot be linted; str() is one line naming the input and the problem."""


def decode(data: bytes, name: str) -> str:
    if len(data) > MAX_BYTES:
        raise InputError(f"{name}: {len(data):,} bytes is over the {MAX_BYTES // (1024 * 1024)} MiB limit for a draft (use `msglint review` for chat exports)")
    nul = data.find(b"\x00", 0, 8192)
    if nul >= 0:
        raise InputError(f"{name}: looks like a binary file (NUL byte at offset {nul}), not a text draft")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{name}: byte 0x{data[exc.start]:02x} at offset {exc.start} (line {line}) is not valid UTF-8; save the draft as UTF-8") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    # Offsets and columns are reported against the text as the user sees it: one "\n" per line.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_draft(source: str) -> str:
    """The text of a draft file, or of stdin for "-"."""
    if source == "-":
        return decode(sys.stdin.buffer.read(), "<stdin>")
    path = Path(source)
    try:
        if path.is_dir():
            raise InputError(f"{source}: is a directory; pass draft files (or - for stdin)")
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except PermissionError:
        raise InputError(f"{source}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None
    return decode(data, source)
