"""Benchmark `msglint review` on a generated 50,000-message WhatsApp export.

    .venv/bin/python benchmarks/bench_review.py [--messages 50000] [--keep DIR]

Prints figures, asserts nothing (speed is not a test). Measures, each in a fresh
subprocess so model loading is counted the same way on both sides:

1. throughput of `msglint review EXPORT --me Sam --format json` against raw `nlp.pipe`
   over the same texts (your messages, split into lines exactly as the engine parses them),
   with the same model and components (`linter.nlp.load`);
2. `--jobs 2` against `--jobs 1`;
3. peak memory (max RSS of the process tree, from `os.wait4`'s rusage, the per-child
   form of `getrusage(RUSAGE_CHILDREN)`), at 10,000 and 50,000 messages to show it is flat.

Targets: review >= 80% of raw throughput; --jobs 2 >= 1.6x --jobs 1; peak < 500 MB.

`--case sms`, `--case chatdb` (`--case sources`: both) measure instead `review FILE --with
NAME` on a ~1 GB SMS Backup & Restore XML and a 500,000-message chat.db, at full and quarter
size (`--sms-size`, `--chatdb-messages`); the code is in bench_review_sources.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
MSGLINT = [PYTHON, "-m", "linter"]

# Everyday lines with slots, most harmless; about 6% are the mistakes msglint looks for.
# Slots and small variations keep longer messages from repeating verbatim, as in real chats.
PLACES = ["the ramen place on 5th", "the climbing gym", "Nora's", "the farmers market", "the old arcade", "the lake", "the office", "the train station", "the bakery on Elm", "your sister's", "the dog park", "the new cinema", "Marco's bar", "the library", "the bike shop"]
THINGS = ["the blue jacket", "my charger", "the cat's vet papers", "the spare key", "the Bluetooth speaker", "your headphones", "the tent", "that book about octopuses", "the big pan", "my passport", "the yoga mat", "the printer cable"]
PEOPLE = ["Jess", "Marco", "your mum", "Priya", "the neighbours", "Tom and Ana", "my brother", "Leo", "Sofia", "the landlord", "Dev", "Grandpa", "Kim from work"]
FOODS = ["tacos", "pho", "pizza", "dumplings", "that awful kale salad", "pancakes", "curry", "burritos", "sushi", "falafel"]
DAYS = ["tomorrow", "on Friday", "this weekend", "next week", "tonight", "on Sunday morning", "after work", "on Tuesday", "at lunch"]
TAILS = ["", "", "", " lol", " haha", "!", " btw", " 😂", " tbh", "?", " 🙃", " anyway"]

HARMLESS = [
    "did you see {people} at {place}?",
    "I'm at {place}, they finally fixed the sign",
    "can you drop off {thing} {day}? no rush",
    "{people} says hi",
    "we're getting {food} {day} if you want to come",
    "just saw a dog that looked exactly like Biscuit near {place}",
    "the game last night was unreal, that goal in minute {n}",
    "do you still have {thing}?",
    "happy birthday!! hope {people} spoil you",
    "I finished the book, chapter {n} was wild",
    "good luck with the interview {day}",
    "yes, {day} works for me",
    "I'll leave {thing} with {people}",
    "traffic on the bridge is killing me, {n} minutes and counting",
    "did you ever find {thing}?",
    "how did the move go?",
    "{place} has a new menu, the {food} is actually good",
    "sure, text me when you land",
    "congrats on the new job!",
    "I think {people} took {thing} by mistake",
    "bus {n} is late again, I'll be at {place} in a bit",
    "{people} and I are doing {food} {day}, you in?",
    "the plumber says it's {n} euros just to look at it",
    "found {thing} behind the sofa, of all places",
    "is {place} open {day}?",
    "my phone is at {n}% so if I vanish that's why",
    "{people} asked about you, I said you're doing great",
    "reminder that {people}'s party is {day}",
]
SHORT = ["haha yes", "ok sounds good", "lol", "ok", "yes!", "no worries at all", "thanks!", "haha", "omg", "same", "👍", "good night", "on my way", "sure"]
FLAGGABLE = [
    "do you miss me?",
    "are you seeing someone?",
    "why aren't you replying??",
    "I can't stop thinking about you",
    "please give me one more chance",
    "if you cared about me at all you'd call",
    "answer me",
    "we need to talk",
    "I saw your Instagram story last night",
    "hey",
    "you ruined my life",
    "I've been crying every night since you left",
]


def _fill(template: str, rng: random.Random) -> str:
    return template.format(place=rng.choice(PLACES), thing=rng.choice(THINGS), people=rng.choice(PEOPLE), food=rng.choice(FOODS), day=rng.choice(DAYS), n=rng.randint(2, 99))


def _line(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.06:
        text = rng.choice(FLAGGABLE)
    elif roll < 0.35:
        return rng.choice(SHORT)
    else:
        text = _fill(rng.choice(HARMLESS), rng) + rng.choice(TAILS)
    if rng.random() < 0.05:
        text += "\n" + _fill(rng.choice(HARMLESS), rng)
    return text


def generate_export(path: Path, messages: int, seed: int = 7) -> None:
    """A WhatsApp (Android, dd/mm/yyyy 24h) export between Sam and Alex."""
    rng = random.Random(seed)
    t = datetime(2021, 1, 3, 9, 0)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"{t:%d/%m/%Y}, {t:%H:%M} - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.\n")
        sender = "Sam"
        for _ in range(messages):
            # Mostly a back-and-forth; sometimes the same person again (double texts).
            if rng.random() < 0.75:
                sender = "Alex" if sender == "Sam" else "Sam"
            # Minutes: quick back-and-forth mostly, sometimes hours, now and then a day.
            low, high = rng.choices([(0, 3), (1, 20), (5, 120), (120, 1500)], weights=[35, 35, 25, 5])[0]
            gap = rng.randint(low, high)
            t += timedelta(minutes=gap)
            if rng.random() < 0.02:
                fh.write(f"{t:%d/%m/%Y}, {t:%H:%M} - {sender}: <Media omitted>\n")
                continue
            fh.write(f"{t:%d/%m/%Y}, {t:%H:%M} - {sender}: {_line(rng)}\n")


def run(cmd: list[str], stdout_path: Path | None = None) -> dict:
    """Wall seconds, CPU seconds (user+sys) and peak RSS (KiB, largest process of the tree)
    of one command, from os.wait4's rusage of that child."""
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, cwd=REPO)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if stdout_path:
        out.close()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss, "status": proc.returncode}


