"""Shared fixtures: one spaCy pipeline and one compiled engine for the whole session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The pre-send check reads the local clock (late-night, no-contact periods). Tests must
# give the same results whenever CI runs, so they check "as if" at a fixed afternoon
# moment unless a test passes --now itself.
os.environ["MSGLINT_NOW"] = "2026-11-23T14:00"

REPO = Path(__file__).resolve().parents[1]
# Material by other people (the seed articles, the category spec, real SMS and chat
# exports) lives beside the repository, never inside it. A fresh clone without it still
# passes: the tests that need it skip with this reason. CI has it and sets
# MSGLINT_REQUIRE_SHARED=1, which turns any such skip into a failed run.
SHARED = REPO.parent / "shared"
SHARED_ABSENT = "is not beside this checkout"


def _absent_reason(parts: tuple[str, ...]) -> str:
    return f"../shared/{'/'.join(parts)} {SHARED_ABSENT} (CI has it)"


def shared(*parts: str) -> Path:
    """The path under ../shared, or skip the calling test when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(_absent_reason(parts))
    return path


def needs_shared(*parts: str) -> pytest.MarkDecorator:
    """Mark a test that needs ../shared/<parts>: skipped (with the reason) when absent."""
    return pytest.mark.skipif(not SHARED.joinpath(*parts).exists(), reason=_absent_reason(parts))


RELIABILITY = Path(__file__).resolve().parent / "reliability"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Here rather than in tests/reliability/conftest.py: a second conftest module would
    # replace this one as `conftest` in sys.modules, and `from conftest import shared`
    # in those tests would find the wrong file.
    for item in items:
        if RELIABILITY in item.path.resolve().parents:
            item.add_marker(pytest.mark.reliability)


_shared_skips: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and SHARED_ABSENT in str(report.longrepr):
        _shared_skips.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("MSGLINT_REQUIRE_SHARED") and _shared_skips:
        print(f"\nMSGLINT_REQUIRE_SHARED is set but {len(_shared_skips)} test(s) skipped for want of ../shared, e.g. {_shared_skips[0]}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def nlp():
    from linter.nlp import load

    return load()


@pytest.fixture(scope="session")
def vocabulary():
    from linter.rules.loader import load_vocabulary

    return load_vocabulary()


@pytest.fixture(scope="session")
def rules(vocabulary):
    from linter.rules.loader import builtin_dir, load_rules

    return load_rules([builtin_dir()], vocabulary)


@pytest.fixture(scope="session")
def engine(nlp, rules):
    from linter.rules.engine import Engine

    return Engine(nlp, rules)


@pytest.fixture(scope="module")
def run():
    """The command line in-process: run(*args, input=..., env=...) -> click's Result."""
    from click.testing import CliRunner

    from linter.cli import main

    runner = CliRunner()

    def invoke(*args, input=None, env=None):
        return runner.invoke(main, list(args), input=input, env=env, catch_exceptions=False)

    return invoke


def read_counted(path, **kwargs):
    """(ChatImport, its messages) after one pass, asserting that every entry was counted
    once: a message, a system line or a skip."""
    from linter.chats import load_chat

    chat = load_chat(path, **kwargs)
    messages = list(chat)
    assert chat.entries == chat.messages_read + len(chat.system_lines) + len(chat.skipped)
    return chat, messages
