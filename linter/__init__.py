"""msglint: a linter for the messages you draft to an ex.

    >>> from linter import lint
    >>> for f in lint("do you miss me? if you cared at all you'd answer"):
    ...     print(f.line, f.column, f.category, f.message)
"""

from __future__ import annotations

TYPE_CHECKING = False  # not `from typing import ...`: the instant client (linter/fast.py) should not pay for typing

__version__ = "0.1.0"
__all__ = ["lint", "lint_many", "Finding", "Severity", "Settings", "__version__"]

if TYPE_CHECKING:
    from typing import Any

    from .api import lint, lint_many
    from .config import Settings
    from .findings import Finding, Severity


def __getattr__(name: str) -> Any:
    # Importing spaCy takes most of a second; `msglint --version` and friends should not pay it.
    if name in ("lint", "lint_many"):
        from . import api

        return getattr(api, name)
    if name == "Settings":
        from .config import Settings

        return Settings
    if name in ("Finding", "Severity"):
        from . import findings

        return getattr(findings, name)
    raise AttributeError(f"module 'linter' has no attribute {name!r}")
