"""The attributedBody decoder: the typedstream layout Messages writes, and hostile bytes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linter.chats.typedstream import decode_attributed_body


def _integer(value: int) -> bytes:
    """An integer as NSArchiver writes it: one byte when it fits outside the tag range
    (-128..-111), else 0x81 + 2 bytes or 0x82 + 4 bytes, little-endian."""
    if -110 <= value <= 127:
        return value.to_bytes(1, "little", signed=True)
    if -(1 << 15) <= value < (1 << 15):
        return b"\x81" + value.to_bytes(2, "little", signed=True)
    return b"\x82" + value.to_bytes(4, "little", signed=True)


class _Writer:
    """Just enough of an NSArchiver to write an NSAttributedString the way Messages does:
    shared strings and classes are written once, then referred to by number."""

    def __init__(self) -> None:
        self.out = bytearray(b"\x04\x0bstreamtyped" + _integer(1000))
        self.strings: list[bytes] = []
        self.objects: list[bytes] = []  # classes and objects share one numbering

    def shared(self, value: bytes) -> None:
        if value in self.strings:
            self.out += _integer(self.strings.index(value) + 0x92 - 256)
        else:
            self.strings.append(value)
            self.out += b"\x84" + _integer(len(value)) + value

    def classes(self, chain: list[tuple[bytes, int]]) -> None:
        for name, version in chain:
            key = b"class " + name
            if key in self.objects:
                self.out += _integer(self.objects.index(key) + 0x92 - 256)
                return
            self.objects.append(key)
            self.out += b"\x84"
            self.shared(name)
            self.out += _integer(version)
        self.out += b"\x85"  # the root class has no superclass

    def begin_object(self, chain: list[tuple[bytes, int]]) -> None:
        self.shared(b"@")
        self.objects.append(b"object")
        self.out += b"\x84"
        self.classes(chain)


def attributed_body(text: str, *, mutable: bool = False, length: bytes | None = None) -> bytes:
    """The attributedBody blob of `text` (an NSAttributedString with one attribute run).

    `length` overrides the encoded byte count, to write the other legal length forms."""
    raw = text.encode("utf-8")
    writer = _Writer()
    outer = [(b"NSAttributedString", 0), (b"NSObject", 0)]
    inner = [(b"NSString", 1), (b"NSObject", 0)]
    if mutable:
        outer.insert(0, (b"NSMutableAttributedString", 0))
        inner.insert(0, (b"NSMutableString", 1))
    writer.begin_object(outer)
    writer.begin_object(inner)
    writer.shared(b"+")
    writer.out += (length if length is not None else _integer(len(raw))) + raw
    writer.out += b"\x86"  # end of the string object
    # One attribute run over the whole text (types "iI": run index, run length), then a
    # dictionary of attributes: present in real blobs, ignored by the decoder.
    writer.out += b"\x84\x02iI" + _integer(1) + _integer(len(text))
    writer.begin_object([(b"NSDictionary", 0), (b"NSObject", 0)])
    writer.shared(b"i")
    writer.out += _integer(1) + b"\x86\x86"
    return bytes(writer.out)


def test_the_blob_has_the_layout_messages_writes():
    blob = attributed_body("hi")
    assert blob.startswith(
        b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00"
        b"\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+\x02hi\x86"
    )


@pytest.mark.parametrize("text", ["hey", "", "ok 👍 see you at 8?", "line one\nline two", "x" * 127])
def test_short_strings(text):
    assert decode_attributed_body(attributed_body(text)) == text


@pytest.mark.parametrize("size", [128, 145, 146, 200, 1000, 32767])
def test_two_byte_lengths(size):
    blob = attributed_body("a" * size)
    assert b"\x81" + size.to_bytes(2, "little") + b"aaa" in blob
    assert decode_attributed_body(blob) == "a" * size


def test_four_byte_length():
    text = "long " * 8000  # 40,000 bytes: past a signed 2-byte length
    blob = attributed_body(text)
    assert b"\x82" + len(text).to_bytes(4, "little") in blob
    assert decode_attributed_body(blob) == text


def test_a_one_byte_length_above_127_reads_as_unsigned():
    # 0xC8 outside the tag range is a literal byte: 200 as an unsigned length.
    assert decode_attributed_body(attributed_body("b" * 200, length=b"\xc8")) == "b" * 200


def test_mutable_classes():
    assert decode_attributed_body(attributed_body("edited later", mutable=True)) == "edited later"


@pytest.mark.parametrize(
    "blob",
    [
        None, "text", 42, b"", b"\x04\x0bstreamtyped", b"bplist00\x00\x01",
        b"\x04\x0btypedstream\x81\xe8\x03",  # big-endian streams are not what Messages writes
        attributed_body("hi").replace(b"NSAttributedString", b"NSAttributedStrinX"),
        attributed_body("hi").replace(b"NSString", b"NSNumber"),
        attributed_body("hi").replace(b"\x84\x01+", b"\x84\x01*"),
        attributed_body("hi", length=b"\x7f"),  # the length runs past the end
        attributed_body("hi", length=b"\x85"),  # nil instead of a string
        attributed_body("hi", length=b"\x83"),  # a tag where a length belongs
        attributed_body("\u00e9").replace("\u00e9".encode(), b"\xc3\x28"),  # not UTF-8
    ],
)
def test_what_it_cannot_read_is_none(blob):
    assert decode_attributed_body(blob) is None


def test_every_truncation_is_none_or_a_prefix_free_answer():
    blob = attributed_body("truncate me")
    end_of_text = blob.index(b"truncate me") + len("truncate me")
    for cut in range(len(blob)):
        got = decode_attributed_body(blob[:cut])
        assert got == ("truncate me" if cut >= end_of_text else None), cut


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    for blob in (data, b"\x04\x0bstreamtyped" + data):
        got = decode_attributed_body(blob)
        assert got is None or isinstance(got, str)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=40), st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8))
def test_mutated_real_shaped_blobs_never_raise(text, edits):
    blob = bytearray(attributed_body(text))
    for position, value in edits:
        blob[position % len(blob)] = value
    got = decode_attributed_body(bytes(blob))
    assert got is None or isinstance(got, str)
