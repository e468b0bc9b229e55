"""Constrained decoding of BILUO tag scores: the best tag sequence that forms well-nested entities."""
from __future__ import annotations

from typing import Sequence

import torch


def biluo_tags(labels: Sequence[str]) -> list[str]:
    """The tag set for entity `labels`: "O", then B-, I-, L-, U- for each label."""
    return ["O"] + [f"{prefix}-{label}" for label in labels for prefix in "BILU"]


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


def constrained_viterbi(scores: torch.Tensor, lengths: Sequence[int], allowed: torch.Tensor,
                        first: torch.Tensor, last: torch.Tensor) -> list[list[int]]:
    """Best valid tag ids per doc. scores: (batch, tokens, n_tags) log-probabilities."""
    batch, n_tokens, n_tags = scores.shape
    if n_tokens == 0:
        return [[] for _ in range(batch)]
    device = scores.device
    neg = torch.tensor(float("-inf"), device=device)
    trans = torch.where(allowed.to(device), 0.0, neg)  # (n_tags, n_tags)
    lens = torch.tensor(list(lengths), device=device)
    dp = scores[:, 0] + torch.where(first.to(device), 0.0, neg)  # (batch, n_tags)
    identity = torch.arange(n_tags, device=device).expand(batch, n_tags)
    pointers = []
    for t in range(1, n_tokens):
        best, arg = (dp[:, :, None] + trans[None]).max(dim=1)  # over previous tag: (batch, n_tags)
        active = (t < lens)[:, None]
        dp = torch.where(active, best + scores[:, t], dp)
        pointers.append(torch.where(active, arg, identity))
    dp = dp + torch.where(last.to(device), 0.0, neg)
    tag = dp.argmax(dim=-1)  # (batch,)
    path = [tag]
    for arg in reversed(pointers):
        tag = arg.gather(1, tag[:, None]).squeeze(1)
        path.append(tag)
    ids = torch.stack(path[::-1], dim=1).cpu().tolist()  # (batch, tokens)
    return [row[:n] for row, n in zip(ids, lengths)]
