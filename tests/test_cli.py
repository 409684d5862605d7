"""The command line as a user meets it: exit codes, formats, errors as one line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest





def test_clean_draft_exits_zero(run, tmp_path):
    draft = tmp_path / "ok.txt"
    draft.write_text("call me when you land\n", encoding="utf-8")
    result = run(str(draft))
    assert result.exit_code == 0, result.output
    assert "No problems found" in result.output


def test_findings_exit_one_with_location_why_and_try(run, tmp_path):
    draft = tmp_path / "d.txt"
    draft.write_text("so anyway\ndo you miss me?\n", encoding="utf-8")
    result = run(str(draft), "--no-color")
    assert result.exit_code == 1
    assert f"{draft}:2:4: warning miss-me/asks-if-they-miss-you:" in result.output
    assert "\n    why: " in result.output and "\n    try: " in result.output
    assert result.output.rstrip().endswith("Found 1 problem (1 warning).")


def test_fail_on_error_lets_warnings_pass(run, tmp_path):
    draft = tmp_path / "d.txt"
    draft.write_text("do you miss me?\n", encoding="utf-8")
    assert run(str(draft), "--fail-on", "error").exit_code == 0
    assert run(str(draft), "--fail-on", "never").exit_code == 0
    assert run(str(draft), "--fail-on", "info").exit_code == 1


def test_json_format_fields(run, tmp_path):
    draft = tmp_path / "d.txt"
    draft.write_text("hello\n\ndo u still love me\n", encoding="utf-8")
    result = run(str(draft), "--format", "json", "--disable", "closed-opener")
    data = json.loads(result.output)["findings"]
    [f] = [f for f in data if f["category"] == "miss-me"]
    assert set(f) >= {"path", "line", "column", "end_line", "end_column", "category", "rule", "severity", "message", "why", "source", "suggestion", "text"}
    assert (f["line"], f["column"], f["text"]) == (3, 4, "u still love me")
    assert f["path"] == str(draft)


def test_short_format_is_one_line_per_finding(run):
    result = run("-", "--format", "short", input="do you miss me?\n")
    assert result.output.splitlines() == ["<stdin>:1:4: warning miss-me/asks-if-they-miss-you: Asking whether they miss you puts them on the spot"]


def test_disable_accepts_the_ids_the_output_prints(run):
    # `--format short` and the text output print category/rule; --disable takes that form.
    assert run("-", "--disable", "begging/im-begging-you", "--disable", "begging/model", input="I'm begging you").exit_code == 0
    found = json.loads(run("-", "--disable", "miss-me/asks-if-they-miss-you", "--disable", "miss-me/model", "--format", "json", input="do you miss me?").output)["findings"]
    assert not [f for f in found if f["category"] == "miss-me"]


def test_disable_by_category_and_rule(run):
    assert run("-", "--disable", "miss-me", input="do you miss me?").exit_code == 0
    # A rule id turns off that rule; the category stays on, so the learned layer may still
    # say it (with --disable model too, nothing does).
    rules = [f["rule"] for f in json.loads(run("-", "--disable", "asks-if-they-miss-you", "--format", "json", input="do you miss me?").output)["findings"]]
    assert "asks-if-they-miss-you" not in rules and set(rules) <= {"model"}
    assert run("-", "--disable", "asks-if-they-miss-you", "--disable", "model", input="do you miss me?").exit_code == 0
    assert run("-", "--disable", "miss-me", "--enable", "miss-me", input="do you miss me?").exit_code == 1


def test_unknown_disable_name_is_a_usage_error(run):
    result = run("-", "--disable", "no-such-thing", input="hi")
    assert result.exit_code == 2
    assert "no rule or category named 'no-such-thing'" in result.output


def test_length_limits_from_flags(run):
    text = "One thing. Two things. Three things."
    assert run("-", "--format", "short", input=text).exit_code == 1
    assert run("-", "--max-sentences", "3", input=text).exit_code == 0


def test_empty_input_is_not_an_error_but_not_a_good_draft_either(run, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run(str(empty))
    assert result.exit_code == 0
    assert "Nothing to check: the draft is empty." in result.output and "Looks good" not in result.output
    assert "No problems found" in run(str(empty), "-", input="see you at 8").output


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
        (b"hello \xff there", "byte 0xff at offset 6 (line 1) is not valid UTF-8"),
    ],
)
def test_bad_bytes_are_one_line_errors(run, tmp_path, content, expected):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = run(str(path))
    assert result.exit_code == 2
    assert expected in result.output


def test_missing_file_and_directory(run, tmp_path):
    result = run(str(tmp_path / "nope.txt"))
    assert result.exit_code == 2 and "no such file" in result.output
    result = run(str(tmp_path))
    assert result.exit_code == 2 and "is a directory" in result.output


def test_bad_file_does_not_hide_good_ones(run, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("do you miss me?", encoding="utf-8")
    result = run(str(tmp_path / "missing.txt"), str(good))
    assert result.exit_code == 2
    assert "miss-me" in result.output


def test_crlf_and_bom_are_read_as_plain_lines(run, tmp_path):
    path = tmp_path / "win.txt"
    path.write_bytes("\ufeffhey there\r\ndo you miss me?\r\n".encode("utf-8"))
    data = json.loads(run(str(path), "--format", "json").output)["findings"]
    miss = [f for f in data if f["category"] == "miss-me"]
    assert miss and miss[0]["line"] == 2 and miss[0]["column"] == 4


def test_config_file_settings_and_errors(run, tmp_path):
    cfg = tmp_path / "msglint.toml"
    cfg.write_text('disable = ["miss-me"]\n[length]\nmax_words = 5\n', encoding="utf-8")
    assert run("-", "--config", str(cfg), input="do you miss me?").exit_code == 0
    result = run("-", "--config", str(cfg), "--format", "short", input="one two three four five six seven")
    assert "length" in result.output
    cfg.write_text("disable = [unclosed\n", encoding="utf-8")
    result = run("-", "--config", str(cfg), input="hi")
    assert result.exit_code == 2 and "invalid TOML" in result.output
    cfg.write_text('colour = "always"\n', encoding="utf-8")
    result = run("-", "--config", str(cfg), input="hi")
    assert result.exit_code == 2 and "'colour': unknown setting" in result.output


def test_malformed_user_rule_file_names_file_rule_and_field(run, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mine.yaml").write_text(
        "category: pressure\nrules:\n  - id: my-rule\n    severity: loud\n", encoding="utf-8"
    )
    result = run("-", "--rules", str(rules), input="hi")
    assert result.exit_code == 2
    assert "mine.yaml: rule my-rule: field 'severity'" in result.output


def test_user_rule_file_adds_a_rule(run, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mine.yaml").write_text(
        """category: pressure
