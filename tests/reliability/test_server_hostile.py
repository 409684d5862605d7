"""The warm server against slow and hostile clients: a real server in a thread, real Unix
sockets, and a service whose lint is a stub (the request is still validated by the real
code; only spaCy is left out, so these tests need no model).

No test here measures a time: the timeouts below only keep a broken server from hanging
the suite, and benchmarks/bench_server_hostile.py prints the figures."""

from __future__ import annotations

import json
import os
import select
import shutil
import socket
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter import __version__, check
from linter.config import Settings
from linter.server import client, daemon, listener, paths, wire
from linter.server.service import Service

pytestmark = pytest.mark.skipif(not paths.HAS_UNIX_SOCKETS, reason="the server needs Unix domain sockets")

HANG = 30.0  # seconds before a test gives up on a reply: a bound against hanging only
KINDS = {"request", "busy", "version", "user", "internal"}


class StubService(Service):
    """The real request handling with a lint that needs no model: one empty result per
    text, and the texts echoed back as notes (so what the server decoded can be seen)."""

    def lint(self, job: check.Job) -> dict:
        return {"v": wire.PROTOCOL_VERSION, "ok": True, "results": [[] for _ in job.texts], "notes": list(job.texts)}


class Running:
    def __init__(self, path: Path, limits: listener.Limits, *, stoppable: bool = True) -> None:
        self.path = path
        self.server = listener.Server(path, StubService(path), limits)
        if stoppable:  # the shared one is not: hypothesis may well write {"v": 1, "op": "stop"}
            self.server.after_reply = lambda request: self.server.stop() if request.get("op") == "stop" else None
        self.server.bind()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.stop()
        self.thread.join(HANG)
        assert not self.thread.is_alive(), "the server did not stop"


@pytest.fixture
def short_dir():
    d = Path(tempfile.mkdtemp(prefix="mlhst"))  # sun_path is short: not pytest's tmp_path
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def serve(short_dir):
    started: list[Running] = []

    def start(**limits) -> Running:
        running = Running(short_dir / f"s{len(started)}.sock", listener.Limits(**limits))
        started.append(running)
        return running

    yield start
    for running in started:
        running.close()


@pytest.fixture(scope="module")
def shared_server():
    d = Path(tempfile.mkdtemp(prefix="mlhst"))
    running = Running(d / "s.sock", listener.Limits(), stoppable=False)
    yield running
    running.close()
    shutil.rmtree(d, ignore_errors=True)


def _connect(path: Path) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(HANG)
    s.connect(str(path))
    return s


def _send(path: Path, payload: bytes) -> dict:
    """Send everything (as far as the server reads it), then read the one reply."""
    with _connect(path) as s:
        try:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # answered (and closed) before reading it all: the reply is still there
        raw = wire.read_frame(s, wire.MAX_REPLY)
    assert raw, f"the server closed without a reply to {payload[:80]!r}"
    return json.loads(raw)


def _lint_request(texts: Any = ("hi",), **fields: Any) -> dict:
    """A well-formed lint request, with `fields` (any JSON, "texts" too) put in as given."""
    job = check.Job(("hi",), Settings(), datetime(2026, 11, 23, 14, 0))
    return {**wire.job_to_wire(job), "texts": list(texts) if isinstance(texts, tuple) else texts, **fields}


def _is_error(reply: dict, kind: str = "request") -> bool:
    return reply.get("v") == 1 and reply.get("ok") is False and reply.get("kind") == kind and isinstance(reply.get("error"), str)


def _alive(path: Path) -> bool:
    reply = client.call(path, {"v": 1, "op": "ping"}, timeout=HANG)
    return reply.get("ok") is True


class Dripper(threading.Thread):
    """A client that sends the start of a request one byte at a time, `gap` seconds apart,
    and records how it ended: the server's reply, or a close."""

    def __init__(self, path: Path, gap: float, total: int = 10_000) -> None:
        super().__init__(daemon=True)
        self.path, self.gap, self.total = path, gap, total
        self.sent = 0
        self.reply: dict | None = None
        self.closed = False
        self.started_sending = threading.Event()
        self.quit = threading.Event()

    def run(self) -> None:
        payload = (b'{"v": 1, "op": "ping", "pad": "' + b"x" * self.total)[: self.total]
        with _connect(self.path) as s:
            try:
                for i in range(self.total):
                    if self.quit.is_set():
                        return
                    s.sendall(payload[i : i + 1])
                    self.sent += 1
                    self.started_sending.set()
                    readable, _, _ = select.select([s], [], [], self.gap)
                    if readable:
                        break
            except OSError:
                pass
            finally:
                self.started_sending.set()
            raw = wire.read_frame(s, wire.MAX_REPLY)
            if raw:
                self.reply = json.loads(raw)
            else:
                self.closed = True


