"""`msglint review`: real chat samples and hand-made exports, end to end through the CLI."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, SHARED, needs_shared
from linter.chats import load_chat
from linter.cli import main

CHATS = SHARED / "corpus-real" / "chats"
FIXTURES = REPO / "tests" / "fixtures" / "review"
SAM = FIXTURES / "whatsapp_sam.txt"
CUSTOM_CSV = FIXTURES / "custom.csv"
JSONL = FIXTURES / "chat.jsonl"

SAMPLES = sorted(p for p in CHATS.glob("*/*") if p.parent.name != "LICENSES" and p.is_file())
needs_chats = needs_shared("corpus-real", "chats")
# A sample of several conversations (a whole Telegram account) is read with the one named here.
CHOSEN = {"mehrdad__test_data.json": "Test Chat"}


def review(*args):
    return CliRunner().invoke(main, ["review", *map(str, args)], catch_exceptions=False)


def review_json(*args: str) -> dict:
    result = review(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def busiest_sender(path: Path) -> str:
    return Counter(m.sender for m in load_chat(path, conversation=CHOSEN.get(path.name)) if m.sender).most_common(1)[0][0]


# -- real samples -----------------------------------------------------------------------

@needs_chats
def test_the_samples_are_there():
    assert len(SAMPLES) >= 20, f"expected the chat samples in {CHATS}"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_sample_counts_match_the_import(path):
    chat = load_chat(path, conversation=CHOSEN.get(path.name))
    messages = list(chat)
    me = busiest_sender(path)
    chosen = ["--with", CHOSEN[path.name]] if path.name in CHOSEN else []
    data = review_json(path, "--me", me.upper(), *chosen)  # --me is case-insensitive
    summary = data["summary"]
    mine = [m for m in messages if m.sender.strip().casefold() == me.strip().casefold()]
    assert summary["me"] == me
    assert summary["format"] == chat.format
    assert summary["messages_read"] == len(messages)
    assert summary["yours"] == len(mine)
    assert summary["theirs"] == len(messages) - len(mine)
    assert summary["yours_reviewed"] + summary["yours_media_only"] == len(mine)
    assert summary["skipped"] == len(chat.skipped)
    assert sum(v["count"] for v in summary["skipped_by_reason"].values()) == len(chat.skipped)
    assert Counter(s.reason for s in chat.skipped) == Counter({k: v["count"] for k, v in summary["skipped_by_reason"].items()})
    assert sum(summary["senders"].values()) == len(messages)
    assert summary["findings"] == len(data["findings"]) == sum(summary["by_category"].values())
    for row in data["findings"]:
        assert row["sender"].casefold() == me.casefold()  # only your messages are judged
        assert row["source_line"] is not None
        assert row["message_text"][row["start"] : row["end"]] == row["text"]


@needs_chats
def test_lorem_sample_gives_a_sensible_report():
    path = CHATS / "whatsapp" / "whatstk__lorem-2000.txt"
    data = review_json(path, "--me", "Mary")
    summary = data["summary"]
    assert summary["yours"] == 496 and summary["theirs"] == 1504
    # Timed messages: the month and hour tables account for every one of yours.
    assert sum(m["yours"] for m in summary["by_month"].values()) == summary["yours"]
    assert sum(summary["your_messages_by_hour"]) == summary["yours"]
    assert sum(m["findings"] for m in summary["by_month"].values()) == summary["findings"]
    # Mary writes between 23:00 and 05:00 in this chat, and often twice in a row.
    late = [r for r in data["findings"] if r["category"] == "late-night"]
    night_hours = sum(summary["your_messages_by_hour"][h] for h in (23, 0, 1, 2, 3, 4))
    assert len(late) == night_hours > 0
    assert {"late-night", "double-text", "too-soon", "ignored-streak"} <= set(summary["by_category"])
    lines = (path.read_text(encoding="utf-8")).splitlines()
    for row in late[:20]:
        header = lines[row["source_line"] - 1]
        assert "Mary:" in header and row["timestamp"][11:16] in header


# -- a hand-made WhatsApp export -----------------------------------------------------------

def test_text_report_on_a_hand_made_whatsapp_export():
    result = review(SAM, "--me", "sam")
    assert result.exit_code == 1
    out = result.stdout
    assert 'Review of ' in out and 'as "Sam"' in out
    assert "13 read: 9 yours (8 with text reviewed, 1 media only), 4 theirs" in out
    assert "unparseable timestamp (line 12)" in out and "encryption notice (line 1)" in out
    # Each finding: file:line, time, severity, category/rule, message.
    assert "whatsapp_sam.txt:6: 2024-01-31 23:48 warning late-night/late-night-message: Sent at 23:48" in out
    assert "whatsapp_sam.txt:6: 2024-01-31 23:48 warning miss-me/" in out
    # A continuation line is part of its message; the malformed line is a warning, not lost.
    assert "whatsapp_sam.txt:10: 2024-02-03 11:15 warning double-text/" in out
    assert "whatsapp_sam.txt:12: skipped (unparseable timestamp)" in result.stderr
    # The streak across the month end (Feb 29 23:59 -> Mar 1 00:05) and the repeated text.
    assert "whatsapp_sam.txt:17: 2024-03-01 00:05 error ignored-streak/ignored-streak: 2 of your messages" in out
    assert "The same as your message of 2024-02-20 12:00" in out
    assert "Why these matter" in out and "why:" in out and "source:" in out
    assert "By month" in out and "2024-02" in out and "Worst messages" in out


def test_findings_per_category_and_months_add_up():
    summary = review_json(SAM, "--me", "Sam")["summary"]
    assert summary["by_category"]["late-night"] == 4  # 23:48, 23:49, 23:59 and 00:05
    assert summary["by_category"]["ignored-streak"] == 2
    assert set(summary["by_month"]) == {"2024-01", "2024-02", "2024-03"}
    assert summary["by_month"]["2024-02"]["yours"] == 4
    assert summary["worst_messages"][0]["source_line"] == 17


def test_fail_on_controls_the_exit_code():
    assert review(SAM, "--me", "Sam", "--fail-on", "never").exit_code == 0
    assert review(SAM, "--me", "Sam", "--fail-on", "error").exit_code == 1
    no_errors = review(SAM, "--me", "Sam", "--fail-on", "error", "--disable", "ignored-streak", "--disable", "too-soon", "--format", "json")
    data = json.loads(no_errors.stdout)
    assert no_errors.exit_code == (1 if data["summary"]["by_severity"]["error"] else 0)
    assert "ignored-streak" not in data["summary"]["by_category"]


def test_context_names_are_accepted_by_disable_and_unknown_names_are_not():
    result = review(SAM, "--me", "Sam", "--disable", "late-night", "--format", "json")
    assert "late-night" not in json.loads(result.stdout)["summary"]["by_category"]
    bad = review(SAM, "--me", "Sam", "--disable", "no-such-rule")
    assert bad.exit_code == 2 and "no-such-rule" in bad.stderr


def test_context_options_change_the_rules():
    data = review_json(SAM, "--me", "Sam", "--late-night", "01:00-02:00", "--ignored-streak", "9")
    assert "late-night" not in data["summary"]["by_category"]
    assert "ignored-streak" not in data["summary"]["by_category"]
    assert data["summary"]["late_night_window"] == ["01:00", "02:00"]
    contact = review_json(SAM, "--me", "Sam", "--no-contact-until", "2024-02-10")
    during = [r for r in contact["findings"] if r["rule"] == "during-no-contact"]
    assert {r["source_line"] for r in during} == {2, 4, 6, 7, 9, 10}  # Sam's lines from Jan 11 to Feb 9
    bursty = review_json(SAM, "--me", "Sam", "--burst-minutes", "10")
    assert not [r for r in bursty["findings"] if r["category"] == "double-text" and r["source_line"] == 17]


# -- --me ---------------------------------------------------------------------------------

def test_without_me_the_senders_are_listed_and_the_exit_is_2():
    result = review(SAM)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()[-1:]
    assert line.startswith("msglint: error:") and '"Sam" (9)' in line and '"Alex" (4)' in line and "--me" in line
    assert result.stdout == ""


def test_an_unknown_me_lists_the_senders():
    result = review(SAM, "--me", "Jordan")
    assert result.exit_code == 2
    assert "matches no sender" in result.stderr and '"Sam" (9)' in result.stderr
    assert "Traceback" not in result.output


# -- json and csv shapes ---------------------------------------------------------------

def test_json_shape():
    data = review_json(JSONL, "--me", "SAM", "--columns", "timestamp=time,sender=from,text=body")
    assert set(data) == {"summary", "findings"}
    summary = data["summary"]
    for key in ("messages_read", "yours", "theirs", "skipped", "skipped_by_reason", "findings", "by_category", "by_month", "your_messages_by_hour", "worst_messages", "context_notes"):
        assert key in summary
    assert summary["skipped_by_reason"]["not a JSON object"] == {"count": 1, "lines": [6]}
    assert summary["messages_read"] == 5 and summary["skipped"] == 2
    row = data["findings"][0]
    assert set(row) >= {"timestamp", "sender", "source_line", "category", "rule", "severity", "message", "why", "source", "suggestion", "text", "message_text"}
    assert row["timestamp"].endswith("+02:00")  # as the export wrote it
    late = [r for r in data["findings"] if r["category"] == "late-night"]
    assert [r["source_line"] for r in late] == [3, 4]  # 01:15 and 01:16 in the sender's own offset


def test_csv_shape_and_formula_cells_are_neutralised():
    result = review(CUSTOM_CSV, "--me", "sam", "--columns", "timestamp=When,sender=Who,text=Body", "--format", "csv")
    assert result.exit_code == 1
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["timestamp", "sender", "source_line", "category", "rule", "severity", "message", "text", "message_text"]
    body = [dict(zip(rows[0], r)) for r in rows[1:]]
    data = review_json(CUSTOM_CSV, "--me", "sam", "--columns", "timestamp=When,sender=Who,text=Body")
    assert len(body) == data["summary"]["findings"]
    assert {r["category"] for r in body} >= {"late-night", "double-text", "dating-question"}
    formula = [r for r in body if r["source_line"] == "7"]
    assert formula and all(r["text"].startswith("'=HYPERLINK") for r in formula)
    # Skipped rows are reported with their reason and line.
    assert "custom.csv:4: skipped (bad timestamp" in result.stderr
    assert "custom.csv:5: skipped (row has 2 fields" in result.stderr


# -- --jobs, progress, output ------------------------------------------------------------

@needs_chats
def test_jobs_2_gives_the_same_report_as_jobs_1(monkeypatch):
    import linter.review.run

    monkeypatch.setattr(linter.review.run, "CHUNK", 40)  # many chunks: order across workers matters
    path = CHATS / "whatsapp" / "whatstk__lorem-2000.txt"
    one = review(path, "--me", "Giuseppe", "--format", "json", "--jobs", "1")
    two = review(path, "--me", "Giuseppe", "--format", "json", "--jobs", "2")
    assert one.exit_code == two.exit_code
    assert json.loads(one.stdout) == json.loads(two.stdout)
    assert json.loads(one.stdout)["summary"]["findings"] > 0


def test_jobs_n_hands_chunks_to_workers_with_two_per_worker_in_flight():
    from linter.api import get_engine
    from linter.config import Settings
    from linter.messages import Message
    from linter.review.workers import LintPool as _Linter

    texts = ["do you miss me?", "answer me", "ok see you at 6", "I can't stop thinking about you"]
    chunks = [[(n * 10 + k, Message(t)) for k, t in enumerate(texts)] for n in range(6)]
    linter = _Linter(Settings(), 2)
    got, in_flight = [], []
    try:
        for chunk in chunks:
            got += [(i, found) for (i, _), found in linter.submit(chunk)]
            in_flight.append(len(linter._pending))
        got += [(i, found) for (i, _), found in linter.submit([], last=True)]
    finally:
        linter.close()
    # Every chunk goes to the pool; results are taken once more than two per worker wait.
    assert in_flight == [1, 2, 3, 4, 4, 4]
    expected = list(get_engine(Settings()).lint_many(texts))
    assert [i for i, _ in got] == [i for chunk in chunks for i, _ in chunk]  # in order
    assert all(found == expected[i % 10] for i, found in got)
    assert sum(1 for found in expected if found) == 3


def test_review_leaves_the_garbage_collector_as_it_found_it():
    import gc

    before = (gc.get_threshold(), gc.get_freeze_count())
    for jobs in ("1", "2"):
        assert review(SAM, "--me", "Sam", "--format", "json", "--jobs", jobs).exit_code in (0, 1)
        assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_texts_linted_once_give_the_same_findings_as_linting_each(tmp_path, monkeypatch):
    import linter.review.run

    lines = []
    for day in range(1, 29):
        lines.append(f"{day:02d}/02/2024, 20:00 - Sam: do you miss me?")
        lines.append(f"{day:02d}/02/2024, 20:30 - Alex: ok")
        lines.append(f"{day:02d}/02/2024, 20:31 - Sam: ok")
    path = tmp_path / "chat.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cached = review_json(path, "--me", "Sam")
    monkeypatch.setattr(linter.review.run, "CACHE_TEXTS", 0)
    assert review_json(path, "--me", "Sam") == cached
    assert cached["summary"]["by_category"]["miss-me"] == 28


def test_progress_bar_only_when_asked_or_on_a_terminal():
    quiet = review(SAM, "--me", "Sam", "--format", "json")
    assert "Reviewing" not in quiet.stderr  # CliRunner's stderr is not a terminal
    shown = review(SAM, "--me", "Sam", "--format", "json", "--progress")
    assert "Reviewing" in shown.stderr
    assert json.loads(shown.stdout) == json.loads(quiet.stdout)  # stdout untouched


def test_output_file_is_the_only_thing_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = review(SAM, "--me", "Sam")
    assert result.exit_code == 1 and list(tmp_path.iterdir()) == []
    target = tmp_path / "report.json"
    result = review(SAM, "--me", "Sam", "--format", "json", "--output", target)
    assert result.exit_code == 1 and result.stdout == ""
    assert "wrote the json report" in result.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["yours"] == 9
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


# -- exports without timestamps or senders; errors -----------------------------------------

def test_plain_text_export_reports_what_could_not_run():
    path = REPO / "tests" / "fixtures" / "chats" / "plain.txt"
    result = review(path, "--input-format", "text", "--format", "json")
    summary = json.loads(result.stdout)["summary"]
    assert summary["me"] is None and summary["yours"] == summary["messages_read"] == 3
    notes = summary["context_notes"]
    assert any("could not run: the export has no timestamps" in n for n in notes)
    assert len([n for n in notes if "no timestamps" in n]) == 1
    text = review(path, "--input-format", "text")
    assert text.stdout.count("could not run: the export has no timestamps") == 1


def test_repeated_plain_text_paragraphs_are_still_found(tmp_path):
    path = tmp_path / "drafts.txt"
    path.write_text("I found the photos from the lake trip last summer\n\nhey\n\nI found the photos from the lake trip last summer!\n", encoding="utf-8")
    data = review_json(path, "--input-format", "text")
    assert [(r["source_line"], r["category"]) for r in data["findings"] if r["category"] == "repeat"] == [(5, "repeat")]


def test_an_export_with_no_messages_is_an_error(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text("12/9/20, 23:55 - Alice created group \"x\"\n12/9/20, 23:55 - Alice added you\n", encoding="utf-8")
    result = review(path, "--me", "Alice")
    assert result.exit_code == 2
    assert "no messages found" in result.stderr and "system message" in result.stderr


@pytest.mark.parametrize(
    "args, words",
    [
        (["no-such-export.txt", "--me", "x"], "no such file"),
        ([str(SAM), "--me", "Sam", "--input-format", "telegram"], "whatsapp_sam.txt"),
        ([str(CUSTOM_CSV), "--me", "Sam", "--columns", "timestamp"], "--columns"),
        ([str(CUSTOM_CSV), "--me", "Sam", "--columns", "colour=When"], "column"),
        ([str(SAM), "--me", "Sam", "--late-night", "late"], "--late-night"),
        ([str(SAM), "--me", "Sam", "--no-contact-from", "2024-01-01"], "--no-contact-until"),
        ([str(SAM), "--me", "Sam", "--output", "/nonexistent-dir/report.txt"], "cannot write"),
    ],
)
def test_errors_are_one_line_and_exit_2(args, words):
    result = review(*args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("msglint: error:") and words in lines[-1]
    assert "Traceback" not in result.output
