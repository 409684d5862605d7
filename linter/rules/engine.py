"""Matching: a ruleset compiled into spaCy matchers (each rule once, on first use) and named checks.

Data flows one way: draft text -> one Doc per line (spaCy) -> pattern matches and check
hits -> grammar conditions -> Findings. The engine treats every rule alike; what a rule
means lives in its file.

(Over 400 lines because compiling rule groups, the trigger index that picks them per line
and the assembly of findings share one per-ruleset state; the reading of rule files,
conditions and named checks live in their own modules.)
"""

from __future__ import annotations

from dataclasses import dataclass
from bisect import bisect_left
from collections.abc import Sequence
from typing import TYPE_CHECKING, Iterable, Iterator, Protocol

import numpy
from spacy.attrs import LEMMA, LOWER, NORM, ORTH
from spacy.matcher import DependencyMatcher, Matcher, PhraseMatcher
from spacy.strings import hash_string

from ..errors import MsglintError
from ..findings import Finding, LineIndex, Severity, sort_key
from ..nlp.pieces import PIECE_CHARS, piece_spans
from .checks import CHECKS, Line
from .model import Rule
from .predicates import PREDICATES, MatchContext

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token


class PatternError(MsglintError):
    """A pattern spaCy rejects; str() names the file, rule and field."""


@dataclass
class _Unit:
    """Patterns of one rule that require the same words, compiled together (on first use)
    into a token Matcher and a DependencyMatcher, and run only on lines holding those words."""

    rule: Rule
    requires: "Requirement | None"  # None: some pattern names no literal word; runs on every line
    tokens: list[list[dict]]
    dependency: list[tuple[int, list[dict]]]  # (index among the rule's dependency patterns, pattern)
    matcher: Matcher | None = None
    dep_matcher: DependencyMatcher | None = None


class _TriggerNode:
    """A node of the trigger trie: the units whose requirements end here, and the next
    requirements (hashed words, any one of which meets it) on the way to other units."""

    __slots__ = ("units", "children")

    def __init__(self) -> None:
        self.units: list[int] = []
        self.children: dict[frozenset[int], _TriggerNode] = {}


@dataclass(frozen=True)
class Detection:
    """A finding proposed by a detector other than the rules (the learned layer): it
    carries its own texts, since no rule stands behind it."""

    category: str
    start: int  # character offsets into the draft
    end: int
    severity: "Severity"
    message: str
    why: str
    source: str
    suggestion: str
    detector: str
    confidence: float
    rule: str = "model"
    rewrite: str | None = None


class Detector(Protocol):
    """Anything that reads a draft's parsed lines and proposes findings."""

    def detect(self, lines: Sequence[Line]) -> Iterable[Detection]: ...


@dataclass(frozen=True)
class _Candidate:
    rule: Rule
    start: int  # character offsets into the draft
    end: int
    sentence: int  # draft offset of the sentence start, for one-finding-per-sentence
    details: dict


