"""tok2vec: a shared encoder component that runs once per batch and feeds every listener linked to it."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Sequence

import torch
from torch import nn

from plait.core.components.batching import minibatch
from plait.core.doc import Doc
from plait.models.batch import TokenBatch
from plait.models.listener import Listener


class Tok2VecComponent:
    """Encodes docs into per-token vectors; heads read them through Listener layers.

    At inference the vectors are also stored on each doc as `doc.tensor` (tokens, width), which is what a
    listener reads when it is called on a batch other than the one just encoded.
    """

    is_encoder = True
    output_kind = "tokens"  # what its listeners read: a TokenBatch

    def __init__(self, name: str, model: nn.Module) -> None:
        self.name, self.model = name, model
        self.listeners: list[Listener] = []

    def add_listener(self, listener: Listener, owner: str) -> None:
        listener.upstream_name, listener.owner = self.name, owner
        if all(existing is not listener for existing in self.listeners):
            self.listeners.append(listener)

    def encode(self, docs: Sequence[Doc]) -> TokenBatch:
        """Run the encoder (with gradients if enabled by the caller) and hand the output to every listener."""
        output = self.model(docs)
        for listener in self.listeners:
            listener.receive(docs, output)
        return output

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        self.model.eval()
        for batch in minibatch(docs, batch_size):
            with torch.no_grad():
                output = self.encode(batch)
            for doc, rows in zip(batch, output.per_doc()):
                doc.tensor = rows
            yield from batch

    def initialize(self, get_examples: Callable[[], Iterable[Any]], **_: Any) -> None:
        """Nothing to learn from data before training: the encoder's shapes are fixed by its config."""

    def get_state(self) -> dict[str, Any]:
        return {}

    def set_state(self, state: dict[str, Any]) -> None:
        pass


def make_tok2vec(*, model: nn.Module) -> Callable[[Any, str], Tok2VecComponent]:
    """Factory `tok2vec`: a shared encoder; heads use `plait.Tok2VecListener.v1` to read its output."""
    return lambda nlp, name: Tok2VecComponent(name, model)
