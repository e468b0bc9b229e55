"""Cutting a stream of docs into batches for prediction, and writing predictions onto docs."""
from __future__ import annotations

import itertools
from typing import Any, Iterable, Iterator, Protocol, Sequence, TypeVar

import numpy as np

from plait.models.heads import INFERENCE_CHUNK

T = TypeVar("T")


def minibatch(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` items (the last may be shorter)."""
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


class Predictor(Protocol):
    """A component that predicts for a batch of docs and writes the predictions onto them."""

    def predict(self, docs: Sequence[Any]) -> Any: ...

    def set_annotations(self, docs: Sequence[Any], predictions: Any) -> None: ...


def inference_batches(docs: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive batches of at most `size` docs in which a doc of more than INFERENCE_CHUNK tokens comes
    alone: no batch is padded to a long doc's length, and heads score a lone long doc block by block."""
    batch: list[T] = []
    for doc in docs:
        if len(doc) > INFERENCE_CHUNK:
            if batch:
                yield batch
            yield [doc]
            batch = []
            continue
        batch.append(doc)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def annotate(component: Predictor, docs: Iterable[Any], batch_size: int) -> Iterator[Any]:
    """Predict and set annotations batch by batch; the docs come back in order."""
    for batch in inference_batches(docs, batch_size):
        component.set_annotations(batch, component.predict(batch))
        yield from batch


def write_column(column: np.ndarray, values: np.ndarray, overwrite: bool) -> None:
    """Write predicted values into a doc column; without `overwrite`, values already set (non-zero) are kept."""
    column[:] = values if overwrite else np.where(column == 0, values, column)
