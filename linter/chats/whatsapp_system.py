"""Lines WhatsApp writes itself, in the phone's language: notices and media placeholders.

The wording is data (data/whatsapp_system.toml, one table per language with its sources);
this module turns it into two matchers, built once per process:

- `attached(text)` for the text after "Name: " — run on every message, so it only does
  dictionary look-ups (whole text, first five and last five characters) and checks a
  pattern only when one of those hits;
- `notice(text)` for a header with no "Name:" part at all — rare, so it may also try the
  patterns that have no literal start or end ("* added *").

Both answer MEDIA (a person sent an attachment), one of KINDS, or None (a person's text).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

DATA = Path(__file__).parent / "data" / "whatsapp_system.toml"

MEDIA = "media"
# The summary counts system lines by these names; the data file may use no others.
KINDS = frozenset({
    "encryption notice", "deleted message", "missed call", "group change", "security code changed",
    "number change", "disappearing messages", "waiting for message",
})
UNRECOGNISED = "unrecognised notice"  # iOS marked it as the app's, but no table knows it

_KEY = 5  # characters of a pattern's literal start or end used as its index key
# No notice WhatsApp writes is longer; "* added *" over a hostile megabyte line would be slow.
_SCAN_MAX = 1000


def _normal(text: str) -> str:
    """What `match` compares: no surrounding space, no final "."."""
    text = text.strip()
    if text.endswith("."):
        text = text[:-1].rstrip()
    return text


class _Table:
    """Patterns by kind, indexed so that most texts cost two or three dict look-ups."""

    def __init__(self, patterns: list[tuple[str, str]], *, scan_allowed: bool) -> None:
        self.exact: dict[str, str] = {}
        self.heads: dict[str, list[tuple[re.Pattern[str], str]]] = {}
        self.tails: dict[str, list[tuple[re.Pattern[str], str]]] = {}
        self.scan: list[tuple[re.Pattern[str], str]] = []
        self.exact_max = 0
        for pattern, kind in patterns:
            written = _normal(pattern)
            folded = written.casefold()
            if "*" not in folded:
                self.exact.setdefault(folded, kind)
                self.exact_max = max(self.exact_max, len(folded))
                continue
            # A final "*" ("encrypted*") may stand for nothing: the notice's tail varies by version.
            body = ".+?".join(re.escape(p) for p in written.split("*"))
            if body.endswith(".+?") and written.endswith("*"):
                body = body[:-3] + ".*"
            compiled = re.compile("(?s)" + body, re.IGNORECASE)
            parts = written.split("*")
            # Keyed by the written characters, folded (what `match` computes from a text).
            if len(parts[0]) >= _KEY:
                self.heads.setdefault(written[:_KEY].casefold(), []).append((compiled, kind))
            elif len(parts[-1]) >= _KEY:
                self.tails.setdefault(written[-_KEY:].casefold(), []).append((compiled, kind))
            elif scan_allowed:
                self.scan.append((compiled, kind))
            else:
                raise ValueError(f"{DATA.name}: {pattern!r} needs {_KEY} literal characters at its start or end")

    def match(self, text: str) -> str | None:
        # Called for every message: kept to a few slices and dict look-ups, no helper calls.
        text = text.strip()
        if text[-1:] == ".":
            text = text[:-1].rstrip()
        if len(text) <= self.exact_max:
            kind = self.exact.get(text.casefold())
            if kind is not None:
                return kind
        candidates = self.heads.get(text[:_KEY].casefold())
        if candidates is not None:
            for compiled, kind in candidates:
                if compiled.fullmatch(text):
                    return kind
        candidates = self.tails.get(text[-_KEY:].casefold())
        if candidates is not None:
            for compiled, kind in candidates:
                if compiled.fullmatch(text):
                    return kind
        if len(text) <= _SCAN_MAX:
            for compiled, kind in self.scan:
                if compiled.fullmatch(text):
                    return kind
        return None


@lru_cache(maxsize=1)
def _tables() -> tuple[_Table, _Table]:
    with DATA.open("rb") as fh:
        data = tomllib.load(fh)
    attached: list[tuple[str, str]] = []
    notice: list[tuple[str, str]] = []
    for language in data["language"]:
        attached.extend((p, MEDIA) for p in language.get("media", []))
        for section, target in (("attached", attached), ("notice", notice)):
            for kind, patterns in language.get(section, {}).items():
                if kind not in KINDS:
                    raise ValueError(f"{DATA.name}: unknown kind {kind!r} ({language['code']})")
                target.extend((p, kind) for p in patterns)
    # A notice may also carry what usually comes with a name (a sender-less "Missed voice call").
    system_attached = [(p, k) for p, k in attached if k != MEDIA]
    return _Table(attached, scan_allowed=False), _Table(notice + system_attached, scan_allowed=True)


def attached(text: str) -> str | None:
    """What the text after "Name: " is: MEDIA, a system kind, or None for a person's words."""
    return _tables()[0].match(text)


def attached_matcher() -> Callable[[str], str | None]:
    """`attached` without the look-up of the cached tables, for a parser's inner loop."""
    return _tables()[0].match


def notice(text: str) -> str | None:
    """The kind of a sender-less line, or None when no table knows it."""
    return _tables()[1].match(text)


def languages() -> list[tuple[str, str, str]]:
    """(code, name, sources) of every language the table covers."""
    with DATA.open("rb") as fh:
        return [(lang["code"], lang["name"], lang["sources"]) for lang in tomllib.load(fh)["language"]]
