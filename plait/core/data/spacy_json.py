"""spaCy's `Doc.to_json` records: "text", "tokens" ({"start", "end"} and optional "tag", "pos", "morph",
"lemma", "dep", "head"), "ents" and "sents" ({"start", "end"} character offsets), "cats", "spans"."""
from __future__ import annotations

from typing import Any

from plait.core.data.records import CharIndex
from plait.core.doc import Doc
from plait.core.span import Span
from plait.core.vocab import Vocab

_TOKEN_STRINGS = {"tag": "TAG", "pos": "POS", "morph": "MORPH", "lemma": "LEMMA", "dep": "DEP"}


def is_spacy_json(record: dict[str, Any]) -> bool:
    """True for a record in spaCy's Doc.to_json shape (its tokens are objects with character offsets)."""
    tokens = record.get("tokens")
    return isinstance(tokens, list) and all(isinstance(t, dict) for t in tokens)


def doc_from_spacy_json(vocab: Vocab, record: dict[str, Any]) -> Doc:
    """A Doc from a spaCy JSON record; ValueError saying what is wrong when it is inconsistent."""
    text, tokens = record.get("text"), record["tokens"]
    if not isinstance(text, str):
        raise ValueError('a spaCy JSON record needs a "text" string')
    words, spaces = [], []
    for i, token in enumerate(tokens):
        start, end = token.get("start"), token.get("end")
        following = tokens[i + 1].get("start") if i + 1 < len(tokens) else len(text)
        if not (isinstance(start, int) and isinstance(end, int) and isinstance(following, int)
                and 0 <= start < end <= following <= len(text)):
            raise ValueError(f"token {i}: start/end {start!r}, {end!r} are not increasing offsets into the text")
        gap = text[end:following]
        if gap not in ("", " "):
            raise ValueError(f"token {i}: the text between tokens must be one space or nothing, not {gap!r}")
        words.append(text[start:end])
        spaces.append(gap == " ")
    if tokens and tokens[0]["start"] != 0:
        raise ValueError("the first token does not start the text")
    doc = Doc(vocab, words, spaces)
    for key, column in _TOKEN_STRINGS.items():
        if any(key in t for t in tokens):
            doc.set_strings(column, [_string(t, key, i) for i, t in enumerate(tokens)])
    if any("head" in t for t in tokens):
        heads = [t.get("head", -1) for t in tokens]
        if not all(isinstance(h, int) and -1 <= h < len(doc) for h in heads):
            raise ValueError(f"heads must be token indices in [0, {len(doc)})")
        doc.columns["HEAD"][:] = heads
    index = CharIndex(doc)
    if record.get("sents") is not None:
        starts = doc.columns["SENT_START"]
        starts[:] = -1
        for sent in record["sents"]:
            first, _ = _tokens(index, sent, "sentence")
            starts[first] = 1
    if record.get("ents") is not None:
        doc.set_ents([(*_tokens(index, ent, "entity"), ent["label"]) for ent in record["ents"]])
    if record.get("cats") is not None:
        doc.cats = {str(label): float(score) for label, score in record["cats"].items()}
    groups = record.get("spans") or {}
    if not isinstance(groups, dict) or not all(isinstance(group, list) for group in groups.values()):
        raise ValueError('"spans" must be an object mapping group names to lists of spans')
    for name, group in groups.items():
        doc.spans[name] = [_span(doc, index, span, f"span {i} in group {name!r}") for i, span in enumerate(group)]
    return doc


def _span(doc: Doc, index: CharIndex, item: Any, what: str) -> Span:
    """A span from spaCy's {"start", "end", "label"} object (character offsets on token boundaries)."""
    if not isinstance(item, dict) or not isinstance(item.get("label"), str):
        raise ValueError(f'{what} must be an object with "start", "end" and a "label" string')
    return Span(doc, *_tokens(index, item, what), item["label"])


def _string(token: dict[str, Any], key: str, i: int) -> str:
    value = token.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f'token {i}: "{key}" must be a string, not {type(value).__name__}')
    return value


def _tokens(index: CharIndex, item: dict[str, Any], what: str) -> tuple[int, int]:
    """Tokens [first, last) an item's "start"/"end" character offsets cover exactly."""
    start, end = item.get("start"), item.get("end")
    tokens = index.exact(start, end, what)
    if tokens is None:
        raise ValueError(f"{what} [{start}, {end}) does not fall on token boundaries")
    return tokens
