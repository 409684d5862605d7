"""The lexicon (shared word classes and named tokens) and the compact forms of rule files:
what they expand to, the errors they give, and the size budget of the built-in rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from linter.findings import Severity

from linter.rules.loader import (
    LEXICON_FILE,
    RuleFileError,
    builtin_dir,
    load_file,
    load_lexicon,
    load_rules,
    parse_yaml,
)

RULE = """\
category: miss-me
rules:
  - id: r
    severity: warning
    message: m
    why: w
    source: {title: t, section: s}
    suggestion: s
    match: MATCH
    examples: {flag: ["call me"], pass: ["hi"]}
"""


def write_rule(directory: Path, match: str, extra: str = "") -> Path:
    path = directory / "r.yaml"
    path.write_text(RULE.replace("MATCH", match) + extra, encoding="utf-8")
    return path


# -- the built-in lexicon -------------------------------------------------------------


def test_builtin_classes_expand_to_their_words():
    lexicon = load_lexicon()
    assert lexicon["contact_verbs"] == ("call", "text", "ring", "phone", "message", "facetime", "email", "dm", "msg", "txt")
    assert lexicon["second_person"] == ("you", "your")
    # A class that includes others: their words in order, each once.
    assert lexicon["apology_words"] == ("sorry", "sry", "srry", "soz", "apologize", "apologise", "apologies")
    assert lexicon["regret_words"] == (*lexicon["apology_words"], "apology", "regret")
    assert lexicon["someone"] == ("someone", "somebody", "anyone", "anybody")


def test_builtin_named_tokens_are_token_specs_with_their_classes_expanded():
    lexicon = load_lexicon()
    assert lexicon["adverbs"] == {"POS": "ADV", "OP": "*"}
    assert lexicon["modifiers"] == {"DEP": {"IN": list(lexicon["modifier_deps"])}, "POS": {"IN": list(lexicon["modifier_pos"])}, "OP": "*"}
    assert lexicon["insult"]["DEP"] == {"NOT_IN": list(lexicon["noun_modifier_deps"])}


def test_every_lexicon_entry_is_used():
    """A class no rule names is dead weight: remove it, or use it."""
    root = builtin_dir()
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(root.glob("*.yaml")))
    lexicon_text = (root / LEXICON_FILE).read_text(encoding="utf-8")
    for name in load_lexicon():
        uses = len(re.findall(rf"\${name}\b", text)) - len(re.findall(rf"\${name}\b", lexicon_text))
        inside = re.search(rf"\${name}\b", lexicon_text) is not None
        assert uses > 0 or inside, f"lexicon entry {name} is not used by any rule"


def test_rule_patterns_expand_to_plain_spacy_patterns(rules):
    """The engine sees spaCy's own syntax only: no $references and no compact forms left."""

    def check(value, where):
        if isinstance(value, str):
            assert not re.match(r"^\$[a-z]", value), f"{where}: unexpanded {value}"
        elif isinstance(value, dict):
            for k, v in value.items():
                if k in ("IN", "NOT_IN"):
                    assert isinstance(v, list), where
                elif isinstance(v, list):
                    raise AssertionError(f"{where}: {k} holds a bare list")
                check(v, where)
        elif isinstance(value, list):
            for v in value:
                check(v, where)

    for rule in rules:
        for pattern in rule.tokens:
            assert all(isinstance(t, dict) for t in pattern), rule.id
            check(pattern, rule.id)
        for pattern in rule.dependency:
            for node in pattern:
                assert set(node) <= {"RIGHT_ID", "RIGHT_ATTRS", "LEFT_ID", "REL_OP"}, rule.id
                check(node["RIGHT_ATTRS"], rule.id)
        for _, arg in rule.when + rule.unless:
            check(arg, rule.id)


# -- references in rule files ---------------------------------------------------------


def test_references_expand_in_tokens_nodes_and_conditions(tmp_path, vocabulary):
    path = write_rule(
        tmp_path,
        "{tokens: [[LOWER: $contact_verbs, NORM: [$me_us, them], $adverbs]], "
        "dependency: [[verb: {LEMMA: $reply_verbs}, verb > obj: {DEP: dobj, NORM: {NOT_IN: [$me_us]}}]]}",
        "    unless: [{before_match_has: [$because, so]}]\n",
    )
    [rule] = load_file(path, vocabulary)
    lexicon = load_lexicon()
    assert rule.tokens == [[
        {"LOWER": {"IN": list(lexicon["contact_verbs"])}},
        {"NORM": {"IN": ["me", "us", "them"]}},
        {"POS": "ADV", "OP": "*"},
    ]]
    assert rule.dependency == [[
        {"RIGHT_ID": "verb", "RIGHT_ATTRS": {"LEMMA": {"IN": ["reply", "respond", "answer"]}}},
        {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "obj", "RIGHT_ATTRS": {"DEP": "dobj", "NORM": {"NOT_IN": ["me", "us"]}}},
    ]]
    assert rule.unless == [("before_match_has", ["because", "cause", "cuz", "bc", "so"])]