class Engine:
    """Lints drafts with one compiled ruleset. Build once per process; reuse for every draft."""

    def __init__(self, nlp: "Language", rules: Sequence[Rule], *, validate: bool = True, detectors: Sequence[Detector] = ()) -> None:
        """`validate` checks every pattern against spaCy's schema (clear errors for user
        rule files); the built-in rules are validated by the test suite, so the CLI may
        skip it for them to start faster. `detectors` read the same parsed lines as the
        rules (one parse for both) and add what the rules did not find."""
        self.nlp = nlp
        self.rules = list(rules)
        self.detectors = list(detectors)
        self._validate = validate
        # Keyed by the hash of the match key, as matchers report it: looking the key up in
        # the vocabulary's StringStore instead would fail for a key interned inside a
        # memory zone (see Linter.zone) once the zone has ended.
        self._by_key: dict[int, tuple[Rule, list[str] | None]] = {}
        # A rule's patterns are grouped by the literal words they require (their trigger),
        # and each group gets its own Matcher/DependencyMatcher, run only when the line holds
        # all of those words. Most lines trigger no group at all; a rule with many patterns
        # pays only for those whose words occur; and small matchers compile fast (spaCy
        # re-indexes every set-valued predicate a matcher holds each time a pattern is added).
        # Built-in rules compile on first use (their patterns are validated by the test
        # suite): a cold check of one draft compiles the handful of groups its words trigger.
        self._units: list[_Unit] = []
        self._phrase_matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        self._checks: list[Rule] = []
        for rule in self.rules:
            self._register(rule)
        self._always = [i for i, u in enumerate(self._units) if u.requires is None]
        self._build_index(nlp.Defaults.stop_words)
        for i in self._always if not validate else range(len(self._units)):
            self._compiled(i)

    def _build_index(self, stop_words: set[str]) -> None:
        """The trigger index: a trie over the units' required words.

        Words are compared as the 64-bit hashes spaCy stores for each token attribute, read
        for a whole line at once with Doc.to_array, each attribute's hashes XORed with its
        own salt so that all of them fit in one set ("be" as a LEMMA is not "be" as an ORTH).
        A unit's requirements are sorted rarest first (fewer stop words, then fewer
        alternatives: "miss" before "you"), the same way for every unit, so units sharing
        requirements share a path: a line tests each requirement on its paths once, and
        only after the rarer ones before it were met.
        """
        prepared: dict[tuple[str, frozenset[str]], tuple[tuple[int, int, int], frozenset[int]]] = {}

        def prepare(req: tuple[str, frozenset[str]]) -> tuple[tuple[int, int, int], frozenset[int]]:
            known = prepared.get(req)
            if known is None:
                attr, values = req
                # Ties go to the requirement seen first: one order for every unit.
                rank = (sum(v.lower() in stop_words for v in values), len(values), len(prepared))
                known = prepared[req] = (rank, frozenset(hash_string(v) ^ _SALT[attr] for v in values))
            return known

        roots: dict[frozenset[int], _TriggerNode] = {}
        for i, unit in enumerate(self._units):
            if unit.requires is None:
                continue
            reqs = sorted(map(prepare, set(unit.requires)))  # ranks are unique: sorted by rank
            node = roots.get(reqs[0][1])
            if node is None:
                node = roots[reqs[0][1]] = _TriggerNode()
            for _, hashed in reqs[1:]:
                child = node.children.get(hashed)
                if child is None:
                    child = node.children[hashed] = _TriggerNode()
                node = child
            node.units.append(i)
        by_word: dict[int, list[_TriggerNode]] = {}
        for hashed, node in roots.items():
            for word in hashed:
                by_word.setdefault(word, []).append(node)
        # Every word any requirement names: a line's words outside this set cannot meet one.
        self._trigger_words = frozenset(word for _, hashed in prepared.values() for word in hashed)
        self._roots_by_word = {word: tuple(by_word.get(word, ())) for word in self._trigger_words}
        self._chosen: dict[frozenset[int], list[int]] = {}

    def _add(self, rule: Rule, field: str, fn) -> None:
        try:
            fn()
        except Exception as exc:  # spaCy raises ValueError/KeyError for bad patterns
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise PatternError(f"{rule.file}: rule {rule.id}: field '{field}': {first}") from None

    def _register(self, rule: Rule) -> None:
        groups: dict[frozenset | None, _Unit] = {}

        def unit(requires: "Requirement | None") -> _Unit:
            key = frozenset(requires) if requires is not None else None
            found = groups.get(key)
            if found is None:
                found = groups[key] = _Unit(rule, requires, [], [])
                self._units.append(found)
            return found

        for pattern in rule.tokens:
            unit(pattern_requirement(pattern)).tokens.append(pattern)
        for n, pattern in enumerate(rule.dependency):
            unit(pattern_requirement([node.get("RIGHT_ATTRS", {}) for node in pattern])).dependency.append((n, pattern))
        if rule.tokens:
            self._by_key[hash_string(f"{rule.id}#tok")] = (rule, None)
        for n, pattern in enumerate(rule.dependency):
            self._by_key[hash_string(f"{rule.id}#dep{n}")] = (rule, [node["RIGHT_ID"] for node in pattern])
        if rule.phrases:
            # The PhraseMatcher is hash-based and shared, so phrases compile at once.
            key = f"{rule.id}#phr"
            self._by_key[hash_string(key)] = (rule, None)
            docs = [self.nlp.make_doc(p) for p in rule.phrases]
            self._add(rule, "match.phrases", lambda: self._phrase_matcher.add(key, docs))
        if rule.check:
            self._checks.append(rule)

    def _compiled(self, i: int) -> _Unit:
        unit = self._units[i]
        if unit.matcher is not None:
            return unit
        rule = unit.rule
        matcher = Matcher(self.nlp.vocab, validate=self._validate)
        dep_matcher = DependencyMatcher(self.nlp.vocab, validate=self._validate)
        if unit.tokens:
            self._add(rule, "match.tokens", lambda: matcher.add(f"{rule.id}#tok", unit.tokens))
        for n, pattern in unit.dependency:
            self._add(rule, f"match.dependency[{n}]", lambda: dep_matcher.add(f"{rule.id}#dep{n}", [pattern]))
        unit.matcher, unit.dep_matcher = matcher, dep_matcher
        return unit

    def compile_all(self) -> None:
        """Compile every lazily built matcher now. A long-running process does this before
        it parses inside memory zones: strings a matcher interns while compiling must
        outlive the zone."""
        for i in range(len(self._units)):
            self._compiled(i)

    # -- public API -------------------------------------------------------------------

    def lint(self, text: str, path: str | None = None) -> list[Finding]:
        """Findings for one draft, sorted by position."""
        return next(self.lint_many([text], path=path))

    def lint_many(self, texts: Iterable[str], path: str | None = None, batch_size: int = 512) -> Iterator[list[Finding]]:
        """Findings for each draft in order. Lines are parsed in batches with nlp.pipe, and
        only one batch of Docs is alive at a time, so memory stays flat on long streams. A
        draft over HUGE_CHARS is checked on its own, in groups of lines (`_lint_huge`)."""
        batch: list[tuple[str, list[tuple[int, int]]]] = []
        pending_lines = 0
        for text in texts:
            spans = line_spans(text)
            if len(text) > HUGE_CHARS:
                if batch:
                    yield from self._lint_batch(batch, path)
                    batch, pending_lines = [], 0
                yield self._lint_huge(text, spans, path)
                continue
            batch.append((text, spans))
            pending_lines += len(spans)
            if pending_lines >= batch_size:
                yield from self._lint_batch(batch, path)
                batch, pending_lines = [], 0
        if batch:
            yield from self._lint_batch(batch, path)

    def _lint_batch(self, batch: list[tuple[str, list[tuple[int, int]]]], path: str | None) -> Iterator[list[Finding]]:
        for text, lines in self._parsed(batch):
            yield self.lint_lines(text, lines, path)

    def _parsed(self, batch: list[tuple[str, list[tuple[int, int]]]]) -> Iterator[tuple[str, list[Line]]]:
        docs = list(self.nlp.pipe((text[a:b] for text, spans in batch for a, b in spans), batch_size=256))
        i = 0
        for text, spans in batch:
            lines = [Line(a, docs[i + k]) for k, (a, _) in enumerate(spans)]
            i += len(spans)
            yield text, lines

    def lint_many_with(self, texts: Iterable[str], other: "Engine", path: str | None = None) -> Iterator[tuple[list[Finding], list[Finding]]]:
        """For each draft, this engine's findings and `other`'s, from one parse: `other`
        (built on the same pipeline) reads the same lines."""
        for text in texts:
            for parsed, lines in self._parsed([(text, line_spans(text))]):
                yield self.lint_lines(parsed, lines, path), other.lint_lines(parsed, lines, path)

    def lint_lines(self, text: str, lines: Sequence[Line], path: str | None = None) -> list[Finding]:
        """Findings for a draft whose non-empty lines are already parsed."""
        candidates: list[_Candidate] = []
        for line in lines:
            candidates.extend(self._pattern_candidates(line))
        candidates.extend(self._check_candidates(text, lines, self._checks))
        findings = self._findings(text, candidates, path)
        if self.detectors:
            findings = self._with_detections(text, (d for detector in self.detectors for d in detector.detect(lines)), findings, path)
        return findings

    def _lint_huge(self, text: str, spans: list[tuple[int, int]], path: str | None) -> list[Finding]:
        """Findings for a draft far longer than any message, with memory bounded by
        GROUP_CHARS rather than by the draft: lines are parsed a group at a time and only
        candidates (offsets) are kept. Whole-draft checks (length) still see every line,
        tokenized one at a time without the parse: they count words and sentences, which
        the tokenizer settles (a check reading tags sees none, e.g. names in greeting_only)."""
        by_scope: dict[str, list[Rule]] = {"line": [], "draft": []}
        for rule in self._checks:
            by_scope[CHECKS[rule.check].scope].append(rule)
        candidates: list[_Candidate] = []
        detections: list[list[Detection]] = [[] for _ in self.detectors]
        for group in _groups(spans, GROUP_CHARS):
            docs = self.nlp.pipe((text[a:b] for a, b in group), batch_size=256)
            lines = [Line(a, doc) for (a, _), doc in zip(group, docs)]
            for line in lines:
                candidates.extend(self._pattern_candidates(line))
            candidates.extend(self._check_candidates(text, lines, by_scope["line"]))
            for found, detector in zip(detections, self.detectors):
                found.extend(detector.detect(lines))
            del lines, docs
        candidates.extend(self._check_candidates(text, _TokenizedLines(self.nlp, text, spans), by_scope["draft"]))
        findings = self._findings(text, candidates, path)
        if self.detectors:
            findings = self._with_detections(text, (d for found in detections for d in found), findings, path)
        return findings

    def _check_candidates(self, text: str, lines: Sequence[Line], rules: Sequence[Rule]) -> Iterator[_Candidate]:
        for rule in rules:
            check = CHECKS[rule.check]
            for hit in check.fn(text, lines, rule.params):
                if check.scope == "draft":
                    yield _Candidate(rule, hit.start, hit.end, hit.start, hit.details)
                    continue
                # A line-scoped hit is words on one line: the rule's conditions apply to
                # it as to a pattern match (e.g. `unless: [quoted]`).
                line = next(ln for ln in lines if ln.offset <= hit.start <= ln.offset + len(ln.doc.text))
                span = line.doc.char_span(hit.start - line.offset, hit.end - line.offset, alignment_mode="expand")
                if span is None or not len(span):
                    continue
                for c in self._accept(rule, line, tuple(span), span.root):
                    yield _Candidate(rule, hit.start, hit.end, c.sentence, hit.details)

    # -- matching ---------------------------------------------------------------------

    def _pattern_candidates(self, line: Line) -> Iterator[_Candidate]:
        doc = line.doc
        for i in self._candidate_matchers(doc):
            unit = self._compiled(i)
            matcher, dep_matcher = unit.matcher, unit.dep_matcher
            for match_id, start, end in matcher(doc) if len(matcher) else ():
                rule, _ = self._by_key[match_id]
                toks = tuple(doc[start:end])
                yield from self._accept(rule, line, toks, doc[start:end].root)
            for match_id, token_ids in dep_matcher(doc) if len(dep_matcher) else ():
                yield from self._dependency_match(line, match_id, token_ids)
        for match_id, start, end in self._phrase_matcher(doc) if len(self._phrase_matcher) else ():
            rule, _ = self._by_key[match_id]
            toks = tuple(doc[start:end])
            yield from self._accept(rule, line, toks, doc[start:end].root)

    def _candidate_matchers(self, doc: "Doc") -> list[int]:
        """Units whose required words all occur in the line, in rule order."""
        if not len(doc):
            return self._always
        array = doc.to_array(_ARRAY_ATTRS)
        array ^= _SALTS
        present = self._trigger_words.intersection(array.ravel().tolist())
        # Which units a line needs depends only on which trigger words it holds, and lines
        # share those few words far more often than their text ("you", "?"): the answer
        # for a set of words is worked out once. Bounded: cleared when full.
        known = self._chosen.get(present)
        if known is None:
            if len(self._chosen) >= 20_000:
                self._chosen.clear()
            known = self._chosen[present] = self._walk(present)
        return known

    def _walk(self, present: frozenset[int]) -> list[int]:
        chosen = set(self._always)
        roots_by_word = self._roots_by_word
        stack: list[_TriggerNode] = []
        for word in present:
            stack.extend(roots_by_word[word])
        met: dict[frozenset[int], bool] = {}
        visited: set[int] = set()  # a root is reached once per word of it the line holds
        while stack:
            node = stack.pop()
            if id(node) in visited:
                continue
            visited.add(id(node))
            chosen.update(node.units)
            for req, child in node.children.items():
                ok = met.get(req)
                if ok is None:
                    ok = met[req] = not present.isdisjoint(req)
                if ok:
                    stack.append(child)
        return sorted(chosen)

    def _dependency_match(self, line: Line, match_id: int, token_ids: list[int]) -> Iterator[_Candidate]:
        doc = line.doc
        rule, names = self._by_key[match_id]
        anchor = doc[token_ids[0]]
        if rule.highlight and names:
            chosen = [doc[t] for t, n in zip(token_ids, names) if n in rule.highlight]
        else:
            chosen = [doc[t] for t in token_ids]
        # The reported span is contiguous: everything from the first to the last node.
        lo, hi = min(t.i for t in chosen), max(t.i for t in chosen)
        yield from self._accept(rule, line, tuple(doc[lo : hi + 1]), anchor, matched=tuple(doc[t] for t in token_ids))

    def _accept(self, rule: Rule, line: Line, toks: tuple["Token", ...], anchor: "Token", matched: tuple["Token", ...] | None = None) -> Iterator[_Candidate]:
        ctx = MatchContext(line.doc, matched or toks, anchor)
        for name, arg in rule.when:
            if not PREDICATES[name](ctx, arg):
                return
        for name, arg in rule.unless:
            if PREDICATES[name](ctx, arg):
                return
        start = line.offset + toks[0].idx
        end = line.offset + toks[-1].idx + len(toks[-1].text)
        yield _Candidate(rule, start, end, line.offset + anchor.sent.start_char, {})

    # -- findings ---------------------------------------------------------------------

    def _findings(self, text: str, candidates: list[_Candidate], path: str | None) -> list[Finding]:
        # One finding per rule per sentence: the longest span (earliest on ties). Two
        # patterns of a rule matching the same words must not report twice.
        best: dict[tuple[str, int], _Candidate] = {}
        for c in candidates:
            key = (c.rule.id, c.sentence)
            cur = best.get(key)
            if cur is None or (c.end - c.start, -c.start) > (cur.end - cur.start, -cur.start):
                best[key] = c
        if not best:
            return []
        index = LineIndex(text)
        out = []
        for c in best.values():
            line, col = index.position(c.start)
            end_line, end_col = index.position(c.end)
            r = c.rule
            out.append(
                Finding(
                    rule=r.id,
                    category=r.category,
                    severity=r.severity,
                    message=r.message.format_map(_Details(c.details)),
                    why=r.why,
                    source=str(r.source),
                    suggestion=r.suggestion,
                    start=c.start,
                    end=c.end,
                    line=line,
                    column=col,
                    end_line=end_line,
                    end_column=end_col,
                    text=text[c.start : c.end],
                    path=path,
                    rewrite=r.rewrite,
                )
            )
        out.sort(key=sort_key)
        return out


    def _with_detections(self, text: str, detections: Iterable[Detection], findings: list[Finding], path: str | None) -> list[Finding]:
        """Add the detectors' proposals that no rule finding of the same category already
        covers: a rule finding overlapping the detection's words wins (its span and reason
        are more specific), so the same words are never reported twice for one category."""
        taken = _Taken(findings)
        index: LineIndex | None = None
        added = []
        for d in detections:
            if taken.overlaps(d.category, d.start, d.end):
                continue
            taken.add(d.category, d.start, d.end)
            index = index or LineIndex(text)
            line, col = index.position(d.start)
            end_line, end_col = index.position(d.end)
            added.append(Finding(
                rule=d.rule, category=d.category, severity=d.severity, message=d.message, why=d.why,
                source=d.source, suggestion=d.suggestion, start=d.start, end=d.end, line=line, column=col,
                end_line=end_line, end_column=end_col, text=text[d.start : d.end], path=path,
                detector=d.detector, confidence=round(d.confidence, 3), rewrite=d.rewrite,
            ))
        if not added:
            return findings
        return sorted(findings + added, key=sort_key)


