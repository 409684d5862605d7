"""Android SMS/MMS backups written by "SMS Backup & Restore" (SyncTech): one XML file,
`<smses count="N">` holding `<sms>` and `<mms>` elements, every contact in one file.

The file is streamed through expat twice: a first pass finds the conversations (so
`--with NAME|NUMBER` can choose one, or ConversationChoice can list them), the second
yields the chosen conversation's entries. Memory stays bounded by the largest single
element, never by the file: nothing is kept but the element being read, and the base64
`data` of media parts is dropped as soon as expat hands it over.

Decisions (see docs/importers.md):
- Conversation key: the other side's number, normalised (spaces, dashes, dots and
  parentheses removed; the last 10 digits when there are at least 10, so
  "+1 (555) 010-2233" and "5550102233" are one thread). A group MMS (several addresses
  in `address`, joined with "~") is its own conversation, keyed by the sorted set of
  normalised numbers; a one-address MMS joins that number's SMS thread.
- Sent (`type`/`msg_box` 2) is "me"; received is the contact's name, else the number.
- Drafts, outbox, failed and queued messages (types 3-6) were never delivered: counted
  skips with that reason, so the timing rules never see them. MMS delivery and read
  reports are system lines; an MMS never downloaded is a skip.
- Entries of other conversations are not part of the chosen conversation; a note says
  how many there were.
"""

from __future__ import annotations

import re
import xml.parsers.expat as expat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from linter.messages import Message

from .common import ChatImportError, ConversationChoice, Item, Skipped, SystemLine, add_note
from .timestamps import from_epoch

ME = "me"
CHUNK = 1 << 16
MAX_TEXT = 1_000_000  # characters of one message's text; a real SMS/MMS is far below
MAX_PARTS = 1_000  # parts or addrs kept for one MMS
MAX_PENDING = 256 << 20  # bytes expat may buffer for one unfinished tag before we stop

_HEAD = re.compile(r"\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE|<smses[\s/>])", re.S)
_NUMBER_NOISE = re.compile(r"[\s\-().\u00a0/]")
_NUMBER = re.compile(r"\+?\d+")
_CHARREF = re.compile(rb"&#(x[0-9a-fA-F]{1,8}|[0-9]{1,10});")
_BAD_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
_REPLACEMENT = "\ufffd".encode()
# The opening of a part's data="…": the tag's earlier attributes spelled out, so a
# `data="` inside another attribute's value is never taken for it.
_PART_DATA = re.compile(rb"<part(?:\s+[^\s=<>\"']+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s+data\s*=\s*\"")
_HOLD = 1 << 20  # bytes of an open <part …> tag held back while its data="…" may follow

# Android's Telephony message boxes, the same numbers for SMS `type` and MMS `msg_box`.
_SENT, _RECEIVED = 2, 1
_UNDELIVERED = {3: "draft, never sent", 4: "unsent (still in the outbox)", 5: "failed to send", 6: "unsent (queued)"}
# MMS PDU types (m_type) that are not a message someone wrote.
_MMS_SYSTEM = {134: "MMS delivery report", 136: "MMS read report", 135: "MMS read report"}
_MMS_NOT_DOWNLOADED = 130
_FROM, _TO = "137", ("151", "130", "129")  # addr types: from; to, cc, bcc
_PLACEHOLDER_ADDRESSES = {"", "null", "insert-address-token", "unknown", "(unknown)"}


def looks_like_android_sms(head: str) -> bool:
    """True when the first KB are an SMS Backup & Restore file: an XML prolog (comments
    allowed) and then the `<smses>` root, or a DOCTYPE the parser will refuse."""
    return bool(_HEAD.match(head)) and re.search(r"<smses[\s/>]", head) is not None


def normalize_number(raw: str | None) -> str | None:
    """The comparable form of an address: digits (last 10 of longer numbers) for phone
    numbers, casefolded text for short codes with letters and e-mail addresses."""
    if raw is None or raw.strip().casefold() in _PLACEHOLDER_ADDRESSES:
        return None
    compact = _NUMBER_NOISE.sub("", raw)
    if _NUMBER.fullmatch(compact):
        digits = compact.lstrip("+")
        return digits[-10:] if len(digits) >= 10 else digits
    return raw.strip().casefold() or None


