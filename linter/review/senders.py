"""Who wrote how many messages, and which of them is "you"."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ..messages import Message
from .summary import ReviewError

if TYPE_CHECKING:
    from ..chats import ChatImport


class Senders:
    """Who wrote how many messages (names compared case-insensitively).

    Counts each sender string as written (one Counter update per message) and folds case
    and spacing only when asked, over the few distinct names."""

    def __init__(self) -> None:
        self.as_written: Counter = Counter()  # sender as written (None: no sender) -> messages

    def add(self, message: Message) -> None:
        self.as_written[message.sender] += 1

    @property
    def total(self) -> int:
        return sum(self.as_written.values())

    @property
    def unnamed(self) -> int:
        """Messages without a sender."""
        return self.as_written[None]

    def ranked(self) -> list[tuple[str, str, int]]:
        """(casefolded name, its most common spelling, messages), most messages first."""
        folded: dict[str, Counter] = {}
        for name, n in self.as_written.items():
            if name is not None:
                folded.setdefault(name.strip().casefold(), Counter())[name.strip()] += n
        rows = [(key, spellings.most_common(1)[0][0], sum(spellings.values())) for key, spellings in folded.items()]
        rows.sort(key=lambda row: -row[2])  # stable: ties stay in first-seen order
        return rows

    @property
    def counts(self) -> Counter:
        """Casefolded name -> messages."""
        return Counter({key: n for key, _, n in self.ranked()})

    def spelling(self, key: str) -> str:
        """The name as the export writes it most often."""
        return next(spelling for k, spelling, _ in self.ranked() if k == key)

    def as_dict(self) -> dict[str, int]:
        out = {spelling: n for _, spelling, n in self.ranked()}
        if self.unnamed and out:
            out["(no sender)"] = self.unnamed
        return out

    def listing(self, limit: int = 20) -> str:
        rows = self.ranked()
        shown = ", ".join(f"\"{spelling}\" ({n:,})" for _, spelling, n in rows[:limit])
        more = f", and {len(rows) - limit} more" if len(rows) > limit else ""
        return shown + more


def count_senders(chat: "ChatImport") -> Senders:
    senders = Senders()
    for message in chat:
        senders.add(message)
    return senders


def choose_me(senders: Senders, me: str | None, path: str) -> str | None:
    """Who "you" are: --me matched case-insensitively; required when senders are named.
    Returns the name as the export spells it (None when the export names no senders)."""
    if not senders.counts:
        return None
    if me is None:
        n = len(senders.counts)
        raise ReviewError(f"{path} has messages from {n} sender{'s' if n != 1 else ''}; say which one is you with --me NAME: {senders.listing()}")
    key = me.strip().casefold()
    if key not in senders.counts:
        raise ReviewError(f"--me {me!r} matches no sender in {path}; the senders are: {senders.listing()}")
    return senders.spelling(key)
