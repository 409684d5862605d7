"""The JSON snapshot of the built-in rule files: fresh, faithful, and bypassed when stale."""

from __future__ import annotations

import json

from linter.rules import snapshot
from linter.rules.loader import builtin_dir, load_file, load_vocabulary, parse_yaml, read_yaml


def test_snapshot_is_fresh():
    root = builtin_dir()
    on_disk = json.loads((root / snapshot.SNAPSHOT_NAME).read_text(encoding="utf-8"))
    # Compared as JSON text so that key order counts too (the category order is the
    # order reports list categories in).
    fresh = json.dumps(snapshot.build(root, parse_yaml), ensure_ascii=False)
    assert json.dumps(on_disk, ensure_ascii=False) == fresh, "rule files changed: run `python -m linter.rules`"


def test_snapshot_data_equals_parsing_the_yaml():
    for path in sorted(builtin_dir().rglob("*.yaml")):
        from_snapshot, from_yaml = read_yaml(path), parse_yaml(path, path.read_bytes())
        assert json.dumps(from_snapshot) == json.dumps(from_yaml), path


def test_an_edited_file_is_read_from_yaml_not_the_snapshot(tmp_path, monkeypatch):
    root = builtin_dir()
    path = root / "miss-me.yaml"
    raw = path.read_bytes()
    assert snapshot.cached(path, raw, root) is not snapshot._MISSING
    assert snapshot.cached(path, raw + b"\n# edited\n", root) is snapshot._MISSING
    # A file outside the built-in directory never comes from the snapshot.
    copy = tmp_path / "miss-me.yaml"
    copy.write_bytes(raw)
    assert snapshot.cached(copy, raw, root) is snapshot._MISSING
    rules = load_file(copy, load_vocabulary())
    assert [r.id for r in rules] == [r.id for r in load_file(path, load_vocabulary())]