def _value(attrs: dict, name: str) -> str | None:
    # The app writes the string "null" for a column that had no value.
    value = attrs.get(name)
    return None if value is None or value == "null" else value


def _int(attrs: dict, name: str) -> int | None:
    value = _value(attrs, name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _contact(attrs: dict) -> str | None:
    name = (_value(attrs, "contact_name") or "").strip()
    return None if name.casefold() in _PLACEHOLDER_ADDRESSES else name


# --- the byte stream ---------------------------------------------------------------


class _Cleaner:
    """The bytes expat sees, made safe and cheap where the app's output is known to hurt.

    - Media: an MMS part carries its picture or video as base64 in `data="…"`, megabytes
      in one attribute. Expat 2.5 rescans an unfinished tag on every chunk (quadratic: a
      40 MB video took a minute) and hands the whole value over as one string. Only the
      part's `ct` matters here, so the value is dropped before expat sees it (its newlines
      kept, so line numbers stay right).
    - Old releases wrote an emoji as two character references to its UTF-16 surrogates
      ("&#55357;&#56832;"), and control characters slip into bodies; both are fatal to
      any XML parser. A pair is rejoined; anything else XML forbids becomes U+FFFD.
    """

    def __init__(self) -> None:
        self._carry = b""
        self._in_data = False
        self.replaced = 0
        self.rejoined = 0

    def feed(self, chunk: bytes, final: bool = False) -> bytes:
        data = self._carry + chunk
        self._carry = b""
        out: list[bytes] = []
        pos = 0
        while pos < len(data):
            if self._in_data:
                end = data.find(b'"', pos)
                dropped = data[pos:] if end == -1 else data[pos:end]
                out.append(b"\n" * dropped.count(b"\n"))
                if end == -1:
                    return b"".join(out)
                pos, self._in_data = end, False
                continue
            match = _PART_DATA.search(data, pos)
            if match is None:
                break
            out.append(self._refs(data[pos:match.end()], True)[0])
            pos, self._in_data = match.end(), True
        rest = data[pos:]
        fixed, cut = self._refs(rest, final)
        out.append(fixed)
        self._carry = rest[cut:]
        return b"".join(out)

    def _refs(self, data: bytes, final: bool) -> tuple[bytes, int]:
        """(cleaned bytes, how many input bytes they cover); the rest waits for more."""
        cut = len(data) if final else max(0, len(data) - 40)
        if not final:
            # A <part …> tag still open may yet reach its data="…": wait for it (bounded).
            opened = data.rfind(b"<part")
            if opened != -1 and data.find(b">", opened) == -1 and len(data) - opened <= _HOLD:
                cut = min(cut, opened)
        while 0 < cut < len(data) and data[cut] & 0xC0 == 0x80:
            cut -= 1  # not inside a UTF-8 sequence
        out: list[bytes] = []
        pos = 0
        while True:
            match = _CHARREF.search(data, pos)
            if match is None or match.start() >= cut:
                break
            if match.end() > cut and not final:
                cut = match.start()
                break
            out.append(self._bytes(data[pos:match.start()]))
            code = _code(match.group(1))
            following = _CHARREF.match(data, match.end())
            if 0xD800 <= code <= 0xDBFF and following is not None:
                low = _code(following.group(1))
                if 0xDC00 <= low <= 0xDFFF:
                    self.rejoined += 1
                    out.append(b"&#%d;" % (0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
                    pos = following.end()
                    continue
            if _xml_char(code):
                out.append(match.group(0))
            else:
                self.replaced += 1
                out.append(b"&#65533;")
            pos = match.end()
        out.append(self._bytes(data[pos:cut]))
        return b"".join(out), cut

    def _bytes(self, data: bytes) -> bytes:
        fixed, count = _BAD_BYTES.subn(_REPLACEMENT, data)
        self.replaced += count
        return fixed


def _code(digits: bytes) -> int:
    return int(digits[1:], 16) if digits[:1] == b"x" else int(digits)


def _xml_char(code: int) -> bool:
    return code in (9, 10, 13) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


# --- one streaming pass -----------------------------------------------------------------


@dataclass
class _Entry:
    """One child of <smses>, as much of it as we keep."""

    tag: str
    line: int
    attrs: dict = field(default_factory=dict)
    parts: list[dict] = field(default_factory=list)
    addrs: list[tuple[str, str]] = field(default_factory=list)
    over_cap: str | None = None


@dataclass
class _Damage:
    line: int | None
    reason: str
    text: str = ""


class _Refused(Exception):
    pass


class _Scan:
    """One pass over the file: yields `_Entry`s and, at most once and last, a `_Damage`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.root: str | None = None
        self.declared: int | None = None
        self.cleaner = _Cleaner()

    def __iter__(self) -> Iterator[_Entry | _Damage]:
        parser = expat.ParserCreate(encoding="UTF-8")  # load_chat has checked it is UTF-8
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        ready: list[_Entry] = []
        depth = 0
        current: _Entry | None = None
        last_event = 0

        def refuse(*_args) -> None:
            raise _Refused()

        def start(tag: str, attrs: dict) -> None:
            nonlocal depth, current, last_event
            last_event = parser.CurrentByteIndex
            depth += 1
            if depth == 1:
                self.root = tag
                if tag == "smses":
                    self.declared = _int(attrs, "count")
            elif depth == 2:
                current = _Entry(tag, parser.CurrentLineNumber)
                if tag in ("sms", "mms"):
                    attrs.pop("data", None)
                    current.attrs = attrs
                    body = attrs.get("body")
                    if body is not None and len(body) > MAX_TEXT:
                        attrs["body"] = ""
                        current.over_cap = f"text over {MAX_TEXT:,} characters"
            elif current is not None and current.tag == "mms":
                _mms_child(current, tag, attrs)

        def end(tag: str) -> None:
            nonlocal depth, current, last_event
            last_event = parser.CurrentByteIndex
            if depth == 2 and current is not None:
                ready.append(current)
                current = None
            depth -= 1

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        fed = 0
        with self.path.open("rb") as fh:
            while True:
                chunk = fh.read(CHUNK)
                final = not chunk
                data = self.cleaner.feed(chunk, final)
                fed += len(data)
                try:
                    parser.Parse(data, final)
                except _Refused:
                    raise ChatImportError(
                        f"{self.path}: the XML declares a DOCTYPE; SMS Backup & Restore never writes one, "
                        "and its entities could expand without bound, so the file is refused"
                    ) from None
                except expat.ExpatError as exc:
                    yield from ready
                    if self.root is None:
                        raise ChatImportError(f"{self.path}: not well-formed XML ({exc})") from None
                    yield _Damage(exc.lineno, "damaged XML; the rest of the file was not read", str(exc))
                    return
                yield from ready
                ready.clear()
                if fed - last_event > MAX_PENDING:
                    yield _Damage(
                        parser.CurrentLineNumber,
                        f"an element over {MAX_PENDING >> 20} MiB; the rest of the file was not read",
                    )
                    return
                if final:
                    return


def _mms_child(entry: _Entry, tag: str, attrs: dict) -> None:
    if tag == "part":
        if len(entry.parts) >= MAX_PARTS:
            entry.over_cap = f"more than {MAX_PARTS:,} parts"
            return
        text = attrs.get("text") or ""
        if len(text) > MAX_TEXT or sum(len(p["text"]) for p in entry.parts) + len(text) > MAX_TEXT:
            entry.over_cap = f"text over {MAX_TEXT:,} characters"
            text = ""
        entry.parts.append({"ct": (attrs.get("ct") or "").strip().lower(), "seq": _int(attrs, "seq"), "text": text})
    elif tag == "addr":
        if len(entry.addrs) >= MAX_PARTS:
            entry.over_cap = f"more than {MAX_PARTS:,} addresses"
            return
        entry.addrs.append((attrs.get("address") or "", attrs.get("type") or ""))


# --- conversations -------------------------------------------------------------------


Key = tuple[str, ...]


def _addresses(entry: _Entry) -> list[str]:
    raw = _value(entry.attrs, "address") or ""
    found = [a.strip() for a in raw.split("~") if normalize_number(a)]
    if found or entry.tag != "mms":
        return found
    # Some phones leave `address` empty on MMS: the thread is then the other side in <addrs>.
    sent = _int(entry.attrs, "msg_box") == _SENT
    wanted = _TO if sent else (_FROM,)
    return [a for a, kind in entry.addrs if kind in wanted and normalize_number(a)]


def _key(addresses: list[str]) -> Key | None:
    keys = sorted({k for k in map(normalize_number, addresses) if k})
    return tuple(keys) or None


@dataclass
class _Conversation:
    key: Key
    number: str
    name: str | None = None
    entries: int = 0

    @property
    def label(self) -> str:
        if len(self.key) > 1:
            return f"group: {self.name or self.number}" + (f" ({self.number})" if self.name else "")
        return f"{self.name} ({self.number})" if self.name else self.number


def _matches(conversation: _Conversation, wanted: str) -> bool:
    folded = wanted.strip().casefold()
    if folded in (conversation.label.casefold(), (conversation.name or "").casefold()):
        return True
    number = normalize_number(wanted)
    return len(conversation.key) == 1 and number is not None and conversation.key[0] == number


# --- the parser ---------------------------------------------------------------------


class AndroidSmsParser:
    def __init__(self, path: Path, conversation: str | None = None) -> None:
        self.path = path
        self.notes: list[str] = []
        self.me = ME
        self._conversations: dict[Key, _Conversation] = {}
        self._unattributed = 0
        total = 0
        scan = _Scan(path)
        for entry in scan:
            if scan.root != "smses":
                break
            if isinstance(entry, _Damage):
                continue
            total += 1
            addresses = _addresses(entry) if entry.tag in ("sms", "mms") else []
            key = _key(addresses)
            if key is None:
                self._unattributed += 1
                continue
            known = self._conversations.get(key)
            if known is None:
                known = self._conversations[key] = _Conversation(key, ", ".join(addresses))
            known.entries += 1
            if known.name is None:
                known.name = _contact(entry.attrs)
        if scan.root != "smses":
            raise ChatImportError(
                f"{path}: not an SMS Backup & Restore backup (root element <{scan.root}>, expected <smses>)"
            )
        self._chosen = self._choose(conversation)
        picked = [self._conversations[k] for k in self._chosen]
        mine = sum(c.entries for c in picked)
        if picked and total > mine:
            add_note(
                self.notes,
                f"read the conversation {' + '.join(c.label for c in picked)}: {mine:,} of the {total:,} entries "
                f"in this backup; the other {total - mine:,} belong to other conversations"
                + (f" ({self._unattributed:,} name no address)" if self._unattributed else ""),
            )
        if scan.declared is not None and scan.declared != total:
            add_note(self.notes, f"the backup says it holds {scan.declared:,} messages, but {total:,} were found")
        # Names of one-to-one threads, to name the sender of a received group MMS.
        self._names = {k[0]: c.name for k, c in self._conversations.items() if len(k) == 1 and c.name}

    def _choose(self, wanted: str | None) -> set[Key]:
        listing = sorted(self._conversations.values(), key=lambda c: (-c.entries, c.label.casefold()))
        if not listing:
            return set()  # nothing to choose from: the pass yields only what is damaged
        if wanted is None and len(listing) == 1:
            return {listing[0].key}
        if wanted is not None:
            # Every match: the same name on several numbers is one person who changed numbers.
            found = {c.key for c in listing if _matches(c, wanted)}
            if found:
                return found
        choices = [(c.label, c.entries) for c in listing]
        if wanted is None:
            raise ConversationChoice(
                f"{self.path}: an SMS backup with {len(listing):,} conversations; choose one with --with NAME|NUMBER",
                choices,
            )
        raise ConversationChoice(f"--with {wanted!r}: no conversation with that name or number in {self.path}", choices)

    def __iter__(self) -> Iterator[Item]:
        chosen = self._chosen
        scan = _Scan(self.path)
        for entry in scan:
            if isinstance(entry, _Damage):
                add_note(self.notes, f"the XML is damaged at line {entry.line} ({entry.text or entry.reason}); "
                         "the messages before it were read")
                yield Skipped(entry.line, entry.reason, entry.text)
                continue
            key = _key(_addresses(entry)) if entry.tag in ("sms", "mms") else None
            if key not in chosen:
                continue
            yield self._item(entry, key)
        if scan.cleaner.rejoined or scan.cleaner.replaced:
            add_note(
                self.notes,
                f"repaired the XML: {scan.cleaner.rejoined:,} emoji written as two surrogate references rejoined, "
                f"{scan.cleaner.replaced:,} characters XML forbids replaced by U+FFFD",
            )

    def _item(self, entry: _Entry, key: Key) -> Item:
        attrs = entry.attrs
        if entry.over_cap:
            return Skipped(entry.line, entry.over_cap, "")
        box = _int(attrs, "type" if entry.tag == "sms" else "msg_box")
        if entry.tag == "mms":
            kind = _int(attrs, "m_type")
            if kind in _MMS_SYSTEM:
                return SystemLine(entry.line, _MMS_SYSTEM[kind], "")
            if kind == _MMS_NOT_DOWNLOADED:
                return Skipped(entry.line, "MMS never downloaded", "")
        if box in _UNDELIVERED:
            return Skipped(entry.line, _UNDELIVERED[box], _preview(entry))
        if box not in (_SENT, _RECEIVED):
            return Skipped(entry.line, f"unknown message type {attrs.get('type' if entry.tag == 'sms' else 'msg_box')!r}", "")
        try:
            stamp = _int(attrs, "date")
            if stamp is None:
                return Skipped(entry.line, "unparseable date", attrs.get("date") or "")
            sent_at = from_epoch(stamp)
        except ValueError:
            return Skipped(entry.line, "unparseable date", attrs.get("date") or "")
        meta: dict = {
            "kind": entry.tag,
            "address": _value(attrs, "address"),
            "contact": _contact(attrs),
            "type": box,
        }
        if len(key) > 1:
            meta["group"] = list(key)
        if entry.tag == "sms":
            text = attrs.get("body") or ""
            subject = _value(attrs, "subject")
        else:
            text, media = _mms_text(entry.parts)
            if media:
                meta["media"] = ", ".join(media)
            subject = _value(attrs, "sub")
        if subject:
            meta["subject"] = subject
        if not text.strip() and not meta.get("media"):
            return Skipped(entry.line, "empty message", "")
        sender = ME if box == _SENT else self._sender(entry, key)
        return Message(text=text, sender=sender, sent_at=sent_at, source_line=entry.line, meta=meta)

    def _sender(self, entry: _Entry, key: Key) -> str:
        if len(key) == 1:
            conversation = self._conversations.get(key)
            name = (conversation.name if conversation else None) or _contact(entry.attrs)
            number = conversation.number if conversation else key[0]
        else:
            # A group: the sender is the "from" address; its name, if it has a thread of its own.
            number = next((a for a, kind in entry.addrs if kind == _FROM and normalize_number(a)), None) or "unknown"
            name = self._names.get(normalize_number(number) or "")
        sender = name or number
        # "me" is the user's own name here; a contact who happens to be called that stays apart.
        return f"{sender} ({number})" if sender.casefold() == ME else sender


def _mms_text(parts: list[dict]) -> tuple[str, list[str]]:
    texts: list[str] = []
    media: list[str] = []
    ordered = sorted(parts, key=lambda p: p["seq"] if p["seq"] is not None else 0)
    for part in ordered:
        ct = part["ct"]
        if ct == "application/smil":
            continue  # the slide layout, not content
        if ct.startswith("text/plain") or (ct.startswith("text/") and "vcard" not in ct and "calendar" not in ct):
            if part["text"] and part["text"] != "null":
                texts.append(part["text"])
            continue
        kind = ct.split("/", 1)[0] if ct.split("/", 1)[0] in ("image", "video", "audio") else (
            "contact" if "vcard" in ct else "file"
        )
        if kind not in media:
            media.append(kind)
    return "\n".join(texts), media


def _preview(entry: _Entry) -> str:
    if entry.tag == "sms":
        return entry.attrs.get("body") or ""
    return _mms_text(entry.parts)[0]
