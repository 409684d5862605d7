"""Pre-send speed: the hotkey and a check with the warm server, and a cold check without it.

    .venv/bin/python benchmarks/bench_presend.py [--runs 50] [--cold-runs 10] [--venv DIR]

Prints figures; asserts nothing (timings belong here, not in the test suite). The commands
are run through the console script of a regular install, the README's
`python3 -m venv .venv && .venv/bin/pip install .` (made in a temp dir unless --venv names
one already made that way): an editable install starts slower (its import hook) and is not
what users run. Measured:

1. hotkey        `msglint clipboard` as a new process per run, answered by a running
                 `msglint serve` on its default socket: a fake clipboard tool (xclip, a
                 shell script printing the draft) and a fake notify-send on PATH, so the
                 figure is clipboard read -> verdict -> notification started -> exit.
   check         `msglint draft.txt` the same way (warm: the server answers).
   full CLI      the same two through `python -m linter` (the full command line, click
                 and all, still via the server): what the instant client saves.
   real X        `msglint clipboard --no-notify` reading a real X clipboard (xclip under
                 Xvfb), when Xvfb and xclip are installed.
2. round trip    one request from an already running Python: `lint` (lint_via_server) and
                 `render` (what the instant client sends): the server's share of the above.
3. concurrency   80 requests from 1 client thread vs 8 client threads, and the engine in 1
                 vs 2 threads without any lock (does sharing spaCy across threads gain?).
4. cold          `msglint draft.txt --no-server` vs `python -c "import spacy; spacy.load(M)"`.

The draft is three sentences. Each figure is the median and p95 of wall-clock times, and
the median CPU time (user + sys) of the measured process: on a shared machine the wall
clock moves with everyone else's load, the CPU time much less.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DRAFT = "Hey, I saw a dog at the park today that looked exactly like Biscuit. It made me smile. Hope your week is going well."
NOON = "2026-11-23T14:00"


PHASES = """
import gc, sys, time
gc.disable()  # as the console script does during start-up (linter/collector.py)
t = time.perf_counter()
def step(label):
    global t
    now = time.perf_counter()
    print(f"    {label:44} {(now - t) * 1000:7.0f} ms")
    t = now
import click, linter.cli; step("import click + msglint CLI")
import spacy; step("import spacy")
from linter import nlp as pipeline; nlp = pipeline.load(); step("load the pipeline (+ shorthand cases)")
from linter.rules.loader import builtin_dir, load_rules, load_vocabulary
rules = load_rules([builtin_dir()], load_vocabulary()); step(f"read {len(rules)} rules (YAML)")
from linter.rules.engine import Engine
engine = Engine(nlp, rules, validate=False); step("index the rules (compiled on first use)")
from datetime import datetime
from linter.config import Settings
from linter.context import draft_findings
text = open(sys.argv[1]).read()
engine.lint(text); draft_findings(text, now=datetime.fromisoformat(sys.argv[2]), settings=Settings()); step("lint the draft + context rules (first call)")
"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Times(list):
    """Wall-clock seconds per run, with the CPU seconds (user + sys) the runs used."""

    cpu: list[float]


def report(label: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    cpu = getattr(seconds, "cpu", None)
    extra = f"   CPU median {statistics.median(cpu) * 1000:6.1f} ms" if cpu else ""
    print(f"  {label:58} median {statistics.median(ms):7.1f} ms   p95 {pct(ms, 0.95):7.1f} ms{extra}   (n={len(ms)})")


def _children_cpu() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], runs: int, **kw) -> Times:
    """Wall time per run and, on Unix, the CPU time of the process and what it waited for
    (e.g. xclip): a figure other load on the machine barely moves."""
    out = Times()
    out.cpu = []
    for _ in range(runs):
        c0 = _children_cpu()
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, **kw)
        out.append(time.perf_counter() - t0)
        out.cpu.append(_children_cpu() - c0)
        if proc.returncode not in (0, 1):
            sys.exit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode(errors='replace')}")
    return out


def machine() -> str:
    model = platform.processor() or "?"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def start_xvfb() -> tuple[subprocess.Popen, str] | None:
    if not (shutil.which("Xvfb") and shutil.which("xclip")):
        return None
    r, w = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-nolisten", "tcp"], pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r, "rb") as pipe:
        number = pipe.readline().decode().strip()
    return proc, f":{number}"


