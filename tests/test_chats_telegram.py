"""Telegram Desktop JSON: every shape of `text`, service and unknown entries, senders without
a name, media, and choosing one chat of a whole-account export. Fixtures are built here."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from conftest import read_counted

from linter.chats import ChatImportError, ConversationChoice, load_chat
from linter.chats.telegram import MAX_BYTES
from linter.cli import main


def _chat(tmp_path, messages, name="Sam", **extra):
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"name": name, "type": "personal_chat", "id": 42, "messages": messages, **extra}),
                    encoding="utf-8")
    return path


def _msg(n, text="hi", sender="Sam", **extra):
    entry = {"id": n, "type": "message", "date": f"2024-02-0{1 + n % 9}T10:00:0{n % 10}",
             "from": sender, "from_id": f"user{sender}", "text": text}
    entry.update(extra)
    return entry




# ---------------------------------------------------------------- text


def test_every_shape_of_text_renders_to_the_message_text(tmp_path):
    path = _chat(tmp_path, [
        _msg(1, "plain string"),
        _msg(2, [{"type": "bold", "text": "Call me"}, " when you can, ",
                 {"type": "mention", "text": "@alex"}, {"type": "link", "text": " https://t.me/x"}]),
        _msg(3, {"type": "italic", "text": "one entity object"}),
        _msg(4, [{"type": "text_link", "text": "this", "href": "https://example.org"}, [" nested", " list"]]),
    ])
    chat, msgs = read_counted(path)
    assert [m.text for m in msgs] == [
        "plain string",
        "Call me when you can, @alex https://t.me/x",
        "one entity object",
        "this nested list",
    ]
    assert chat.skipped == [] and chat.system_lines == []


def test_text_entities_win_when_well_formed_and_text_is_the_fallback(tmp_path):
    path = _chat(tmp_path, [
        _msg(1, "stale", text_entities=[{"type": "plain", "text": "from "}, {"type": "bold", "text": "entities"}]),
        _msg(2, "kept", text_entities=[]),  # empty list beside a real text: trust `text`
        _msg(3, "also kept", text_entities=[{"type": "plain"}]),  # malformed: trust `text`
        _msg(4, 12345, text_entities=[{"type": "plain", "text": "entities rescue a bad text"}]),
    ])
    _, msgs = read_counted(path)
    assert [m.text for m in msgs] == ["from entities", "kept", "also kept", "entities rescue a bad text"]


def test_text_of_a_wrong_type_is_a_counted_skip(tmp_path):
    path = _chat(tmp_path, [_msg(1, 12345), _msg(2, [{"text": 7}]), _msg(3, True), _msg(4, "fine")])
    chat, msgs = read_counted(path)
    assert [m.text for m in msgs] == ["fine"]
    assert [(s.line, s.reason) for s in chat.skipped] == [
        (n, "text is neither a string nor a list of text parts") for n in (1, 2, 3)
    ]
    assert chat.skipped[0].text == "12345"


# ---------------------------------------------------------------- entry types


def test_service_entries_are_system_lines_and_unknown_types_counted_skips(tmp_path):
    path = _chat(tmp_path, [
        {"id": 1, "type": "service", "date": "2024-02-01T09:00:00", "actor": "Sam", "action": "phone_call",
         "duration_seconds": 30, "text": ""},
        _msg(2, "hey"),
        {"id": 3, "type": "service", "date": "2024-02-01T09:05:00", "actor": "Alex", "action": "pin_message",
         "message_id": 2, "text": ""},
        {"id": 4, "type": "service", "date": "2024-02-01T09:06:00", "text": "no action at all"},
        {"id": 5, "type": "sponsored", "date": "2024-02-01T09:07:00", "text": "buy things"},
        "just a string",
        None,
    ])
    chat, msgs = read_counted(path, strict=False)
    assert [m.text for m in msgs] == ["hey"]
    assert [(s.line, s.kind, s.text) for s in chat.system_lines] == [
        (1, "service: phone_call", "Sam: service: phone_call"),
        (3, "service: pin_message", "Alex: service: pin_message"),
        (4, "service", "no action at all"),
    ]
    assert [(s.line, s.reason) for s in chat.skipped] == [
        (5, "unknown entry type 'sponsored'"), (6, "not a message object"), (7, "not a message object"),
    ]
    assert chat.entries == 7


def test_service_entries_are_never_fatal_under_strict(tmp_path):
    path = _chat(tmp_path, [
        {"id": 1, "type": "service", "date": "2024-02-01T09:00:00", "actor": "Sam", "action": "phone_call"},
        _msg(2, "hey"),
    ])
    chat, msgs = read_counted(path, strict=True)
    assert len(msgs) == 1 and len(chat.system_lines) == 1


# ---------------------------------------------------------------- senders, ids, dates


def test_a_sender_without_from_is_named_by_from_id(tmp_path):
    path = _chat(tmp_path, [
        _msg(1, "named", sender="Alex"),
        {**_msg(2, "deleted account, id seen before"), "from": None, "from_id": "userAlex"},
        {**_msg(3, "id never named"), "from": None, "from_id": 777},
        {key: value for key, value in _msg(4, "from missing").items() if key != "from"} | {"from_id": "user9"},
        {**_msg(5, "nobody at all"), "from": None, "from_id": None},
        {**_msg(6, "from of the wrong type"), "from": ["x"], "from_id": {"a": 1}},
    ])
    chat, msgs = read_counted(path)
    assert [(m.text, m.sender) for m in msgs] == [
        ("named", "Alex"), ("deleted account, id seen before", "Alex"), ("id never named", "777"),
        ("from missing", "user9"),
    ]
    assert [(s.line, s.reason) for s in chat.skipped] == [
        (5, "no sender (neither from nor from_id)"), (6, "no sender (neither from nor from_id)"),
    ]


def test_ids_may_be_strings_or_ints_and_dates_either_field(tmp_path):
    path = _chat(tmp_path, [
        {"id": "m1", "type": "message", "date": "2024-02-01T10:00:00", "from": "Sam", "text": "string id",
         "reply_to_message_id": 7},
        {"id": 2, "type": "message", "date_unixtime": 1706781600, "from": "Sam", "text": "int epoch"},
        {"id": 3, "type": "message", "date": "garbage", "date_unixtime": "1706781660", "from": "Sam",
         "text": "bad date, good epoch"},
        {"id": 4, "type": "message", "date": "garbage", "from": "Sam", "text": "no usable date"},
        {"id": 5, "type": "message", "date_unixtime": [1], "from": "Sam", "text": "epoch of a wrong type"},
    ])
    chat, msgs = read_counted(path)
    assert [m.meta["id"] for m in msgs] == ["m1", 2, 3]
    assert msgs[0].meta["reply_to_message_id"] == 7
    assert msgs[0].sent_at == datetime(2024, 2, 1, 10, 0)  # wall-clock `date` first: naive
    # The epoch-only ones are converted to the same kind, local wall-clock time.
    assert msgs[1].sent_at == datetime.fromtimestamp(1706781600, timezone.utc).astimezone().replace(tzinfo=None)
    assert msgs[2].sent_at == datetime.fromtimestamp(1706781660, timezone.utc).astimezone().replace(tzinfo=None)
    assert [(s.line, s.reason) for s in chat.skipped] == [(4, "unparseable timestamp"), (5, "unparseable timestamp")]


def test_media_forwarded_and_edited(tmp_path):
    path = _chat(tmp_path, [
        _msg(1, "", photo="photos/photo_1.jpg", width=10, height=10),
        _msg(2, "", file="files/a.pdf", mime_type="application/pdf"),
        _msg(3, "", file="stickers/s.webp", media_type="sticker", sticker_emoji="😘"),
        _msg(4, "", file="voice/v.ogg", media_type="voice_message", duration_seconds=3),
        _msg(5, "look at this", photo="photos/photo_2.jpg"),
        _msg(6, "fwd text", forwarded_from="Channel X"),
        _msg(7, "fixed typo", edited="2024-02-01T10:05:00", edited_unixtime="1706781900"),
        _msg(8, ""),  # neither text nor media
    ])
    chat, msgs = read_counted(path)
    assert [(m.text, m.meta.get("media")) for m in msgs] == [
        ("", "photo"), ("", "file"), ("", "sticker"), ("", "voice_message"), ("look at this", "photo"),
        ("fwd text", None), ("fixed typo", None),
    ]
    assert msgs[5].meta["forwarded_from"] == "Channel X"
    assert msgs[6].meta["edited"] is True and "edited" not in msgs[0].meta
    assert [(s.line, s.reason) for s in chat.skipped] == [(8, "empty message")]


# ---------------------------------------------------------------- whole-account exports


def _account(tmp_path, chats, left=()):
    path = tmp_path / "result.json"
    document = {"about": "export", "personal_information": {"first_name": "Me"},
                "chats": {"about": "", "list": chats}}
    if left:
        document["left_chats"] = {"list": list(left)}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_account_export_lists_its_chats_and_reads_the_chosen_one(tmp_path):
    path = _account(tmp_path, [
        {"name": "Alex", "type": "personal_chat", "id": 11, "messages": [_msg(1, "a1", "Alex"), _msg(2, "a2")]},
        {"name": "Book club", "type": "private_group", "id": 22, "messages": [
            _msg(1, "b1", "Jo"),
            {"id": 2, "type": "service", "date": "2024-02-01T09:00:00", "actor": "Jo", "action": "invite_members"},
        ]},
    ], left=[{"name": "Old group", "id": 33, "messages": []}])
    with pytest.raises(ConversationChoice) as info:
        load_chat(path)
    assert info.value.conversations == [("Alex", 2), ("Book club", 1), ("Old group", 0)]
    assert "3 chats" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(ConversationChoice, match="no chat named 'Nobody'") as info:
        load_chat(path, conversation="Nobody")
    assert len(info.value.conversations) == 3
    chat, msgs = read_counted(path, conversation="book CLUB")
    assert [(m.text, m.meta["chat"]) for m in msgs] == [("b1", "Book club")]
    assert [s.kind for s in chat.system_lines] == ["service: invite_members"]
    _, by_id = read_counted(path, conversation="11")
    assert [m.text for m in by_id] == ["a1", "a2"]


def test_two_chats_of_one_name_are_told_apart_by_id(tmp_path):
    path = _account(tmp_path, [
        {"name": "Mum", "id": 1, "messages": [_msg(1, "old phone")]},
        {"name": "Mum", "id": 2, "messages": [_msg(1, "new phone"), _msg(2, "x")]},
    ])
    with pytest.raises(ConversationChoice, match="2 chats are named 'mum'") as info:
        load_chat(path, conversation="mum")
    assert info.value.conversations == [("Mum (id 1)", 1), ("Mum (id 2)", 2)]
    _, msgs = read_counted(path, conversation="Mum (id 2)")
    assert [m.text for m in msgs] == ["new phone", "x"]


def test_account_export_with_one_chat_needs_no_choice(tmp_path):
    path = _account(tmp_path, [{"name": "Alex", "id": 1, "messages": [_msg(1, "only")]}])
    _, msgs = read_counted(path)
    assert [m.text for m in msgs] == ["only"]


def test_with_on_a_single_chat_export_must_match_it(tmp_path):
    path = _chat(tmp_path, [_msg(1, "only")], name="Alex")
    _, msgs = read_counted(path, conversation="alex")
    assert [m.text for m in msgs] == ["only"]
    with pytest.raises(ConversationChoice, match="no chat named 'Jo'") as info:
        load_chat(path, conversation="Jo")
    assert info.value.conversations == [("Alex", 1)]


def test_cli_lists_the_chats_and_exits_2(tmp_path):
    path = _account(tmp_path, [
        {"name": "Alex", "id": 1, "messages": [_msg(1, "a")]},
        {"name": "Jo", "id": 2, "messages": [_msg(1, "b")]},
    ])
    result = CliRunner().invoke(main, ["review", str(path), "--me", "Sam"])
    assert result.exit_code == 2
    assert "Alex" in result.output and "Jo" in result.output and "--with" in result.output


# ---------------------------------------------------------------- wrong shapes


@pytest.mark.parametrize("document, message", [
    ({"name": "x", "messages": "not a list"}, "not a Telegram export"),
    ({"chats": {"list": []}}, "no chats in it"),
    ({"chats": {"list": [{"name": "x", "messages": {"a": 1}}]}}, "has no \"messages\" list"),
    ([1, 2, 3], "not a Telegram export"),
])
def test_wrong_shapes_are_one_line_errors(tmp_path, document, message):
    path = tmp_path / "result.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ChatImportError, match=message) as info:
        list(load_chat(path, "telegram"))
    assert "\n" not in str(info.value)


def test_deeply_nested_json_is_one_line_error(tmp_path):
    path = tmp_path / "result.json"
    path.write_text('{"messages": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(ChatImportError, match="nested too deeply"):
        load_chat(path, "telegram")


def test_an_oversized_export_is_refused_before_reading(tmp_path, monkeypatch):
    path = _chat(tmp_path, [_msg(1)])
    monkeypatch.setattr("linter.chats.telegram.MAX_BYTES", 10)
    with pytest.raises(ChatImportError, match="more than the 10 a Telegram export"):
        load_chat(path, "telegram")
    assert MAX_BYTES >= 100 * 1024 * 1024  # the documented cap is generous for real exports


def test_lone_surrogates_do_not_crash(tmp_path):
    path = tmp_path / "result.json"
    path.write_text('{"name": "S\\ud83d", "messages": [{"type": "message", "date": "2024-01-01T00:00:00", '
                    '"from": "\\udc00", "text": ["a\\ud83d", {"type": "bold", "text": "\\ude00"}]}, '
                    '{"type": "\\ud83d", "text": "x"}]}', encoding="utf-8")
    chat, msgs = read_counted(path, input_format="telegram")
    # Whatever the central sanitising makes of the lone halves, the message is read.
    assert len(msgs) == 1 and msgs[0].text.startswith("a")
    assert (msgs[0].sender, msgs[0].meta["chat"]) == ("\ufffd", "S\ufffd")  # names are shown: no lone halves
    assert chat.skipped[0].reason == "unknown entry type '\ufffd'"


# ---------------------------------------------------------------- any JSON at all (hypothesis)

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from linter.chats import Skipped, SystemLine  # noqa: E402
from linter.messages import Message  # noqa: E402

_any_KEYS = ["type", "text", "text_entities", "from", "from_id", "date", "date_unixtime", "id", "photo", "file",
         "media_type", "action", "actor", "forwarded_from", "edited", "messages", "name", "chats", "list"]
_any_LONE = st.sampled_from(["\ud83d", "\ude00", "a\ud83db", "\udfff\ud800"])
_any_strings = st.one_of(st.text(max_size=12), _any_LONE, st.sampled_from(
    ["message", "service", "2024-02-01T10:00:00", "1706781600", "user1", "phone_call", "sticker", "Sam"]))
_any_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(), _any_strings)
_any_json = st.recursive(
    _any_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.sampled_from(_any_KEYS), st.text(max_size=4)), inner, max_size=5)),
    max_leaves=25,
)
_any_text_value = st.recursive(
    st.one_of(st.text(min_size=1, max_size=12), _any_strings, _any_LONE, _any_scalars),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.fixed_dictionaries({"type": st.sampled_from(["bold", "link", "mention", 3]),
                                                   "text": inner})),
    max_leaves=10,
)
_any_date = st.one_of(st.sampled_from(["2024-02-01T10:00:00", "2024-02-01T10:00:00+02:00"]),
                  st.sampled_from(["2024-03-01T23:59:59", "1706781600"]), _any_json)
_any_plausible = st.fixed_dictionaries(
    {"type": st.one_of(*[st.sampled_from(["message", "message", "service"])] * 3, _any_json), "date": _any_date,
     "from": st.one_of(*[st.sampled_from(["Sam", "Alex"])] * 3, _any_json), "text": _any_text_value},
    optional={"from_id": st.one_of(st.sampled_from(["user1", 2]), _any_json), "date_unixtime": _any_json,
              "photo": _any_json, "media_type": _any_json, "action": _any_json, "actor": _any_json, "text_entities": _any_json,
              "id": _any_json, "edited": _any_json, "forwarded_from": _any_json, "reply_to_message_id": _any_json},
)
# Well-formed but for lone surrogates and odd text: the path most real entries take.
_any_valid = st.fixed_dictionaries(
    {"type": st.just("message"), "date": st.sampled_from(["2024-02-01T10:00:00", "2024-03-01T23:59:59"]),
     "from": st.sampled_from(["Sam", "Alex", "\ud83d"]),
     "text": st.one_of(st.text(max_size=20), _any_LONE, st.lists(st.one_of(st.text(max_size=5), st.fixed_dictionaries(
         {"type": st.sampled_from(["bold", "link"]), "text": st.one_of(st.text(max_size=5), _any_LONE)})), max_size=3))},
    optional={"photo": st.just("photos/1.jpg"), "media_type": st.sampled_from(["sticker", "voice_message"]),
              "forwarded_from": st.one_of(st.none(), _any_strings), "edited": _any_strings},
)
_any_entry = st.one_of(
    _any_valid,
    _any_plausible,
    _any_json,
    st.dictionaries(st.sampled_from(_any_KEYS), _any_json, max_size=8),
    st.fixed_dictionaries(
        {"type": st.one_of(st.sampled_from(["message", "service", "poll_vote"]), _any_scalars), "text": _any_text_value},
        optional={"from": _any_scalars, "from_id": _any_scalars, "date": _any_scalars, "date_unixtime": _any_scalars,
                  "text_entities": _any_json, "photo": _any_scalars, "media_type": _any_scalars, "action": _any_scalars,
                  "id": _any_scalars, "edited": _any_scalars, "forwarded_from": _any_scalars},
    ),
)
_any_chat_doc = st.fixed_dictionaries({"messages": st.lists(_any_entry, max_size=8)},
                                  optional={"name": _any_scalars, "id": _any_scalars, "type": _any_scalars})
_any_document = st.one_of(
    _any_json,
    _any_chat_doc,
    _any_chat_doc,
    st.fixed_dictionaries({"chats": st.fixed_dictionaries({"list": st.lists(st.one_of(_any_chat_doc, _any_json), max_size=4)})},
                          optional={"left_chats": _any_json, "about": _any_scalars}),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(document=_any_document, conversation=st.one_of(st.none(), _any_strings), strict=st.booleans())
def test_any_json_is_items_or_one_line_error(document, conversation, strict):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "result.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        try:
            chat = load_chat(path, "telegram", conversation=conversation, strict=strict)
            items = list(chat)
        except ChatImportError as error:
            assert str(error) and "\n" not in str(error)
            return
    assert all(isinstance(m, Message) and isinstance(m.text, str) for m in items)
    assert all(isinstance(s, Skipped) for s in chat.skipped) and all(isinstance(s, SystemLine) for s in chat.system_lines)
    assert chat.entries == chat.messages_read + len(chat.system_lines) + len(chat.skipped)
    assert chat.messages_read == len(items)
    if strict:
        assert chat.skipped == []
    if isinstance(document, dict) and isinstance(document.get("messages"), list):
        assert chat.entries == len(document["messages"])  # nothing dropped, nothing merged
