"""Format detection by structure: the clear winner is chosen, a near miss is refused with
one line saying what the file looks like instead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from linter.chats import FORMATS, ChatImportError, detect_format, load_chat
from linter.cli import main

DISCORD = Path(__file__).parent / "fixtures" / "chats" / "discord"
RULE = "=" * 62
PROSE = [
    "I keep thinking about what you said at the station.",
    "Maybe it was the tiredness, maybe it was the rain.",
    "Either way I wanted to write it down before it fades.",
    "There is no need to answer any of this.",
]


def refusal(path: Path) -> str:
    with pytest.raises(ChatImportError) as info:
        detect_format(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    assert "--input-format" in message and all(name in message for name in FORMATS)
    return message


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- the right winner


def test_discord_txt_is_discord_not_whatsapp():
    assert detect_format(DISCORD / "book_club.txt") == "discord"
    assert detect_format(DISCORD / "old_default.txt") == "discord"


def test_discord_csv_is_discord_not_generic_csv():
    assert detect_format(DISCORD / "book_club.csv") == "discord"


def test_discord_txt_with_whatsapp_like_content_is_still_discord(tmp_path):
    body = "".join(f"[1/14/2024 9:0{i} PM] sam\n1/14/24, 21:0{i} - Sam: quoting an old chat\n\n\n" for i in range(5))
    path = write(tmp_path, "c.txt", f"{RULE}\nGuild: G\nChannel: c\n{RULE}\n\n{body}")
    assert detect_format(path) == "discord"


def test_whatsapp_with_an_imessage_like_line_in_a_message_is_whatsapp(tmp_path):
    lines = [f"12/31/23, 10:0{i} - Sam: line {i}" for i in range(8)]
    lines.insert(3, "May 17, 2022  5:29:42 PM")  # pasted into a message
    assert detect_format(write(tmp_path, "c.txt", "\n".join(lines) + "\n")) == "whatsapp"


def test_whatsapp_with_long_multiline_messages_is_still_whatsapp(tmp_path):
    chunks = [f"12/31/23, 10:0{i} - Sam: a long letter\n" + "\n".join(PROSE * 4) + "\n" for i in range(3)]
    path = write(tmp_path, "c.txt", "".join(chunks))
    assert detect_format(path) == "whatsapp"  # 3 headers in 51 lines, the first line one of them


def test_one_message_whatsapp_file_is_whatsapp(tmp_path):
    assert detect_format(write(tmp_path, "c.txt", "12/31/23, 10:00 - Sam: hey\n")) == "whatsapp"


# ---------------------------------------------------------------- near misses are refused


def test_one_whatsapp_like_line_in_200_lines_of_prose_is_not_whatsapp(tmp_path):
    lines = [f"day {i}: nothing new" for i in range(199)]  # 200 short lines fit the sniffed 8 KB
    lines.insert(120, "12/31/23, 10:00 - Sam: this line happens to look like a header")
    message = refusal(write(tmp_path, "letter.txt", "\n".join(lines) + "\n"))
    assert "only 1 of 200 non-blank lines look like WhatsApp message headers" in message


def test_a_few_headers_not_at_the_top_are_not_enough(tmp_path):
    lines = [PROSE[i % len(PROSE)] for i in range(60)]
    lines[30] = "12/31/23, 10:00 - Sam: one"
    lines[40] = "12/31/23, 10:01 - Sam: two"
    message = refusal(write(tmp_path, "essay.txt", "\n".join(lines) + "\n"))
    assert "only 2 of 60" in message


def test_plain_prose_is_named(tmp_path):
    message = refusal(write(tmp_path, "draft.txt", "\n\n".join(PROSE) + "\n"))
    assert "looks like plain prose" in message


def test_discord_html_export_is_named(tmp_path):
    html = ('<!DOCTYPE html>\n<html lang="en">\n<head><title>G - c</title></head>\n<body>\n'
            '<div class="preamble"></div>\n<div class="chatlog">\n<div class="chatlog__message-group">\n')
    message = refusal(write(tmp_path, "c.html", html))
    assert "looks like a DiscordChatExporter HTML export" in message


def test_email_and_mbox_are_named(tmp_path):
    mbox = ("From sam@example.com Mon Jan 15 10:00:00 2024\nFrom: Sam <sam@example.com>\n"
            "To: alex@example.com\nSubject: hello\n\nHi Alex,\n")
    assert "looks like an email/mbox" in refusal(write(tmp_path, "inbox.mbox", mbox))
    eml = "Return-Path: <sam@example.com>\nFrom: Sam <sam@example.com>\nTo: a@b.c\nSubject: x\n\nbody\n"
    assert "looks like an email/mbox" in refusal(write(tmp_path, "note.eml", eml))


def test_json_of_an_unknown_shape_names_its_keys(tmp_path):
    path = write(tmp_path, "data.json", json.dumps({"users": [], "settings": {"x": 1}}))
    assert "JSON of an unknown shape with keys 'users', 'settings'" in refusal(path)
    path = write(tmp_path, "pretty.json", json.dumps({"users": [], "settings": {"x": 1}}, indent=2))
    assert "JSON of an unknown shape with keys 'users', 'settings'" in refusal(path)
    path = write(tmp_path, "list.json", json.dumps([{"who": "a", "said": "b"}]))
    assert "the first with keys 'who', 'said'" in refusal(path)


def test_discord_txt_messages_without_the_header_block_say_what_is_missing(tmp_path):
    body = "".join(f"[1/14/2024 9:0{i} PM] sam\nhello {i}\n\n\n" for i in range(4))
    message = refusal(write(tmp_path, "c.txt", body))
    assert "looks like DiscordChatExporter TXT messages, but no ==== block with Guild: and Channel:" in message


def test_a_table_without_a_text_column_is_named(tmp_path):
    path = write(tmp_path, "t.txt", "when,who,what\n1,a,b\n2,c,d\n")
    assert "looks like a table with columns when, who, what" in refusal(path)


def test_two_formats_equally_present_are_refused_not_guessed(tmp_path):
    lines = []
    for i in range(4):
        lines += [f"12/31/23, 10:0{i} - Sam: hi {i}", f"May 17, 2022  5:29:4{i} PM", "Me", "Hello"]
    message = refusal(write(tmp_path, "mixed.txt", "\n".join(lines) + "\n"))
    assert "WhatsApp" in message and "imessage-exporter" in message


def test_load_chat_refuses_with_the_same_line(tmp_path):
    path = write(tmp_path, "draft.txt", "\n\n".join(PROSE) + "\n")
    with pytest.raises(ChatImportError, match="looks like plain prose"):
        load_chat(path)


def test_cli_refusal_is_one_line_and_exit_2(tmp_path):
    path = write(tmp_path, "draft.txt", "\n\n".join(PROSE) + "\n")
    result = CliRunner().invoke(main, ["review", str(path), "--me", "Sam"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "looks like plain prose" in lines[0]
