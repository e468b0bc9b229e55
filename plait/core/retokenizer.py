"""`with doc.retokenize() as retokenizer:` merging spans into one token and splitting a token into several.

The changes are collected in the block and made together when it ends, as spaCy does: the doc's tokens,
every annotation column, heads, entities, span groups and the `._` values of tokens and spans are rebuilt
once. A merged token takes the annotations of the span's root (its first token whose head lies outside the
span), its sentence start and entity from the span's first tokens; the subtokens of a split take the split
token's annotations but its lemma, and their heads from `heads`. `attrs` then overrides both.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

if TYPE_CHECKING:
    from plait.core.doc import Doc
    from plait.core.span import Span
    from plait.core.token import Token

# attribute names `attrs` takes (case-insensitive) -> the column they set; "_" sets `._` extension values
_STRING_ATTRS = {"TAG": "TAG", "POS": "POS", "MORPH": "MORPH", "LEMMA": "LEMMA", "DEP": "DEP", "ENT_TYPE": "ENT_TYPE"}
_OTHER_ATTRS = ("SENT_START", "IS_SENT_START", "_")
_B, _I, _O = 3, 1, 2  # ENT_IOB codes (see doc.py)


class Retokenizer:
    """Collects `merge` and `split` calls; `__exit__` applies them all to the doc."""

    def __init__(self, doc: "Doc") -> None:
        self.doc = doc
        self.merges: list[tuple[int, int, dict[str, Any]]] = []
        self.splits: dict[int, tuple[list[str], list[Any], dict[str, Any]]] = {}

    def __enter__(self) -> "Retokenizer":
        return self

    def __exit__(self, kind: Any, *_: Any) -> None:
        if kind is None:  # a block that raised leaves the doc as it was
            _apply(self.doc, sorted(self.merges), self.splits)

    def merge(self, span: "Span", attrs: dict[str, Any] | None = None) -> None:
        """Mark `span` to become one token; `attrs` ({"LEMMA": ..., "TAG": ..., "_": {name: value}}) set on it."""
        if span.doc is not self.doc:
            raise ValueError("retokenizer.merge takes a span of the doc being retokenized")
        if not len(span):
            raise ValueError(f"cannot merge the empty span [{span.start}:{span.end}]")
        for start, end, _ in self.merges:
            if span.start < end and start < span.end:
                raise ValueError(f"cannot merge [{span.start}:{span.end}]: it overlaps [{start}:{end}], already "
                                 "marked for merging")
        self.merges.append((span.start, span.end, _checked_attrs(attrs, None)))

    def split(self, token: "Token", orths: Sequence[str], heads: Sequence[Any],
              attrs: dict[str, Any] | None = None) -> None:
        """Mark `token` to become the tokens `orths` (which must spell its text). `heads` gives each new token's
        head: a Token of the doc, or (token, n) for the n-th subtoken of a split token. `attrs` maps each
        attribute to one value per subtoken."""
        if token.doc is not self.doc:
            raise ValueError("retokenizer.split takes a token of the doc being retokenized")
        orths = list(orths)
        if "".join(orths) != token.text or not all(orths):
            raise ValueError(f"split: the orths {orths} must be non-empty and spell the token {token.text!r}")
        if len(heads) != len(orths):
            raise ValueError(f"split: got {len(orths)} orths but {len(heads)} heads")
        if token.i in self.splits:
            raise ValueError(f"token {token.i} ({token.text!r}) is already marked for splitting")
        self.splits[token.i] = (orths, list(heads), _checked_attrs(attrs, len(orths)))


def _checked_attrs(attrs: dict[str, Any] | None, n_values: int | None) -> dict[str, Any]:
    """`attrs` with upper-case names; ValueError for an unknown attribute or (split) a wrong number of values."""
    checked: dict[str, Any] = {}
    for name, value in (attrs or {}).items():
        key = name if name == "_" else str(name).upper()
        if key not in _STRING_ATTRS and key not in _OTHER_ATTRS:
            raise ValueError(f"retokenizer attrs: unknown attribute {name!r}; known: "
                             f"{', '.join([*_STRING_ATTRS, *_OTHER_ATTRS])}")
        if n_values is not None:  # split: one value per subtoken, extensions as {name: [values]}
            lists = value.values() if key == "_" else [value]
            if any(not isinstance(v, (list, tuple)) or len(v) != n_values for v in lists):
                raise ValueError(f"split attrs[{name!r}]: give one value per subtoken ({n_values})")
        checked["SENT_START" if key == "IS_SENT_START" else key] = value
    return checked


def _apply(doc: "Doc", merges: list[tuple[int, int, dict[str, Any]]],
           splits: dict[int, tuple[list[str], list[Any], dict[str, Any]]]) -> None:
    for start, end, _ in merges:
        inside = [i for i in splits if start <= i < end]
        if inside:
            raise ValueError(f"token {inside[0]} is marked both for splitting and for merging [{start}:{end}]")
    n, words, spaces = len(doc), doc.words, doc.spaces
    heads = doc.columns["HEAD"] if "HEAD" in doc.columns else np.full(n, -1, dtype=np.int32)
    source: list[int] = []  # per new token, the old token whose annotations it starts from
    new_words: list[str] = []
    new_spaces: list[bool] = []
    first = np.zeros(n + 1, dtype=np.int64)  # old token -> its first new token (n -> the new length)
    last = np.zeros(n, dtype=np.int64)  # old token -> its last new token
    merge_at = {start: (end, attrs) for start, end, attrs in merges}
    i = 0
    while i < n:
        if i in merge_at:
            end, _ = merge_at[i]
            root = next((j for j in range(i, end) if not i <= heads[j] < end or heads[j] == j), i)
            first[i:end] = last[i:end] = len(source)
            source.append(root)
            new_words.append("".join(w + (" " if s else "") for w, s in zip(words[i:end - 1], spaces[i:end - 1]))
                             + words[end - 1])
            new_spaces.append(bool(spaces[end - 1]))
            i = end
            continue
        pieces = splits[i][0] if i in splits else [words[i]]
        first[i], last[i] = len(source), len(source) + len(pieces) - 1
        source.extend([i] * len(pieces))
        new_words.extend(pieces)
        new_spaces.extend([False] * (len(pieces) - 1) + [bool(spaces[i])])
        i += 1
    first[n] = len(source)
    src = np.asarray(source, dtype=np.int64)
    columns = {name: values[src] for name, values in doc.columns.items()}
    if splits and "HEAD" not in columns:  # the heads `split` was given start a parse
        columns["HEAD"] = np.full(len(src), -1, dtype=np.int32)
    _fix_merged(doc, columns, merges, first, heads)
    _fix_split(doc, columns, splits, first, last)
    if "HEAD" in columns:
        _remap_heads(columns["HEAD"], heads, src, merges, splits, first, last)
    _set_attrs(doc, columns, merges, splits, first)
    user_data = _remapped_user_data(doc, first, last)
    spans = {name: [(int(first[s.start]), int(last[s.end - 1]) + 1 if len(s) else int(first[s.start]), s.label)
                    for s in group] for name, group in doc.spans.items()}
    doc.lex = doc.vocab.lex_ids(new_words)
    doc.spaces = np.asarray(new_spaces, dtype=bool)
    doc.columns.clear()
    doc.columns.n_tokens = len(new_words)
    doc.columns.update(columns)
    doc._offsets = None
    doc.tensor = None  # one row per old token: no longer aligned
    from plait.core.span import Span

    from plait.core.span_group import SpanGroup

    for name, group in spans.items():  # key by key, each keeping its attrs (a spancat's scores: same spans, same order)
        doc.spans[name] = SpanGroup(doc, name=name, attrs=doc.spans[name].attrs,
                                    spans=[Span(doc, s, e, label) for s, e, label in group])
    doc.user_data = user_data
    _set_extensions(doc, merges, splits, first)


def _fix_merged(doc: "Doc", columns: dict[str, np.ndarray], merges: list, first: np.ndarray,
                heads: np.ndarray) -> None:
    """A merged token's sentence start is its span's first token's; its entity the first entity inside it."""
    old = doc.columns
    for start, end, _ in merges:
        k = first[start]
        if "SENT_START" in columns:
            columns["SENT_START"][k] = old["SENT_START"][start]
        if "ENT_IOB" in columns:
            inside = [j for j in range(start, end) if old["ENT_IOB"][j] in (_B, _I)]
            if inside:
                columns["ENT_TYPE"][k] = old["ENT_TYPE"][inside[0]]
                columns["ENT_IOB"][k] = _I if inside[0] == start and old["ENT_IOB"][start] == _I else _B
            else:
                columns["ENT_IOB"][k] = old["ENT_IOB"][start]


