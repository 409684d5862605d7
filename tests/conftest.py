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
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def nlp():
    from linter.pipeline import load

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
