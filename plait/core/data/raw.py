"""RawCorpus: unannotated Docs for pretraining, streamed from JSONL `{"text": ...}` lines, `.plait` or spaCy `.spacy` files."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from plait.core.data.readers import read_docs
from plait.core.doc import Doc
from plait.core.errors import ConfigError
from plait.models.settings import NonNegativeInt

if TYPE_CHECKING:
    from plait.core.pipeline import Language


class RawCorpus:
    """Docs from `path`, re-read on every call (one line or record at a time), annotations ignored.

    Texts go through the pipeline's tokenizer; docs shorter than `min_length` or longer than `max_length`
    tokens are skipped (0: no limit); `limit` stops after that many docs (0: all).
    """

    def __init__(self, path: Path | None, *, min_length: int = 0, max_length: int = 0, limit: int = 0) -> None:
        self.path, self.min_length, self.max_length, self.limit = path, min_length, max_length, limit

    def __call__(self, nlp: "Language") -> Iterator[Doc]:
        if self.path is None:
            raise ConfigError("corpora.pretrain: no raw text path set (pass e.g. --paths.raw texts.jsonl)")
        count = 0
        for doc in read_docs(self.path, nlp.vocab, nlp.make_doc):
            if len(doc) < self.min_length or (self.max_length and len(doc) > self.max_length):
                continue
            yield doc
            count += 1
            if count == self.limit:
                return


def create_raw_corpus(*, path: str | None, min_length: NonNegativeInt = 5, max_length: NonNegativeInt = 500,
                      limit: NonNegativeInt = 0) -> RawCorpus:
    """`plait.RawCorpus.v1`: raw texts for pretraining, JSONL `{"text": ...}` per line or binary `.plait` / `.spacy` docs."""
    return RawCorpus(Path(path) if path else None, min_length=min_length, max_length=max_length, limit=limit)
