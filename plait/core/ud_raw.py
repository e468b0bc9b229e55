"""Scoring a pipeline on raw text against a UD treebank, as the CoNLL 2018 shared task does.

The gold file's raw text is rebuilt document by document (`# newdoc`; in a file with none, every 10 sentences),
its sentences joined by one space, each sentence's `# text` (rebuilt from its tokens and `SpaceAfter=No` where it
has none). The pipeline annotates that text with its own tokenizer and whatever sets sentences (a parser, senter
or sentencizer; else each doc is one sentence), its output is written as CoNLL-U, and `ud_score` compares it with
the gold file.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plait.core.data.conllu_write import conllu_lines
from plait.core.data.lines import read_lines
from plait.core.errors import DataError
from plait.core.ud_read import UDFile, no_spaces, read_ud
from plait.core.ud_score import ud_scores

SENTENCES_PER_DOC = 10


@dataclass(frozen=True, slots=True)
class RawEvaluation:
    """The scores (`ud_tokens_p`, `ud_tokens_r`, `ud_tokens_f`, ... and `speed`, words/s) and the system CoNLL-U."""

    scores: dict[str, float]
    conllu: str


def read_gold(path: Path) -> UDFile:
    """A gold CoNLL-U file, each `# text` checked against its sentence's tokens."""
    gold = read_ud(read_lines(path), str(path))
    if not gold.sentences:
        raise DataError(f"{path}:1: no sentences")
    for sent in gold.sentences:
        if sent.text is not None and no_spaces(sent.text) != "".join(gold.chars[sent.start:sent.end]):
            raise DataError(f"{path}:{sent.text_line}: the sentence's `# text` does not match its tokens")
    return gold


def raw_documents(gold: UDFile, per_doc: int = SENTENCES_PER_DOC) -> list[str]:
    """The raw text of each document of `gold`, its sentences joined by one space."""
    by_newdoc = any(sent.newdoc for sent in gold.sentences)
    docs: list[list[str]] = []
    for sent in gold.sentences:
        if not docs or (sent.newdoc if by_newdoc else len(docs[-1]) == per_doc):
            docs.append([])
        docs[-1].append(sent.raw_text())
    return [" ".join(doc) for doc in docs]


def evaluate_raw(nlp: Any, gold: UDFile) -> RawEvaluation:
    """Annotate the raw text of `gold` (from `read_gold`) with `nlp` and score the output against it."""
    start = time.perf_counter()
    docs = list(nlp.pipe(raw_documents(gold)))
    seconds = time.perf_counter() - start
    lines = list(conllu_lines(docs))
    system = read_ud(enumerate(lines, 1), "system output")
    scores: dict[str, float] = {}
    for name, score in ud_scores(gold, system).items():
        scores.update({f"ud_{name}_p": score.p, f"ud_{name}_r": score.r, f"ud_{name}_f": score.f})
    scores["speed"] = sum(len(doc) for doc in docs) / max(seconds, 1e-9)
    return RawEvaluation(scores, "\n".join(lines) + "\n")