def test_a_bare_word_in_a_pattern_is_that_word_in_any_case(tmp_path, vocabulary):
    path = write_rule(tmp_path, '{tokens: [[how, long, "on", "?", "$", NORM: you]]}')
    [rule] = load_file(path, vocabulary)
    assert rule.tokens == [[{"LOWER": w} for w in ("how", "long", "on", "?", "$")] + [{"NORM": "you"}]]
    write_rule(tmp_path, "{tokens: [[how, on]]}")  # unquoted, YAML reads "on" as true
    with pytest.raises(RuleFileError, match=r"field 'match.tokens\[0\]': expected a non-empty list of tokens"):
        load_file(path, vocabulary)


def test_a_literal_list_is_kept_as_written(tmp_path, vocabulary):
    path = write_rule(tmp_path, '{tokens: [[{LOWER: {IN: [b, a, b]}}, LOWER: "$", NORM: [x, "$20"]]]}')
    [rule] = load_file(path, vocabulary)
    assert rule.tokens == [[{"LOWER": {"IN": ["b", "a", "b"]}}, {"LOWER": "$"}, {"NORM": {"IN": ["x", "$20"]}}]]


@pytest.mark.parametrize(
    "match, field, problem",
    [
        ("{tokens: [[LOWER: $contact_verb]]}", "match.tokens[0]", "unknown word class $contact_verb"),
        ("{tokens: [[{LOWER: {NOT_IN: [$nope, a]}}]]}", "match.tokens[0]", "unknown word class $nope"),
        ("{tokens: [[LOWER: a, $nope]]}", "match.tokens[0]", "unknown token $nope"),
        ("{tokens: [[LOWER: a, $contact_verbs]]}", "match.tokens[0]", "$contact_verbs is a word class, not a token"),
        ("{tokens: [[LOWER: $adverbs]]}", "match.tokens[0]", "$adverbs is a named token, not a word class"),
        ("{dependency: [[verb: {LEMMA: $nope}]]}", "match.dependency[0]", "unknown word class $nope"),
        ("{dependency: [[verb: {LEMMA: call}, verb x: {DEP: dobj}]]}", "match.dependency[0]", "write a node as"),
        ("{dependency: [[RIGHT_ATTR: {LEMMA: call}]]}", "match.dependency[0]", "write a node as"),
    ],
)
def test_an_unknown_or_misused_reference_is_a_one_line_error(tmp_path, vocabulary, match, field, problem):
    path = write_rule(tmp_path, match)
    with pytest.raises(RuleFileError) as err:
        load_file(path, vocabulary)
    message = str(err.value)
    assert message.startswith(f"{path}: rule r: field '{field}': ") and problem in message
    assert "\n" not in message


def test_an_unknown_reference_in_a_condition_names_the_field(tmp_path, vocabulary):
    path = write_rule(tmp_path, '{phrases: ["call me"]}', "    unless: [{sentence_has: [lol, $laughs]}]\n")
    with pytest.raises(RuleFileError, match=r"rule r: field 'unless': unknown word class \$laughs"):
        load_file(path, vocabulary)


# -- a user's rules directory with its own lexicon ------------------------------------


def test_a_rules_directory_may_add_classes_and_use_the_builtin_ones(tmp_path, vocabulary):
    (tmp_path / LEXICON_FILE).write_text("laughs: [lol, lmao]\nmine: [$laughs, $me_us, haha]\n", encoding="utf-8")
    write_rule(tmp_path, "{tokens: [[LOWER: $contact_verbs, NORM: $mine]]}")
    [rule] = load_rules([tmp_path], vocabulary)
    assert rule.tokens[0][1] == {"NORM": {"IN": ["lol", "lmao", "me", "us", "haha"]}}


