"""Desktop notifications (notify-send, osascript, a PowerShell toast), bounded in time.

Imports only os and sys up front: the instant client (linter/fast.py) builds its
notification command with `notify_command` before anything heavier is loaded.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not `from typing import ...`: typing alone costs the client 3 ms
if TYPE_CHECKING:
    from typing import Callable

NOTIFY_TIMEOUT = 5.0


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

def notify_command(title: str, body: str, *, urgent: bool, platform: str | None = None, which: Callable[[str], str | None] | None = None) -> tuple[list[str], dict[str, str]] | None:
    """The command (and extra environment) that shows a desktop notification here, or None.
    `which` finds a program on PATH (default shutil.which)."""
    platform = sys.platform if platform is None else platform
    if which is None:
        import shutil

        which = shutil.which
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
    import subprocess

    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=NOTIFY_TIMEOUT, env={**os.environ, **extra_env})
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0
