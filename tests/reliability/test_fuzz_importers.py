"""Every importer, fed arbitrary files through `load_chat`: the outcome is messages, system
lines and counted skips, or one ChatImportError line, never another exception."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from linter.chats import ChatImportError, load_chat
from linter.messages import Message

ANY_CHAR = st.characters(codec=None, exclude_categories=())
ANY_TEXT = st.text(ANY_CHAR, max_size=30)
JSON_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63), st.floats(allow_nan=False, allow_infinity=False), ANY_TEXT)
JSON_ANY = st.recursive(JSON_SCALAR, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(ANY_CHAR, max_size=6), inner, max_size=4), max_leaves=15)

# Hypothesis reports several distinct crashes of one test as an ExceptionGroup (3.11+).

FUZZ = settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

DATES = st.sampled_from(["2024-01-02T10:00:00", "2024-01-02T10:00:00+02:00", "1704189600", "1704189600000", "", "0", "-1", "99999999999999999999", "2024-13-45T99:99:99", "yesterday"])
NUMBERS = st.sampled_from([0, -1, 1704189600, 1704189600000, 2**70, 1.5, -(2**63)])


def plausible(*choices: object) -> st.SearchStrategy:
    """A field's value: mostly one a real export holds, often anything at all."""
    real = st.sampled_from(list(choices)) if choices else ANY_TEXT
    return st.one_of(real, real, real, DATES, NUMBERS, ANY_TEXT, JSON_ANY)


def record(fields: dict[str, st.SearchStrategy], required: tuple[str, ...] = ()) -> st.SearchStrategy:
    """A dict with the required fields, some of the others (plausible or hostile values)
    and maybe stray keys."""
    must = {k: fields[k] for k in required}
    rest = {k: v for k, v in fields.items() if k not in must}
    return st.fixed_dictionaries(must, optional=rest).flatmap(lambda d: st.dictionaries(st.text(ANY_CHAR, max_size=6), JSON_ANY, max_size=2).map(lambda extra: {**extra, **d}))


def shaped(fields: dict[str, st.SearchStrategy], required: tuple[str, ...]) -> st.SearchStrategy:
    """Mostly a record with its structural fields, sometimes one without, sometimes any JSON."""
    full = record(fields, required)
    return st.one_of(full, full, full, record(fields), JSON_ANY)


TEXT_VALUE = st.one_of(ANY_TEXT, st.lists(st.one_of(ANY_TEXT, record({"type": plausible("plain", "bold", "link"), "text": plausible()})), max_size=3))
TELEGRAM_MESSAGE = shaped({
    "id": plausible(1, 2), "type": plausible("message", "service"), "date": plausible("2024-01-02T10:00:00"), "date_unixtime": plausible("1704189600"),
    "from": plausible("Sam", "Alex", None), "from_id": plausible("user1"), "text": TEXT_VALUE, "action": plausible("phone_call", "pin_message"),
    "media_type": plausible("sticker", "voice_message"), "photo": plausible("photos/a.jpg"), "file": plausible("files/b.pdf"), "edited": plausible(),
}, ("type", "date", "from", "text"))
TELEGRAM_CHAT = shaped({"name": plausible("Sam"), "type": plausible("personal_chat", "saved_messages"), "id": plausible(), "messages": st.one_of(st.lists(TELEGRAM_MESSAGE, max_size=5), JSON_ANY)}, ("name", "type", "messages"))
TELEGRAM = st.one_of(TELEGRAM_CHAT, TELEGRAM_CHAT, shaped({"chats": shaped({"list": st.one_of(st.lists(TELEGRAM_CHAT, max_size=3), JSON_ANY)}, ("list",)), "about": plausible()}, ("chats",)))

MESSENGER_MESSAGE = shaped({
    "sender_name": plausible("Sam", "Alex"), "timestamp_ms": plausible(1704189600000), "content": plausible("i\u00e2\u0080\u0099m here", "hey"), "type": plausible("Generic", "Share", "Call"),
    "is_unsent": plausible(True, False), "photos": plausible([{"uri": "a.jpg"}]), "reactions": plausible(),
}, ("sender_name", "timestamp_ms", "content"))
MESSENGER = shaped({"participants": st.lists(record({"name": plausible("Sam")}), max_size=3), "messages": st.one_of(st.lists(MESSENGER_MESSAGE, max_size=5), JSON_ANY), "title": plausible()}, ("participants", "messages"))

DISCORD_MESSAGE = shaped({
    "id": plausible("1"), "type": plausible("Default", "Reply", "RecipientAdd", "ChannelPinnedMessage"), "timestamp": plausible("2024-01-02T10:00:00+00:00"), "timestampEdited": plausible(None),
    "content": plausible("hey"), "author": shaped({"id": plausible("9"), "name": plausible("sam"), "nickname": plausible("Sam"), "isBot": plausible(True, False)}, ("id", "name")),
    "attachments": plausible([{"url": "a.png"}]), "reference": shaped({"messageId": plausible("1")}, ("messageId",)),
}, ("id", "type", "timestamp", "content", "author"))
DISCORD = shaped({"guild": record({"name": plausible("Direct Messages")}), "channel": record({"name": plausible("sam")}), "messages": st.one_of(st.lists(DISCORD_MESSAGE, max_size=5), JSON_ANY)}, ("guild", "channel", "messages"))

ROW = shaped({"timestamp": plausible("2024-01-02 10:00"), "sender": plausible("Sam", "Alex"), "text": plausible("hey")}, ("timestamp", "sender", "text"))

