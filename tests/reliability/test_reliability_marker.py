"""`python -m pytest -m reliability` runs exactly this directory: every test in it carries the
marker (given by tests/conftest.py) and no test elsewhere does."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def test_this_test_is_marked(request):
    assert request.node.get_closest_marker("reliability") is not None


def test_the_marker_is_given_by_directory_and_only_here(request):
    wrong = [item.nodeid for item in request.session.items if (HERE in item.path.resolve().parents) != (item.get_closest_marker("reliability") is not None)]
    assert wrong == []


def test_the_marker_is_registered(pytestconfig):
    assert any(line.startswith("reliability:") for line in pytestconfig.getini("markers"))


@pytest.mark.parametrize("name", ["test_hostile_input.py", "test_any_string.py", "test_fuzz_importers.py", "test_server_hostile.py", "test_damaged_headers.py", "test_export_bounds.py"])
def test_the_hostile_input_modules_live_here(name):
    assert (HERE / name).is_file() and not (HERE.parent / name).exists()
