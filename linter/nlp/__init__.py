"""The language layer: the one spaCy pipeline, loaded once per process, with a tokenizer that
knows texting shorthand. Nothing here knows about rules or output."""

from .pieces import PIECE_CHARS, piece_spans
from .pipeline import DEFAULT_MODELS, UNUSED_COMPONENTS, ModelError, available_model, load

__all__ = ["DEFAULT_MODELS", "PIECE_CHARS", "UNUSED_COMPONENTS", "ModelError", "available_model", "load", "piece_spans"]
