"""Cutting a stream of docs into batches for prediction, and writing predictions onto docs."""
from __future__ import annotations

import itertools
from typing import Any, Iterable, Iterator, Protocol, Sequence, TypeVar

import numpy as np

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


def annotate(component: Predictor, docs: Iterable[Any], batch_size: int) -> Iterator[Any]:
    """Predict and set annotations batch by batch; the docs come back in order."""
    for batch in minibatch(docs, batch_size):
        component.set_annotations(batch, component.predict(batch))
        yield from batch


def write_column(column: np.ndarray, values: np.ndarray, overwrite: bool) -> None:
    """Write predicted values into a doc column; without `overwrite`, values already set (non-zero) are kept."""
    column[:] = values if overwrite else np.where(column == 0, values, column)
