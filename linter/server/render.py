"""The `render` request: lint and return the finished output, so that the instant client
(linter/fast.py) only prints it, starts the notification and exits.

It answers only the plain cases the instant client sends (drafts, the clock, --fail-on,
--format, --history/--me/--input-format, --max-findings, a config file the client found);
what it produces is what `msglint check` / `msglint clipboard` print for the same request
in-process, byte for byte (tests/test_fast_client.py compares them). Anything unusable
raises: ValueError for a malformed request, MsglintError for what the user asked (a bad
config, an unreadable history, an empty clipboard...). The client then runs the full
command line, which reports it exactly as it always does.

    {"v": 1, "op": "render", "client": VERSION, "command": "check" | "clipboard",
     "drafts": [[name, text], ...], "cwd": DIR, "config": PATH | null,
     "now": "--now as typed" | null, "clock": "the client's local time, ISO",
     "fail_on": "warning" | null, "format": "text" | "json" | "short", "color": bool,
     "max_findings": 3, "history": {"path": AS TYPED, "resolved": ~ EXPANDED, "me": ..., "input_format": ...} | null}
    -> {"v": 1, "ok": true, "stdout": TEXT, "stderr": [LINE, ...], "exit": 0 | 1,
        "notify": {"title": ..., "body": ..., "urgent": bool} | null}

For `clipboard`, `stdout` is the verdict, printed only when no notification is shown (or
on a terminal), as the full command does.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from ..check import Job, Outcome, make_job
from ..config import Settings, load_settings, parse_fail_on
from ..errors import UsageError
from ..formats import FORMATS, render as render_findings
from ..presend.summary import verdict
from ..reader import decode
from ..verdict import judge_drafts

FAIL_ON = ("error", "warning", "info", "never")


def _str(request: dict, key: str, *, optional: bool = True) -> str | None:
    value = request.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be a string")
    return value


def _now(raw: str | None, clock: str | None) -> datetime:
    """--now parsed as the command line parses it, else the client's own clock (its time
    zone, not the server's)."""
    if raw is not None:
        try:
            return datetime.fromisoformat(raw.strip().replace(" ", "T", 1))
        except ValueError:
            raise UsageError(f"--now: expected a date and time like 2026-11-23T02:10, got {raw!r}") from None
    if clock is None:
        raise ValueError("'clock' is required without 'now'")
    try:
        return datetime.fromisoformat(clock)
    except ValueError:
        raise ValueError("'clock' must be an ISO date-time") from None


def _settings(config: str | None) -> Settings:
    if config is None:
        return Settings()  # the client looked (./msglint.toml, the user config dir): none
    path = Path(config)
    if not path.is_absolute():
        raise ValueError("'config' must be an absolute path")
    return load_settings(path)


def render_request(request: dict, lint: Callable[[Job], Outcome]) -> dict[str, Any]:
    """The reply fields for a render request (see the module docstring); `lint` runs the
    job (the service's, under its lock)."""
    command = _str(request, "command", optional=False)
    if command not in ("check", "clipboard"):
        raise ValueError(f"unknown command {command!r}")
    drafts = request.get("drafts")
    if not isinstance(drafts, list) or not drafts or not all(isinstance(d, list) and len(d) == 2 and all(isinstance(x, str) for x in d) for d in drafts):
        raise ValueError("'drafts' must be a non-empty list of [name, text] pairs")
    cwd = _str(request, "cwd", optional=False)
    if not Path(cwd).is_absolute():
        raise ValueError("'cwd' must be an absolute path")
    fail_on = _str(request, "fail_on")
    if fail_on is not None and fail_on not in FAIL_ON:
        raise ValueError(f"unknown fail_on {fail_on!r}")
    fmt = _str(request, "format") or "text"
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    color = request.get("color", False)
    limit = request.get("max_findings", 3)
    if not isinstance(color, bool) or not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError("'color' must be a boolean and 'max_findings' a positive integer")

    # The order of the command line's own steps, so the first problem is the same one.
    settings = _settings(_str(request, "config"))
    threshold = parse_fail_on(fail_on) if fail_on else settings.fail_on
    texts: dict[str, str] = {}
    for name, text in drafts:
        # The client sends the bytes as UTF-8 text; reader.decode applies the draft rules
        # (size, NUL bytes, BOM, line ends) exactly as for a file read in-process.
        texts[name] = decode(text.encode("utf-8"), name, settings.max_draft_bytes)
    if command == "clipboard":
        if len(texts) != 1:
            raise ValueError("a clipboard request has one draft")
        if not next(iter(texts.values())).strip():
            raise UsageError("nothing to check")  # the full command words it per source
    now = _now(_str(request, "now"), _str(request, "clock"))
    history = request.get("history")
    history_path = resolved = me = input_format = None
    if history is not None:
        if not isinstance(history, dict):
            raise ValueError("'history' must be an object")
        history_path, resolved, me, input_format = (_str(history, k) for k in ("path", "resolved", "me", "input_format"))
        if history_path is None or resolved is None:
            raise ValueError("'history.path' and 'history.resolved' are required")
    job = make_job(list(texts.values()), settings, now=now, history_path=history_path, me=me, input_format=input_format)
    if job.history is not None:
        # As typed for messages; opened as the client resolved it: its ~ expanded by the
        # client (its HOME), then made absolute against its directory, as Path.absolute would.
        job = replace(job, history=replace(job.history, path=str(Path(cwd) / resolved)))
    outcome = lint(job)

    if command == "clipboard":
        result = verdict(outcome.findings[0], threshold, limit)
        return {
            "stdout": result.text + "\n",
            "stderr": outcome.notes,
            "exit": 0 if result.send else 1,
            "notify": {"title": result.title, "body": "\n".join(result.lines), "urgent": not result.send},
        }
    findings, verdicts = judge_drafts(list(texts), outcome.findings, threshold)
    out = render_findings(findings, fmt, color=color, sources=texts, files=len(texts), verdicts=verdicts)
    failed = threshold is not None and any(f.severity >= threshold for f in findings)
    return {"stdout": out, "stderr": outcome.notes, "exit": 1 if failed else 0, "notify": None}
