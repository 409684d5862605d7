"""The exceptions the library raises for problems with what it was given.

Every one of them means "the user's input, options or files are not usable", never "msglint
has a bug", and its str() is one line that names the input and says what to do. Front
ends show that line and exit 2 (the CLI) or send it back as a "user" error (the server);
the library never prints and never exits.
"""

from __future__ import annotations


class MsglintError(Exception):
    """A problem with what msglint was given; str() is one line naming it."""


class UsageError(MsglintError):
    """Options or arguments that do not fit together, or a name that does not exist."""
