"""The warm local server (`msglint serve`) and its client.

A cold start (Python + spaCy + the compiled rules) costs a second or two; the pre-send
hotkey should answer at once. `msglint serve` keeps the pipeline loaded behind a Unix
domain socket that only the user's own processes can reach, and `msglint check` /
`msglint clipboard` send their drafts there when it runs, linting in-process when it does
not, with the same output either way: both routes run `run_job` on the same `Job`.

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

The client side of this module stays light: it imports neither spaCy nor the engine, so a
check answered by the server costs little more than Python's own start-up.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import stat
import struct
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any, Callable, Sequence

import click

from . import __version__
from .config import Settings
from .findings import Finding, Severity, sort_key

PROTOCOL_VERSION = 1
MAX_REQUEST = 1 << 20  # bytes; larger drafts are linted in-process by the client
MAX_REPLY = 256 << 20  # findings for a 1 MiB draft stay far below this
MAX_WORKERS = 8  # connections handled at once; more wait in the accept queue
READ_TIMEOUT = 5.0  # seconds a client may take to send its request
REPLY_TIMEOUT = 120.0  # seconds a client waits for its findings before linting itself
SOCKET_NAME = "msglint.sock"

HAS_UNIX_SOCKETS = hasattr(socket, "AF_UNIX") and hasattr(os, "getuid")


# -- where the socket lives ------------------------------------------------------------

def default_socket_path(env: dict[str, str] | None = None) -> Path:
    """$XDG_RUNTIME_DIR/msglint/msglint.sock, else a private dir in the temp dir named for the uid."""
    env = os.environ if env is None else env
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime) and os.path.isdir(runtime):
        return Path(runtime) / "msglint" / SOCKET_NAME
    return Path(tempfile.gettempdir()) / f"msglint-{os.getuid()}" / SOCKET_NAME


def socket_path(explicit: str | os.PathLike | None) -> Path:
    return Path(explicit).absolute() if explicit else default_socket_path()


class PrivateDirError(Exception):
    """The socket's directory is not private to this user; str() is one line."""


def ensure_private_dir(directory: Path, *, create: bool) -> None:
    """The default socket directory must be a real directory, ours, mode 0700.

    Another user could pre-create the temp-dir fallback to catch our drafts, so an existing
    directory is trusted only when we own it; group/other bits on our own one are removed.
    """
    if create:
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            raise PrivateDirError(f"{directory}: cannot create the socket directory: {exc.strerror or exc}") from None
    try:
        st = os.lstat(directory)
    except FileNotFoundError:
        raise PrivateDirError(f"{directory}: no such directory") from None
    if not stat.S_ISDIR(st.st_mode):
        raise PrivateDirError(f"{directory}: is not a directory (a symlink or a file is not trusted)")
    if st.st_uid != os.getuid():
        raise PrivateDirError(f"{directory}: owned by uid {st.st_uid}, not by you; remove it or pass --socket PATH")
    if st.st_mode & 0o077:
        if not create:
            raise PrivateDirError(f"{directory}: is accessible to other users (mode {stat.S_IMODE(st.st_mode):o})")
        os.chmod(directory, 0o700)


def _is_default(path: Path) -> bool:
    return path == default_socket_path()


# -- wire format -----------------------------------------------------------------------

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


# -- the work, identical on both routes ---------------------------------------------------

@dataclass(frozen=True)
class History:
    """A chat export to read the draft against: the draft is the next message `me` sends."""

    path: str  # absolute, for opening
    shown: str  # as the user typed it, for messages
    me: str
    input_format: str | None = None


@dataclass(frozen=True)
class Job:
    """Everything a check needs, resolved by the client: drafts, settings, clock, history.
    `now` is the moment the drafts are checked as sent at (None: no context rules)."""

    texts: tuple[str, ...]
    settings: Settings
    now: datetime | None = None
    history: History | None = None


@dataclass
class Outcome:
    findings: list[list[Finding]]  # one list per draft, in order, sorted
    notes: list[str] = field(default_factory=list)  # lines for stderr (skipped history items...)


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


