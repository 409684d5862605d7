"""The caps of issue #13, measured: wall time, CPU time and peak memory of each hostile case.

    .venv/bin/python benchmarks/bench_limits.py [--stdin-mib 256] [--draft-mib 2]
        [--export-mb 1024] [--slice-mb 50] [--clients 16] [--checks 20] [--only CASE,...]

Every case runs as its own process; its peak RSS is the `ru_maxrss` that `os.wait4`
reports for it (the process and any children it waited for), so figures never include
this script; CPU time (user + system, from the same rusage) is the figure to compare on a
busy machine. Prints figures, asserts nothing (timings belong here, not in the tests).

- stdin     `msglint -` fed `--stdin-mib` of text by a generator: it must stop at the
            64 KiB cap at once, whatever is still coming.
- draft     a `--draft-mib` draft file (a line break every two sentences): refused at the
            default cap, then checked with --max-bytes raised above it.
- export    a generated WhatsApp export of `--export-mb` MB in a temp dir (deleted after):
            the import pass (`load_chat`, every entry read and counted), in a subprocess.
            A full `msglint review` of 1 GB would take hours on 2 cores (the parse runs
            at a few thousand messages a second), so the review is measured on the first
            `--slice-mb` MB of the same export.
- server    a real `msglint serve` with its default limits; one normal check while
            `--clients` clients drip a byte every 0.5 s (the pieces of
            bench_server_hostile.py), against the same check with nobody else connected.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_server_hostile as hostile  # noqa: E402

PYTHON = sys.executable
_SCRIPT = Path(PYTHON).with_name("msglint")
# The console script (the instant client, then the full command line), as a user runs it.
MSGLINT = [str(_SCRIPT)] if _SCRIPT.exists() else [PYTHON, "-m", "linter"]
MIB = 1 << 20
SENTENCE = "i still think about you every day and i wonder if you miss me too. "


def private_env(d: Path) -> dict[str, str]:
    """No MSGLINT_* settings, no user config, and no running server to answer for us."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MSGLINT_")}
    env["XDG_CONFIG_HOME"] = str(d / "config")
    env["XDG_RUNTIME_DIR"] = str(d / "run")
    (d / "run").mkdir(mode=0o700, exist_ok=True)
    return env


def measure(cmd: list[str], env: dict[str, str], cwd: Path, feed=None, stdout_path: Path | None = None) -> dict:
    """Run `cmd`; wall seconds, peak RSS (MB) from wait4, exit code, stderr's first line,
    and (with `feed`, an iterator of byte chunks for stdin) how many bytes it took."""
    err_path = cwd / "stderr.txt"
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    with open(err_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.PIPE if feed else subprocess.DEVNULL, stdout=out, stderr=err)
        sent = [0]

        def pump() -> None:
            try:
                for chunk in feed:
                    proc.stdin.write(chunk)
                    sent[0] += len(chunk)
            except (BrokenPipeError, OSError):
                pass  # it stopped reading: the point of the cap
            finally:
                try:
                    proc.stdin.close()
                except OSError:
                    pass

        writer = threading.Thread(target=pump, daemon=True) if feed else None
        if writer:
            writer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if writer:
            writer.join(10)
    if stdout_path:
        out.close()
    lines = err_path.read_text(encoding="utf-8", errors="replace").splitlines()
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024, "code": proc.returncode, "stderr": lines[0] if lines else "", "stderr_lines": len(lines), "sent": sent[0]}


def row(label: str, r: dict, extra: str = "") -> None:
    print(f"  {label:44} {r['wall']:8.2f} s ({r['cpu']:.2f} s CPU)   peak RSS {r['rss_mb']:7.0f} MB   exit {r['code']}{extra}")
    if r["stderr"]:
        print(f"  {'':44} stderr ({r['stderr_lines']} line{'s' * (r['stderr_lines'] != 1)}): {r['stderr'][:150]}")


# -- stdin ----------------------------------------------------------------------------------

