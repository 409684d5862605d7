"""How fast `msglint draft.txt` is, cold and warm. Prints figures; asserts nothing.

    python benchmarks/bench_check.py [--runs 7] [--model NAME]

1. Cold: wall time of `msglint examples/draft.txt --no-server` in a fresh process, against
   `python -c "import spacy; spacy.load(MODEL)"` on the same machine (median of N runs).
   Target: at most 10% on top of the bare model load. Also against the load msglint itself
   does (without the components it does not use): what msglint's own work costs.
2. Warm: per-draft time once the pipeline is loaded, for a three-sentence draft.
   Target: under 10 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DRAFT = REPO / "examples" / "draft.txt"
THREE_SENTENCES = "hey, do you miss me? i cant stop thinking about you. answer me tonight or we're done"


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# Installed packages normally have compiled bytecode; with PYTHONDONTWRITEBYTECODE set (as
# on some CI machines) every start would recompile spaCy and msglint from source. Both
# commands get the same private bytecode cache, warmed by the first run.
_PYCACHE = tempfile.mkdtemp(prefix="msglint-bench-pycache-")


def timed(cmd: list[str], runs: int) -> list[float]:
    times = []
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPYCACHEPREFIX": _PYCACHE}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--model", default=None)
    args = ap.parse_args()

    from linter.nlp import available_model

    model = available_model(args.model)
    msglint = [sys.executable, "-m", "linter"]
    check_cmd = [*msglint, str(DRAFT), "--model", model]
    # The pre-send server, when present, must not serve this: we measure the cold path.
    help_text = subprocess.run([*msglint, "check", "--help"], capture_output=True, text=True).stdout
    if "--no-server" in help_text:
        check_cmd.append("--no-server")
    bare = [sys.executable, "-c", f"import spacy; spacy.load({model!r})"]
    # msglint loads the model without the components it does not use: the same load on its
    # own shows what msglint's own work (imports, rules, engine, lint, output) costs.
    from linter.nlp import UNUSED_COMPONENTS

    bare_same = [sys.executable, "-c", f"import spacy; spacy.load({model!r}, exclude={list(UNUSED_COMPONENTS)!r})"]

    timed(bare, 1)  # warm the OS file cache and the bytecode cache for all
    timed(check_cmd, 1)
    # Interleaved, so that load from elsewhere on the machine hits all alike.
    t_bare, t_same, t_check = [], [], []
    for _ in range(args.runs):
        t_bare += timed(bare, 1)
        t_same += timed(bare_same, 1)
        t_check += timed(check_cmd, 1)
    mb, ms, mc = statistics.median(t_bare), statistics.median(t_same), statistics.median(t_check)

    from linter.api import get_engine

    engine = get_engine()
    engine.lint(THREE_SENTENCES)
    n = 300
    t0 = time.perf_counter()
    for _ in range(n):
        engine.lint(THREE_SENTENCES)
    per_draft = (time.perf_counter() - t0) / n

    print(f"machine: {cpu_name()}, {os.cpu_count()} cores, Python {platform.python_version()}, model {model}")
    print("bytecode: both commands use one warmed bytecode cache (PYTHONPYCACHEPREFIX), as installed packages do")
    print(f"cold: spacy.load alone     median {mb * 1000:7.0f} ms  (runs: {', '.join(f'{t * 1000:.0f}' for t in t_bare)})")
    print(f"cold: msglint's own load   median {ms * 1000:7.0f} ms  (runs: {', '.join(f'{t * 1000:.0f}' for t in t_same)})  components {', '.join(UNUSED_COMPONENTS)} excluded")
    print(f"cold: msglint draft.txt    median {mc * 1000:7.0f} ms  (runs: {', '.join(f'{t * 1000:.0f}' for t in t_check)})")
    print(f"cold overhead: {100 * (mc / mb - 1):+.1f}% over spacy.load (target: at most +10%); {100 * (mc / ms - 1):+.1f}% ({(mc - ms) * 1000:.0f} ms) over the same load msglint does")
    print(f"warm: per three-sentence draft {per_draft * 1000:.2f} ms over {n} runs (target: under 10 ms)")


if __name__ == "__main__":
    main()