def run_job(job: Job) -> Outcome:
    """Lint in this process: message rules, then the context rules. UserError on bad input."""
    from .cli import build_engine, fail

    engine = build_engine(job.settings)
    results = [list(found) for found in engine.lint_many(job.texts)]
    notes: list[str] = []
    if job.now is None and job.history is None:
        return Outcome(results, notes)
    from .context import ContextRuleError, draft_findings

    history: Sequence = ()
    me = None
    if job.history is not None:
        history = load_history(job.history, notes)
        me = job.history.me
    for i, text in enumerate(job.texts):
        try:
            extra = draft_findings(text, now=job.now or datetime.now(), settings=job.settings, history=history, me=me)
        except ContextRuleError as exc:
            fail(str(exc))
        if extra:
            results[i] = sorted(results[i] + list(extra), key=sort_key)
    return Outcome(results, notes)


_history_cache: dict[tuple, tuple[list, list[str]]] = {}
_history_lock = threading.Lock()


def load_history(history: History, notes: list[str]) -> list:
    """The export's messages (cached by path, size and mtime for the server), with its
    skipped items and the importer's assumptions added to `notes`; UserError if unusable."""
    from .chats import ChatImportError, load_chat
    from .cli import fail

    try:
        st = os.stat(history.path)
        key = (history.path, st.st_mtime_ns, st.st_size, history.input_format)
    except OSError:
        key = None
    with _history_lock:
        cached = _history_cache.get(key) if key else None
    if cached is None:
        try:
            chat = load_chat(history.path, history.input_format)
            messages = list(chat)
        except ChatImportError as exc:
            fail(str(exc).replace(history.path, history.shown))
        except OSError as exc:
            fail(f"{history.shown}: cannot read: {exc.strerror or exc}")
        found: list[str] = []
        if chat.skipped:
            reasons: dict[str, int] = {}
            for s in chat.skipped:
                reasons[s.reason] = reasons.get(s.reason, 0) + 1
            detail = "; ".join(f"{n} {r}" for r, n in sorted(reasons.items(), key=lambda kv: -kv[1]))
            found.append(f"msglint: warning: {history.shown}: skipped {len(chat.skipped)} item(s) that are not messages ({detail})")
        found.extend(f"msglint: note: {history.shown}: {note}" for note in chat.notes)
        cached = (messages, found)
        if key:
            with _history_lock:
                if len(_history_cache) >= 4:
                    _history_cache.pop(next(iter(_history_cache)))
                _history_cache[key] = cached
    messages, found = cached
    senders = sorted({m.sender for m in messages if m.sender})
    if senders and history.me not in senders:  # (no senders at all: every message is yours)
        shown = ", ".join(senders[:8]) + (", ..." if len(senders) > 8 else "")
        fail(f"--me {history.me!r}: no such sender in {history.shown} (senders: {shown or 'none'})")
    notes.extend(found)
    return messages


# -- the client ------------------------------------------------------------------------

class ServerUnavailable(Exception):
    """No usable server at the socket (none running, not ours, or another version).
    `quiet`: the usual case (none running), not worth a warning."""

    def __init__(self, message: str, *, quiet: bool = False) -> None:
        super().__init__(message)
        self.quiet = quiet


