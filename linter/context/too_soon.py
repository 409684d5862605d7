"""too-soon (after unanswered): writing again within `too_soon_days` of an unanswered message."""

from __future__ import annotations

from datetime import timedelta

from .base import ContextCheck, Turn
from .clock import elapsed, format_duration, format_time_or, preview
from .rules import ContextHit


class TooSoonAfterUnanswered(ContextCheck):
    id = "too-soon-after-unanswered"
    uses_time = True

    def on_mine(self, turn: Turn) -> list[ContextHit]:
        if not turn.follows_unanswered or turn.at is None:
            return []
        prev = self.state.run[-1]
        if prev.last_at is None:
            return []
        gap = elapsed(prev.last_at, turn.at)
        days = self.state.settings.too_soon_days
        if gap >= timedelta(days=days):
            return []
        return [self.hit(turn.index, turn.message, draft=turn.draft, elapsed=format_duration(gap), previous=format_time_or(prev.last_at), previous_text=preview(prev.last_message.text or "[media]", 40), days=days)]
