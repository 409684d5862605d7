"""Reading the clipboard as text with whichever tool this desktop has (wl-paste, xclip,
xsel, pbpaste or PowerShell), bounded in time and in size."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable, Mapping

from ..errors import MsglintError

READ_TIMEOUT = 5.0  # seconds; a clipboard owner that does not answer is not worth a hang

# Windows PowerShell: print the clipboard as UTF-8 whatever the console code page.
_PS_READ = "[Console]::OutputEncoding=[Text.Encoding]::UTF8; $t = Get-Clipboard -Raw; if ($t) { [Console]::Out.Write($t) }"

# Each tool: the command that prints the clipboard as text, and the package to install.
TOOLS: dict[str, tuple[tuple[str, ...], str]] = {
    "wl-paste": (("wl-paste", "--no-newline", "--type", "text"), "wl-clipboard"),
    "xclip": (("xclip", "-selection", "clipboard", "-out"), "xclip"),
    "xsel": (("xsel", "--clipboard", "--output"), "xsel"),
    "pbpaste": (("pbpaste",), "pbpaste (part of macOS)"),
    "powershell": (("powershell", "-NoProfile", "-NonInteractive", "-Command", _PS_READ), "PowerShell"),
    "pwsh": (("pwsh", "-NoProfile", "-NonInteractive", "-Command", _PS_READ), "PowerShell 7"),
    # WSL: the Windows clipboard, through the Windows PowerShell the Linux side can run.
    "powershell.exe": (("powershell.exe", "-NoProfile", "-NonInteractive", "-Command", _PS_READ), "PowerShell"),
}

# What the tools say when the clipboard holds no text (their exit status is then 1).
_EMPTY_MARKERS = ("not available", "nothing is copied", "no selection", "no suitable type")


class ClipboardError(MsglintError):
    """The clipboard cannot be read; str() is one line saying what to do."""


@dataclass(frozen=True)
class Backend:
    name: str
    argv: tuple[str, ...]


def candidates(env: Mapping[str, str], platform: str) -> list[str]:
    """Clipboard tools worth trying here, best first."""
    if platform == "win32":
        return ["powershell", "pwsh"]
    if platform == "darwin":
        return ["pbpaste"]
    tools = []
    if env.get("WAYLAND_DISPLAY"):
        tools.append("wl-paste")  # native Wayland first; X tools only see XWayland windows
    if env.get("DISPLAY"):
        tools += ["xclip", "xsel"]
    if env.get("WSL_DISTRO_NAME") or not tools:
        tools.append("powershell.exe")
    return tools


def choose_backend(env: Mapping[str, str] | None = None, platform: str | None = None, which: Callable[[str], str | None] = shutil.which, prefer: str | None = None) -> Backend:
    """The first available clipboard tool; ClipboardError naming what to install if none is."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if prefer:
        argv, package = TOOLS[prefer]
        if which(argv[0]) is None:
            raise ClipboardError(f"{argv[0]} not found; install {package} or choose another --tool")
        return Backend(prefer, argv)
    names = candidates(env, platform)
    for name in names:
        argv, _ = TOOLS[name]
        if which(argv[0]) is not None:
            return Backend(name, argv)
    if platform == "win32":
        raise ClipboardError("no clipboard tool found: msglint reads the clipboard with PowerShell (powershell or pwsh), which is not on PATH")
    if platform == "darwin":
        raise ClipboardError("no clipboard tool found: pbpaste (part of macOS) is not on PATH")
    if not env.get("WAYLAND_DISPLAY") and not env.get("DISPLAY"):
        raise ClipboardError("no clipboard: neither WAYLAND_DISPLAY nor DISPLAY is set (run it from your desktop session, or check a file with --from-file)")
    if env.get("WAYLAND_DISPLAY"):
        raise ClipboardError("no clipboard tool found: install wl-clipboard (for wl-paste), e.g. `sudo apt install wl-clipboard`")
    raise ClipboardError("no clipboard tool found: install xclip or xsel, e.g. `sudo apt install xclip`")


def read_clipboard(backend: Backend, timeout: float = READ_TIMEOUT, max_bytes: int | None = None) -> str:
    """The clipboard's text ("" when it holds none); ClipboardError if the tool fails or
    the text is over `max_bytes` (default: the reader's cap for a draft)."""
    from ..reader import MAX_BYTES, InputError, decode, too_big

    limit = MAX_BYTES if max_bytes is None else max_bytes
    returncode, stdout, stderr = _run_bounded(backend, timeout, limit)
    if len(stdout) > limit:
        raise ClipboardError(str(too_big("the clipboard", limit)))
    if returncode != 0:
        err = stderr.decode("utf-8", "replace").strip()
        if not stdout.strip() and any(m in err.lower() for m in _EMPTY_MARKERS):
            return ""
        first = err.splitlines()[0] if err else f"exit status {returncode}"
        raise ClipboardError(f"{backend.name} could not read the clipboard: {first}")
    try:
        return decode(stdout, "<clipboard>", limit)
    except InputError as exc:
        raise ClipboardError(str(exc)) from None


# Enough of a tool's stderr for its first line; the rest is read and dropped.
_STDERR_KEPT = 64 * 1024


def _run_bounded(backend: Backend, timeout: float, limit: int) -> tuple[int, bytes, bytes]:
    """Run the tool, keeping at most `limit + 1` bytes of its output: one more than the
    cap says "too big", and the tool is stopped there (a clipboard holding a disk image
    must not be read into memory). ClipboardError if it cannot run or does not finish."""
    try:
        proc = subprocess.Popen(backend.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        raise ClipboardError(f"cannot run {backend.argv[0]}: {exc.strerror or exc}") from None
    got: dict[str, bytes] = {}

    def drain(name: str, stream, keep: int, stop_past: bool) -> None:
        chunks, total = [], 0
        while True:
            chunk = stream.read1(65536)
            if not chunk:
                break
            if total <= keep:
                chunks.append(chunk[: keep + 1 - total])
            total += len(chunk)
            if stop_past and total > keep:
                proc.kill()
                break
        got[name] = b"".join(chunks)

    readers = [
        threading.Thread(target=drain, args=("out", proc.stdout, limit, True), daemon=True),
        threading.Thread(target=drain, args=("err", proc.stderr, _STDERR_KEPT, False), daemon=True),
    ]
    for t in readers:
        t.start()
    deadline = time.monotonic() + timeout
    try:
        for t in readers:
            t.join(max(0.0, deadline - time.monotonic()))
        if any(t.is_alive() for t in readers):
            raise ClipboardError(f"{backend.name} did not answer within {timeout:g} s (is the app that owns the clipboard hanging?)")
        try:
            returncode = proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise ClipboardError(f"{backend.name} did not answer within {timeout:g} s (is the app that owns the clipboard hanging?)") from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            stream.close()
    return returncode, got.get("out", b""), got.get("err", b"")