rules:
  - id: my-read-receipts
    severity: warning
    message: "Mentioning read receipts chases a reply"
    why: "It tells them you are watching for their answer."
    source: {title: "My Ex Won't Talk To Me! Can I Get Them Back?", section: "Play It Cool If You Want Your Ex Back"}
    suggestion: "Leave it out."
    match:
      tokens: [[{LEMMA: see}, {NORM: "you"}, {LEMMA: read}]]
    examples:
      flag: ["i see you read it"]
      pass: ["did you read it?"]
""",
        encoding="utf-8",
    )
    result = run("-", "--rules", str(rules), "--format", "short", input="i see you read it")
    assert "pressure" in result.output and result.exit_code == 1
    listing = run("rules", "--rules", str(rules), "--category", "pressure").output
    assert "pressure/my-read-receipts" in listing


def test_rules_and_explain(run):
    listing = run("rules").output
    assert "miss-me/asks-if-they-miss-you" in listing
    cats = run("rules", "--categories").output
    assert "late-night" in cats and "closed-opener" in cats
    text = run("explain", "miss-me").output
    assert "why:" in text and "source:" in text and "do you miss me?" in text
    bad = run("explain", "nonsense")
    assert bad.exit_code == 2


def test_installed_console_script_runs_without_traceback(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"\xff\xfe")
    proc = subprocess.run([sys.executable, "-m", "linter", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("msglint: error:")


def test_oversized_draft_stops_at_the_documented_limit(run, tmp_path):
    from linter.reader import MAX_BYTES

    big = tmp_path / "big.txt"
    big.write_bytes(b"call me. " * (MAX_BYTES // 9 + 10))
    result = run(str(big))
    assert result.exit_code == 2
    assert "KiB limit for a draft" in result.output


def test_context_categories_can_be_disabled_and_explained(run):
    late = run("-", "--now", "2026-11-23T02:30", "--no-server", "--format", "short", input="the ramen place reopened!")
    assert "late-night" in late.output and late.exit_code == 1
    quiet = run("-", "--now", "2026-11-23T02:30", "--no-server", "--disable", "late-night", input="the ramen place reopened!")
    assert quiet.exit_code == 0, quiet.output
    text = run("explain", "late-night").output
    assert "late-night/" in text and "why:" in text and "source:" in text


def test_unexpected_errors_are_one_line_without_traceback(monkeypatch, capsys):
    from linter import cli

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(cli, "main", boom)
    monkeypatch.delenv("MSGLINT_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli.run()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.strip() == "msglint: internal error: RuntimeError: kaboom (run with MSGLINT_DEBUG=1 for details)"


def test_explain_fills_a_rules_placeholders(run):
    out = run("explain", "length").output
    assert "aim for at most 2 sentences or 50 words" in out and "{" not in out


def test_text_output_shows_the_rules_rewrite_example(run):
    out = run("-", "--no-server", input="do you miss me?").output
    assert "\n    e.g.: " in out
    found = json.loads(run("-", "--no-server", "--format", "json", input="do you miss me?").output)["findings"]
    assert found[0]["rewrite"] and found[0]["rewrite"] in out
