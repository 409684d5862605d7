"""The warm server: a real `msglint serve` in a subprocess (and, where no spaCy is needed,
a real server in a thread), real Unix sockets, real signals."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, time as dtime
from pathlib import Path

import pytest

from linter import check
from linter.errors import MsglintError
from linter.server import client, daemon, listener, paths, wire
from linter.config import Settings
from linter.findings import Severity

pytestmark = pytest.mark.skipif(not paths.HAS_UNIX_SOCKETS, reason="the server needs Unix domain sockets")

PY = sys.executable
NOON = "2026-11-23T14:00"
DRAFTS = [
    "do you miss me?",
    "hey",
    "Hey! They finally reopened the arcade from our first date - the pinball machine still eats quarters 😂",
    "if you don't call me I'll show up at your place",
    "you're a selfish liar",
    "I still don't get why you ended it",
    "can we try that new ramen place sometime?",
    "I've been crying every night. I can't live without you. Please take me back.",
]
CHAT = "20/11/2026, 10:00 - Sam: hi there\n20/11/2026, 10:05 - Alex: we should talk\n21/11/2026, 18:00 - Alex: are you ok?\n"


def _env(tmp: Path) -> dict[str, str]:
    """A hermetic environment: no user config, no server but the test's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MSGLINT_")}
    env["XDG_CONFIG_HOME"] = str(tmp / "config")
    env.pop("XDG_RUNTIME_DIR", None)
    return env


