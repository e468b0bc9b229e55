"""Corpus: the config-facing reader that yields training Examples from a file or directory."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Iterator

from pydantic import Field

from plait.core.data.example import Example
from plait.core.data.iob2_layers import DEFAULT_SPANS_KEY
from plait.core.data.readers import read_examples
from plait.core.errors import ConfigError
from plait.models.settings import NonNegativeInt

if TYPE_CHECKING:
    from plait.core.pipeline import Language


class Corpus:
    """Examples from `path` (any format plait reads), re-read on every call so each epoch streams.

    `gold_preproc` keeps the corpus's own tokens instead of re-tokenizing; `max_length` drops longer docs
    (0: no limit); `limit` stops after that many docs (0: all); `n_sents` and `across_docs` group the
    sentences of CoNLL-U and column files into docs (see `read_docs`); `spans_key` names the span group the
    spans of layered IOB2 files go into.
    """

    def __init__(self, path: Path | None, *, gold_preproc: bool = False, max_length: int = 0, limit: int = 0,
                 format: str | None = None, n_sents: int = 10, across_docs: bool = False,
                 spans_key: str = DEFAULT_SPANS_KEY) -> None:
        self.path, self.gold_preproc, self.max_length, self.limit, self.format = path, gold_preproc, max_length, limit, format
        self.n_sents, self.across_docs, self.spans_key = n_sents, across_docs, spans_key

    def __call__(self, nlp: "Language") -> Iterator[Example]:
        if self.path is None:
            raise ConfigError("corpora: no corpus path set (pass e.g. --paths.train FILE)")
        examples = read_examples(self.path, nlp.vocab, nlp.make_doc, gold_preproc=self.gold_preproc,
                                 format=self.format, n_sents=self.n_sents, across_docs=self.across_docs,
                                 limit=self.limit, spans_key=self.spans_key)
        for eg in examples:
            if not self.max_length or len(eg.reference) <= self.max_length:
                yield eg


def create_corpus(*, path: str | None, gold_preproc: bool = False, max_length: NonNegativeInt = 0,
                  limit: NonNegativeInt = 0, format: str | None = None, n_sents: NonNegativeInt = 10,
                  across_docs: bool = False,
                  spans_key: Annotated[str, Field(min_length=1)] = DEFAULT_SPANS_KEY) -> Corpus:
    """`plait.Corpus.v1`: a corpus of annotated examples from `path`."""
    return Corpus(Path(path) if path else None, gold_preproc=gold_preproc, max_length=max_length, limit=limit,
                  format=format, n_sents=n_sents, across_docs=across_docs, spans_key=spans_key)
