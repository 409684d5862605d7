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
    if first is None or first.norm_.lower() not in WH_WORDS or first.dep_ == "mark":
        return False
    # "when did you leave" asks; "when u told me that, i cried" does not: the wh-word must
    # belong to the main clause, not to a subordinate one.
    return first.dep_ == "ROOT" or first.head.dep_ == "ROOT"


@predicate("question")
def question(ctx: MatchContext, _: Any = None) -> bool:
    return sentence_is_question(ctx.sent)


QUOTE_PAIRS = {'"': '"', "\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb", "'": "'"}


def inside_quotes(doc: Doc, char: int) -> bool:
    """Whether a character offset sits between an opening and a closing quotation mark.

    Straight single quotes are usually apostrophes in texts, so one counts as an opening
    quote only when it starts a word after a space ('like this'), and as a closing quote
    only when no letter follows it (so "can't" never closes a quote).
    """
    text = doc.text
    depth_open: str | None = None
    for i, ch in enumerate(text[:char]):
        if depth_open is None and ch in QUOTE_PAIRS:
            if ch in ("\u2018", "'") and i > 0 and text[i - 1].isalnum():
                continue  # an apostrophe inside or after a word (can't, the kids')
            if ch == "'" and not (i + 1 < len(text) and text[i + 1].isalpha()):
                continue  # a straight quote opens only right before a word
            depth_open = ch
        elif depth_open is not None and ch == QUOTE_PAIRS[depth_open]:
            if ch in ("\u2019", "'") and i + 1 < len(text) and text[i + 1].isalpha():
                continue  # an apostrophe (don’t, can't), not a closing quote
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
                # "nothing"/"no one" as the object negates too: "you owe me nothing".
                if child.dep_ == "neg" or (child.norm_.lower() in NEGATORS and child.dep_ in ("advmod", "neg", "det", "dobj", "attr")):
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


@predicate("sentence_end")
def sentence_end(ctx: MatchContext, _: Any = None) -> bool:
    """The match ends the sentence: only punctuation, emoji or spaces follow it."""
    end = max(t.i for t in ctx.tokens)
    return all(not any(c.isalnum() for c in t.text) for t in ctx.sent if t.i > end)


@predicate("in_clause", arg=list)
def in_clause(ctx: MatchContext, words: list[str]) -> bool:
    """The match sits inside a clause introduced by one of these words ("since you left")."""
    wanted = {w.lower() for w in words}
    tok = ctx.anchor
    while True:
        if any(c.dep_ in ("mark", "advmod") and c.i < tok.i and c.norm_.lower() in wanted for c in tok.children):
            return True
        if tok.dep_ == "ROOT" or tok.head.i == tok.i:
            return False
        tok = tok.head


@predicate("negative_condition")
def negative_condition(ctx: MatchContext, _: Any = None) -> bool:
    """The sentence sets a condition of not doing something: an unless-clause, or an if-clause
    whose verb is negated ("if you don't call…", "if i dont hear from u…", "unless you answer…")."""
    for tok in ctx.sent:
        word = tok.norm_.lower()
        if word == "unless":
            return True
        if word == "if" and tok.dep_ == "mark":
            verb = tok.head
            if any(c.dep_ == "neg" or (c.norm_.lower() in NEGATORS and c.dep_ in ("advmod", "neg")) for c in verb.children):
                return True
            # a negation early in the clause, wherever the parser hung it ("if ur not at the unit by noon…")
            if any(t.norm_.lower() in NEGATORS for t in ctx.doc[tok.i + 1 : min(tok.i + 5, verb.i if verb.i > tok.i else tok.i + 5)]):
                return True
    return False


@predicate("has_dependent", arg=list)
def has_dependent(ctx: MatchContext, words: list[str]) -> bool:
    """A matched word has a direct dependent among these (by lemma or norm): "sad *that*…", "a wreck *before* exams"."""
    wanted = {w.lower() for w in words}
    return any(c.lemma_.lower() in wanted or c.norm_.lower() in wanted for t in ctx.tokens for c in t.children)


def _subordinate_wh_opening(sent: Span) -> bool:
    """A line that opens with when/where/how + subject + a finite verb and has no "?" nor
    inversion is a subordinate clause ("when u told me u didnt love me…"), not a question;
    "why u ignoring me" (no auxiliary, -ing) still reads as one."""
    if any("?" in tok.text for tok in sent):
        return False
    first = _first_word(sent)
    if first is None or first.norm_.lower() not in WH_WORDS or first.i + 2 >= len(first.doc):
        return False
    subj, verb = first.doc[first.i + 1], first.doc[first.i + 2]
    if subj.dep_ not in SUBJECT_DEPS or verb.tag_ not in ("VBD", "VBZ", "VBP"):
        return False
    # no inverted auxiliary later in the sentence ("…, do u miss me")
    return not any(
        tok.norm_.lower() in AUX_QUESTION_STARTERS and tok.dep_ in ("aux", "auxpass", "ROOT", "cop") and _inverted(tok)
        for tok in sent
    )


