"""Chat-export importers: turn a WhatsApp/Telegram/Messenger/… export into `Message`s.

    chat = load_chat("WhatsApp Chat with Sam.txt")      # format sniffed from the content
    for message in chat: ...                           # lazily, in file order
    chat.skipped, chat.messages_read, chat.notes       # what did not become a message, and why
"""

from .common import FORMATS, ChatImportError, ConversationChoice, Skipped, SystemLine
from .detect import detect_format
from .importer import ChatImport, load_chat

__all__ = [
    "FORMATS", "ChatImport", "ChatImportError", "ConversationChoice", "Skipped", "SystemLine",
    "detect_format", "load_chat",
]
