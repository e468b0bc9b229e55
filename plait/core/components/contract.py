"""The component contract: what the pipeline, the trainer and saving ask of a component, declared once.

Every check of what a component can do is an `isinstance` against one of these protocols. A trainable head
is `Trainable` and nothing more: the pipeline batches its docs (`run_batch`), saving stores its `labels`, and
a head with learned state beyond its labels adds `get_state`/`set_state` (`Stateful`). A shared encoder is
`Encoder`, which lists every method the pipeline calls on one. A rule-based component is a callable doc -> doc.
What a model may declare about itself (its width, ...) is in `plait/models/traits.py`. See ARCHITECTURE.md.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol, Sequence, Union, runtime_checkable

if TYPE_CHECKING:  # torch (through the models) is imported by components with weights, not by a pipeline of tables
    import torch
    from torch import nn

    from plait.core.data.example import Example
    from plait.core.doc import Doc
    from plait.models.listener import Listener, OutputKind


@runtime_checkable
class WithModel(Protocol):
    """A component with a `model` attribute (None for a rule-based one)."""

    model: nn.Module | None


@runtime_checkable
class Initializable(Protocol):
    """Learns what it needs (labels, pretrained weights) before training: `[initialize.components.NAME]`
    settings arrive as keyword arguments."""

    def initialize(self, get_examples: Callable[[], Iterable[Example]], **settings: Any) -> None: ...


@runtime_checkable
class Predictor(Protocol):
    """Predicts for a batch of docs, then writes the predictions onto them."""

    def predict(self, docs: Sequence[Doc]) -> Any: ...

    def set_annotations(self, docs: Sequence[Doc], predictions: Any) -> None: ...


@runtime_checkable
class Scorer(Protocol):
    """Scores predicted examples; `score_key` is its headline score (default weights, tables)."""

    score_key: str

    def score(self, examples: Sequence[Example]) -> dict[str, Any]: ...


@runtime_checkable
class Trainable(Initializable, Predictor, Scorer, Protocol):
    """A head: its model scores a batch of docs, `get_loss` compares the scores with the gold annotation."""

    name: str
    model: nn.Module

    def get_loss(self, examples: Sequence[Example], scores: Any) -> torch.Tensor: ...


@runtime_checkable
class Encoder(Protocol):
    """A shared encoder (tok2vec, transformer): runs once per batch and hands its output to the listeners
    linked to it; `store` keeps each doc's share on the doc at inference. These are all the pipeline asks of
    one: `core/listeners.py` links and unlinks listeners, training encodes and clears them after each step.

    `listeners` is read by the pipeline and changed only through `add_listener` and `remove_listener`.
    """

    name: str
    model: nn.Module
    output_kind: OutputKind  # what its listeners read: TOKENS (a TokenBatch) or WORDPIECES
    listeners: list[Listener]

    def output_width(self) -> int | None:
        """The width of the vectors its listeners get (checked against a listener's declared width)."""
        ...

    def add_listener(self, listener: Listener, owner: str) -> None:
        """Link `listener`, inside component `owner`'s model: `listener.link(self.name, owner,
        self.output_width)`, then keep it in `listeners` (once)."""
        ...

    def remove_listener(self, listener: Listener) -> None:
        """Drop `listener` from `listeners`."""
        ...

    def clear_listeners(self) -> None:
        """Make every listener let go of the last batch's output (`listener.clear()`), so it can be freed."""
        ...

    def encode(self, docs: Sequence[Doc]) -> Any:
        """Run the model once on `docs` and hand the output to every listener (`listener.receive(docs, output)`)."""
        ...

    def store(self, docs: Sequence[Doc], output: Any) -> None:
        """Keep each doc's share of `output` on the doc, for a listener later called on other batches."""
        ...


@runtime_checkable
class Labelled(Protocol):
    """Has a label set learned from data: saved as `{"labels": [...]}` unless it is `Stateful`."""

    labels: Sequence[Any]

    def set_labels(self, labels: Sequence[Any]) -> None: ...


@runtime_checkable
class Stateful(Protocol):
    """Saves more than its labels (a parser's root label, a ruler's patterns) as JSON."""

    def get_state(self) -> dict[str, Any]: ...

    def set_state(self, state: dict[str, Any]) -> None: ...


@runtime_checkable
class WithFiles(Protocol):
    """Saves files besides its state and weights (a transformer's config and tokenizer)."""

    def save_files(self, directory: Path) -> None: ...

    def load_files(self, directory: Path) -> None: ...


@runtime_checkable
class FromPretrained(Protocol):
    """Starts from pretrained weights found by name (a transformer): saving records where they came from in
    meta.json's `sources`."""

    def pretrained_source(self) -> dict[str, str] | None: ...


@runtime_checkable
class Exportable(Protocol):
    """An encoder whose model `plait export --onnx` can replace by an ONNX graph (tok2vec, transformer)."""

    def unexportable(self) -> str | None:
        """Why this encoder's model cannot be exported, or None."""

    def export_onnx(self, *, int8: bool) -> None:
        """Replace the model by its ONNX graph (weights quantized to int8 with `int8`), run by onnxruntime."""

    def load_onnx(self, directory: Path, graph: bytes) -> None:
        """Run `graph`, saved in `directory` by an export, in place of the model's PyTorch layers."""


@runtime_checkable
class SelfChecking(Protocol):
    """Checks its settings against files it reads (a transformer's config.json) before any data is read."""

    def check_settings(self) -> None: ...


@runtime_checkable
class BatchComponent(Protocol):
    """A user component that processes a stream of docs itself."""

    def pipe(self, docs: Iterable[Doc], batch_size: int = ...) -> Iterable[Doc]: ...


# What a pipeline holds (`Language.components`): what `run_batch` knows how to run.
Component = Union[Encoder, Predictor, BatchComponent, Callable[["Doc"], "Doc"]]


def model_of(component: Any) -> nn.Module | None:
    """The component's model, or None for a rule-based component."""
    return component.model if isinstance(component, WithModel) else None


def get_state(component: Any) -> dict[str, Any]:
    """What a component saves in its cfg.json."""
    if isinstance(component, Stateful):
        return component.get_state()
    if isinstance(component, Labelled):
        return {"labels": list(component.labels)}
    return {}


def set_state(component: Any, state: dict[str, Any]) -> None:
    """Restore what `get_state` saved (KeyError for a missing key)."""
    if isinstance(component, Stateful):
        component.set_state(state)
    elif isinstance(component, Labelled):
        component.set_labels(state["labels"])


def run_batch(component: Component, docs: list[Doc]) -> list[Doc]:
    """Run one component on one batch of docs at inference; a rule-based component may return new docs.

    A component's own `pipe` or `__call__` (a user component's) comes before its `predict`, as it always did.
    """
    if isinstance(component, Encoder):
        import torch

        component.model.eval()
        with torch.no_grad():
            output = component.encode(docs)
        component.store(docs, output)
        return docs
    if isinstance(component, BatchComponent):
        return list(component.pipe(docs, batch_size=max(len(docs), 1)))
    if callable(component):
        return [component(doc) for doc in docs]
    if isinstance(component, Predictor):
        component.set_annotations(docs, component.predict(docs))
        return docs
    raise TypeError(f"{type(component).__name__} is neither callable nor a Predictor (see components/contract.py)")
