"""Context rules: findings about timing and history, not about the words.

A message can be fine on its own and still a mistake because of *when* it is sent (late at
night, during no contact, days after an unanswered message) or *what came before* (your
last message is still unanswered, several in a row were ignored, you sent the same text
before). These rules read a conversation (a sequence of `Message`s) or the clock; they never
parse text. Their texts (message templates, why, source, suggestion) are data in
`rulesets/context/<category>.yaml`.

Two entry points with fixed signatures (the review command and the pre-send check use them):

    conversation_findings(messages, me, settings) -> [(index, Finding), ...]
    draft_findings(draft, now=..., settings=..., history=..., me=...) -> [Finding, ...]

`ConversationChecker` is the streaming engine behind both: `msglint review` feeds it one
message at a time so an export of any size is checked in one pass with bounded state.

Time rules:
- Durations are real elapsed time: aware datetimes are compared in UTC (a DST change does
  not stretch or shrink a gap); naive datetimes are the export's wall clock, compared as is.
- Hours of the day (late-night, the report's hour chart) use the export's local wall clock:
  a naive time as written; an aware time in its own offset, except UTC, which is shown in
  this machine's local zone (exports that store instants usually mean the reader's zone).
"""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence


from .config import Settings
from .findings import Finding, Severity
from .messages import Message
from .rules.model import Source

# Lines sent within this long of your previous one, with no reply between, are one message
# for double-text, ignored-streak and too-soon: people type "hey" / "so" / "guess what" as
# separate lines. (Settings has no field for it yet; `ConversationChecker(burst=...)` and
# `msglint review --burst-minutes` override it.)
BURST_WINDOW = timedelta(minutes=2)

# repeat: only a message that *opens* contact can be a stale repeat: the first message, a
# follow-up to your own unanswered message, or the first after OPENER_GAP of silence. The
# advice is about the message you reach out with; inside a flowing exchange, saying "on my
# way" or "good night" again is just talking. Short openers ("hey", "u up?") count when
# they are the same text again (after normalising case and punctuation); from
# FUZZY_MIN_WORDS words on, nearly the same text counts too (in a short text one changed
# word makes a different message: "see you at Nora's" / "see you at Leo's").
OPENER_GAP = timedelta(hours=12)
FUZZY_MIN_WORDS = 8

# repeat: near-duplicates are searched among this many of your most recent distinct
# longer messages; exact repeats (after normalising case and punctuation) among up to
# EXACT_MEMORY distinct texts. Both bound the work and memory on huge exports.
FUZZY_WINDOW = 2000
EXACT_MEMORY = 200_000

# too-soon in a review: the settings only say when no contact ends. Without an explicit
# start, the period is taken as the 30 days before it (the length the advice recommends).
NO_CONTACT_DEFAULT_DAYS = 30

TIME_RULES = ("late-night", "too-soon")
REPLY_RULES = ("double-text", "ignored-streak")
CATEGORIES = ("late-night", "double-text", "ignored-streak", "too-soon", "repeat")


class ContextRuleError(Exception):
    """A context rule file is missing or malformed; str() is one line naming file and field."""


@dataclass(frozen=True)
class ContextRule:
    id: str
    category: str
    severity: Severity
    message: str
    draft_message: str
    why: str
    source: Source
    suggestion: str
    file: Path


class ContextHit(NamedTuple):
    """A context finding and the message (index into the conversation) it is about."""

    index: int
    message: Message
    finding: Finding


# -- rule texts -----------------------------------------------------------------------

def context_dir() -> Path:
    from .rules.loader import builtin_dir

    return builtin_dir() / "context"


@lru_cache(maxsize=4)
def load_context_rules(directory: Path | None = None) -> dict[str, ContextRule]:
    """The context rules by id, from every *.yaml in `directory` (default: the built-in)."""
    directory = directory or context_dir()
    if not directory.is_dir():
        raise ContextRuleError(f"{directory}: context rules directory not found")
    rules: dict[str, ContextRule] = {}
    for path in sorted(directory.glob("*.yaml")):
        for rule in _load_file(path):
            if rule.id in rules:
                raise ContextRuleError(f"{path}: rule {rule.id}: id already defined in {rules[rule.id].file}")
            rules[rule.id] = rule
    missing = [c for c in CATEGORIES if not any(r.category == c for r in rules.values())]
    if missing:
        raise ContextRuleError(f"{directory}: no rule for context categor{'y' if len(missing) == 1 else 'ies'} {', '.join(missing)}")
    return rules


