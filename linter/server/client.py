"""The client side: send a `Job` to the running server, or say why not so the caller can
lint in-process. Light on purpose: neither spaCy nor the engine is imported here, so a
check answered by the server costs little more than Python's own start-up.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

from ..check import Job, Outcome, run_job
from ..errors import MsglintError
from .paths import HAS_UNIX_SOCKETS, PrivateDirError, ensure_private_dir, is_default, peer_uid, socket_path
from .trust import socket_problem
from .wire import MAX_REPLY, PROTOCOL_VERSION, SEND_LIMIT, FrameTooLarge, encode, finding_from_dict, job_to_wire, read_frame

REPLY_TIMEOUT = 120.0  # seconds a client waits for its findings before linting itself


class ServerError(MsglintError):
    """The server answered that what the user asked cannot be done (its one line)."""

class ServerUnavailable(Exception):
    """No usable server at the socket (none running, not ours, or another version).
    `quiet`: the usual case (none running), not worth a warning."""

    def __init__(self, message: str, *, quiet: bool = False) -> None:
        super().__init__(message)
        self.quiet = quiet



def _check_trusted(path: Path) -> None:
    """Talk only to a socket this user owns, in a private directory when it is ours to choose."""
    problem = socket_problem(str(path))  # the check the instant client makes (trust.py)
    if problem is not None:
        message, quiet = problem
        raise ServerUnavailable(message, quiet=quiet)
    if is_default(path):
        try:
            ensure_private_dir(path.parent, create=False)
        except PrivateDirError as exc:
            raise ServerUnavailable(str(exc)) from None


def call(path: Path, request: dict, *, timeout: float = REPLY_TIMEOUT) -> dict:
    """Send one request and return the reply; ServerUnavailable if nobody (ours) answers."""
    if not HAS_UNIX_SOCKETS:
        raise ServerUnavailable("Unix domain sockets are not available on this platform")
    _check_trusted(path)
    data = encode(request)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(str(path))
            uid = peer_uid(sock)
            if uid is not None and uid != os.getuid():
                raise ServerUnavailable(f"the server at {path} runs as uid {uid}, not as you; ignoring it")
            try:
                sock.sendall(data)
                sock.shutdown(socket.SHUT_WR)
            except (BrokenPipeError, ConnectionResetError):
                pass  # answered before it read everything (busy, too large): the reply waits
            raw = read_frame(sock, MAX_REPLY)
    except (ConnectionRefusedError, FileNotFoundError):
        raise ServerUnavailable("not running", quiet=True) from None
    except FrameTooLarge:
        raise ServerUnavailable("reply too large") from None
    except OSError as exc:  # timeouts, resets, path too long...
        raise ServerUnavailable(f"{type(exc).__name__}: {exc}") from None
    try:
        reply = json.loads(raw)
    except ValueError:
        raise ServerUnavailable("the server sent a malformed reply") from None
    if not isinstance(reply, dict):
        raise ServerUnavailable("the server sent a malformed reply")
    return reply


def lint_via_server(job: Job, path: Path) -> Outcome:
    """The job's outcome from the server; ServerUnavailable to lint in-process instead."""
    request = job_to_wire(job)
    if len(encode(request)) > SEND_LIMIT:
        raise ServerUnavailable("request too large for the server", quiet=True)
    reply = call(path, request)
    if reply.get("ok"):
        try:
            results = [[finding_from_dict(d) for d in found] for found in reply["results"]]
        except (KeyError, TypeError, ValueError):
            raise ServerUnavailable("the server sent a malformed reply") from None
        if len(results) != len(job.texts):
            raise ServerUnavailable("the server sent a malformed reply")
        return Outcome(results, [str(n) for n in reply.get("notes", [])])
    if reply.get("kind") == "user":
        message = str(reply.get("error"))
        for directory in job.settings.rules_dirs:  # sent absolute; reported as the user wrote it
            if not directory.expanduser().is_absolute():
                message = message.replace(str(directory.expanduser().absolute()), str(directory))
        raise ServerError(message)
    raise ServerUnavailable(str(reply.get("error")))


def lint_job(job: Job, *, use_server: bool = True, socket: str | os.PathLike | None = None) -> Outcome:
    """Lint through the running server when there is one, in-process otherwise."""
    if use_server and HAS_UNIX_SOCKETS:
        try:
            return lint_via_server(job, socket_path(socket))
        except ServerUnavailable as exc:
            if not exc.quiet:
                print(f"msglint: warning: server: {exc}; linting in-process", file=sys.stderr)
    return run_job(job)


def ping(path: Path, timeout: float = 2.0) -> dict | None:
    """The server's status reply, or None when no server of ours answers."""
    try:
        reply = call(path, {"v": PROTOCOL_VERSION, "op": "ping"}, timeout=timeout)
    except ServerUnavailable:
        return None
    return reply if reply.get("ok") else None


def ensure_server(socket_file: str | os.PathLike | None = None, *, timeout: float = 60.0) -> str | None:
    """Start `msglint serve --daemon` unless a server answers at the socket (default path
    when None). None when one runs afterwards, else one line saying why not."""
    if not HAS_UNIX_SOCKETS:
        return "the server needs Unix domain sockets, which this platform lacks"
    path = socket_path(socket_file)
    if ping(path) is not None:
        return None
    import subprocess

    cmd = [sys.executable, "-m", "linter", "serve", "--daemon", "--socket", str(path)]
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"could not start the server: {exc}"
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["exit status %d" % proc.returncode])[-1]
        return f"could not start the server: {last.removeprefix('msglint: error: ')}"
    return None