# -- slow clients ---------------------------------------------------------------------------

def test_a_check_answers_while_slow_and_idle_clients_hold_connections(serve):
    running = serve(request_timeout=120.0)
    drippers = [Dripper(running.path, gap=0.2) for _ in range(16)]
    idle = [_connect(running.path) for _ in range(16)]
    try:
        for d in drippers:
            d.start()
        for d in drippers:
            assert d.started_sending.wait(HANG)
        # Sixteen connections mid-request and sixteen silent ones: a check still answers.
        reply = client.call(running.path, _lint_request(["do you miss me?"]), timeout=HANG)
        assert reply["ok"] is True and reply["notes"] == ["do you miss me?"]
        outcome = client.lint_via_server(check.Job(("hey",), Settings(), None), running.path)
        assert outcome.findings == [[]] and outcome.notes == ["hey"]
        assert all(d.is_alive() and d.reply is None for d in drippers), "the slow clients were still sending"
    finally:
        for d in drippers:
            d.quit.set()
        for s in idle:
            s.close()
        for d in drippers:
            d.join(HANG)


def test_a_client_sending_a_byte_now_and_then_is_cut_off_at_the_whole_request_deadline(serve):
    running = serve(request_timeout=0.5)
    # A byte every 0.1 s never leaves a recv waiting long: only a deadline on the whole
    # request stops it. Sending all 10,000 bytes would take over 16 minutes.
    dripper = Dripper(running.path, gap=0.1)
    dripper.start()
    dripper.join(HANG * 4)
    assert not dripper.is_alive()
    assert dripper.sent < dripper.total
    assert dripper.reply is not None and _is_error(dripper.reply)
    assert "no complete request within 0.5 s" in dripper.reply["error"]
    assert "--request-timeout" in dripper.reply["error"]
    assert _alive(running.path)


def test_a_silent_connection_gets_the_deadline_reply(serve):
    running = serve(request_timeout=0.3)
    with _connect(running.path) as s:
        reply = json.loads(wire.read_frame(s, wire.MAX_REPLY))
    assert _is_error(reply) and "no complete request within 0.3 s" in reply["error"]


def test_past_the_connection_cap_a_client_gets_busy_at_once_and_the_cap_frees_up(serve):
    running = serve(max_connections=3, request_timeout=120.0)
    held = [_connect(running.path) for _ in range(3)]
    try:
        for s in held:
            s.sendall(b'{"v": 1,')  # mid-request, within its deadline
        # Connections are accepted in order, so the fourth finds the three held.
        with _connect(running.path) as s:
            reply = json.loads(wire.read_frame(s, wire.MAX_REPLY))
        assert _is_error(reply, "busy")
        assert "3 connections" in reply["error"] and "--max-connections" in reply["error"]
        with pytest.raises(client.ServerUnavailable, match="busy") as caught:
            client.lint_via_server(check.Job(("hey",), Settings(), None), running.path)
        assert not caught.value.quiet  # the user is told why the check ran in-process
        # One held connection finishes its request: its slot is free again.
        held[0].sendall(b' "op": "ping"}\n')
        assert json.loads(wire.read_frame(held[0], wire.MAX_REPLY))["ok"] is True
    finally:
        for s in held:
            s.close()
    deadline = time.monotonic() + HANG
    while time.monotonic() < deadline:  # the closed ones are noticed as the server reads them
        reply = client.call(running.path, {"v": 1, "op": "ping"}, timeout=HANG)
        if reply.get("ok"):
            break
        time.sleep(0.02)
    assert reply["ok"] is True


