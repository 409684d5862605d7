"""Whether a socket is safe to send a draft to, with nothing but the standard library's
smallest modules (os, stat, struct): the instant client (linter/fast.py) runs these checks
before it has imported anything else, and the full client (client.py) shares them.

The rules are those of paths.py: talk only to a real socket this user owns, in a private
directory (0700, ours, not a symlink) when the path is the default one, and only to a
server process running as this user (SO_PEERCRED where the system has it).
"""

from __future__ import annotations

import os
import stat
import struct

SOCKET_NAME = "msglint.sock"  # the same as paths.SOCKET_NAME


def socket_problem(path: str) -> tuple[str, bool] | None:
    """None when `path` is a socket this user owns; else (why not, quiet). `quiet` marks
    the usual case, no server running, which is not worth a warning."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "not running", True
    except OSError as exc:
        return str(exc), False
    if not stat.S_ISSOCK(st.st_mode):
        return f"{path} is not a socket", False
    if st.st_uid != os.getuid():
        return f"{path} is owned by uid {st.st_uid}, not by you; ignoring it", False
    return None


def private_dir_problem(directory: str) -> str | None:
    """None when `directory` is a real directory of ours that nobody else can enter (the
    check paths.ensure_private_dir makes without creating anything); else why not."""
    try:
        st = os.lstat(directory)
    except FileNotFoundError:
        return f"{directory}: no such directory"
    except OSError as exc:
        return f"{directory}: {exc.strerror or exc}"
    if not stat.S_ISDIR(st.st_mode):
        return f"{directory}: is not a directory (a symlink or a file is not trusted)"
    if st.st_uid != os.getuid():
        return f"{directory}: owned by uid {st.st_uid}, not by you; remove it or pass --socket PATH"
    if st.st_mode & 0o077:
        return f"{directory}: is accessible to other users (mode {stat.S_IMODE(st.st_mode):o})"
    return None


def peer_uid(sock) -> int | None:
    """The uid of the process at the other end of a connected Unix socket (Linux
    SO_PEERCRED), or None where the system cannot say. Takes a socket.socket or the
    _socket.socket the instant client uses."""
    import _socket

    opt = getattr(_socket, "SO_PEERCRED", None)
    if opt is None:
        return None
    try:
        _pid, uid, _gid = struct.unpack("3i", sock.getsockopt(_socket.SOL_SOCKET, opt, struct.calcsize("3i")))
    except OSError:
        return None
    return uid
