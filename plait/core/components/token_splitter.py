"""token_splitter: cut very long tokens (URLs, noise) into short pieces, keeping the text exactly.

Meant as the first component of a transformer pipeline, so that a single token can never exceed a
span getter's window. Annotations are not carried over: nothing has annotated the doc yet.
"""
from __future__ import annotations

from typing import Any, Callable

from plait.core.components.declaration import ComponentKind, declare
from plait.core.doc import Doc
from plait.core.registries import registry


class TokenSplitter:
    """Split tokens of at least `min_length` characters into pieces of `split_length` characters."""

    model = None

    def __init__(self, name: str, *, min_length: int, split_length: int) -> None:
        if split_length < 1 or min_length < 1:
            raise ValueError("token_splitter: min_length and split_length must be at least 1")
        self.name, self.min_length, self.split_length = name, min_length, split_length

    def __call__(self, doc: Doc) -> Doc:
        words = doc.words
        if all(len(w) < self.min_length for w in words):
            return doc
        new_words: list[str] = []
        new_spaces: list[bool] = []
        for word, space in zip(words, doc.spaces.tolist()):
            if len(word) < self.min_length:
                new_words.append(word)
                new_spaces.append(space)
                continue
            pieces = [word[i:i + self.split_length] for i in range(0, len(word), self.split_length)]
            new_words.extend(pieces)
            new_spaces.extend([False] * (len(pieces) - 1) + [space])
        out = Doc(doc.vocab, new_words, new_spaces)
        out.cats = dict(doc.cats)
        out.user_data = dict(doc.user_data)
        return out

    def get_state(self) -> dict[str, Any]:
        return {"min_length": self.min_length, "split_length": self.split_length}

    def set_state(self, state: dict[str, Any]) -> None:
        self.min_length, self.split_length = state["min_length"], state["split_length"]


@registry.factories.register("token_splitter")
@declare(kind=ComponentKind.OTHER)
def make_token_splitter(*, min_length: int = 25, split_length: int = 10) -> Callable[[Any, str], TokenSplitter]:
    """Factory `token_splitter`: tokens of >= `min_length` characters become pieces of `split_length`."""
    return lambda nlp, name: TokenSplitter(name, min_length=min_length, split_length=split_length)
