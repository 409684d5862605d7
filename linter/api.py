"""The library's front door: settings -> a `Linter` (pipeline + selected rules), built once
per settings per process, and `lint()` for one draft.

Every front end (the command line, the server, review, eval) gets its linter here, so a
draft takes the same path whoever asks: `get_linter(settings)` -> `Linter.lint_many()` ->
the rule engine. Text is cleaned here, where it enters (`clean_text`: lone surrogates
become U+FFFD, offsets unchanged), so any Python string can be linted. Problems with the settings (no model, a broken rule file, a --disable name
that does not exist) are raised as `MsglintError`s with one-line messages.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache
from typing import Iterable, Iterator

from . import collector
from .config import Settings
from .errors import UsageError
from .findings import Finding, Severity
from .messages import clean_text
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
    return load_rules([builtin_dir(), *extra_dirs], _vocabulary())


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, dict]:
    """The category vocabulary, read once: loading rules, the learned layer and each
    Linter all need it while an engine is built."""
    return load_vocabulary()


def known_names(settings: Settings) -> set[str]:
    """Every name --disable/--enable accepts: rule ids, categories and context rules."""
    from .context import context_names

    rules = all_rules(settings)
    return {name for r in rules for name in (r.id, r.category)} | context_names() | {MODEL_RULE_ID} | {f"{r.category}/{MODEL_RULE_ID}" for r in rules}


def _settings_key(settings: Settings) -> tuple:
    params = tuple(sorted((k, tuple(sorted(v.items()))) for k, v in settings.check_params.items()))
    return (settings.model, settings.disable, settings.enable, settings.rules_dirs, params, settings.learned)


# The learned layer's findings carry the rule id "model": `--disable model` turns the layer
# off (as `learned = false` does), `--disable CATEGORY` turns off its findings of that
# category along with the category's rules.
MODEL_RULE_ID = "model"


def _off(name: str, settings: Settings) -> bool:
    return name in settings.disable and name not in settings.enable


def learned_layer(settings: Settings, rules: list[Rule]):
    """The learned layer for these settings, or None when it is off."""
    if not settings.learned or _off(MODEL_RULE_ID, settings):
        return None
    from .model.layer import CategoryText, LearnedLayer

    vocabulary = _vocabulary()
    texts = {}
    for rule in rules:  # the category's first rule speaks for it: its reasoning and source
        info = vocabulary.get(rule.category, {})
        if rule.category in texts or info.get("scope") != "message":
            continue
        first = bool(info.get("first"))
        message = info.get("model_message") or f"This reads as {rule.category}: {info.get('summary', rule.category)}"
        texts[rule.category] = CategoryText(Severity.ERROR if first else Severity.WARNING, message, rule.why, str(rule.source), rule.suggestion, rule.rewrite)
    wanted = [c for c in texts if not _off(c, settings) and not _off(f"{c}/{MODEL_RULE_ID}", settings)]
    return LearnedLayer(_artifact(), texts, wanted)


@lru_cache(maxsize=1)
def _artifact():
    from .model.artifact import load

    return load()


_engines: dict[tuple, Engine] = {}


def get_engine(settings: Settings | None = None) -> Engine:
    """The rule engine for these settings; the spaCy model and compiled patterns are reused."""
    from . import nlp

    settings = settings or Settings()
    key = _settings_key(settings)
    try:
        if key not in _engines:
            model = nlp.load(settings.model)
            # Built-in patterns are schema-checked by the test suite; user rule files are
            # checked here so their mistakes get a clear message.
            rules = all_rules(settings)
            layer = learned_layer(settings, rules)
            _engines[key] = Engine(model, select_rules(rules, settings), validate=bool(settings.rules_dirs), detectors=[layer] if layer else [])
    finally:
        # Whatever start-up made lives as long as the process (see linter.collector); a
        # no-op unless the console script paused collection for start-up.
        collector.startup_done()
    return _engines[key]


_goods_engines: dict[str | None, Engine] = {}
# Entries a pipe's own cache (spaCy's lemmatizer) may hold after a memory zone.
LEMMA_CACHE_MAX = 20_000


def goods_engine(settings: Settings) -> Engine:
    """The engine of the goods rules (rulesets/goods/) on the settings' pipeline."""
    from . import nlp
    from .rules.loader import load_goods

    engine = _goods_engines.get(settings.model)
    if engine is None:
        engine = _goods_engines[settings.model] = Engine(nlp.load(settings.model), load_goods(), validate=False)
    return engine


