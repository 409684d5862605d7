"""double-text: writing again while your previous message is still unanswered."""

from __future__ import annotations

from .base import ContextCheck, Turn
from .clock import elapsed, format_duration, format_time_or, preview
from .rules import ContextHit


class DoubleText(ContextCheck):
    id = "sent-while-unanswered"
    uses_replies = True

    def on_mine(self, turn: Turn) -> list[ContextHit]:
        if not turn.follows_unanswered:
            return []
        prev = self.state.run[-1]
        gap = elapsed(prev.last_at, turn.at) if turn.at is not None and prev.last_at is not None else None
        return [self.hit(turn.index, turn.message, draft=turn.draft, previous=format_time_or(prev.first_at), previous_text=preview(prev.message.text or "[media]", 40), elapsed=format_duration(gap) if gap is not None else "some time")]
