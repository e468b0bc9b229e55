"""Wordpieces of a batch of spans, cut into model-sized windows, and aligned to the docs' tokens.

Alignment uses the fast tokenizer's character offsets: a wordpiece belongs to every token whose characters
it overlaps, so it works alike for WordPiece, byte-level BPE and SentencePiece vocabularies. A token no
wordpiece covers (whitespace, control characters) gets no rows; a wordpiece that spans two tokens
(BPE "don" over plait's "do" + "n't") is shared by both.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

import numpy as np

# Span texts tokenized in one call (the fast tokenizer still spreads a call over its threads).
_ENCODE_GROUP = 256


class OverlongSpanError(ValueError):
    """A span has more wordpieces than the model accepts and the config asked for an error, not a split."""


@dataclass
class SpecialTokens:
    """The ids the tokenizer puts before and after a single sequence ([CLS] ... [SEP], <s> ... </s>)."""

    prefix: list[int]
    suffix: list[int]

    @classmethod
    def of(cls, tokenizer: Any) -> "SpecialTokens":
        """Found by encoding a probe with and without special tokens (works for any single-sequence template)."""
        bare = tokenizer("a", add_special_tokens=False)["input_ids"]
        full = tokenizer("a", add_special_tokens=True)["input_ids"]
        for start in range(len(full) - len(bare) + 1):
            if full[start:start + len(bare)] == bare:
                return cls(list(full[:start]), list(full[start + len(bare):]))
        raise ValueError("cannot find where the tokenizer puts its special tokens")

    def __len__(self) -> int:
        return len(self.prefix) + len(self.suffix)


@dataclass
class Wordpieces:
    """The windows a batch of docs is cut into, in doc order, and their alignment to the docs' tokens.

    Rows are numbered over all windows concatenated (special tokens included): window `w` holds rows
    `row_starts[w]` to `row_starts[w] + len(ids[w])`. `token` and `row` are the aligned pairs, token
    numbered over all docs of the batch concatenated.
    """

    ids: list[np.ndarray]  # one int64 array per window, special tokens included
    window_doc: np.ndarray  # the doc each window comes from
    token: np.ndarray  # (n_pairs,) token index over the batch
    row: np.ndarray  # (n_pairs,) row index over the batch
    doc_lengths: list[int]  # tokens per doc
    row_starts: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        sizes = np.fromiter((len(x) for x in self.ids), dtype=np.int64, count=len(self.ids))
        self.row_starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    @property
    def n_rows(self) -> int:
        return int(self.row_starts[-1])

    @property
    def n_tokens(self) -> int:
        return int(sum(self.doc_lengths))


def token_char_spans(doc: Any) -> tuple[np.ndarray, np.ndarray]:
    """Character start and end of each token of `doc` in `doc.text`."""
    starts = np.asarray(doc.offsets, dtype=np.int64)
    lengths = np.fromiter((len(w) for w in doc.words), dtype=np.int64, count=len(doc))
    return starts, starts + lengths


def _align_span(offsets: np.ndarray, tok_starts: np.ndarray, tok_ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(piece, token) pairs of one span: each wordpiece with every token whose characters it overlaps."""
    if not len(offsets):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    first = np.searchsorted(tok_ends, offsets[:, 0], side="right")
    stop = np.searchsorted(tok_starts, offsets[:, 1], side="left")
    counts = np.where(offsets[:, 1] > offsets[:, 0], np.maximum(stop - first, 0), 0)
    piece = np.repeat(np.arange(len(offsets)), counts)
    within = np.arange(len(piece)) - np.repeat(np.cumsum(counts) - counts, counts)
    return piece, np.repeat(first, counts) + within


