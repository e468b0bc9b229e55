"""Example: a predicted Doc paired with its reference, aligned so gold annotations map onto predicted tokens."""
from __future__ import annotations

from typing import Any

import numpy as np

from plait.core.data.build import column_values
from plait.core.data.records import doc_from_record
from plait.core.doc import STRING_COLUMNS, Doc

# every Unicode whitespace code point (the largest is U+3000)
_SPACE_CODES = np.array([c for c in range(0x3001) if chr(c).isspace()], dtype=np.uint32)


def _char_owners(doc: Doc) -> tuple[np.ndarray, np.ndarray]:
    """Code points of the doc's non-whitespace characters and, for each, the index of its token."""
    words = doc.words
    codes = np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32)
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    owners = np.repeat(np.arange(len(words)), lengths)
    keep = ~np.isin(codes, _SPACE_CODES)
    return codes[keep], owners[keep]


class Alignment:
    """Which tokens of two tokenizations of one text share characters (whitespace ignored).

    `x2y[i]` is the reference token that predicted token i matches one-to-one (same characters), or -1;
    `y2x` the reverse. `pairs` holds every (predicted, reference) pair of tokens sharing a character, in
    order. Built in linear time from the characters each token owns.
    """

    def __init__(self, predicted: Doc, reference: Doc) -> None:
        n_x, n_y = len(predicted), len(reference)
        if predicted.vocab is reference.vocab and n_x == n_y and (predicted.lex == reference.lex).all():
            self.x2y = self.y2x = np.arange(n_x)
            self._pairs: np.ndarray | None = None  # the same tokens: made when asked for
            return
        x_chars, x_owner = _char_owners(predicted)
        y_chars, y_owner = _char_owners(reference)
        if len(x_chars) != len(y_chars) or not np.array_equal(x_chars, y_chars):
            raise ValueError(_mismatch(x_chars, y_chars))
        change = np.ones(len(x_owner), dtype=bool)
        change[1:] = (x_owner[1:] != x_owner[:-1]) | (y_owner[1:] != y_owner[:-1])
        px, py = x_owner[change], y_owner[change]
        one = (np.bincount(px, minlength=n_x)[px] == 1) & (np.bincount(py, minlength=n_y)[py] == 1)
        self.x2y = np.full(n_x, -1, dtype=np.int64)
        self.y2x = np.full(n_y, -1, dtype=np.int64)
        self.x2y[px[one]] = py[one]
        self.y2x[py[one]] = px[one]
        self._pairs = np.stack([px, py])

    @property
    def pairs(self) -> np.ndarray:
        if self._pairs is None:
            self._pairs = np.stack([self.x2y, self.x2y])
        return self._pairs


def _mismatch(x_chars: np.ndarray, y_chars: np.ndarray) -> str:
    n = min(len(x_chars), len(y_chars))
    differ = np.flatnonzero(x_chars[:n] != y_chars[:n])
    at = int(differ[0]) if len(differ) else n
    x_text = "".join(map(chr, x_chars[at:at + 20].tolist()))
    y_text = "".join(map(chr, y_chars[at:at + 20].tolist()))
    return (f"predicted and reference texts differ (ignoring whitespace) at non-space character {at}: "
            f"{x_text!r} vs {y_text!r}")