def _fix_split(doc: "Doc", columns: dict[str, np.ndarray], splits: dict, first: np.ndarray,
               last: np.ndarray) -> None:
    """Subtokens: no lemma; a sentence start and an entity start only on the first."""
    for i in splits:
        rest = slice(first[i] + 1, last[i] + 1)
        if "LEMMA" in columns:
            columns["LEMMA"][first[i]:last[i] + 1] = 0
        if "SENT_START" in columns and columns["SENT_START"][first[i]] != 0:
            columns["SENT_START"][rest] = -1
        if "ENT_IOB" in columns and columns["ENT_IOB"][first[i]] == _B:
            columns["ENT_IOB"][rest] = _I


def _remap_heads(new_heads: np.ndarray, heads: np.ndarray, src: np.ndarray, merges: list, splits: dict,
                 first: np.ndarray, last: np.ndarray) -> None:
    """Old head indices to new ones: a split token's dependants attach to its subtoken whose head lies outside
    it, a merged span's to the merged token; the subtokens take the heads `split` was given."""
    target = first[:-1].copy()  # the new token an old head index points to
    for i, (_, sub_heads, _) in splits.items():
        outside = [n for n, h in enumerate(sub_heads) if not (isinstance(h, tuple) and h[0].i == i)]
        target[i] = first[i] + (outside[0] if outside else 0)
    old = heads[src]
    new_heads[:] = np.where(old >= 0, target[np.clip(old, 0, None)], -1)
    for start, end, _ in merges:  # a root whose head is inside its own span (itself): the merged token
        k = first[start]
        if start <= heads[src[k]] < end:
            new_heads[k] = k
    for i, (_, sub_heads, _) in splits.items():
        for n, head in enumerate(sub_heads):
            if isinstance(head, tuple):
                token, index = head
                if index >= last[token.i] - first[token.i] + 1:
                    raise ValueError(f"split heads: token {token.i} has no subtoken {index}")
                new_heads[first[i] + n] = first[token.i] + index
            else:
                new_heads[first[i] + n] = target[head.i]


