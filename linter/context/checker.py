"""The streaming conversation checker: feeds each message to every enabled context rule,
in order, with bounded state; `finish()` at the end; `check_draft()` for the message about
to be sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ..config import Settings
from ..findings import Finding
from ..messages import Message
from .base import BURST_WINDOW, Burst, ContextCheck, State, make_turn
from .clock import plural
from .double_text import DoubleText
from .ignored_streak import IgnoredStreak
from .late_night import LateNight
from .no_contact import DuringNoContact
from .repeat import Repeat
from .rules import ContextHit, ContextRule, enabled_rules
from .too_soon import TooSoonAfterUnanswered

# Every context rule's logic, by the id of its texts in rulesets/context/.
CHECKS: dict[str, type[ContextCheck]] = {c.id: c for c in (LateNight, DuringNoContact, DoubleText, TooSoonAfterUnanswered, IgnoredStreak, Repeat)}

# too-soon in a review: the settings only say when no contact ends. Without an explicit
# start, the period is taken as the 30 days before it (the length the advice recommends).
NO_CONTACT_DEFAULT_DAYS = 30


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
        if self.settings.no_contact_until and self.no_contact_from is None:
            self.no_contact_from = self.settings.no_contact_until - timedelta(days=NO_CONTACT_DEFAULT_DAYS)
        self.state = State(self.settings, self.replies_known, self.burst, self.no_contact_from)
        enabled = enabled_rules(self.settings, self.rules)
        self.checks = [CHECKS[rule_id](rule, self.state) for rule_id, rule in enabled.items() if rule_id in CHECKS]
        self.own_messages = 0
        self.own_without_time = 0
        self._finished = False

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
        state = self.state
        at = message.sent_at
        if not self.is_mine(message):
            hits = [h for check in self.checks for h in check.on_reply()]
            state.run = []
            self._remember_prev(at, mine=False)
            return hits
        self.own_messages += 1
        if at is None:
            self.own_without_time += 1
        turn = make_turn(state, index, message, at, draft=False)
        hits = [h for check in self.checks for h in check.on_mine(turn)]
        if turn.continuing:
            state.run[-1].last_at = at
            state.run[-1].last_message = message
        else:
            state.run.append(Burst(index, message, at, at, message))
        self._remember_prev(at, mine=True)
        return hits

    def finish(self) -> list[ContextHit]:
        """Findings only the end can decide (a streak still unanswered), and the notes."""
        if self._finished:
            return []
        self._finished = True
        hits = [h for check in self.checks for h in check.on_end()]
        time_cats = list(dict.fromkeys(c.category for c in self.checks if c.uses_time))
        if self.own_messages and time_cats:
            if self.own_without_time == self.own_messages:
                self.notes.append(f"{', '.join(time_cats)}: could not run: the export has no timestamps")
            elif self.own_without_time:
                self.notes.append(f"{', '.join(time_cats)}: skipped {plural(self.own_without_time, 'message')} of yours without a timestamp")
        reply_cats = list(dict.fromkeys(c.category for c in self.checks if c.uses_replies))
        if self.own_messages and reply_cats and not self.replies_known:
            self.notes.append(f"{', '.join(reply_cats)}: could not run: the export does not say who sent each message")
        return hits

    def check_draft(self, draft: str, now: datetime) -> list[Finding]:
        """Findings for `draft` as your next message, sent at `now`, after everything fed."""
        turn = make_turn(self.state, -1, Message(draft, sender=None, sent_at=now), now, draft=True)
        return [h.finding for check in self.checks for h in check.on_mine(turn)]

    def _remember_prev(self, at: datetime | None, *, mine: bool) -> None:
        self.state.prev_mine = mine
        if at is not None:
            self.state.prev_at = at