def _load_file(path: Path) -> list[ContextRule]:
    from .rules.loader import RuleFileError, read_yaml

    try:
        data = read_yaml(path)  # the built-in snapshot when unchanged, else YAML
    except RuleFileError as exc:
        raise ContextRuleError(str(exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ContextRuleError(f"{path}: expected a mapping with a 'rules' list")
    out = []
    for i, raw in enumerate(data["rules"]):
        label = f"rule #{i + 1}"
        if not isinstance(raw, dict):
            raise ContextRuleError(f"{path}: {label}: expected a mapping")
        label = f"rule {raw.get('id', label)}"

        def text(key: str, default: str | None = None) -> str:
            value = raw.get(key, default)
            if not isinstance(value, str) or not value.strip():
                raise ContextRuleError(f"{path}: {label}: field '{key}': required, a non-empty string")
            return " ".join(value.split())

        category = raw.get("category", data.get("category"))
        if category not in CATEGORIES:
            raise ContextRuleError(f"{path}: {label}: field 'category': {category!r} is not a context category ({', '.join(CATEGORIES)})")
        try:
            severity = Severity.parse(str(raw.get("severity", "")))
        except ValueError as exc:
            raise ContextRuleError(f"{path}: {label}: field 'severity': {exc}") from None
        source = raw.get("source")
        if not isinstance(source, dict) or not all(isinstance(source.get(k), str) and source[k].strip() for k in ("title", "section")):
            raise ContextRuleError(f"{path}: {label}: field 'source': required, a mapping with 'title' and 'section'")
        message = text("message")
        out.append(
            ContextRule(
                id=text("id"),
                category=category,
                severity=severity,
                message=message,
                draft_message=text("draft_message", message),
                why=text("why"),
                source=Source(" ".join(source["title"].split()), " ".join(source["section"].split())),
                suggestion=text("suggestion"),
                file=path,
            )
        )
    return out


def enabled_rules(settings: Settings, rules: dict[str, ContextRule] | None = None) -> dict[str, ContextRule]:
    """Context rules by category (one rule per category, except too-soon's two), honouring
    --disable/--enable by rule id or category like the message rules."""
    rules = rules if rules is not None else load_context_rules()
    out = {}
    for rule in rules.values():
        keys = {rule.id, rule.category}
        if not (keys & settings.disable) or (keys & settings.enable):
            out[rule.id] = rule
    return out


def context_names(rules: dict[str, ContextRule] | None = None) -> set[str]:
    """Every context rule id and category (for validating --disable/--enable)."""
    rules = rules if rules is not None else load_context_rules()
    return {r.id for r in rules.values()} | {r.category for r in rules.values()}


# -- time helpers -----------------------------------------------------------------------

def wall_clock(t: datetime) -> datetime:
    """The local wall-clock reading of a timestamp (see the module docstring)."""
    if t.tzinfo is not None and t.utcoffset() == timedelta(0):
        return t.astimezone()
    return t


def elapsed(earlier: datetime, later: datetime) -> timedelta:
    """Real time from `earlier` to `later` (UTC for aware times; naive ones as local)."""
    if earlier.tzinfo is None and later.tzinfo is None:
        return later - earlier
    # Python subtracts two times of the same zone on the wall clock, ignoring a DST change
    # between them; UTC is exact. A naive time among aware ones is this machine's local time.
    return later.astimezone(timezone.utc) - earlier.astimezone(timezone.utc)


def in_window(t: time, window: tuple[time, time]) -> bool:
    """Is wall-clock time `t` inside [start, end)? Windows may cross midnight."""
    start, end = window
    t = t.replace(tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end


def format_time(t: datetime) -> str:
    return wall_clock(t).strftime("%Y-%m-%d %H:%M")


def format_duration(d: timedelta) -> str:
    minutes = max(0, int(d.total_seconds() // 60))
    if minutes < 90:
        return _plural(minutes, "minute")
    hours = minutes // 60
    if hours < 48:
        return _plural(hours, "hour")
    return _plural(hours // 24, "day")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _window_text(window: tuple[time, time]) -> str:
    return f"{window[0].strftime('%H:%M')}\u2013{window[1].strftime('%H:%M')}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _preview(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "\u2026"


_ASCII_PUNCT = str.maketrans("", "", string.punctuation)


def normalize(text: str) -> str:
    """Text for comparing repeats: case, punctuation and spacing do not make a message new.
    Emoji are kept (a lone "\u2764\ufe0f" sent every night is a repeat too)."""
    if text.isascii():  # the common case, at C speed
        return " ".join(text.lower().translate(_ASCII_PUNCT).split())
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(ch for ch in folded if not unicodedata.category(ch).startswith("P"))
    return " ".join(kept.split())


# -- the checker ----------------------------------------------------------------------

@dataclass
class _Burst:
    """One or more of your lines sent close together: one 'message' for the reply rules."""

    index: int
    message: Message
    first_at: datetime | None
    last_at: datetime | None
    last_message: Message


@dataclass
class _Seen:
    index: int
    at: datetime | None
    text: str
    count: int
    first_at: datetime | None


class _Format(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass
class ConversationChecker:
    """Checks a conversation one message at a time, in order; `finish()` at the end.

    `replies_known`: whether the export says who sent each message. When it does not
    (plain text: every message is yours), double-text and ignored-streak cannot run.
    `no_contact_from`: start of the declared no-contact period (default: the 30 days before
    `settings.no_contact_until`).
    """

    me: str | None
    settings: Settings
    replies_known: bool = True
    burst: timedelta = BURST_WINDOW
    no_contact_from: date | None = None
    rules: dict[str, ContextRule] | None = None
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._me = self.me.strip().casefold() if self.me else None
        self._senders: dict[str, bool] = {}
        self._rules = enabled_rules(self.settings, self.rules)
        self._cats = {r.category for r in self._rules.values()}
        if self.settings.no_contact_until and self.no_contact_from is None:
            self.no_contact_from = self.settings.no_contact_until - timedelta(days=NO_CONTACT_DEFAULT_DAYS)
        self._run: list[_Burst] = []  # your bursts since their last message
        self._prev_at: datetime | None = None
        self._prev_mine: bool | None = None
        self._seen: dict[str, _Seen] = {}
        self._recent_long: dict[str, None] = {}  # insertion-ordered set, oldest first
        self.own_messages = 0
        self.own_without_time = 0
        self._finished = False

    # -- public -----------------------------------------------------------------------

    def is_mine(self, message: Message) -> bool:
        sender = message.sender
        if sender is None:
            return True
        mine = self._senders.get(sender)
        if mine is None:  # a chat has few senders: fold each spelling once
            mine = self._senders[sender] = self._me is not None and sender.strip().casefold() == self._me
        return mine

    def feed(self, index: int, message: Message) -> list[ContextHit]:
        """Findings this message makes possible (about it, or about an earlier message)."""
        hits: list[ContextHit] = []
        at = message.sent_at
        if not self.is_mine(message):
            hits += self._close_streak(replied=True)
            self._run = []
            self._remember_prev(at, mine=False)
            return hits
        self.own_messages += 1
        if at is None:
            self.own_without_time += 1
        hits += self._time_hits(index, message, at, draft=False)
        continuing = bool(self._run) and at is not None and self._run[-1].last_at is not None and timedelta(0) <= elapsed(self._run[-1].last_at, at) <= self.burst
        opener = not continuing and (
            self._prev_mine is None or self._prev_mine or (at is not None and self._prev_at is not None and elapsed(self._prev_at, at) >= OPENER_GAP)
        )
        norm = normalize(message.text) if "repeat" in self._cats else ""
        hits += self._repeat_hits(index, message, norm, opener=opener, draft=False)
        if continuing:
            self._run[-1].last_at = at
            self._run[-1].last_message = message
        else:
            if self._run and self.replies_known:
                hits += self._follow_up_hits(index, message, at, draft=False)
            self._run.append(_Burst(index, message, at, at, message))
        self._remember(index, message, norm, at)
        self._remember_prev(at, mine=True)
        return hits

    def finish(self) -> list[ContextHit]:
        """Findings only the end can decide (a streak still unanswered), and the notes."""
        if self._finished:
            return []
        self._finished = True
        hits = self._close_streak(replied=False)
        time_cats = [c for c in TIME_RULES if c in self._cats]
        if self.own_messages and time_cats:
            if self.own_without_time == self.own_messages:
                self.notes.append(f"{', '.join(time_cats)}: could not run: the export has no timestamps")
            elif self.own_without_time:
                self.notes.append(f"{', '.join(time_cats)}: skipped {_plural(self.own_without_time, 'message')} of yours without a timestamp")
        reply_cats = [c for c in REPLY_RULES if c in self._cats]
        if self.own_messages and reply_cats and not self.replies_known:
            self.notes.append(f"{', '.join(reply_cats)}: could not run: the export does not say who sent each message")
        return hits

    def check_draft(self, draft: str, now: datetime) -> list[Finding]:
        """Findings for `draft` as your next message, sent at `now`, after everything fed."""
        message = Message(draft, sender=None, sent_at=now)
        hits = self._time_hits(-1, message, now, draft=True)
        continuing = bool(self._run) and self._run[-1].last_at is not None and timedelta(0) <= elapsed(self._run[-1].last_at, now) <= self.burst
        opener = not continuing and (
            self._prev_mine is None or self._prev_mine or (self._prev_at is not None and elapsed(self._prev_at, now) >= OPENER_GAP)
        )
        hits += self._repeat_hits(-1, message, normalize(draft), opener=opener, draft=True)
        if self._run and self.replies_known and not continuing:
            hits += self._follow_up_hits(-1, message, now, draft=True)
            if "ignored-streak" in self._cats and len(self._run) >= self.settings.ignored_streak:
                hits.append(self._hit("ignored-streak", -1, message, draft=True, count=len(self._run), since=format_time_or(self._run[0].first_at), until=format_time_or(self._run[-1].last_at), threshold=_ordinal(len(self._run))))
        return [h.finding for h in hits]

    # -- rules ------------------------------------------------------------------------

    def _time_hits(self, index: int, message: Message, at: datetime | None, *, draft: bool) -> list[ContextHit]:
        if at is None:
            return []
        hits = []
        local = wall_clock(at)
        if "late-night" in self._cats and in_window(local.time(), self.settings.late_night):
            hits.append(self._hit("late-night-message", index, message, draft=draft, time=local.strftime("%H:%M"), date=local.strftime("%Y-%m-%d"), window=_window_text(self.settings.late_night)))
        until = self.settings.no_contact_until
        if until and "during-no-contact" in self._rules:
            day = local.date()
            start = self.no_contact_from
            if day < until and (draft or start is None or day >= start):
                left = until - day
                hits.append(self._hit("during-no-contact", index, message, draft=draft, until=until.isoformat(), days_left=_plural(left.days, "day"), **{"from": start.isoformat() if start else "?"}))
        return hits

    def _follow_up_hits(self, index: int, message: Message, at: datetime | None, *, draft: bool) -> list[ContextHit]:
        """You write again (a new burst) while your previous burst has no reply."""
        prev = self._run[-1]
        hits = []
        gap = elapsed(prev.last_at, at) if at is not None and prev.last_at is not None else None
        if "double-text" in self._cats:
            hits.append(self._hit("sent-while-unanswered", index, message, draft=draft, previous=format_time_or(prev.first_at), previous_text=_preview(prev.message.text or "[media]", 40), elapsed=format_duration(gap) if gap is not None else "some time"))
        days = self.settings.too_soon_days
        if "too-soon-after-unanswered" in self._rules and gap is not None and gap < timedelta(days=days):
            hits.append(self._hit("too-soon-after-unanswered", index, message, draft=draft, elapsed=format_duration(gap), previous=format_time_or(prev.last_at), previous_text=_preview(prev.last_message.text or "[media]", 40), days=days))
        return hits

    def _close_streak(self, *, replied: bool) -> list[ContextHit]:
        """A run of your bursts ended (a reply, or the end of the export): was it a streak?"""
        if not self._run or not self.replies_known or "ignored-streak" not in self._cats:
            return []
        unanswered = len(self._run) - 1 if replied else len(self._run)
        n = self.settings.ignored_streak
        if unanswered < n:
            return []
        first, last, completing = self._run[0], self._run[unanswered - 1], self._run[n - 1]
        return [self._hit("ignored-streak", completing.index, completing.message, draft=False, count=unanswered, since=format_time_or(first.first_at), until=format_time_or(last.last_at), threshold=_ordinal(n))]

    def _repeat_hits(self, index: int, message: Message, norm: str, *, opener: bool, draft: bool) -> list[ContextHit]:
        if "repeat" not in self._cats or not norm or not opener:
            return []
        seen = self._seen.get(norm)
        similarity = "The same as"
        if seen is None and self._recent_long and len(norm.split()) >= FUZZY_MIN_WORDS:
            from rapidfuzz import fuzz, process

            best = process.extractOne(norm, self._recent_long.keys(), scorer=fuzz.ratio, score_cutoff=self.settings.repeat_similarity)
            if best is not None:
                seen = self._seen.get(best[0])
                similarity = f"Nearly the same ({best[1]:.0f}% alike) as"
        if seen is None:
            return []
        nth = f"the {_ordinal(seen.count + 1)} time (first on {format_time_or(seen.first_at)})" if seen.count > 1 else "the second time"
        times = f"this would be {nth}" if draft else nth
        return [self._hit("repeated-message", index, message, draft=draft, similarity=similarity, previous=format_time_or(seen.at), previous_text=_preview(seen.text, 40), times=times)]

    # -- state ------------------------------------------------------------------------

    def _remember(self, index: int, message: Message, norm: str, at: datetime | None) -> None:
        if "repeat" not in self._cats or not norm:
            return
        seen = self._seen.pop(norm, None)  # re-insert: the dict stays in least-recent order
        if seen is None:
            seen = _Seen(index, at, message.text, 0, at)
            if len(self._seen) >= EXACT_MEMORY:
                self._seen.pop(next(iter(self._seen)))
        seen.index, seen.at, seen.text, seen.count = index, at, message.text, seen.count + 1
        self._seen[norm] = seen
        if len(norm.split()) >= FUZZY_MIN_WORDS:
            self._recent_long.pop(norm, None)
            self._recent_long[norm] = None
            if len(self._recent_long) > FUZZY_WINDOW:
                self._recent_long.pop(next(iter(self._recent_long)))

    def _remember_prev(self, at: datetime | None, *, mine: bool) -> None:
        self._prev_mine = mine
        if at is not None:
            self._prev_at = at

    def _hit(self, rule_id: str, index: int, message: Message, *, draft: bool, **values) -> ContextHit:
        rule = self._rules[rule_id]
        template = rule.draft_message if draft else rule.message
        return ContextHit(index, message, make_finding(rule, template.format_map(_Format(values)), message.text))


def format_time_or(t: datetime | None) -> str:
    return format_time(t) if t is not None else "an unknown time"


def make_finding(rule: ContextRule, message: str, text: str) -> Finding:
    """A finding that spans the whole message (context rules are about the message as sent)."""
    # Where the text ends: after its last line break (what LineIndex gives for len(text)).
    end_line, end_column = text.count("\n") + 1, len(text) - text.rfind("\n")
    return Finding(
        rule=rule.id,
        category=rule.category,
        severity=rule.severity,
        message=message,
        why=rule.why,
        source=str(rule.source),
        suggestion=rule.suggestion,
        start=0,
        end=len(text),
        line=1,
        column=1,
        end_line=end_line,
        end_column=end_column,
        text=text,
        path=None,
    )


# -- the two entry points -------------------------------------------------------------

_ORDER = {c: i for i, c in enumerate(CATEGORIES)}


def conversation_findings(messages: Sequence[Message], me: str | None, settings: Settings) -> list[tuple[int, Finding]]:
    """Context findings for a whole conversation: (index into `messages`, finding), in
    message order. Messages whose sender is None count as `me`'s."""
    checker = ConversationChecker(me, settings, replies_known=any(m.sender is not None for m in messages))
    hits: list[ContextHit] = []
    for i, message in enumerate(messages):
        hits += checker.feed(i, message)
    hits += checker.finish()
    hits.sort(key=lambda h: (h.index, _ORDER[h.finding.category], h.finding.rule))
    return [(h.index, h.finding) for h in hits]


def draft_findings(draft: str, *, now: datetime, settings: Settings, history: Sequence[Message] = (), me: str | None = None) -> list[Finding]:
    """Context findings for `draft` treated as `me`'s next message, sent at `now`.

    Late-night from `now`; too-soon from `settings.no_contact_until` or from an unanswered
    message of yours in `history` within `too_soon_days`; with a history, also
    double-text, ignored-streak and repeat. Findings span the whole draft.
    """
    now = _match_kind(now, (m.sent_at for m in history))
    checker = ConversationChecker(me, settings, replies_known=any(m.sender is not None for m in history))
    for i, message in enumerate(history):
        checker.feed(i, message)
    findings = checker.check_draft(draft, now)
    findings.sort(key=lambda f: (_ORDER[f.category], f.rule))
    return findings


def _match_kind(now: datetime, stamps: Iterable[datetime | None]) -> datetime:
    """`now` as the same kind (naive local / aware) as the history's timestamps."""
    for t in stamps:
        if t is None:
            continue
        if t.tzinfo is not None and now.tzinfo is None:
            return now.astimezone()
        if t.tzinfo is None and now.tzinfo is not None:
            return now.astimezone().replace(tzinfo=None)
        return now
    return now