class Example:
    """A predicted Doc (what the pipeline sees and annotates) and the reference Doc holding the gold answers.

    The `get_aligned*` methods give one gold value per predicted token, None (or "-" for entities) where
    the two tokenizations do not match one-to-one. ValueError if the texts differ other than in whitespace.
    """

    def __init__(self, predicted: Doc, reference: Doc) -> None:
        self.predicted = predicted
        self.reference = reference
        self.alignment = Alignment(predicted, reference)

    @property
    def x(self) -> Doc:
        return self.predicted

    @property
    def y(self) -> Doc:
        return self.reference

    def __len__(self) -> int:
        return len(self.predicted)

    def __repr__(self) -> str:
        sizes = f"{len(self.predicted)} predicted / {len(self.reference)} reference tokens"
        return f"Example({self.predicted.text[:40]!r}, {sizes})"

    @classmethod
    def from_dict(cls, predicted: Doc, data: dict[str, Any]) -> "Example":
        """An Example whose reference has `data`'s annotations (see `records.doc_from_record` for the keys).

        Without "words" the reference copies the predicted tokens; entity and span offsets are characters
        of `predicted.text`.
        """
        def copy_tokens(_text: str) -> Doc:
            return Doc(predicted.vocab, predicted.words, predicted.spaces.copy())

        record = {"text": predicted.text, **data}
        return cls(predicted, doc_from_record(predicted.vocab, record, copy_tokens))

    def _gold(self, values: np.ndarray, unset: int) -> np.ndarray:
        """Reference values per predicted token, `unset` where there is no one-to-one reference token."""
        x2y = self.alignment.x2y
        return np.where(x2y >= 0, values[np.maximum(x2y, 0)] if len(values) else unset, unset)

    def get_aligned(self, column: str) -> list[str | None]:
        """Gold strings of a string column (TAG, POS, MORPH, LEMMA, DEP) per predicted token; None if unknown."""
        if column not in STRING_COLUMNS:
            raise ValueError(f"get_aligned takes a string column ({', '.join(STRING_COLUMNS)}), not {column!r}")
        keys = self._gold(column_values(self.reference, column), 0).tolist()
        strings = self.reference.vocab.strings
        return [strings[k] if k else None for k in keys]

    def get_aligned_sent_starts(self) -> list[int | None]:
        """1 where a gold sentence starts at a predicted token, -1 where none does, None if unknown."""
        codes = self._gold(column_values(self.reference, "SENT_START"), 0).tolist()
        return [c if c else None for c in codes]

    def get_aligned_heads(self) -> list[int | None]:
        """The predicted index of each predicted token's gold head; None if unknown or the head is unaligned."""
        heads = self._gold(column_values(self.reference, "HEAD"), -1)
        y2x = self.alignment.y2x
        mapped = np.where(heads >= 0, y2x[np.maximum(heads, 0)] if len(y2x) else -1, -1).tolist()
        return [h if h >= 0 else None for h in mapped]

    def get_aligned_ents_biluo(self) -> list[str]:
        """Gold entities as BILUO tags on predicted tokens, transferred by character span.

        An entity whose edges are not predicted token edges, and any token whose gold is unknown, gets "-".
        """
        ref = self.reference
        n_x = len(self.predicted)
        iob = column_values(ref, "ENT_IOB")
        if not iob.any():
            return ["-"] * n_x
        # per reference token: the index of its entity, -1 outside any entity, -2 unknown
        starts = np.flatnonzero(iob == 3)
        ent_of = np.cumsum(iob == 3) - 1
        ent_of = np.where(iob == 2, -1, np.where(iob == 0, -2, ent_of))
        px, py = self.alignment.pairs
        pair_ent = ent_of[py]
        lo = np.full(n_x, len(starts), dtype=np.int64)
        hi = np.full(n_x, -3, dtype=np.int64)
        np.minimum.at(lo, px, pair_ent)
        np.maximum.at(hi, px, pair_ent)
        bad = np.zeros(len(starts), dtype=bool)  # entities touching a token that also holds something else
        bad[pair_ent[(pair_ent >= 0) & (lo[px] != hi[px])]] = True
        tags = np.where(lo == -2, "-", "O").astype(object)
        first = np.full(len(starts), n_x, dtype=np.int64)
        last = np.full(len(starts), -1, dtype=np.int64)
        inside = pair_ent >= 0
        np.minimum.at(first, pair_ent[inside], px[inside])
        np.maximum.at(last, pair_ent[inside], px[inside])
        labels = column_values(ref, "ENT_TYPE")[starts].tolist()
        strings = ref.vocab.strings
        for k, (a, b) in enumerate(zip(first.tolist(), last.tolist())):
            if b < 0:
                continue
            if bad[k]:
                tags[a:b + 1] = "-"
                continue
            label = strings[labels[k]]
            if a == b:
                tags[a] = f"U-{label}"
            else:
                tags[a] = f"B-{label}"
                tags[a + 1:b] = f"I-{label}"
                tags[b] = f"L-{label}"
        return tags.tolist()
