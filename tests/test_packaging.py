"""A plain `pip install .` must work, not only an editable one: the wheel carries the
rulesets, and an installed msglint finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}")
    [path] = out.glob("msglint-*.whl")
    return path


def test_wheel_carries_every_rule_file_and_the_snapshot(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (REPO / "rulesets").rglob("*"):
        if path.suffix in (".yaml", ".json"):
            assert f"linter/rulesets/{path.relative_to(REPO / 'rulesets').as_posix()}" in names
    assert "linter/formats/report.html" in names


def test_installed_layout_finds_its_rulesets_and_lints(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    assert not (site / "rulesets").exists()
    code = (
        "import linter.rules.loader as l, sys; from linter import lint;"
        "print(l.builtin_dir()); print(sorted({f.category for f in lint('do u miss me?? answer me tonight or we are done')}))"
    )
    # -I: isolated mode, so neither the checkout nor an editable install can shadow the wheel.
    proc = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {code}"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    where, cats = proc.stdout.splitlines()
    assert where == str(site / "linter" / "rulesets")
    assert "miss-me" in cats and "ultimatum" in cats
