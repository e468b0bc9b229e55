"""What the shared encoder components (tok2vec, transformer) have in common: listeners and batch processing."""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence

import torch
from torch import nn

from plait.core.components.batching import inference_batches
from plait.core.doc import Doc
from plait.models.listener import Listener


class EncoderComponent:
    """Runs its model once per batch and hands the output to every listener linked to it.

    Subclasses say what kind of output their listeners read (`output_kind`) and how the output of a batch
    is kept on the docs at inference (`store`), for listeners called on another batch.
    """

    is_encoder = True
    output_kind = ""

    def __init__(self, name: str, model: nn.Module) -> None:
        self.name, self.model = name, model
        self.listeners: list[Listener] = []

    def add_listener(self, listener: Listener, owner: str) -> None:
        listener.upstream_name, listener.owner = self.name, owner
        if all(existing is not listener for existing in self.listeners):
            self.listeners.append(listener)

    def run_model(self, docs: Sequence[Doc]) -> Any:
        return self.model(docs)

    def encode(self, docs: Sequence[Doc]) -> Any:
        """Run the encoder (with gradients if enabled by the caller) and hand the output to every listener."""
        output = self.run_model(docs)
        for listener in self.listeners:
            listener.receive(docs, output)
        return output

    def store(self, docs: Sequence[Doc], output: Any) -> None:
        """Keep each doc's share of `output` on the doc."""
        raise NotImplementedError

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        self.model.eval()
        for batch in inference_batches(docs, batch_size):
            with torch.no_grad():
                output = self.encode(batch)
            self.store(batch, output)
            yield from batch
