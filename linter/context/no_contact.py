"""too-soon (during-no-contact): writing before a declared no-contact period ends."""

from __future__ import annotations

from .base import ContextCheck, Turn
from .clock import plural, wall_clock
from .rules import ContextHit


class DuringNoContact(ContextCheck):
    id = "during-no-contact"
    uses_time = True

    def on_mine(self, turn: Turn) -> list[ContextHit]:
        until = self.state.settings.no_contact_until
        if turn.at is None or not until:
            return []
        day = wall_clock(turn.at).date()
        start = self.state.no_contact_from
        # In a review, only messages inside the period; the draft is checked against its end.
        if not (day < until and (turn.draft or start is None or day >= start)):
            return []
        left = until - day
        return [self.hit(turn.index, turn.message, draft=turn.draft, until=until.isoformat(), days_left=plural(left.days, "day"), **{"from": start.isoformat() if start else "?"})]
