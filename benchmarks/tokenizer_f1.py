"""Token F1 of plait's English tokenizer against UD English EWT, next to spaCy's, plus tokens per second.

Each sentence's `# text = ...` line is tokenized; a predicted token counts as correct when its character
span (start, end) in that text equals a gold token's span. Whitespace-only predicted tokens are ignored.

Gold tokens are the treebank's surface tokens: for a multiword-token range such as `1-2 don't`, the
range's surface form ("don't") is ONE gold token and its syntactic words ("do", "n't") are skipped, so
a tokenizer that splits contractions or possessives is scored as wrong on them. The JSON also reports
`f1_words`, the same score with such ranges replaced by their words whenever the words spell the
surface form exactly (the UD word level, which is what taggers and parsers are trained on).

Run with plait's interpreter: `.venv/bin/python benchmarks/tokenizer_f1.py`. The script also runs under
an interpreter that has spaCy (`--engine spacy`); the plait run spawns that run itself (`--spacy-python`)
and prints one JSON object with both results. `--show-errors N` prints the N most frequent chunk-level
disagreements with gold to stderr.
"""
from __future__ import annotations

import argparse
import collections
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

Span = tuple[int, int]
Segmenter = Callable[[str], list[Span]]
DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "ud-en-ewt" / "test.conllu"
DEFAULT_SPACY_PYTHON = "/tmp/spacy-anchor-venv/bin/python"


def read_sentences(path: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """(text, surface tokens, word-level tokens) for each sentence of a CoNLL-U file."""
    text, surface, words, mwt_end, mwt_words, mwt_form = None, [], [], 0, [], ""
    for line in path.open(encoding="utf8"):
        line = line.rstrip("\n")
        if line.startswith("# text = "):
            text = line[len("# text = "):]
        elif not line:
            if text is not None:
                yield text, surface, words
            text, surface, words, mwt_end = None, [], [], 0
        elif not line.startswith("#"):
            cols = line.split("\t")
            if "-" in cols[0]:
                first, last = cols[0].split("-")
                mwt_end, mwt_words, mwt_form = int(last), [], cols[1]
                surface.append(mwt_form)
            elif "." not in cols[0]:
                if int(cols[0]) <= mwt_end:
                    mwt_words.append(cols[1])
                    if int(cols[0]) == mwt_end:
                        words.extend(mwt_words if "".join(mwt_words) == mwt_form else [mwt_form])
                else:
                    surface.append(cols[1])
                    words.append(cols[1])


def align(text: str, tokens: list[str]) -> list[Span] | None:
    """Character spans of `tokens` found left to right in `text`, or None if they do not spell it."""
    spans, pos = [], 0
    for token in tokens:
        start = text.find(token, pos)
        if start < 0 or text[pos:start].strip():
            return None
        pos = start + len(token)
        spans.append((start, pos))
    return spans


def plait_segmenter() -> tuple[Segmenter, Callable[[str], int]]:
    """Spans and a token-counting callable for plait's English tokenizer."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from plait.core.lang import get_tokenizer_rules
    from plait.core.tokenizer import Tokenizer
    from plait.core.vocab import Vocab

    tokenizer = Tokenizer(Vocab(), get_tokenizer_rules("en"))

    def spans(text: str) -> list[Span]:
        doc = tokenizer(text)
        return [(int(start), int(start) + len(word)) for start, word in zip(doc.offsets, doc.words) if word.strip()]

    return spans, lambda text: len(tokenizer(text))


def spacy_segmenter() -> tuple[Segmenter, Callable[[str], int]]:
    """Spans and a token-counting callable for spaCy's blank English tokenizer."""
    import spacy

    tokenizer = spacy.blank("en").tokenizer

    def spans(text: str) -> list[Span]:
        return [(t.idx, t.idx + len(t.text)) for t in tokenizer(text) if t.text.strip()]

    return spans, lambda text: len(tokenizer(text))


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p, r = tp / max(n_pred, 1), tp / max(n_gold, 1)
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / max(p + r, 1e-12), 4)}


def evaluate(engine: str, data: Path, repeats: int, show_errors: int) -> dict:
    """Score one engine on every sentence of `data` and time it over warm repeats."""
    segment, count = plait_segmenter() if engine == "plait" else spacy_segmenter()
    sentences = list(read_sentences(data))
    tp = tp_words = n_pred = n_gold = n_gold_words = unaligned = 0
    errors: collections.Counter = collections.Counter()
    for text, surface, words in sentences:
        gold, gold_words = align(text, surface), align(text, words)
        if gold is None or gold_words is None:
            unaligned += 1
            continue
        pred = segment(text)
        pred_set = set(pred)
        tp += len(pred_set & set(gold))
        tp_words += len(pred_set & set(gold_words))
        n_pred, n_gold, n_gold_words = n_pred + len(pred), n_gold + len(gold), n_gold_words + len(gold_words)
        if show_errors:
            for chunk in re.finditer(r"\S+", text):
                inside = lambda spans: " ".join(text[a:b] for a, b in spans if chunk.start() <= a and b <= chunk.end())
                if inside(gold) != inside(pred):
                    errors[(chunk.group(), inside(gold), inside(pred))] += 1
    texts = [text for text, _, _ in sentences]
    n_tokens = sum(count(text) for text in texts)  # warm-up pass: fills caches
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for text in texts:
            count(text)
        best = min(best, time.perf_counter() - start)
    for (chunk, gold_split, pred_split), n in errors.most_common(show_errors):
        print(f"{engine} {n:4d}  {chunk!r:30}  gold: {gold_split:30}  pred: {pred_split}", file=sys.stderr)
    return {
        **prf(tp, n_pred, n_gold),
        "f1_words": prf(tp_words, n_pred, n_gold_words)["f1"],
        "tokens_per_s": round(n_tokens / best),
        "sentences": len(sentences) - unaligned,
        "unaligned_sentences": unaligned,
    }


def run_spacy(python: str, args: argparse.Namespace) -> dict:
    """Run this script under spaCy's interpreter and return its JSON result."""
    command = [python, __file__, "--engine", "spacy", "--data", str(args.data), "--repeats", str(args.repeats),
               "--show-errors", str(args.show_errors)]
    done = subprocess.run(command, capture_output=True, text=True)
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]}
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="CoNLL-U file with '# text =' lines")
    parser.add_argument("--engine", choices=("plait", "spacy"), default="plait")
    parser.add_argument("--spacy-python", default=DEFAULT_SPACY_PYTHON, help="interpreter with spaCy ('' to skip)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes over the data (best is kept)")
    parser.add_argument("--show-errors", type=int, default=0, metavar="N", help="print N top disagreements")
    args = parser.parse_args()
    result = evaluate(args.engine, args.data, args.repeats, args.show_errors)
    if args.engine == "spacy":
        print(json.dumps(result))
        return
    report = {"data": str(args.data), "plait": result}
    if args.spacy_python:
        spacy_result = run_spacy(args.spacy_python, args)
        report["spacy"] = spacy_result
        if "f1" in spacy_result:
            report["f1_ratio_plait_over_spacy"] = round(result["f1"] / spacy_result["f1"], 4)
            report["speed_ratio_plait_over_spacy"] = round(result["tokens_per_s"] / spacy_result["tokens_per_s"], 3)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