ASKING_VERBS = {"know", "wonder", "tell", "ask", "sure", "curious", "see", "guess", "answer", "say", "confirm", "admit", "wondering"}


@predicate("asks")
def asks(ctx: MatchContext, _: Any = None) -> bool:
    """A question, direct or indirect: `question` holds, the sentence opens colloquially with
    "you ever…" ("u ever miss me") or ends "…or what"/"…or nah", or the match sits in an
    if/whether clause under a verb of asking or knowing ("tell me if…", "I wonder whether…")."""
    if sentence_is_question(ctx.sent) and not _subordinate_wh_opening(ctx.sent):
        return True
    words = [t.norm_.lower() for t in ctx.sent if any(ch.isalnum() for ch in t.text)]
    if len(words) >= 3 and words[-2] == "or" and words[-1] in ("what", "nah", "not", "no") and "whether" not in words:
        return True  # "…now or what", "…again or nah"
    first = _first_word(ctx.sent)
    if first is not None and first.norm_.lower() == "you" and first.i + 1 < len(ctx.doc) and ctx.doc[first.i + 1].norm_.lower() == "ever":
        return True
    tok = ctx.anchor
    while True:
        mark = next((c for c in tok.children if c.dep_ == "mark" and c.norm_.lower() in ("if", "whether")), None)
        if mark is not None:
            governor = tok
            while governor.head.i != governor.i:
                governor = governor.head
                # The asking verb comes first in an indirect question ("tell me if…"); an
                # if-clause before its verb is a condition ("if you cared you'd answer").
                if governor.i < mark.i and (governor.lemma_.lower() in ASKING_VERBS or governor.norm_.lower() in ASKING_VERBS):
                    return True
            return False
        if tok.head.i == tok.i:
            return False
        tok = tok.head


_NOT_A_COMMAND = {
    "xcomp", "ccomp", "advcl", "relcl", "acl", "pcomp", "csubj", "csubjpass", "nsubj", "nsubjpass",
    "dobj", "pobj", "amod", "compound", "attr", "appos", "poss", "acomp", "oprd", "dative",
}


@predicate("command")
def command(ctx: MatchContext, _: Any = None) -> bool:
    """The anchor reads as a command, even where the tagger mislabels the verb ("reply asap",
    "respond pls"): it has no subject, no determiner or possessive, no auxiliary but do/please,
    and is not a subordinate clause or a subject/object phrase (a clause spliced on after a
    comma, "miss u, call me", still counts)."""
    tok = ctx.anchor
    # "miss you, call me": a clause spliced on after a comma is often parsed as ccomp/conj
    start = min((t.i for t in tok.subtree if not t.is_punct), default=tok.i)
    spliced = tok.dep_ in ("ccomp", "conj", "dep", "parataxis") and tok.i > tok.head.i and start > 0 and ctx.doc[start - 1].is_punct
    if tok.dep_ in _NOT_A_COMMAND and not spliced:
        return False
    if tok.dep_ == "conj" and not spliced and tok.head.i != tok.i:
        return command(MatchContext(ctx.doc, ctx.tokens, tok.head))  # "I can swing by and pick up": shares its subject
    for c in tok.children:
        if c.dep_ in ("nsubj", "nsubjpass", "expl", "det", "poss"):
            return False
        if c.dep_ in ("aux", "auxpass") and c.norm_.lower() not in ("do", "please"):
            return False
    return True


AFTER_DEADLINE = {
    "that", "this", "then", "tomorrow", "tonight", "today", "midnight", "noon", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday",
}


@predicate("consequence_clause")
def consequence_clause(ctx: MatchContext, _: Any = None) -> bool:
    """The match is what follows if a demand is not met: it comes after "or"/"otherwise"
    ("…or I'm done"), after "after that"/"after friday", or the sentence sets a negative
    condition (`negative_condition`: "if you don't…", "unless…")."""
    start = min(t.i for t in ctx.tokens)
    for tok in ctx.sent:
        if tok.i >= start:
            break
        word = tok.norm_.lower()
        if word in ("or", "otherwise"):
            return True
        if word == "after" and tok.i + 1 < len(ctx.doc) and ctx.doc[tok.i + 1].norm_.lower() in AFTER_DEADLINE:
            return True
    return negative_condition(ctx)


@predicate("has_object")
def has_object(ctx: MatchContext, _: Any = None) -> bool:
    """The anchor has a direct object: "why did you leave *the light* on" (not "why did you leave")."""
    return any(c.dep_ in ("dobj", "obj") for c in ctx.anchor.children)


@predicate("has_clause_complement")
def has_clause_complement(ctx: MatchContext, _: Any = None) -> bool:
    """A matched word takes a complement clause after it: "I'm sad *you can't come*", "devastated *the shop closed*"."""
    return any(c.dep_ == "ccomp" and c.i > t.i for t in ctx.tokens for c in t.children)
