"""Android SMS/MMS backups (SMS Backup & Restore XML): streamed, one conversation chosen."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.chats import ChatImportError, ConversationChoice, Skipped, SystemLine, detect_format, load_chat
from linter.chats import android_sms
from linter.chats.android_sms import looks_like_android_sms, normalize_number
from linter.cli import main
from linter.messages import Message

FIXTURE = Path(__file__).parent / "fixtures" / "chats" / "android_sms" / "backup.xml"
PROLOG = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"


def sms(body: str, *, kind: int = 1, address: str = "+15550102233", name: str = "Sam", date: int = 1700000000000) -> str:
    return (
        f'<sms protocol="0" address={quoteattr(address)} date="{date}" type="{kind}" subject="null" '
        f'body={quoteattr(body)} read="1" status="-1" locked="0" contact_name={quoteattr(name)} />\n'
    )


def backup(*elements: str) -> str:
    return f'{PROLOG}<smses count="{len(elements)}">\n{"".join(elements)}</smses>\n'


def write(tmp_path: Path, text: str, name: str = "sms-20231114.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read(chat) -> list:
    messages = list(chat)
    assert chat.entries == chat.messages_read + len(chat.system_lines) + len(chat.skipped)
    return messages


def test_detected_from_the_head_and_the_alias_works():
    assert detect_format(FIXTURE) == "android-sms"
    assert load_chat(FIXTURE, "sms", conversation="Sam").format == "android-sms"
    assert looks_like_android_sms(PROLOG + "<!-- File Created By SMS Backup & Restore -->\n<smses count=\"0\">")
    assert not looks_like_android_sms("12/31/23, 10:00 - Sam: <smses> is a funny word")
    assert not looks_like_android_sms(PROLOG + "<calls count=\"1\">")


def test_sms_and_mms_in_both_directions():
    chat = load_chat(FIXTURE, conversation="Sam")
    messages = read(chat)
    assert chat.me == "me"
    assert [(m.sender, m.text) for m in messages] == [
        ("Sam", "hey, are you up?"),
        ("me", "yes. I miss you & I'm sorry"),
        ("Sam", "remember this place?"),  # the smil layout part is not text
        ("me", "of course I do\nevery day"),  # text parts joined
        ("Sam", "goodnight"),
    ]
    first, _, photo, _, _ = messages
    assert first.sent_at.timestamp() == 1700000000
    assert first.source_line == 4
    assert first.meta == {"kind": "sms", "address": "+1 (555) 010-2233", "contact": "Sam", "type": 1}
    assert photo.meta["media"] == "image" and photo.meta["kind"] == "mms" and photo.meta["type"] == 1
    # Undelivered messages are counted, with why; the delivery report is the app's.
    assert [(s.line, s.reason, s.text) for s in chat.skipped] == [
        (6, "draft, never sent", "please answer"),
        (7, "failed to send", "hello??"),
    ]
    assert chat.system_lines == [SystemLine(50, "MMS delivery report", "")]
    assert any("8 of the 11 entries" in note for note in chat.notes)


@pytest.mark.parametrize("wanted", ["Sam", "sAM", "+1 (555) 010-2233", "5550102233", "555.010.2233", "+15550102233", "1-555-010-2233"])
def test_with_by_name_or_any_form_of_the_number(wanted):
    chat = load_chat(FIXTURE, conversation=wanted)
    assert [m.text for m in read(chat)][0] == "hey, are you up?"
    assert chat.messages_read == 5


def test_group_mms_is_its_own_conversation_keyed_by_its_numbers():
    choice = _choice(FIXTURE)
    group = next(label for label, _ in choice.conversations if label.startswith("group:"))
    messages = read(load_chat(FIXTURE, conversation=group))
    # The received one is named by its sender's own thread; the sent one is media only.
    assert [(m.sender, m.text, m.meta.get("media")) for m in messages] == [
        ("Alex Kim", "group plans?", None),
        ("me", "", "video"),
    ]
    assert messages[0].meta["group"] == ["5550102233", "5550104455"]


def _choice(path: Path, wanted: str | None = None) -> ConversationChoice:
    with pytest.raises(ConversationChoice) as caught:
        load_chat(path, conversation=wanted)
    return caught.value


def test_without_with_the_conversations_are_listed_by_count():
    choice = _choice(FIXTURE)
    assert "--with" in str(choice)
    assert choice.conversations == [
        ("Sam (+1 (555) 010-2233)", 8),
        ("group: Alex Kim, Sam (+15550104455, +15550102233)", 2),
        ("Alex Kim (+15550104455)", 1),
    ]
    # Every <sms>/<mms> of the file is in exactly one conversation.
    assert sum(count for _, count in choice.conversations) == FIXTURE.read_text().count("<sms ") + FIXTURE.read_text().count("<mms ")
    wrong = _choice(FIXTURE, "Jordan")
    assert "'Jordan'" in str(wrong) and wrong.conversations == choice.conversations


def test_counts_add_up_in_every_conversation():
    total = 0
    for label, count in _choice(FIXTURE).conversations:
        chat = load_chat(FIXTURE, conversation=label)
        read(chat)
        assert chat.entries == count
        total += chat.entries
    assert total == 11


def test_a_single_conversation_needs_no_with(tmp_path):
    path = write(tmp_path, backup(sms("hi"), sms("hey you", kind=2)))
    chat = load_chat(path)
    assert [(m.sender, m.text) for m in read(chat)] == [("Sam", "hi"), ("me", "hey you")]
    assert chat.notes == []


def test_a_name_on_two_numbers_is_one_person(tmp_path):
    path = write(tmp_path, backup(sms("old number"), sms("new number", address="+15557778888"), sms("other", name="Kit", address="123")))
    assert [m.text for m in read(load_chat(path, conversation="sam"))] == ["old number", "new number"]


def test_truncated_file_keeps_what_came_before(tmp_path):
    text = FIXTURE.read_text(encoding="utf-8")
    cut = text.index("<mms", text.index("group plans?"))  # inside the last group MMS
    path = write(tmp_path, text[: cut + 40])
    chat = load_chat(path, conversation="Sam")
    assert [m.text for m in read(chat)] == ["hey, are you up?", "yes. I miss you & I'm sorry", "remember this place?", "of course I do\nevery day"]
    damaged = [s for s in chat.skipped if s.reason.startswith("damaged XML")]
    assert len(damaged) == 1 and damaged[0].line > 30
    assert any("damaged" in note for note in chat.notes)
    with pytest.raises(ChatImportError, match="--strict"):
        list(load_chat(path, conversation="Sam", strict=True))


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE smses [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
    '<!DOCTYPE smses [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE smses SYSTEM "http://example.invalid/sms.dtd">',
])
def test_doctype_and_entities_are_refused(tmp_path, doctype):
    path = write(tmp_path, PROLOG + doctype + '\n<smses count="1">' + sms("&c; &secret;").replace("&amp;", "&") + "</smses>\n")
    assert detect_format(path) == "android-sms"
    with pytest.raises(ChatImportError, match="DOCTYPE"):
        load_chat(path)


def test_not_a_message_backup(tmp_path):
    calls = write(tmp_path, PROLOG + '<calls count="1"><call number="123" duration="5" date="1" type="1" /></calls>\n')
    with pytest.raises(ChatImportError, match="root element <calls>"):
        load_chat(calls, "android-sms")
    broken = write(tmp_path, PROLOG + "<<<", name="b.xml")
    with pytest.raises(ChatImportError, match="not well-formed XML"):
        load_chat(broken, "android-sms")


def test_an_over_cap_body_is_a_counted_skip(tmp_path):
    huge = "x" * (android_sms.MAX_TEXT + 1)
    path = write(tmp_path, backup(sms("before"), sms(huge), sms("after", kind=2)))
    chat = load_chat(path)
    assert [m.text for m in read(chat)] == ["before", "after"]
    assert [s.reason for s in chat.skipped] == [f"text over {android_sms.MAX_TEXT:,} characters"]


def test_an_element_too_big_to_buffer_stops_the_read_with_one_skip(tmp_path, monkeypatch):
    monkeypatch.setattr(android_sms, "MAX_PENDING", 200_000)
    monkeypatch.setattr(android_sms, "CHUNK", 4096)
    path = write(tmp_path, backup(sms("before"), sms("y" * 400_000), sms("after")))
    chat = load_chat(path)
    assert [m.text for m in read(chat)] == ["before"]
    assert [s.reason for s in chat.skipped] == ["an element over 0 MiB; the rest of the file was not read"]


def test_media_data_is_dropped_unread_and_lines_stay_right(tmp_path, monkeypatch):
    monkeypatch.setattr(android_sms, "CHUNK", 1000)
    picture = "\n".join(["QUJD" * 19] * 5_000)  # base64 wrapped at 76 columns: 5,000 lines
    mms = (
        '<mms date="1700000000001" msg_box="1" address="+15550102233" m_type="132"><parts>'
        f'<part seq="0" ct="image/jpeg" name="a.jpg" data="{picture}" /><part seq="1" ct="text/plain" text="look" />'
        "</parts></mms>\n"
    )
    chat = load_chat(write(tmp_path, backup(mms, sms("after"))))
    messages = read(chat)
    assert [(m.text, m.meta.get("media"), m.source_line) for m in messages] == [("look", "image", 3), ("after", None, 5003)]


def test_old_surrogate_pair_emoji_and_control_characters_are_repaired(tmp_path):
    text = backup(sms("x")).replace('body="x"', 'body="ok &#55357;&#56832; &#1; bye\x01"')
    chat = load_chat(write(tmp_path, text))
    assert [m.text for m in read(chat)] == ["ok \U0001F600 \ufffd bye\ufffd"]
    assert any("rejoined" in note for note in chat.notes)


def test_drafts_outbox_queued_and_unknown_types(tmp_path):
    path = write(tmp_path, backup(*(sms(f"t{kind}", kind=kind) for kind in (1, 2, 3, 4, 5, 6, 9)), sms("", kind=1)))
    chat = load_chat(path)
    assert [m.text for m in read(chat)] == ["t1", "t2"]
    assert [s.reason for s in chat.skipped] == [
        "draft, never sent", "unsent (still in the outbox)", "failed to send", "unsent (queued)",
        "unknown message type '9'", "empty message",
    ]


def test_numbers_normalise():
    assert normalize_number("+1 (555) 010-2233") == normalize_number("5550102233") == "5550102233"
    assert normalize_number("+44 7700 900123") == normalize_number("07700 900123")
    assert normalize_number("Amazon") == "amazon"
    assert normalize_number("null") is None and normalize_number("insert-address-token") is None


def test_review_needs_no_me(tmp_path):
    result = CliRunner().invoke(main, ["review", str(FIXTURE), "--with", "Sam", "--no-color", "--no-progress"])
    assert result.exit_code in (0, 1), result.output
    assert '(android-sms) as "me"' in result.output
    assert "2 yours" in result.output and "3 theirs" in result.output
    listing = CliRunner().invoke(main, ["review", str(FIXTURE)])
    assert listing.exit_code == 2
    assert "Sam (+1 (555) 010-2233)" in listing.output and "--with" in listing.output


def test_memory_stays_bounded_on_a_large_backup(tmp_path):
    path = tmp_path / "big.xml"
    picture = "QUJD" * 5_000  # 20 KB of base64 in every 50th message
    with path.open("w", encoding="utf-8") as fh:
        fh.write(PROLOG + '<smses count="50000">\n')
        for i in range(50_000):
            if i % 50 == 0:
                fh.write(
                    f'<mms date="{1700000000000 + i}" msg_box="{1 + i % 2}" address="+1555010{i % 40:04d}" m_type="132">'
                    f'<parts><part seq="0" ct="image/png" data="{picture}" /><part seq="1" ct="text/plain" text="look {i}" />'
                    '</parts></mms>\n'
                )
            else:
                fh.write(sms(f"message number {i} with a little text", kind=1 + i % 2, address=f"+1555010{i % 40:04d}", name=f"Person {i % 40}", date=1700000000000 + i))
        fh.write("</smses>\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        chat = load_chat(path, conversation="Person 7")
        count = sum(1 for _ in chat)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 50_000 // 40
    assert size > 15_000_000
    assert peak < 4_000_000, f"peak {peak:,} bytes for a {size:,}-byte file"


# --- hostile input ------------------------------------------------------------------------

_NAMES = ["address", "date", "type", "body", "contact_name", "msg_box", "m_type", "ct", "text", "seq", "sub", "data", "count", "x"]
_values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["null", "", "1", "2", "3", "130", "134", "137", "151", "-1", "1700000000000", "99999999999999999999", "+1 (555) 010-2233", "a~b~", "~"]),
)
_attrs = st.dictionaries(st.sampled_from(_NAMES), _values, max_size=6)


@st.composite
def _element(draw, depth: int = 0):
    tag = draw(st.sampled_from(["sms", "mms", "parts", "part", "addrs", "addr", "call", "smses"]))
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in draw(_attrs).items())
    children = draw(st.lists(_element(depth + 1), max_size=3)) if depth < 2 else []
    return f"<{tag}{attrs}>{''.join(children)}</{tag}>" if children else f"<{tag}{attrs} />"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    elements=st.lists(_element(), max_size=6),
    cut=st.one_of(st.none(), st.integers(min_value=0, max_value=2000)),
    noise=st.one_of(st.just(""), st.text(max_size=10), st.binary(max_size=10).map(lambda b: b.decode("latin-1"))),
)
def test_any_structure_and_attributes_never_a_traceback(tmp_path_factory, elements, cut, noise):
    text = f'{PROLOG}<smses count="3">{noise}{"".join(elements)}</smses>'
    if cut is not None:
        text = text[:cut]
    path = tmp_path_factory.mktemp("h") / "backup.xml"
    path.write_text(text, encoding="utf-8")
    try:
        try:
            chat = load_chat(path, "android-sms")
        except ConversationChoice as choice:
            if not choice.conversations:
                raise
            chat = load_chat(path, "android-sms", conversation=choice.conversations[0][0])
        items = read(chat)
    except ChatImportError as exc:
        assert "\n" not in str(exc)
        return
    assert all(isinstance(m, Message) and isinstance(m.sender, str) for m in items)
    assert all(isinstance(s, Skipped) for s in chat.skipped)
    assert len([s for s in chat.skipped if "rest of the file" in s.reason]) <= 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    pieces=st.lists(st.sampled_from([
        sms("plain"), sms("emoji &#55357;&#56832; and &#xd83d;&#xde00;", kind=2), sms("bad &#0; &#xFFFE; \x01 ref"),
        '<mms date="1700000000002" msg_box="1" address="+15550102233" m_type="132"><parts>'
        '<part seq="0" ct="image/png" data="QUJDRA==\nRUZH" /><part seq="1" ct="text/plain" text="pic &amp; text" /></parts></mms>\n',
        '<mms date="1700000000003" msg_box="2" address="+15550102233"><parts><part data="x" ct="video/mp4"/></parts></mms>\n',
        sms("a <part data=\"not an attribute\"> in a body"),
        '<mms date="1700000000004" msg_box="1" address="+15550102233"><parts>'
        "<part text=' data=\"' ct=\"text/plain\" /><part ct='image/gif' data='R0lG' /></parts></mms>\n",
    ]), max_size=8),
    chunk=st.integers(min_value=1, max_value=300),
)
def test_chunk_size_never_changes_the_result(tmp_path_factory, monkeypatch, pieces, chunk):
    path = tmp_path_factory.mktemp("c") / "backup.xml"
    path.write_text(backup(*pieces), encoding="utf-8")

    def items():
        chat = load_chat(path)
        return [(m.text, m.sender, m.source_line, m.meta.get("media")) for m in chat], chat.skipped, chat.notes

    whole = items()
    with monkeypatch.context() as patched:
        patched.setattr(android_sms, "CHUNK", chunk)
        assert items() == whole
    assert len(whole[0]) == len(pieces)
