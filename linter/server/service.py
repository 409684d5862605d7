"""What the warm server does with a request: ping, lint or render (one at a time), stop."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from .. import __version__
from ..check import Job, Outcome, run_job
from ..config import Settings
from ..errors import MsglintError
from .wire import PROTOCOL_VERSION, error_reply, job_from_wire

class Service:
    """What the server does with a request: ping, lint or render (one at a time), stop."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.started = time.time()
        self.requests = 0
        # spaCy's pipeline and the matchers are shared by every engine and not documented
        # as thread-safe; parsing holds the GIL anyway (benchmarks/bench_presend.py measures
        # two threads without a lock at no gain), so lint requests take turns.
        self._lint_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._stamps: dict[str, tuple] = {}

    def __call__(self, request: dict) -> dict:
        with self._count_lock:
            self.requests += 1
        op = request.get("op")
        if op == "ping":
            return {"v": PROTOCOL_VERSION, "ok": True, "pid": os.getpid(), "version": __version__, "socket": str(self.path), "uptime": round(time.time() - self.started, 1), "requests": self.requests}
        if op == "stop":
            return {"v": PROTOCOL_VERSION, "ok": True, "pid": os.getpid()}
        if op == "lint":
            if request.get("client") != __version__:
                return error_reply("version", f"the running server is msglint {__version__}, this client is {request.get('client')}")
            try:
                job = job_from_wire(request)
            except ValueError as exc:
                return error_reply("request", f"malformed lint request: {exc}")
            return self.lint(job)
        if op == "render":
            if request.get("client") != __version__:
                return error_reply("version", f"the running server is msglint {__version__}, this client is {request.get('client')}")
            return self.render(request)
        return error_reply("request", f"unknown op {op!r} (expected ping, lint, render or stop)")

    def lint(self, job: Job) -> dict:
        try:
            outcome = self._run(job)
        except MsglintError as exc:
            return error_reply("user", str(exc))
        return {"v": PROTOCOL_VERSION, "ok": True, "results": [[f.to_dict() for f in found] for found in outcome.findings], "notes": outcome.notes}

    def render(self, request: dict) -> dict:
        """Lint and return the finished output (linter/server/render.py): the instant
        client's request, which only prints what comes back."""
        from .render import render_request

        try:
            reply = render_request(request, self._run)
        except ValueError as exc:
            return error_reply("request", f"malformed render request: {exc}")
        except MsglintError as exc:
            return error_reply("user", str(exc))
        return {"v": PROTOCOL_VERSION, "ok": True, **reply}

    def _run(self, job: Job) -> Outcome:
        from ..api import get_linter

        with self._lint_lock:
            self._refresh_rules(job.settings)
            # The linter is built (and its matchers compiled) before the zone, whose
            # strings go when it ends: weeks of drafts leave the vocabulary as it was.
            with get_linter(job.settings).zone():
                return run_job(job)

    def _refresh_rules(self, settings: Settings) -> None:
        """Rule files edited while the server runs take effect, as they would in-process."""
        from .. import api
        from ..rules.loader import builtin_dir

        changed = False
        for directory in (builtin_dir(), builtin_dir() / "context", *settings.rules_dirs):
            stamp: tuple = ()
            try:
                for p in sorted(Path(directory).expanduser().iterdir()):
                    if p.suffix in (".yaml", ".yml"):
                        st = p.stat()
                        stamp += ((p.name, st.st_mtime_ns, st.st_size),)
            except OSError:
                stamp = (None,)
            key = str(directory)
            changed |= key in self._stamps and self._stamps[key] != stamp
            self._stamps[key] = stamp
        if changed:  # the api caches rules and engines per process: start them afresh
            api.reset_caches()


def warm_up(settings: Settings) -> str | None:
    """Load the pipeline and compile the rules now, so the first request is fast.

    No usable model is fatal (ModelError). A broken rule file is not: every request reports
    it, as an in-process check would, until it is fixed; the message is returned."""
    from .. import nlp
    from ..api import get_linter

    nlp.load(settings.model)
    try:
        linter = get_linter(settings)
        with linter.zone():  # compiles every matcher now, outside any request's zone
            linter.lint("hey, do you miss me? call me")
    except MsglintError as exc:
        return str(exc)
    from .. import chats, context  # noqa: F401 - imported now rather than on the first request
    from . import render  # noqa: F401 - the instant client's request
    return None