def test_a_client_that_never_reads_its_reply_holds_no_thread(serve):
    running = serve(max_connections=8)
    greedy = []
    try:
        for _ in range(4):  # big requests whose replies nobody reads
            s = _connect(running.path)
            s.sendall(json.dumps(_lint_request(["x" * 200_000])).encode() + b"\n")
            greedy.append(s)
        assert _alive(running.path)
        reply = client.call(running.path, _lint_request(["hey"]), timeout=HANG)
        assert reply["ok"] is True
    finally:
        for s in greedy:
            s.close()


# -- bounded requests -----------------------------------------------------------------------

def test_a_request_over_the_cap_is_told_the_cap_and_how_to_raise_it(serve):
    running = serve(max_request=4096)
    reply = _send(running.path, json.dumps(_lint_request(["a" * 10_000])).encode() + b"\n")
    assert _is_error(reply)
    assert "4 KiB" in reply["error"] and "--max-request-kib" in reply["error"]
    # one without a newline, far over: not read to the end, answered all the same
    reply = _send(running.path, b'{"v": 1, "texts": ["' + b"a" * (10 << 20))
    assert _is_error(reply) and "too large" in reply["error"]
    # exactly at the cap is accepted
    request = _lint_request(["a"])
    body = json.dumps(request).encode()
    request["texts"] = ["a" * (4096 - len(body) + 1)]
    body = json.dumps(request).encode()
    assert len(body) == 4096
    assert _send(running.path, body + b"\n")["ok"] is True
    assert _alive(running.path)


@pytest.mark.parametrize("payload", [
    b"[" * 100_000,
    b"{" * 100_000,
    b'{"v": 1, "op": "ping", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"v": 1, "op": "ping", "x": ' + b"[" * 40 + b"]" * 40 + b"}",  # parses, but nested past the limit
    b'{"v": 1, "op": "lint", "settings": {"check_params": ' + b'{"$dict": {"a": ' * 30 + b"1" + b"}}" * 30 + b"}}",
], ids=["lists-100k", "objects-100k", "field-100k", "field-40", "settings-30"])
def test_deeply_nested_json_gets_an_error_reply(shared_server, payload):
    reply = _send(shared_server.path, payload + b"\n")
    assert _is_error(reply)
    assert "nested" in reply["error"] or "not JSON" in reply["error"]
    assert _alive(shared_server.path)


@pytest.mark.parametrize("payload, expected", [
    (b'{"v": 1, "op": "pi', "not JSON"),
    (b'{"v": 1, "op": "lint", "texts": ["unfinished', "not JSON"),
    (b"", "not JSON"),
    (b"\xed\xa0\xbd\n", "not UTF-8"),  # a surrogate encoded as if it were UTF-8
    (b"null\n", "expected a JSON object"),
    (b'"ping"\n', "expected a JSON object"),
    (b'{"v": true, "op": "ping"}\n', "unsupported protocol version True"),
    (b'{"v": "1", "op": "ping"}\n', "unsupported protocol version '1'"),
    (b'{"v": 1.0, "op": "ping"}\n', "unsupported protocol version 1.0"),
    (b'{"v": 1, "op": ["ping"]}\n', "unknown op"),
    (b'{"v": "' + b"9" * 10_000 + b'"}\n', "unsupported protocol version '999"),
    (b'{"v": 1, "n": ' + b"9" * 10_000 + b"}\n", "not JSON"),  # past int's digit limit
], ids=lambda v: v[:20] if isinstance(v, bytes) else None)
def test_truncated_and_mistyped_requests_get_an_error_reply(shared_server, payload, expected):
    reply = _send(shared_server.path, payload)
    assert _is_error(reply), reply
    assert expected in reply["error"]
    assert len(reply["error"]) < 400  # a 10 KB value is not echoed back whole