@pytest.mark.parametrize(
    "lexicon, problem",
    [
        ("contact_verbs: [call]\n", "contact_verbs: already defined in the built-in lexicons.yaml"),
        ("a: [$b]\nb: [$a]\n", "includes itself"),
        ("a: [x, $nope]\n", "$nope is not a word class"),
        ("a: [x, $adverbs]\n", "$adverbs is not a word class"),
        ("a: []\n", "expected a non-empty list of words"),
        ("a: [yes, no]\n", "quote yes/no/on/off"),
        ("Bad-Name: [x]\n", "names are lowercase words"),
        ("t: {LOWER: $nope}\n", "unknown word class $nope"),
    ],
)
def test_lexicon_file_errors(tmp_path, vocabulary, lexicon, problem):
    (tmp_path / LEXICON_FILE).write_text(lexicon, encoding="utf-8")
    write_rule(tmp_path, '{phrases: ["call me"]}')
    with pytest.raises(RuleFileError) as err:
        load_rules([tmp_path], vocabulary)
    assert str(err.value).startswith(f"{tmp_path / LEXICON_FILE}: ") and problem in str(err.value)


# -- the other compact forms ----------------------------------------------------------


def test_file_defaults_apply_to_rules_that_do_not_set_the_field(tmp_path, vocabulary):
    path = tmp_path / "d.yaml"
    text = RULE.replace("MATCH", '{phrases: ["call me"]}')
    text = text.replace("    source: {title: t, section: s}\n", "").replace("    severity: warning\n", "")
    text = text.replace("rules:\n", "defaults:\n  severity: info\n  source: {title: T, section: S}\n  unless: [quoted]\nrules:\n")
    second = text[text.index("  - id: r") :].replace("id: r", "id: r2").replace("message: m", "message: m\n    severity: error\n    unless: []")
    path.write_text(text + second, encoding="utf-8")
    r1, r2 = load_file(path, vocabulary)
    assert (str(r1.source), r1.severity, r1.unless) == ("T, section \u201cS\u201d", Severity.INFO, [("quoted", None)])
    assert (r2.severity, r2.unless) == (Severity.ERROR, [])
    path.write_text(text.replace("  unless: [quoted]\n", "  match: {}\n"), encoding="utf-8")
    with pytest.raises(RuleFileError, match="defaults: 'match' cannot have a default"):
        load_file(path, vocabulary)


def test_a_flag_example_may_mark_its_span_in_brackets(tmp_path, vocabulary):
    path = write_rule(tmp_path, '{phrases: ["call me"]}').read_text(encoding="utf-8")
    file = tmp_path / "r.yaml"
    file.write_text(path.replace('flag: ["call me"]', 'flag: ["please [call me] now", {text: "a [b] c"}]'), encoding="utf-8")
    [rule] = load_file(file, vocabulary)
    assert [(e.text, e.span) for e in rule.flag_examples] == [("please call me now", "call me"), ("a [b] c", None)]
    for flag, passing in (('["[call] [me]"]', '["hi"]'), ('["[call me"]', '["hi"]'), ('["call me"]', '["[hi]"]')):
        file.write_text(path.replace('flag: ["call me"], pass: ["hi"]', f"flag: {flag}, pass: {passing}"), encoding="utf-8")
        with pytest.raises(RuleFileError, match=r"field 'examples\.(flag|pass)'"):
            load_file(file, vocabulary)


def test_a_family_of_patterns_shares_its_prefix(tmp_path, vocabulary):
    path = write_rule(
        tmp_path,
        "{tokens: [{prefix: [NORM: $i_will, $going_to], then: [[LEMMA: block, NORM: you], [LEMMA: [sell, toss]]]}, [LOWER: x]], "
        "dependency: [{prefix: [verb: {LEMMA: owe}], then: [[verb > a: {DEP: dobj}], [verb > b: {DEP: dative}]]}]}",
    )
    [rule] = load_file(path, vocabulary)
    lexicon = load_lexicon()
    start = [{"NORM": {"IN": list(lexicon["i_will"])}}, lexicon["going_to"]]
    assert rule.tokens == [
        [*start, {"LEMMA": "block"}, {"NORM": "you"}],
        [*start, {"LEMMA": {"IN": ["sell", "toss"]}}],
        [{"LOWER": "x"}],
    ]
    assert [[n["RIGHT_ID"] for n in p] for p in rule.dependency] == [["verb", "a"], ["verb", "b"]]
    for bad, field in (
        ("{tokens: [{prefix: [LOWER: a]}]}", "match.tokens[0]"),
        ("{tokens: [{prefix: [LOWER: a], then: [[]]}]}", "match.tokens[0].then[0]"),
        ("{tokens: [{prefix: [LOWER: a], then: [[LOWER: $nope]]}]}", "match.tokens[0].then[0]"),
    ):
        write_rule(tmp_path, bad)
        with pytest.raises(RuleFileError, match=re.escape(f"field '{field}'")):
            load_file(path, vocabulary)