def endless(total: int, chunk: int = 64 * 1024):
    block = (SENTENCE * (chunk // len(SENTENCE) + 1)).encode()[:chunk]
    for _ in range(total // chunk):
        yield block


def case_stdin(d: Path, env: dict[str, str], mib: int) -> None:
    print(f"\nstdin: `msglint -` fed {mib} MiB by a generator (default cap 64 KiB)")
    r = measure([*MSGLINT, "-"], env, d, feed=endless(mib * MIB))
    row(f"{mib} MiB on stdin", r, f"\n  {'':44} taken from the pipe before it stopped: {r['sent'] / MIB:.1f} MiB of {mib}")
    base = measure([*MSGLINT, "--version"], env, d)
    row("for scale: `msglint --version`", base)


# -- a draft over the cap -------------------------------------------------------------------

def case_draft(d: Path, env: dict[str, str], mib: int) -> None:
    path = d / "draft.txt"
    unit = SENTENCE * 2 + "\n"
    path.write_text(unit * (mib * MIB // len(unit) + 1), encoding="utf-8")
    size = path.stat().st_size
    print(f"\ndraft: a {size / MIB:.2f} MiB draft file ({size:,} bytes, a line break every two sentences)")
    row("default cap (64 KiB): refused", measure([*MSGLINT, str(path)], env, d))
    raised = (size // MIB + 1) * MIB
    r = measure([*MSGLINT, str(path), "--max-bytes", str(raised), "--format", "short"], env, d, stdout_path=d / "draft.out")
    findings = sum(1 for _ in open(d / "draft.out", encoding="utf-8"))
    row(f"--max-bytes {raised}: checked", r, f", {findings:,} findings")


# -- a 1 GB export --------------------------------------------------------------------------

WORDS = ("hey", "did", "you", "see", "the", "game", "last", "night", "i", "left", "my", "charger", "at", "your",
         "place", "can", "drop", "it", "off", "tomorrow", "no", "rush", "haha", "ok", "sounds", "good", "thanks",
         "miss", "we", "should", "talk", "soon", "sure", "text", "me", "when", "land", "lol", "congrats", "on", "job")


def generate_export(path: Path, size: int, seed: int = 13) -> int:
    """A WhatsApp (Android, dd/mm/yyyy 24h) export between Sam and Alex of about `size`
    bytes; returns the number of message lines. Texts come from a pool of 5,000 (chats
    repeat themselves: "ok", "haha"), which also lets the generator keep up with the disk."""
    rng = random.Random(seed)
    pool = [" ".join(rng.choices(WORDS, k=rng.randint(1, 14))) + rng.choice(("", "?", "!", " 😂")) for _ in range(5_000)]
    t = datetime(2015, 1, 1, 9, 0)
    day = ""
    written = lines = 0
    sender = "Sam"
    with open(path, "w", encoding="utf-8", buffering=8 * MIB) as fh:
        head = f"{t:%d/%m/%Y}, {t:%H:%M} - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.\n"
        fh.write(head)
        written += len(head)
        minute = -1
        while written < size:
            t += timedelta(seconds=rng.choice((5, 20, 60, 300, 3600)))
            if t.minute != minute or not day:
                day, minute = f"{t:%d/%m/%Y}, {t:%H:%M}", t.minute
            if rng.random() < 0.75:
                sender = "Alex" if sender == "Sam" else "Sam"
            line = f"{day} - {sender}: {pool[rng.randrange(5_000)]}\n"
            fh.write(line)
            written += len(line.encode())
            lines += 1
    return lines


IMPORT_CHILD = r"""
import json, sys, time
from linter.chats import load_chat
t = time.perf_counter()
chat = load_chat(sys.argv[1])
n = sum(1 for _ in chat)
print(json.dumps({"seconds": time.perf_counter() - t, "entries": chat.entries, "messages": n,
                  "system_lines": len(chat.system_lines), "skipped": len(chat.skipped)}))
"""


def slice_export(source: Path, target: Path, size: int) -> None:
    # In pieces: this script's own peak is a floor under every child's (see main).
    with open(source, "rb") as src, open(target, "wb") as dst:
        left = size
        while left > 0:
            piece = src.read(min(left, 4 * MIB))
            if not piece:
                break
            dst.write(piece)
            left -= len(piece)
        dst.write(src.readline())  # to the end of the line it cut


SUMMARY_CHILD = r"""
import json, sys
print(json.dumps(json.load(open(sys.argv[1], encoding="utf-8"))["summary"]))
"""


def case_export(d: Path, env: dict[str, str], mb: int, slice_mb: int) -> None:
    path = d / "big" / "WhatsApp Chat with Alex.txt"
    path.parent.mkdir()
    t0 = time.perf_counter()
    lines = generate_export(path, mb * 1_000_000)
    size = path.stat().st_size
    print(f"\nexport: a generated WhatsApp export of {size / 1e9:.2f} GB, {lines:,} messages (written in {time.perf_counter() - t0:.0f} s)")
    try:
        r = measure([PYTHON, "-c", IMPORT_CHILD, str(path)], env, d, stdout_path=d / "import.json")
        got = json.loads((d / "import.json").read_text())
        counts = f"\n  {'':44} {got['entries']:,} entries = {got['messages']:,} messages + {got['system_lines']:,} system lines + {got['skipped']:,} skipped"
        row("import pass (load_chat, every entry counted)", r, counts)
        part = d / "slice.txt"
        slice_export(path, part, slice_mb * 1_000_000)
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    try:
        out = d / "review.json"
        r = measure([*MSGLINT, "review", str(part), "--me", "Sam", "--format", "json"], env, d, stdout_path=out)
        # The report of ~800,000 messages is hundreds of MB of JSON: read it in a child.
        got = subprocess.run([PYTHON, "-c", SUMMARY_CHILD, str(out)], capture_output=True, text=True) if out.stat().st_size else None
        summary = json.loads(got.stdout) if got is not None and got.returncode == 0 else {}
        extra = ""
        if summary:
            extra = f"\n  {'':44} {summary.get('entries', 0):,} entries: {summary.get('messages_read', 0):,} messages, {summary.get('system_lines', 0):,} system lines, {summary.get('skipped', 0):,} skipped"
        row(f"`msglint review --me Sam` of the first {part.stat().st_size / 1e6:.0f} MB", r, extra)
    finally:
        part.unlink(missing_ok=True)
        (d / "review.json").unlink(missing_ok=True)


# -- slow clients ---------------------------------------------------------------------------

def case_server(d: Path, env: dict[str, str], clients: int, checks: int) -> None:
    print(f"\nserver: `msglint serve` (default limits: 64 connections, 5 s per request, 1 MiB); {checks} normal checks")
    sock = d / "s.sock"
    t0 = time.perf_counter()
    proc = subprocess.Popen([PYTHON, "-m", "linter", "serve", "--socket", str(sock)], cwd=d, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while hostile.client.ping(sock, timeout=1.0) is None:
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit("the server did not start")
            time.sleep(0.1)
        for _ in range(5):
            hostile.one_check(sock)
        quiet = hostile.checks(sock, checks)
        with hostile.Hostiles(clients, hostile.dripper(sock, 0.5)) as drippers:
            time.sleep(1.0)
            busy = hostile.checks(sock, checks, gap=0.3)
    finally:
        proc.terminate()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    for label, times in (("one check, nobody else connected", quiet), (f"one check, {clients} clients dripping 1 B/0.5 s", busy)):
        ms = [t * 1000 for t in times]
        print(f"  {label:44} median {statistics.median(ms):6.1f} ms   worst {max(ms):6.1f} ms   (n={len(ms)})")
    print(f"  {'':44} the drippers were told: {drippers.summary()}")
    print(f"  {'server peak RSS over its life':44} {usage.ru_maxrss / 1024:7.0f} MB ({time.perf_counter() - t0:.0f} s)")


CASES = ("stdin", "draft", "export", "server")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stdin-mib", type=int, default=256, help="MiB fed to `msglint -`")
    ap.add_argument("--draft-mib", type=int, default=2, help="size of the over-the-cap draft")
    ap.add_argument("--export-mb", type=int, default=1024, help="size of the generated WhatsApp export, MB")
    ap.add_argument("--slice-mb", type=int, default=50, help="how much of it the full review reads, MB")
    ap.add_argument("--clients", type=int, default=16, help="slow clients holding the server's socket")
    ap.add_argument("--checks", type=int, default=20, help="normal checks per server scenario")
    ap.add_argument("--only", default=",".join(CASES), help=f"comma-separated cases to run ({', '.join(CASES)})")
    args = ap.parse_args()
    only = [c.strip() for c in args.only.split(",") if c.strip()]
    unknown = set(only) - set(CASES)
    if unknown:
        ap.error(f"unknown case(s): {', '.join(sorted(unknown))}")

    print(f"machine: {hostile.machine()}")
    print(f"date: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; load average {os.getloadavg()[0]:.1f}; msglint: {' '.join(MSGLINT)}")
    d = Path(tempfile.mkdtemp(prefix="mlimits"))
    try:
        env = private_env(d)
        if "stdin" in only:
            case_stdin(d, env, args.stdin_mib)
        if "draft" in only:
            case_draft(d, env, args.draft_mib)
        if "export" in only:
            free = shutil.disk_usage(d).free
            if free < args.export_mb * 1_000_000 * 1.2:
                sys.exit(f"only {free / 1e9:.1f} GB free in {d}; pass a smaller --export-mb")
            case_export(d, env, args.export_mb, args.slice_mb)
        if "server" in only:
            case_server(d, env, args.clients, args.checks)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    # A child started with vfork/exec inherits its parent's high-water mark as its own
    # ru_maxrss, so no figure above can be lower than this.
    print(f"\nthis script's own peak RSS (a floor under every figure): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
