"""Output formats for findings. One module per format; `render` picks by name."""

from __future__ import annotations

from typing import Sequence

from ..findings import Finding

FORMATS = ("text", "json", "short")


def render(findings: Sequence[Finding], fmt: str, *, color: bool = False, sources: dict[str, str] | None = None, files: int = 1) -> str:
    if fmt == "json":
        from .json_format import render as r

        return r(findings)
    if fmt == "short":
        from .short import render as r

        return r(findings)
    from .text import render as r

    return r(findings, color=color, sources=sources or {}, files=files)
