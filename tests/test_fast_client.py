"""The instant client (linter/fast.py): the plain check and the hotkey are answered through
the server's `render` request with nothing heavy imported, byte for byte as the full
command line answers them, and everything else is handed to the full command line."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from linter import cli, config, fast, reader
from linter.presend import clipboard
from linter.server import client, paths, trust, wire

pytestmark = pytest.mark.skipif(not paths.HAS_UNIX_SOCKETS, reason="the server needs Unix domain sockets")

PY = sys.executable
NOON = "2026-11-23T14:00"
NIGHT = "2026-11-23T02:10"
DRAFTS = {
    "clean.txt": "can we try that new ramen place sometime?\n",
    "miss.txt": "do you miss me?\nif you don't call me I'll show up at your place\n",
    "crlf.txt": "Hey! They finally reopened the arcade\r\nfrom our first date - the pinball machine still eats quarters 😂\r\n",
    "bom.txt": "\ufeffI've been crying every night. I can't live without you. Please take me back.\n",
    "empty.txt": "\n",
}
CHAT = "20/11/2026, 10:00 - Sam: hi there\n20/11/2026, 10:05 - Alex: we should talk\n21/11/2026, 18:00 - Alex: are you ok?\n"

# The instant path, run in a fresh interpreter: its exit status, or 99 when it stepped
# aside; then the modules it loaded beyond a bare interpreter's, on stderr.
HARNESS = """
import sys
before = set(sys.modules)
import linter.fast as f
try:
    code = f.answer(sys.argv[1:])
except f.Fallback:
    code = 99
