"""The library entry point: settings -> rules -> a compiled engine, built once per process."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Iterable, Iterator

from .config import Settings
from .findings import Finding
from .rules.engine import Engine
from .rules.loader import builtin_dir, load_rules, load_vocabulary
from .rules.model import Rule


def is_enabled(rule: Rule, settings: Settings) -> bool:
    """Off when its id or category is disabled, unless its id or category is re-enabled."""
    keys = {rule.id, rule.category}
    return not (keys & settings.disable) or bool(keys & settings.enable)


def select_rules(rules: Iterable[Rule], settings: Settings) -> list[Rule]:
    out = []
    for rule in rules:
        if not is_enabled(rule, settings):
            continue
        overrides = settings.check_params.get(rule.check or "", {})
        out.append(replace(rule, params={**rule.params, **overrides}) if overrides else rule)
    return out


def all_rules(settings: Settings) -> list[Rule]:
    """Every rule (built-in first, then the user's directories), enabled or not."""
    return _load_all(settings.rules_dirs)


@lru_cache(maxsize=8)
def _load_all(extra_dirs: tuple) -> list[Rule]:
    return load_rules([builtin_dir(), *extra_dirs], load_vocabulary())


def _settings_key(settings: Settings) -> tuple:
    params = tuple(sorted((k, tuple(sorted(v.items()))) for k, v in settings.check_params.items()))
    return (settings.model, settings.disable, settings.enable, settings.rules_dirs, params)


_engines: dict[tuple, Engine] = {}


def get_engine(settings: Settings | None = None) -> Engine:
    """The engine for these settings; the spaCy model and compiled patterns are reused."""
    from . import pipeline

    settings = settings or Settings()
    key = _settings_key(settings)
    if key not in _engines:
        nlp = pipeline.load(settings.model)
        # Built-in patterns are schema-checked by the test suite; user rule files are
        # checked here so their mistakes get a clear message.
        _engines[key] = Engine(nlp, select_rules(all_rules(settings), settings), validate=bool(settings.rules_dirs))
    return _engines[key]


def reset_caches() -> None:
    """Forget loaded rules and compiled engines (the spaCy model stays loaded), so edited
    rule files take effect: used by the long-running server."""
    _load_all.cache_clear()
    _engines.clear()
    from .context import load_context_rules

    load_context_rules.cache_clear()


def lint(text: str, *, settings: Settings | None = None, path: str | None = None) -> list[Finding]:
    """Findings for one draft, sorted by position.

    >>> [f.category for f in lint("do you miss me?")]
    ['miss-me']
    """
    return get_engine(settings).lint(text, path=path)


def lint_many(texts: Iterable[str], *, settings: Settings | None = None) -> Iterator[list[Finding]]:
    """Findings for many drafts, parsed in batches; one list per draft, in order."""
    return get_engine(settings).lint_many(texts)
