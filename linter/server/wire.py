"""The server's wire protocol: one JSON object per line each way, and the tagged encoding
that carries `Settings` and `Job`s across it unchanged.

Protocol (version 1): one request per connection, a JSON object on one line (at most
MAX_REQUEST bytes, newline- or EOF-terminated), answered by one JSON object on one line:

    {"v": 1, "op": "ping"}                          -> {"v": 1, "ok": true, "pid": ..., ...}
    {"v": 1, "op": "lint", "texts": [...], "settings": {...}, "now": ISO|null,
     "history": {...}|null, "client": VERSION}      -> {"v": 1, "ok": true, "results": [[finding], ...], "notes": [...]}
    {"v": 1, "op": "stop"}                          -> {"v": 1, "ok": true}, then the server exits
    anything wrong                                  -> {"v": 1, "ok": false, "kind": ..., "error": "one line"}

`kind` is "user" for problems with what the user asked (bad rules directory, unreadable
history...: the client reports them as its own errors), "request" for malformed requests
and "version" for a client of another msglint version (the client then lints in-process).
"""

from __future__ import annotations

import json
import socket
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
MAX_REQUEST = 1 << 20  # bytes; larger drafts are linted in-process by the client
MAX_REPLY = 256 << 20  # findings for a 1 MiB draft stay far below this

class FrameTooLarge(Exception):
    pass


def encode(obj: Any) -> bytes:
    # json.dumps escapes newlines inside strings, so the only newline ends the frame.
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def read_frame(sock: socket.socket, limit: int) -> bytes:
    """Bytes up to the first newline (or EOF); FrameTooLarge past `limit`."""
    buf = bytearray()
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return bytes(buf)
        nl = chunk.find(b"\n")
        if nl >= 0:
            buf += chunk[:nl]
            if len(buf) > limit:
                raise FrameTooLarge
            return bytes(buf)
        buf += chunk
        if len(buf) > limit:
            raise FrameTooLarge


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


def settings_from_wire(data: Any) -> Settings:
    if not isinstance(data, dict):
        raise ValueError("'settings' must be an object")
    known = {f.name for f in fields(Settings)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown settings {', '.join(sorted(unknown))}")
    try:
        return Settings(**{k: _unwire(v) for k, v in data.items()})
    except (TypeError, KeyError, ValueError) as exc:
        raise ValueError(f"bad settings: {exc}") from None


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
