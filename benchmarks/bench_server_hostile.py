"""The warm server under slow and hostile clients: how long a normal check takes meanwhile.

    .venv/bin/python benchmarks/bench_server_hostile.py [--checks 20] [--clients 16]

Starts a real `msglint serve` (default limits) on a private socket, then measures a normal
check (one three-sentence draft through `lint_via_server`, from this already running
Python: the server's share of a hotkey press) in each scenario:

1. quiet        nothing else connected
2. drip         `--clients` clients that open the socket and send one byte every 0.5 s
                (reconnecting when cut off at the request deadline), the issue #13 case
3. drip 0.4     the same at one byte every 0.4 s: no per-recv timeout would ever fire
4. idle         `--clients` connections that send nothing (reopened when cut off)
5. flood        `--clients` clients each sending 10 MB over and over
6. concurrent   50 normal checks at once, from 50 threads: each one's latency, and how
                many got a "busy" reply (none expected under the default cap of 64)

Prints the median, p95 and worst of each, and what the hostile clients were told. Asserts
nothing: timings belong here, not in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from linter import check  # noqa: E402
from linter.config import Settings  # noqa: E402
from linter.server import client, wire  # noqa: E402

DRAFT = "Hey, I saw a dog at the park today that looked exactly like Biscuit. It made me smile. Hope your week is going well."


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def show(label: str, seconds: list[float], extra: str = "") -> None:
    ms = [s * 1000 for s in seconds]
    print(f"  {label:28} median {statistics.median(ms):8.1f} ms   p95 {pct(ms, 0.95):8.1f} ms   worst {max(ms):8.1f} ms   (n={len(ms)}){extra}")


def one_check(path: Path) -> float:
    job = check.Job((DRAFT,), Settings(), None)
    t = time.perf_counter()
    client.lint_via_server(job, path)
    return time.perf_counter() - t


def checks(path: Path, n: int, gap: float = 0.05) -> list[float]:
    times = []
    for _ in range(n):
        times.append(one_check(path))
        time.sleep(gap)
    return times


class Hostiles:
    """`count` threads each running `behave(stop)` in a loop; tallies what they were told."""

    def __init__(self, count: int, behave) -> None:
        self.stop = threading.Event()
        self.told: dict[str, int] = {}
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._loop, args=(behave,), daemon=True) for _ in range(count)]

    def _loop(self, behave) -> None:
        while not self.stop.is_set():
            outcome = behave(self.stop)
            with self.lock:
                self.told[outcome] = self.told.get(outcome, 0) + 1

    def __enter__(self) -> "Hostiles":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(30)

    def summary(self) -> str:
        return ", ".join(f"{k}: {v}" for k, v in sorted(self.told.items())) or "still connected"


def _outcome(sock: socket.socket) -> str:
    try:
        raw = wire.read_frame(sock, wire.MAX_REPLY)
    except OSError as exc:
        return type(exc).__name__
    if not raw:
        return "closed"
    reply = json.loads(raw)
    error = str(reply.get("error", "ok"))
    return error.split(" (")[0].split(":")[0] if not reply.get("ok") else "ok"


def dripper(path: Path, gap: float):
    def behave(stop: threading.Event) -> str:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(60)
            s.connect(str(path))
            try:
                for byte in b'{"v": 1, "op": "ping", "pad": "' + b"x" * 100_000:
                    if stop.is_set():
                        return "stopped"
                    s.sendall(bytes([byte]))
                    s.settimeout(gap)
                    try:
                        if s.recv(1, socket.MSG_PEEK):
                            break
                    except socket.timeout:
                        continue
                    finally:
                        s.settimeout(60)
            except OSError:
                pass
            return _outcome(s)
    return behave


def idler(path: Path):
    def behave(stop: threading.Event) -> str:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(60)
            s.connect(str(path))
            return _outcome(s)
    return behave


def flooder(path: Path, size: int = 10 << 20):
    blob = b'{"v": 1, "op": "lint", "texts": ["' + b"a" * size

    def behave(stop: threading.Event) -> str:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(60)
            s.connect(str(path))
            try:
                s.sendall(blob)
            except OSError:
                pass  # the server stopped reading at its cap and answered
            return _outcome(s)
    return behave


def concurrent(path: Path, n: int) -> tuple[list[float], float, dict[str, int]]:
    times: list[float] = []
    failures: dict[str, int] = {}
    lock = threading.Lock()
    start = threading.Barrier(n)

    def one() -> None:
        start.wait()
        try:
            t = one_check(path)
        except client.ServerUnavailable as exc:
            with lock:
                failures[str(exc).split(":")[0]] = failures.get(str(exc).split(":")[0], 0) + 1
            return
        with lock:
            times.append(t)

    threads = [threading.Thread(target=one) for _ in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return times, time.perf_counter() - t0, failures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checks", type=int, default=20, help="normal checks per scenario")
    ap.add_argument("--clients", type=int, default=16, help="hostile clients per scenario")
    ap.add_argument("--concurrent", type=int, default=50, help="normal checks at once in the last scenario")
    args = ap.parse_args()

    print(f"machine: {machine()}")
    d = Path(tempfile.mkdtemp(prefix="mlbench"))
    path = d / "s.sock"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MSGLINT_")}
    env["XDG_CONFIG_HOME"] = str(d / "config")
    proc = subprocess.Popen([sys.executable, "-m", "linter", "serve", "--socket", str(path)], cwd=d, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while client.ping(path, timeout=1.0) is None:
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"the server did not start: {proc.stderr.read().decode() if proc.stderr else ''}")
            time.sleep(0.1)
        print(f"server: pid {proc.pid}, default limits (64 connections, 5 s per request, 1 MiB)")
        for _ in range(5):
            one_check(path)  # first-call costs out of the way

        show("quiet", checks(path, args.checks))
        n = args.clients
        for label, behave, settle in (
            (f"{n} clients dripping 1 B/0.5 s", dripper(path, 0.5), 1.0),
            (f"{n} clients dripping 1 B/0.4 s", dripper(path, 0.4), 1.0),
            (f"{n} idle connections", idler(path), 0.5),
            (f"{n} clients sending 10 MB", flooder(path), 0.5),
        ):
            with Hostiles(n, behave) as hostiles:
                time.sleep(settle)  # all of them connected and at it
                t0 = time.perf_counter()
                times = checks(path, args.checks, gap=0.3)
                span = time.perf_counter() - t0
            show(label, times, f"\n  {'':28} over {span:.1f} s; the hostile clients were told: {hostiles.summary()}")

        times, wall, failures = concurrent(path, args.concurrent)
        extra = f"\n  {'':28} all {args.concurrent} done in {wall * 1000:.0f} ms; fell back in-process: {failures or 'none'}"
        show(f"{args.concurrent} checks at once", times or [0.0], extra)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
