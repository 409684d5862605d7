"""Reading drafts from files and stdin, with one clear line for anything unusable.

Every read is bounded: at most `max_bytes + 1` bytes are ever taken from a file, a pipe or
a device, so `msglint - < /dev/zero` stops at the cap instead of filling memory.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

from .errors import MsglintError

# A draft is a message, not a book: the default for `max_draft_bytes` (config) and
# --max-bytes (the command line). 64 KiB is some ten thousand words, far past any message,
# and is checked in about two seconds; a larger draft is refused in one line at once rather
# than parsed for minutes (a raised cap is still checked, in bounded pieces).
MAX_BYTES = 64 * 1024


class InputError(MsglintError):
    """Input that cannot be linted; str() is one line naming the input and the problem."""


def size_text(n: int) -> str:
    """A byte count as people write limits: "1 MiB", "512 KiB", "300 bytes"."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n:,} bytes"


def too_big(name: str, max_bytes: int) -> InputError:
    return InputError(f"{name} is over the {size_text(max_bytes)} limit for a draft; raise it with --max-bytes or max_draft_bytes in the config")


def read_bounded(fh: BinaryIO, max_bytes: int) -> bytes:
    """At most `max_bytes + 1` bytes of `fh` (one more than allowed tells "too big" from "exactly the cap")."""
    return fh.read(max_bytes + 1)


def decode(data: bytes, name: str, max_bytes: int = MAX_BYTES) -> str:
    if len(data) > max_bytes:
        raise too_big(name, max_bytes)
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


def read_draft(source: str, max_bytes: int = MAX_BYTES) -> str:
    """The text of a draft file, or of stdin for "-"; InputError past `max_bytes`."""
    if source == "-":
        stdin = sys.stdin.buffer if sys.stdin is not None else None
        if stdin is None:
            raise InputError("<stdin>: no standard input to read")
        try:
            data = read_bounded(stdin, max_bytes)
        except OSError as exc:
            raise InputError(f"<stdin>: cannot read: {exc.strerror or exc}") from None
        return decode(data, "<stdin>", max_bytes)
    path = Path(source)
    try:
        if path.is_dir():
            raise InputError(f"{source}: is a directory; pass draft files (or - for stdin)")
        with open(path, "rb") as fh:
            data = read_bounded(fh, max_bytes)
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except PermissionError:
        raise InputError(f"{source}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None
    return decode(data, source, max_bytes)
