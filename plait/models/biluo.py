"""Constrained decoding of BILUO tag scores: the best tag sequence that forms well-nested entities."""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import torch


def biluo_tags(labels: Sequence[str]) -> list[str]:
    """The tag set for entity `labels`: "O", then B-, I-, L-, U- for each label."""
    return ["O"] + [f"{prefix}-{label}" for label in labels for prefix in "BILU"]


def biluo_spans(ids: np.ndarray, labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, label) of each entity in a well-formed sequence of `biluo_tags(labels)` ids (what
    constrained_viterbi yields): an entity starts at a B or U tag and ends after the next L or U tag."""
    kind = (ids - 1) % 4  # 0 B, 1 I, 2 L, 3 U on entity tags
    entity = ids > 0
    starts = np.flatnonzero(entity & ((kind == 0) | (kind == 3))).tolist()
    ends = (np.flatnonzero(entity & (kind >= 2)) + 1).tolist()
    return [(start, end, labels[(int(ids[start]) - 1) // 4]) for start, end in zip(starts, ends)]


def transition_mask(tags: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(allowed[prev, next], allowed_first, allowed_last) as bool tensors for a BILUO tag set.

    Inside an entity (after B-x or I-x) only I-x or L-x may follow; outside, only O, B-y or U-y.
    """
    n = len(tags)
    allowed = torch.zeros(n, n, dtype=torch.bool)
    for i, prev in enumerate(tags):
        prev_kind, _, prev_label = prev.partition("-")
        for j, nxt in enumerate(tags):
            kind, _, label = nxt.partition("-")
            if prev_kind in ("B", "I"):
                allowed[i, j] = kind in ("I", "L") and label == prev_label
            else:
                allowed[i, j] = kind in ("O", "B", "U")
    kinds = [t.partition("-")[0] for t in tags]
    first = torch.tensor([k in ("O", "B", "U") for k in kinds])
    last = torch.tensor([k in ("O", "L", "U") for k in kinds])
    return allowed, first, last


def predecessor_groups(allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Next tags that allow the same previous tags form a group, so each step takes one max per group, not one
    per (previous, next) pair: (each tag's group, (groups, width) allowed previous tags in ascending order,
    padded with n_tags, which indexes a -inf column)."""
    n_tags = allowed.shape[0]
    sets, group_of = np.unique(allowed.T, axis=0, return_inverse=True)
    previous = np.full((len(sets), max(int(sets.sum(axis=1).max(initial=0)), 1)), n_tags)
    for group, members in enumerate(sets):
        ids = np.flatnonzero(members)
        previous[group, :len(ids)] = ids
    return group_of.reshape(-1), previous


def constrained_viterbi(blocks: Iterable[torch.Tensor], lengths: Sequence[int], allowed: torch.Tensor,
                        first: torch.Tensor, last: torch.Tensor) -> list[np.ndarray]:
    """Best valid tag ids per doc, from log-probabilities given as consecutive (batch, t, n_tags) blocks along
    the token axis (one block, or a long doc piece by piece: only the back-pointers, one byte a tag, are kept
    for every token). Ties go to the lowest previous tag id."""
    batch, n_tokens = len(lengths), max(lengths, default=0)
    n_tags = len(first)
    group_of, previous = predecessor_groups(allowed.numpy())
    lens = np.asarray(lengths)[:, None]
    pointers = np.zeros((max(n_tokens, 1), batch, n_tags), dtype=np.uint8 if n_tags < 256 else np.int32)
    identity = np.arange(n_tags)[None].repeat(batch, 0)
    all_active = min(lengths, default=0)  # before this step every doc is still going: no masking needed
    rows, groups = np.arange(batch)[:, None], np.arange(len(previous))[None]
    padded = np.full((batch, n_tags + 1), -np.inf, dtype=np.float32)  # scores so far, then the -inf column
    dp, t = None, 0
    for block in blocks:
        scores = block.float().cpu().numpy()
        for column in range(scores.shape[1]):
            if dp is None:
                dp = scores[:, 0] + np.where(first.numpy(), 0.0, -np.inf).astype(np.float32)
                t += 1
                continue
            padded[:, :n_tags] = dp
            candidates = padded[:, previous]  # (batch, groups, width)
            pick = candidates.argmax(axis=2)
            best = np.take_along_axis(candidates, pick[:, :, None], 2)[:, :, 0][:, group_of] + scores[:, column]
            arg = previous[groups, pick][:, group_of]
            if t < all_active:
                dp, pointers[t] = best, arg
            else:
                active = t < lens
                dp = np.where(active, best, dp)
                pointers[t] = np.where(active, arg, identity)
            t += 1
    if dp is None:
        return [np.zeros(0, dtype=np.int64) for _ in lengths]
    tag = (dp + np.where(last.numpy(), 0.0, -np.inf)).argmax(axis=-1)
    path = np.empty((batch, t), dtype=np.int64)
    path[:, t - 1] = tag
    for step in range(t - 1, 0, -1):
        tag = pointers[step, rows[:, 0], tag]
        path[:, step - 1] = tag
    return [path[b, :n] for b, n in enumerate(lengths)]