sys.stdout.flush()
sys.stderr.write("\\nMODULES " + " ".join(sorted(set(sys.modules) - before)) + "\\n")
sys.exit(code)
"""

# The console script's entry point, as installed (fast path, falling back to linter.cli).
ENTRY = "import sys; sys.argv[0] = 'msglint'; from linter.fast import run; run()"


def _env(home: Path, **extra: str) -> dict[str, str]:
    """Hermetic: no user config, no server but the test's own, no desktop."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MSGLINT_", "XDG_")) and k not in ("DISPLAY", "WAYLAND_DISPLAY", "NO_COLOR")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def served():
    d = Path(tempfile.mkdtemp(prefix="mlfast"))
    for name, text in DRAFTS.items():
        (d / name).write_bytes(text.encode("utf-8"))
    (d / "chat.txt").write_text(CHAT)
    sock = d / "s.sock"
    proc = subprocess.Popen([PY, "-m", "linter", "serve", "--socket", str(sock)], cwd=d, env=_env(d), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120  # a bound against hanging, not a speed check
    while client.ping(sock, timeout=1.0) is None:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the server did not start: {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.05)
    yield sock, d
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(d, ignore_errors=True)


def _fast(args: list[str], cwd: Path, env: dict[str, str] | None = None, **kw) -> tuple[int, str, str, list[str]]:
    """(exit, stdout, stderr, modules loaded) of the instant path alone."""
    out = subprocess.run([PY, "-c", HARNESS, *args], cwd=cwd, env=env or _env(cwd), capture_output=True, text=True, timeout=120, **kw)
    err, _, modules = out.stderr.rpartition("\nMODULES ")
    return out.returncode, out.stdout, err, modules.split()


def _full(args: list[str], cwd: Path, env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess:
    """The console script's entry point: instant path or, failing that, the full one."""
    return subprocess.run([PY, "-c", ENTRY, *args], cwd=cwd, env=env or _env(cwd), capture_output=True, text=True, timeout=300, **kw)


def _in_process(args: list[str], cwd: Path, env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "linter", *args, "--no-server"], cwd=cwd, env=env or _env(cwd), capture_output=True, text=True, timeout=300, **kw)


# -- what it imports -----------------------------------------------------------------------

HEAVY = ("click", "spacy", "thinc", "numpy", "yaml", "platformdirs", "typing", "subprocess", "socket", "tempfile", "dataclasses", "inspect", "uuid", "pathlib", "shutil")
ALLOWED = {"linter", "linter.fast", "linter.server", "linter.server.trust", "linter.presend", "linter.presend.notify", "json", "json.decoder", "json.encoder", "json.scanner", "_json", "_socket", "struct", "_struct", "select", "time", "re", "enum"}


def test_a_served_check_and_hotkey_import_only_the_small_modules(served):
    sock, d = served
    for args in (["miss.txt", "--now", NOON], ["clipboard", "--from-file", "miss.txt", "--now", NOON, "--no-notify"]):
        code, out, err, modules = _fast([*args, "--socket", str(sock)], d)
        assert code == 1, err
        assert "miss-me" in out
        assert [m for m in modules if m.split(".")[0] in HEAVY] == []
        assert set(modules) <= ALLOWED, "the instant path loads only a short list of small modules"


# -- output parity with the full command line ---------------------------------------------------

PARITY = [
    ["clean.txt", "--now", NOON],
    ["clean.txt", "miss.txt", "crlf.txt", "bom.txt", "--now", NOON],
    ["check", "miss.txt", "crlf.txt", "--now", NIGHT, "--format", "json"],
    ["miss.txt", "--format=short", "--fail-on", "error", "--now", NOON],
    ["miss.txt", "--fail-on", "never", "--no-color", "--now", NOON],
    ["empty.txt", "--now", NOON],
    ["miss.txt", "--now", NIGHT, "--history", "chat.txt", "--me", "Alex"],
    ["clipboard", "--no-notify", "--from-file", "clean.txt", "--now", NOON],
    ["clipboard", "--no-notify", "--from-file", "bom.txt", "--now", NIGHT, "--max-findings", "1", "--history", "chat.txt", "--me", "Alex"],
]


@pytest.mark.parametrize("args", PARITY, ids=[" ".join(a[:2]) for a in PARITY])
def test_the_instant_path_prints_what_the_full_command_line_prints(served, args):
    sock, d = served
    code, out, err, _ = _fast([*args, "--socket", str(sock)], d)
    assert code != 99, "the instant path should have answered"
    local = _in_process(args, d)
    assert (code, out, err) == (local.returncode, local.stdout, local.stderr)


def test_exit_codes_clean_findings_and_usage_errors(served):
    sock, d = served
    assert _fast(["clean.txt", "--now", NOON, "--socket", str(sock)], d)[0] == 0
    assert _fast(["miss.txt", "--now", NOON, "--socket", str(sock)], d)[0] == 1
    assert _fast(["miss.txt", "--now", NOON, "--fail-on", "never", "--socket", str(sock)], d)[0] == 0
    for bad in (["miss.txt", "--fail-on", "bogus"], ["clipboard", "--from-file", "miss.txt", "--max-findings", "0"], ["miss.txt", "--now", "tomorrow"], ["miss.txt", "--me", "Alex"]):
        out = _full([*bad, "--socket", str(sock)], d)
        assert out.returncode == 2 and out.stderr.startswith(("msglint: error:", "Usage:")) and "Traceback" not in out.stderr, (bad, out.stderr)


def test_a_config_file_gives_the_same_answer_on_both_paths(served, tmp_path):
    sock, d = served
    (tmp_path / "miss.txt").write_text(DRAFTS["miss.txt"])
    (tmp_path / "msglint.toml").write_text('disable = ["miss-me"]\nfail_on = "error"\n')
    args = ["miss.txt", "--now", NOON]
    code, out, err, _ = _fast([*args, "--socket", str(sock)], tmp_path)
    assert code != 99
    local = _in_process(args, tmp_path)
    assert (code, out, err) == (local.returncode, local.stdout, local.stderr)
    assert "miss-me" not in out and "miss.txt:" in out  # the config was applied, not ignored
    # A broken config: the full command line reports it, as always.
    (tmp_path / "msglint.toml").write_text("disable = 3\n")
    assert _fast([*args, "--socket", str(sock)], tmp_path)[0] == 99
    out = _full([*args, "--socket", str(sock)], tmp_path)
    assert out.returncode == 2 and "msglint.toml: 'disable': expected a list of strings" in out.stderr


def test_config_discovery_matches_the_library(tmp_path, monkeypatch):
    home, elsewhere = tmp_path / "home", tmp_path / "xdg"
    work = tmp_path / "work"
    for p in (home / ".config" / "msglint", elsewhere / "msglint", work):
        p.mkdir(parents=True)
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(home))

    def both() -> tuple[object, object]:
        try:
            mine = fast.config_path()
        except fast.Fallback:
            mine = "fallback"
        theirs = config.find_config(None)
        return mine, None if theirs is None else str(theirs)

    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    assert both() == (None, None)
    (home / ".config" / "msglint" / "msglint.toml").write_text("")
    assert both() == (str(home / ".config/msglint/msglint.toml"),) * 2
    monkeypatch.setenv("XDG_CONFIG_HOME", str(elsewhere) + "//")
    assert both()[0] == "fallback"  # both exist: left to platformdirs
    (elsewhere / "msglint" / "msglint.toml").write_text("")
    assert both() == (str(elsewhere / "msglint/msglint.toml"),) * 2
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/dir")  # ignored by the XDG rule
    assert both() == (str(home / ".config/msglint/msglint.toml"),) * 2
    (work / "msglint.toml").write_text("")
    assert both() == (str(work / "msglint.toml"),) * 2


