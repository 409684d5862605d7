"""`msglint review --format html`: a self-contained, escaped page, checked in a real browser."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO
from linter.cli import main
from linter.findings import Finding, Severity
from linter.formats.html_report import highlight, render
from linter.messages import Message
from linter.review import Flagged, Review

FIXTURES = REPO / "tests" / "fixtures" / "review"
SAM = FIXTURES / "whatsapp_sam.txt"
JSONL = FIXTURES / "chat.jsonl"

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def html_report(path: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["review", str(path), *args, "--format", "html"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


@pytest.fixture(scope="module")
def sam_html() -> str:
    return html_report(SAM, "--me", "Sam")


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return html_report(JSONL, "--me", "Sam", "--columns", "timestamp=time,sender=from,text=body")


# -- without a browser ---------------------------------------------------------------------

def test_message_text_is_escaped(hostile_html):
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in hostile_html
    assert "<script>alert" not in hostile_html and "<b>bold</b>" not in hostile_html
    assert hostile_html.count("<script>") == 1  # only the page's own filter script


def test_self_contained_no_external_urls(sam_html):
    assert "://" not in sam_html  # no http(s), no protocol-relative fetch, nothing remote
    for attr, value in re.findall(r'\b(src|href|action|srcset|poster|data)\s*=\s*"([^"]*)"', sam_html):
        assert value.startswith("#"), f"{attr}={value!r} points outside the page"
    assert "@import" not in sam_html and "url(" not in sam_html
    assert "Content-Security-Policy" in sam_html and "default-src 'none'" in sam_html


def test_charts_and_cards_are_in_the_page(sam_html):
    for chart in ("chart-categories", "chart-hours", "chart-months"):
        assert f'id="{chart}"' in sam_html
    # The hour chart shades the late-night window; crossing midnight makes two bands.
    assert sam_html.count('class="night"') == 2
    assert sam_html.count('<article class="card') == 7
    assert 'id="m12"' in sam_html and 'href="#m12"' in sam_html  # the worst message (13th read) links to its card


def test_a_window_inside_one_day_is_one_band():
    html = html_report(SAM, "--me", "Sam", "--late-night", "01:00-04:30")
    assert html.count('class="night"') == 1
    assert re.search(r'class="night" x="[\d.]+" y="\d+" width="[\d.]+"', html)


def _finding(start: int, end: int, text: str, category: str = "miss-me", severity: Severity = Severity.WARNING) -> Finding:
    return Finding(rule="r", category=category, severity=severity, message="m <x>", why="w", source="s", suggestion="t", start=start, end=end, line=1, column=start + 1, end_line=1, end_column=end + 1, text=text[start:end])


def test_highlight_marks_overlapping_spans_and_escapes_inside():
    text = "do <you> miss me?"
    out = highlight(text, [_finding(3, 8, text), _finding(0, 13, text, category="pressure", severity=Severity.ERROR), _finding(0, len(text), text, category="late-night")])
    assert out.startswith('<mark class="error"')
    assert '&lt;you&gt;</mark>' in out and "<you>" not in out
    assert 'title="miss-me: m &lt;x&gt;; pressure: m &lt;x&gt;"' in out
    assert out.count("<mark") == 3  # [0,3) [3,8) [8,13); the whole-message context finding is not a mark
    assert re.sub(r"<[^>]+>", "", out) == "do &lt;you&gt; miss me?"


def test_empty_review_renders_without_charts_data():
    review = Review(path="chat.txt", format="text", me=None, senders={}, import_notes=[], messages_read=2, skipped={}, yours=2, yours_reviewed=2)
    html = render(review)
    assert "No problems found in your messages." in html and "no timestamps in this export" in html
    assert "No flagged messages." in html and "Nothing was skipped" in html


def test_media_only_message_card():
    msg = Message("", sender="Sam", sent_at=datetime(2024, 1, 1, 2, 0), source_line=3, meta={"media": True})
    f = _finding(0, 0, "", category="late-night")
    review = Review(path="c.txt", format="whatsapp", me="Sam", senders={"Sam": 1}, import_notes=[], messages_read=1, skipped={}, yours=1, yours_media=1, flagged=[Flagged(0, msg, [f])])
    html = render(review)
    assert "[media only]" in html and "line 3" in html


# -- in a real browser -------------------------------------------------------------------

def _browser() -> str | None:
    return next((path for path in map(shutil.which, BROWSERS) if path), None)


def _run_browser(browser: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _png_pixels_info(path: Path) -> tuple[int, int, int]:
    """(width, height, distinct byte values in the image data) of a PNG, without Pillow."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    return width, height, len(set(raw))


@pytest.mark.slow
def test_report_renders_in_headless_chromium(tmp_path, sam_html):
    browser = _browser()
    if browser is None:
        pytest.skip("no chromium/chrome on PATH (Debian: apt-get install chromium)")
    page = tmp_path / "report.html"
    page.write_text(sam_html, encoding="utf-8")
    dom = _run_browser(browser, tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    for chart in ("chart-categories", "chart-hours", "chart-months"):
        assert re.search(rf'<svg[^>]*id="{chart}"', html), f"{chart} missing from the rendered DOM"
    assert len(re.findall(r'<rect class="bar', html)) >= 24 + 3  # 24 hours + months
    assert "do you miss me?" in html and "The ramen place on 5th finally reopened!!" in html
    assert "Sent at 23:48 on 2024-01-31" in html

    shot = tmp_path / "report.png"
    result = _run_browser(browser, tmp_path, f"--screenshot={shot}", "--window-size=1000,1400", page.as_uri())
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    width, height, distinct = _png_pixels_info(shot)
    assert (width, height) == (1000, 1400)
    # A blank page compresses to a handful of byte values; charts, text and colour give many.
    assert distinct > 100


@pytest.mark.slow
def test_blank_page_fails_the_non_blank_check(tmp_path):
    """The screenshot check above must be able to fail: a blank page stays under it."""
    browser = _browser()
    if browser is None:
        pytest.skip("no chromium/chrome on PATH (Debian: apt-get install chromium)")
    page = tmp_path / "blank.html"
    page.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    shot = tmp_path / "blank.png"
    result = _run_browser(browser, tmp_path, f"--screenshot={shot}", "--window-size=1000,1400", page.as_uri())
    assert result.returncode == 0 and shot.is_file()
    assert _png_pixels_info(shot)[2] <= 100
