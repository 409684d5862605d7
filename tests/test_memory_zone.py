"""A long-running process checks drafts inside spaCy memory zones: new words do not pile up
in the vocabulary, and the findings are the same as outside a zone."""

from __future__ import annotations

from linter.api import get_linter
from linter.config import Settings


def _drafts(n: int, seed: str) -> list[str]:
    # Every draft brings words the vocabulary has never seen.
    return [f"do you miss me? saw a zq{seed}{i}x bird and thought of you, answer me tonight or we're done {seed}w{i}" for i in range(n)]


def test_new_words_do_not_accumulate_in_the_vocabulary():
    linter = get_linter(Settings())
    strings = linter.engine.nlp.vocab.strings
    with linter.zone():
        list(linter.check_many(_drafts(5, "warm")))
    before = len(strings)
    for round_ in range(4):
        with linter.zone():
            list(linter.check_many(_drafts(50, f"r{round_}")))
    assert len(strings) <= before + 5, f"{len(strings) - before} strings left behind by 200 drafts"


def test_findings_inside_and_outside_a_zone_are_identical():
    linter = get_linter(Settings())
    drafts = _drafts(20, "same") + ["I need you to return my keys", "lol remember the goat at the petting zoo"]
    outside = list(linter.check_many(drafts))
    with linter.zone():
        inside = list(linter.check_many(drafts))
    after = list(linter.check_many(drafts))  # and the rules still work once the zone is over
    assert inside == outside == after
    assert any(f.category == "miss-me" for f in outside[0][0])