@lru_cache(maxsize=1)
def goods_vocabulary() -> dict[str, dict]:
    """What a good message can have (the vocabulary file's `goods`), read once."""
    from .rules.loader import load_goods_vocabulary

    return load_goods_vocabulary()


def vocabulary() -> dict[str, dict]:
    """The category vocabulary (read once per process, re-read after reset_caches)."""
    return _vocabulary()


class Linter:
    """Checks drafts for one set of settings: message-level findings, one list per draft,
    in position order, except that findings of a category marked `first: true` in the
    vocabulary (crisis: the writer may be in danger) come before all others."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.first_categories = frozenset(c for c, info in _vocabulary().items() if info.get("first"))

    def lint(self, text: str, *, path: str | None = None) -> list[Finding]:
        return self.ordered(self.engine.lint(clean_text(text), path=path))

    def check_many(self, texts: Iterable[str]) -> Iterator[tuple[list[Finding], list[Finding]]]:
        """For each draft, its findings and what is good in it (the goods rules' matches,
        for the verdict), from one parse."""
        goods = goods_engine(self.settings)
        for found, good in self.engine.lint_many_with(texts, goods):
            yield self.ordered(found), good

    def lint_many(self, texts: Iterable[str]) -> Iterator[list[Finding]]:
        return (self.ordered(found) for found in self.engine.lint_many(map(clean_text, texts)))

    @contextmanager
    def zone(self) -> Iterator[None]:
        """Parse inside a spaCy memory zone: the strings and lexemes new words add to the
        vocabulary are dropped when it ends, so a process that checks drafts for weeks
        (the server) keeps a flat memory. Findings hold plain strings and offsets, never
        Docs or Tokens, so they outlive the zone; every matcher is compiled first, outside
        it, so the rules' own strings stay."""
        self.engine.compile_all()
        goods = goods_engine(self.settings)
        goods.compile_all()
        nlp = self.engine.nlp
        with nlp.memory_zone():
            yield
        # spaCy's lemmatizer keeps a cache of every word it has lemmatised and has no
        # memory zone of its own: bound it here, or it grows with every new word.
        for _, pipe in nlp.pipeline:
            cache = getattr(pipe, "cache", None)
            if isinstance(cache, dict) and len(cache) > LEMMA_CACHE_MAX:
                cache.clear()

    def ordered(self, found: list[Finding]) -> list[Finding]:
        """Position order (as given), with the first-shown categories moved ahead."""
        if not any(f.category in self.first_categories for f in found):
            return found
        return sorted(found, key=lambda f: f.category not in self.first_categories)  # stable: positions kept


def get_linter(settings: Settings | None = None) -> Linter:
    """The linter for these settings, with every start-up problem raised as one line:
    ModelError, RuleFileError, PatternError, ContextRuleError, or UsageError for a
    --disable/--enable name that names nothing."""
    settings = settings or Settings()
    engine = get_engine(settings)
    key = _settings_key(settings)
    linter = _linters.get(key)
    if linter is None or linter.engine is not engine:
        names = settings.disable | settings.enable
        for name in sorted(names - known_names(settings)):
            raise UsageError(f"--disable/--enable: no rule or category named {name!r} (see `msglint rules`)")
        linter = _linters[key] = Linter(settings, engine)
    return linter


_linters: dict[tuple, Linter] = {}


def reset_caches() -> None:
    """Forget loaded rules and compiled engines (the spaCy model stays loaded), so edited
    rule files take effect: used by the long-running server."""
    _load_all.cache_clear()
    _vocabulary.cache_clear()
    _engines.clear()
    _linters.clear()
    _goods_engines.clear()
    goods_vocabulary.cache_clear()
    from .verdict import _vocabularies

    _vocabularies.cache_clear()
    from .context import load_context_rules

    load_context_rules.cache_clear()


def lint(text: str, *, settings: Settings | None = None, path: str | None = None) -> list[Finding]:
    """Findings for one draft, sorted by position.

    >>> [f.category for f in lint("do you miss me?")]
    ['miss-me']
    """
    return get_engine(settings).lint(clean_text(text), path=path)


def lint_many(texts: Iterable[str], *, settings: Settings | None = None) -> Iterator[list[Finding]]:
    """Findings for many drafts, parsed in batches; one list per draft, in order."""
    return get_engine(settings).lint_many(map(clean_text, texts))
