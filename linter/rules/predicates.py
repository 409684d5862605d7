"""Grammar-level conditions a rule can require (`when`) or exclude (`unless`).

Each predicate reads the parse around one match: the matched tokens, the anchor token
(the first node of a dependency pattern, else the root of the matched span) and its
sentence. They describe grammar (question, negation, quotation, conditionals, imperatives),
never a category, so any rule file can use any of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from spacy.tokens import Doc, Span, Token


@dataclass(frozen=True)
class MatchContext:
    doc: Doc
    tokens: tuple[Token, ...]
    anchor: Token

    @property
    def sent(self) -> Span:
        return self.anchor.sent


Predicate = Callable[[MatchContext, Any], bool]
PREDICATES: dict[str, Predicate] = {}
# Predicates whose argument is required, and of which type (for rule-file validation).
ARGUMENTS: dict[str, type] = {}


def predicate(name: str, arg: type | None = None) -> Callable[[Predicate], Predicate]:
    def register(fn: Predicate) -> Predicate:
        PREDICATES[name] = fn
        if arg is not None:
            ARGUMENTS[name] = arg
        return fn

    return register


AUX_QUESTION_STARTERS = {
    "do", "does", "did", "are", "is", "was", "were", "have", "has", "had", "can", "could",
    "will", "would", "should", "shall", "may", "might", "am",
}
WH_WORDS = {"who", "whom", "whose", "what", "which", "when", "where", "why", "how"}
# Leading words that do not change whether a sentence is a question ("so do you…", "hey, are you…").
SKIPPABLE_LEAD = {"so", "and", "but", "hey", "hi", "ok", "okay", "well", "just", "like", "also", "then", "lol", "um", "honestly", "seriously", "babe", "btw"}


def _first_word(sent: Span) -> Token | None:
    for tok in sent:
        if tok.is_punct or tok.is_space or tok.like_url or not any(c.isalnum() for c in tok.text):
            continue
        if tok.norm_.lower() in SKIPPABLE_LEAD or tok.pos_ == "INTJ":
            continue
        return tok
    return None


SUBJECT_DEPS = ("nsubj", "nsubjpass", "expl")


def _inverted(aux: Token) -> bool:
    """An auxiliary directly followed by its clause's subject: "do u…", "are you…", "didn't she…"."""
    nxt = aux.nbor(1) if aux.i + 1 < len(aux.doc) else None
    if nxt is not None and nxt.dep_ == "neg" and nxt.i + 1 < len(aux.doc):
        nxt = nxt.nbor(1)
    if nxt is None or nxt.dep_ not in SUBJECT_DEPS:
        return False
    # The subject belongs to the aux's verb (or to the aux itself when it is the main verb).
    return nxt.head.i in (aux.head.i, aux.i)


def sentence_is_question(sent: Span) -> bool:
    """A question by punctuation or by shape: aux-inversion ("do u…", "r u…") anywhere in
    the sentence ("ok real question, do u miss me"), or a leading wh-word."""
    if any("?" in tok.text for tok in sent):
        return True
    for tok in sent:
        if tok.norm_.lower() in AUX_QUESTION_STARTERS and tok.dep_ in ("aux", "auxpass", "ROOT", "cop") and _inverted(tok):
            # "if you do you'll…" is not a question: the aux must not follow a subject of its own.
            if not any(c.dep_ in SUBJECT_DEPS and c.i < tok.i for c in tok.head.children):
                return True
    first = _first_word(sent)
    return first is not None and first.norm_.lower() in WH_WORDS and first.dep_ != "mark"


@predicate("question")
def question(ctx: MatchContext, _: Any = None) -> bool:
    return sentence_is_question(ctx.sent)


QUOTE_PAIRS = {'"': '"', "\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb"}


def inside_quotes(doc: Doc, char: int) -> bool:
    """Whether a character offset sits between an opening and a closing quotation mark.

    Straight single quotes are apostrophes far more often than quotes in texts, so only
    double quotes and typographic single quotes count.
    """
    text = doc.text
    depth_open: str | None = None
    for i, ch in enumerate(text[:char]):
        if depth_open is None and ch in QUOTE_PAIRS:
            if ch == "\u2018" and i > 0 and text[i - 1].isalnum():
                continue
            depth_open = ch
        elif depth_open is not None and ch == QUOTE_PAIRS[depth_open]:
            if ch == "\u2019" and i + 1 < len(text) and text[i + 1].isalpha():
                continue  # a typographic apostrophe (don’t), not a closing quote
            depth_open = None
    if depth_open is None:
        return False
    # Only quoted if the quote also closes after the match (an unclosed " is noise).
    return QUOTE_PAIRS[depth_open] in text[char:]