WRONG_FIELDS = {
    "texts": ["hi", [1], [["hi"]], {"a": "b"}, None, [None]],
    "now": [1, [], {}, "not a date", True],
    "history": [1, "chat.txt", [], {"path": "a"}, {"path": 1, "shown": "a", "me": "b"}, {"path": "a", "shown": "a", "me": "b", "input_format": 3}],
    "settings": [1, "x", [], None],
}
WRONG_SETTINGS = {
    "model": [1, True, ["m"], {"$set": ["m"]}],
    "disable": [["a"], "a", 1, {"$set": [1]}, {"$set": [["a"]]}, {"$dict": []}],
    "enable": [["a"], {"$tuple": ["a"]}],
    "rules_dirs": [["/tmp"], {"$tuple": ["/tmp"]}, {"$path": 1}, {"$path": "/tmp"}],
    "fail_on": ["error", 7, {"$severity": "loud"}, {"$severity": ["ERROR"]}, True],
    "check_params": [[], {"$dict": {"too_long": 3}}, {"$dict": []}, {"$bogus": 1}],
    "late_night": ["23:00-05:00", {"$tuple": [{"$time": "23:00"}]}, {"$tuple": [{"$time": "25:00"}, {"$time": "05:00"}]}],
    "ignored_streak": ["2", 2.5, True, None, {"$set": []}],
    "too_soon_days": ["7", 7.0],
    "no_contact_until": ["2026-12-20", 20261220, {"$date": "tomorrow"}],
    "repeat_similarity": ["85", None],
    "learned": [1, "yes", None],
    "config_path": ["msglint.toml", 1],
    "surprise": [1],
}


def test_every_lint_field_of_the_wrong_type_gets_a_request_error(shared_server):
    cases = [(field, value) for field, values in WRONG_FIELDS.items() for value in values]
    cases += [("settings", {name: value}) for name, values in WRONG_SETTINGS.items() for value in values]
    for field, value in cases:
        reply = client.call(shared_server.path, _lint_request(**{field: value}), timeout=HANG)
        assert _is_error(reply), (field, value, reply)
        assert "malformed lint request" in reply["error"], (field, value, reply)
    assert _is_error(client.call(shared_server.path, _lint_request(client=["x"]), timeout=HANG), "version")
    # and the right types are accepted, so the errors above are about the types
    assert client.call(shared_server.path, _lint_request(), timeout=HANG)["ok"] is True


# -- lone surrogates ------------------------------------------------------------------------

def test_a_lone_surrogate_in_a_request_gets_a_reply(shared_server):
    raw = b'{"v": 1, "op": "lint", "client": "' + __version__.encode() + b'", "texts": ["half an emoji \\ud83d", "\\udc00"]}\n'
    reply = _send(shared_server.path, raw)
    assert reply["ok"] is True and reply["notes"] == ["half an emoji \ud83d", "\udc00"]
    # the client's own encoding copes too, and gets the same string back
    outcome = client.lint_via_server(check.Job(("hey \ud83d",), Settings(), None), shared_server.path)
    assert outcome.notes == ["hey \ud83d"]
    assert _is_error(_send(shared_server.path, b'{"v": 1, "op": "\\ud83d"}\n'))


def test_replies_encode_lone_surrogates_as_json_escapes():
    data = wire.encode({"error": "bad \ud83d text \udfff", "emoji": "😂"})
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    data.decode("utf-8")  # valid UTF-8
    assert json.loads(data) == {"error": "bad \ud83d text \udfff", "emoji": "😂"}


def test_a_handler_that_fails_on_a_surrogate_still_replies(serve):
    running = serve()

    def broken(request: dict) -> dict:
        raise RuntimeError(f"cannot lint {request['texts'][0]}")

    running.server._handle = broken
    reply = _send(running.path, b'{"v": 1, "op": "lint", "texts": ["\\ud83d"]}\n')
    assert _is_error(reply, "internal") and "\ud83d" in reply["error"]
    running.server._handle = StubService(running.path)
    assert _alive(running.path)


# -- arbitrary input (hypothesis) -----------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
LINT_FIELDS = ["v", "op", "client", "texts", "settings", "now", "history"]
SETTINGS_FIELDS = ["model", "disable", "enable", "rules_dirs", "fail_on", "check_params", "late_night", "ignored_streak", "too_soon_days", "no_contact_until", "repeat_similarity", "learned", "config_path"]
bounded = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_reply(reply: dict) -> None:
    assert reply.get("v") == 1 and isinstance(reply.get("ok"), bool), reply
    if not reply["ok"]:
        assert reply.get("kind") in KINDS and isinstance(reply.get("error"), str) and "\n" not in reply["error"], reply
    elif "results" in reply:
        assert isinstance(reply["results"], list)


@bounded
@given(value=json_values)
def test_any_json_value_as_a_request_gets_a_reply(shared_server, value):
    _check_reply(_send(shared_server.path, json.dumps(value).encode() + b"\n"))


