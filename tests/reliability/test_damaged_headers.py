"""A damaged message header is a counted skip, never more text for the previous sender."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from linter.chats import ChatImportError, load_chat
from linter.chats.header_shape import NAME_COLON, HeaderShape, skeleton
from linter.cli import main

from conftest import SHARED, needs_shared

CORPUS = SHARED / "corpus-real" / "chats"
DAMAGED = "damaged message header"

# Lines people really write inside a message: each must stay a continuation whatever the
# file's header layout.
CONTINUATIONS = [
    "10:30 works for me",
    "10:30 - standup: room 4",
    "12/31 is fine",
    "12/31 - NYE: at Marco's",
    "12/31 at 10:30 - dinner: pasta",
    "31.12. um 20 Uhr: Essen",
    "12.5.2023 - Abgabe: Bericht",
    "2023-12-31 was the day",
    "1. eggs",
    "2. milk: the oat one",
    "3/4 cup flour",
    "24/7: always",
    "1/2/3: go!",
    "12/31/23 was the date",
    "12/31/23, 10:00 works for you?",
    "12/31/2023 10am - party: yes",
    "5 stars: would date again",
    "0800 123 456: call them",
    "[1] footnote: yes",
    "[link](https://example.com)",
    "[12:30] the time: noted",
    "10/10 would recommend",
    "2:1 final score",
]

# (layout of the file's real headers, damaged header lines in that layout)
LAYOUTS = {
    "android-us": ("12/30/23, 9:15 AM - Sam: ", [
        "12/31/2O23, 10:0x AM - Sam: hey",  # letters where digits were
        "12/31, 10:00 AM - Sam: hey",  # a date field lost
        "12/31/23, 10:00 AM -Sam: hey",  # a space of " - " lost
        "12/31/23, 10:00 AM -- Sam: hey",
    ]),
    "android-eu": ("30/12/2023, 09:15 - Sam: ", [
        "31/12/2O23, 10:00 - Sam: hey",
        "31/12/2023, 1O:00 - Sam: hey",
        "31/12, 10:00 - Sam: hey",
        "31/12/2023, 10:0 - Sam:hey",
    ]),
    "german": ("30.12.23, 09:15 - Sam: ", [
        "31.12.2З, 10:00 - Sam: hey",  # a Cyrillic Ze for the 3
        "31.12, 10:00 - Sam: hey",
    ]),
    "ios": ("[30/12/2023, 09:15:00] Sam: ", [
        "[31/12/2023, 10:00:00 Sam: hey",  # closing bracket lost
        "31/12/2023, 10:00:00] Sam: hey",  # opening bracket lost
        "[31/12/2O23, 10:00:00] Sam: hey",
        "[31/12/2023, 10:00:0] Sam: hey",  # a digit lost
    ]),
}


def _export(tmp_path: Path, layout: str, middle: list[str]) -> Path:
    head, _ = LAYOUTS[layout]
    path = tmp_path / f"{layout}.txt"
    path.write_text(f"{head}first\n" + "".join(f"{line}\n" for line in middle) + f"{head.replace('Sam', 'Alex')}last\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_continuation_lines_stay_continuations(tmp_path, layout):
    chat = load_chat(_export(tmp_path, layout, CONTINUATIONS))
    msgs = list(chat)
    assert chat.skipped == [] and chat.system_lines == []
    assert [m.text for m in msgs] == ["first\n" + "\n".join(CONTINUATIONS), "last"]


@pytest.mark.parametrize("layout, line", [(k, line) for k, (_, lines) in LAYOUTS.items() for line in lines])
def test_a_damaged_header_is_its_own_skipped_entry(tmp_path, layout, line):
    path = _export(tmp_path, layout, [line, "and the line after it"])
    chat = load_chat(path)
    msgs = list(chat)
    assert [m.text for m in msgs] == ["first", "last"]  # nothing glued onto Sam's first message
    assert [(s.line, s.reason) for s in chat.skipped] == [(2, DAMAGED)]
    assert chat.skipped[0].text == f"{line}\nand the line after it"
    assert chat.entries == 3
    with pytest.raises(ChatImportError, match=r":2: skipped \(damaged message header\); --strict"):
        list(load_chat(path, strict=True))


def test_header_that_lost_the_colon_after_a_known_name(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text("31.12.23 09:59 - Sam: hi\n31.12.23 10:00 - Sam hey\n31.12.23 10:01 - Alex: ok\n"
                    "31.12.23 10:02 - Someone new hey\n", encoding="utf-8")
    chat = load_chat(path)
    assert [m.text for m in chat] == ["hi", "ok"]
    assert [(s.line, s.reason) for s in chat.skipped] == [(2, DAMAGED), (4, "unrecognised system line")]


def test_control_characters_are_a_skipped_line_not_message_text(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text("12/31/23, 10:00 - Sam: hey\n\x00\x01 garbage\nstill Sam\n12/31/23, 10:05 - Alex: hi\n", encoding="utf-8")
    chat = load_chat(path)
    assert [m.text for m in chat] == ["hey\nstill Sam", "hi"]
    assert [(s.line, s.reason) for s in chat.skipped] == [(2, "damaged line (control characters)")]


def test_hostile_long_lines_are_read_not_matched_forever(tmp_path):
    path = tmp_path / "chat.txt"
    long_notice = "12/31/23, 10:01 - " + " added " * 40_000
    long_body = "12/31/2O23, 10:0x - Sam: " + "9" * 200_000
    path.write_text(f"12/31/23, 10:00 - Sam: hey\n{long_body}\n{long_notice}\n12/31/23, 10:02 - Alex: hi\n", encoding="utf-8")
    chat = load_chat(path)
    assert [m.text for m in chat] == ["hey", "hi"]
    assert [(s.line, s.reason) for s in chat.skipped] == [(2, DAMAGED), (3, "unrecognised system line")]


def test_review_summary_counts_the_damaged_header(tmp_path):
    path = _export(tmp_path, "android-eu", ["31/12/2O23, 10:00 - Sam: hey"])
    result = CliRunner().invoke(main, ["review", str(path), "--me", "Alex", "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)["summary"]
    assert summary["skipped"] == 1 and summary["messages_read"] == 2
    assert summary["entries"] == summary["messages_read"] + summary["system_lines"] + summary["skipped"]


# ---------------------------------------------------------------- Signal and iMessage


def test_signal_damaged_headers_and_continuations(tmp_path):
    path = tmp_path / "chat.md"
    body = "\n".join(CONTINUATIONS)
    path.write_text(
        f"[2019-05-29, 15:04] Sam: first\n{body}\n"
        "[2019-05-29, 15:05 Sam: lost bracket\nits second line\n"
        "[2019-O5-29, 15:06] Alex: glitch\n"
        "[2019-05-29, 15:07] Alex: (This message was deleted)\n"
        "[2019-05-29, 15:08] Alex: last\n",
        encoding="utf-8",
    )
    chat = load_chat(path)
    msgs = list(chat)
    assert chat.format == "signal"
    assert [m.text for m in msgs] == ["first\n" + body, "last"]
    n = len(CONTINUATIONS)
    assert [(s.line, s.reason, s.text) for s in chat.skipped] == [
        (n + 2, DAMAGED, "[2019-05-29, 15:05 Sam: lost bracket\nits second line"),
        (n + 4, DAMAGED, "[2019-O5-29, 15:06] Alex: glitch"),
    ]
    assert [(s.line, s.kind) for s in chat.system_lines] == [(n + 5, "deleted message")]


def test_imessage_damaged_timestamp_takes_its_sender_and_body_along(tmp_path):
    path = tmp_path / "Sam.txt"
    path.write_text(
        "May 17, 2022  5:29:42 PM\nMe\nfirst\nDec 25, 2022 was fun\nMay 17, 2022 at 5:29 PM works\n\n"
        "May 17, 2O22  5:30:42 PM\nSam\nglitched\n\n"
        "May 17 2022  5:31:42 PM\nSam\nno comma\n\n"
        "May 17, 2022  5:32:42 PM You renamed the conversation to Us\n\n"
        "May 17, 2022  5:33:42 PM\nSam\nlast\n",
        encoding="utf-8",
    )
    chat = load_chat(path)
    msgs = list(chat)
    assert [(m.sender, m.text) for m in msgs] == [
        ("Me", "first\nDec 25, 2022 was fun\nMay 17, 2022 at 5:29 PM works"), ("Sam", "last"),
    ]
    assert [(s.line, s.reason, s.text) for s in chat.skipped] == [
        (7, DAMAGED, "May 17, 2O22  5:30:42 PM\nSam\nglitched"),
        (11, DAMAGED, "May 17 2022  5:31:42 PM\nSam\nno comma"),
    ]
    assert [(s.line, s.kind) for s in chat.system_lines] == [(15, "group change")]


# ---------------------------------------------------------------- the shape test itself


def test_skeleton_reads_glitched_digits_and_counts_them():
    assert skeleton("12/31/23, 10:00 - ") == ("9/9/9, 9:9 - ", 0)
    assert skeleton("12/31/2O23, 10:0x - ") == ("9/9/9, 9:9 - ", 2)
    assert skeleton("[3/6/18 1:55:00 p.\u00a0m.] ") == ("[9/9/9 9:9:9 a. a.] ", 0)


def test_three_defects_are_not_most_of_the_shape():
    shape = HeaderShape(NAME_COLON, ["12/31/23, 10:00 - "])
    assert shape.damaged("12/31/2O23, 10:0x - Sam: hey")
    assert not shape.damaged("12/31/2O23, 1x:0x - Sam: hey")
    assert not shape.damaged("12/31, 10:00 Sam: hey")
    assert not shape.damaged("12/31/2O23, 10:0x - Sam hey")  # no "Name:" either


@needs_shared("corpus-real", "chats")
@pytest.mark.parametrize("folder", ["whatsapp", "signal", "imessage"])
def test_no_real_line_is_taken_for_a_damaged_header(folder):
    files = sorted(p for p in (CORPUS / folder).iterdir() if p.is_file())
    assert files
    for path in files:
        chat = load_chat(path)
        list(chat)
        assert [s for s in chat.skipped if s.reason.startswith("damaged")] == [], path.name


@needs_shared("corpus-real", "chats")
def test_no_real_continuation_line_has_a_header_shape():
    # Stronger than the import: every non-header line of every real WhatsApp export, tested
    # against every header layout the corpus has.
    from linter.chats.whatsapp import clean_start
    from linter.chats.whatsapp_header import match_header

    shape = HeaderShape(NAME_COLON)
    others = []
    for path in sorted((CORPUS / "whatsapp").iterdir()):
        for raw in path.read_text(encoding="utf-8-sig").splitlines():
            header = match_header(clean_start(raw))
            if header is None:
                others.append(clean_start(raw))
            else:
                shape.learn(header.stamp)
    assert len(others) > 10
    assert [line for line in others if shape.damaged(line)] == []
