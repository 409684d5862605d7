"""`load_chat`: pick the format, run its parser, and keep count of what was skipped."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from linter.messages import Message

from .common import FORMATS, ChatImportError, Parser, Skipped, check_readable, validate_utf8
from .detect import detect_format
from .discord import DiscordParser
from .imessage import IMessageParser
from .meta import MetaParser
from .plaintext import PlainTextParser
from .signal import SignalParser
from .tabular import CsvParser, JsonlParser, check_columns
from .telegram import TelegramParser
from .whatsapp import WhatsAppParser

_ALIASES = {"instagram": "messenger", "facebook": "messenger", "txt": "text", "plain": "text"}


class ChatImport:
    """One chat export, ready to iterate (as often as needed) as `Message`s in file order.

    `skipped` and `messages_read` describe the latest pass and are complete once that pass
    has finished; `notes` lists assumptions the importer had to make (e.g. date order).
    """

    def __init__(self, format: str, path: Path, parser: Parser) -> None:
        self.format = format
        self.path = path
        self._parser = parser
        self.skipped: list[Skipped] = []
        self.messages_read = 0

    @property
    def notes(self) -> list[str]:
        return self._parser.notes

    def __iter__(self) -> Iterator[Message]:
        skipped: list[Skipped] = []
        self.skipped = skipped
        self.messages_read = 0
        for item in self._parser:
            if isinstance(item, Skipped):
                skipped.append(item)
            else:
                self.messages_read += 1
                yield item

    def __repr__(self) -> str:
        return f"ChatImport(format={self.format!r}, path={str(self.path)!r})"


def load_chat(
    path: str | Path,
    input_format: str | None = None,
    *,
    columns: Mapping[str, str] | None = None,
) -> ChatImport:
    """Open a chat export; ChatImportError (one line) if it cannot be imported at all.

    `columns` names the timestamp/sender/text columns of csv and jsonl input; other
    formats have fixed fields and ignore it.
    """
    path = Path(path)
    fmt = None
    if input_format is not None:
        fmt = _ALIASES.get(input_format.strip().lower(), input_format.strip().lower())
        if fmt not in FORMATS:
            choices = ", ".join(FORMATS)
            raise ChatImportError(f"unknown input format {input_format!r}; choose one of: {choices}")
    columns = check_columns(columns)
    check_readable(path)
    if path.stat().st_size == 0:
        raise ChatImportError(f"{path}: file is empty")
    validate_utf8(path)
    fmt = fmt or detect_format(path)
    return ChatImport(fmt, path, _parser(fmt, path, columns))


def _parser(fmt: str, path: Path, columns: dict[str, str]) -> Parser:
    if fmt == "csv":
        return CsvParser(path, columns)
    if fmt == "jsonl":
        return JsonlParser(path, columns)
    parsers = {
        "whatsapp": WhatsAppParser,
        "telegram": TelegramParser,
        "messenger": MetaParser,
        "signal": SignalParser,
        "imessage": IMessageParser,
        "discord": DiscordParser,
        "text": PlainTextParser,
    }
    return parsers[fmt](path)
