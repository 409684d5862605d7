"""Batch review of a chat export: your own patterns across every message you sent.

    run      one streaming pass: export -> your messages linted in chunks, every message
             through the context rules -> a Review
    workers  linting chunks in order, in-process or on N worker processes
    senders  who wrote how many messages; which one is you
    summary  the Review: counts, months, hours, flagged messages

Rendering lives in `linter.formats` (text, json, csv, html); the command in `linter.cli.review`.
"""

from .run import review_messages
from .senders import Senders, choose_me, count_senders
from .summary import Flagged, MonthStats, Review, ReviewError

__all__ = ["review_messages", "Senders", "choose_me", "count_senders", "Flagged", "MonthStats", "Review", "ReviewError"]
