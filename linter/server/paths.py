"""Where the server's socket lives, and the privacy checks around it.

The socket carries someone's drafts, so only the user's own processes may reach it: the
default directory is private (0700, ours, not a symlink), the socket is born 0600, and
both ends check the peer's uid.
"""

from __future__ import annotations

import os
import socket
import stat
import tempfile
from pathlib import Path

from ..errors import MsglintError
from . import trust

SOCKET_NAME = "msglint.sock"

HAS_UNIX_SOCKETS = hasattr(socket, "AF_UNIX") and hasattr(os, "getuid")

def default_socket_path(env: dict[str, str] | None = None) -> Path:
    """$XDG_RUNTIME_DIR/msglint/msglint.sock, else a private dir in the temp dir named for the uid."""
    env = os.environ if env is None else env
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime) and os.path.isdir(runtime):
        return Path(runtime) / "msglint" / SOCKET_NAME
    return Path(tempfile.gettempdir()) / f"msglint-{os.getuid()}" / SOCKET_NAME


def socket_path(explicit: str | os.PathLike | None) -> Path:
    return Path(explicit).absolute() if explicit else default_socket_path()



class PrivateDirError(MsglintError):
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


def is_default(path: Path) -> bool:
    return path == default_socket_path()



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


# The uid of the process at the other end of a socket: one definition, in the module the
# instant client can import without the rest of the server.
peer_uid = trust.peer_uid
