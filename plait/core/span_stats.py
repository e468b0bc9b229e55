"""What `plait debug-data` counts in span groups: spans, their lengths per label, how they overlap, `I-` tags
read as starts, and how many of them a span suggester can propose at all."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from plait.core.data.iob2_layers import I_STARTS
from plait.core.suggesters import Suggester

if TYPE_CHECKING:
    from plait.core.doc import Doc


@dataclass
class Lengths:
    """Span lengths in tokens: count, sum, shortest and longest."""

    count: int = 0
    total: int = 0
    min: int = 0
    max: int = 0

    def add(self, lengths: np.ndarray) -> None:
        if not len(lengths):
            return
        low, high = int(lengths.min()), int(lengths.max())
        self.min = low if not self.count else min(self.min, low)
        self.max = max(self.max, high)
        self.count += len(lengths)
        self.total += int(lengths.sum())

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0


@dataclass
class GroupStats:
    """One span group key (`doc.spans[KEY]`) over one corpus; each overlap count counts spans, not pairs."""

    docs: int = 0  # docs that have the group (empty or not)
    spans: int = 0
    labels: dict[str, Lengths] = field(default_factory=dict)
    histogram: Counter = field(default_factory=Counter)  # span length -> spans
    overlapping: int = 0  # spans sharing a token with a span of other extent
    nested: int = 0  # spans inside a longer span of the group
    same_tokens: int = 0  # spans whose exact tokens another span of the group has too (another label, or twice)
    i_starts: int = 0  # spans a layered IOB2 file started with an I- tag

    def observe(self, starts: np.ndarray, ends: np.ndarray, labels: list[str], i_starts: int = 0) -> None:
        """Add one doc's group: the spans' [start, end) token offsets and labels."""
        self.docs += 1
        self.spans += len(starts)
        self.i_starts += i_starts
        lengths = ends - starts
        self.histogram.update(lengths.tolist())
        by_label: dict[str, list[int]] = {}
        for label, length in zip(labels, lengths.tolist()):
            by_label.setdefault(label, []).append(length)
        for label, values in by_label.items():
            self.labels.setdefault(label, Lengths()).add(np.array(values))
        overlapping, nested, same = overlaps(starts, ends)
        self.overlapping += overlapping
        self.nested += nested
        self.same_tokens += same


def overlaps(starts: np.ndarray, ends: np.ndarray) -> tuple[int, int, int]:
    """Of the spans [starts, ends) of one group: how many share a token with a span of other extent, how many lie
    inside a span of other extent, how many have the same extent as another span. O(n log n)."""
    keep = ends > starts  # an empty span has no tokens to share
    pairs, counts = np.unique(np.stack([starts[keep], ends[keep]], axis=1).reshape(-1, 2), axis=0,
                              return_counts=True)  # distinct extents sorted by start, then end
    if not len(pairs):
        return 0, 0, 0
    first, last = pairs[:, 0], pairs[:, 1]
    # another extent overlaps this one: an earlier one ends after this starts, or the next one starts before it ends
    reach = np.maximum.accumulate(last)
    earlier = np.concatenate([[False], reach[:-1] > first[1:]])
    later = np.concatenate([first[1:] < last[:-1], [False]])
    # inside another: sorted by start then longest first, some earlier extent ends at or after this one's end
    order = np.lexsort((-last, first))
    outer = np.maximum.accumulate(last[order])
    inside = np.zeros(len(pairs), dtype=bool)
    inside[order[1:]] = outer[:-1] >= last[order[1:]]
    same = int(counts[counts > 1].sum())
    return int(counts[earlier | later].sum()), int(counts[inside].sum()), same


def observe_doc(doc: "Doc", stats: dict[str, GroupStats]) -> None:
    """Add every span group of `doc` to `stats` (key -> GroupStats)."""
    for key, group in doc.spans.items():
        starts = np.fromiter((s.start for s in group), dtype=np.int64, count=len(group))
        ends = np.fromiter((s.end for s in group), dtype=np.int64, count=len(group))
        stats.setdefault(key, GroupStats()).observe(starts, ends, [s.label_ for s in group],
                                                    int(group.attrs.get(I_STARTS, 0)))


@dataclass
class Coverage:
    """How many gold spans of `key` a suggester proposes ([start, end) among its candidates), over one corpus."""

    key: str
    gold: int = 0
    proposed: int = 0

    def observe(self, doc: "Doc", suggester: Suggester) -> None:
        group = doc.spans.get(self.key)
        if not group:
            return
        (candidates,) = suggester([doc])
        width = len(doc) + 1  # [start, end) as one number: start * width + end
        codes = np.asarray(candidates, dtype=np.int64).reshape(-1, 2) @ np.array([width, 1])
        gold = np.array([s.start * width + s.end for s in group], dtype=np.int64)
        self.gold += len(gold)
        self.proposed += int(np.isin(gold, codes).sum())

    @property
    def share(self) -> float:
        return self.proposed / self.gold if self.gold else 1.0