@bounded
@given(field=st.sampled_from(LINT_FIELDS), value=json_values)
def test_any_value_in_any_lint_field_gets_a_reply(shared_server, field, value):
    reply = _send(shared_server.path, json.dumps(_lint_request(**{field: value})).encode() + b"\n")
    _check_reply(reply)
    if reply["ok"] and "results" in reply:
        assert len(reply["results"]) == len(value if field == "texts" else ["hi"])


@bounded
@given(name=st.sampled_from(SETTINGS_FIELDS), value=json_values | st.builds(lambda tag, v: {tag: v}, st.sampled_from(["$severity", "$path", "$datetime", "$date", "$time", "$set", "$tuple", "$dict"]), json_values))
def test_any_value_in_any_setting_gets_a_reply(shared_server, name, value):
    request = _lint_request()
    request["settings"][name] = value
    _check_reply(_send(shared_server.path, json.dumps(request).encode() + b"\n"))


@bounded
@given(payload=st.binary(max_size=3000) | st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_get_a_reply_or_nothing_worse(shared_server, payload):
    _check_reply(_send(shared_server.path, payload))


def test_the_shared_server_survived_the_properties(shared_server):
    assert _alive(shared_server.path)


# -- the limits are options -----------------------------------------------------------------

def test_serve_options_and_environment_set_the_limits(short_dir, monkeypatch):
    from linter.cli import main as cli

    seen: list[listener.Limits] = []

    class Fake:
        pass

    def fake_start(path, settings, limits=listener.Limits()):
        seen.append(limits)
        return Fake()

    monkeypatch.setattr(daemon, "start", fake_start)
    monkeypatch.setattr(daemon, "run", lambda server: None)
    monkeypatch.setattr(daemon, "warm_settings", lambda model: Settings())
    sock = str(short_dir / "s.sock")
    env = {k: None for k in os.environ if k.startswith("MSGLINT_")}
    runner = CliRunner()

    out = runner.invoke(cli, ["serve", "--socket", sock], env=env)
    assert out.exit_code == 0, out.output
    assert seen[-1] == listener.Limits()

    out = runner.invoke(cli, ["serve", "--socket", sock, "--max-connections", "5", "--request-timeout", "0.5", "--max-request-kib", "64"], env=env)
    assert out.exit_code == 0, out.output
    assert seen[-1] == listener.Limits(max_connections=5, request_timeout=0.5, max_request=64 * 1024)

    out = runner.invoke(cli, ["serve", "--socket", sock], env={**env, "MSGLINT_SERVE_MAX_CONNECTIONS": "7", "MSGLINT_SERVE_REQUEST_TIMEOUT": "2", "MSGLINT_SERVE_MAX_REQUEST_KIB": "2048"})
    assert out.exit_code == 0, out.output
    assert seen[-1] == listener.Limits(max_connections=7, request_timeout=2.0, max_request=2048 * 1024)

    for bad in (["--max-connections", "0"], ["--request-timeout", "-1"], ["--max-request-kib", "lots"]):
        out = runner.invoke(cli, ["serve", "--socket", sock, *bad], env=env)
        assert out.exit_code == 2 and "Traceback" not in out.output, bad
    assert len(seen) == 3


def test_make_server_passes_the_limits_on(short_dir):
    server = daemon.make_server(short_dir / "s.sock", listener.Limits(max_connections=2, request_timeout=0.25, max_request=1000))
    try:
        assert (server.max_connections, server.read_timeout, server.max_request) == (2, 0.25, 1000)
        assert (os.lstat(short_dir / "s.sock").st_mode & 0o777) == 0o600
    finally:
        server._close()


def test_status_and_stop_see_a_server_at_its_cap_as_running(serve):
    from linter.cli import main as cli

    running = serve(max_connections=1, request_timeout=120.0)
    held = _connect(running.path)
    try:
        held.sendall(b"{")
        info = daemon.status(running.path, patience=0.2)
        assert info is not None and info["kind"] == "busy"
        out = CliRunner().invoke(cli, ["serve", "--status", "--socket", str(running.path)])
        assert out.exit_code == 0 and "running, busy" in out.output, (out.output, out.exception)
        # --stop asks again until there is room: here once the held connection goes
        threading.Timer(0.3, held.close).start()
        assert "stopped" in daemon.stop(running.path)
        running.thread.join(HANG)
        assert not running.thread.is_alive() and not running.path.exists()
    finally:
        held.close()
