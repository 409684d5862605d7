"""The hotkey path: choosing a clipboard tool, reading it, the verdict, notifications, and
`msglint clipboard` end to end against a real X clipboard under Xvfb."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from linter.presend import clipboard as cb
from linter.presend import notify, summary
from linter.findings import Finding, Severity

PY = sys.executable
NOON = "2026-11-23T14:00"
CLEAN = "Hey! They finally reopened the arcade from our first date - the pinball machine still eats quarters 😂"
BAD = "do you miss me?"


def fake_which(*present: str):
    return lambda name: f"/usr/bin/{name}" if name in present else None


# -- choosing the clipboard tool ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("env", "platform", "present", "chosen"),
    [
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "linux", ("wl-paste", "xclip", "xsel"), "wl-paste"),
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "linux", ("xclip", "xsel"), "xclip"),  # XWayland
        ({"DISPLAY": ":0"}, "linux", ("wl-paste", "xclip", "xsel"), "xclip"),  # no Wayland: no wl-paste
        ({"DISPLAY": ":0"}, "linux", ("xsel",), "xsel"),
        ({"WSL_DISTRO_NAME": "Ubuntu"}, "linux", ("powershell.exe",), "powershell.exe"),
        ({}, "darwin", ("pbpaste", "xclip"), "pbpaste"),
        ({}, "win32", ("powershell", "pwsh"), "powershell"),
        ({}, "win32", ("pwsh",), "pwsh"),
    ],
)
def test_backend_choice(env, platform, present, chosen):
    backend = cb.choose_backend(env, platform, fake_which(*present))
    assert backend.name == chosen
    assert backend.argv[0] == cb.TOOLS[chosen][0][0]


@pytest.mark.parametrize(
    ("env", "platform", "says"),
    [
        ({"DISPLAY": ":0"}, "linux", "install xclip or xsel"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", "install wl-clipboard"),
        ({}, "linux", "neither WAYLAND_DISPLAY nor DISPLAY is set"),
        ({}, "darwin", "pbpaste"),
        ({}, "win32", "PowerShell"),
    ],
)
def test_no_clipboard_tool_says_what_to_install(env, platform, says):
    with pytest.raises(cb.ClipboardError, match=says):
        cb.choose_backend(env, platform, fake_which())


def test_a_forced_tool_must_exist():
    assert cb.choose_backend({"DISPLAY": ":0"}, "linux", fake_which("xsel", "xclip"), prefer="xsel").name == "xsel"
    with pytest.raises(cb.ClipboardError, match="xsel not found"):
        cb.choose_backend({"DISPLAY": ":0"}, "linux", fake_which("xclip"), prefer="xsel")


def _tool(bindir: Path, name: str, script: str) -> None:
    path = bindir / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)


def test_reading_through_a_tool_on_path(tmp_path, monkeypatch):
    """The real lookup (shutil.which on PATH) and the real subprocess, with stand-in tools."""
    monkeypatch.setenv("PATH", str(tmp_path))
    _tool(tmp_path, "xclip", "printf 'do you miss me?\\r\\nsecond line'\n")
    backend = cb.choose_backend({"DISPLAY": ":0"}, "linux")
    assert backend.name == "xclip"
    assert cb.read_clipboard(backend) == "do you miss me?\nsecond line"

    _tool(tmp_path, "xclip", "echo 'Error: target STRING not available' >&2; exit 1\n")
    assert cb.read_clipboard(backend) == ""  # nothing copied: empty, not an error

    _tool(tmp_path, "xclip", "echo \"Error: Can't open display: :0\" >&2; exit 1\n")
    with pytest.raises(cb.ClipboardError, match="xclip could not read the clipboard: Error: Can't open display"):
        cb.read_clipboard(backend)

    _tool(tmp_path, "xclip", "printf 'caf\\351'\n")  # Latin-1, not UTF-8
    with pytest.raises(cb.ClipboardError, match="not valid UTF-8"):
        cb.read_clipboard(backend)


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MSGLINT_") and k not in ("WAYLAND_DISPLAY", "DISPLAY")}
    env["XDG_CONFIG_HOME"] = str(tmp / "config")
    env["MSGLINT_SOCKET"] = str(tmp / "no-server.sock")  # never a server the user runs
    env.update(extra)
    return env


def test_command_without_a_clipboard_tool(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    out = subprocess.run([PY, "-m", "linter", "clipboard", "--no-notify"], env=_env(tmp_path, PATH=str(empty), DISPLAY=":99"), cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert out.stderr == "msglint: error: no clipboard tool found: install xclip or xsel, e.g. `sudo apt install xclip`\n"
    assert out.stdout == ""


def test_empty_input_is_nothing_to_check(tmp_path):
    (tmp_path / "blank.txt").write_text("  \n\n")
    out = subprocess.run([PY, "-m", "linter", "clipboard", "--no-notify", "--from-file", "blank.txt"], env=_env(tmp_path), cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert out.stderr == "msglint: error: nothing to check: the file is empty\n"


# -- the verdict and the notification ----------------------------------------------------------

def _finding(category: str, severity: Severity, start: int) -> Finding:
    return Finding(category, category, severity, f"about {category}", "why", "source", "try", start, start + 3, 1, start + 1, 1, start + 4, "abc")


def test_verdict_shows_the_worst_first_and_counts_the_rest():
    findings = [_finding("hurt", Severity.WARNING, 0), _finding("ultimatum", Severity.ERROR, 10), _finding("past", Severity.WARNING, 5), _finding("pressure", Severity.WARNING, 7), _finding("length", Severity.INFO, 0)]
    v = summary.verdict(findings, Severity.WARNING)
    assert not v.send and v.decision == "rewrite"
    assert v.title == "Rewrite first: ultimatum, hurt, past, pressure"
    assert v.lines == ("1:11: error ultimatum/ultimatum: about ultimatum", "1:1: warning hurt/hurt: about hurt", "1:6: warning past/past: about past", "and 2 more")
    minor = summary.verdict([_finding("length", Severity.INFO, 0)], Severity.WARNING)
    assert minor.send and minor.title == "Good to send (1 minor note)" and minor.lines == ("1:1: info length/length: about length",)
    assert summary.verdict([], Severity.WARNING) == summary.Notice(True, "Good to send", (), "send")
    # --fail-on never lets warnings through, but an error still holds the draft back.
    assert not summary.verdict(findings, None).send
    assert summary.verdict([f for f in findings if f.severity < Severity.ERROR], None).send


def test_notification_shows_the_first_findings_rewrite_and_what_is_good():
    from dataclasses import replace

    first = replace(_finding("pressure", Severity.WARNING, 0), rewrite="Saw a dog in rain boots and thought of you.")
    good = _finding("short", Severity.INFO, 0)
    v = summary.verdict([first, good], Severity.WARNING)
    assert v.lines[:3] == ("good: short", "1:1: warning pressure/pressure: about pressure", "e.g.: Saw a dog in rain boots and thought of you.")
    crisis = summary.verdict([_finding("crisis", Severity.ERROR, 0), good], Severity.WARNING)
    assert crisis.decision == "wait" and "help" in crisis.title and "good: short" not in crisis.lines


def test_notification_commands_need_no_quoting():
    title, body = 'Don\'t send yet: 1 problem', 'say "hi" \\ later'
    argv, env = notify.notify_command(title, body, urgent=True, platform="darwin", which=fake_which("osascript"))
    assert argv[0] == "osascript" and argv[-2:] == [title, body]  # arguments, not script text
    argv, env = notify.notify_command(title, body, urgent=True, platform="win32", which=fake_which("powershell"))
    assert argv[0] == "powershell" and env == {"MSGLINT_TITLE": title, "MSGLINT_BODY": body}
    argv, _ = notify.notify_command(title, body, urgent=False, platform="linux", which=fake_which("notify-send"))
    assert argv[0] == "notify-send" and argv[-2:] == [title, body] and "--urgency=normal" in argv
    assert notify.notify_command(title, body, urgent=False, platform="linux", which=fake_which()) is None


def test_notify_send_receives_the_verdict(tmp_path, monkeypatch):
    log = tmp_path / "args"
    monkeypatch.setenv("PATH", str(tmp_path))
    _tool(tmp_path, "notify-send", f'for a in "$@"; do printf "%s\\n" "$a"; done > {log}\n')
    monkeypatch.setattr(sys, "platform", "linux")
    assert notify.notify("Looks good to send", "", urgent=False)
    assert log.read_text().splitlines()[-2:] == ["Looks good to send", ""]
    _tool(tmp_path, "notify-send", "exit 1\n")  # no notification daemon: fall back to printing
    assert not notify.notify("Looks good to send", "", urgent=False)


# -- end to end: a real X clipboard --------------------------------------------------------------

@pytest.fixture(scope="module")
def x_display():
    for tool, package in (("Xvfb", "xvfb"), ("xclip", "xclip")):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not found: install {package} (.ci/system-deps.sh does)")
    # -displayfd: Xvfb takes a free display number itself and writes it once it is ready.
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp", "-screen", "0", "320x240x24"], pass_fds=(write_fd,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.close(write_fd)
    number = b""
    deadline = time.monotonic() + 60  # a bound against a hung Xvfb, not a speed check
    while not number.endswith(b"\n") and time.monotonic() < deadline:
        ready, _, _ = select.select([read_fd], [], [], 1.0)
        if ready:
            chunk = os.read(read_fd, 16)
            if not chunk:
                break
            number += chunk
    os.close(read_fd)
    if not number.strip().isdigit():
        proc.kill()
        pytest.fail(f"Xvfb did not start: {proc.stderr.read().decode(errors='replace')[:500]}")
    yield f":{number.decode().strip()}"
    proc.terminate()
    proc.wait(30)


def _copy(display: str, text: str) -> None:
    # xclip keeps serving the selection from a background child until replaced or X exits.
    subprocess.run(["xclip", "-selection", "clipboard", "-in"], input=text.encode(), env={**os.environ, "DISPLAY": display}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=30)


def _hotkey(display: str, tmp: Path) -> subprocess.CompletedProcess:
    env = _env(tmp, DISPLAY=display)
    return subprocess.run([PY, "-m", "linter", "clipboard", "--no-notify", "--no-server", "--now", NOON], env=env, cwd=tmp, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_hotkey_on_a_real_x_clipboard(x_display, tmp_path):
    _copy(x_display, CLEAN)
    clean = _hotkey(x_display, tmp_path)
    assert (clean.returncode, clean.stderr) == (0, "")
    assert clean.stdout.splitlines()[0] == "Good to send" and clean.stdout.splitlines()[1].startswith("good: short")

    _copy(x_display, BAD)
    bad = _hotkey(x_display, tmp_path)
    assert bad.returncode == 1, bad.stderr
    title, *lines = bad.stdout.splitlines()
    assert title.startswith("Rewrite first: ") and "miss-me" in title
    assert any(" miss-me/" in line for line in lines)  # the `--format short` line
    # The first finding's rewrite example follows it: something to send instead.
    assert lines[lines.index(next(line for line in lines if " miss-me/" in line)) + 1].startswith("e.g.: ")

    _copy(x_display, " \n")
    empty = _hotkey(x_display, tmp_path)
    assert (empty.returncode, empty.stderr) == (2, "msglint: error: nothing to check: the clipboard is empty\n")