# Pattern attributes that name literal words, each with the attribute it is compared as
# (the Matcher treats TEXT as ORTH).
_TRIGGER_ATTRS = {"LEMMA": "LEMMA", "NORM": "NORM", "LOWER": "LOWER", "ORTH": "ORTH", "TEXT": "ORTH"}
_ATTR_RANK = {attr: i for i, attr in enumerate(_TRIGGER_ATTRS)}
_ARRAY_ATTRS = [LEMMA, NORM, LOWER, ORTH]
# Arbitrary odd 64-bit constants, one per column of _ARRAY_ATTRS.
_SALT = {"LEMMA": 0x9E3779B97F4A7C15, "NORM": 0xC2B2AE3D27D4EB4F, "LOWER": 0x165667B19E3779F9, "ORTH": 0x27D4EB2F165667C5}
_SALTS = numpy.array([_SALT["LEMMA"], _SALT["NORM"], _SALT["LOWER"], _SALT["ORTH"]], dtype=numpy.uint64)
# The literal words a pattern requires: per required token, (attribute, its allowed values).
Requirement = tuple[tuple[str, frozenset[str]], ...]


def _required_words(spec: dict) -> tuple[str, frozenset[str]] | None:
    """(attribute, values) a token matching this spec must have, if it names literal words."""
    op = spec.get("OP")
    if op is not None and (op in ("?", "*", "!") or str(op).startswith(("{0", "{,"))):
        return None  # optional or negated: the token need not be there
    best = None  # (size, rank in _TRIGGER_ATTRS: ties go to the first, attribute, values)
    for attr, value in spec.items():
        compared_as = _TRIGGER_ATTRS.get(attr)
        if compared_as is None:
            continue
        if isinstance(value, str):
            values = frozenset((value,))
        elif isinstance(value, dict) and len(value) == 1 and isinstance(value.get("IN"), list):
            values = frozenset(v for v in value["IN"] if isinstance(v, str))
        else:
            continue
        if values:
            candidate = (len(values), _ATTR_RANK[attr], compared_as, values)
            if best is None or candidate[:2] < best[:2]:
                best = candidate
    return (best[2], best[3]) if best else None


