"""Batchers: group training examples into batches by word count or padded size."""
from __future__ import annotations

import itertools
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

from plait.models.settings import NonNegativeFloat, PositiveInt

Item = TypeVar("Item")
Batcher = Callable[[Iterable[Item]], Iterator[list[Item]]]


def _sizes(size: int | float | Iterator[float]) -> Iterator[float]:
    return itertools.repeat(size) if isinstance(size, (int, float)) else size


def _length(item: object) -> int:
    return len(getattr(item, "reference", item))


def batch_by_words(*, size: PositiveInt | Iterator[float], tolerance: NonNegativeFloat = 0.2,
                   discard_oversize: bool = False) -> Batcher:
    """Batches of roughly `size` words (a number or a schedule); one longer item may overflow by `tolerance`.

    An item longer than the whole batch size goes alone, or is dropped with `discard_oversize`.
    """
    def batch(items: Iterable[Item]) -> Iterator[list[Item]]:
        sizes = _sizes(size)
        target = next(sizes)
        current: list[Item] = []
        words = 0
        for item in items:
            n = _length(item)
            if n > target * (1 + tolerance):
                if not discard_oversize:
                    yield [item]
                continue
            if current and words + n > target * (1 + tolerance):
                yield current
                current, words, target = [], 0, next(sizes)
            current.append(item)
            words += n
            if words >= target:
                yield current
                current, words, target = [], 0, next(sizes)
        if current:
            yield current

    return batch


def batch_by_padded(*, size: PositiveInt, buffer: PositiveInt = 256, discard_oversize: bool = False) -> Batcher:
    """Sort a buffer of items by length and cut batches whose padded size (n × longest) stays under `size`."""
    def batch(items: Iterable[Item]) -> Iterator[list[Item]]:
        it = iter(items)
        while chunk := list(itertools.islice(it, buffer)):
            yield from _padded_batches(sorted(chunk, key=_length), size, discard_oversize)

    return batch


def _padded_batches(items: Sequence[Item], size: int, discard: bool) -> Iterator[list[Item]]:
    current: list[Item] = []
    for item in items:
        n = _length(item)
        if n > size:
            if not discard:
                yield [item]
            continue
        if current and (len(current) + 1) * n > size:
            yield current
            current = []
        current.append(item)
    if current:
        yield current
