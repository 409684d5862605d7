"""Benchmark `msglint review FILE --with NAME` on large multi-conversation sources.

    .venv/bin/python benchmarks/bench_review_sources.py [--sms-size 1G] [--chatdb-messages 500000]
        [--only sms|chatdb] [--import-only] [--keep DIR]
    .venv/bin/python benchmarks/bench_review.py --case sms|chatdb|sources [--sms-size ...]  (the same)

Two sources, each generated into a temporary directory (removed afterwards) at full size
and at a quarter of it, to show what memory grows with (the chosen conversation, not the file):

1. an SMS Backup & Restore XML of about 1 GB: sms elements in both directions with several
   contacts, and every 40th message an mms whose base64 image data makes up most of the
   bytes (the importer streams it and drops the data unread);
2. a macOS Messages chat.db of 500,000 messages (tests/test_chatdb.py's schema), text in
   the `text` column or, as newer macOS writes it, only in `attributedBody`.

Each review runs in a fresh subprocess; throughput is the chosen conversation's messages
per wall second (model loading included), peak memory the review's ru_maxrss (os.wait4,
taken by a small process of its own: see MEASURE). `--import-only` times the importer alone
(streaming the conversation, keeping nothing) instead. Prints, asserts nothing.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from bench_review import MSGLINT, PYTHON, REPO, _line, cpu_info  # noqa: E402
from test_chatdb import APPLE_EPOCH, SCHEMA  # noqa: E402
from test_typedstream import attributed_body  # noqa: E402

ALEX = ("+1 (555) 010-2233", "Alex")
OTHERS = [(f"+1555020{i:04d}", name) for i, name in enumerate(
    ["Mum", "Priya", "Marco", "Jess", "Dev", "Kim from work", "Leo", "Sofia", "Tom", "Grandpa"])]
START_MS = 1_600_000_000_000
SMS_BYTES_PER_MESSAGE = 2_000  # with the mms images: 1 GB holds about 500,000 messages


def _size(text: str) -> int:
    units = {"K": 10**3, "M": 10**6, "G": 10**9}
    text = text.strip().upper()
    return int(float(text[:-1]) * units[text[-1]]) if text[-1:] in units else int(text)


def generate_sms_backup(path: Path, size: int, seed: int = 11) -> int:
    """About `size` bytes; 60% of the messages with Alex. Returns Alex's message count."""
    rng = random.Random(seed)
    messages = size // SMS_BYTES_PER_MESSAGE
    mms_every = 40
    sms_bytes = 330 * messages  # an sms element with its attributes, measured
    image_b64 = max(1_000, (size - sms_bytes) * mms_every // messages)
    # A few distinct "photos"; random bytes, so nothing compresses or repeats within one.
    images = [base64.b64encode(rng.randbytes(image_b64 * 3 // 4)).decode("ascii") for _ in range(6)]
    when = START_MS
    alex = 0
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as fh:
        fh.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        fh.write("<!--File Created By SMS Backup & Restore v10.20.002 on 03/12/2026 14:00:00-->\n")
        fh.write(f'<smses count="{messages}" backup_set="bench" backup_date="{START_MS}" type="full">\n')
        for i in range(messages):
            address, name = ALEX if rng.random() < 0.6 else rng.choice(OTHERS)
            alex += name == "Alex"
            when += rng.choice((20_000, 90_000, 600_000, 3_600_000, 20_000_000))
            sent = rng.random() < 0.5
            text = _line(rng)
            if i % mms_every == 0:
                box, m_type = (2, 128) if sent else (1, 132)
                fh.write(
                    f'  <mms date="{when}" ct_t="application/vnd.wap.multipart.related" msg_box="{box}" address="{address}" '
                    f'sub="null" m_type="{m_type}" read="1" text_only="0" contact_name={quoteattr(name)}>\n'
                    '    <parts>\n'
                    '      <part seq="-1" ct="application/smil" name="null" chset="null" text="&lt;smil&gt;&lt;body&gt;'
                    '&lt;par&gt;&lt;img src=&quot;IMG.jpg&quot;/&gt;&lt;/par&gt;&lt;/body&gt;&lt;/smil&gt;" />\n'
                    f'      <part seq="0" ct="image/jpeg" name="IMG_{i}.jpg" chset="null" text="null" data="{rng.choice(images)}" />\n'
                    f'      <part seq="1" ct="text/plain" name="null" chset="106" text={quoteattr(text)} />\n'
                    '    </parts>\n'
                    '    <addrs>\n'
                    f'      <addr address="{address}" type="{151 if sent else 137}" charset="106" />\n'
                    f'      <addr address="+15559990000" type="{137 if sent else 151}" charset="106" />\n'
                    '    </addrs>\n'
                    '  </mms>\n'
                )
            else:
                fh.write(
                    f'  <sms protocol="0" address="{address}" date="{when}" type="{2 if sent else 1}" subject="null" '
                    f'body={quoteattr(text)} toa="null" sc_toa="null" service_center="null" read="1" status="-1" '
                    f'locked="0" date_sent="{when - 1000}" sub_id="1" readable_date="Sep 13, 2020 2:26:40 PM" '
                    f'contact_name={quoteattr(name)} />\n'
                )
        fh.write("</smses>\n")
    return alex


def generate_chat_db(path: Path, messages: int, seed: int = 12) -> int:
    """`messages` rows; 80% with Alex (one iMessage chat), the rest in five other chats."""
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    handles = [(1, "+15550102233"), *[(2 + i, f"+1555020{i:04d}") for i in range(5)]]
    db.executemany("INSERT INTO handle (ROWID, id, service) VALUES (?, ?, 'iMessage')", handles)
    db.executemany(
        "INSERT INTO chat (ROWID, guid, style, chat_identifier, service_name, display_name) VALUES (?, ?, 45, ?, 'iMessage', '')",
        [(rowid, f"iMessage;-;{ident}", ident) for rowid, ident in handles],
    )
    db.executemany("INSERT INTO chat_handle_join VALUES (?, ?)", [(rowid, rowid) for rowid, _ in handles])
    when = (1_600_000_000 - APPLE_EPOCH) * 1_000_000_000
    alex = 0

    def rows():
        nonlocal when, alex
        for rowid in range(1, messages + 1):
            chat = 1 if rng.random() < 0.8 else rng.randint(2, 6)
            alex += chat == 1
            when += rng.choice((20, 90, 600, 3_600, 20_000)) * 1_000_000_000
            from_me = int(rng.random() < 0.5)
            text = _line(rng)
            if rng.random() < 0.4:  # newer macOS: the text only in attributedBody
                yield (rowid, f"m{rowid}", None, attributed_body(text), 0 if from_me else chat, from_me, when, chat)
            else:
                yield (rowid, f"m{rowid}", text, None, 0 if from_me else chat, from_me, when, chat)

    batch: list[tuple] = []
    for row in rows():
        batch.append(row)
        if len(batch) == 10_000:
            _insert(db, batch)
            batch = []
    _insert(db, batch)
    db.commit()
    db.close()
    return alex


def _insert(db: sqlite3.Connection, batch: list[tuple]) -> None:
    db.executemany(
        "INSERT INTO message (ROWID, guid, text, attributedBody, handle_id, is_from_me, date, service) VALUES (?, ?, ?, ?, ?, ?, ?, 'iMessage')",
        [row[:7] for row in batch],
    )
    db.executemany("INSERT INTO chat_message_join VALUES (?, ?, ?)", [(row[7], row[0], row[6]) for row in batch])


# Measures one command from a small process of its own. Linux carries a process's peak RSS
# across exec (the child's ru_maxrss starts at the high-water mark of the memory it was
# forked or vforked from), so measured straight from this script, a review would report
# this script's own peak, e.g. after it generated a file, instead of the review's.
MEASURE = r"""
import json, os, subprocess, sys, time
out = open(sys.argv[1], "wb")
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:], stdout=out, stderr=subprocess.PIPE)
err = proc.stderr.read().decode(errors="replace")
_, status, usage = os.wait4(proc.pid, 0)
print(json.dumps({"wall": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime,
                  "rss": usage.ru_maxrss, "status": os.waitstatus_to_exitcode(status), "err": err[-2000:]}))
"""
# The report's summary, read in a process of its own for the same reason: the whole JSON
# report of 300,000 messages is large.
SUMMARY = "import json, sys; print(json.dumps(json.load(open(sys.argv[1], encoding='utf-8'))['summary']))"


def review(path: Path, work: Path, name: str) -> dict:
    out = work / f"{path.stem}.json"
    cmd = [*MSGLINT, "review", str(path), "--with", name, "--format", "json", "--no-progress"]
    done = subprocess.run([PYTHON, "-c", MEASURE, str(out), *cmd], capture_output=True, text=True, cwd=REPO, check=True)
    result = json.loads(done.stdout)
    if result["status"] not in (0, 1):
        raise SystemExit(f"command failed ({result['status']}): {' '.join(cmd)}\n{result['err']}")
    summary = subprocess.run([PYTHON, "-c", SUMMARY, str(out)], capture_output=True, text=True, check=True)
    result["summary"] = json.loads(summary.stdout)
    out.unlink()
    return result


# The importer alone, streaming the conversation without keeping it: its memory is the
# reading layer's, apart from what review holds for the context rules.
IMPORT_ONLY = (
    "import json, sys; from linter.chats import load_chat; chat = load_chat(sys.argv[1], conversation=sys.argv[2]); "
    "n = sum(1 for _ in chat); print(json.dumps({'summary': {'messages_read': n, 'entries': chat.entries}}))"
)


def import_only(path: Path, work: Path, name: str) -> dict:
    out = work / f"{path.stem}.import.json"
    done = subprocess.run([PYTHON, "-c", MEASURE, str(out), PYTHON, "-c", IMPORT_ONLY, str(path), name],
                          capture_output=True, text=True, cwd=REPO, check=True)
    result = json.loads(done.stdout)
    if result["status"] != 0:
        raise SystemExit(f"import failed: {result['err']}")
    result["summary"] = json.loads(out.read_text(encoding="utf-8"))["summary"]
    out.unlink()
    return result


def report(label: str, sizes: tuple[int, int], full: dict, quarter: dict) -> None:
    for which, size, r in (("full", sizes[0], full), ("1/4 size", sizes[1], quarter)):
        s = r["summary"]
        print(
            f"{label:18} {which:8}: {size / 1e6:6.0f} MB  "
            f"{s['messages_read']:8,} messages read ({s['entries']:,} entries)  {r['wall']:7.1f} s wall  "
            f"{r['cpu']:7.1f} s cpu  {s['messages_read'] / r['wall']:7.0f} msg/s  peak {r['rss'] / 1024:5.0f} MB"
        )


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sms-size", default="1G", help="size of the SMS backup, e.g. 1G, 250M (default 1G)")
    parser.add_argument("--chatdb-messages", type=int, default=500_000, help="messages in the chat.db (default 500,000)")
    parser.add_argument("--import-only", action="store_true", help="time the importer alone instead of review")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_options(parser)
    parser.add_argument("--only", choices=("sms", "chatdb"))
    parser.add_argument("--keep", type=Path, help="generate into this directory and keep the files")
    run_cases(parser.parse_args())


def run_cases(args: argparse.Namespace) -> None:
    """The two cases (args.only: one of them), from bench_review.py --case too."""
    size = _size(args.sms_size)
    need = (size * 1.3 if args.only != "chatdb" else 0) + (args.chatdb_messages * 250 if args.only != "sms" else 0)
    tmp = Path(tempfile.mkdtemp(prefix="msglint-bench-sources-"))
    work = args.keep or tmp
    work.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(work).free
    if free < need * 1.2:
        raise SystemExit(f"{work}: {free / 1e9:.1f} GB free, about {need / 1e9:.1f} GB needed")
    print(f"machine: {cpu_info()}; python {sys.version.split()[0]}; load average at start {os.getloadavg()[0]:.2f}")
    measure, label = (import_only, "import") if args.import_only else (review, "review")
    try:
        if args.only != "chatdb":
            full, quarter = work / "sms-full.xml", work / "sms-quarter.xml"
            alex = generate_sms_backup(full, size)
            generate_sms_backup(quarter, size // 4, seed=13)
            print(f"SMS backup: {full.stat().st_size / 1e6:,.0f} MB, {size // SMS_BYTES_PER_MESSAGE:,} messages, {alex:,} with Alex")
            report(f"sms {label}", (full.stat().st_size, quarter.stat().st_size),
                   measure(full, work, "Alex"), measure(quarter, work, "Alex"))
            for p in (full, quarter):
                p.unlink()
        if args.only != "sms":
            full, quarter = work / "chat-full.db", work / "chat-quarter.db"
            alex = generate_chat_db(full, args.chatdb_messages)
            generate_chat_db(quarter, args.chatdb_messages // 4, seed=14)
            print(f"chat.db: {full.stat().st_size / 1e6:,.0f} MB, {args.chatdb_messages:,} messages, {alex:,} with Alex")
            report(f"chat.db {label}", (full.stat().st_size, quarter.stat().st_size),
                   measure(full, work, "+15550102233"), measure(quarter, work, "+15550102233"))
        print(f"load average at end: {os.getloadavg()[0]:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
