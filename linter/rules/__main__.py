"""`python -m linter.rules`: rewrite rulesets/snapshot.json after editing the rule files."""

import json

from .loader import builtin_dir, parse_yaml
from .snapshot import SNAPSHOT_NAME, build

root = builtin_dir()
target = root / SNAPSHOT_NAME
snapshot = build(root, parse_yaml)
target.write_text(json.dumps(snapshot, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
print(f"wrote {target} ({len(snapshot['files'])} rule files)")
