"""repeat: opening contact again with the same, or nearly the same, message as before.

Only a message that opens contact counts (see `base.OPENER_GAP`): the advice is about the
message you reach out with; inside a flowing exchange, saying "on my way" or "good night"
again is just talking. Short openers ("hey", "u up?") count when they are the same text
again (after normalising case and punctuation); from FUZZY_MIN_WORDS words on, nearly the
same text counts too (in a short text one changed word makes a different message: "see you
at Nora's" / "see you at Leo's").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .base import ContextCheck, Turn
from .clock import format_time_or, normalize, ordinal, preview
from .rules import ContextHit

FUZZY_MIN_WORDS = 8

# Near-duplicates are searched among this many of your most recent distinct longer
# messages; exact repeats (after normalising case and punctuation) among up to
# EXACT_MEMORY distinct texts. Both bound the work and memory on huge exports.
FUZZY_WINDOW = 2000
EXACT_MEMORY = 200_000


@dataclass
class _Seen:
    index: int
    at: datetime | None
    text: str
    count: int
    first_at: datetime | None


class Repeat(ContextCheck):
    id = "repeated-message"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._seen: dict[str, _Seen] = {}  # normalised text -> last sending, least recent first
        self._recent_long: dict[str, None] = {}  # insertion-ordered set, oldest first

    def on_mine(self, turn: Turn) -> list[ContextHit]:
        norm = normalize(turn.message.text)
        hits = self._hits(turn, norm) if norm and turn.opener else []
        if not turn.draft and norm:
            self._remember(turn, norm)
        return hits

    def _hits(self, turn: Turn, norm: str) -> list[ContextHit]:
        seen = self._seen.get(norm)
        similarity = "The same as"
        if seen is None and self._recent_long and len(norm.split()) >= FUZZY_MIN_WORDS:
            from rapidfuzz import fuzz, process

            best = process.extractOne(norm, self._recent_long.keys(), scorer=fuzz.ratio, score_cutoff=self.state.settings.repeat_similarity)
            if best is not None:
                seen = self._seen.get(best[0])
                similarity = f"Nearly the same ({best[1]:.0f}% alike) as"
        if seen is None:
            return []
        nth = f"the {ordinal(seen.count + 1)} time (first on {format_time_or(seen.first_at)})" if seen.count > 1 else "the second time"
        times = f"this would be {nth}" if turn.draft else nth
        return [self.hit(turn.index, turn.message, draft=turn.draft, similarity=similarity, previous=format_time_or(seen.at), previous_text=preview(seen.text, 40), times=times)]

    def _remember(self, turn: Turn, norm: str) -> None:
        seen = self._seen.pop(norm, None)  # re-insert: the dict stays in least-recent order
        if seen is None:
            seen = _Seen(turn.index, turn.at, turn.message.text, 0, turn.at)
            if len(self._seen) >= EXACT_MEMORY:
                self._seen.pop(next(iter(self._seen)))
        seen.index, seen.at, seen.text, seen.count = turn.index, turn.at, turn.message.text, seen.count + 1
        self._seen[norm] = seen
        if len(norm.split()) >= FUZZY_MIN_WORDS:
            self._recent_long.pop(norm, None)
            self._recent_long[norm] = None
            if len(self._recent_long) > FUZZY_WINDOW:
                self._recent_long.pop(next(iter(self._recent_long)))
