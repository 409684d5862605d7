"""Named checks: what a token or dependency pattern cannot express.

A rule file refers to a check by name (`check: too_long`) and passes it `params`. A check
sees the whole draft (its text and one parsed Doc per non-empty line) and returns hits with
character offsets into the draft plus values the rule's message may quote ({words}, …).
Checks know shapes of text (length, a greeting-only opener, shouting), never categories.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from spacy.tokens import Doc


@dataclass(frozen=True)
class Line:
    """One parsed line of a draft: its offset into the draft and its Doc."""

    offset: int
    doc: Doc


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    fn: Callable[[str, Sequence[Line], dict], list[Hit]]
    # "line": a hit depends only on its own line; "draft": on the whole draft.
    scope: str
    defaults: dict[str, Any]


CHECKS: dict[str, Check] = {}


def check(name: str, scope: str, **defaults: Any):
    def register(fn):
        CHECKS[name] = Check(fn, scope, defaults)
        return fn

    return register


def _is_word(tok) -> bool:
    return any(c.isalnum() for c in tok.text) and not tok.like_url


# Sentence ends: . ! ? (any run, with closing quotes/brackets), but not an ellipsis, which
# in texts is a pause rather than a full stop.
_SENTENCE_END = re.compile(r"(?<!\.)(?:[.!?]+|\?+!*)(?<!\.\.)[\"'\u201d\u2019)\]]*(?=\s|$)")


_ALNUM_RUN = re.compile(r"[^\W_]+")
_CAPITALS = re.compile(r"[^\W\d_a-z]{2}")


def count_sentences(text: str) -> int:
    """Sentences as a reader counts them: terminal punctuation or a line break ends one.

    Deliberately not the parser's segmentation: on unpunctuated texting it splits freely,
    and a draft must not be called long because the parser was unsure.
    """
    count = 0
    for line in text.splitlines():
        pieces = _SENTENCE_END.split(line)
        count += sum(1 for p in pieces if re.search(r"[^\W_]", p))
    return count


# Clitics the tokenizer splits off ("don't" -> do + n't, "im" -> i + m) are not extra words.
_CLITICS = {"n't", "nt", "'s", "'m", "'re", "'ve", "'ll", "'d", "s", "m", "re", "ve", "ll", "d", "na", "ta"}


def count_words(lines: Sequence[Line]) -> int:
    count = 0
    for ln in lines:
        for tok in ln.doc:
            if not _is_word(tok):
                continue
            attached = tok.i > 0 and tok.doc[tok.i - 1].whitespace_ == ""
            if attached and tok.lower_.replace("\u2019", "'") in _CLITICS:
                continue
            count += 1
    return count


@check("too_long", scope="draft", max_sentences=2, max_words=50)
def too_long(text: str, lines: Sequence[Line], params: dict) -> list[Hit]:
    if not lines:
        return []
    # Bounds that settle most drafts without a regex: on each line every sentence but the
    # last ends in . ! or ?, and n runs of letters/digits (below) take 2n - 1 characters.
    if len(text) <= 2 * params["max_words"] and len(text.splitlines()) + text.count(".") + text.count("!") + text.count("?") <= params["max_sentences"]:
        return []
    sentences = count_sentences(text)
    # Runs of letters/digits bound the word count from above ("don't" is two runs, one
    # word), so most drafts are settled without walking their tokens.
    if sentences <= params["max_sentences"] and len(_ALNUM_RUN.findall(text)) <= params["max_words"]:
        return []
    words = count_words(lines)
    if sentences <= params["max_sentences"] and words <= params["max_words"]:
        return []
    first, last = lines[0], lines[-1]
    start = first.offset + next((t.idx for t in first.doc if not t.is_space), 0)
    end = last.offset + len(last.doc.text.rstrip())
    return [Hit(start, end, {"sentences": sentences, "words": words, **params})]


@check("short_message", scope="draft", max_sentences=2, max_words=30, min_words=3)
def short_message(text: str, lines: Sequence[Line], params: dict) -> list[Hit]:
    """The whole draft is a short message: a few words, at most a couple of sentences.

    The opposite of too_long, with a stricter word bound: "short" is said as a strength,
    so it should hold with room to spare, and a word or two is too little to praise.
    """
    if not lines or len(_ALNUM_RUN.findall(text)) > 3 * params["max_words"]:
        return []
    if count_sentences(text) > params["max_sentences"]:
        return []
    words = count_words(lines)
    if not params["min_words"] <= words <= params["max_words"]:
        return []
    first, last = lines[0], lines[-1]
    start = first.offset + next((t.idx for t in first.doc if not t.is_space), 0)
    end = last.offset + len(last.doc.text.rstrip())
    return [Hit(start, end, {"words": words})]


@check("greeting_only", scope="draft", vocabulary=[], anchors=[], max_other_words=0)
def greeting_only(text: str, lines: Sequence[Line], params: dict) -> list[Hit]:
    """The whole draft is greetings and small talk: nothing they could answer with substance.

    Every word must be small-talk vocabulary (or a name: "hey Sam"), and at least one must be
    an anchor (a greeting or a small-talk question word), so "ok" alone is not an opener.
    """
    if not lines:
        return []
    vocabulary = _word_set(params["vocabulary"])
    anchors = _word_set(params["anchors"])
    other = 0
    anchored = False
    for ln in lines:
        for tok in ln.doc:
            forms = _word_forms(tok)
            if forms is None:
                continue
            if forms & anchors:
                anchored = True
            if forms & vocabulary or forms & anchors:
                continue
            if tok.pos_ == "PROPN" and tok.text[:1].isupper():
                continue  # a name addressed to them ("Hi Maya,") is not substance
            other += 1
            if other > params["max_other_words"]:
                return []
    if not anchored:
        return []
    first, last = lines[0], lines[-1]
    start = first.offset + next((t.idx for t in first.doc if not t.is_space), 0)
    end = last.offset + len(last.doc.text.rstrip())
    return [Hit(start, end)]


# A rule's word list -> its squeezed forms. Keyed by the list object (each rule's params
# live as long as the rule), so a draft does not hash a few hundred words per check.
_word_sets: dict[int, tuple[list[str], frozenset[str]]] = {}


def _word_set(words: list[str]) -> frozenset[str]:
    known = _word_sets.get(id(words))
    if known is None or known[0] is not words:
        known = _word_sets[id(words)] = (words, frozenset(_squeeze(w) for w in words))
    return known[1]


_NON_WORD = re.compile(r"[^\w]")
_STRETCHED = re.compile(r"(\w)\1{2,}")
_DOUBLED_END = re.compile(r"(\w)\1+$")


def _squeeze(word: str) -> str:
    return _NON_WORD.sub("", word.lower())


# (orth, norm) hashes -> the word's forms, or None for a token that is not a word. Keyed
# by the hashes a token already holds, so a known word costs no string conversion.
_forms_seen: dict[tuple[int, int], frozenset[str] | None] = {}


def _word_forms(tok) -> frozenset[str] | None:
    """The ways a typed word may appear in a word list: as typed, as its norm, and with
    stretched letters collapsed ("heyyyy" -> "hey", "hii" -> "hi", "soooo" -> "so");
    None when the token is not a word (punctuation, emoji, a link)."""
    key = (tok.orth, tok.norm)
    if key in _forms_seen:
        return _forms_seen[key]
    forms = None
    if _is_word(tok):
        base = {_squeeze(w) for w in (tok.text, tok.norm_)}
        stretched = {_STRETCHED.sub(r"\1", w) for w in base} | {_DOUBLED_END.sub(r"\1", w) for w in base}
        forms = frozenset((base | stretched) - {""})
    if len(_forms_seen) >= 50_000:  # a vocabulary's worth; bounded on endless streams
        _forms_seen.clear()
    _forms_seen[key] = forms
    return forms


@check("shouting", scope="line", min_words=3, except_words=[])
def shouting(text: str, lines: Sequence[Line], params: dict) -> list[Hit]:
    """A run of capitalised words: shouting in text, not an acronym or a cheerful "HAPPY BIRTHDAY"."""
    if not _CAPITALS.search(text):
        return []  # no two capitals in a row anywhere: nothing can be shouted
    except_words = _word_set(params["except_words"])
    hits = []
    for ln in lines:
        run: list = []
        for tok in [*ln.doc, None]:
            loud = tok is not None and tok.is_alpha and tok.text.isupper() and (len(tok.text) >= 2 or bool(run))
            if loud or (tok is not None and run and (tok.is_punct or tok.is_space or not _is_word(tok))):
                run.append(tok)
                continue
            while run and not run[-1].is_alpha:
                run.pop()
            words = [t for t in run if t.is_alpha]
            if len(words) >= params["min_words"] and not any(_squeeze(t.text) in except_words for t in words):
                start, end = run[0].idx, run[-1].idx + len(run[-1].text)
                hits.append(Hit(ln.offset + start, ln.offset + end, {"words": ln.doc.text[start:end]}))
            run = []
            if tok is not None and tok.is_alpha and tok.text.isupper() and len(tok.text) >= 2:
                run = [tok]
    return hits
