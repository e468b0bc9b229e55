"""What the shared encoder components (tok2vec, transformer) have in common: the listeners linked to them."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from torch import nn

from plait.core.doc import Doc
from plait.models.listener import Listener, OutputKind


class EncoderComponent:
    """Runs its model once per batch and hands the output to every listener linked to it (`contract.Encoder`).

    Subclasses say what kind of output their listeners read (`output_kind`) and how the output of a batch
    is kept on the docs at inference (`store`), for listeners called on another batch.
    """

    output_kind: OutputKind

    def __init__(self, name: str, model: nn.Module) -> None:
        self.name, self.model = name, model
        self.listeners: list[Listener] = []

    def output_width(self) -> int | None:
        """The width of the vectors its listeners get, from the model's config."""
        return self.model.width

    def add_listener(self, listener: Listener, owner: str) -> None:
        """Link `listener` (inside component `owner`'s model) to this encoder."""
        listener.link(self.name, owner, self.output_width)
        if all(existing is not listener for existing in self.listeners):
            self.listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        """Unlink `listener` (its component's model no longer reads this encoder)."""
        self.listeners = [x for x in self.listeners if x is not listener]

    def clear_listeners(self) -> None:
        """Drop the output of the last batch held by the listeners (its graph and tensors can be freed)."""
        for listener in self.listeners:
            listener.clear()

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

    def initialize(self, get_examples: Callable[[], Iterable[Any]], **_: Any) -> None:
        """Nothing to learn from data by default: the encoder's shapes are fixed by its config."""
