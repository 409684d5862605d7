"""Context rules (linter/context.py) on small hand-made conversations and drafts."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from conftest import shared
from linter.config import Settings
from linter.context import (
    CATEGORIES,
    ConversationChecker,
    conversation_findings,
    draft_findings,
    load_context_rules,
)
from linter.findings import Finding, Severity
from linter.messages import Message

BERLIN = ZoneInfo("Europe/Berlin")
ME, EX = "Sam", "Alex"


def me(text: str, at: datetime | None, sender: str | None = ME) -> Message:
    return Message(text, sender=sender, sent_at=at)


def ex(text: str, at: datetime | None) -> Message:
    return Message(text, sender=EX, sent_at=at)


def found(messages, settings=None, who: str | None = ME) -> list[tuple[int, Finding]]:
    return conversation_findings(messages, who, settings or Settings())


def of(results, category: str) -> list[tuple[int, Finding]]:
    return [(i, f) for i, f in results if f.category == category]


def indexes(results, category: str) -> list[int]:
    return [i for i, _ in of(results, category)]


# -- the rule files -----------------------------------------------------------------

def test_every_context_category_has_a_rule_with_a_real_source():
    rules = load_context_rules()
    assert {r.category for r in rules.values()} == set(CATEGORIES)
    seed_dir = shared("seeds")
    seeds = {path.read_text(encoding="utf-8").splitlines()[0].strip(): path for path in seed_dir.glob("*.txt")}
    article_003 = next(p for p in seed_dir.glob("003_*.txt")).read_text(encoding="utf-8")
    for rule in rules.values():
        text = article_003 if rule.source.title == "My Ex Won't Talk To Me! Can I Get Them Back?" else None
        if text is None:
            path = next((p for first, p in seeds.items() if first.startswith(rule.source.title)), None)
            assert path is not None, f"{rule.id}: source title {rule.source.title!r} is not one of the seed articles"
            text = path.read_text(encoding="utf-8")
        assert rule.source.section in text, f"{rule.id}: section {rule.source.section!r} not in the article"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))


def test_why_texts_paraphrase_and_do_not_copy_the_articles():
    article_words = []
    for path in shared("seeds").glob("*.txt"):
        article_words.append(_words(path.read_text(encoding="utf-8")))
    grams = {tuple(w[i : i + 5]) for w in article_words for i in range(len(w) - 4)}
    for rule in load_context_rules().values():
        for field in (rule.why, rule.suggestion):
            w = _words(field)
            copied = [" ".join(w[i : i + 5]) for i in range(len(w) - 4) if tuple(w[i : i + 5]) in grams]
            assert not copied, f"{rule.id}: five or more words copied from an article: {copied}"


# -- late-night -----------------------------------------------------------------------

@pytest.mark.parametrize(
    "hour, minute, flagged",
    [(22, 59, False), (23, 0, True), (23, 59, True), (0, 0, True), (2, 14, True), (4, 59, True), (5, 0, False), (12, 0, False)],
)
def test_late_night_default_window_crosses_midnight(hour, minute, flagged):
    results = found([me("the ramen place reopened", datetime(2024, 1, 31, hour, minute))])
    assert bool(of(results, "late-night")) is flagged


def test_late_night_custom_window_and_empty_window():
    at = datetime(2024, 5, 1, 1, 30)
    assert of(found([me("x y z", at)], Settings(late_night=(time(1, 0), time(4, 0)))), "late-night")
    assert not of(found([me("x y z", at)], Settings(late_night=(time(2, 0), time(4, 0)))), "late-night")
    assert not of(found([me("x y z", at)], Settings(late_night=(time(0, 0), time(0, 0)))), "late-night")


def test_late_night_message_names_the_time_and_window():
    [(i, f)] = of(found([ex("hi", datetime(2024, 2, 29, 20, 0)), me("u up?", datetime(2024, 2, 29, 23, 47))]), "late-night")
    assert i == 1
    assert "23:47" in f.message and "2024-02-29" in f.message and "23:00" in f.message and "05:00" in f.message
    assert f.severity == Severity.WARNING and f.why and f.suggestion and "Play It Cool" in f.source


def test_late_night_uses_the_exports_wall_clock_for_aware_times():
    # 23:30 in Berlin is 22:30 UTC: the message was written late at night where it was sent.
    berlin = datetime(2026, 3, 28, 23, 30, tzinfo=BERLIN)
    assert of(found([me("still awake", berlin)]), "late-night")
    # Just after the spring-forward gap: 05:30 CEST is 03:30 UTC, but morning on the clock.
    assert not of(found([me("morning run done", datetime(2026, 3, 29, 5, 30, tzinfo=BERLIN))]), "late-night")


def test_late_night_converts_utc_instants_to_local_time(monkeypatch):
    import time as time_module

    monkeypatch.setenv("TZ", "America/New_York")
    time_module.tzset()
    try:
        # 03:30 UTC is 22:30 (previous day) in New York: not late.
        assert not of(found([me("x y z", datetime(2024, 1, 10, 3, 30, tzinfo=timezone.utc))]), "late-night")
        # 05:30 UTC is 00:30 in New York: late.
        assert of(found([me("x y z", datetime(2024, 1, 10, 5, 30, tzinfo=timezone.utc))]), "late-night")
    finally:
        monkeypatch.undo()
        time_module.tzset()


# -- double-text and bursts ---------------------------------------------------------

def test_double_text_needs_an_unanswered_previous_message():
    t = datetime(2024, 3, 1, 12, 0)
    convo = [
        me("did you see the game last night", t),
        ex("yes!", t + timedelta(minutes=30)),
        me("that last goal was unreal", t + timedelta(minutes=31)),
        me("also, your mum's birthday is friday, right?", t + timedelta(hours=5)),
    ]
    results = found(convo)
    assert indexes(results, "double-text") == [3]
    [(_, f)] = of(results, "double-text")
    assert "2024-03-01 12:31" in f.message and "that last goal was unreal" in f.message and "4 hours" in f.message


def test_lines_typed_in_a_burst_are_one_message():
    t = datetime(2024, 3, 1, 12, 0)
    convo = [
        me("hey", t),
        me("so guess what", t + timedelta(seconds=50)),
        me("the arcade reopened", t + timedelta(seconds=170)),  # 2 min after the previous line
        me("the pinball machine still eats quarters", t + timedelta(minutes=4)),
    ]
    assert not of(found(convo), "double-text")
    # A longer pause starts a new message: that one is a double text.
    convo.append(me("hello??", t + timedelta(minutes=9)))
    assert indexes(found(convo), "double-text") == [4]


def test_burst_window_is_configurable():
    t = datetime(2024, 3, 1, 12, 0)
    convo = [me("hey", t), me("you there", t + timedelta(minutes=5))]
    assert indexes(found(convo), "double-text") == [1]
    checker = ConversationChecker(ME, Settings(), burst=timedelta(minutes=10))
    hits = [h for i, m in enumerate(convo) for h in checker.feed(i, m)] + checker.finish()
    assert not [h for h in hits if h.finding.category == "double-text"]


def test_bursts_follow_real_time_across_the_dst_change():
    # 01:59 CET and 03:00 CEST on 2026-03-29 are one minute apart (the clocks jump 02 -> 03).
    aware = [me("hey", datetime(2026, 3, 29, 1, 59, tzinfo=BERLIN)), me("you up", datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN))]
    assert not of(found(aware), "double-text")
    # The same wall-clock readings without a zone are an hour apart: a second message.
    naive = [me("hey", datetime(2026, 3, 29, 1, 59)), me("you up", datetime(2026, 3, 29, 3, 0))]
    assert indexes(found(naive), "double-text") == [1]


def test_media_only_messages_count_as_replies_and_as_messages():
    t = datetime(2024, 6, 1, 10, 0)
    photo = Message("", sender=EX, sent_at=t + timedelta(hours=1), meta={"media": True})
    assert not of(found([me("look at this view", t), photo, me("wow where is that", t + timedelta(hours=2))]), "double-text")
    my_photo = Message("", sender=ME, sent_at=t + timedelta(hours=1), meta={"media": True})
    [(i, f)] = of(found([me("look at this view", t), my_photo]), "double-text")
    assert i == 1 and f.text == "" and f.start == f.end == 0


# -- ignored-streak -------------------------------------------------------------------

def _mine_every_day(n: int, start: datetime, **kw) -> list[Message]:
    return [me(f"message number {k} about something new", start + timedelta(days=k), **kw) for k in range(n)]


def test_one_streak_finding_on_the_message_that_completes_it():
    start = datetime(2024, 1, 30, 18, 0)
    convo = _mine_every_day(4, start) + [ex("stop texting me", start + timedelta(days=10))]
    results = of(found(convo), "ignored-streak")
    # Four in a row before their reply: the first three went unanswered (the fourth got one).
    assert [i for i, _ in results] == [1]
    [(_, f)] = results
    assert f.message.startswith("3 of your messages in a row went unanswered")
    assert "2024-01-30 18:00" in f.message and "2024-02-01 18:00" in f.message  # since / until, across the month end
    assert f.severity == Severity.ERROR


def test_a_streak_at_the_end_of_the_export_counts_every_message():
    start = datetime(2024, 1, 30, 18, 0)
    [(i, f)] = of(found([ex("bye", start - timedelta(days=1)), *_mine_every_day(3, start)]), "ignored-streak")
    assert i == 2 and f.message.startswith("3 of your")


def test_answered_messages_are_no_streak_and_the_threshold_is_a_setting():
    start = datetime(2024, 1, 1, 12, 0)
    two_then_reply = [*_mine_every_day(2, start), ex("hey!", start + timedelta(days=3))]
    assert not of(found(two_then_reply), "ignored-streak")  # only the first went unanswered
    three_then_reply = [*_mine_every_day(3, start), ex("hey!", start + timedelta(days=3))]
    assert of(found(three_then_reply), "ignored-streak")
    assert not of(found(three_then_reply, Settings(ignored_streak=3)), "ignored-streak")
    [(i, _)] = of(found([*_mine_every_day(4, start), ex("hey!", start + timedelta(days=9))], Settings(ignored_streak=3)), "ignored-streak")
    assert i == 2


def test_separate_streaks_get_separate_findings():
    start = datetime(2024, 1, 1, 12, 0)
    convo = [*_mine_every_day(3, start), ex("ok", start + timedelta(days=5)), *_mine_every_day(3, start + timedelta(days=20))]
    assert indexes(found(convo), "ignored-streak") == [1, 5]


# -- too-soon -------------------------------------------------------------------------

def test_too_soon_after_an_unanswered_message():
    t = datetime(2024, 1, 28, 20, 0)
    convo = [me("the dog learned to open the fridge", t), me("anyway, hope work is going ok", datetime(2024, 2, 2, 9, 0))]
    [(i, f)] = of(found(convo), "too-soon")
    assert i == 1 and f.rule == "too-soon-after-unanswered"
    assert "4 days" in f.message and "2024-01-28 20:00" in f.message and "7 days" in f.message
    # A reply in between: nothing is unanswered, so nothing is too soon.
    assert not of(found([convo[0], ex("haha", datetime(2024, 1, 29, 8, 0)), convo[1]]), "too-soon")


@pytest.mark.parametrize(
    "first, second, flagged",
    [
        (datetime(2024, 2, 27, 10, 0), datetime(2024, 3, 5, 10, 0), False),  # leap year: 7 full days
        (datetime(2023, 2, 27, 10, 0), datetime(2023, 3, 5, 10, 0), True),  # 6 days
        (datetime(2024, 12, 28, 10, 0), datetime(2025, 1, 3, 9, 59), True),  # across the year end
    ],
)
def test_too_soon_across_month_ends(first, second, flagged):
    convo = [me("first message about the trip", first), me("second message about the trip", second)]
    assert bool(of(found(convo), "too-soon")) is flagged


def test_too_soon_counts_real_hours_across_the_dst_change():
    # 7 days on the wall clock, but the spring-forward night makes it 6 days 23 hours.
    first = datetime(2026, 3, 22, 12, 30, tzinfo=BERLIN)
    second = datetime(2026, 3, 29, 12, 30, tzinfo=BERLIN)
    assert of(found([me("first message about the trip", first), me("second message about the trip", second)]), "too-soon")
    assert not of(found([me("first message about the trip", first.replace(tzinfo=None)), me("second message about the trip", second.replace(tzinfo=None))]), "too-soon")
    later = datetime(2026, 3, 29, 13, 30, tzinfo=BERLIN)  # a full 7 days of real time
    assert not of(found([me("first message about the trip", first), me("second message about the trip", later)]), "too-soon")


def test_too_soon_setting_changes_the_wait():
    convo = [me("first message about the trip", datetime(2024, 5, 1, 9)), me("second message about the trip", datetime(2024, 5, 9, 9))]
    assert not of(found(convo), "too-soon")
    assert of(found(convo, Settings(too_soon_days=10)), "too-soon")


def test_messages_during_the_no_contact_period():
    until = date(2024, 3, 10)
    settings = Settings(no_contact_until=until)
    convo = [
        me("before the period started", datetime(2024, 2, 8, 12, 0)),  # 31 days before: outside
        ex("ok", datetime(2024, 2, 8, 13, 0)),
        me("just checking in on the cat", datetime(2024, 3, 1, 12, 0)),
        ex("she's fine", datetime(2024, 3, 2, 13, 0)),
        me("last night of no contact", datetime(2024, 3, 9, 23, 0)),
        ex("?", datetime(2024, 3, 10, 8, 0)),
        me("the period is over today", datetime(2024, 3, 10, 9, 0)),
    ]
    results = [(i, f) for i, f in found(convo, settings) if f.rule == "during-no-contact"]
    assert [i for i, _ in results] == [2, 4]
    assert "9 days" in results[0][1].message and "2024-03-10" in results[0][1].message
    assert results[0][1].severity == Severity.ERROR
    checker = ConversationChecker(ME, settings, no_contact_from=date(2024, 3, 5))
    hits = [h.index for i, m in enumerate(convo) for h in checker.feed(i, m) if h.finding.rule == "during-no-contact"]
    assert hits == [4]


# -- repeat ---------------------------------------------------------------------------

def test_exact_repeats_ignore_case_and_punctuation_and_name_the_earlier_message():
    convo = [
        me("Hey!", datetime(2024, 1, 5, 10, 0)),
        ex("hi", datetime(2024, 1, 5, 11, 0)),
        me("hey", datetime(2024, 1, 20, 10, 0)),  # an opener after two weeks: same old "hey"
        ex("hello", datetime(2024, 1, 20, 11, 0)),
        me("hey..", datetime(2024, 2, 1, 10, 0)),
    ]
    results = of(found(convo), "repeat")
    assert [i for i, _ in results] == [2, 4]
    assert "2024-01-05 10:00" in results[0][1].message and "Hey!" in results[0][1].message and "second time" in results[0][1].message
    assert "3rd time" in results[1][1].message and "first on 2024-01-05 10:00" in results[1][1].message


def test_short_replies_are_not_repeats_but_short_openers_are():
    t = datetime(2024, 1, 5, 10, 0)
    convo = [
        ex("can you bring the charger", t),
        me("ok", t + timedelta(minutes=5)),
        ex("and the blue bag", t + timedelta(minutes=20)),
        me("ok", t + timedelta(minutes=25)),  # an answer: fine
        me("ok", t + timedelta(days=3)),  # a follow-up to your own message: chasing
    ]
    assert indexes(found(convo), "repeat") == [4]


def test_near_duplicates_are_fuzzy_matched_with_the_similarity_setting():
    first = me("I found the photos from our trip to the lake last summer", datetime(2024, 1, 5, 10))
    again = me("found the photos from our trip to the lake last summer!!", datetime(2024, 3, 5, 10))
    other = me("the photos from the wedding are finally online, you look great", datetime(2024, 3, 6, 10))
    results = of(found([first, ex("nice", datetime(2024, 1, 5, 12)), again, ex("ok", datetime(2024, 3, 5, 12)), other]), "repeat")
    assert [i for i, _ in results] == [2]
    assert "Nearly the same" in results[0][1].message and "%" in results[0][1].message and "2024-01-05" in results[0][1].message
    strict = found([first, ex("nice", datetime(2024, 1, 5, 12)), again], Settings(repeat_similarity=99))
    assert not of(strict, "repeat")


def test_repeats_inside_a_flowing_exchange_are_just_talking():
    day = datetime(2024, 1, 5, 18, 0)
    convo = []
    for k in range(3):
        t = day + timedelta(days=k)
        convo += [ex("leaving work?", t), me("on my way home, need anything from the store on the corner?", t + timedelta(minutes=5))]
    assert not of(found(convo), "repeat")
    # The same text as an opener, after two weeks of silence, is the stale message.
    convo.append(me("on my way home, need anything from the store on the corner?", day + timedelta(days=16)))
    assert indexes(found(convo), "repeat") == [6]


def test_their_messages_are_never_repeats_of_yours():
    t = datetime(2024, 1, 5, 10)
    convo = [me("the ramen place on 5th reopened today", t), ex("the ramen place on 5th reopened today", t + timedelta(hours=1))]
    assert not of(found(convo), "repeat")


# -- no timestamps, no senders, settings ------------------------------------------------

def test_plain_text_without_times_or_senders_runs_what_it_can():
    convo = [Message("hey, how are you doing these days"), Message("hey, how are you doing these days"), Message("ok")]
    checker = ConversationChecker(None, Settings(), replies_known=False)
    hits = [h for i, m in enumerate(convo) for h in checker.feed(i, m)] + checker.finish()
    assert [(h.index, h.finding.category) for h in hits] == [(1, "repeat")]
    assert any("could not run: the export has no timestamps" in n for n in checker.notes)
    assert any("double-text" in n and "who sent each message" in n for n in checker.notes)
    assert len(checker.notes) == 2  # once each, not per message
    # The public function agrees (sender None counts as yours).
    assert [(i, f.category) for i, f in conversation_findings(convo, None, Settings())] == [(1, "repeat")]


def test_disable_and_enable_by_category_or_rule_id():
    convo = [me("u up", datetime(2024, 1, 1, 2, 0)), me("u up", datetime(2024, 1, 1, 3, 0))]
    everything = {f.category for _, f in found(convo)}
    assert {"late-night", "double-text", "repeat", "too-soon", "ignored-streak"} <= everything
    some = {f.category for _, f in found(convo, Settings(disable=frozenset({"late-night", "sent-while-unanswered"})))}
    assert "late-night" not in some and "double-text" not in some and "repeat" in some
    back = {f.category for _, f in found(convo, Settings(disable=frozenset({"late-night"}), enable=frozenset({"late-night-message"})))}
    assert "late-night" in back


def test_findings_span_the_whole_message_and_fill_every_placeholder():
    text = "hey\nare you awake"
    convo = [me(text, datetime(2024, 1, 1, 2, 0)), me(text, datetime(2024, 1, 1, 3, 0))]
    results = found(convo)
    assert results
    for i, f in results:
        assert (f.start, f.end, f.text, f.path) == (0, len(text), text, None)
        assert (f.line, f.column, f.end_line, f.end_column) == (1, 1, 2, len("are you awake") + 1)
        assert "{" not in f.message and "}" not in f.message


def test_findings_come_back_in_message_order():
    start = datetime(2024, 1, 1, 12)
    results = found(_mine_every_day(5, start))
    assert [i for i, _ in results] == sorted(i for i, _ in results)


# -- draft_findings --------------------------------------------------------------------

def test_draft_late_night_from_now():
    [f] = draft_findings("hey", now=datetime(2024, 4, 1, 1, 15), settings=Settings())
    assert f.category == "late-night" and "01:15" in f.message
    assert draft_findings("hey", now=datetime(2024, 4, 1, 13, 15), settings=Settings()) == []


def test_draft_during_no_contact_says_the_days_left():
    settings = Settings(no_contact_until=date(2026, 12, 20))
    [f] = draft_findings("hi", now=datetime(2026, 12, 1, 12, 0), settings=settings)
    assert f.rule == "during-no-contact" and "19 days" in f.message and "2026-12-20" in f.message
    assert draft_findings("hi", now=datetime(2026, 12, 20, 12, 0), settings=settings) == []
    # Months before the end still count: the draft is written now, inside the period.
    assert draft_findings("hi", now=datetime(2026, 6, 1, 12, 0), settings=settings)[0].rule == "during-no-contact"


def test_draft_too_soon_double_text_and_streak_from_history():
    history = [
        ex("I need some space", datetime(2024, 5, 1, 9, 0)),
        me("ok, take care", datetime(2024, 5, 1, 9, 30)),
        me("saw a dog just like yours today", datetime(2024, 5, 3, 18, 0)),
    ]
    draft = "Did you end up taking the job in Lisbon?"
    findings = draft_findings(draft, now=datetime(2024, 5, 6, 12, 0), settings=Settings(), history=history, me="sam")
    cats = [f.category for f in findings]
    assert cats == ["double-text", "ignored-streak", "too-soon"]
    streak = findings[1]
    assert streak.message.startswith("Your last 2 messages") and "2024-05-01 09:30" in streak.message
    assert "2 days" in findings[2].message and "2024-05-03 18:00" in findings[2].message
    for f in findings:
        assert (f.start, f.end, f.text) == (0, len(draft), draft)
    # Eight days later nothing is too soon any more, but they still have not answered.
    later = [f.category for f in draft_findings(draft, now=datetime(2024, 5, 12, 12, 0), settings=Settings(), history=history, me="sam")]
    assert later == ["double-text", "ignored-streak"]
    # After a reply, the draft is simply the next message.
    answered = [*history, ex("haha, what kind?", datetime(2024, 5, 3, 19, 0))]
    assert draft_findings(draft, now=datetime(2024, 5, 6, 12, 0), settings=Settings(), history=answered, me="sam") == []


def test_draft_repeat_against_history():
    history = [me("Hey, how have you been?", datetime(2024, 1, 1, 12)), ex("good", datetime(2024, 1, 2, 12))]
    [f] = draft_findings("hey how have you been", now=datetime(2024, 2, 1, 12), settings=Settings(), history=history, me=ME)
    assert f.category == "repeat" and "2024-01-01 12:00" in f.message and "would be the second time" in f.message


def test_draft_with_aware_history_and_naive_now():
    history = [me("the ramen place reopened", datetime(2026, 3, 28, 20, 0, tzinfo=BERLIN))]
    # `now` naive local time: converted, compared in real time, no TypeError.
    now = datetime(2026, 3, 29, 12, 0)
    findings = draft_findings("also they have a new spicy one", now=now, settings=Settings(), history=history, me=ME)
    assert [f.category for f in findings] == ["double-text", "too-soon"]


def test_draft_with_naive_history_and_aware_now():
    history = [me("the ramen place reopened", datetime(2024, 3, 1, 20, 0))]
    now = datetime(2024, 3, 2, 12, 0).astimezone()
    findings = draft_findings("also they have a new spicy one", now=now, settings=Settings(), history=history, me=ME)
    assert [f.category for f in findings] == ["double-text", "too-soon"]
    assert "16 hours" in findings[1].message


def test_draft_multi_line_spans_use_line_index():
    draft = "hey\n\nsaw this and thought of you"
    [f] = draft_findings(draft, now=datetime(2024, 1, 1, 3, 0), settings=Settings())
    assert (f.line, f.column, f.end_line, f.end_column) == (1, 1, 3, len("saw this and thought of you") + 1)
