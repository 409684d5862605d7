"""The server's wire protocol: one JSON object per line each way, and the tagged encoding
that carries `Settings` and `Job`s across it unchanged.

Protocol (version 1): one request per connection, a JSON object on one line (at most
MAX_REQUEST bytes unless the server was started with a larger `--max-request-kib`, nested
at most MAX_DEPTH deep, newline- or EOF-terminated), answered by one JSON object on one line:

    {"v": 1, "op": "ping"}                          -> {"v": 1, "ok": true, "pid": ..., ...}
    {"v": 1, "op": "lint", "texts": [...], "settings": {...}, "now": ISO|null,
     "history": {...}|null, "client": VERSION}      -> {"v": 1, "ok": true, "results": [[finding], ...], "notes": [...]}
    {"v": 1, "op": "stop"}                          -> {"v": 1, "ok": true}, then the server exits
    anything wrong                                  -> {"v": 1, "ok": false, "kind": ..., "error": "one line"}

`kind` is "user" for problems with what the user asked (bad rules directory, unreadable
history...: the client reports them as its own errors), "request" for malformed requests,
"busy" when the server already holds its maximum of connections, and "version" for a
client of another msglint version (the client then lints in-process after any but "user").
"""

from __future__ import annotations

import json
import socket
import time
from dataclasses import fields
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any, Callable

from .. import __version__
from ..check import History, Job
from ..config import Settings
from ..findings import Finding, Severity

PROTOCOL_VERSION = 1
MAX_REQUEST = 1 << 20  # bytes the server accepts by default (--max-request-kib)
# msglint's own clients send at most this much and lint a larger draft in their own
# process: checks take turns on the server, and a long draft takes it seconds (64 KiB, the
# draft cap, about 2.5 s), which would hold every other client's hotkey for as long; 16 KiB
# (some 2,500 words, a long letter) takes well under a second.
SEND_LIMIT = 16 << 10
MAX_REPLY = 256 << 20  # findings for a 1 MiB draft stay far below this
# Settings nest four levels at most ({"check_params": {"$dict": {"too_long": {"$dict": ...}}}});
# the limit keeps every recursive step after json.loads (decoding the tags, repr in an
# error line) far from Python's recursion limit.
MAX_DEPTH = 32


class FrameTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"frame over {limit} bytes")
        self.limit = limit


def encode(obj: Any) -> bytes:
    # json.dumps escapes newlines inside strings, so the only newline ends the frame. A lone
    # surrogate (a draft's "\ud83d" from a JSON request, a clipboard's half emoji) cannot be
    # UTF-8; backslashreplace writes it as the JSON escape \ud83d, which decodes back to the
    # same string, so such a text costs nothing instead of the reply.
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "backslashreplace") + b"\n"


def read_frame(sock: socket.socket, limit: int, deadline: float | None = None) -> bytes:
    """Bytes up to the first newline (or EOF); FrameTooLarge past `limit`.

    `deadline` (time.monotonic()) bounds the whole frame, not each recv: a peer that sends a
    byte now and then still runs out of time (socket.timeout)."""
    buf = bytearray()
    while True:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("frame deadline passed")
            sock.settimeout(left)
        chunk = sock.recv(65536)
        if not chunk:
            return bytes(buf)
        nl = chunk.find(b"\n")
        if nl >= 0:
            buf += chunk[:nl]
            if len(buf) > limit:
                raise FrameTooLarge(limit)
            return bytes(buf)
        buf += chunk
        if len(buf) > limit:
            raise FrameTooLarge(limit)


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether a decoded JSON value nests lists/objects more than `limit` deep (iteratively:
    the check itself must not recurse)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def clip(text: str, width: int = 200) -> str:
    """An error line's quote of something a client sent: it may be a megabyte long."""
    text = " ".join(text.split())  # and it stays one line
    return text if len(text) <= width else text[: width - 3] + "..."


def brief(value: Any, width: int = 60) -> str:
    """repr() of a request's value, clipped, for an error line."""
    return clip(repr(value), width)