def _set_attrs(doc: "Doc", columns: dict[str, np.ndarray], merges: list, splits: dict, first: np.ndarray) -> None:
    """The string and sentence-start values `attrs` gave, onto the new tokens."""
    n_new = int(first[-1])

    def column(name: str) -> np.ndarray:
        if name not in columns:  # a column the doc had not allocated: a fresh one of its kind
            columns[name] = type(doc.columns)(n_new)[name]
        return columns[name]

    def put(k: int, name: str, value: Any) -> None:
        if name == "SENT_START":
            column(name)[k] = 0 if value is None else (1 if value in (True, 1) else -1)
        else:
            column(name)[k] = doc.vocab.strings.add(value) if value else 0
            if name == "ENT_TYPE":
                column("ENT_IOB")[k] = _B if value else _O

    for start, _, attrs in merges:
        for name, value in attrs.items():
            if name != "_":
                put(int(first[start]), name, value)
    for i, (_, _, attrs) in splits.items():
        for name, values in attrs.items():
            if name != "_":
                for n, value in enumerate(values):
                    put(int(first[i]) + n, name, value)


def _remapped_user_data(doc: "Doc", first: np.ndarray, last: np.ndarray) -> dict[Any, Any]:
    """`._` values of tokens and spans at their new positions (a merged span keeps its first token's); the doc's
    own (keyed without positions) stay."""
    out: dict[Any, Any] = {}
    for key, value in doc.user_data.items():
        if isinstance(key, tuple) and len(key) == 4 and key[0] == "._." and key[2] is not None:
            _, name, start, end = key
            if end is None:
                key = ("._.", name, int(first[start]), None)
            else:
                key = ("._.", name, int(first[start]), int(last[end - 1]) + 1 if end > start else int(first[start]))
        out.setdefault(key, value)
    return out


def _set_extensions(doc: "Doc", merges: list, splits: dict, first: np.ndarray) -> None:
    """The `._` values `attrs["_"]` gave, on the new tokens."""
    from plait.core.token import Token

    for start, _, attrs in merges:
        for name, value in attrs.get("_", {}).items():
            setattr(Token(doc, int(first[start]))._, name, value)
    for i, (_, _, attrs) in splits.items():
        for name, values in attrs.get("_", {}).items():
            for n, value in enumerate(values):
                setattr(Token(doc, int(first[i]) + n)._, name, value)
