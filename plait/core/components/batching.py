"""Cutting a stream of docs into batches, and writing predictions into doc columns."""
from __future__ import annotations

from typing import Iterable, Iterator, TypeVar

import numpy as np

from plait.models.limits import INFERENCE_CHUNK

T = TypeVar("T")


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


def write_column(column: np.ndarray, values: np.ndarray, overwrite: bool) -> None:
    """Write predicted values into a doc column; without `overwrite`, values already set (non-zero) are kept."""
    column[:] = values if overwrite else np.where(column == 0, values, column)
