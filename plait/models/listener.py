"""Listener: a stand-in for a shared encoder inside a head's model, fed the encoder's output for each batch.

The upstream component runs its encoder once per batch and hands the result to every listener linked to
it. The heads' losses are summed and one backward pass reaches the encoder through autograd: no callbacks.
At inference, a listener that was handed nothing for this batch reads the per-doc vectors the upstream
component stored on the docs (`doc.tensor`).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import torch
from torch import nn

from plait.models.batch import TokenBatch
from plait.models.output_kind import OutputKind
from plait.models.settings import PositiveInt


class ListenerError(RuntimeError):
    """A listener got no output from its upstream for the docs it was asked about."""


class Listener(nn.Module):
    """Returns the upstream's TokenBatch for `docs`; has no weights of its own.

    `upstream` is the name of the component to listen to ("*" for whichever encoder component the pipeline
    has); `width` must equal that component's output width.
    """

    def __init__(self, *, width: int | None, upstream: str = "*") -> None:
        super().__init__()
        self.declared_width, self.upstream = width, upstream
        self.upstream_name: str | None = None  # the encoder component it reads, once linked
        self.owner: str = ""  # the component whose model holds this listener, for messages
        self._batch_ids: tuple[int, ...] | None = None
        self._output: Any = None

    reads = OutputKind.TOKENS  # the kind of encoder output this listener reads

    @property
    def width(self) -> int | None:
        return self.declared_width

    def link(self, upstream_name: str, owner: str, upstream_width: Callable[[], int | None]) -> None:
        """Called when the pipeline links this listener (in component `owner`) to encoder `upstream_name`,
        whose output width `upstream_width` reads from its model's config."""
        self.upstream_name, self.owner = upstream_name, owner

    def advance(self) -> None:
        """Called after each optimizer step (a listener with a per-step schedule moves it on)."""

    def receive(self, docs: Sequence[Any], output: Any) -> None:
        """Called by the upstream component with its output for `docs`."""
        self._batch_ids = tuple(id(doc) for doc in docs)
        self._output = output

    def clear(self) -> None:
        self._batch_ids, self._output = None, None

    def forward(self, docs: Sequence[Any]) -> TokenBatch:
        return self._lookup(docs)

    def _lookup(self, docs: Sequence[Any]) -> Any:
        """The upstream's output for exactly these docs: the one just received, else what it stored on the docs."""
        if self._output is not None and self._batch_ids == tuple(id(doc) for doc in docs):
            return self._output
        stored = self._from_docs(docs) if docs else None
        if stored is not None and not (self.training and self._output is not None):
            return stored
        if self._output is not None:
            raise ListenerError(self._message("was fed a different batch from the one its upstream encoded"))
        raise ListenerError(self._message("got no output: is the upstream component disabled, missing, or after it "
                                          "in the pipeline?"))

    def _from_docs(self, docs: Sequence[Any]) -> Any:
        """A batch rebuilt from the per-doc vectors a tok2vec stores at inference (`doc.tensor`), or None."""
        if all(isinstance(getattr(doc, "tensor", None), torch.Tensor) for doc in docs):
            return TokenBatch(torch.cat([doc.tensor for doc in docs]), [len(doc) for doc in docs])
        return None

    def _message(self, problem: str) -> str:
        upstream = self.upstream_name or self.upstream
        return f"listener in component {self.owner!r} (upstream {upstream!r}) {problem}"


def build_tok2vec_listener(*, width: PositiveInt, upstream: str = "*") -> Listener:
    """`plait.Tok2VecListener.v1`: reads the output of the shared encoder component named `upstream`."""
    return Listener(width=width, upstream=upstream)
