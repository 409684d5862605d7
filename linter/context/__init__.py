"""Context rules: findings about timing and history, not about the words.

A message can be fine on its own and still a mistake because of *when* it is sent (late at
night, during no contact, days after an unanswered message) or *what came before* (your
last message is still unanswered, several in a row were ignored, you sent the same text
before). These rules read a conversation (a sequence of `Message`s) or the clock; they never
parse text. Their texts are data in `rulesets/context/<category>.yaml`.

Two entry points with fixed signatures (the review command and the pre-send check use them):

    conversation_findings(messages, me, settings) -> [(index, Finding), ...]
    draft_findings(draft, now=..., settings=..., history=..., me=...) -> [Finding, ...]

`ConversationChecker` is the streaming engine behind both: `msglint review` feeds it one
message at a time so an export of any size is checked in one pass with bounded state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from ..config import Settings
from ..findings import Finding
from ..messages import Message
from .checker import BURST_WINDOW, ConversationChecker
from .clock import elapsed, format_time, in_window, match_kind, normalize, wall_clock
from .rules import CATEGORIES, ContextHit, ContextRule, ContextRuleError, context_names, enabled_rules, load_context_rules

__all__ = [
    "BURST_WINDOW", "CATEGORIES", "ContextHit", "ContextRule", "ContextRuleError", "ConversationChecker",
    "context_names", "conversation_findings", "draft_findings", "elapsed", "enabled_rules", "format_time",
    "in_window", "load_context_rules", "normalize", "wall_clock",
]

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
    now = match_kind(now, (m.sent_at for m in history))
    checker = ConversationChecker(me, settings, replies_known=any(m.sender is not None for m in history))
    for i, message in enumerate(history):
        checker.feed(i, message)
    findings = checker.check_draft(draft, now)
    findings.sort(key=lambda f: (_ORDER[f.category], f.rule))
    return findings
