"""`load_chat`: pick the format, run its parser, and keep count of every entry it saw."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from linter.messages import Message

from .android_sms import AndroidSmsParser
from .chatdb import ChatDbParser, is_sqlite, looks_like_chat_db
from .common import FORMATS, ChatImportError, Parser, Skipped, SystemLine, check_readable, validate_utf8
from .detect import choices_hint, detect_format
from .discord import DiscordParser
from .imessage import IMessageParser
from .meta import MetaParser, is_message_folder
from .plaintext import PlainTextParser
from .signal import SignalParser
from .tabular import CsvParser, JsonlParser, check_columns
from .telegram import TelegramParser
from .whatsapp import WhatsAppParser

_ALIASES = {"instagram": "messenger", "facebook": "messenger", "txt": "text", "plain": "text", "sms": "android-sms"}


@dataclass(frozen=True)
class ImportOptions:
    """What the user said about the source beyond its path."""

    columns: dict[str, str] = field(default_factory=dict)  # csv/jsonl: role -> column name
    conversation: str | None = None  # --with: which conversation of a multi-chat source


# One entry per format: how to build its parser. Each importer module owns its parser;
# this table is the only place that knows them all.
PARSERS: dict[str, Callable[[Path, ImportOptions], Parser]] = {
    "whatsapp": lambda path, _: WhatsAppParser(path),
    "telegram": lambda path, o: TelegramParser(path, o.conversation),
    "csv": lambda path, o: CsvParser(path, o.columns),
    "jsonl": lambda path, o: JsonlParser(path, o.columns),
    "messenger": lambda path, _: MetaParser(path),
    "signal": lambda path, _: SignalParser(path),
    "imessage": lambda path, _: IMessageParser(path),
    "imessage-db": lambda path, o: ChatDbParser(path, o.conversation),
    "discord": lambda path, _: DiscordParser(path),
    "android-sms": lambda path, o: AndroidSmsParser(path, o.conversation),
    "text": lambda path, _: PlainTextParser(path),
}
# Sources that are not UTF-8 text files (a directory of parts, a database): format name ->
# test. Tried before the text checks, which would refuse them.
NON_TEXT: dict[str, Callable[[Path], bool]] = {
    "imessage-db": looks_like_chat_db,
    "messenger": is_message_folder,  # a folder of message_1.json, message_2.json, …
}


class ChatImport:
    """One chat export, ready to iterate (as often as needed) as `Message`s in file order.

    After a pass, every entry the parser saw is in exactly one of three counts:
    `messages_read`, `system_lines` (written by the app) and `skipped` (unreadable or not a
    message), so `entries == messages_read + len(system_lines) + len(skipped)`. `notes`
    lists assumptions the importer had to make (e.g. date order). With `strict`, the first
    skipped entry raises ChatImportError instead.
    """

    def __init__(self, format: str, path: Path, parser: Parser, *, strict: bool = False) -> None:
        self.format = format
        self.path = path
        self._parser = parser
        self.strict = strict
        self.skipped: list[Skipped] = []
        self.system_lines: list[SystemLine] = []
        self.messages_read = 0

    @property
    def notes(self) -> list[str]:
        return self._parser.notes

    @property
    def me(self) -> str | None:
        """The sender name of your own messages when the source records who sent what
        (an SMS backup's `type`, chat.db's `is_from_me`): `--me` is implied then."""
        return getattr(self._parser, "me", None)

    @property
    def entries(self) -> int:
        return self.messages_read + len(self.system_lines) + len(self.skipped)

    def __iter__(self) -> Iterator[Message]:
        skipped: list[Skipped] = []
        system: list[SystemLine] = []
        self.skipped = skipped
        self.system_lines = system
        self.messages_read = 0
        for item in self._parser:
            if isinstance(item, Message):
                self.messages_read += 1
                yield item
            elif isinstance(item, SystemLine):
                system.append(item)
            else:
                if self.strict:
                    where = f"{self.path}:{item.line}" if item.line is not None else str(self.path)
                    raise ChatImportError(f"{where}: skipped ({item.reason}); --strict makes any skipped entry fatal")
                skipped.append(item)

    def __repr__(self) -> str:
        return f"ChatImport(format={self.format!r}, path={str(self.path)!r})"


def load_chat(
    path: str | Path,
    input_format: str | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    conversation: str | None = None,
    strict: bool = False,
) -> ChatImport:
    """Open a chat export; ChatImportError (one line) if it cannot be imported at all.

    `columns` names the timestamp/sender/text columns of csv and jsonl input; other
    formats have fixed fields and ignore it. `conversation` picks one conversation of a
    source that holds several (ConversationChoice lists them when it is missing or wrong).
    """
    path = Path(path)
    fmt = None
    if input_format is not None:
        fmt = _ALIASES.get(input_format.strip().lower(), input_format.strip().lower())
        if fmt not in FORMATS:
            choices = ", ".join(FORMATS)
            raise ChatImportError(f"unknown input format {input_format!r}; choose one of: {choices}")
    options = ImportOptions(check_columns(columns), conversation)
    if not path.exists():
        raise ChatImportError(f"{path}: no such file")
    if fmt is None:
        fmt = next((name for name, test in NON_TEXT.items() if test(path)), None)
    if fmt not in NON_TEXT:
        check_readable(path)
        if path.stat().st_size == 0:
            raise ChatImportError(f"{path}: file is empty")
        if fmt is None and is_sqlite(path):
            # Not the "not UTF-8" a text check would report: say what it is.
            raise ChatImportError(f"{path}: a SQLite database, but not one this tool reads (it reads macOS Messages' chat.db); {choices_hint()}")
        validate_utf8(path)
        fmt = fmt or detect_format(path)
    return ChatImport(fmt, path, PARSERS[fmt](path, options), strict=strict)