def test_examples_may_be_a_block_of_lines(tmp_path, vocabulary):
    file = write_rule(tmp_path, '{phrases: ["call me"]}')
    text = file.read_text(encoding="utf-8").replace(
        '    examples: {flag: ["call me"], pass: ["hi"]}\n',
        '    examples:\n      flag: |\n        please [call me]\n\n        call me, she said "now"\n      pass: |\n        hi: there\n',
    )
    file.write_text(text, encoding="utf-8")
    [rule] = load_file(file, vocabulary)
    assert [(e.text, e.span) for e in rule.flag_examples] == [("please call me", "call me"), ('call me, she said "now"', None)]
    assert [e.text for e in rule.pass_examples] == ["hi: there"]


# -- the size budget ------------------------------------------------------------------

# The built-in rule files (with the lexicon and the context rules) were 470,920 bytes
# before the lexicon and the compact forms. This guard keeps them from growing back: a new
# rule should reuse the lexicon rather than spell its lists out again. (307,946 bytes after
# the compaction; the crisis category, the declared-longing rule and a round of recall work
# on the training split (nine rules, 34 KB of patterns and examples) added 42 KB since,
# and the crisis rule for plans, overdoses and goodbyes 4 KB more.)
RULE_BYTES_BUDGET = 360_000


def test_rule_files_stay_within_their_size_budget():
    root = builtin_dir()
    total = sum(p.stat().st_size for p in [*root.glob("*.yaml"), *(root / "context").glob("*.yaml")])
    assert total <= RULE_BYTES_BUDGET, f"rule files are {total:,} bytes, over the {RULE_BYTES_BUDGET:,} budget"


def test_the_example_rule_in_the_docs_loads(tmp_path, vocabulary):
    from conftest import REPO

    doc = (REPO / "docs" / "writing-rules.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", doc, re.S)[1]
    path = tmp_path / "doc.yaml"
    path.write_text(example, encoding="utf-8")
    [rule] = load_file(path, vocabulary)
    assert rule.source.title == "How to Get Your Ex to Talk to You Again?"
    assert rule.dependency[0][2]["RIGHT_ATTRS"]["NORM"] == {"IN": ["me", "us"]}
    assert rule.tokens == [[{"NORM": "you"}, {"LOWER": "owe"}, {"NORM": "me"}]]
    assert [(e.text, e.span) for e in rule.flag_examples] == [("do you miss me?", "you miss me"), ("do u miss us at all", None)]


def test_rule_files_read_as_yaml_safe_load_reads_them():
    """The loader builds YAML data its own (faster) way, with libyaml when PyYAML has it; it
    must read every built-in file exactly as the pure-Python yaml.safe_load does (the two
    parsers differ on some flow-style corners, such as a "?" inside a plain scalar)."""
    import json

    import yaml

    root = builtin_dir()
    for path in sorted([*root.glob("*.yaml"), *(root / "context").glob("*.yaml")]):
        raw = path.read_bytes()
        expected = yaml.load(raw.decode("utf-8"), Loader=yaml.SafeLoader)
        assert json.dumps(parse_yaml(path, raw)) == json.dumps(expected), path.name


@pytest.mark.parametrize(
    "text",
    [
        "a: [1, -2, 2.5, .inf, 0x1f, 1_000, null, ~, '', true, 'true', yes, No, OFF, on, 2001-12-14, y, n]",
        "x: &a {b: 1}\ny: *a\nz: {<<: *a, c: 2}",
        "!!str 12",
        "a: !!int '3'",
        "1: a\nnull: b\n",
        "a: |\n  x\n  y\nb:\n",
        "",
    ],
)
def test_yaml_values_are_those_of_safe_load(text):
    import yaml

    got, expected = parse_yaml(Path("t.yaml"), text.encode()), yaml.safe_load(text)
    assert got == expected and repr(got) == repr(expected)


def test_yaml_that_safe_load_refuses_is_a_rule_file_error():
    import yaml

    for text in ("? [a, b]\n: c\n", "a: !!python/name:os.system x\n", "a: [1, 2\n"):
        with pytest.raises(yaml.YAMLError):
            yaml.safe_load(text)
        with pytest.raises(RuleFileError, match="invalid YAML"):
            parse_yaml(Path("t.yaml"), text.encode())
    with pytest.raises(RuleFileError, match="alias"):
        parse_yaml(Path("t.yaml"), b"a: &x [1, *x]\n")
