"""The accept loop: a Unix socket that answers each connection on a worker thread with
whatever `handle(request) -> reply` it was given."""

from __future__ import annotations

import errno
import json
import os
import socket
import threading
import time
from pathlib import Path
from typing import Callable

from .paths import PrivateDirError, peer_uid, probe
from .wire import MAX_REQUEST, PROTOCOL_VERSION, FrameTooLarge, encode, error_reply, read_frame

MAX_WORKERS = 8  # connections handled at once; more wait in the accept queue
READ_TIMEOUT = 5.0  # seconds a client may take to send its request
REPLY_TIMEOUT = 120.0  # seconds the server tries to deliver a reply

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
            uid = peer_uid(conn)
            if uid is not None and uid != os.getuid():
                reply = error_reply("request", "permission denied: the server only talks to its own user")
            else:
                try:
                    raw = read_frame(conn, MAX_REQUEST)
                except FrameTooLarge:
                    reply = error_reply("request", f"request too large (over {MAX_REQUEST // 1024} KiB)")
                except socket.timeout:
                    reply = error_reply("request", f"no complete request within {self.read_timeout:g} s")
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
            return {}, error_reply("request", f"malformed request: not JSON ({exc})")
        if not isinstance(request, dict):
            return {}, error_reply("request", "malformed request: expected a JSON object")
        if request.get("v") != PROTOCOL_VERSION:
            return {}, error_reply("request", f"unsupported protocol version {request.get('v')!r} (this server speaks {PROTOCOL_VERSION})")
        try:
            return request, self._handle(request)
        except Exception as exc:  # a bug must cost one reply, not the server
            return request, error_reply("internal", f"internal error: {type(exc).__name__}: {exc}")
