"""The accept loop: a Unix socket whose connections are read and answered by one selector
thread, with each complete request handed to a small pool that runs `handle(request) ->
reply`.

Every byte in and out goes through the selector, never through a blocking call on a
client's socket, so no client can hold a thread: an idle or dripping connection costs a
descriptor and its buffer until its deadline, and the next client is read at once. The
limits (`Limits`) bound everything a client can make the server hold: connections (past the
cap a new one gets a "busy" reply at once), the time to send a whole request (not per recv:
a byte every 0.4 s is still cut off at the deadline), its size and its nesting.
"""

from __future__ import annotations

import errno
import json
import os
import queue
import selectors
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .paths import PrivateDirError, peer_uid, probe
from .wire import MAX_DEPTH, MAX_REQUEST, PROTOCOL_VERSION, brief, clip, encode, error_reply, too_deep

MAX_WORKERS = 8  # requests handled at once (lint requests then take turns in the service)
MAX_CONNECTIONS = 64  # open connections, reading or answered; more get a "busy" reply
REQUEST_TIMEOUT = 5.0  # seconds from accept to the request's last byte
REPLY_TIMEOUT = 60.0  # seconds from a ready reply to its last byte delivered
STOP_GRACE = 5.0  # seconds a stopping server gives requests already read to be answered
ACCEPT_BATCH = 64  # connections accepted per wake-up, so a flood cannot starve the reads
CHUNK = 65536


@dataclass(frozen=True)
class Limits:
    """What one server holds for its clients at most (`msglint serve` options)."""

    max_connections: int = MAX_CONNECTIONS
    request_timeout: float = REQUEST_TIMEOUT
    max_request: int = MAX_REQUEST  # bytes


class _Conn:
    """One client connection: reading its request, being handled, or receiving its reply."""

    __slots__ = ("sock", "state", "buf", "deadline", "out", "request")

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.state = "read"  # then "work" (in the pool), then "write"
        self.buf = bytearray()
        self.deadline = deadline
        self.out = memoryview(b"")
        self.request: dict = {}


