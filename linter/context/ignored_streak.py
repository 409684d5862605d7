"""ignored-streak: `ignored_streak` or more of your messages in a row went unanswered."""

from __future__ import annotations

from .base import ContextCheck, Turn
from .clock import format_time_or, ordinal
from .rules import ContextHit


class IgnoredStreak(ContextCheck):
    id = "ignored-streak"
    uses_replies = True

    def on_mine(self, turn: Turn) -> list[ContextHit]:
        # Only the draft is judged here: in an export a streak is decided when it ends.
        run, n = self.state.run, self.state.settings.ignored_streak
        if not turn.draft or not turn.follows_unanswered or len(run) < n:
            return []
        return [self.hit(-1, turn.message, draft=True, count=len(run), since=format_time_or(run[0].first_at), until=format_time_or(run[-1].last_at), threshold=ordinal(len(run)))]

    def on_reply(self) -> list[ContextHit]:
        # The reply answers your latest burst; the ones before it went unanswered.
        return self._close(len(self.state.run) - 1)

    def on_end(self) -> list[ContextHit]:
        return self._close(len(self.state.run))

    def _close(self, unanswered: int) -> list[ContextHit]:
        run, n = self.state.run, self.state.settings.ignored_streak
        if not run or not self.state.replies_known or unanswered < n:
            return []
        first, last, completing = run[0], run[unanswered - 1], run[n - 1]
        return [self.hit(completing.index, completing.message, draft=False, count=unanswered, since=format_time_or(first.first_at), until=format_time_or(last.last_at), threshold=ordinal(n))]
