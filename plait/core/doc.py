"""Doc: a tokenized text whose annotations are numpy columns, one value per token."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

import numpy as np

from plait.core.extensions import HasExtensions, Underscore
from plait.core.iob import iob_to_spans
from plait.core.span import Span
from plait.core.span_group import SpanGroup, SpanGroups
from plait.core.token import Token
from plait.core.vectors.table import similarity
from plait.core.vocab import Vocab

if TYPE_CHECKING:
    from plait.core.retokenizer import Retokenizer

# Annotation columns: string annotations hold StringStore hashes (0 = unset); HEAD holds the absolute index
# of the head (-1 = unset); SENT_START holds 1 / -1 / 0 (start / not a start / unknown); ENT_IOB holds
# 0 unset, 1 I, 2 O, 3 B.
STRING_COLUMNS = ("TAG", "POS", "MORPH", "LEMMA", "DEP", "ENT_TYPE")
COLUMN_DTYPES = {**{c: np.uint64 for c in STRING_COLUMNS}, "HEAD": np.int32, "SENT_START": np.int8, "ENT_IOB": np.int8}
_IOB_CODE = {"I": 1, "O": 2, "B": 3}


class Columns(dict):
    """Annotation columns of one doc, each allocated on first use (most docs carry only a few)."""

    def __init__(self, n_tokens: int) -> None:
        super().__init__()
        self.n_tokens = n_tokens

    def __missing__(self, name: str) -> np.ndarray:
        if name not in COLUMN_DTYPES:
            raise KeyError(f"no annotation column {name!r}; columns: {', '.join(COLUMN_DTYPES)}")
        values = np.full(self.n_tokens, -1 if name == "HEAD" else 0, dtype=COLUMN_DTYPES[name])
        self[name] = values
        return values


class Doc(HasExtensions):
    """A sequence of tokens with trailing-space flags, so `doc.text` reproduces the input exactly.

    Build one from words (and optional annotations) or from a tokenizer. Annotations live in `columns`;
    `Token` and `Span` are views that read them.
    """

    def __init__(
        self,
        vocab: Vocab,
        words: Sequence[str] = (),
        spaces: Sequence[bool] | None = None,
        *,
        tags: Sequence[str] | None = None,
        pos: Sequence[str] | None = None,
        morphs: Sequence[str] | None = None,
        lemmas: Sequence[str] | None = None,
        heads: Sequence[int] | None = None,
        deps: Sequence[str] | None = None,
        sent_starts: Sequence[bool | int | None] | None = None,
        ents: Sequence[str] | Iterable[tuple[int, int, str]] | None = None,
    ) -> None:
        n = len(words)
        if spaces is not None and len(spaces) != n:
            raise ValueError(f"got {n} words but {len(spaces)} space flags")
        self._set_tokens(vocab, vocab.lex_ids(words),
                         np.ones(n, dtype=bool) if spaces is None else np.asarray(spaces, dtype=bool))
        for column, values in (("TAG", tags), ("POS", pos), ("MORPH", morphs), ("LEMMA", lemmas), ("DEP", deps)):
            if values is not None:
                self.set_strings(column, values)
        if heads is not None:
            self.columns["HEAD"][:] = self._checked(heads, "heads")
        if sent_starts is not None:
            codes = [0 if v is None else (1 if v in (True, 1) else -1) for v in self._checked(sent_starts, "sent_starts")]
            self.columns["SENT_START"][:] = codes
        if ents is not None:
            ents = list(ents)
            if ents and isinstance(ents[0], str):
                self.set_ents(iob_to_spans(list(ents)), missing=[t == "-" for t in ents])
            else:
                self.set_ents(ents)

    def _set_tokens(self, vocab: Vocab, lex: np.ndarray, spaces: np.ndarray) -> None:
        """Tokens and no annotations: what every way of making a Doc starts from."""
        self.vocab = vocab
        self.lex = lex
        self.spaces = spaces
        self.columns = Columns(len(lex))
        self.cats: dict[str, float] = {}
        self._spans = SpanGroups(self)
        self.user_data: dict[Any, Any] = {}
        self.tensor: Any = None
        self.sentiment = 0.0  # a score a user's rules may keep (spaCy's `Doc.sentiment`); not saved
        self._offsets: np.ndarray | None = None

    @property
    def spans(self) -> SpanGroups:
        """Named groups of spans that may overlap (`doc.spans["sc"]`); a list assigned to a key becomes a group."""
        return self._spans

    @spans.setter
    def spans(self, groups: dict[str, Iterable[Span]]) -> None:
        self._spans = SpanGroups(self, groups)

    def _checked(self, values: Sequence, name: str) -> Sequence:
        if len(values) != len(self):
            raise ValueError(f"got {len(self)} words but {len(values)} {name}")
        return values

    def set_strings(self, column: str, values: Sequence[str]) -> None:
        """Set a string annotation column from one string per token ("" or None = unset)."""
        add = self.vocab.strings.add
        cache: dict[str, int] = {}
        out = self.columns[column]
        for i, v in enumerate(self._checked(values, column.lower())):
            if v:
                key = cache.get(v)
                out[i] = key if key is not None else cache.setdefault(v, add(v))
            else:
                out[i] = 0

    def strings_of(self, column: str) -> list[str]:
        """One string per token from a string annotation column."""
        lookup = self.vocab.strings
        return [lookup[int(k)] for k in self.columns[column]]

    # -- sequence protocol ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.lex)

    def __iter__(self) -> Iterator[Token]:
        return (Token(self, i) for i in range(len(self)))

    def __getitem__(self, key: int | slice) -> Token | Span:
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self))
            if step != 1:
                raise ValueError("doc slices take a step of 1")
            return Span(self, start, max(start, stop))
        i = key + len(self) if key < 0 else key
        if not 0 <= i < len(self):
            raise IndexError(f"token index {key} out of range for a doc of {len(self)} tokens")
        return Token(self, i)

    @property
    def _(self) -> Underscore:
        return Underscore(self._extensions, self, self, None, None)

    # -- text -----------------------------------------------------------------------------------------
    @property
    def words(self) -> list[str]:
        vocab_words = self.vocab.words
        return [vocab_words[i] for i in self.lex]

    @property
    def text(self) -> str:
        words = self.vocab.words
        return "".join([words[i] + " " if s else words[i] for i, s in zip(self.lex.tolist(), self.spaces.tolist())])

    @property
    def text_with_ws(self) -> str:
        return self.text

    @property
    def offsets(self) -> np.ndarray:
        """Character offset of each token in `text`."""
        if self._offsets is None or len(self._offsets) != len(self):
            lengths = np.fromiter((len(w) for w in self.words), dtype=np.int64, count=len(self))
            ends = np.cumsum(lengths + self.spaces)
            self._offsets = np.concatenate([[0], ends[:-1]]).astype(np.int64) if len(self) else ends
        return self._offsets

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    # -- static vectors: those of the span covering the whole doc (the mean of the tokens' vectors) ---------
    @property
    def vector(self) -> np.ndarray:
        return self[:].vector

    @property
    def has_vector(self) -> bool:
        return self[:].has_vector

    @property
    def vector_norm(self) -> float:
        return self[:].vector_norm

    def similarity(self, other) -> float:
        """Cosine similarity of the two vectors (0.0, with a warning, when either has none)."""
        return similarity(self, other)

    # -- annotations ----------------------------------------------------------------------------------
    def has_annotation(self, column: str) -> bool:
        """True when any token has a value for `column` (e.g. "TAG", "HEAD", "SENT_START", "ENT_IOB")."""
        if column not in self.columns:
            return False
        values = self.columns[column]
        return bool((values >= 0).any()) if column == "HEAD" else bool(values.any())

    @property
    def sents(self) -> Iterator[Span]:
        """Sentences from SENT_START; the doc is one sentence when no boundary is set."""
        starts = np.flatnonzero(self.columns["SENT_START"] == 1).tolist()
        if not starts or starts[0] != 0:
            starts.insert(0, 0)
        for start, end in zip(starts, starts[1:] + [len(self)]):
            if end > start:
                yield Span(self, start, end)

    @property
    def noun_chunks(self) -> Iterator[Span]:
        """Base noun phrases from the dependency parse (UD labels, English; see plait.core.noun_chunks)."""
        from plait.core.noun_chunks import noun_chunks

        return noun_chunks(self)

    @property
    def ents(self) -> tuple[Span, ...]:
        """Entities from the ENT_IOB / ENT_TYPE columns."""
        iob, types = self.columns["ENT_IOB"], self.columns["ENT_TYPE"]
        spans: list[Span] = []
        start = -1
        for i in range(len(self) + 1):
            code = int(iob[i]) if i < len(self) else 2
            if start >= 0 and (code != 1 or types[i] != types[start]):
                spans.append(Span(self, start, i, int(types[start])))
                start = -1
            if code == 3:
                start = i
        return tuple(spans)

    @ents.setter
    def ents(self, spans: Iterable[Span | tuple[int, int, str]]) -> None:
        self.set_ents(spans)

    def set_ents(self, spans: Iterable[Span | tuple[int, int, str]], missing: Sequence[bool] | None = None) -> None:
        """Set entities; every other token is outside ("O"), or unknown where `missing` flags it."""
        triples = sorted(((s.start, s.end, s.label) if isinstance(s, Span) else tuple(s) for s in spans),
                         key=lambda t: t[:2])  # by position only: labels may mix strings and ids
        starts = np.fromiter((t[0] for t in triples), dtype=np.int64, count=len(triples))
        ends = np.fromiter((t[1] for t in triples), dtype=np.int64, count=len(triples))
        bad = (starts < 0) | (ends <= starts) | (ends > len(self))
        bad[1:] |= starts[1:] < np.maximum.accumulate(ends)[:-1]  # starts inside an earlier entity
        if bad.any():
            start, end, _ = triples[int(np.flatnonzero(bad)[0])]
            raise ValueError(f"entity [{start}:{end}] is empty, outside the doc's {len(self)} tokens or "
                             "overlaps another entity")
        keys: dict[str | int, int] = {}
        for _, _, label in triples:
            if label not in keys:
                keys[label] = self.vocab.strings.add(label) if isinstance(label, str) else int(label)
        iob, types = self.columns["ENT_IOB"], self.columns["ENT_TYPE"]
        inside = np.zeros(len(self) + 1, dtype=np.int64)  # +1 at each start, -1 at each end: its running sum
        np.add.at(inside, starts, 1)
        np.add.at(inside, ends, -1)
        taken = np.cumsum(inside[:-1]) > 0
        iob[:] = np.where(taken, _IOB_CODE["I"], _IOB_CODE["O"])
        iob[starts] = _IOB_CODE["B"]
        types[:] = 0
        types[taken] = np.repeat(np.fromiter((keys[t[2]] for t in triples), dtype=types.dtype, count=len(triples)),
                                 ends - starts)
        if missing is not None:
            iob[np.asarray(missing, dtype=bool) & ~taken] = 0

    def char_span(self, start: int, end: int, label: str | int = 0, alignment_mode: str = "strict") -> Span | None:
        """The span covering characters [start, end); None when they do not fall on token boundaries.

        `alignment_mode="expand"` widens to the tokens that overlap the range; "contract" narrows to the
        tokens it contains wholly.
        """
        offsets = self.offsets
        ends = offsets + np.fromiter((len(w) for w in self.words), dtype=np.int64, count=len(self))
        if alignment_mode == "strict":
            first = np.flatnonzero(offsets == start)
            last = np.flatnonzero(ends == end)
        elif alignment_mode == "expand":
            first = np.flatnonzero(ends > start)[:1]
            last = np.flatnonzero(offsets < end)[-1:]
        elif alignment_mode == "contract":
            first = np.flatnonzero(offsets >= start)[:1]
            last = np.flatnonzero(ends <= end)[-1:]
        else:
            raise ValueError(f"alignment_mode must be strict, expand or contract, not {alignment_mode!r}")
        if not len(first) or not len(last) or last[-1] < first[0]:
            return None
        return Span(self, int(first[0]), int(last[-1]) + 1, label)

    def retokenize(self) -> "Retokenizer":
        """`with doc.retokenize() as retokenizer:` merge spans and split tokens, applied when the block ends."""
        from plait.core.retokenizer import Retokenizer

        return Retokenizer(self)

    # -- copying and serialization --------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """spaCy's JSON form of the doc (text, ents, sents, tokens, cats, spans); see plait.core.doc_io."""
        from plait.core.doc_io import to_json

        return to_json(self)

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """The doc as msgpack bytes carrying the strings it uses, for `Doc(vocab).from_bytes(data)`."""
        from plait.core.doc_io import to_bytes

        return to_bytes(self, exclude)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "Doc":
        """Load what `to_bytes` wrote into this doc (its tokens and annotations are replaced); returns the doc."""
        from plait.core.doc_io import from_bytes

        return from_bytes(self, data, exclude)

    def copy_tokens(self) -> "Doc":
        """A new Doc with the same tokens and spacing and no annotations (no re-tokenizing, no string work)."""
        return Doc.from_lex(self.vocab, self.lex.copy(), self.spaces.copy())

    @classmethod
    def from_lex(cls, vocab: Vocab, lex: np.ndarray, spaces: np.ndarray) -> "Doc":
        """A Doc of the lexemes `lex` (int32 ids in `vocab`, kept, not copied) and their space flags."""
        doc = cls.__new__(cls)
        doc._set_tokens(vocab, lex, spaces)
        return doc

    def slice(self, start: int, end: int) -> "Doc":
        """A new Doc holding tokens [start, end) with their annotations (heads outside the slice are unset; of each
        span group, the spans inside the slice, with their scores)."""
        doc = Doc(self.vocab, [self.vocab.words[i] for i in self.lex[start:end]], self.spaces[start:end].copy())
        for name, values in self.columns.items():
            doc.columns[name][:] = values[start:end]
        heads = doc.columns["HEAD"]
        inside = (heads >= start) & (heads < end)
        heads[:] = np.where(inside, heads - start, -1)
        if len(doc) and doc.columns["SENT_START"][0] != 0:
            doc.columns["SENT_START"][0] = 1
        if len(doc) and doc.columns["ENT_IOB"][0] == _IOB_CODE["I"]:
            doc.columns["ENT_IOB"][0] = _IOB_CODE["B"]
        doc.cats = dict(self.cats)
        for name, group in self.spans.items():
            inside = [i for i, span in enumerate(group) if start <= span.start and span.end <= end]
            attrs = dict(group.attrs)
            if group.scores is not None:
                attrs["scores"] = [group.scores[i] for i in inside]
            doc.spans[name] = SpanGroup(doc, name=name, attrs=attrs, spans=[
                Span(doc, group[i].start - start, group[i].end - start, group[i].label) for i in inside])
        return doc

    def to_dict(self) -> dict[str, Any]:
        """Everything but user data, as numpy arrays and plain values (strings as hashes; see `string_hashes`)."""
        return {
            "orth": self.vocab.lex_strings[self.lex, 0] if len(self) else np.zeros(0, dtype=np.uint64),
            "spaces": self.spaces,
            "columns": self.columns,
            "cats": self.cats,
            "spans": {name: [(s.start, s.end, s.label) for s in group] for name, group in self.spans.items()},
            "span_scores": {name: group.scores for name, group in self.spans.items() if group.scores is not None},
        }

    def string_hashes(self) -> set[int]:
        """Every string hash this doc's saved form refers to."""
        keys = set(self.to_dict()["orth"].tolist())
        for name in STRING_COLUMNS:
            if name in self.columns:
                keys.update(np.unique(self.columns[name]).tolist())
        for group in self.spans.values():
            keys.update(s.label for s in group)
        keys.discard(0)
        return keys

    @classmethod
    def from_dict(cls, vocab: Vocab, data: dict[str, Any]) -> "Doc":
        """Rebuild a Doc saved by `to_dict`; the vocab's string store must hold its strings."""
        strings = vocab.strings
        doc = cls(vocab, [strings[int(k)] for k in data["orth"]], data["spaces"])
        for name, values in data["columns"].items():
            doc.columns[name][:] = values
        doc.cats = dict(data["cats"])
        doc.spans = {name: [Span(doc, s, e, lab) for s, e, lab in group] for name, group in data["spans"].items()}
        for name, scores in data.get("span_scores", {}).items():
            doc.spans[name].attrs["scores"] = list(scores)
        return doc
