"""The text of a chat.db `attributedBody`: an NSAttributedString archived by NSArchiver.

Recent macOS leaves `message.text` NULL and keeps the words only in this "typedstream"
blob. We read just enough of the format to reach the string: the header, the outer
NSAttributedString object, and the first value inside it, the NSString (or
NSMutableString) whose characters are stored with type "+" as length-prefixed UTF-8.
The attribute runs after it (fonts, links, mentions) are not needed and not read.

The layout (little-endian stream, as Messages writes it):

    04 0B "streamtyped"            streamer version 4, 11-byte signature
    81 E8 03                       system version 1000 (an integer, see _integer)
    84 01 "@"                      a group of typed values; its type string, "@" = object
    84                             a new object (not a back-reference)
    84 84 12 "NSAttributedString" 00   its class, named by a new shared string; version 0
    84 84 08 "NSObject" 00         the superclass chain goes on ...
    85                             ... to nil
    92                             next value group; type string by reference: "@" again
    84 84 84 08 "NSString" 01 94   a new object of class NSString (superclass by reference)
    84 01 "+"                      a value group of type "+": a byte string with a length
    <length> <UTF-8 bytes>         the message text
    86                             end of the NSString object

Every read is bounds-checked and every loop consumes input or is capped, so arbitrary
bytes give either the text or None, never an exception or a hang.
"""

from __future__ import annotations

_HEADER = b"\x04\x0bstreamtyped"

# Head bytes, as signed values: -128..-111 are tags, anything else is a literal integer.
_INTEGER_2 = -127  # 0x81: a 2-byte little-endian integer follows
_INTEGER_4 = -126  # 0x82: a 4-byte little-endian integer follows
_NEW = -124  # 0x84: a literal string, class or object follows (not a back-reference)
_NIL = -123  # 0x85
_END_OF_OBJECT = -122  # 0x86
_FIRST_TAG, _LAST_TAG = -128, -111
_FIRST_REFERENCE = _LAST_TAG + 1  # back-references are numbered from 0x92

_ATTRIBUTED = {b"NSAttributedString", b"NSMutableAttributedString"}
_STRINGS = {b"NSString", b"NSMutableString"}
_MAX_BLOB = 16 << 20  # far beyond any message; refuses to walk a runaway blob
_MAX_CLASS_CHAIN = 32  # NSMutableAttributedString -> NSAttributedString -> NSObject is 3


class _Undecodable(Exception):
    """The blob does not have the shape we read; the caller turns it into None."""


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.strings: list[bytes] = []  # the shared-string table, for back-references

    def take(self, count: int) -> bytes:
        if count < 0 or self.pos + count > len(self.data):
            raise _Undecodable
        chunk = self.data[self.pos:self.pos + count]
        self.pos += count
        return chunk

    def head(self) -> int:
        byte = self.take(1)[0]
        return byte - 256 if byte > 127 else byte

    def integer(self, head: int | None = None, *, signed: bool = False) -> int:
        head = self.head() if head is None else head
        if not _FIRST_TAG <= head <= _LAST_TAG:
            return head if signed else head & 0xFF
        if head == _INTEGER_2:
            return int.from_bytes(self.take(2), "little", signed=signed)
        if head == _INTEGER_4:
            return int.from_bytes(self.take(4), "little", signed=signed)
        raise _Undecodable

    def unshared_string(self, head: int | None = None) -> bytes | None:
        head = self.head() if head is None else head
        if head == _NIL:
            return None
        return self.take(self.integer(head))

    def shared_string(self) -> bytes:
        head = self.head()
        if head == _NEW:
            value = self.unshared_string()
            if value is None:
                raise _Undecodable
            self.strings.append(value)
            return value
        index = self.integer(head, signed=True) - _FIRST_REFERENCE
        if not 0 <= index < len(self.strings):
            raise _Undecodable
        return self.strings[index]

    def class_chain(self) -> bytes | None:
        """Read a class and its literal superclasses; the first class's name, or None
        when the class is only a back-reference (its name was given earlier)."""
        first: bytes | None = None
        for _ in range(_MAX_CLASS_CHAIN):
            head = self.head()
            if head == _NEW:
                name = self.shared_string()
                self.integer(signed=True)  # class version
                if first is None:
                    first = name
                continue
            if head != _NIL:
                self.integer(head, signed=True)  # a reference to a class read earlier
            return first
        raise _Undecodable

    def begin_object(self) -> bytes | None:
        """A value group holding one new object: its type string must be "@"."""
        if self.shared_string() != b"@" or self.head() != _NEW:
            raise _Undecodable
        return self.class_chain()


def decode_attributed_body(blob: object) -> str | None:
    """The plain text of an attributedBody blob, or None when it cannot be read."""
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        return None
    data = bytes(blob)
    if len(data) > _MAX_BLOB or not data.startswith(_HEADER):
        return None
    reader = _Reader(data)
    reader.pos = len(_HEADER)
    try:
        reader.integer()  # system version (1000 on every macOS)
        if reader.begin_object() not in _ATTRIBUTED:
            return None
        inner = reader.begin_object()
        if inner is not None and inner not in _STRINGS:
            return None
        if reader.shared_string() != b"+":
            return None
        raw = reader.unshared_string()
        if raw is None:
            return None
        return raw.decode("utf-8")
    except (_Undecodable, UnicodeDecodeError):
        return None
