"""What the learned layer sees of a sentence: hashed sparse features from the parse.

Words alone let a model learn topic ("date", "answer the call") instead of intent, so
besides word and lemma n-grams every sentence contributes its grammar: who does what to
whom (subject and object with their verb, as lemmas), negation, questions, tense of
verbs with "you" as subject, and shouting. Character n-grams of each word carry spelling
variants ("pleeease", "ur", typos) to what was seen in training.

The feature space is the same at training and at run time by construction: one function,
`sentence_features`, and one hash (CRC-32, stable across processes and platforms).
"""

from __future__ import annotations

import zlib
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from spacy.tokens import Span

# Dependency relations worth spelling out as "who does what to whom".
_RELATIONS = frozenset({"nsubj", "nsubjpass", "dobj", "dative", "pobj", "attr", "acomp", "xcomp", "ccomp", "neg", "advmod", "prt", "agent", "oprd", "npadvmod", "mark", "advcl"})


# Words repeat (a chat's vocabulary is small), so a word's n-grams are cached; bounded
# tightly because a long-running server meets new words for ever, and each entry holds a
# couple of dozen short strings (65,536 of them came to about 70 MB).
@lru_cache(maxsize=8192)
def _char_grams(word: str, lo: int, hi: int) -> tuple[str, ...]:
    """A word's character n-grams with boundary marks."""
    padded = f"<{word}>"
    return tuple(f"c{n}:{padded[i:i + n]}" for n in range(lo, hi + 1) for i in range(len(padded) - n + 1))


def sentence_features(sent: "Span", config: dict) -> list[str]:
    """The feature strings of one sentence (see the module docstring)."""
    toks = [t for t in sent if not t.is_space]
    if not toks:
        return []
    words = [t.norm_ if not t.like_num else "<num>" for t in toks]
    out = [f"w:{w}" for w in words]
    if config.get("bigrams", True):
        seq = ["<s>", *words, "</s>"]
        out += [f"b:{a}_{b}" for a, b in zip(seq, seq[1:])]
    if config.get("lemmas", True):
        out += [f"l:{t.lemma_.lower()}" for t in toks if t.is_alpha]
    if config.get("deps", True):
        for t in toks:
            if t.dep_ in _RELATIONS:
                out.append(f"d:{t.dep_}:{t.norm_}>{t.head.lemma_.lower()}")
                if t.dep_ in ("nsubj", "nsubjpass") and t.norm_ in ("you", "i", "we"):
                    out.append(f"s:{t.norm_}:{t.head.tag_}")
    chars = config.get("chars", (3, 4))
    if chars:
        lo, hi = chars
        for w in words:
            if len(w) >= 3 and w.isalpha():
                out += _char_grams(w, lo, hi)
    text = sent.text
    if "?" in text or (toks[0].tag_ in ("MD", "VBZ", "VBP", "VBD") and toks[0].dep_ == "aux") or toks[0].tag_ in ("WRB", "WP"):
        out.append("f:question")
    if any(t.dep_ == "neg" for t in toks):
        out.append("f:negated")
    shouted = sum(1 for t in toks if t.is_alpha and len(t.text) > 1 and t.text.isupper())
    if shouted >= 2:
        out.append("f:shouting")
    if text.count("!") >= 2 or text.count("?") >= 2:
        out.append("f:repeated-punct")
    return out


def hashed(features: Iterable[str], dim: int) -> list[int]:
    """Distinct feature indices (binary features: presence, not counts)."""
    mask, crc = dim - 1, zlib.crc32
    # surrogatepass: a lone surrogate (from JSON or undecodable bytes) hashes instead of raising
    return sorted({crc(f.encode("utf-8", "surrogatepass")) & mask for f in features})