class Server:
    """Accepts connections on a Unix socket and answers each request on a worker thread."""

    def __init__(self, path: Path, handle: Callable[[dict], dict], limits: Limits = Limits()) -> None:
        self.path = path
        self._handle = handle
        self._stopping = threading.Event()
        self._sock: socket.socket | None = None
        self._inode: tuple[int, int] | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self.after_reply: Callable[[dict], None] | None = None
        # Plain attributes, read on every connection, so a test can tighten them.
        self.read_timeout = limits.request_timeout
        self.max_connections = limits.max_connections
        self.max_request = limits.max_request
        self._conns: dict[int, _Conn] = {}
        self._done: queue.SimpleQueue = queue.SimpleQueue()
        self._sel: selectors.BaseSelector | None = None
        self._accept_paused_until = 0.0

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
            sock.listen(128)
            sock.setblocking(False)
            st = os.stat(self.path)
            self._inode = (st.st_dev, st.st_ino)
            self._sock = sock
            return
        raise FileExistsError(errno.EADDRINUSE, "a server is already running", str(self.path))

    # serving ---------------------------------------------------------------------------
    def serve_forever(self) -> None:
        assert self._sock is not None, "bind() first"
        sel = self._sel = selectors.DefaultSelector()
        sel.register(self._sock, selectors.EVENT_READ, "accept")
        sel.register(self._wake_r, selectors.EVENT_READ, "wake")
        pool = ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="msglint-serve")
        grace_until: float | None = None
        try:
            while True:
                now = time.monotonic()
                if self._stopping.is_set():
                    if grace_until is None:
                        grace_until = now + STOP_GRACE
                        self._stop_listening()
                    if now >= grace_until or not self._conns:
                        break
                elif self._accept_paused_until and now >= self._accept_paused_until:
                    self._accept_paused_until = 0.0
                    sel.register(self._sock, selectors.EVENT_READ, "accept")
                for key, mask in sel.select(self._next_timeout(now, grace_until)):
                    if key.data == "accept":
                        self._accept()
                    elif key.data == "wake":
                        self._drain_wake()
                    else:
                        self._guarded(self._read if mask & selectors.EVENT_READ else self._write, key.data, pool)
                self._take_replies()
                self._expire(time.monotonic())
        finally:
            for conn in list(self._conns.values()):
                self._drop(conn)
            sel.close()
            self._sel = None
            self._close()
            pool.shutdown(wait=True, cancel_futures=True)
            self._wake_r.close()  # a stop() after this finds it closed, and says nothing
            self._wake_w.close()

    def stop(self) -> None:
        """Ask the accept loop to end (safe from a signal handler or a worker)."""
        self._stopping.set()
        self._wake()

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass  # full: the loop has wake-ups pending anyway

    def _drain_wake(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except OSError:
            pass

    def _stop_listening(self) -> None:
        """No new connections, and none of the half-read requests: the socket goes now, so
        a client that arrives meanwhile finds no server rather than a closing one."""
        if self._sel is not None and self._sock is not None and not self._accept_paused_until:
            self._sel.unregister(self._sock)
        self._accept_paused_until = 0.0
        self._close()
        for conn in list(self._conns.values()):
            if conn.state == "read":
                self._drop(conn)

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

    def _next_timeout(self, now: float, grace_until: float | None) -> float | None:
        times = [c.deadline for c in self._conns.values() if c.state != "work"]
        if self._accept_paused_until:
            times.append(self._accept_paused_until)
        if grace_until is not None:
            times.append(grace_until)
        return max(0.0, min(times) - now) if times else None

    # connections -----------------------------------------------------------------------
    def _accept(self) -> None:
        assert self._sock is not None and self._sel is not None
        for _ in range(ACCEPT_BATCH):
            try:
                sock, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                # Out of descriptors (EMFILE...) or a connection aborted before it was
                # accepted: stop accepting for a moment, serve the others, then retry.
                self._sel.unregister(self._sock)
                self._accept_paused_until = time.monotonic() + 0.05
                return
            sock.setblocking(False)
            uid = peer_uid(sock)
            if uid is not None and uid != os.getuid():
                self._refuse(sock, error_reply("request", "permission denied: the server only talks to its own user"))
            elif len(self._conns) >= self.max_connections:
                self._refuse(sock, error_reply("busy", f"server busy: {self.max_connections} connection{'s' if self.max_connections != 1 else ''} open already (msglint serve --max-connections N raises the limit)"))
            else:
                self._conns[sock.fileno()] = conn = _Conn(sock, time.monotonic() + self.read_timeout)
                self._sel.register(sock, selectors.EVENT_READ, conn)

    @staticmethod
    def _refuse(sock: socket.socket, reply: dict) -> None:
        """One short reply, without reading: it fits the fresh socket's buffer, and the
        client reads it even after its own sends fail."""
        try:
            sock.send(encode(reply))
        except OSError:
            pass
        sock.close()

    def _guarded(self, step: Callable[[_Conn, ThreadPoolExecutor], None], conn: _Conn, pool: ThreadPoolExecutor) -> None:
        """One connection's step; a bug in it costs that connection, not the loop."""
        try:
            step(conn, pool)
        except Exception:  # noqa: BLE001
            self._drop(conn)

    def _read(self, conn: _Conn, pool: ThreadPoolExecutor) -> None:
        try:
            chunk = conn.sock.recv(CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop(conn)
            return
        nl = chunk.find(b"\n")
        conn.buf += chunk if nl < 0 else chunk[:nl]
        if len(conn.buf) > self.max_request:
            limit = self.max_request
            self._reply(conn, error_reply("request", f"request too large: over the server's limit of {limit // 1024} KiB ({limit} bytes); msglint serve --max-request-kib N raises it (msglint's own clients lint drafts over 16 KiB in-process)"))
        elif chunk and nl < 0:
            return
        else:  # the newline, or EOF: the request is complete
            raw, conn.buf = bytes(conn.buf), bytearray()
            conn.state = "work"
            assert self._sel is not None
            self._sel.unregister(conn.sock)
            pool.submit(self._work, conn, raw)

    def _work(self, conn: _Conn, raw: bytes) -> None:
        """On a pool thread: the request's reply, encoded, handed back to the loop."""
        request: dict = {}
        try:
            request, reply = self._dispatch(raw)
            data = encode(reply)
        except Exception as exc:  # noqa: BLE001 - a bug must cost one reply, not the server
            data = encode(error_reply("internal", f"internal error: {type(exc).__name__}: {clip(str(exc))}"))
        self._done.put((conn, request, data))
        self._wake()

    def _take_replies(self) -> None:
        while True:
            try:
                conn, request, data = self._done.get_nowait()
            except queue.Empty:
                return
            conn.request = request
            if conn.state == "work":  # else dropped meanwhile (the server is stopping)
                self._start_write(conn, data)

    def _reply(self, conn: _Conn, reply: dict) -> None:
        """Answer from the loop itself (too large, too slow): no more reading."""
        assert self._sel is not None
        self._sel.unregister(conn.sock)
        self._start_write(conn, encode(reply))

    def _start_write(self, conn: _Conn, data: bytes) -> None:
        conn.state = "write"
        conn.buf = bytearray()
        conn.out = memoryview(data)
        conn.deadline = time.monotonic() + REPLY_TIMEOUT
        self._write(conn)
        if conn.state == "write":  # the rest waits for the client to read
            assert self._sel is not None
            self._sel.register(conn.sock, selectors.EVENT_WRITE, conn)

    def _write(self, conn: _Conn, _pool: object = None) -> None:
        if conn.state != "write":
            return
        try:
            while conn.out:
                sent = conn.sock.send(conn.out)
                conn.out = conn.out[sent:]
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            pass  # the client went away; nothing to tell anyone
        else:
            try:
                conn.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        self._finish(conn)

    def _expire(self, now: float) -> None:
        for conn in [c for c in self._conns.values() if c.state != "work" and c.deadline <= now]:
            try:
                if conn.state == "read":
                    self._reply(conn, error_reply("request", f"no complete request within {self.read_timeout:g} s (msglint serve --request-timeout SECONDS raises the limit)"))
                elif conn.state == "write":
                    self._finish(conn)  # a client that does not read its reply loses it
            except Exception:  # noqa: BLE001 - as in _guarded
                self._drop(conn)

    def _finish(self, conn: _Conn) -> None:
        self._drop(conn)
        if self.after_reply is not None:
            self.after_reply(conn.request)

    def _drop(self, conn: _Conn) -> None:
        if self._conns.pop(conn.sock.fileno(), None) is None:
            return
        if conn.state != "work" and self._sel is not None:
            try:
                self._sel.unregister(conn.sock)
            except (KeyError, ValueError):
                pass
        conn.state = "closed"
        conn.sock.close()

    # requests --------------------------------------------------------------------------
    def _dispatch(self, raw: bytes) -> tuple[dict, dict]:
        try:
            request = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            return {}, error_reply("request", f"malformed request: not JSON (not UTF-8: {exc.reason} at byte {exc.start})")
        except RecursionError:
            return {}, error_reply("request", f"malformed request: nested more than {MAX_DEPTH} levels deep")
        except ValueError as exc:
            return {}, error_reply("request", f"malformed request: not JSON ({clip(str(exc), 120)})")
        if not isinstance(request, dict):
            return {}, error_reply("request", "malformed request: expected a JSON object")
        if too_deep(request):
            return {}, error_reply("request", f"malformed request: nested more than {MAX_DEPTH} levels deep")
        version = request.get("v")
        if type(version) is not int or version != PROTOCOL_VERSION:
            return {}, error_reply("request", f"unsupported protocol version {brief(version)} (this server speaks {PROTOCOL_VERSION})")
        try:
            return request, self._handle(request)
        except Exception as exc:  # a bug must cost one reply, not the server
            return request, error_reply("internal", f"internal error: {type(exc).__name__}: {clip(str(exc))}")
