"""Messenger/Instagram JSON: media, shares, reactions, unsent messages, notices Meta writes
in a person's name, the mojibake, and folders of message_N.json parts. Fixtures are built here."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from conftest import read_counted

from linter.chats import ChatImportError, load_chat
from linter.chats.meta import MAX_PART_BYTES

T0 = 1_700_000_000_000


def mojibake(text: str) -> str:
    """What Meta writes: each UTF-8 byte of the text as its own code point."""
    return text.encode("utf-8").decode("latin-1")


def _document(entries, participants=("Sam", "Alex")):
    return {"participants": [{"name": mojibake(p)} for p in participants], "messages": entries,
            "title": "Sam", "is_still_participant": True, "thread_path": "inbox/sam_1", "magic_words": []}


def _write(path, entries, participants=("Sam", "Alex")):
    path.write_text(json.dumps(_document(entries, participants)), encoding="utf-8")
    return path


def _entry(n, content=None, sender="Sam", **extra):
    entry = {"sender_name": mojibake(sender), "timestamp_ms": T0 + n * 60_000, "type": "Generic",
             "is_geoblocked_for_viewer": False}
    if content is not None:
        entry["content"] = mojibake(content)
    entry.update(extra)
    return entry




def _newest_first(entries):
    return sorted(entries, key=lambda e: -e["timestamp_ms"] if isinstance(e.get("timestamp_ms"), int) else 0)


# ---------------------------------------------------------------- one file


def test_media_only_entries_are_messages_with_the_media_kind(tmp_path):
    uri = [{"uri": "messages/inbox/sam_1/x", "creation_timestamp": 1}]
    path = _write(tmp_path / "message_1.json", _newest_first([
        _entry(1, photos=uri), _entry(2, videos=uri), _entry(3, audio_files=uri), _entry(4, gifs=uri),
        _entry(5, sticker={"uri": "stickers/1.png"}), _entry(6, files=uri),
        _entry(7, "Sam sent a photo.", photos=uri),  # Meta's caption, not typed
        _entry(8, "Sam sent an attachment."),  # the attachment itself has expired
        _entry(9, "the view from here", photos=uri),  # a real caption stays
    ]))
    chat, msgs = read_counted(path)
    assert [(m.text, m.meta.get("media")) for m in msgs] == [
        ("", "photo"), ("", "video"), ("", "audio"), ("", "gif"), ("", "sticker"), ("", "file"),
        ("", "photo"), ("", "attachment"), ("the view from here", "photo"),
    ]
    assert chat.skipped == [] and chat.system_lines == []


def test_shares_put_the_link_and_its_text_in_the_message(tmp_path):
    path = _write(tmp_path / "message_1.json", _newest_first([
        _entry(1, "Sam sent a link.", share={"link": "https://example.org/a"}),
        _entry(2, "you have to read this", share={"link": "https://example.org/b", "share_text": "Headline ✨"}),
        _entry(3, "https://example.org/c", share={"link": "https://example.org/c"}),
        _entry(4, None, share={"share_text": "a post with no link"}),
    ]))
    _, msgs = read_counted(path)
    assert [m.text for m in msgs] == [
        "https://example.org/a",
        "you have to read this\nhttps://example.org/b\nHeadline ✨",
        "https://example.org/c",
        "a post with no link",
    ]
    assert msgs[0].meta["share"] == "https://example.org/a" and "media" not in msgs[0].meta


def test_reactions_unsent_calls_and_group_notices_are_system_lines(tmp_path):
    entries = [
        _entry(1, "miss you", reactions=[{"reaction": mojibake("❤"), "actor": mojibake("Zoë")}]),
        _entry(2, "Reacted ❤ to your message ", sender="Alex"),
        _entry(3, "Alex reacted 😂 to your message", sender="Alex"),
        _entry(4, "Liked a message", sender="Alex"),
        _entry(5, "", is_unsent=True),
        _entry(6, "You unsent a message", sender="Sam"),
        _entry(7, "Alex called you.", sender="Alex", type="Call", call_duration=60),
        _entry(8, "Sam named the group Friends 🌈.", sender="Sam"),
        _entry(9, "Sam added Jo to the group.", sender="Sam"),
        _entry(10, "Jo left the group.", sender="Jo", type="Unsubscribe"),
        _entry(11, "Jo joined.", sender="Jo", type="Subscribe"),
        _entry(12, "Sam set the nickname for Alex to Al.", sender="Sam"),
        # Typed by a person, though worded like a notice: a message.
        _entry(13, "I named the group chat Fred lol", sender="Sam"),
        _entry(14, "Jo left the group.", sender="Alex"),  # the actor is not the sender
    ]
    chat, msgs = read_counted(_write(tmp_path / "message_1.json", _newest_first(entries)))
    assert [m.text for m in msgs] == ["miss you", "I named the group chat Fred lol", "Jo left the group."]
    assert msgs[0].meta["reactions"] == [{"reaction": "❤", "actor": "Zoë"}]
    assert [(s.line, s.kind) for s in sorted(chat.system_lines, key=lambda s: -s.line)] == [
        (13, "reaction"), (12, "reaction"), (11, "reaction"), (10, "unsent message"), (9, "unsent message"),
        (8, "call"), (7, "group renamed"), (6, "join"), (5, "leave"), (4, "join"), (3, "nickname"),
    ]
    assert chat.skipped == [] and chat.entries == 14


def test_mojibake_is_undone_everywhere_and_clean_text_left_alone(tmp_path):
    path = _write(tmp_path / "message_1.json", _newest_first([
        _entry(1, "i’m sorry, café? 😭", sender="Zoë"),
        {**_entry(2), "content": "already clean: café ü"},  # written without the mojibake
    ]))
    _, msgs = read_counted(path)
    assert [(m.sender, m.text) for m in msgs] == [("Zoë", "i’m sorry, café? 😭"), ("Sam", "already clean: café ü")]


def test_wrong_types_are_counted_skips(tmp_path):
    path = _write(tmp_path / "message_1.json", [
        _entry(1, "fine"),
        {**_entry(2), "content": 42},
        {**_entry(3, "bool stamp"), "timestamp_ms": True},
        {**_entry(4, "text stamp"), "timestamp_ms": "yesterday"},
        {key: value for key, value in _entry(5, "no stamp").items() if key != "timestamp_ms"},
        {key: value for key, value in _entry(6, "no sender").items() if key != "sender_name"},
        {**_entry(7, "unknown type"), "type": "Hologram"},
        _entry(8),  # nothing in it
        "a string", None, [1, 2],
    ])
    chat, msgs = read_counted(path)
    assert [m.text for m in msgs] == ["fine"]
    assert [(s.line, s.reason) for s in sorted(chat.skipped, key=lambda s: s.line)] == [
        (2, "content is not text"), (3, "unparseable timestamp"), (4, "unparseable timestamp"),
        (5, "unparseable timestamp"), (6, "no sender_name"), (7, "unknown entry type 'Hologram'"),
        (8, "empty message"), (9, "not a message object"), (10, "not a message object"), (11, "not a message object"),
    ]


def test_lone_surrogates_do_not_crash(tmp_path):
    path = tmp_path / "message_1.json"
    path.write_text('{"participants": [{"name": "\\ud83d"}], "messages": [{"sender_name": "Sam\\ud83d", '
                    '"timestamp_ms": 1700000000000, "content": "hi \\ude00", "reactions": [{"reaction": "\\ud83d", '
                    '"actor": "x"}]}, {"sender_name": "Sam", "timestamp_ms": 1700000000001, "type": "\\ud83d"}]}',
                    encoding="utf-8")
    chat, msgs = read_counted(path)
    assert len(msgs) == 1 and msgs[0].text.startswith("hi ") and msgs[0].sender == "Sam\ufffd"
    assert [s.reason for s in chat.skipped] == ["unknown entry type '\ufffd'"]


@pytest.mark.parametrize("document", [{"messages": "x", "participants": []}, [1], {"participants": []}])
def test_wrong_documents_are_one_line_errors(tmp_path, document):
    path = tmp_path / "message_1.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ChatImportError, match="not a Messenger/Instagram export") as info:
        load_chat(path, "messenger")
    assert "\n" not in str(info.value)


def test_explicit_format_still_checks_the_file(tmp_path):
    (tmp_path / "empty.json").write_bytes(b"")
    with pytest.raises(ChatImportError, match="file is empty"):
        load_chat(tmp_path / "empty.json", "instagram")
    (tmp_path / "latin1.json").write_bytes(b'{"messages": ["caf\xe9"]}')
    with pytest.raises(ChatImportError, match="not valid UTF-8"):
        load_chat(tmp_path / "latin1.json", "messenger")


# ---------------------------------------------------------------- folders of parts


def _folder(tmp_path, parts):
    """parts: {number: (entries oldest first, participants)}; each file written newest first."""
    folder = tmp_path / "sam_1"
    folder.mkdir()
    for number, (entries, participants) in parts.items():
        _write(folder / f"message_{number}.json", _newest_first(entries), participants)
    return folder


def test_a_folder_of_parts_is_one_conversation_in_time_order(tmp_path):
    folder = _folder(tmp_path, {
        1: ([_entry(5, "five"), _entry(6, "six")], ("Sam", "Alex")),  # the newest part
        2: ([_entry(3, "three"), _entry(4, "four", sender="Alex")], ("Sam", "Alex")),
        3: ([_entry(1, "one"), _entry(2, "Alex unsent a message", sender="Alex")], ("Sam", "Alex")),
    })
    chat, msgs = read_counted(folder)
    assert chat.format == "messenger"
    assert [m.text for m in msgs] == ["one", "three", "four", "five", "six"]
    times = [m.sent_at for m in msgs]
    assert times == sorted(times) and msgs[0].sent_at == datetime.fromtimestamp((T0 + 60_000) / 1000, timezone.utc)
    assert [m.meta["part"] for m in msgs] == ["message_3.json", "message_2.json", "message_2.json",
                                              "message_1.json", "message_1.json"]
    # Numbered through the parts in name order: every entry of the folder has its own number.
    numbers = [m.source_line for m in msgs] + [s.line for s in chat.system_lines]
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6] and chat.entries == 6
    assert chat.notes == []


def test_missing_parts_and_different_participants_are_noted(tmp_path):
    folder = _folder(tmp_path, {
        1: ([_entry(5, "five")], ("Sam", "Alex")),
        3: ([_entry(1, "one")], ("Sam", "Alex", "Zoë")),
    })
    chat, msgs = read_counted(folder)
    assert [m.text for m in msgs] == ["one", "five"]
    assert any("missing" in note and "message_2.json" in note for note in chat.notes)
    assert any(note.startswith("participants differ between parts") and "Zoë" in note for note in chat.notes)


def test_parts_out_of_time_order_are_noted(tmp_path):
    folder = _folder(tmp_path, {1: ([_entry(1, "old")], ("Sam",)), 2: ([_entry(9, "new")], ("Sam",))})
    chat, _ = read_counted(folder)
    assert any("newer than some in message_1.json" in note for note in chat.notes)


def test_one_part_passed_alone_points_at_the_folder(tmp_path):
    folder = _folder(tmp_path, {1: ([_entry(5, "five")], ("Sam",)), 2: ([_entry(1, "one")], ("Sam",))})
    chat, msgs = read_counted(folder / "message_2.json")
    assert [m.text for m in msgs] == ["one"]
    assert any("pass its folder" in note for note in chat.notes)


def test_a_bad_part_is_one_line_naming_it(tmp_path, monkeypatch):
    folder = _folder(tmp_path, {1: ([_entry(5, "five")], ("Sam",)), 2: ([_entry(1, "one")], ("Sam",))})
    (folder / "message_2.json").write_text('{"messages": [', encoding="utf-8")
    with pytest.raises(ChatImportError, match=r"message_2.json: invalid JSON") as info:
        load_chat(folder)
    assert "\n" not in str(info.value)
    (folder / "message_2.json").write_text(json.dumps(_document([_entry(1, "one")])), encoding="utf-8")
    monkeypatch.setattr("linter.chats.meta.MAX_PART_BYTES", 50)
    with pytest.raises(ChatImportError, match=r"message_1.json: .* more than the 50 a Messenger/Instagram part"):
        load_chat(folder)
    assert MAX_PART_BYTES >= 16 * 1024 * 1024


def test_a_folder_without_parts_is_still_refused_as_a_directory(tmp_path):
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")
    (tmp_path / "message_x.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ChatImportError, match="is a directory"):
        load_chat(tmp_path)


# ---------------------------------------------------------------- any JSON at all (hypothesis)

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from linter.chats import Skipped, SystemLine  # noqa: E402
from linter.messages import Message  # noqa: E402

_any_KEYS = ["sender_name", "timestamp_ms", "content", "type", "photos", "videos", "sticker", "share", "link",
         "share_text", "reactions", "reaction", "actor", "is_unsent", "messages", "participants", "name"]
_any_LONE = st.sampled_from(["\ud83d", "\ude00", "a\ud83db", "\udfff\ud800"])
_any_words = st.one_of(
    st.text(min_size=1, max_size=12), _any_LONE, st.text(max_size=8).map(mojibake),
    st.sampled_from(["Sam", "Alex", "You unsent a message", "Reacted ❤ to your message ", "Sam sent a photo.",
                     "Sam named the group x", "Generic", "Call", "Share", "Subscribe", mojibake("Zoë ❤")]),
)
_any_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(), _any_words)
_any_json = st.recursive(
    _any_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.sampled_from(_any_KEYS), st.text(max_size=4)), inner, max_size=5)),
    max_leaves=25,
)
_any_value = st.one_of(_any_words, _any_words, _any_json)
_any_plausible = st.fixed_dictionaries(
    {"sender_name": st.one_of(*[st.sampled_from(["Sam", "Alex", mojibake("Zoë")])] * 3, _any_json),
     "timestamp_ms": st.one_of(*[st.integers(1_000_000_000_000, 1_800_000_000_000)] * 3, _any_json)},
    optional={"content": _any_value, "type": st.one_of(*[st.sampled_from(["Generic", "Generic", "Share", "Call", "Unsubscribe"])] * 3, _any_json),
              "photos": _any_json, "sticker": _any_json, "is_unsent": _any_scalars, "reactions": _any_json,
              "share": st.one_of(st.fixed_dictionaries({}, optional={"link": _any_value, "share_text": _any_value}), _any_json)},
)
# Well-formed but for lone surrogates, mojibake and odd text: the path most real entries take.
_any_valid = st.fixed_dictionaries(
    {"sender_name": st.sampled_from(["Sam", "Alex", mojibake("Zoë")]),
     "timestamp_ms": st.integers(1_000_000_000_000, 1_800_000_000_000), "content": _any_words},
    optional={"photos": st.just([{"uri": "p.jpg"}]), "type": st.sampled_from(["Generic", "Share"]),
              "share": st.fixed_dictionaries({"link": _any_words}, optional={"share_text": _any_words}),
              "reactions": st.lists(st.fixed_dictionaries({"reaction": _any_words, "actor": _any_words}), max_size=2)},
)
_any_entry = st.one_of(_any_valid, _any_plausible, _any_json)
_any_meta_doc = st.fixed_dictionaries({"messages": st.lists(_any_entry, max_size=8)},
                                  optional={"participants": _any_json, "title": _any_scalars})
_any_document = st.one_of(_any_meta_doc, _any_meta_doc, _any_json)
_any_settings = settings(max_examples=150, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _any_check(chat, items, entries=None):
    assert all(isinstance(m, Message) and isinstance(m.text, str) for m in items)
    assert all(isinstance(s, Skipped) for s in chat.skipped) and all(isinstance(s, SystemLine) for s in chat.system_lines)
    assert chat.entries == chat.messages_read + len(chat.system_lines) + len(chat.skipped)
    assert chat.messages_read == len(items)
    if entries is not None:
        assert chat.entries == entries  # nothing dropped, nothing merged


@_any_settings
@given(document=_any_document, strict=st.booleans())
def test_any_json_is_items_or_one_line_error(document, strict):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "message_1.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        try:
            chat = load_chat(path, "messenger", strict=strict)
            items = list(chat)
        except ChatImportError as error:
            assert str(error) and "\n" not in str(error)
            return
    looks_right = isinstance(document, dict) and isinstance(document.get("messages"), list)
    _any_check(chat, items, len(document["messages"]) if looks_right else None)


@_any_settings
@given(parts=st.dictionaries(st.sampled_from([1, 2, 3, 5]), _any_document, min_size=1, max_size=3))
def test_any_folder_of_parts_is_items_or_one_line_error(parts):
    with tempfile.TemporaryDirectory() as folder:
        for number, document in parts.items():
            Path(folder, f"message_{number}.json").write_text(json.dumps(document), encoding="utf-8")
        try:
            chat = load_chat(folder)
            items = list(chat)
        except ChatImportError as error:
            assert str(error) and "\n" not in str(error)
            return
    _any_check(chat, items, sum(len(d["messages"]) for d in parts.values()))
    assert all(isinstance(note, str) and "\n" not in note for note in chat.notes)