def pattern_requirement(specs: Sequence[dict]) -> Requirement | None:
    """The literal words a line must contain (every one of them) for a pattern with these
    token specs to match; None when it requires no literal word at all."""
    required = tuple(w for w in (_required_words(spec) for spec in specs) if w)
    return required or None


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the non-empty lines of a draft. Each line is parsed on its
    own: a line's findings must not change when unrelated lines are added around it. A
    line longer than any sentence (PIECE_CHARS) is parsed in pieces (linter.nlp.pieces)."""
    spans, pos = [], 0
    for raw in text.split("\n"):
        end = pos + len(raw)
        if len(raw) > PIECE_CHARS:
            spans.extend((a, b) for a, b in piece_spans(text, pos, end) if not text[a:b].isspace())
        elif raw.strip():
            spans.append((pos, end))
        pos = end + 1
    return spans


# A draft longer than this is no message: it is checked a group of lines at a time, each
# group about GROUP_CHARS long, so memory does not grow with the draft (2 MiB of text
# parsed at once took 4.6 GB).
HUGE_CHARS = 20_000
GROUP_CHARS = 20_000


def _groups(spans: list[tuple[int, int]], size: int) -> Iterator[list[tuple[int, int]]]:
    group: list[tuple[int, int]] = []
    chars = 0
    for span in spans:
        group.append(span)
        chars += span[1] - span[0]
        if chars >= size:
            yield group
            group, chars = [], 0
    if group:
        yield group


class _Taken:
    """Spans already reported, per category, answering "does this span overlap one?" in
    log time (a huge draft has tens of thousands). Rule findings may overlap each other:
    they are searched by start with the running maximum of their ends. Added detections
    never overlap anything taken, so by start alone."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self._fixed: dict[str, tuple[list[int], list[int]]] = {}
        for f in sorted(findings, key=lambda f: f.start):
            starts, ends = self._fixed.setdefault(f.category, ([], []))
            starts.append(f.start)
            ends.append(max(f.end, ends[-1]) if ends else f.end)
        self._added: dict[str, tuple[list[int], list[int]]] = {}

    def overlaps(self, category: str, start: int, end: int) -> bool:
        for table in (self._fixed, self._added):
            found = table.get(category)
            if found:
                i = bisect_left(found[0], end)  # spans starting before `end`
                if i and found[1][i - 1] > start:
                    return True
        return False

    def add(self, category: str, start: int, end: int) -> None:
        starts, ends = self._added.setdefault(category, ([], []))
        i = bisect_left(starts, start)
        starts.insert(i, start)
        ends.insert(i, end)


class _TokenizedLines(Sequence):
    """A huge draft's lines for the whole-draft checks: each tokenized when read, none
    kept, so the checks see every line while memory holds one."""

    def __init__(self, nlp: "Language", text: str, spans: list[tuple[int, int]]) -> None:
        self._nlp, self._text, self._spans = nlp, text, spans

    def __len__(self) -> int:
        return len(self._spans)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self._spans)))]
        a, b = self._spans[i]
        return Line(a, self._nlp.make_doc(self._text[a:b]))


class _Details(dict):
    """Message placeholders a check did not supply stay visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