def test_the_clipboard_is_read_and_the_notification_not_waited_for(served, tmp_path):
    sock, d = served
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    clip = tmp_path / "clip.txt"
    clip.write_text(DRAFTS["miss.txt"])
    (bin_dir / "xclip").write_text(f"#!/bin/sh\ncat {clip}\n")
    go, seen = tmp_path / "go", tmp_path / "seen"
    # The notifier blocks until the test says go: a client that waited for it would hang.
    (bin_dir / "notify-send").write_text(f'#!/bin/sh\nwhile [ ! -e {go} ]; do sleep 0.02; done\nprintf "%s\\n" "$@" > {seen}\n')
    for p in bin_dir.iterdir():
        p.chmod(0o755)
    env = _env(d, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", DISPLAY=":0")
    code, out, err, _ = _fast(["clipboard", "--now", NOON, "--socket", str(sock)], d, env=env)
    assert (code, out) == (1, "")  # the verdict went to the notification, not to stdout
    assert not seen.exists()
    go.touch()
    deadline = time.monotonic() + 30
    while not seen.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = seen.read_text().splitlines()
    assert "--urgency=critical" in lines and any(line.startswith("Rewrite first: ") for line in lines)
    # The same clipboard through the full command line prints the same verdict.
    code, out, err, _ = _fast(["clipboard", "--no-notify", "--now", NOON, "--socket", str(sock)], d, env=env)
    local = _in_process(["clipboard", "--no-notify", "--now", NOON], d, env=env)
    assert (code, out, err) == (local.returncode, local.stdout, local.stderr)
    # An empty clipboard: the full command line words it.
    clip.write_text("  \n")
    assert _fast(["clipboard", "--no-notify", "--socket", str(sock)], d, env=env)[0] == 99


# -- when it steps aside ------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["miss.txt", "--disable", "miss-me"], ["miss.txt", "--color"], ["miss.txt", "-h"], ["rules"], ["--version"], [],
    ["clipboard", "--tool", "powershell"], ["clipboard", "extra-arg"], ["miss.txt", "--", "x"], ["miss.txt", "--format", "html"],
    ["missing.txt"], ["miss.txt", "--now"], ["clipboard", "--from-file", "miss.txt", "--no-notify=1"], ["-", "-"],
])
def test_anything_it_does_not_know_goes_to_the_full_command_line(served, args):
    sock, d = served
    assert _fast([*args, "--socket", str(sock)], d, input="")[0] == 99


def test_no_server_or_a_stale_one_falls_back_with_the_same_answer(served, tmp_path):
    _, d = served
    stale = Path(tempfile.mkdtemp(prefix="mlstale")) / "s.sock"
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(str(stale))
        s.close()  # the file stays, nobody listens: a crashed server's leftover
        for where in (stale.parent / "none.sock", stale):
            assert _fast(["miss.txt", "--now", NOON, "--socket", str(where)], d)[0] == 99
        # stdin already read by the instant path reaches the full command line intact.
        text = DRAFTS["miss.txt"]
        via = _full(["-", "--now", NOON, "--socket", str(stale)], d, input=text)
        local = _in_process(["-", "--now", NOON], d, input=text)
        assert (via.returncode, via.stdout, via.stderr) == (local.returncode, local.stdout, local.stderr)
        assert "<stdin>:1:" in via.stdout
    finally:
        shutil.rmtree(stale.parent, ignore_errors=True)


def test_a_symlinked_or_foreign_socket_is_never_used(served):
    sock, d = served
    link_dir = Path(tempfile.mkdtemp(prefix="mllink"))
    try:
        link = link_dir / "s.sock"
        link.symlink_to(sock)
        assert trust.socket_problem(str(link)) == (f"{link} is not a socket", False)
        assert _fast(["miss.txt", "--now", NOON, "--socket", str(link)], d)[0] == 99
        if os.geteuid() == 0:  # as root, make the server's socket someone else's for a moment
            os.chown(sock, 65534, -1, follow_symlinks=False)
            try:
                assert trust.socket_problem(str(sock))[0].endswith("not by you; ignoring it")
                assert _fast(["miss.txt", "--now", NOON, "--socket", str(sock)], d)[0] == 99
            finally:
                os.chown(sock, os.getuid(), -1, follow_symlinks=False)
    finally:
        shutil.rmtree(link_dir, ignore_errors=True)