def _peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process at the other end (Linux SO_PEERCRED), or None if unknown."""
    opt = getattr(socket, "SO_PEERCRED", None)
    if opt is None:
        return None
    try:
        _pid, uid, _gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, opt, struct.calcsize("3i")))
    except OSError:
        return None
    return uid


def _check_trusted(path: Path) -> None:
    """Talk only to a socket this user owns, in a private directory when it is ours to choose."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise ServerUnavailable("not running", quiet=True) from None
    except OSError as exc:
        raise ServerUnavailable(str(exc)) from None
    if not stat.S_ISSOCK(st.st_mode):
        raise ServerUnavailable(f"{path} is not a socket")
    if st.st_uid != os.getuid():
        raise ServerUnavailable(f"{path} is owned by uid {st.st_uid}, not by you; ignoring it")
    if _is_default(path):
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
            uid = _peer_uid(sock)
            if uid is not None and uid != os.getuid():
                raise ServerUnavailable(f"the server at {path} runs as uid {uid}, not as you; ignoring it")
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
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
    if len(encode(request)) > MAX_REQUEST:
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
        from .cli import fail

        message = str(reply.get("error"))
        for directory in job.settings.rules_dirs:  # sent absolute; reported as the user wrote it
            if not directory.expanduser().is_absolute():
                message = message.replace(str(directory.expanduser().absolute()), str(directory))
        fail(message)
    raise ServerUnavailable(str(reply.get("error")))


def lint_job(job: Job, *, use_server: bool = True, socket: str | os.PathLike | None = None) -> Outcome:
    """Lint through the running server when there is one, in-process otherwise."""
    if use_server and HAS_UNIX_SOCKETS:
        try:
            return lint_via_server(job, socket_path(socket))
        except ServerUnavailable as exc:
            if not exc.quiet:
                click.echo(f"msglint: warning: server: {exc}; linting in-process", err=True)
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


# -- options shared by check and clipboard ---------------------------------------------------