def _wire(value: Any) -> Any:
    """Settings values -> JSON, tagged so that they come back as the same types."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Severity):
        return {"$severity": value.name}
    if isinstance(value, Path):
        return {"$path": str(value.expanduser().absolute())}  # the server has another cwd
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, dtime):
        return {"$time": value.isoformat()}
    if isinstance(value, (frozenset, set)):
        return {"$set": sorted(_wire(v) for v in value)}
    if isinstance(value, tuple):
        return {"$tuple": [_wire(v) for v in value]}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    if isinstance(value, dict):
        return {"$dict": {str(k): _wire(v) for k, v in value.items()}}
    raise TypeError(f"cannot send a {type(value).__name__} to the server")


def _unwire(value: Any) -> Any:
    if isinstance(value, list):
        return [_unwire(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        raise ValueError("malformed settings value")
    (tag, inner), = value.items()
    decoders: dict[str, Callable[[Any], Any]] = {
        "$severity": lambda v: Severity[v],
        "$path": Path,
        "$datetime": datetime.fromisoformat,
        "$date": date.fromisoformat,
        "$time": dtime.fromisoformat,
        "$set": lambda v: frozenset(_unwire(x) for x in v),
        "$tuple": lambda v: tuple(_unwire(x) for x in v),
        "$dict": lambda v: {k: _unwire(x) for k, x in v.items()},
    }
    if tag not in decoders:
        raise ValueError(f"unknown settings tag {tag!r}")
    return decoders[tag](inner)


def settings_to_wire(settings: Settings) -> dict:
    return {f.name: _wire(getattr(settings, f.name)) for f in fields(Settings)}


def _optional(kind: type) -> Callable[[Any], bool]:
    return lambda v: v is None or isinstance(v, kind)


def _strings(v: Any) -> bool:
    return isinstance(v, frozenset) and all(isinstance(x, str) for x in v)


def _integer(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


# What each field must hold once decoded: Settings does not check its own types, and a
# request is anyone's bytes. A field missing here (added later) is passed on unchecked.
_FIELD_TYPES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "model": (_optional(str), "a string or null"),
    "disable": (_strings, "a set of strings"),
    "enable": (_strings, "a set of strings"),
    "rules_dirs": (lambda v: isinstance(v, tuple) and all(isinstance(x, Path) for x in v), "a tuple of paths"),
    # IntEnum: _wire sends a Severity as its number; the number comes back as the Severity.
    "fail_on": (lambda v: v is None or (_integer(v) and v in iter(Severity)), "a severity or null"),
    "check_params": (lambda v: isinstance(v, dict) and all(isinstance(x, dict) for x in v.values()), "a dict of dicts"),
    "late_night": (lambda v: isinstance(v, tuple) and len(v) == 2 and all(isinstance(x, dtime) for x in v), "a tuple of two times"),
    "ignored_streak": (_integer, "an integer"),
    "too_soon_days": (_integer, "an integer"),
    "no_contact_until": (_optional(date), "a date or null"),
    "repeat_similarity": (_integer, "an integer"),
    "learned": (lambda v: isinstance(v, bool), "true or false"),
    "config_path": (_optional(Path), "a path or null"),
}


def settings_from_wire(data: Any) -> Settings:
    if not isinstance(data, dict):
        raise ValueError("'settings' must be an object")
    known = {f.name for f in fields(Settings)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown settings {clip(', '.join(sorted(unknown)))}")
    values = {}
    for name, raw in data.items():
        try:
            value = _unwire(raw)
        except (TypeError, KeyError, ValueError, AttributeError, OverflowError) as exc:
            raise ValueError(f"bad settings: {name}: {clip(str(exc), 120)}") from None
        check, expected = _FIELD_TYPES.get(name, (lambda v: True, ""))
        if not check(value):
            raise ValueError(f"bad settings: {name} must be {expected}, not {brief(value)}")
        values[name] = Severity(value) if name == "fail_on" and value is not None else value
    return Settings(**values)


def finding_from_dict(data: dict) -> Finding:
    return Finding(**{**data, "severity": Severity.parse(data["severity"])})


def job_to_wire(job: Job) -> dict:
    return {
        "v": PROTOCOL_VERSION,
        "op": "lint",
        "client": __version__,
        "texts": list(job.texts),
        "settings": settings_to_wire(job.settings),
        "now": job.now.isoformat() if job.now else None,
        "history": None if job.history is None else {
            "path": job.history.path, "shown": job.history.shown, "me": job.history.me, "input_format": job.history.input_format,
        },
    }


def job_from_wire(req: dict) -> Job:
    texts = req.get("texts")
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise ValueError("'texts' must be a list of strings")
    now = req.get("now")
    try:
        now = datetime.fromisoformat(now) if now is not None else None
    except (TypeError, ValueError):
        raise ValueError("'now' must be an ISO date-time") from None
    hist = req.get("history")
    history = None
    if hist is not None:
        if not isinstance(hist, dict) or not all(isinstance(hist.get(k), str) for k in ("path", "shown", "me")):
            raise ValueError("'history' must be an object with path, shown and me")
        fmt = hist.get("input_format")
        if fmt is not None and not isinstance(fmt, str):
            raise ValueError("'history.input_format' must be a string")
        history = History(hist["path"], hist["shown"], hist["me"], fmt)
    return Job(tuple(texts), settings_from_wire(req.get("settings", {})), now, history)


def error_reply(kind: str, message: str) -> dict:
    return {"v": PROTOCOL_VERSION, "ok": False, "kind": kind, "error": message}
