"""imessage-exporter TXT files: timestamp line, sender line, body lines, blank line.

Announcements ("... You renamed the conversation to X") are a timestamp line with the
text on the same line. Replies in a thread are nested inside their parent's block,
indented four spaces, each with its own timestamp and sender line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from linter.messages import Message

from .common import ChatImportError, Item, Skipped, SystemLine, iter_lines, read_head, strip_bidi
from .header_shape import NOTHING_OR_NOTE, HeaderShape

_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}

# chrono's "%b %d, %Y %l:%M:%S %p": %l pads the hour with a space, hence "2022  5:29".
TIMESTAMP = re.compile(
    r"^(?P<indent> *)(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?P<d>\d{1,2}), "
    r"(?P<y>\d{4}) +(?P<h>\d{1,2}):(?P<mi>\d{2}):(?P<s>\d{2}) (?P<ap>AM|PM)(?P<rest>.*)$"
)
_READ = re.compile(r" \(Read by .+ after .+\)")
_REPLY_NOTE = "This message responded to an earlier message."
_DELETED_NOTE = "This message was deleted from the conversation!"
_REACTIONS_HEAD = ("Reactions:", "Tapbacks:")
_REACTION = re.compile(r"\s*(?:.*Sticker from .+|\S+(?: \S+)? by .+)")
_EXPRESSIVE = re.compile(
    r"Sent with (?:Confetti|Echo|Fireworks|Balloons|Heart|Lasers|Shooting Sta(?:r|rt)|Sparkles"
    r"|Spotlight|Slam|Loud|Gentle|Invisible Ink)"
)
_EDIT = re.compile(r"\s*Edited .+? later: (?P<text>.*)")
_UNSENT = re.compile(r".+ (?:deleted|unsent) a message[.!]")
_GROUP_CHANGE = re.compile(
    r".*(?:\brenamed the conversation|\bnamed the conversation|changed the group photo|removed the group photo"
    r"|left the conversation|\badded .+ to the conversation|\bremoved .+ from the conversation)",
)
# A timestamp line, for telling a damaged one from a body line (header_shape.py). Only
# a timestamp alone on its line (or with its read note) counts: a body line may start
# with a date.
_SHAPES = HeaderShape(NOTHING_OR_NOTE, ("May 17, 2022  5:29:42 PM",))
_MONTH_INITIALS = frozenset("JFMASOND")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ATTACHMENT = re.compile(r"(?!.*://)(?:/|~/|\.{0,2}/?attachments/|.*/Attachments/).+\.[A-Za-z0-9]{2,5}", re.I)


@dataclass
class _Unit:
    line: int
    indent: str
    stamp: re.Match[str]
    sender: str | None = None
    body: list[str] = field(default_factory=list)


class IMessageParser:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.notes: list[str] = []
        if not any(TIMESTAMP.match(line) for line in read_head(path).splitlines()):
            raise ChatImportError(
                f"{path}: not an imessage-exporter TXT file "
                '(no "May 17, 2022  5:29:42 PM" line in the first 8 KB)'
            )

    def __iter__(self) -> Iterator[Item]:
        block: list[_Unit] = []
        state = "between"  # between | sender | body | announcement
        blanks = 0
        announcement: SystemLine | Skipped | None = None  # gathers the lines after it
        for number, raw in iter_lines(self.path):
            line = strip_bidi(raw)
            stamp = TIMESTAMP.match(line)
            rest = stamp.group("rest") if stamp else ""
            is_header = stamp is not None and (not rest or _READ.fullmatch(rest) is not None)
            if not line.strip():
                if state == "sender":
                    yield Skipped(block.pop().line, "timestamp without a sender line", "")
                state, blanks = "between", blanks + 1
                continue
            if stamp and not stamp.group("indent") and (state == "between" or is_header):
                yield from self._flush(block)
                block, blanks = [], 0
                if is_header:
                    block.append(_Unit(number, "", stamp))
                    state = "sender"
                else:
                    text = rest.strip()
                    kind = "group change" if _GROUP_CHANGE.match(text) else "announcement"
                    announcement = SystemLine(number, kind, text)
                    yield announcement
                    state = "announcement"
                continue
            if stamp is None and state != "sender" and line[:1] in _MONTH_INITIALS and _SHAPES.damaged(line):
                # Its own entry (with the sender and body after it), not more of the last message.
                yield from self._flush(block)
                block, blanks = [], 0
                announcement = Skipped(number, "damaged message header", line)
                yield announcement
                state = "announcement"
                continue
            if _CONTROL.search(line):
                yield Skipped(number, "damaged line (control characters)", raw)
                continue
            if state == "announcement":
                announcement.text += "\n" + line
            elif state == "sender":
                block[-1].sender = line.strip()
                state = "body"
            elif stamp and stamp.group("indent") and is_header and block:
                block.append(_Unit(number, stamp.group("indent"), stamp))
                state = "sender"
            elif block:
                # A blank line inside a body only separated paragraphs of the same message.
                target = block[-1] if line.startswith(block[-1].indent) else block[0]
                target.body.extend([""] * blanks if state == "between" else [])
                target.body.append(line[len(target.indent):])
                state, blanks = "body", 0
            else:
                yield Skipped(number, "not a message line", raw)
        if state == "sender":
            yield Skipped(block.pop().line, "timestamp without a sender line", "")
        yield from self._flush(block)

    def _flush(self, block: list[_Unit]) -> Iterator[Item]:
        for unit in block:
            yield _finish(unit)


def _finish(unit: _Unit) -> Item:
    try:
        sent_at = _timestamp(unit.stamp)
    except ValueError:
        return Skipped(unit.line, "unparseable timestamp", unit.stamp.group(0).strip())
    meta: dict = {}
    body: list[str] = []
    in_reactions = False
    for part in unit.body:
        if in_reactions and _REACTION.fullmatch(part):
            meta.setdefault("reactions", []).append(part.strip())
            continue
        in_reactions = False
        if part in _REACTIONS_HEAD:
            in_reactions = True
        elif part == _REPLY_NOTE:
            meta["reply"] = True
        elif part == _DELETED_NOTE:
            meta["deleted"] = True
        elif _EXPRESSIVE.fullmatch(part):
            meta["effect"] = part
        elif part == "Attachment missing!" or _ATTACHMENT.fullmatch(part.strip()):
            meta["media"] = True
        else:
            body.append(part)
    body = _latest_edit(body, meta)
    text = "\n".join(body).strip()
    if _UNSENT.fullmatch(text):
        return SystemLine(unit.line, "deleted message", text)
    if text == "SharePlay Message\nEnded":
        return SystemLine(unit.line, "shareplay", text)
    if not text and not meta.get("media"):
        return Skipped(unit.line, "empty message", "")
    if _READ.fullmatch(unit.stamp.group("rest")):
        meta["read_receipt"] = unit.stamp.group("rest").strip()[1:-1]
    return Message(text=text, sender=unit.sender, sent_at=sent_at, source_line=unit.line, meta=meta)


def _latest_edit(body: list[str], meta: dict) -> list[str]:
    """An edited message lists "<timestamp> original" then "Edited … later: new" lines."""
    if not body:
        return body
    first = TIMESTAMP.match(body[0])
    if not first or not first.group("rest").strip():
        return body
    versions = [first.group("rest").strip()]
    for part in body[1:]:
        edit = _EDIT.fullmatch(part)
        if not edit:
            return body
        versions.append(edit.group("text"))
    meta["edited"] = True
    meta["versions"] = versions
    return [versions[-1]]


def _timestamp(stamp: re.Match[str]) -> datetime:
    hour = int(stamp.group("h")) % 12 + (12 if stamp.group("ap") == "PM" else 0)
    return datetime(
        int(stamp.group("y")),
        _MONTHS[stamp.group("mon")],
        int(stamp.group("d")),
        hour,
        int(stamp.group("mi")),
        int(stamp.group("s")),
    )
