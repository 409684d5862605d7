"""The small interface every context rule implements, and the conversation state they share.

The checker owns the state (who is "you", your bursts of lines since their last reply,
when the previous message was sent) and, for each message, builds a `Turn` that says what
a rule needs to know about it: is it a continuation of your previous burst, does it open
contact, which unanswered burst of yours it follows. Each rule then answers three calls:

    on_mine(turn)    a message of yours, fed from an export or the draft being checked
    on_reply(state)  a message from them arrives (before your run of bursts is cleared)
    on_end(state)    the export is over

and returns the findings they make possible. A rule keeps only the memory it needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ..config import Settings
from ..messages import Message
from .clock import elapsed
from .rules import ContextHit, ContextRule, Template, make_finding

# Lines sent within this long of your previous one, with no reply between, are one message
# for double-text, ignored-streak and too-soon: people type "hey" / "so" / "guess what" as
# separate lines. (Settings has no field for it yet; `ConversationChecker(burst=...)` and
# `msglint review --burst-minutes` override it.)
BURST_WINDOW = timedelta(minutes=2)

# Only a message that *opens* contact can be a stale repeat: the first message, a follow-up
# to your own unanswered message, or the first after OPENER_GAP of silence.
OPENER_GAP = timedelta(hours=12)


@dataclass
class Burst:
    """One or more of your lines sent close together: one 'message' for the reply rules."""

    index: int
    message: Message
    first_at: datetime | None
    last_at: datetime | None
    last_message: Message


@dataclass
class State:
    """What every rule may read about the conversation so far."""

    settings: Settings
    replies_known: bool
    burst: timedelta
    no_contact_from: date | None
    run: list[Burst] = field(default_factory=list)  # your bursts since their last message
    prev_at: datetime | None = None
    prev_mine: bool | None = None


@dataclass(frozen=True)
class Turn:
    """One message of yours as the rules see it."""

    index: int  # into the conversation; -1 for the draft
    message: Message
    at: datetime | None
    draft: bool
    continuing: bool  # within the burst window of your previous line, no reply between
    opener: bool  # opens contact (see OPENER_GAP)
    state: State = field(compare=False, repr=False)

    @property
    def follows_unanswered(self) -> bool:
        """A new burst while your previous one has no reply (and the export says who wrote what)."""
        return not self.continuing and bool(self.state.run) and self.state.replies_known


def make_turn(state: State, index: int, message: Message, at: datetime | None, *, draft: bool) -> Turn:
    last = state.run[-1] if state.run else None
    continuing = last is not None and at is not None and last.last_at is not None and timedelta(0) <= elapsed(last.last_at, at) <= state.burst
    opener = not continuing and (
        state.prev_mine is None or state.prev_mine or (at is not None and state.prev_at is not None and elapsed(state.prev_at, at) >= OPENER_GAP)
    )
    return Turn(index, message, at, draft, continuing, opener, state)


class ContextCheck:
    """One context rule: `id` names its texts in rulesets/context/. `uses_time` and
    `uses_replies` say which notes to leave when an export lacks timestamps or senders."""

    id: str = ""
    uses_time = False
    uses_replies = False

    def __init__(self, rule: ContextRule, state: State) -> None:
        self.rule = rule
        self.state = state

    @property
    def category(self) -> str:
        return self.rule.category

    def on_mine(self, turn: Turn) -> list[ContextHit]:
        return []

    def on_reply(self) -> list[ContextHit]:
        return []

    def on_end(self) -> list[ContextHit]:
        return []

    def hit(self, index: int, message: Message, *, draft: bool, **values) -> ContextHit:
        template = self.rule.draft_message if draft else self.rule.message
        return ContextHit(index, message, make_finding(self.rule, template.format_map(Template(values)), message.text))
