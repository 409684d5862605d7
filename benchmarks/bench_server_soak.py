"""Soak: does the warm server's memory stay flat over many checks of drafts with new words?

    .venv/bin/python benchmarks/bench_server_soak.py [--checks 50000] [--every 5000]

Starts a real `msglint serve` on a private socket, sends N lint requests one after another
over that socket (the same requests `msglint draft.txt` sends), each draft carrying words
the server has never seen, and prints the server's resident memory (VmRSS from /proc) and
the mean time per check at each checkpoint. Asserts nothing: the README carries the
figures. Linux only (reads /proc).

The issue it guards (#16): without spaCy memory zones every new word stayed in the
vocabulary's StringStore, about 0.75 MB per thousand checks, forever.
"""

from __future__ import annotations

import argparse
import os
import random
import string
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_check import cpu_name  # noqa: E402  (the benchmarks share their machine line)
from linter import __version__  # noqa: E402
from linter.check import Job  # noqa: E402
from linter.config import Settings  # noqa: E402
from linter.server.client import call, ping  # noqa: E402
from linter.server.wire import job_to_wire  # noqa: E402

TEMPLATES = (
    "hey, saw a {w} at the market and thought of you",
    "do you miss me? i keep thinking about the {w} we found",
    "the {w} place on 5th reopened, they still burn the toast",
    "answer me tonight or we're done, i mean it {w}",
    "lol my cat knocked the {w} off the shelf again",
)


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(6, 11)))


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=50_000)
    parser.add_argument("--every", type=int, default=5_000, help="checks between checkpoints")
    args = parser.parse_args()

    rng = random.Random(16)
    with tempfile.TemporaryDirectory(prefix="msglint-soak-") as tmp:
        os.chmod(tmp, 0o700)
        sock = Path(tmp) / "soak.sock"
        server = subprocess.Popen([sys.executable, "-m", "linter", "serve", "--socket", str(sock)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 120
            while ping(sock) is None:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the server did not start: {server.stderr.read().decode() if server.stderr else ''}")
                time.sleep(0.2)
            settings = Settings()
            now = datetime(2026, 11, 23, 14, 0)
            print(f"msglint {__version__}, {cpu_name()}, {os.cpu_count()} cores, {datetime.now():%Y-%m-%d}")
            print(f"{'checks':>8} {'RSS MB':>8} {'ms/check':>9}")
            print(f"{0:>8} {_rss_mb(server.pid):>8.1f} {'-':>9}")
            rows = []
            started = time.perf_counter()
            for n in range(1, args.checks + 1):
                text = rng.choice(TEMPLATES).format(w=_word(rng)) + f" {_word(rng)}"
                reply = call(sock, job_to_wire(Job((text,), settings, now)))
                if not reply.get("ok"):
                    raise SystemExit(f"check {n} failed: {reply}")
                if n % args.every == 0:
                    elapsed = time.perf_counter() - started
                    rss = _rss_mb(server.pid)
                    rows.append((n, rss))
                    print(f"{n:>8} {rss:>8.1f} {elapsed / args.every * 1000:>9.2f}", flush=True)
                    started = time.perf_counter()
            if len(rows) >= 2:
                first, last = rows[0], rows[-1]
                print(f"RSS growth from {first[0]:,} to {last[0]:,} checks: {(last[1] - first[1]) / first[1] * 100:+.1f}%")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
