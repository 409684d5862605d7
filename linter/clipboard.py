"""`msglint clipboard`: the pre-send check behind a hotkey.

Copy the draft, press the hotkey: the clipboard is read (wl-paste, xclip, xsel, pbpaste or
PowerShell, whichever this desktop has), linted (through `msglint serve` when it runs), and
the verdict shown as a desktop notification, or printed when none can be shown. The exit
status is the verdict, so scripts can chain it:

    0  looks good to send      1  don't send (findings at or above --fail-on)
    2  could not check (no clipboard tool, empty clipboard, bad options...)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import click

from .cli import UserError, fail, resolve_settings, settings_options
from .findings import Finding, Severity
from .server import Job, ensure_server, lint_job, make_job, presend_options

READ_TIMEOUT = 5.0  # seconds; a clipboard owner that does not answer is not worth a hang
NOTIFY_TIMEOUT = 5.0

# Windows PowerShell: print the clipboard as UTF-8 whatever the console code page.
_PS_READ = "[Console]::OutputEncoding=[Text.Encoding]::UTF8; $t = Get-Clipboard -Raw; if ($t) { [Console]::Out.Write($t) }"
# A toast through the WinRT API Windows PowerShell 5.1 ships with (no module to install);
# the texts come in environment variables, so nothing needs quoting.
_PS_TOAST = (
    "$ErrorActionPreference='Stop';"
    "[Windows.UI.Notifications.ToastNotificationManager,Windows.UI.Notifications,ContentType=WindowsRuntime]>$null;"
    "[Windows.Data.Xml.Dom.XmlDocument,Windows.Data.Xml.Dom.XmlDocument,ContentType=WindowsRuntime]>$null;"
    "$e=[System.Security.SecurityElement];$x=New-Object Windows.Data.Xml.Dom.XmlDocument;"
    "$x.LoadXml('<toast><visual><binding template=\"ToastGeneric\"><text>'+$e::Escape($env:MSGLINT_TITLE)+'</text><text>'+$e::Escape($env:MSGLINT_BODY)+'</text></binding></visual></toast>');"
    "$app='{1AC14E77-02E7-4E5D-B744-2EB1AE5198B7}\\WindowsPowerShell\\v1.0\\powershell.exe';"
    "[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier($app).Show([Windows.UI.Notifications.ToastNotification]::new($x))"
)

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


class ClipboardError(Exception):
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


def read_clipboard(backend: Backend, timeout: float = READ_TIMEOUT) -> str:
    """The clipboard's text ("" when it holds none); ClipboardError if the tool fails."""
    from .reader import InputError, decode

    try:
        proc = subprocess.run(backend.argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ClipboardError(f"{backend.name} did not answer within {timeout:g} s (is the app that owns the clipboard hanging?)") from None
    except OSError as exc:
        raise ClipboardError(f"cannot run {backend.argv[0]}: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        if not proc.stdout.strip() and any(m in err.lower() for m in _EMPTY_MARKERS):
            return ""
        first = err.splitlines()[0] if err else f"exit status {proc.returncode}"
        raise ClipboardError(f"{backend.name} could not read the clipboard: {first}")
    try:
        return decode(proc.stdout, "<clipboard>")
    except InputError as exc:
        raise ClipboardError(str(exc)) from None


# -- the verdict ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Verdict:
    send: bool
    title: str
    lines: tuple[str, ...]  # `--format short` lines, the most serious first, then "and N more"

    @property
    def text(self) -> str:
        return "\n".join((self.title, *self.lines))


def verdict(findings: Sequence[Finding], threshold: Severity | None, limit: int = 3) -> Verdict:
    from .formats.short import line

    blocking = [f for f in findings if threshold is not None and f.severity >= threshold]
    shown = sorted(blocking or findings, key=lambda f: (-int(f.severity), f.start, f.end, f.category, f.rule))
    lines = [line(f) for f in shown[:limit]]
    if len(shown) > limit:
        lines.append(f"and {len(shown) - limit} more")
    if blocking:
        n = len(blocking)
        cats = ", ".join(dict.fromkeys(f.category for f in shown))
        return Verdict(False, f"Don't send yet: {n} problem{'s' if n != 1 else ''} ({cats})", tuple(lines))
    if findings:
        n = len(findings)
        return Verdict(True, f"Looks good to send ({n} minor note{'s' if n != 1 else ''})", tuple(lines))
    return Verdict(True, "Looks good to send", ())


# -- notifications --------------------------------------------------------------------------

def notify_command(title: str, body: str, *, urgent: bool, platform: str | None = None, which: Callable[[str], str | None] = shutil.which) -> tuple[list[str], dict[str, str]] | None:
    """The command (and extra environment) that shows a desktop notification here, or None."""
    platform = sys.platform if platform is None else platform
    if platform == "darwin":
        if which("osascript") is None:
            return None
        # The texts go in as arguments: nothing to escape in AppleScript.
        script = ["-e", "on run argv", "-e", "display notification (item 2 of argv) with title (item 1 of argv)", "-e", "end run"]
        return ["osascript", *script, title, body or " "], {}
    if platform == "win32" or (which("notify-send") is None and which("powershell.exe") is not None):
        exe = "powershell" if platform == "win32" else "powershell.exe"
        if which(exe) is None:
            return None
        return [exe, "-NoProfile", "-NonInteractive", "-Command", _PS_TOAST], {"MSGLINT_TITLE": title, "MSGLINT_BODY": body}
    if which("notify-send") is None:
        return None
    icon = "dialog-warning" if urgent else "dialog-information"
    return ["notify-send", "--app-name=msglint", f"--urgency={'critical' if urgent else 'normal'}", f"--icon={icon}", title, body], {}


def notify(title: str, body: str, *, urgent: bool) -> bool:
    """Show a desktop notification; False when none could be shown."""
    found = notify_command(title, body, urgent=urgent)
    if found is None:
        return False
    argv, extra_env = found
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=NOTIFY_TIMEOUT, env={**os.environ, **extra_env})
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


# -- msglint clipboard ----------------------------------------------------------------------

@click.command("clipboard")
@click.option("--no-notify", is_flag=True, help="Print the verdict only; no desktop notification.")
@click.option("--tool", type=click.Choice(sorted(TOOLS)), help="Clipboard tool (default: the first available: wl-paste on Wayland, xclip, xsel, pbpaste, PowerShell).")
@click.option("--from-file", metavar="FILE", help="Check FILE (or - for stdin) instead of the clipboard: the same path, for testing and benchmarks.")
@click.option("--start-server", is_flag=True, help="Start `msglint serve --daemon` when none runs, so the next checks are instant.")
@click.option("--max-findings", type=click.IntRange(min=1), default=3, show_default=True, help="Findings shown in the verdict before 'and N more'.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default=None, help="Lowest severity that means don't send (default: the config's, else warning).")
@presend_options
@settings_options
def clipboard_command(no_notify: bool, tool: str | None, from_file: str | None, start_server: bool, max_findings: int, fail_on: str | None, now, history_path: str | None, me: str | None, input_format: str | None, no_server: bool, socket_file: str | None, **options) -> None:
    """Check the draft on the clipboard before you send it (bind this to a hotkey).

    Shows "Looks good to send" or the top findings as a desktop notification (printed
    when no notification can be shown, or with --no-notify). Exit status: 0 send,
    1 don't send, 2 could not check, e.g. `msglint clipboard && xdotool key ctrl+Return`.
    """
    from .config import parse_fail_on

    try:
        if start_server and no_server:
            fail("--start-server and --no-server contradict each other")
        settings = resolve_settings(**options)
        threshold = parse_fail_on(fail_on) if fail_on else settings.fail_on
        text = _read(tool, from_file)
        job = make_job([text], settings, now=now, history_path=history_path, me=me, input_format=input_format)
        findings = _lint(job, start_server=start_server, no_server=no_server, socket_file=socket_file)
    except click.ClickException as exc:
        if not no_notify:
            notify("msglint could not check", exc.format_message(), urgent=True)
        raise
    result = verdict(findings, threshold, max_findings)
    shown = False if no_notify else notify(result.title, "\n".join(result.lines), urgent=not result.send)
    # Printed only when no notification was shown (or on a terminal): a hotkey daemon's
    # stdout often ends up in the system journal, and findings may quote the chat.
    if not shown or (sys.stdout is not None and sys.stdout.isatty()):
        click.echo(result.text)
    sys.exit(0 if result.send else 1)


def _read(tool: str | None, from_file: str | None) -> str:
    """The draft from the clipboard (or --from-file); UserError if there is none."""
    from .reader import InputError, read_draft

    if from_file is not None:
        try:
            text = read_draft(from_file)
        except InputError as exc:
            fail(str(exc))
        where = "the file" if from_file != "-" else "stdin"
    else:
        try:
            text = read_clipboard(choose_backend(prefer=tool))
        except ClipboardError as exc:
            fail(str(exc))
        where = "the clipboard"
    if not text.strip():
        raise UserError(f"nothing to check: {where} is empty")
    return text


def _lint(job: Job, *, start_server: bool, no_server: bool, socket_file: str | None) -> list[Finding]:
    if start_server:
        problem = ensure_server(socket_file)
        if problem:
            click.echo(f"msglint: warning: {problem}; checking in-process", err=True)
    outcome = lint_job(job, use_server=not no_server, socket=socket_file)
    for note in outcome.notes:
        click.echo(note, err=True)
    return outcome.findings[0]