# Lines that look like each text format, mixed with anything at all.
LINE_SHAPES = {
    "whatsapp": ["1/2/24, 10:00 - Sam: ", "[02.01.24, 10:00:00] Alex: ", "1/2/24, 10:00 - ", "‎[1/2/24, 10:00:00 AM] Sam: ‎<attached: a.jpg>", "31/12/2024, 23:59 - Messages and calls are end-to-end encrypted."],
    "signal": ["[2019-05-29, 15:04] Sam: ", "[2019-05-29 15:04] Alex: ", "> quoted", "![photo](a.jpg)", "[2019-99-99, 99:99] x: "],
    "imessage": ["Jan 02, 2024 10:00:00 AM", "Sam", "Me", "    Jan 02, 2024 10:01:00 AM", "Edited 1 time", "This message responded to an earlier message."],
    "text": ["", "do you miss me?", "\u2028"],
    "csv": ["timestamp,sender,text", '"2024-01-02 10:00",Sam,"hi, you"', ',,', '"unterminated'],
}


def lines_file(shapes: list[str]) -> st.SearchStrategy:
    line = st.one_of(st.sampled_from(shapes).flatmap(lambda prefix: ANY_TEXT.map(lambda rest: prefix + rest)), ANY_TEXT, st.sampled_from(shapes))
    return st.lists(line, max_size=12).map("\n".join)


def _write(name: str, content: str | bytes) -> Path:
    directory = Path(tempfile.mkdtemp(prefix="fuzz-"))
    path = directory / name
    if isinstance(content, str):
        # Lone surrogates cannot be UTF-8: written as the bytes surrogatepass makes, which
        # the importer must refuse with one line.
        content = content.encode("utf-8", "surrogatepass")
    path.write_bytes(content)
    return path


def _json(document: object) -> str:
    # ensure_ascii: lone surrogates travel as "\ud83d" escapes, as in real damaged exports.
    return json.dumps(document, ensure_ascii=True)


def test_a_non_string_timestamp_is_a_skip_not_a_crash():
    # The shared ISO parser refuses non-strings with the TypeError its callers catch.
    doc = {"guild": {"name": "DM"}, "channel": {"name": "sam"}, "messages": [{"id": "1", "type": "Default", "timestamp": 5, "content": "hi", "author": {"id": "9", "name": "sam"}}]}
    chat = load_chat(_write("dm.json", _json(doc)), "discord")
    assert list(chat) == [] and [s.reason for s in chat.skipped] == ["timestamp is a number, not a date string"]


def _import(path: Path, fmt: str | None) -> None:
    try:
        chat = load_chat(path, fmt)
        messages = list(chat)
    except ChatImportError as exc:
        text = str(exc)
        assert text and "\n" not in text, repr(text)
        return
    for m in messages:
        assert isinstance(m, Message) and isinstance(m.text, str)
        m.text.encode("utf-8")  # cleaned: printable and sendable
        if m.sender is not None:
            m.sender.encode("utf-8")
    assert chat.entries == chat.messages_read + len(chat.system_lines) + len(chat.skipped)
    assert chat.messages_read == len(messages)


@given(TELEGRAM)
@FUZZ
def test_telegram(document):
    _import(_write("result.json", _json(document)), "telegram")


@given(MESSENGER)
@example({"participants": [{"name": "Sam"}], "messages": [{"sender_name": "Sam", "timestamp_ms": 1704189600000, "content": "hi", "type": []}]})
@FUZZ
def test_messenger(document):
    _import(_write("message_1.json", _json(document)), "messenger")


@given(DISCORD)
@example({"guild": {"name": "Direct Messages"}, "channel": {"name": "sam"}, "messages": [{"id": "1", "type": [], "timestamp": "2024-01-02T10:00:00+00:00", "content": "hi", "author": {"id": "9", "name": "sam"}}]})
@example({"guild": {"name": "Direct Messages"}, "channel": {"name": "sam"}, "messages": [{"id": "1", "type": "Default", "timestamp": "2024-01-02T10:00:00+00:00", "content": "hi", "author": {"id": "9", "name": "sam"}, "reference": 5}]})
@FUZZ
def test_discord(document):
    _import(_write("dm.json", _json(document)), "discord")


@given(st.lists(st.one_of(ROW.map(_json), JSON_ANY.map(_json), ANY_TEXT), max_size=8))
@FUZZ
def test_jsonl(rows):
    _import(_write("chat.jsonl", "\n".join(rows)), "jsonl")


@given(st.lists(st.lists(st.one_of(ANY_TEXT, DATES, st.sampled_from(["Sam", "Alex"])), min_size=0, max_size=4), max_size=8), st.booleans())
@FUZZ
def test_csv(rows, header):
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(["timestamp", "sender", "text"])
    writer.writerows(rows)
    _import(_write("chat.csv", out.getvalue()), "csv")


@given(st.sampled_from(sorted(LINE_SHAPES)).flatmap(lambda fmt: st.tuples(st.just(fmt), lines_file(LINE_SHAPES[fmt]))))
@FUZZ
def test_text_formats(case):
    fmt, content = case
    _import(_write("chat.txt", content), fmt)


@given(st.one_of(st.binary(max_size=200), lines_file([s for shapes in LINE_SHAPES.values() for s in shapes]), JSON_ANY.map(_json)))
@FUZZ
def test_detection_takes_any_file(content):
    _import(_write("export", content), None)
