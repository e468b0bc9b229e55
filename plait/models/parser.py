"""Graph-based dependency parser: biaffine arc and label scores over the token vectors of a tok2vec or listener.

Why this model: every arc of a sentence is scored at once by a few matrix products over vectors the shared
encoder has already computed, so on a CPU it costs little more than a tagger, and decoding the scores exactly to
a tree (see tree.py) allows the non-projective arcs UD treebanks have. A transition-based parser instead runs a
sequence of small, dependent steps per sentence and commits greedily to each one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from plait.models.batch import TokenBatch
from plait.models.dropout import Dropout
from plait.models.heads import INFERENCE_CHUNK, width_of

# Signed head-minus-dependent distances beyond this share one learned bias.
MAX_DISTANCE = 20
# Padded arc-score cells per chunk of sentences (sentences are sorted by length, so little is padding).
CELLS_PER_CHUNK = 1 << 20


@dataclass
class ParseFeatures:
    """The projections of every token of a batch (flat, in doc order) and the docs' lengths."""

    arc_dep: torch.Tensor  # (n_tokens, arc_width)
    arc_head: torch.Tensor  # (n_tokens, arc_width)
    label_dep: torch.Tensor  # (n_tokens, label_width)
    label_head: torch.Tensor  # (n_tokens, label_width)
    sent_starts: torch.Tensor  # (n_tokens, 2): scores of "inside" and "starts a sentence"
    lengths: list[int]


class BiaffineParser(nn.Module):
    """tok2vec -> MLP projections -> biaffine arc scores (with a distance bias and root scores) and label scores.

    `resize(n_labels)` builds the label scorer; with `width` None (a transformer listener) the projections are
    built then too, once the tok2vec's width is known.
    """

    def __init__(self, *, tok2vec: nn.Module, width: int | None, arc_width: int = 256, label_width: int = 64,
                 dropout: float = 0.1) -> None:
        super().__init__()
        self.tok2vec = tok2vec
        self.arc_width, self.label_width = arc_width, label_width
        self.dropout = Dropout(dropout)
        self.project: nn.Linear | None = None
        self.sent: nn.Linear | None = None
        if width is not None:
            self._build(width)
        self.arc_weight = nn.Parameter(torch.zeros(arc_width, arc_width))
        self.head_prior = nn.Parameter(torch.zeros(arc_width))
        self.root = nn.Linear(arc_width, 1)
        self.distance = nn.Parameter(torch.zeros(2 * MAX_DISTANCE + 1))
        self.label_output: nn.Linear | None = None

    def _build(self, width: int) -> None:
        self.project = nn.Linear(width, 2 * (self.arc_width + self.label_width))
        self.sent = nn.Linear(width, 2)

    def resize(self, n_labels: int) -> None:
        """(Re)create the label scorer for `n_labels` labels, zero-initialised."""
        device = self.arc_weight.device
        if self.project is None:
            self._build(self.tok2vec.width)
            self.project.to(device)
            self.sent.to(device)
        self.label_output = nn.Linear(3 * self.label_width, n_labels, device=device)
        nn.init.zeros_(self.label_output.weight)

    def forward(self, docs: Sequence[Any]) -> ParseFeatures:
        if self.project is None:
            raise RuntimeError("the parser has no labels yet: initialize the component (or load it) before use")
        batch: TokenBatch = self.tok2vec(docs)
        out = self._project(batch.flat) if self.training else batch.map_rows(self._project, INFERENCE_CHUNK)
        a, b = self.arc_width, self.label_width
        arc_dep, arc_head, label_dep, label_head, sent = torch.split(out, [a, a, b, b, 2], dim=-1)
        return ParseFeatures(arc_dep, arc_head, label_dep, label_head, sent, batch.lengths)

    def _project(self, rows: torch.Tensor) -> torch.Tensor:
        x = self.dropout(rows)
        hidden = self.dropout(nn.functional.leaky_relu(self.project(x), 0.1))
        return torch.cat([hidden, self.sent(x)], dim=-1)

    def arc_scores(self, feats: ParseFeatures, starts: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """(S, L, L) scores of each head (last axis) for each token of each segment [start, start + length) of the
        flat rows; the diagonal scores the token as its sentence's root, padding heads are -inf."""
        width = int(lengths.max()) if len(lengths) else 0
        positions = torch.arange(width, device=starts.device)
        real = positions[None, :] < lengths[:, None]
        index = torch.where(real, starts[:, None] + positions[None, :], 0)
        flat = index.flatten()  # index_select, whose backward is a plain index_add, not advanced indexing's
        dep = feats.arc_dep.index_select(0, flat).view(*index.shape, -1)  # (S, L, arc_width)
        head = feats.arc_head.index_select(0, flat).view(*index.shape, -1)
        scores = torch.bmm(dep @ self.arc_weight, head.transpose(1, 2)) + (head @ self.head_prior)[:, None, :]
        offsets = (positions[None, :] - positions[:, None]).clamp(-MAX_DISTANCE, MAX_DISTANCE) + MAX_DISTANCE
        scores = scores + self.distance.index_select(0, offsets.flatten()).view(width, width)
        eye = torch.eye(width, dtype=torch.bool, device=starts.device)
        scores = torch.where(eye, self.root(dep), scores)  # root(dep): (S, L, 1), broadcast along heads
        return scores.masked_fill(~real[:, None, :], float("-inf"))

    def label_scores(self, feats: ParseFeatures, deps: torch.Tensor, heads: torch.Tensor) -> torch.Tensor:
        """(n, n_labels) scores of each label for the arcs deps[k] <- heads[k] (flat row indices): a linear layer over
        both projections and their product, a diagonal bilinear term at a fraction of a full biaffine's cost."""
        if self.label_output is None:
            raise RuntimeError("the parser has no labels yet: initialize the component (or load it) before use")
        dep, head = feats.label_dep.index_select(0, deps), feats.label_head.index_select(0, heads)
        return self.label_output(torch.cat([dep, head, dep * head], dim=-1))


def length_chunks(lengths: np.ndarray, cells: int = CELLS_PER_CHUNK) -> list[np.ndarray]:
    """Segment ids sorted by length, cut into groups whose padded (count x longest^2) cells stay under `cells`."""
    order = np.argsort(lengths, kind="stable")
    groups: list[np.ndarray] = []
    begin = 0
    for end in range(1, len(order) + 1):
        longest = int(lengths[order[end - 1]])
        if end - begin > 1 and (end - begin) * longest * longest > cells:
            groups.append(order[begin:end - 1])
            begin = end - 1
    if begin < len(order):
        groups.append(order[begin:])
    return groups


def build_biaffine_parser(*, tok2vec: nn.Module, arc_width: int = 256, label_width: int = 64,
                          dropout: float = 0.1) -> BiaffineParser:
    """`plait.BiaffineParser.v1`: biaffine arc and label scores over MLP projections of the token vectors."""
    if arc_width < 1 or label_width < 1:
        raise ValueError("arc_width and label_width must be at least 1")
    return BiaffineParser(tok2vec=tok2vec, width=width_of(tok2vec), arc_width=arc_width, label_width=label_width,
                          dropout=dropout)