def test_the_default_socket_directory_must_be_private(served, tmp_path):
    sock, d = served
    runtime = Path(tempfile.mkdtemp(prefix="mlrun"))
    try:
        (runtime / "msglint").mkdir(mode=0o700)
        os.symlink(sock, runtime / "msglint" / "msglint.sock")  # (a symlink: refused anyway)
        env = _env(d, XDG_RUNTIME_DIR=str(runtime))
        assert _fast(["miss.txt", "--now", NOON], d, env=env)[0] == 99
        assert trust.private_dir_problem(str(runtime / "msglint")) is None
        (runtime / "msglint").chmod(0o755)
        assert "accessible to other users" in trust.private_dir_problem(str(runtime / "msglint"))
        with pytest.raises(paths.PrivateDirError, match="accessible to other users"):
            paths.ensure_private_dir(runtime / "msglint", create=False)
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


def test_the_server_refuses_a_malformed_or_foreign_version_render_request(served):
    sock, _ = served
    base = {"v": 1, "op": "render", "client": fast._version(), "command": "check", "drafts": [["a", "do you miss me?"]], "cwd": "/", "config": None, "now": NOON, "clock": None, "fail_on": None}
    assert client.call(sock, base)["ok"] is True
    for bad, kind in (({"client": "0.0.1"}, "version"), ({"drafts": "x"}, "request"), ({"command": "review"}, "request"), ({"config": "rel.toml"}, "request"),
                      ({"format": "html"}, "request"), ({"drafts": [["a", "x\x00y"]]}, "user"), ({"now": "soon"}, "user")):
        reply = client.call(sock, {**base, **bad})
        assert (reply["ok"], reply["kind"]) == (False, kind), bad


# -- the copies it keeps, against their originals --------------------------------------------------

def test_copied_constants_match_their_originals(monkeypatch, tmp_path):
    assert (fast.PROTOCOL_VERSION, fast.SEND_LIMIT, fast.MAX_REPLY) == (wire.PROTOCOL_VERSION, wire.SEND_LIMIT, wire.MAX_REPLY)
    assert (fast.MAX_DRAFT, fast.REPLY_TIMEOUT, fast.CLIPBOARD_TIMEOUT) == (reader.MAX_BYTES, client.REPLY_TIMEOUT, clipboard.READ_TIMEOUT)
    assert fast.CONFIG_NAME == config.CONFIG_NAME and trust.SOCKET_NAME == paths.SOCKET_NAME
    assert fast.COMMANDS == set(cli.COMMANDS)
    from linter.formats import FORMATS

    assert fast.FORMATS == FORMATS
    for name, argv in fast.CLIPBOARD_TOOLS.items():
        assert clipboard.TOOLS[name][0] == argv
    for env in ({"WAYLAND_DISPLAY": "w", "DISPLAY": ":0"}, {"DISPLAY": ":0"}, {"WAYLAND_DISPLAY": "w"}):
        assert fast.clipboard_tools(env, "linux") == clipboard.candidates(env, "linux")
    assert fast.clipboard_tools({}, "darwin") == clipboard.candidates({}, "darwin")
    runtime = tmp_path / "run"
    runtime.mkdir()
    for value in (str(runtime), "", "relative"):
        monkeypatch.setenv("XDG_RUNTIME_DIR", value)
        assert fast.default_socket() == str(paths.default_socket_path())
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    tempfile.tempdir = None  # gettempdir() caches its answer
    try:
        assert fast.default_socket() == str(paths.default_socket_path())
    finally:
        tempfile.tempdir = None


def test_which_finds_what_shutil_finds(tmp_path, monkeypatch):
    exe = tmp_path / "tool"
    exe.write_text("#!/bin/sh\n")
    (tmp_path / "plain").write_text("")
    (tmp_path / "dir").mkdir()
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path / 'nowhere'}{os.pathsep}{tmp_path}")
    for name in ("tool", "plain", "dir", "absent"):
        assert fast.which(name) == shutil.which(name)
    monkeypatch.setenv("PATH", "")
    assert fast.which("tool") is None and shutil.which("tool") is None


def test_a_server_of_another_version_is_left_to_the_full_command_line(served):
    sock, d = served
    args = ["miss.txt", "--now", NOON, "--socket", str(sock)]
    assert _fast(args, d)[0] == 1
    # The same request from a client that believes it is another msglint.
    older = "import linter; linter.__version__ = '0.0.1'\n" + HARNESS
    out = subprocess.run([PY, "-c", older, *args], cwd=d, env=_env(d), capture_output=True, text=True, timeout=120)
    assert out.returncode == 99 and out.stdout == ""