@predicate("quoted")
def quoted(ctx: MatchContext, _: Any = None) -> bool:
    return inside_quotes(ctx.doc, ctx.tokens[0].idx)


NEGATORS = {"not", "never", "no", "n't", "nt", "nothing", "nobody", "neither", "nor", "hardly"}


@predicate("negated")
def negated(ctx: MatchContext, _: Any = None) -> bool:
    """The anchor (or a matched verb) is negated: "I don't need you", "never miss you"."""
    for tok in (ctx.anchor, *ctx.tokens):
        if tok.pos_ in ("VERB", "AUX", "ADJ") or tok.i == ctx.anchor.i:
            for child in tok.children:
                if child.dep_ == "neg" or (child.norm_.lower() in NEGATORS and child.dep_ in ("advmod", "neg", "det")):
                    return True
    return False


CONDITIONAL_MARKS = {"if", "unless", "cause", "because", "since"}


def _clause_marks(tok: Token) -> set[str]:
    return {c.norm_.lower() for c in tok.children if c.dep_ in ("mark", "advmod")}


@predicate("in_if_clause")
def in_if_clause(ctx: MatchContext, _: Any = None) -> bool:
    """The match sits inside an if/unless clause ("if you cared…")."""
    tok = ctx.anchor
    while True:
        if _clause_marks(tok) & {"if", "unless"}:
            return True
        if tok.head.i == tok.i or tok.dep_ == "ROOT":
            return False
        tok = tok.head


@predicate("has_if_clause")
def has_if_clause(ctx: MatchContext, _: Any = None) -> bool:
    """Some clause of the sentence is introduced by if/unless, e.g. "…or else", "if u don't…"."""
    return any(t.norm_.lower() in ("if", "unless") for t in ctx.sent)


@predicate("imperative")
def imperative(ctx: MatchContext, _: Any = None) -> bool:
    """The anchor verb is a bare command: base form, no subject, no auxiliary before it."""
    verb = ctx.anchor
    if verb.tag_ != "VB" and verb.pos_ != "VERB":
        return False
    if any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in verb.children):
        return False
    if any(c.dep_ in ("aux", "auxpass") and c.norm_.lower() not in ("do", "please") for c in verb.children):
        return False
    if verb.dep_ in ("xcomp", "ccomp", "advcl", "relcl", "acl", "pcomp", "csubj"):
        return False
    return True


OPEN_TIMING = {
    "when", "whenever", "once", "after", "if", "later", "sometime", "anytime", "free", "chance",
    "convenient", "convenience", "whenever", "land", "arrive", "done",
}


@predicate("open_timing")
def open_timing(ctx: MatchContext, _: Any = None) -> bool:
    """The request leaves the timing to them: "call me when you land", "text me later"."""
    verb = ctx.anchor
    for child in verb.subtree:
        if child.i == verb.i:
            continue
        if child.norm_.lower() in OPEN_TIMING and child.i > verb.i:
            return True
    return False


@predicate("sentence_has", arg=list)
def sentence_has(ctx: MatchContext, words: list[str]) -> bool:
    """The sentence contains one of these words (compared by lemma and by norm)."""
    wanted = {w.lower() for w in words}
    return any(t.lemma_.lower() in wanted or t.norm_.lower() in wanted for t in ctx.sent)


@predicate("match_has", arg=list)
def match_has(ctx: MatchContext, words: list[str]) -> bool:
    """The matched words themselves contain one of these (by lemma or norm)."""
    wanted = {w.lower() for w in words}
    return any(t.lemma_.lower() in wanted or t.norm_.lower() in wanted for t in ctx.tokens)


@predicate("after_match_has", arg=list)
def after_match_has(ctx: MatchContext, words: list[str]) -> bool:
    """A word after the match, in the same sentence, is one of these (by lemma or norm)."""
    wanted = {w.lower() for w in words}
    end = max(t.i for t in ctx.tokens)
    return any(t.lemma_.lower() in wanted or t.norm_.lower() in wanted for t in ctx.sent if t.i > end)


@predicate("before_match_has", arg=list)
def before_match_has(ctx: MatchContext, words: list[str]) -> bool:
    """A word before the match, in the same sentence, is one of these (by lemma or norm)."""
    wanted = {w.lower() for w in words}
    start = min(t.i for t in ctx.tokens)
    return any(t.lemma_.lower() in wanted or t.norm_.lower() in wanted for t in ctx.sent if t.i < start)


@predicate("sentence_start")
def sentence_start(ctx: MatchContext, _: Any = None) -> bool:
    """The match begins the sentence (after greetings, interjections and punctuation)."""
    first = _first_word(ctx.sent)
    return first is not None and min(t.i for t in ctx.tokens) <= first.i
