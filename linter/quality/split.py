"""The fixed train/test split of the corpus, decided by the text itself.

A text's split is a pure function of its normalised form (case, spacing and punctuation do
not count), so it never changes when files are re-ordered, re-written or merged, and a
near-copy with different capitals cannot land on both sides. One text in five goes to the
test split. Files the rules were tuned on before the split existed are training material
only: their texts are never test examples, whatever their hash (see corpus/README.md).
"""

from __future__ import annotations

import hashlib
import string
import unicodedata

TEST_SHARE = 5  # one bucket in five
_PUNCT = str.maketrans("", "", string.punctuation + "\u2018\u2019\u201c\u201d\u2026")


def normalise(text: str) -> str:
    """The text as the split and the duplicate check see it."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_PUNCT)
    return " ".join(folded.split())


def bucket(text: str) -> int:
    return int.from_bytes(hashlib.sha256(normalise(text).encode("utf-8")).digest()[:8], "big") % TEST_SHARE


def split_of(text: str) -> str:
    """"test" or "train" for a text from a source no rule was tuned on."""
    return "test" if bucket(text) == 0 else "train"