def best(runs: list[dict]) -> dict:
    """The fastest of repeated runs (the one least disturbed by other load), peak of all."""
    fastest = min(runs, key=lambda r: r["wall"])
    return {**fastest, "rss": max(r["rss"] for r in runs)}


RAW = r"""
import json, sys, time
from linter.nlp import load
from linter.rules.engine import line_spans
nlp = load()
texts = json.load(open(sys.argv[1], encoding="utf-8"))
lines = [t[a:b] for t in texts for a, b in line_spans(t)]
start = time.perf_counter()
for doc in nlp.pipe(lines, batch_size=256):
    pass
print(json.dumps({"pipe_seconds": time.perf_counter() - start, "lines": len(lines)}))
"""


# msglint review with its cache of already-linted texts turned off: every message parsed,
# for the like-for-like comparison with raw nlp.pipe.
NO_CACHE = [PYTHON, "-c", "import sys, linter.review.run as r; r.CACHE_TEXTS = 0; sys.argv[0] = 'msglint'; from linter.cli import run; run()"]


def own_texts(export: Path) -> list[str]:
    sys.path.insert(0, str(REPO))
    from linter.chats import load_chat

    return [m.text for m in load_chat(export) if m.sender == "Sam" and m.text.strip()]


def cpu_info() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = next((line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name")), "?")
    except (OSError, subprocess.CalledProcessError):
        model = "?"
    return f"{model}, {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=1, help="run each measurement N times, keep the fastest")
    parser.add_argument("--keep", type=Path, help="keep the generated exports in this directory")
    parser.add_argument("--case", choices=("whatsapp", "sms", "chatdb", "sources"), default="whatsapp",
                        help="whatsapp: the comparison above (default); sms, chatdb, sources: see bench_review_sources.py")
    from bench_review_sources import add_options, run_cases

    add_options(parser)
    args = parser.parse_args()
    if args.case != "whatsapp":
        args.only = None if args.case == "sources" else args.case
        run_cases(args)
        return

    with tempfile.TemporaryDirectory(prefix="msglint-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        export = work / "WhatsApp Chat with Alex.txt"
        small = work / "small.txt"
        generate_export(export, args.messages)
        generate_export(small, args.messages // 5, seed=8)
        texts = own_texts(export)
        texts_path = work / "texts.json"
        texts_path.write_text(json.dumps(texts), encoding="utf-8")
        distinct = len(set(texts))
        print(f"machine: {cpu_info()}; python {sys.version.split()[0]}; load average at start {os.getloadavg()[0]:.2f}")
        print(f"export: {args.messages:,} messages, {len(texts):,} of them Sam's with text ({distinct:,} distinct), {export.stat().st_size / 1e6:.1f} MB")

        review = [*MSGLINT, "review", str(export), "--me", "Sam", "--format", "json", "--no-progress"]
        uncached = [*NO_CACHE, *review[len(MSGLINT):]]
        raws, j1s, j2s, n1s, n2s = [], [], [], [], []
        for _ in range(args.repeat):  # interleaved, so a burst of other load hits all alike
            raws.append(run([PYTHON, "-c", RAW, str(texts_path)], work / "raw.json"))
            raws[-1]["pipe"] = json.loads((work / "raw.json").read_text())["pipe_seconds"]
            j1s.append(run([*review, "--jobs", "1"], work / "review1.json"))
            j2s.append(run([*review, "--jobs", "2"], work / "review2.json"))
            n1s.append(run([*uncached, "--jobs", "1"], work / "nocache1.json"))
            n2s.append(run([*uncached, "--jobs", "2"], work / "nocache2.json"))
        raw, j1, j2, n1, n2 = best(raws), best(j1s), best(j2s), best(n1s), best(n2s)
        startup = best([run([PYTHON, "-c", "import linter.cli, linter.review.run; from linter.api import get_engine; get_engine()"]) for _ in range(args.repeat)])
        small_run = run([*MSGLINT, "review", str(small), "--me", "Sam", "--format", "json", "--no-progress"], work / "small.json")
        first = json.loads((work / "review1.json").read_text())
        same = all(first["findings"] == json.loads((work / name).read_text())["findings"] for name in ("review2.json", "nocache1.json", "nocache2.json"))
        summary = first["summary"]
        n = len(texts)

        def line(name: str, r: dict, extra: str = "") -> None:
            print(f"{name:22} {r['wall']:7.1f} s wall {r['cpu']:7.1f} s cpu {n / r['wall']:7.0f} msg/s  peak {r['rss'] / 1024:5.0f} MB{extra}")

        print()
        line("raw nlp.pipe", raw, f"   ({raw['pipe']:.1f} s in nlp.pipe itself)")
        line("review --jobs 1", j1, f"   exit {j1['status']}")
        line("review --jobs 2", j2)
        line("  no text cache, -j 1", n1)
        line("  no text cache, -j 2", n2, f"   same findings in all four: {same}")
        line("start-up (load only)", startup)
        print(f"{'review, 1/5 the size':22} {small_run['wall']:7.1f} s wall {'':21} peak {small_run['rss'] / 1024:5.0f} MB")
        print()
        print(f"review / raw throughput, wall:                {raw['wall'] / j1['wall']:6.1%}  (target >= 80%; {distinct / n:.0%} of the texts are distinct)")
        print(f"  without the text cache, wall / cpu:         {raw['wall'] / n1['wall']:6.1%} / {raw['cpu'] / n1['cpu']:.1%}")
        print(f"  without the cache, model load taken out:    {raw['pipe'] / (n1['wall'] - startup['wall']):6.1%}")
        print(f"--jobs 2 speed-up over --jobs 1 (wall):       {j1['wall'] / j2['wall']:6.2f}x (target >= 1.6x); without the cache {n1['wall'] / n2['wall']:.2f}x")
        print(f"peak memory --jobs 1 / --jobs 2 / 1/5 size:   {j1['rss'] / 1024:.0f} / {j2['rss'] / 1024:.0f} / {small_run['rss'] / 1024:.0f} MB (target < 500 MB)")
        print(f"load average at end: {os.getloadavg()[0]:.2f} (the figures are only comparable on an otherwise idle machine)")
        print(f"findings: {summary['findings']:,} in {summary['flagged_messages']:,} messages; {summary['by_category']}")


if __name__ == "__main__":
    main()
