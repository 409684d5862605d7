"""Drafts far longer than a message: time and peak memory of one lint. Prints figures;
asserts nothing.

    python benchmarks/bench_huge_draft.py [--sizes 200000,1000000] [--model NAME]

Each case runs in a fresh process (peak RSS is per process), after a warm-up lint, and
reports the peak resident memory over the loaded pipeline alone:

- one line: sentences with no line break at all (was spaCy error E088 past 1,000,000
  characters, and minutes below that);
- many lines: the same text with a line break every two sentences (was 4.6 GB at 2 MiB);
- one word: a single endless token.

The draft cap of the command line (max_draft_bytes, 64 KiB) bounds what reaches the
library from a file, stdin or the clipboard; the library itself takes any size.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys

SENTENCE = "i still think about you every day and i wonder if you miss me too. "

CHILD = r"""
import json, resource, sys, time
import linter
from linter.config import Settings
mode, size, model = sys.argv[1], int(sys.argv[2]), sys.argv[3] or None
settings = Settings(model=model)
sentence = %r
if mode == "one line":
    text = (sentence * (size // len(sentence) + 1))[:size]
elif mode == "many lines":
    pair = sentence * 2
    text = "\n".join(pair.strip() for _ in range(size // len(pair) + 1))[:size]
else:
    text = "a" * size
linter.lint("warm up: do you miss me?", settings=settings)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
found = linter.lint(text, settings=settings)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "base_mb": base / 1024, "peak_mb": peak / 1024, "findings": len(found),
                  "length": [f.message for f in found if f.category == "length"]}))
""" % SENTENCE


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="200000,1000000", help="characters per draft, comma-separated")
    ap.add_argument("--model", default="")
    args = ap.parse_args()
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"{'case':<12} {'chars':>10} {'seconds':>8} {'peak MB':>8} {'over load':>9} {'findings':>8}  length")
    for size in (int(s) for s in args.sizes.split(",")):
        for mode in ("one line", "many lines", "one word"):
            out = subprocess.run([sys.executable, "-c", CHILD, mode, str(size), args.model], capture_output=True, text=True)
            if out.returncode != 0:
                print(f"{mode:<12} {size:>10,}  failed: {out.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            length = r["length"][0].split(":", 1)[-1].split("(")[0].strip() if r["length"] else "-"
            print(f"{mode:<12} {size:>10,} {r['seconds']:>8.1f} {r['peak_mb']:>8.0f} {r['peak_mb'] - r['base_mb']:>9.0f} {r['findings']:>8,}  {length}")


if __name__ == "__main__":
    main()
