"""Hostile input: every reader stops at its cap with one line, and drafts far longer than a
message are checked in bounded pieces with offsets, lines, columns and length still right."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import linter
from linter.check import History, HistoryError, load_history
from linter.chats import ChatImportError, load_chat
from linter.config import ConfigError, settings_from_dict
from linter.nlp.pieces import piece_spans
from linter.presend.clipboard import Backend, ClipboardError, read_clipboard
from linter.reader import MAX_BYTES, InputError, read_bounded, read_draft
from linter.rules import engine as engine_module
from linter.rules.checks import count_sentences

PY = sys.executable
LIMIT_LINE = "is over the 64 KiB limit for a draft; raise it with --max-bytes or max_draft_bytes in the config"




def _error_line(output: str) -> str:
    lines = [ln for ln in output.splitlines() if ln.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("msglint: error: ")
    return lines[0]


# -- reading is bounded -------------------------------------------------------------------


class _Endless(io.RawIOBase):
    """A stream that never ends and counts what was taken from it."""

    def __init__(self) -> None:
        self.taken = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = len(buffer)
        buffer[:n] = b"a" * n
        self.taken += n
        return n


def test_a_read_never_takes_more_than_one_byte_past_the_cap():
    raw = _Endless()
    data = read_bounded(io.BufferedReader(raw, buffer_size=1024), 10_000)
    assert len(data) == 10_001
    assert raw.taken <= 10_001 + 1024  # at most one buffer beyond what was asked for


def test_the_default_cap_is_one_mib_and_named_in_the_message(tmp_path):
    assert MAX_BYTES == 64 << 10
    big = tmp_path / "draft.txt"
    big.write_bytes(b"x" * (MAX_BYTES + 1))
    with pytest.raises(InputError) as exc:
        read_draft(str(big))
    assert str(exc.value) == f"{big} {LIMIT_LINE}"
    exact = tmp_path / "exact.txt"
    exact.write_bytes(b"x" * MAX_BYTES)
    assert len(read_draft(str(exact))) == MAX_BYTES


def test_stdin_over_the_cap_is_one_line_and_exit_2(run):
    result = run("-", "--no-server", "--max-bytes", "100", input=b"call me. " * 20)
    assert result.exit_code == 2
    assert _error_line(result.output) == "msglint: error: <stdin> is over the 100 bytes limit for a draft; raise it with --max-bytes or max_draft_bytes in the config"


def test_the_cap_comes_from_the_config_and_the_environment(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text("the ramen place reopened! " * 100)  # 2,600 bytes
    config = tmp_path / "msglint.toml"
    config.write_text("max_draft_bytes = 2048\n")
    result = run(str(draft), "--no-server", "--config", str(config))
    assert result.exit_code == 2
    assert "is over the 2 KiB limit for a draft" in _error_line(result.output)
    result = run(str(draft), "--no-server", env={"MSGLINT_MAX_BYTES": "1024"})
    assert result.exit_code == 2
    assert "is over the 1 KiB limit" in result.output
    # The option wins over the config.
    result = run(str(draft), "--no-server", "--config", str(config), "--max-bytes", "4096", "--format", "short")
    assert result.exit_code in (0, 1)


@pytest.mark.parametrize("value", ["1 MiB", 0, -5, True, 1.5])
def test_a_bad_cap_in_the_config_is_one_line(value):
    with pytest.raises(ConfigError, match="max_draft_bytes"):
        settings_from_dict({"max_draft_bytes": value})
    assert settings_from_dict({"max_draft_bytes": 10, "max_history_bytes": 20}).max_history_bytes == 20


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("how", ["stdin", "argument"])
def test_dev_zero_stops_at_the_cap_in_a_real_process(how):
    argv = [PY, "-m", "linter", "--no-server", "--max-bytes", "65536"]
    if how == "stdin":
        with open("/dev/zero", "rb") as zero:
            proc = subprocess.run([*argv, "-"], stdin=zero, capture_output=True, text=True, timeout=300)
    else:
        proc = subprocess.run([*argv, "/dev/zero"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    name = "<stdin>" if how == "stdin" else "/dev/zero"
    assert proc.stderr.strip() == f"msglint: error: {name} is over the 64 KiB limit for a draft; raise it with --max-bytes or max_draft_bytes in the config"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_with_the_default_cap_finishes():
    with open("/dev/zero", "rb") as zero:
        proc = subprocess.run([PY, "-m", "linter", "--no-server", "-"], stdin=zero, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"msglint: error: <stdin> {LIMIT_LINE}"


@pytest.mark.parametrize(
    "data, says",
    [
        (b"hey\x00\x00\x01\x02", "looks like a binary file (NUL byte at offset 3)"),
        (b"do you miss me\n\xc3\x28", "byte 0xc3 at offset 15 (line 2) is not valid UTF-8"),
        (b"\xed\xa0\xbd surrogate bytes", "byte 0xed at offset 0 (line 1) is not valid UTF-8"),
    ],
)
def test_binary_input_is_one_clear_line(run, data, says):
    result = run("-", "--no-server", input=data)
    assert result.exit_code == 2
    assert says in _error_line(result.output)


def test_a_nul_past_the_sniffed_head_is_linted_not_a_crash(run):
    result = run("-", "--no-server", "--format", "json", input=b"ok. " * 3000 + b"\x00 do you miss me?")
    assert result.exit_code in (0, 1)
    assert any(f["category"] == "miss-me" for f in json.loads(result.output)["findings"])


def _tool(tmp_path: Path, name: str, body: str) -> Backend:
    script = tmp_path / name
    script.write_text(f"#!{PY}\nimport sys\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return Backend(name, (str(script),))


def test_an_endless_clipboard_is_stopped_at_the_cap(tmp_path):
    endless = _tool(tmp_path, "endless", "chunk = b'x' * 65536\nwhile True:\n    sys.stdout.buffer.write(chunk)")
    with pytest.raises(ClipboardError) as exc:
        read_clipboard(endless, timeout=60, max_bytes=100_000)
    assert str(exc.value) == "the clipboard is over the 100,000 bytes limit for a draft; raise it with --max-bytes or max_draft_bytes in the config"


def test_the_clipboard_within_the_cap_is_read_whole_and_its_errors_stay_one_line(tmp_path):
    fine = _tool(tmp_path, "fine", "sys.stdout.write('do you miss me?' * 100)")
    assert read_clipboard(fine, max_bytes=1500) == "do you miss me?" * 100
    noisy = _tool(tmp_path, "noisy", "sys.stderr.write('broken pipe to the owner\\n' + 'x' * 1_000_000)\nsys.exit(3)")
    with pytest.raises(ClipboardError, match=r"^noisy could not read the clipboard: broken pipe to the owner$"):
        read_clipboard(noisy)
    binary = _tool(tmp_path, "binary", "sys.stdout.buffer.write(b'\\x89PNG\\x00\\x00')")
    with pytest.raises(ClipboardError, match="looks like a binary file"):
        read_clipboard(binary)


def _export(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "chat.txt"
    path.write_text("".join(f"1/2/24, 10:{i % 60:02d} - {'Sam' if i % 2 else 'Alex'}: message {i}\n" for i in range(n)))
    return path


def test_a_history_export_over_its_cap_is_refused_before_reading(tmp_path):
    path = _export(tmp_path, 50)
    history = History(str(path), "chat.txt", "Sam")
    with pytest.raises(HistoryError) as exc:
        load_history(history, [], max_bytes=1024)
    assert str(exc.value) == "chat.txt is over the 1 KiB limit for a --history export; raise it with max_history_bytes in the config"
    assert len(load_history(history, [], max_bytes=1 << 20)) == 50


def test_the_history_cap_is_a_config_key(run, tmp_path):
    path = _export(tmp_path, 50)
    config = tmp_path / "msglint.toml"
    config.write_text("max_history_bytes = 1024\n")
    result = run("-", "--no-server", "--config", str(config), "--history", str(path), "--me", "Sam", input="hey")
    assert result.exit_code == 2
    assert "limit for a --history export" in _error_line(result.output)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_device_or_pipe_is_not_an_export(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ChatImportError, match="not a regular file"):
        load_chat(fifo, "text")  # would block forever in open() if it were tried
    if Path("/dev/zero").exists():
        with pytest.raises(ChatImportError):
            load_chat("/dev/zero")


# -- huge drafts --------------------------------------------------------------------------

SENTENCE = "i still think about you every day and i wonder if you miss me too. "


def test_pieces_cover_a_long_line_without_gaps_and_cut_after_sentences():
    text = SENTENCE * 200
    spans = piece_spans(text, 0, len(text), limit=1000)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a < b <= a + 1000 for a, b in spans)
    assert all(b == a2 for (_, b), (a2, _) in zip(spans, spans[1:]))
    assert all(text[:b].endswith(". ") for _, b in spans[:-1])
    word = "x" * 5000
    assert [b - a for a, b in piece_spans(word, 0, 5000, limit=1000)] == [1000] * 5
    assert piece_spans("short", 0, 5) == [(0, 5)]


def test_a_million_character_line_is_checked_not_a_spacy_error():
    text = (SENTENCE * (1_000_000 // len(SENTENCE) + 1))[:1_000_000]
    found = linter.lint(text)
    (length,) = [f for f in found if f.category == "length"]
    assert length.start == 0 and length.end == len(text.rstrip())
    assert length.message.startswith(f"Long for a message to an ex: {count_sentences(text)} sentences, ")
    misses = [f for f in found if f.category == "miss-me"]
    assert len(misses) == text.count("miss me")
    for f in misses:
        assert text[f.start : f.end] == f.text and f.line == 1 and f.column == f.start + 1


def test_a_huge_draft_gives_what_the_unbounded_path_gives(monkeypatch):
    lines = [SENTENCE.strip() if i % 7 else "hey, DO YOU EVEN CARE AT ALL? answer me" for i in range(600)]
    text = "\n".join(lines) + "\n" + "x" * 30_000  # ~70k characters: the grouped path
    assert len(text) > engine_module.HUGE_CHARS
    grouped = linter.lint(text)
    monkeypatch.setattr(engine_module, "HUGE_CHARS", 10**9)
    whole = linter.lint(text)
    assert [(f.rule, f.start, f.end, f.line, f.column, f.message) for f in grouped] == [(f.rule, f.start, f.end, f.line, f.column, f.message) for f in whole]
    assert {"length", "miss-me"} <= {f.category for f in grouped}
    late = [f for f in grouped if f.line == 596]
    assert late and all(f.text == text[f.start : f.end] for f in late)


def test_the_length_rule_sees_the_whole_draft_not_a_piece():
    # Each group of lines alone is short of nothing; together they are 3,000 words.
    text = "\n".join(["ok fine"] * 3000)
    assert len(text) > engine_module.HUGE_CHARS
    (length,) = [f for f in linter.lint(text) if f.category == "length"]
    assert "3000 sentences, 6000 words" in length.message
    assert (length.line, length.end_line) == (1, 3000)
    # And a huge draft of one endless word is one word, one sentence: not long.
    assert not [f for f in linter.lint("a" * 300_000) if f.category == "length"]