def window_starts(n_pieces: int, size: int) -> list[int]:
    """Start of each window of at most `size` wordpieces covering `n_pieces`; windows overlap by a quarter.

    The overlap gives every wordpiece near a cut some context on both sides; a token seen by two windows is
    pooled over both.
    """
    if n_pieces <= size:
        return [0]
    stride = max(1, size - size // 4)
    starts = list(range(0, n_pieces - size, stride))
    return starts + [n_pieces - size]


def make_wordpieces(tokenizer: Any, spans: Sequence[Sequence[Any]], docs: Sequence[Any], *, max_length: int,
                    special: SpecialTokens, split_overlong: bool = True) -> Wordpieces:
    """Tokenize each span's text, cut spans longer than `max_length` into windows, align to the docs' tokens.

    `spans[i]` are the spans of `docs[i]` (objects with `start`, `end`, `start_char`, `end_char`); they may
    overlap. With `split_overlong` false, a span over the limit raises OverlongSpanError naming the doc and token.
    """
    texts, owners = [], []
    char_spans = [token_char_spans(doc) for doc in docs]
    doc_texts = [doc.text for doc in docs]
    for d, doc_spans in enumerate(spans):
        for span in doc_spans:
            if len(span):
                start_char, end_char = char_spans[d][0][span.start], char_spans[d][1][span.end - 1]
                texts.append(doc_texts[d][start_char:end_char])
                owners.append((d, span.start, span.end, int(start_char)))
    size = max_length - len(special)
    prefix, suffix = np.asarray(special.prefix, dtype=np.int64), np.asarray(special.suffix, dtype=np.int64)
    token_base = np.concatenate([[0], np.cumsum([len(doc) for doc in docs])]).astype(np.int64)
    ids: list[np.ndarray] = []
    window_doc: list[int] = []
    tokens: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    row = 0
    for (d, start, end, start_char), piece_ids, offsets in _encoded(tokenizer, texts, owners):
        piece_ids = np.asarray(piece_ids, dtype=np.int64)
        offsets = np.asarray(offsets, dtype=np.int64).reshape(-1, 2) + start_char
        if len(piece_ids) > size and not split_overlong:
            raise OverlongSpanError(_overlong_message(docs[d], d, start, len(piece_ids), size))
        piece, token = _align_span(offsets, char_spans[d][0][start:end], char_spans[d][1][start:end])
        token = token + token_base[d] + start
        for begin in window_starts(len(piece_ids), size):
            stop = min(begin + size, len(piece_ids))
            ids.append(np.concatenate([prefix, piece_ids[begin:stop], suffix]))
            window_doc.append(d)
            inside = (piece >= begin) & (piece < stop)
            tokens.append(token[inside])
            rows.append(piece[inside] - begin + row + len(prefix))
            row += len(ids[-1])
    doc_of = np.asarray(window_doc, dtype=np.int64)
    empty = np.zeros(0, dtype=np.int64)
    return Wordpieces(ids, doc_of, np.concatenate(tokens) if tokens else empty,
                      np.concatenate(rows) if rows else empty, [len(doc) for doc in docs])


def _encoded(tokenizer: Any, texts: list[str], owners: list[Any]) -> Iterator[tuple[Any, list[int], list[Any]]]:
    """(owner, wordpiece ids, character offsets) of each text, tokenized _ENCODE_GROUP texts at a time.

    The tokenizer's Python lists cost about 150 bytes a wordpiece; groups keep a long doc from holding all.
    """
    for first in range(0, len(texts), _ENCODE_GROUP):
        encoded = tokenizer(texts[first:first + _ENCODE_GROUP], add_special_tokens=False,
                            return_offsets_mapping=True, return_attention_mask=False, return_token_type_ids=False)
        yield from zip(owners[first:first + _ENCODE_GROUP], encoded["input_ids"], encoded["offset_mapping"])


def _overlong_message(doc: Any, index: int, start: int, n_pieces: int, size: int) -> str:
    words = doc.words[start:start + 5]
    return (f"doc {index} (token {start}: {' '.join(words)!r}...) has a span of {n_pieces} wordpieces, over the "
            f"model's limit of {size}; use a span getter with shorter spans, or overlong = \"split\"")
