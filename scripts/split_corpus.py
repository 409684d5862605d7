#!/usr/bin/env python3
"""Merge labelled JSONL sources into corpus/train/ and corpus/test/, without near-copies.

    python scripts/split_corpus.py --tuned OLD.jsonl ... --untuned NEW.jsonl ...

Every line is validated (text, labels from rulesets/categories.yaml). Texts are compared
after `linter.quality.split.normalise`; a text that is the same as, or at least
--similarity (rapidfuzz ratio) alike, a text already kept is dropped, with the kept one
winning in the order the files are given (tuned sources first). Tuned sources go to train
only; untuned ones are split by `split_of`. Each source file keeps its name in both halves,
so `corpus/train/texting.jsonl` and `corpus/test/texting.jsonl` are the two halves of one
source. Existing files in corpus/train and corpus/test are replaced; prints what it did.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from linter.quality.split import normalise, split_of  # noqa: E402
from linter.rules.loader import load_vocabulary  # noqa: E402

KEEP_FIELDS = ("text", "labels", "lines", "register", "persona", "source", "note")


def read(path: Path, allowed: set[str]) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        obj = json.loads(line)
        text, labels = obj.get("text"), obj.get("labels")
        if not isinstance(text, str) or not text.strip() or not isinstance(labels, list) or not set(labels) <= allowed:
            sys.exit(f"{path}:{n}: malformed line")
        obj["labels"] = sorted(set(labels))
        rows.append({k: obj[k] for k in KEEP_FIELDS if k in obj})
    return rows


def main() -> None:
    from rapidfuzz import fuzz, process

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tuned", nargs="*", type=Path, default=[], help="sources the rules were tuned on: train only")
    ap.add_argument("--untuned", nargs="*", type=Path, default=[], help="sources nothing was tuned on: split by hash")
    ap.add_argument("--similarity", type=float, default=90.0)
    ap.add_argument("--out", type=Path, default=REPO / "corpus")
    args = ap.parse_args()
    vocabulary = load_vocabulary()
    allowed = {c for c, v in vocabulary.items() if v.get("scope") == "message"}

    kept: list[tuple[str, str, dict, str]] = []  # (normalised, source, row, split)
    dropped = Counter()
    seen: dict[str, int] = {}
    for tuned, paths in ((True, args.tuned), (False, args.untuned)):
        for path in paths:
            for row in read(path, allowed):
                norm = normalise(row["text"])
                if norm in seen:
                    dropped["exact"] += 1
                    continue
                if kept:
                    # Near-copies: compared with every text kept so far (C speed, both cores).
                    best = process.extractOne(norm, [k[0] for k in kept], scorer=fuzz.ratio, score_cutoff=args.similarity) if len(norm) > 12 else None
                    if best is not None:
                        dropped["near"] += 1
                        continue
                seen[norm] = len(kept)
                kept.append((norm, path.stem, row, "train" if tuned else split_of(row["text"])))
    halves: dict[tuple[str, str], list[dict]] = {}
    for _, source, row, split in kept:
        halves.setdefault((split, source), []).append(row)
    for split in ("train", "test"):
        folder = args.out / split
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.jsonl"):
            old.unlink()
    counts = Counter()
    for (split, source), rows in sorted(halves.items()):
        with open(args.out / split / f"{source}.jsonl", "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        counts[split] += len(rows)
    print(f"kept {len(kept)} texts: train {counts['train']}, test {counts['test']}; dropped {dropped['exact']} exact and {dropped['near']} near copies")


if __name__ == "__main__":
    main()
