"""Settings: defaults, overridden by a TOML config file, overridden by command-line flags.

The config is found at `--config PATH`, else `./msglint.toml`, else `msglint.toml` in the
user config directory. Example:

    model = "en_core_web_sm"
    learned = true                       # the learned layer beside the rules (false: rules only)
    disable = ["closed-opener"]          # categories or rule ids
    enable = []                          # re-enable what `disable` (or a config) turned off
    rules = ["~/my-msglint-rules"]       # extra rule directories
    fail_on = "warning"                  # error | warning | info | never
    max_draft_bytes = 65536              # a draft (file, stdin, clipboard) past this is refused
    max_history_bytes = 268435456        # so is a --history export past this

    [length]                             # parameters of the `too_long` check
    max_sentences = 2
    max_words = 50

    [context]                            # timing and history (pre-send check and review)
    late_night = "23:00-05:00"
    ignored_streak = 2
    too_soon_days = 7
    no_contact_until = 2026-12-20
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from datetime import date, time
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .errors import MsglintError
from .findings import Severity
from .reader import MAX_BYTES

# A --history export is read whole (JSON exports are parsed as one document): past this
# it is refused with one line rather than read until memory runs out.
MAX_HISTORY_BYTES = 256 * 1024 * 1024

CONFIG_NAME = "msglint.toml"


class ConfigError(MsglintError):
    """The config file is unreadable or has a bad value; str() is one line."""


@dataclass(frozen=True)
class Settings:
    model: str | None = None
    disable: frozenset[str] = frozenset()
    enable: frozenset[str] = frozenset()
    rules_dirs: tuple[Path, ...] = ()
    fail_on: Severity | None = Severity.WARNING  # None: never fail on findings
    # Parameter overrides per named check, e.g. {"too_long": {"max_words": 80}}.
    check_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    late_night: tuple[time, time] = (time(23, 0), time(5, 0))
    ignored_streak: int = 2
    too_soon_days: int = 7
    no_contact_until: date | None = None
    repeat_similarity: int = 85
    # The learned layer beside the rules (linter/model); `learned = false` in the config
    # or --no-learned turns it off.
    learned: bool = True
    # Input caps (bytes): a draft from a file, stdin or the clipboard; a --history export.
    max_draft_bytes: int = MAX_BYTES
    max_history_bytes: int = MAX_HISTORY_BYTES
    config_path: Path | None = None

    def with_overrides(self, **changes: Any) -> "Settings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def canonical_name(name: str) -> str:
    """A --disable/--enable name as the library knows it: output prints `category/rule`, and
    a rule id is unique, so "begging/im-begging-you" means the rule "im-begging-you". The
    learned layer's "category/model" names the layer's findings of that category."""
    category, sep, rule = name.strip().partition("/")
    return rule if sep and rule and rule != "model" else name.strip()


def find_config(explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    local = Path.cwd() / CONFIG_NAME
    if local.is_file():
        return local
    try:
        from platformdirs import user_config_dir

        user = Path(user_config_dir("msglint")) / CONFIG_NAME
    except Exception:  # no home directory etc.: simply no user config
        return None
    return user if user.is_file() else None


def parse_fail_on(value: str) -> Severity | None:
    if value.strip().lower() == "never":
        return None
    return Severity.parse(value)


def parse_window(value: str) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError:
        raise ValueError(f"expected a window like \"23:00-05:00\", got {value!r}") from None
    return start, end


def load_settings(explicit: Path | None = None) -> Settings:
    path = find_config(explicit)
    if path is None:
        return Settings()
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a config file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: config is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return settings_from_dict(data, path)


def settings_from_dict(data: dict, path: Path | None = None) -> Settings:
    where = f"{path}: " if path else ""

    def bad(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{where}'{key}': {problem}")

    known = {"model", "learned", "disable", "enable", "rules", "fail_on", "length", "context", "max_draft_bytes", "max_history_bytes"}
    for key in data:
        if key not in known:
            raise bad(key, f"unknown setting (expected one of: {', '.join(sorted(known))})")

    def str_list(key: str) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad(key, "expected a list of strings")
        return value

    changes: dict[str, Any] = {"config_path": path}
    if "model" in data:
        if not isinstance(data["model"], str):
            raise bad("model", "expected a string")
        changes["model"] = data["model"]
    if "learned" in data:
        if not isinstance(data["learned"], bool):
            raise bad("learned", "expected true or false")
        changes["learned"] = data["learned"]
    for key in ("max_draft_bytes", "max_history_bytes"):
        if key in data:
            value = data[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise bad(key, "expected a positive number of bytes, e.g. 65536 for 64 KiB")
            changes[key] = value
    changes["disable"] = frozenset(map(canonical_name, str_list("disable")))
    changes["enable"] = frozenset(map(canonical_name, str_list("enable")))
    base = path.parent if path else Path.cwd()
    changes["rules_dirs"] = tuple((base / Path(p).expanduser()) for p in str_list("rules"))
    if "fail_on" in data:
        try:
            changes["fail_on"] = parse_fail_on(str(data["fail_on"]))
        except ValueError as exc:
            raise bad("fail_on", str(exc)) from None
    length = data.get("length", {})
    if not isinstance(length, dict):
        raise bad("length", "expected a table")
    for key, value in length.items():
        if key not in ("max_sentences", "max_words") or not isinstance(value, int) or value < 1:
            raise bad(f"length.{key}", "expected max_sentences / max_words, positive integers")
    if length:
        changes["check_params"] = {"too_long": dict(length)}
    context = data.get("context", {})
    if not isinstance(context, dict):
        raise bad("context", "expected a table")
    for key, value in context.items():
        if key == "late_night":
            try:
                changes["late_night"] = parse_window(str(value))
            except ValueError as exc:
                raise bad("context.late_night", str(exc)) from None
        elif key in ("ignored_streak", "too_soon_days", "repeat_similarity"):
            if not isinstance(value, int) or value < 1:
                raise bad(f"context.{key}", "expected a positive integer")
            changes[key] = value
        elif key == "no_contact_until":
            if isinstance(value, str):
                try:
                    value = date.fromisoformat(value)
                except ValueError:
                    raise bad("context.no_contact_until", "expected a date like 2026-12-20") from None
            if not isinstance(value, date):
                raise bad("context.no_contact_until", "expected a date like 2026-12-20")
            changes[key] = value
        else:
            raise bad(f"context.{key}", "unknown setting")
    return Settings().with_overrides(**changes)
