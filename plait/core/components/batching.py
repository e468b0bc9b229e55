"""Cutting a stream of docs into batches, and writing predictions into doc columns."""
from __future__ import annotations

import itertools
from typing import Iterable, Iterator, TypeVar

import numpy as np

T = TypeVar("T")


def minibatch(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` items (the last may be shorter)."""
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


def write_column(column: np.ndarray, values: np.ndarray, overwrite: bool) -> None:
    """Write predicted values into a doc column; without `overwrite`, values already set (non-zero) are kept."""
    column[:] = values if overwrite else np.where(column == 0, values, column)
