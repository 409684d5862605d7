"""Running the server: warm up, listen, stop on a signal, or detach as a daemon."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from ..config import Settings
from ..errors import MsglintError
from .client import ServerUnavailable, call
from .listener import Limits, Server
from .paths import probe
from .service import Service, warm_up
from .wire import PROTOCOL_VERSION


class ServeError(MsglintError):
    """The server cannot start or stop; str() is one line."""

def warm_settings(model: str | None) -> Settings:
    """The settings to warm up with: the user's config if it reads, else the defaults."""
    from ..config import ConfigError, load_settings

    try:
        settings = load_settings(None)
    except ConfigError:
        settings = Settings()  # a broken config is reported by the check that uses it
    return settings.with_overrides(model=model)


def start(path: Path, settings: Settings, limits: Limits = Limits()) -> Server:
    """Warm up, then listen; MsglintError if either fails, FileExistsError if one is live."""
    problem = warm_up(settings)
    if problem:
        print(f"msglint: warning: {problem} (each check reports it until it is fixed)", file=sys.stderr)
    return make_server(path, limits)


def make_server(path: Path, limits: Limits = Limits()) -> Server:
    """A bound server answering with a `Service`; PrivateDirError if it cannot listen."""
    server = Server(path, Service(path), limits)
    server.after_reply = lambda request: server.stop() if request.get("op") == "stop" else None
    server.bind()
    return server


def run(server: Server) -> None:
    """Serve until SIGTERM/SIGINT or a stop request."""
    import signal

    def on_signal(signum, frame):  # noqa: ARG001 - signal's signature
        server.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a closed terminal must not stop a daemon
    server.serve_forever()


def status(path: Path, patience: float = 2.0) -> dict | None:
    """The server's ping reply; None when no server of ours answers. A server at its
    connection cap is asked again for up to `patience` seconds, then its busy reply (ok
    false, kind "busy") is returned: it runs, it only has no room right now."""
    deadline = time.monotonic() + patience
    while True:
        try:
            reply = call(path, {"v": PROTOCOL_VERSION, "op": "ping"}, timeout=2.0)
        except ServerUnavailable:
            return None
        if reply.get("ok"):
            return reply
        if reply.get("kind") != "busy":
            return None
        if time.monotonic() >= deadline:
            return reply
        time.sleep(0.05)


def stop(path: Path) -> str:
    """Stop the server at `path`; the status line to show. ServeError if it will not stop."""
    info = status(path, patience=10.0)
    if info is None:
        return f"msglint server: not running ({path})"
    if not info.get("ok"):
        raise ServeError(f"the server is busy ({info.get('error')}); try again, or stop it with SIGTERM")
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:
        try:
            reply = call(path, {"v": PROTOCOL_VERSION, "op": "stop"}, timeout=5.0)
        except ServerUnavailable:
            break
        if reply.get("kind") != "busy":
            break
        time.sleep(0.05)
    while time.monotonic() < deadline and probe(path) == "live":
        time.sleep(0.05)
    if probe(path) == "live":
        raise ServeError(f"the server (pid {info.get('pid')}) did not stop within 10 s")
    return f"msglint server: stopped pid {info.get('pid')} ({path})"


def daemonize(path: Path, settings: Settings, limits: Limits = Limits()) -> str:
    """Fork a detached server; this process waits for its first word and returns the status
    line to show (ServeError if the server failed to start)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_fd)
        with os.fdopen(read_fd, "rb") as pipe:
            word = pipe.read().decode("utf-8", "replace").strip()
        os.waitpid(pid, 0)
        if word.startswith("ok "):
            return f"msglint server: started, pid {word[3:]} ({path})"
        if word.startswith("running"):
            return f"msglint server: already running ({path})"
        raise ServeError(word.removeprefix("error: ") or "the server failed to start")
    # The child: a new session, then a grandchild that no terminal can claim.
    os.close(read_fd)
    os.setsid()
    if os.fork():
        os._exit(0)
    code = 0
    try:
        os.chdir("/")
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        try:
            server = start(path, settings, limits)
        except FileExistsError:
            os.write(write_fd, b"running\n")
            os._exit(0)
        except MsglintError as exc:
            os.write(write_fd, f"error: {exc}\n".encode())
            os._exit(2)
        os.write(write_fd, f"ok {os.getpid()}\n".encode())
        os.close(write_fd)
        run(server)
    except BaseException as exc:  # noqa: BLE001 - a daemon reports, it never prints a traceback
        try:
            os.write(write_fd, f"error: the server failed: {type(exc).__name__}: {exc}\n".encode())
        except OSError:
            pass
        code = 1
    os._exit(code)
