"""Progress bars with an ETA on stderr, shown only on a terminal and only for work that takes a while."""
from __future__ import annotations

from typing import Iterable, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress_bar(iterable: Iterable[T] | None = None, *, total: int | None = None, desc: str, unit: str = "it") -> tqdm:
    """A tqdm bar that appears after one second (so quick jobs print nothing) and is off when stderr is no tty."""
    return tqdm(iterable, total=total, desc=desc, unit=unit, disable=None, delay=1.0, dynamic_ncols=True,
                leave=False)