def _parse_now(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        from .cli import fail

        fail(f"--now: expected a date and time like 2026-11-23T02:10, got {value!r}")


def presend_options(fn: Callable) -> Callable:
    """--now/--history/--me/--input-format (time-aware checks) and --no-server/--socket."""
    for opt in reversed(
        [
            click.option("--now", "now", metavar="WHEN", callback=_parse_now, envvar="MSGLINT_NOW", help="Check as if sending at WHEN, e.g. 2026-11-23T02:10 (default: the local clock; env MSGLINT_NOW)."),
            click.option("--history", "history_path", metavar="EXPORT", help="A chat export with them: the draft is checked as your next message (double-text, ignored-streak, too-soon, repeat)."),
            click.option("--me", metavar="NAME", help="Your name as the sender in the --history export."),
            click.option("--input-format", metavar="FORMAT", help="Format of the --history export (default: detected)."),
            click.option("--no-server", is_flag=True, help="Lint in this process even if `msglint serve` is running."),
            click.option("--socket", "socket_file", metavar="PATH", envvar="MSGLINT_SOCKET", help="The server's socket (default: $XDG_RUNTIME_DIR/msglint/msglint.sock; env MSGLINT_SOCKET)."),
        ]
    ):
        fn = opt(fn)
    return fn


def make_job(texts: Sequence[str], settings: Settings, *, now: datetime | None, history_path: str | None, me: str | None, input_format: str | None) -> Job:
    """The job for these drafts, validating the time-aware options (UserError)."""
    from .cli import fail

    if history_path is None and (me is not None or input_format is not None):
        fail("--me and --input-format go with --history EXPORT")
    history = None
    if history_path is not None:
        if not me:
            fail("--history needs --me NAME (your name as it appears in the export)")
        history = History(str(Path(history_path).expanduser().absolute()), history_path, me, input_format)
    return Job(tuple(texts), settings, now or datetime.now(), history)


# -- the server ----------------------------------------------------------------------------

def probe(path: Path) -> str:
    """"live", "stale" (a socket file nobody listens on), "absent", or "other" (not a socket)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "absent"
    if not stat.S_ISSOCK(st.st_mode):
        return "other"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(2.0)
        try:
            sock.connect(str(path))
        except (ConnectionRefusedError, FileNotFoundError):
            return "stale"
        except OSError:
            return "live"  # busy or not ours to judge: never steal it
    return "live"


class Server:
    """Accepts connections on a Unix socket and answers each on a worker thread."""

    def __init__(self, path: Path, handle: Callable[[dict], dict]) -> None:
        self.path = path
        self._handle = handle
        self._stopping = threading.Event()
        self._sock: socket.socket | None = None
        self._inode: tuple[int, int] | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        self.after_reply: Callable[[dict], None] | None = None
        self.read_timeout = READ_TIMEOUT

    # binding ---------------------------------------------------------------------------
    def bind(self) -> None:
        """Listen on the path, replacing a stale socket; FileExistsError if one is live."""
        for _attempt in range(3):
            state = probe(self.path)
            if state == "live":
                raise FileExistsError(errno.EADDRINUSE, "a server is already running", str(self.path))
            if state == "other":
                raise PrivateDirError(f"{self.path}: exists and is not a socket; remove it or choose another --socket")
            if state == "stale":
                try:
                    st = os.lstat(self.path)
                    if st.st_uid != os.getuid():
                        raise PrivateDirError(f"{self.path}: a stale socket owned by uid {st.st_uid}; remove it or choose another --socket")
                    os.unlink(self.path)
                except FileNotFoundError:
                    pass
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            old = os.umask(0o177)  # the socket is born 0600: never a moment world-writable
            try:
                sock.bind(str(self.path))
            except OSError as exc:
                sock.close()
                if exc.errno == errno.EADDRINUSE:
                    continue  # someone bound meanwhile: probe again
                raise PrivateDirError(f"{self.path}: cannot listen: {exc.strerror or exc}") from None
            finally:
                os.umask(old)
            os.chmod(self.path, 0o600)
            sock.listen(64)
            sock.setblocking(False)
            st = os.stat(self.path)
            self._inode = (st.st_dev, st.st_ino)
            self._sock = sock
            return
        raise FileExistsError(errno.EADDRINUSE, "a server is already running", str(self.path))

    # serving ---------------------------------------------------------------------------
    def serve_forever(self) -> None:
        import selectors
        from concurrent.futures import ThreadPoolExecutor

        assert self._sock is not None, "bind() first"
        sel = selectors.DefaultSelector()
        sel.register(self._sock, selectors.EVENT_READ, "accept")
        sel.register(self._wake_r, selectors.EVENT_READ, "wake")
        pool = ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="msglint-serve")
        try:
            while not self._stopping.is_set():
                for key, _ in sel.select():
                    if key.data == "wake":
                        continue
                    try:
                        conn, _ = self._sock.accept()
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:
                        # Out of descriptors (EMFILE...) or a connection aborted before it
                        # was accepted: let the workers finish and go on serving.
                        time.sleep(0.05)
                        continue
                    pool.submit(self._serve_one, conn)
        finally:
            sel.close()
            self._close()
            pool.shutdown(wait=True, cancel_futures=True)

    def stop(self) -> None:
        """Ask the accept loop to end (safe from a signal handler or a worker)."""
        self._stopping.set()
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass

    def _close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
            try:
                st = os.lstat(self.path)
                if (st.st_dev, st.st_ino) == self._inode:  # still ours, not a successor's
                    os.unlink(self.path)
            except OSError:
                pass

    def _serve_one(self, conn: socket.socket) -> None:
        request: dict = {}
        try:
            conn.settimeout(self.read_timeout)
            uid = _peer_uid(conn)
            if uid is not None and uid != os.getuid():
                reply = _error("request", "permission denied: the server only talks to its own user")
            else:
                try:
                    raw = read_frame(conn, MAX_REQUEST)
                except FrameTooLarge:
                    reply = _error("request", f"request too large (over {MAX_REQUEST // 1024} KiB)")
                except socket.timeout:
                    reply = _error("request", f"no complete request within {self.read_timeout:g} s")
                else:
                    request, reply = self._dispatch(raw)
            conn.settimeout(REPLY_TIMEOUT)
            conn.sendall(encode(reply))
            try:
                conn.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        except OSError:
            pass  # the client went away; nothing to tell anyone
        finally:
            conn.close()
        if self.after_reply is not None:
            self.after_reply(request)

    def _dispatch(self, raw: bytes) -> tuple[dict, dict]:
        try:
            request = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            return {}, _error("request", f"malformed request: not JSON ({exc})")
        if not isinstance(request, dict):
            return {}, _error("request", "malformed request: expected a JSON object")
        if request.get("v") != PROTOCOL_VERSION:
            return {}, _error("request", f"unsupported protocol version {request.get('v')!r} (this server speaks {PROTOCOL_VERSION})")
        try:
            return request, self._handle(request)
        except Exception as exc:  # a bug must cost one reply, not the server
            return request, _error("internal", f"internal error: {type(exc).__name__}: {exc}")


def _error(kind: str, message: str) -> dict:
    return {"v": PROTOCOL_VERSION, "ok": False, "kind": kind, "error": message}


class Service:
    """What the server does with a request: ping, lint (one at a time), stop."""

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
                return _error("version", f"the running server is msglint {__version__}, this client is {request.get('client')}")
            try:
                job = job_from_wire(request)
            except ValueError as exc:
                return _error("request", f"malformed lint request: {exc}")
            return self.lint(job)
        return _error("request", f"unknown op {op!r} (expected ping, lint or stop)")

    def lint(self, job: Job) -> dict:
        with self._lint_lock:
            self._refresh_rules(job.settings)
            try:
                outcome = run_job(job)
            except click.ClickException as exc:
                return _error("user", exc.format_message())
        return {"v": PROTOCOL_VERSION, "ok": True, "results": [[f.to_dict() for f in found] for found in outcome.findings], "notes": outcome.notes}

    def _refresh_rules(self, settings: Settings) -> None:
        """Rule files edited while the server runs take effect, as they would in-process."""
        from . import api
        from .rules.loader import builtin_dir

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

    No usable model is fatal (UserError). A broken rule file is not: every request reports
    it, as an in-process check would, until it is fixed; the message is returned."""
    from . import pipeline
    from .cli import build_engine, fail

    try:
        pipeline.load(settings.model)
    except pipeline.ModelError as exc:
        fail(str(exc))
    try:
        build_engine(settings).lint("hey, do you miss me? call me")
    except click.ClickException as exc:
        return exc.format_message()
    from . import chats, context  # noqa: F401 - imported now rather than on the first request
    return None


# -- msglint serve ---------------------------------------------------------------------------

@click.command("serve")
@click.option("--socket", "socket_file", metavar="PATH", envvar="MSGLINT_SOCKET", help="Socket path (default: $XDG_RUNTIME_DIR/msglint/msglint.sock, else a private dir in the temp dir; env MSGLINT_SOCKET).")
@click.option("--daemon", is_flag=True, help="Detach: return once the server is ready, and keep it running in the background.")
@click.option("--stop", "stop_", is_flag=True, help="Stop the running server.")
@click.option("--status", is_flag=True, help="Say whether a server is running (exit 0) or not (exit 1).")
@click.option("--model", help="spaCy model to load at start (requests may ask for others).")
def serve_command(socket_file: str | None, daemon: bool, stop_: bool, status: bool, model: str | None) -> None:
    """Keep the spaCy pipeline warm behind a user-only Unix socket.

    `msglint FILE` and `msglint clipboard` use it when it runs (same output, much faster)
    and lint in-process when it does not. A second `serve` on a live socket says so and
    exits 0; a stale socket left by a crash is replaced. SIGTERM/SIGINT stop it cleanly.
    """
    from .cli import fail

    if not HAS_UNIX_SOCKETS:
        fail("msglint serve needs Unix domain sockets, which this platform lacks; msglint lints in-process instead")
    if sum((daemon, stop_, status)) > 1:
        fail("choose one of --daemon, --stop and --status")
    path = socket_path(socket_file)
    if len(os.fsencode(path)) >= 104:  # sun_path is 104-108 bytes depending on the OS
        fail(f"{path}: socket path too long for a Unix socket; pass a shorter --socket PATH")
    if status:
        info = ping(path)
        if info is None:
            click.echo(f"msglint server: not running ({path})")
            sys.exit(1)
        click.echo(f"msglint server: running, pid {info.get('pid')}, msglint {info.get('version')}, up {info.get('uptime')} s, {info.get('requests')} requests ({path})")
        return
    if stop_:
        _stop(path)
        return
    if _is_default(path):
        try:
            ensure_private_dir(path.parent, create=True)
        except PrivateDirError as exc:
            fail(str(exc))
    elif not path.parent.is_dir():
        fail(f"{path.parent}: no such directory for the socket")
    state = probe(path)
    if state == "other":
        fail(f"{path}: exists and is not a socket; remove it or choose another --socket")
    if state == "live":
        info = ping(path) or {}
        click.echo(f"msglint server: already running, pid {info.get('pid', '?')} ({path})")
        return
    settings = _warm_settings(model)
    if daemon:
        _daemonize(path, settings)
        return
    try:
        server = _start(path, settings)
    except FileExistsError:
        click.echo(f"msglint server: already running ({path})")
        return
    click.echo(f"msglint server: listening on {path} (pid {os.getpid()}); Ctrl-C or SIGTERM stops it", err=True)
    _run(server)


def _warm_settings(model: str | None) -> Settings:
    from .config import ConfigError, load_settings

    try:
        settings = load_settings(None)
    except ConfigError:
        settings = Settings()  # a broken config is reported by the check that uses it
    return settings.with_overrides(model=model)


def _start(path: Path, settings: Settings) -> Server:
    """Warm up, then listen; UserError if either fails, FileExistsError if one is live."""
    problem = warm_up(settings)
    if problem:
        click.echo(f"msglint: warning: {problem} (each check reports it until it is fixed)", err=True)
    return make_server(path)


def make_server(path: Path) -> Server:
    """A bound server answering with a `Service`; UserError if it cannot listen."""
    from .cli import fail

    server = Server(path, Service(path))
    server.after_reply = lambda request: server.stop() if request.get("op") == "stop" else None
    try:
        server.bind()
    except PrivateDirError as exc:
        fail(str(exc))
    return server


def _run(server: Server) -> None:
    import signal

    def on_signal(signum, frame):  # noqa: ARG001 - signal's signature
        server.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a closed terminal must not stop a daemon
    server.serve_forever()


def _stop(path: Path) -> None:
    info = ping(path)
    if info is None:
        click.echo(f"msglint server: not running ({path})")
        return
    try:
        call(path, {"v": PROTOCOL_VERSION, "op": "stop"}, timeout=5.0)
    except ServerUnavailable:
        pass
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline and probe(path) == "live":
        time.sleep(0.05)
    if probe(path) == "live":
        from .cli import fail

        fail(f"the server (pid {info.get('pid')}) did not stop within 10 s")
    click.echo(f"msglint server: stopped pid {info.get('pid')} ({path})")


def _daemonize(path: Path, settings: Settings) -> None:
    """Fork a detached server; this process waits for its first word and reports it."""
    from .cli import fail

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_fd)
        with os.fdopen(read_fd, "rb") as pipe:
            word = pipe.read().decode("utf-8", "replace").strip()
        os.waitpid(pid, 0)
        if word.startswith("ok "):
            click.echo(f"msglint server: started, pid {word[3:]} ({path})")
            return
        if word.startswith("running"):
            click.echo(f"msglint server: already running ({path})")
            return
        fail(word.removeprefix("error: ") or "the server failed to start")
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
            server = _start(path, settings)
        except FileExistsError:
            os.write(write_fd, b"running\n")
            os._exit(0)
        except click.ClickException as exc:
            os.write(write_fd, f"error: {exc.format_message()}\n".encode())
            os._exit(2)
        os.write(write_fd, f"ok {os.getpid()}\n".encode())
        os.close(write_fd)
        _run(server)
    except BaseException as exc:  # noqa: BLE001 - a daemon reports, it never prints a traceback
        try:
            os.write(write_fd, f"error: the server failed: {type(exc).__name__}: {exc}\n".encode())
        except OSError:
            pass
        code = 1
    os._exit(code)