@pytest.fixture
def short_dir():
    # sun_path holds ~104 bytes: pytest's tmp_path can be longer than that.
    d = Path(tempfile.mkdtemp(prefix="mlsrv"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _wait_ready(path: Path, proc: subprocess.Popen | None = None, limit: float = 90.0) -> dict:
    deadline = time.monotonic() + limit  # a bound against hanging, not a speed check
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        info = client.ping(path, timeout=1.0)
        if info is not None:
            return info
        time.sleep(0.05)
    pytest.fail(f"no server answered on {path}")


def _start(path: Path, cwd: Path) -> subprocess.Popen:
    proc = subprocess.Popen([PY, "-m", "linter", "serve", "--socket", str(path)], cwd=cwd, env=_env(cwd), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _wait_ready(path, proc)
    return proc


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def served():
    d = Path(tempfile.mkdtemp(prefix="mlsrv"))
    path = d / "s.sock"
    proc = _start(path, d)
    yield path, d
    _stop(proc)
    shutil.rmtree(d, ignore_errors=True)


def _raw(path: Path, payload: bytes) -> dict:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(60)
        s.connect(str(path))
        try:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer (and close) before reading everything
        return json.loads(wire.read_frame(s, wire.MAX_REPLY))


def _job(texts, **settings) -> check.Job:
    return check.Job(tuple(texts), Settings().with_overrides(**settings), datetime.fromisoformat(NOON))


def _dicts(outcome: check.Outcome) -> list[list[dict]]:
    return [[f.to_dict() for f in found] for found in outcome.findings]


# -- the socket and its directory ---------------------------------------------------------

def test_socket_is_user_only(served):
    path, _ = served
    assert stat.S_IMODE(os.lstat(path).st_mode) == 0o600
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_default_socket_path_is_private(tmp_path, monkeypatch):
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    assert paths.default_socket_path({"XDG_RUNTIME_DIR": str(runtime)}) == runtime / "msglint" / "msglint.sock"
    fallback = paths.default_socket_path({})
    assert fallback == Path(tempfile.gettempdir()) / f"msglint-{os.getuid()}" / "msglint.sock"
    # a relative or missing XDG_RUNTIME_DIR is ignored, as the XDG spec asks
    assert paths.default_socket_path({"XDG_RUNTIME_DIR": "run"}) == fallback
    assert paths.default_socket_path({"XDG_RUNTIME_DIR": str(tmp_path / "nope")}) == fallback

    mine = runtime / "msglint"
    paths.ensure_private_dir(mine, create=True)
    assert stat.S_IMODE(os.lstat(mine).st_mode) == 0o700
    os.chmod(mine, 0o755)  # loosened by someone: tightened again when we create
    with pytest.raises(paths.PrivateDirError, match="accessible to other users"):
        paths.ensure_private_dir(mine, create=False)
    paths.ensure_private_dir(mine, create=True)
    assert stat.S_IMODE(os.lstat(mine).st_mode) == 0o700

    link = tmp_path / "link"
    link.symlink_to(mine)
    with pytest.raises(paths.PrivateDirError, match="not a directory"):
        paths.ensure_private_dir(link, create=True)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to create a directory owned by another user")
def test_directory_of_another_user_is_refused(tmp_path):
    other = tmp_path / "msglint-trap"
    other.mkdir(mode=0o700)
    os.chown(other, 65534, 65534)
    with pytest.raises(paths.PrivateDirError, match="owned by uid 65534"):
        paths.ensure_private_dir(other, create=True)


# -- the protocol -----------------------------------------------------------------------------

def test_settings_round_trip_every_field(tmp_path):
    settings = Settings(
        model="en_core_web_sm",
        disable=frozenset({"miss-me", "length"}),
        enable=frozenset({"hey-only"}),
        rules_dirs=(tmp_path / "rules",),
        fail_on=Severity.ERROR,
        check_params={"too_long": {"max_words": 80}},
        late_night=(dtime(22, 30), dtime(6, 0)),
        ignored_streak=3,
        too_soon_days=10,
        no_contact_until=date(2026, 12, 20),
        repeat_similarity=90,
        config_path=tmp_path / "msglint.toml",
    )
    sent = json.loads(json.dumps(wire.settings_to_wire(settings)))
    assert wire.settings_from_wire(sent) == settings
    with pytest.raises(ValueError, match="unknown settings"):
        wire.settings_from_wire({**sent, "surprise": 1})


def test_malformed_requests_get_an_error_and_the_server_keeps_serving(served):
    path, _ = served
    bad = {
        b"{not json\n": "not JSON",
        b"\xff\xfe\n": "not JSON",
        b"[1, 2]\n": "expected a JSON object",
        b'{"v": 2, "op": "ping"}\n': "unsupported protocol version 2",
        b'{"op": "ping"}\n': "unsupported protocol version None",
        b'{"v": 1, "op": "dance"}\n': "unknown op",
        b'{"v": 1, "op": "lint", "client": "0.0.1", "texts": ["hi"]}\n': "the running server is msglint",
        b"": "not JSON",
    }
    lint = wire.job_to_wire(_job(["hi"]))
    bad[json.dumps({**lint, "texts": "hi"}).encode() + b"\n"] = "'texts' must be a list"
    bad[json.dumps({**lint, "now": "tomorrow"}).encode() + b"\n"] = "'now' must be an ISO date-time"
    bad[json.dumps({**lint, "settings": {"disable": {"$bogus": 1}}}).encode() + b"\n"] = "bad settings"
    for payload, expected in bad.items():
        reply = _raw(path, payload)
        assert reply["v"] == 1 and reply["ok"] is False, payload
        assert expected in reply["error"], (payload, reply)
        assert client.ping(path) is not None
    # oversized: rejected with a reply, without reading it all, and the server lives on
    reply = _raw(path, b'{"v": 1, "op": "lint", "texts": ["' + b"a" * (wire.MAX_REQUEST + 10) + b'"]}\n')
    assert reply["ok"] is False and "too large" in reply["error"]
    assert client.ping(path) is not None
    assert client.ping(path)["ok"] is True


def test_a_silent_client_gets_a_timeout_reply_not_a_stuck_worker(short_dir):
    path = short_dir / "s.sock"
    server, thread = _thread_server(path)
    server.read_timeout = 0.2
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(60)
            s.connect(str(path))
            s.sendall(b'{"v": 1, "op": "pi')  # and then nothing more
            assert "no complete request within 0.2 s" in json.loads(wire.read_frame(s, wire.MAX_REPLY))["error"]
        assert client.ping(path)["ok"] is True
    finally:
        server.stop()
        thread.join(30)


def test_concurrent_clients_get_the_in_process_findings(served):
    path, _ = served
    expected = [_dicts(check.run_job(_job([text]))) for text in DRAFTS]
    assert any(expected), "the drafts should raise findings"
    assert "miss-me" in {f["category"] for f in expected[0][0]}
    got: dict[int, list] = {}
    errors: list[BaseException] = []

    def one_client(i: int) -> None:
        try:
            for _ in range(3):
                outcome = client.lint_via_server(_job([DRAFTS[i]]), path)
                got.setdefault(i, []).append(_dicts(outcome))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one_client, args=(i,)) for i in range(len(DRAFTS))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    for i in range(len(DRAFTS)):
        assert got[i] == [expected[i]] * 3, DRAFTS[i]


def test_the_server_lints_with_the_settings_and_clock_it_is_sent(served):
    path, _ = served
    draft = ["do you miss me?"]

    def cats(job):
        return {f.category for f in client.lint_via_server(job, path).findings[0]}

    assert "miss-me" in cats(_job(draft))
    assert "miss-me" not in cats(_job(draft, disable=frozenset({"miss-me"})))
    late = check.Job(tuple(draft), Settings(), datetime(2026, 11, 23, 2, 10))
    assert "late-night" in cats(late)
    assert "late-night" not in cats(_job(draft))
    assert "too-soon" in cats(_job(draft, no_contact_until=date(2026, 12, 20)))
    assert "too-soon" not in cats(_job(draft, no_contact_until=date(2026, 11, 1)))


# -- the command line through the server ---------------------------------------------------

def _msglint(args, cwd: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "linter", *args], cwd=cwd, env=_env(cwd), capture_output=True, text=True, timeout=300, **kw)


def test_check_through_the_server_matches_in_process(served, tmp_path):
    path, _ = served
    (tmp_path / "a.txt").write_text("do you miss me?\nif you don't call me I'll show up at your place\n")
    (tmp_path / "b.txt").write_text("Hey! They finally reopened the arcade from our first date - the pinball machine still eats quarters\n")
    (tmp_path / "chat.txt").write_text(CHAT)
    runs = [
        ["check", "a.txt", "b.txt", "--format", "json", "--now", NOON],
        ["check", "a.txt", "--now", "2026-11-23T02:10", "--history", "chat.txt", "--me", "Alex"],
        ["check", "a.txt", "--now", NOON, "--history", "chat.txt", "--me", "Bob"],  # a one-line error
        ["clipboard", "--no-notify", "--from-file", "b.txt", "--now", "2026-11-23T02:10", "--history", "chat.txt", "--me", "Alex"],
    ]
    before = client.ping(path)["requests"]
    for args in runs:
        via = _msglint([*args, "--socket", str(path)], tmp_path)
        local = _msglint([*args, "--no-server"], tmp_path)
        assert (via.returncode, via.stdout, via.stderr) == (local.returncode, local.stdout, local.stderr), args
    assert client.ping(path)["requests"] - before >= len(runs) + 1  # the checks went through it

    first = json.loads(_msglint([*runs[0], "--socket", str(path)], tmp_path).stdout)["findings"]
    assert {"miss-me"} <= {f["category"] for f in first if f["path"] == "a.txt"}
    second = _msglint([*runs[1], "--socket", str(path)], tmp_path)
    assert second.returncode == 1
    for category in ("late-night", "double-text", "miss-me"):
        assert category in second.stdout
    third = _msglint([*runs[2], "--socket", str(path)], tmp_path)
    assert third.returncode == 2 and third.stderr.count("\n") == 1 and "no such sender" in third.stderr
    hotkey = _msglint([*runs[3], "--socket", str(path)], tmp_path)
    assert hotkey.returncode == 1 and hotkey.stdout.startswith("Wait: ")
    for category in ("late-night", "double-text"):  # the clock and the history, on the hotkey path
        assert category in hotkey.stdout


def test_a_client_answered_by_the_server_never_imports_spacy(served, tmp_path):
    path, _ = served
    (tmp_path / "d.txt").write_text("do you miss me?\n")
    code = (
        "import sys\n"
        "from linter.cli import main\n"
        f"try:\n    main(['check', 'd.txt', '--now', '{NOON}', '--socket', {str(path)!r}])\n"
        "except SystemExit as e:\n    code = e.code\n"
        "print('RESULT', code, sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc')) or 'none')\n"
    )
    out = subprocess.run([PY, "-c", code], cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert "miss-me" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "RESULT 1 none"


# -- life and death ---------------------------------------------------------------------------

def test_stale_socket_is_replaced_a_live_one_kept_and_sigterm_cleans_up(short_dir):
    path = short_dir / "s.sock"
    first = _start(path, short_dir)
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    assert path.exists() and paths.probe(path) == "stale"  # the crash left its socket behind

    second = _start(path, short_dir)
    try:
        assert client.ping(path)["pid"] == second.pid
        again = _msglint(["serve", "--socket", str(path)], short_dir)
        assert again.returncode == 0 and "already running" in again.stdout
        assert client.ping(path)["pid"] == second.pid  # not stolen
        status = _msglint(["serve", "--status", "--socket", str(path)], short_dir)
        assert status.returncode == 0 and f"pid {second.pid}" in status.stdout

        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0
        assert not path.exists()
    finally:
        _stop(second)
    status = _msglint(["serve", "--status", "--socket", str(path)], short_dir)
    assert status.returncode == 1 and "not running" in status.stdout


def test_a_path_that_is_not_a_socket_is_left_alone(short_dir):
    path = short_dir / "s.sock"
    path.write_text("precious")
    out = _msglint(["serve", "--socket", str(path)], short_dir)
    assert out.returncode == 2 and "not a socket" in out.stderr and "Traceback" not in out.stderr
    assert path.read_text() == "precious"


def _as_nobody(path: Path, payload: bytes) -> bytes:
    """Send `payload` from a forked child running as uid/gid 65534; the reply's bytes."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: only system calls, then _exit
        try:
            os.setgid(65534)
            os.setuid(65534)
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(30)
                s.connect(str(path))
                try:
                    s.sendall(payload)
                    s.shutdown(socket.SHUT_WR)
                except OSError:
                    pass  # refused before reading: the reply is still there to read
                os.write(write_fd, wire.read_frame(s, 1 << 20))
        except BaseException as exc:  # noqa: BLE001 - reported to the parent as text
            os.write(write_fd, repr(exc).encode())
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return data


def _thread_server(path: Path) -> tuple[listener.Server, threading.Thread]:
    """A real server without spaCy (ping and stop need none)."""
    server = daemon.make_server(path)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def test_stop_and_status_commands(short_dir):
    path = short_dir / "s.sock"
    server, thread = _thread_server(path)
    status = _msglint(["serve", "--status", "--socket", str(path)], short_dir)
    assert status.returncode == 0 and "running" in status.stdout
    stop = _msglint(["serve", "--stop", "--socket", str(path)], short_dir)
    assert stop.returncode == 0 and "stopped" in stop.stdout
    thread.join(30)
    assert not thread.is_alive() and not path.exists()
    stop = _msglint(["serve", "--stop", "--socket", str(path)], short_dir)
    assert stop.returncode == 0 and "not running" in stop.stdout


@pytest.mark.skipif(not hasattr(socket, "SO_PEERCRED") or os.geteuid() != 0, reason="needs Linux SO_PEERCRED and root to act as another user")
def test_other_users_are_refused_even_if_the_socket_is_opened_up(short_dir):
    path = short_dir / "s.sock"
    server, thread = _thread_server(path)
    try:
        os.chmod(short_dir, 0o755)  # a misconfiguration: the file mode is not the only guard
        os.chmod(path, 0o666)
        reply = json.loads(_as_nobody(path, b'{"v": 1, "op": "ping"}\n'))
        assert reply["ok"] is False and "permission denied" in reply["error"]
        assert client.ping(path)["ok"] is True  # its own user still gets answers
    finally:
        server.stop()
        thread.join(30)


def test_daemon_detaches_and_stops(short_dir):
    path = short_dir / "s.sock"
    out = _msglint(["serve", "--daemon", "--socket", str(path)], short_dir)
    assert out.returncode == 0 and "started" in out.stdout, out.stderr
    info = client.ping(path)
    try:
        assert info["pid"] != os.getpid()
        assert os.getsid(info["pid"]) != os.getsid(0)  # its own session: no terminal can stop it
        again = _msglint(["serve", "--daemon", "--socket", str(path)], short_dir)
        assert again.returncode == 0 and "already running" in again.stdout
    finally:
        stop = _msglint(["serve", "--stop", "--socket", str(path)], short_dir)
    assert stop.returncode == 0 and not path.exists()


RULE = """category: pressure
rules:
  - id: my-read-receipts
    severity: {severity}
    message: "Mentioning read receipts chases a reply"
    why: "It tells them you are watching for their answer."
    source: {{title: "My Ex Won't Talk To Me! Can I Get Them Back?", section: "Play It Cool If You Want Your Ex Back"}}
    suggestion: "Leave it out."
    match:
      tokens: [[{{LEMMA: see}}, {{NORM: "you"}}, {{LEMMA: read}}]]
    examples:
      flag: ["i see you read it"]
      pass: ["did you read it?"]
"""


def test_rule_files_edited_while_the_server_runs_take_effect(served, tmp_path):
    path, _ = served
    rules = tmp_path / "rules"
    rules.mkdir()
    mine = rules / "mine.yaml"
    mine.write_text(RULE.format(severity="warning"))
    job = _job(["i see you read it"], rules_dirs=(rules,))

    def severities():
        return [(f.rule, str(f.severity)) for f in client.lint_via_server(job, path).findings[0]]

    assert ("my-read-receipts", "warning") in severities()
    mine.write_text(RULE.format(severity="error") + "\n")  # another size: a new stamp even within one mtime tick
    assert ("my-read-receipts", "error") in severities()
    mine.write_text(RULE.format(severity="loud"))
    with pytest.raises(MsglintError, match="mine.yaml: rule my-read-receipts: field 'severity'"):
        client.lint_via_server(job, path)


def test_time_aware_options_are_validated():
    with pytest.raises(MsglintError, match="--history needs --me"):
        check.make_job(["hi"], Settings(), now=None, history_path="chat.txt", me=None, input_format=None)
    with pytest.raises(MsglintError, match="--me and --input-format go with --history"):
        check.make_job(["hi"], Settings(), now=None, history_path=None, me="Alex", input_format=None)
    job = check.make_job(["hi"], Settings(), now=None, history_path="chat.txt", me="Alex", input_format="whatsapp")
    assert job.now is not None and job.now.tzinfo is None  # the local clock at check time
    assert Path(job.history.path).is_absolute() and job.history.shown == "chat.txt"


def test_a_draft_too_large_for_the_server_is_linted_in_process(tmp_path):
    # Well under the server's own cap, but long enough to hold it for seconds.
    assert wire.SEND_LIMIT < wire.MAX_REQUEST
    job = _job(["word " * (wire.SEND_LIMIT // 5 + 1)])
    with pytest.raises(client.ServerUnavailable) as caught:
        client.lint_via_server(job, tmp_path / "never-contacted.sock")
    assert caught.value.quiet and "too large" in str(caught.value)
