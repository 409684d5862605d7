"""Linting chunks of messages in order, in this process or on N worker processes."""

from __future__ import annotations

from collections import deque
from typing import Iterator

from .. import collector
from ..config import Settings
from ..findings import Finding
from ..messages import Message


class LintPool:
    """Lints chunks of (index, message) in order: in process, or on N worker processes
    with at most 2 chunks per worker in flight, so memory stays flat on any export."""

    def __init__(self, settings: Settings, jobs: int) -> None:
        from ..api import get_engine

        self._settings = settings
        self._engine = get_engine(settings)
        self._pool = None
        self._pending: deque = deque()
        self._jobs = jobs
        self._thaw = False  # what collector.freeze() returned
        if jobs > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            methods = multiprocessing.get_all_start_methods()
            # fork: workers inherit the loaded model and compiled rules (no second load).
            # gc.freeze keeps the collector in the workers from touching (and so copying)
            # every inherited object.
            ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            if ctx.get_start_method() == "fork":
                self._thaw = collector.freeze()
            self._pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init, initargs=(settings,))

    def submit(self, chunk: list[tuple[int, Message]], last: bool = False) -> Iterator[tuple[tuple[int, Message], list[Finding]]]:
        if self._pool is None:
            if chunk:
                yield from zip(chunk, self._engine.lint_many([m.text for _, m in chunk]))
            return
        if chunk:
            self._pending.append((chunk, self._pool.submit(_worker_lint, [m.text for _, m in chunk])))
        while self._pending and (last or len(self._pending) > 2 * self._jobs):
            done, future = self._pending.popleft()
            yield from zip(done, future.result())

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        collector.thaw(self._thaw)


_worker_engine = None


def _worker_init(settings: Settings) -> None:
    global _worker_engine
    from ..api import get_engine

    _worker_engine = get_engine(settings)


def _worker_lint(texts: list[str]) -> list[list[Finding]]:
    return list(_worker_engine.lint_many(texts))
