"""Texting shorthand, taught to the tokenizer as special cases.

The small English model reads each token's NORM, so giving "u" the NORM "you" is enough for
"r u seeing someone" to parse as a question with "you" as its subject (left alone, "r" is
tagged a noun and "u" an interjection). Texting register is never an error here; this table
only helps the parser read it.

Each entry maps a surface form to the pieces it splits into, as (text, norm) pairs. The
texts of the pieces must concatenate to the surface form (a spaCy tokenizer invariant).
"""

from __future__ import annotations

# One-token forms: surface -> norm.
WORDS: dict[str, str] = {
    "u": "you",
    "ya": "you",
    "yu": "you",
    "r": "are",
    "ur": "your",
    "urs": "yours",
    "w/o": "without",
    "w/": "with",
    "rn": "now",
    "pls": "please",
    "plz": "please",
    "plzz": "please",
    "pleeease": "please",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "b4": "before",
    "2nite": "tonight",
    "tonite": "tonight",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "2moro": "tomorrow",
    "luv": "love",
    "msg": "message",
    "txt": "text",
    "bf": "boyfriend",
    "gf": "girlfriend",
    "ppl": "people",
    "sry": "sorry",
    "srry": "sorry",
    "thx": "thanks",
    "ty": "thanks",
    "k": "okay",
    "kk": "okay",
    "abt": "about",
    "bout": "about",
    "wat": "what",
    "wut": "what",
    "y": "why",
    "cn": "can",
    "shud": "should",
    "wud": "would",
    "cud": "could",
    "somone": "someone",
    "sumone": "someone",
    "any1": "anyone",
    "some1": "someone",
    "every1": "everyone",
    "no1": "no one",
    "nvr": "never",
    "ily": "i love you",
}

# Contractions written without the apostrophe that spaCy's own exceptions miss.
SPLITS: dict[str, list[tuple[str, str]]] = {
    "im": [("i", "i"), ("m", "am")],
    "youd": [("you", "you"), ("d", "'d")],
    "youre": [("you", "you"), ("re", "are")],
    "youve": [("you", "you"), ("ve", "have")],
    "youll": [("you", "you"), ("ll", "will")],
    "ive": [("i", "i"), ("ve", "have")],
    "whats": [("what", "what"), ("s", "is")],
    "hows": [("how", "how"), ("s", "is")],
    "wheres": [("where", "where"), ("s", "is")],
    "whos": [("who", "who"), ("s", "is")],
    "thats": [("that", "that"), ("s", "is")],
    "theres": [("there", "there"), ("s", "is")],
    "wanna": [("wan", "want"), ("na", "to")],
    "gotta": [("got", "got"), ("ta", "to")],
    "ru": [("r", "are"), ("u", "you")],
    "ud": [("u", "you"), ("d", "'d")],
    "ull": [("u", "you"), ("ll", "will")],
    "ure": [("u", "you"), ("re", "are")],
    # spaCy knows "dont" and "cant" in lower case; texts shout them too ("DONT", "WONT").
    "dont": [("do", "do"), ("nt", "not")],
    "doesnt": [("does", "does"), ("nt", "not")],
    "didnt": [("did", "did"), ("nt", "not")],
    "cant": [("ca", "can"), ("nt", "not")],
    "wont": [("wo", "will"), ("nt", "not")],
    "isnt": [("is", "is"), ("nt", "not")],
    "arent": [("are", "are"), ("nt", "not")],
    "wasnt": [("was", "was"), ("nt", "not")],
    "werent": [("were", "were"), ("nt", "not")],
    "havent": [("have", "have"), ("nt", "not")],
    "hasnt": [("has", "has"), ("nt", "not")],
    "couldnt": [("could", "could"), ("nt", "not")],
    "wouldnt": [("would", "would"), ("nt", "not")],
    "shouldnt": [("should", "should"), ("nt", "not")],
    # A shorthand word before a full stop is not an abbreviation like "a." or "e.".
    "u.": [("u", "you"), (".", ".")],
    "ya.": [("ya", "you"), (".", ".")],
    "ur.": [("ur", "your"), (".", ".")],
    "r.": [("r", "are"), (".", ".")],
    "wyd": [("wyd", "what are you doing")],
    "hbu": [("hbu", "how about you")],
    "wbu": [("wbu", "what about you")],
    "idk": [("idk", "i do not know")],
}


def _casings(surface: str) -> set[str]:
    # Special cases are case-sensitive; people type "U", "Ur", "UR" as often as "u".
    return {surface, surface.capitalize(), surface.upper()}


def special_cases() -> dict[str, list[dict[str, str]]]:
    """Tokenizer special cases for every casing of every entry: {surface: [{ORTH, NORM}]}."""
    cases: dict[str, list[dict[str, str]]] = {}
    for surface, norm in WORDS.items():
        for form in _casings(surface):
            cases[form] = [{"ORTH": form, "NORM": norm}]
    for surface, pieces in SPLITS.items():
        for form in _casings(surface):
            out, pos = [], 0
            for text, norm in pieces:
                orth = form[pos : pos + len(text)]
                pos += len(text)
                out.append({"ORTH": orth, "NORM": norm})
            cases[form] = out
    return cases
