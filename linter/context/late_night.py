"""late-night: a message written or sent inside the late-night window (default 23:00-05:00)."""

from __future__ import annotations

from .rules import ContextHit
from .base import ContextCheck, Turn
from .clock import in_window, wall_clock, window_text


class LateNight(ContextCheck):
    id = "late-night-message"
    uses_time = True

    def on_mine(self, turn: Turn) -> list[ContextHit]:
        if turn.at is None:
            return []
        local = wall_clock(turn.at)
        window = self.state.settings.late_night
        if not in_window(local.time(), window):
            return []
        return [self.hit(turn.index, turn.message, draft=turn.draft, time=local.strftime("%H:%M"), date=local.strftime("%Y-%m-%d"), window=window_text(window))]