def installed_venv(root: Path, where: Path | None, tmp: Path) -> Path:
    """A venv with msglint installed as the README says (`pip install .`), made in `tmp`
    unless `where` names one."""
    if where is not None:
        return where
    venv = tmp / "venv"
    print(f"installing: python3 -m venv {venv} && {venv}/bin/pip install {root} (as the README does)")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(root)], check=True, stdout=subprocess.DEVNULL)
    return venv


def fake_desktop(tmp: Path, draft: Path) -> Path:
    """A bin dir with a clipboard tool that prints the draft and a notifier that does
    nothing: the hotkey's own work is measured, not the desktop's."""
    bin_dir = tmp / "fakebin"
    bin_dir.mkdir()
    (bin_dir / "xclip").write_text(f"#!/bin/sh\nexec cat {draft}\n")
    (bin_dir / "notify-send").write_text("#!/bin/sh\nexit 0\n")
    for p in bin_dir.iterdir():
        p.chmod(0o755)
    return bin_dir


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--cold-runs", type=int, default=10)
    ap.add_argument("--venv", type=Path, help="a venv where `pip install .` of this checkout was done (default: make one in a temp dir)")
    args = ap.parse_args()

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    from datetime import datetime

    from linter import __version__
    from linter.check import Job
    from linter.server.client import call, lint_via_server, ping
    from linter.config import Settings
    from linter.nlp import available_model

    model = available_model()
    print(f"machine: {machine()}")
    print(f"model:   {model}; draft: {len(DRAFT.split())} words, 3 sentences")

    tmp = Path(tempfile.mkdtemp(prefix="mlbench"))
    venv = installed_venv(root, args.venv, tmp)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MSGLINT_", "XDG_")) and k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["XDG_CONFIG_HOME"] = str(tmp / "config")  # no user config in the measurement
    runtime = tmp / "runtime"
    runtime.mkdir(mode=0o700)
    env["XDG_RUNTIME_DIR"] = str(runtime)  # the server on its default socket, as users run it
    if env.pop("PYTHONDONTWRITEBYTECODE", None):
        print("note:    PYTHONDONTWRITEBYTECODE is set here; unset for the runs below, as for an installed msglint")
    draft = tmp / "draft.txt"
    draft.write_text(DRAFT + "\n")
    sock = runtime / "msglint" / "msglint.sock"
    cmd = [str(venv / "bin" / "msglint")]
    full_cli = [str(venv / "bin" / "python"), "-m", "linter"]
    server = subprocess.Popen([*cmd, "serve"], env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    xvfb = None
    try:
        t0 = time.perf_counter()
        while ping(sock, timeout=1.0) is None:
            if server.poll() is not None or time.perf_counter() - t0 > 120:
                sys.exit("the server did not start")
            time.sleep(0.02)
        print(f"\nserver ready {time.perf_counter() - t0:.2f} s after `msglint serve` started (pipeline load + rule compile)")

        print("\n1. hotkey and check, server warm, each a new process of the installed console script")
        desk = {**env, "PATH": f"{fake_desktop(tmp, draft)}{os.pathsep}{env.get('PATH', '')}", "DISPLAY": ":0"}
        hotkey, check = [*cmd, "clipboard"], [*cmd, "draft.txt"]
        for argv in (hotkey, check, [*full_cli, "clipboard"], [*full_cli, "draft.txt"]):
            timed(argv, 3, env=desk, cwd=tmp)  # page cache, .pyc
        report("msglint clipboard (fake clipboard + notifier on PATH)", timed(hotkey, args.runs, env=desk, cwd=tmp))
        report("msglint draft.txt", timed(check, args.runs, env=desk, cwd=tmp))
        report("python -c pass (the interpreter's own start-up: the floor)", timed([str(venv / "bin" / "python"), "-c", "pass"], args.runs, env=desk, cwd=tmp))
        report("python -m linter clipboard (the full CLI, via the server)", timed([*full_cli, "clipboard"], max(10, args.runs // 3), env=desk, cwd=tmp))
        report("python -m linter draft.txt (the full CLI, via the server)", timed([*full_cli, "draft.txt"], max(10, args.runs // 3), env=desk, cwd=tmp))
        xvfb = start_xvfb()
        if xvfb:
            xenv = {**env, "DISPLAY": xvfb[1]}
            subprocess.run(["xclip", "-selection", "clipboard", "-in"], input=DRAFT.encode(), env=xenv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            report("msglint clipboard --no-notify, real X clipboard", timed([*hotkey, "--no-notify"], args.runs, env=xenv, cwd=tmp))
        else:
            print("  (Xvfb/xclip not installed: real-clipboard figure skipped)")

        print("\n2. the server's share: one request from a running Python")
        job = Job((DRAFT,), Settings(), datetime.fromisoformat(NOON))
        trips = []
        for _ in range(args.runs):
            t = time.perf_counter()
            lint_via_server(job, sock)
            trips.append(time.perf_counter() - t)
        report("lint request (lint_via_server: findings back)", trips)
        render = {"v": 1, "op": "render", "client": __version__, "command": "clipboard", "drafts": [["<clipboard>", DRAFT]], "cwd": str(tmp), "config": None, "now": NOON, "clock": None, "fail_on": None, "max_findings": 3}
        trips = []
        for _ in range(args.runs):
            t = time.perf_counter()
            call(sock, render)
            trips.append(time.perf_counter() - t)
        report("render request (what the instant client sends)", trips)

        print("\n3. concurrency (server lints under one lock)")
        total = 80

        def burst(threads: int) -> float:
            per = total // threads
            t = time.perf_counter()
            workers = [threading.Thread(target=lambda: [lint_via_server(job, sock) for _ in range(per)]) for _ in range(threads)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            return time.perf_counter() - t

        for n in (1, 8):
            took = burst(n)
            print(f"  {total} requests from {n} client thread(s): {took:.2f} s, {total / took:.0f} requests/s")
        from linter.api import get_engine

        engine = get_engine(Settings())
        texts = [DRAFT] * 40
        t = time.perf_counter()
        for text in texts:
            engine.lint(text)
        serial = time.perf_counter() - t
        t = time.perf_counter()
        halves = [threading.Thread(target=lambda part=part: [engine.lint(x) for x in part]) for part in (texts[:20], texts[20:])]
        for h in halves:
            h.start()
        for h in halves:
            h.join()
        parallel = time.perf_counter() - t
        print(f"  engine, 40 drafts in-process: 1 thread {serial:.2f} s; 2 threads, no lock {parallel:.2f} s")
    finally:
        server.terminate()
        server.wait(30)
        if xvfb:
            xvfb[0].terminate()
            xvfb[0].wait(30)

    if args.cold_runs > 0:  # --cold-runs 0 skips it
        from linter.nlp import UNUSED_COMPONENTS

        print("\n4. cold, no server (the three commands interleaved, so load from elsewhere hits all alike)")
        variants = {
            "check": [*cmd, str(draft), "--no-server", "--now", NOON],
            "bare": [str(venv / "bin" / "python"), "-c", f"import spacy; spacy.load({model!r})"],
            "no_ner": [str(venv / "bin" / "python"), "-c", f"import spacy; spacy.load({model!r}, exclude={list(UNUSED_COMPONENTS)!r})"],
        }
        for argv in variants.values():
            timed(argv, 1, env=env, cwd=tmp)  # bytecode cache, page cache
        times: dict[str, Times] = {k: Times() for k in variants}
        for t in times.values():
            t.cpu = []
        for _ in range(args.cold_runs):
            for key, argv in variants.items():
                one = timed(argv, 1, env=env, cwd=tmp)
                times[key] += one
                times[key].cpu += one.cpu
        check, bare, no_ner = times["check"], times["bare"], times["no_ner"]
        report("msglint draft.txt --no-server", check)
        report(f'python -c "import spacy; spacy.load({model!r})"', bare)
        report(f"the same, exclude={list(UNUSED_COMPONENTS)!r} (what msglint loads)", no_ner)
        over = statistics.median(check) / statistics.median(bare) - 1
        over_cpu = statistics.median(check.cpu) / statistics.median(bare.cpu) - 1 if statistics.median(bare.cpu) else 0.0
        print(f"  msglint cold vs bare spaCy load: {over * 100:+.0f}% wall, {over_cpu * 100:+.0f}% CPU (target: at most +15%)")
        print("  where a cold check's time goes (one fresh process):")
        phases = subprocess.run([str(venv / "bin" / "python"), "-c", PHASES, str(draft), NOON], capture_output=True, text=True, env=env, cwd=tmp)
        print(phases.stdout.rstrip() or phases.stderr.strip().splitlines()[-1])
    if hasattr(os, "getloadavg"):
        print(f"\nload average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} (other work on this machine skews every figure)")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
