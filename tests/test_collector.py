"""The garbage-collector settings msglint changes are always changed back."""

from __future__ import annotations

import gc

import pytest

from linter import collector


@pytest.fixture
def clean_collector():
    """Collection on, nothing frozen, before and after each test."""
    assert gc.isenabled() and gc.get_freeze_count() == 0, "an earlier test left the collector changed"
    yield
    collector.resume()
    gc.unfreeze()
    gc.enable()


def test_startup_pause_ends_when_the_engine_is_built(clean_collector):
    from linter.api import get_linter
    from linter.config import Settings

    collector.pause_for_startup()
    assert not gc.isenabled()
    get_linter(Settings())
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0  # what start-up made is out of the collector's sight
    frozen = gc.get_freeze_count()
    collector.startup_done()  # a second engine changes nothing
    assert gc.get_freeze_count() == frozen


def test_resume_ends_a_pause_that_built_no_engine(clean_collector):
    collector.pause_for_startup()
    collector.resume()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    collector.startup_done()  # nothing paused any more: nothing to do
    assert gc.get_freeze_count() == 0


def test_a_collector_someone_else_disabled_stays_disabled(clean_collector):
    gc.disable()
    collector.pause_for_startup()
    collector.startup_done()
    assert not gc.isenabled() and gc.get_freeze_count() == 0


def test_the_entry_point_leaves_the_collector_on(clean_collector, monkeypatch):
    from linter import cli

    seen = []
    monkeypatch.setattr(cli, "main", lambda **_: seen.append(gc.isenabled()))
    cli.run()
    assert seen == [False]  # paused while the command ran
    assert gc.isenabled() and gc.get_freeze_count() == 0


@pytest.mark.parametrize("frozen_before", [False, True])
def test_batch_restores_thresholds_and_what_was_frozen(clean_collector, frozen_before):
    if frozen_before:
        gc.freeze()
    before = (gc.get_threshold(), gc.get_freeze_count())
    with collector.batch():
        assert gc.get_threshold() != before[0]
        assert gc.get_freeze_count() > 0
        garbage = [[] for _ in range(1000)]  # noqa: F841 - objects made during the batch
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
