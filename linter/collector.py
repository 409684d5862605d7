"""Python's cyclic garbage collector, tuned for msglint's two shapes of work.

Start-up (importing spaCy, loading the model, reading the rules, building the engine)
allocates a few hundred thousand objects that live as long as the process and makes almost
no garbage, yet with the default settings the collector walks all of them again and again:
about a tenth of a second of a cold `msglint draft.txt`, where the whole budget over a bare
`spacy.load` is 15%. So the console script pauses collection first thing, and the first
engine built resumes it, with what start-up made frozen out of the collector's sight.

A long batch (`msglint review`) allocates millions of short-lived, acyclic objects (tokens,
matches); `batch()` makes collections rarer for its duration and restores the settings.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

_paused_for_startup = False


def pause_for_startup() -> None:
    """Stop automatic collection until `startup_done()` (a no-op if it is already off)."""
    global _paused_for_startup
    if gc.isenabled():
        gc.disable()
        _paused_for_startup = True


def resume() -> None:
    """Resume collection if start-up paused it and never got to `startup_done()` (a
    command that built no engine), nothing frozen: for callers of the entry point that
    live on after it returns."""
    global _paused_for_startup
    if _paused_for_startup:
        _paused_for_startup = False
        gc.enable()


def startup_done() -> None:
    """Freeze what start-up made (the model, the rules, the engine: they live as long as
    the process) and resume collection, if `pause_for_startup()` stopped it."""
    global _paused_for_startup
    if _paused_for_startup:
        _paused_for_startup = False
        gc.freeze()
        gc.enable()


def freeze() -> bool:
    """Move everything that exists now out of the collector's sight, unless something is
    frozen already (start-up froze the model, which is what matters, and the collector
    can only unfreeze everything at once). Returns whether it froze, for `thaw`."""
    if gc.get_freeze_count():
        return False
    gc.freeze()
    return True


def thaw(froze: bool) -> None:
    """Undo `freeze()`, given what it returned."""
    if froze:
        gc.unfreeze()


@contextmanager
def batch() -> Iterator[None]:
    """Collection tuned for one long batch, restored afterwards (the command may run
    inside a longer-lived process, such as a test session): what exists now is frozen
    (unless start-up froze the model already), and young objects are collected less often. With the defaults, collections took a
    few percent of a review and found nothing."""
    thresholds = gc.get_threshold()
    froze = freeze()
    gc.set_threshold(20_000, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        thaw(froze)
