"""Cutting a stream of docs into batches for prediction."""
from __future__ import annotations

import itertools
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def minibatch(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` items (the last may be shorter)."""
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch
