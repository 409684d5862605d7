"""The category vocabulary (rulesets/categories.yaml) and where the built-in rulesets live.

Kept apart from the rule loader, which needs spaCy for its checks: front ends that only
present results (the verdict, a server client) read the vocabulary without loading it.
"""

from __future__ import annotations

from pathlib import Path

from .yamlfile import RuleFileError, read_yaml

VOCABULARY_FILE = "categories.yaml"
GOODS_DIR = "goods"
GOOD_SCOPE = "good"


def builtin_dir() -> Path:
    """The rulesets shipped with msglint: linter/rulesets inside an installed wheel, else
    the rulesets/ directory of a source checkout (which is also what an editable install
    maps linter.rulesets to)."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "rulesets"
    if (installed / VOCABULARY_FILE).is_file():
        return installed
    return package.parent / "rulesets"


def load_vocabulary(directory: Path | None = None) -> dict[str, dict]:
    """The category contract: {name: {"scope": message|context, "summary": ...}}."""
    path = (directory or builtin_dir()) / VOCABULARY_FILE
    data = read_yaml(path)
    cats = data.get("categories") if isinstance(data, dict) else None
    if not isinstance(cats, dict):
        raise RuleFileError(f"{path}: expected a top-level 'categories' mapping")
    return cats


def load_goods_vocabulary(directory: Path | None = None) -> dict[str, dict]:
    """What a good message can have: {kind: {"factor", "says", "summary", "scope": "good"}},
    from the `goods` mapping of the vocabulary file. The goods rules (in the `goods/`
    directory beside it) take these as their categories."""
    path = (directory or builtin_dir()) / VOCABULARY_FILE
    data = read_yaml(path)
    goods = data.get("goods") if isinstance(data, dict) else None
    if goods is None:
        return {}
    if not isinstance(goods, dict) or not all(isinstance(v, dict) and isinstance(v.get("says"), str) for v in goods.values()):
        raise RuleFileError(f"{path}: 'goods' must map each kind to a mapping with a 'says' phrase")
    return {name: {**info, "scope": GOOD_SCOPE} for name, info in goods.items()}
