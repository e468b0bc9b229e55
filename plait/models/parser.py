"""Graph-based dependency parser: a BiLSTM over each sentence of the shared token vectors, then biaffine arc and
label scores.

Why this model: every arc of a sentence is scored at once by a few matrix products, so on a CPU it costs little
more than a tagger, and decoding the scores exactly to a tree (see tree.py) allows the non-projective arcs UD
treebanks have. A transition-based parser instead runs a sequence of small, dependent steps per sentence and
commits greedily to each one. The CNN tok2vec sees only a few tokens on each side, while a head is often further
away than that: a narrow BiLSTM over each sentence (not the whole doc: its steps run over the tokens of one
sentence, all sentences of a batch at once; two layers from v3) gives every token the whole sentence as context
for a part of the pipeline's cost, which is what makes this more accurate than the transition parser at
CNN-pipeline speed.
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
from plait.models.settings import Depth, PositiveInt, Rate
from plait.models.tree import decode_trees

# Signed head-minus-dependent distances beyond this share one learned bias.
MAX_DISTANCE = 20
# Padded arc-score cells per chunk of sentences (sentences are sorted by length, so little is padding).
CELLS_PER_CHUNK = 1 << 20
MISSING = -100  # a target the loss skips (torch's cross_entropy ignore_index)


@dataclass
class TokenVectors:
    """The listener's vectors of every token of a batch (flat, in doc order), their sentence-start scores
    ("inside", "starts a sentence") and the docs' lengths: what is known before the sentences are."""

    rows: torch.Tensor  # (n_tokens, width)
    sent_starts: torch.Tensor  # (n_tokens, 2)
    lengths: list[int]


@dataclass
class ParseGold:
    """The gold parse of a batch, in the flat rows' indices: what `BiaffineParser.loss` compares its scores with."""

    sent_starts: np.ndarray  # (n_tokens,) 1 starts a sentence, 0 inside one, MISSING unknown
    starts: np.ndarray  # (n_sentences,) first row of each gold sentence
    lengths: np.ndarray  # (n_sentences,)
    heads: np.ndarray  # (n_sentences, longest) each token's head as an offset in its sentence; MISSING unknown
    deps: np.ndarray  # (n_arcs,) rows of the dependents of the gold arcs whose label is known
    arc_heads: np.ndarray  # (n_arcs,) rows of their heads
    labels: np.ndarray  # (n_arcs,) their label ids


@dataclass
class Parse:
    """The predicted parse of a batch, flat: each token's head row (a root heads itself) and its arc's label id."""

    heads: np.ndarray  # (n_tokens,)
    labels: np.ndarray  # (n_tokens,)


@dataclass
class ParseFeatures:
    """The projections of every token of a batch (flat, in doc order), once its sentences are known."""

    arc_dep: torch.Tensor  # (n_tokens, arc_width)
    arc_head: torch.Tensor  # (n_tokens, arc_width)
    label_dep: torch.Tensor  # (n_tokens, label_width)
    label_head: torch.Tensor  # (n_tokens, label_width)


class SentenceLSTM(nn.Module):
    """A BiLSTM of `depth` layers run over each sentence (a segment of the flat rows) separately; output width
    `width`.

    On a GPU (where cuDNN runs packed sequences well) the sentences are packed without padding; on a CPU, in
    training and inference, sentences of similar length run as padded groups, one direction at a time, the
    backward one over reversed copies: torch then uses its fused oneDNN LSTM, faster on one thread
    (BENCHMARKS.md), with the same result and gradients up to float rounding. A group's steps and sentences are
    rounded up to a multiple of PAD_QUANTUM: oneDNN compiles and keeps a kernel for every shape it sees, and
    batches of sentences of every length would otherwise fill its cache (and memory) over an epoch.
    """

    def __init__(self, width_in: int, width: int, depth: int = 1) -> None:
        super().__init__()
        self.lstm = nn.LSTM(width_in, width // 2, num_layers=depth, bidirectional=True)

    def forward(self, rows: torch.Tensor, starts: np.ndarray, lengths: np.ndarray) -> torch.Tensor:
        """The BiLSTM's output for each row; the segments [start, start + length) must cover the rows."""
        if not len(lengths):
            return rows.new_zeros((0, 2 * self.lstm.hidden_size))
        if rows.device.type == "cpu":
            return self._padded(rows, starts, lengths)
        return self._packed(rows, starts, lengths)

    def _packed(self, rows: torch.Tensor, starts: np.ndarray, lengths: np.ndarray) -> torch.Tensor:
        index, batch_sizes = packed_order(starts, lengths)
        index = torch.from_numpy(index).to(rows.device)
        packed = nn.utils.rnn.PackedSequence(rows.index_select(0, index), torch.from_numpy(batch_sizes))
        out = self.lstm(packed)[0].data
        return out.new_empty(out.shape).index_copy_(0, index, out)

    def _padded(self, rows: torch.Tensor, starts: np.ndarray, lengths: np.ndarray) -> torch.Tensor:
        out = rows.new_empty((len(rows), 2 * self.lstm.hidden_size))
        for group in padded_groups(lengths):
            index = torch.from_numpy(segment_rows(starts[group], lengths[group])).to(rows.device)
            out.index_copy_(0, index, self._run_group(rows.index_select(0, index), lengths[group]))
        return out

    def _run_group(self, x: torch.Tensor, lengths: np.ndarray) -> torch.Tensor:
        """All layers over the rows of one group of segments (concatenated in order), padded to the longest (steps
        and segments rounded up to multiples of PAD_QUANTUM)."""
        steps, width = (-(-n // PAD_QUANTUM) * PAD_QUANTUM for n in (int(lengths.max()), len(lengths)))
        forward, backward, real = (torch.from_numpy(a).to(x.device) for a in padded_positions(lengths, steps, width))
        ids = (forward.index_select(0, real), backward.index_select(0, real))
        lstm, hidden = self.lstm, self.lstm.hidden_size
        zeros = x.new_zeros((1, width, hidden))
        for layer in range(lstm.num_layers):
            sides = []
            for positions, cells, suffix in ((forward, ids[0], ""), (backward, ids[1], "_reverse")):
                params = [getattr(lstm, f"{kind}_l{layer}{suffix}") for kind in ("weight_ih", "weight_hh",
                                                                                  "bias_ih", "bias_hh")]
                padded = x.index_select(0, positions).view(steps, width, -1)
                out = torch.lstm(padded, (zeros, zeros), params, True, 1, 0.0, self.training, False, False)[0]
                out = out.view(-1, hidden).index_select(0, real)
                sides.append(x.new_empty((len(x), hidden)).index_copy_(0, cells, out))
            x = torch.cat(sides, dim=-1)
        return x


# Sentences per padded group of the BiLSTM on a CPU (sorted by length, so little is padding): fewer matrix
# products per step than one sentence at a time, and wider ones than oneDNN runs well.
LSTM_GROUP = 128
# What a padded group's steps and sentences are rounded up to (a multiple of it), to bound the shapes oneDNN sees.
PAD_QUANTUM = 8
# A group closes when taking the next sentence would make its cells more than this many times its real ones: a
# training batch of a few dozen sentences padded as one group ran at half the speed of packing (BENCHMARKS.md).
PAD_SLACK = 1.25


def padded_groups(lengths: np.ndarray) -> list[np.ndarray]:
    """The segments (ids) in groups of similar length, longest first: a group takes the next segment while that
    keeps its width within LSTM_GROUP and, once it has more than PAD_QUANTUM segments, its cells (width x longest)
    within PAD_SLACK times its real ones."""
    order = np.argsort(-lengths, kind="stable")
    groups, first, real = [], 0, 0
    for i, segment in enumerate(order):
        width, real = i + 1 - first, real + int(lengths[segment])
        if width > LSTM_GROUP or (width > PAD_QUANTUM and width * int(lengths[order[first]]) > PAD_SLACK * real):
            groups.append(order[first:i])
            first, real = i, int(lengths[segment])
    groups.append(order[first:])
    return groups


def segment_rows(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The row ids of the segments, one segment after the other."""
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return (np.arange(int(lengths.sum())) + offsets).astype(np.int64)


def padded_positions(lengths: np.ndarray, steps: int, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For segments laid one after the other, padded to `steps` steps and `width` segments: the row read at each
    (step, segment) cell, flattened, forwards and backwards, and the flat ids of the real cells. Padding cells
    repeat a real row (they come after every real step of their segment, or belong to no segment, so they change
    nothing)."""
    lengths = np.pad(lengths, (0, width - len(lengths)))
    at = np.arange(steps)[:, None]
    first = np.where(lengths > 0, np.cumsum(lengths) - lengths, 0)[None, :]
    real = at < lengths[None, :]
    forward = np.where(real, first + at, first)
    backward = np.where(real, first + lengths[None, :] - 1 - at, first)
    return forward.ravel().astype(np.int64), backward.ravel().astype(np.int64), np.flatnonzero(real)


def packed_order(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of the segments in an LSTM's packed order (time step by time step, longest segment first) and the
    number of segments still running at each step: a packed sequence built with no padding."""
    order = np.argsort(-lengths, kind="stable")
    starts, lengths = starts[order], lengths[order]
    longest = int(lengths[0]) if len(lengths) else 0
    steps = np.arange(longest)
    running = lengths[None, :] > steps[:, None]  # (steps, segments)
    index = (starts[None, :] + steps[:, None])[running]
    return index.astype(np.int64), running.sum(axis=1).astype(np.int64)


class BiaffineParser(nn.Module):
    """tok2vec -> [BiLSTM per sentence] -> MLP projections -> biaffine arc scores (with a distance bias and root
    scores) and label scores; sentence-start scores from the token vectors themselves.

    `forward` gives the TokenVectors (with the sentence-start scores that choose the sentences at inference);
    given the sentences, `loss` compares the scores with a gold parse and `parse` decodes the best trees and
    labels. `resize(n_labels)` builds the label scorer; with `width` None (a transformer listener) the
    projections are built then too, once the tok2vec's width is known. `context_width` 0 leaves out the BiLSTM
    (BiaffineParser.v1).
    """

    def __init__(self, *, tok2vec: nn.Module, width: int | None, arc_width: int = 256, label_width: int = 64,
                 context_width: int = 0, context_depth: int = 1, dropout: float = 0.1) -> None:
        super().__init__()
        self.tok2vec = tok2vec
        self.arc_width, self.label_width, self.context_width = arc_width, label_width, context_width
        self.context_depth = context_depth
        self.dropout = Dropout(dropout)
        self.context: SentenceLSTM | None = None
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
        if self.context_width:
            self.context = SentenceLSTM(width, self.context_width, self.context_depth)
        self.project = nn.Linear(width + self.context_width, 2 * (self.arc_width + self.label_width))
        self.sent = nn.Linear(width, 2)

    def resize(self, n_labels: int) -> None:
        """(Re)create the label scorer for `n_labels` labels, zero-initialised."""
        device = self.arc_weight.device
        if self.project is None:
            self._build(self.tok2vec.width)
            for module in (self.context, self.project, self.sent):
                if module is not None:
                    module.to(device)
        self.label_output = nn.Linear(3 * self.label_width, n_labels, device=device)
        nn.init.zeros_(self.label_output.weight)

    def forward(self, docs: Sequence[Any]) -> TokenVectors:
        if self.project is None:
            raise RuntimeError("the parser has no labels yet: initialize the component (or load it) before use")
        batch: TokenBatch = self.tok2vec(docs)
        rows = batch.flat if self.training else batch.map_rows(lambda chunk: chunk, INFERENCE_CHUNK)
        rows = self.dropout(rows)
        return TokenVectors(rows, self.sent(rows), batch.lengths)

    def loss(self, tokens: TokenVectors, gold: ParseGold) -> torch.Tensor:
        """Summed cross-entropy of the gold sentence starts, of each token's gold head within its gold sentence, and
        of each gold arc's label given its gold head."""
        device = tokens.rows.device
        loss = nn.functional.cross_entropy(tokens.sent_starts.float(), torch.from_numpy(gold.sent_starts).to(device),
                                           ignore_index=MISSING, reduction="sum")
        feats = self.features(tokens, gold.starts, gold.lengths)
        starts, lengths = torch.from_numpy(gold.starts).to(device), torch.from_numpy(gold.lengths).to(device)
        targets = torch.from_numpy(gold.heads).to(device)
        for group in length_chunks(gold.lengths):
            index = torch.from_numpy(group).to(device)
            scores = self.arc_scores(feats, starts[index], lengths[index])  # (S, L, L)
            loss = loss + nn.functional.cross_entropy(scores.flatten(0, 1).float(),
                                                      targets[index, :scores.shape[1]].flatten(),
                                                      ignore_index=MISSING, reduction="sum")
        if len(gold.labels):
            deps, heads, labels = (torch.from_numpy(a).to(device) for a in (gold.deps, gold.arc_heads, gold.labels))
            loss = loss + nn.functional.cross_entropy(self.label_scores(feats, deps, heads).float(), labels,
                                                      reduction="sum")
        return loss

    def parse(self, tokens: TokenVectors, starts: np.ndarray, lengths: np.ndarray, *, root: int) -> Parse:
        """The best tree of each sentence (segments [start, start + length) covering the rows, in order), then the
        best label of each arc: label `root` for the roots and only for them."""
        feats = self.features(tokens, starts, lengths)
        heads = np.arange(len(tokens.rows))  # flat, absolute
        device = tokens.rows.device
        for group in length_chunks(lengths):
            s, n = starts[group], lengths[group]
            scores = self.arc_scores(feats, torch.from_numpy(s).to(device), torch.from_numpy(n).to(device))
            local = decode_trees(scores.float().cpu().numpy(), n)
            real = np.arange(local.shape[1])[None, :] < n[:, None]
            heads[(s[:, None] + np.arange(local.shape[1]))[real]] = (local + s[:, None])[real]
        return Parse(heads, self._best_labels(feats, heads, root))

    def _best_labels(self, feats: ParseFeatures, heads: np.ndarray, root: int) -> np.ndarray:
        if not len(heads):
            return np.zeros(0, dtype=np.int64)
        device = feats.label_dep.device
        deps = torch.arange(len(heads), device=device)
        scores = self.label_scores(feats, deps, torch.from_numpy(heads).to(device)).float()
        scores[:, root] = float("-inf")
        best = scores.argmax(-1).cpu().numpy()
        return np.where(heads == np.arange(len(heads)), root, best)

    def features(self, tokens: TokenVectors, starts: np.ndarray, lengths: np.ndarray) -> ParseFeatures:
        """The arc and label projections of every token, given its sentences (segments covering the rows, in
        order). At inference the projection runs INFERENCE_CHUNK rows at a time (and the BiLSTM over bounded
        groups of sentences), so temporaries do not grow with the batch."""
        rows = tokens.rows
        context = self.dropout(self.context(rows, starts, lengths)) if self.context is not None else None
        if self.training or len(rows) <= INFERENCE_CHUNK:
            hidden = self._project(rows, context)
        else:
            hidden = None
            for begin in range(0, len(rows), INFERENCE_CHUNK):
                end = begin + INFERENCE_CHUNK
                part = self._project(rows[begin:end], None if context is None else context[begin:end])
                if hidden is None:
                    hidden = part.new_empty((len(rows), part.shape[1]))
                hidden[begin:end] = part
        a, b = self.arc_width, self.label_width
        return ParseFeatures(*torch.split(hidden, [a, a, b, b], dim=-1))

    def _project(self, rows: torch.Tensor, context: torch.Tensor | None) -> torch.Tensor:
        x = rows if context is None else torch.cat([rows, context], dim=-1)
        return self.dropout(nn.functional.leaky_relu(self.project(x), 0.1))

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
        both projections and their product, a diagonal bilinear term at a fraction of a full biaffine's cost (a
        full one per label scored no better on ud-en-ewt dev: BENCHMARKS.md)."""
        if self.label_output is None:
            raise RuntimeError("the parser has no labels yet: initialize the component (or load it) before use")
        dep, head = feats.label_dep.index_select(0, deps), feats.label_head.index_select(0, heads)
        return self.label_output(torch.cat([dep, head, dep * head], dim=-1))
def length_chunks(lengths: np.ndarray, cells: int = CELLS_PER_CHUNK, tokens: int = INFERENCE_CHUNK) -> list[np.ndarray]:
    """Segment ids sorted by length, cut into groups whose padded (count x longest^2) score cells stay under
    `cells` and padded token rows (count x longest) under `tokens` (each group holds at least one segment)."""
    order = np.argsort(lengths, kind="stable")
    groups: list[np.ndarray] = []
    begin = 0
    for end in range(1, len(order) + 1):
        longest, count = int(lengths[order[end - 1]]), end - begin
        if count > 1 and (count * longest * longest > cells or count * longest > tokens):
            groups.append(order[begin:end - 1])
            begin = end - 1
    if begin < len(order):
        groups.append(order[begin:])
    return groups


def build_biaffine_parser(*, tok2vec: nn.Module, arc_width: PositiveInt = 256, label_width: PositiveInt = 64,
                          dropout: Rate = 0.1) -> BiaffineParser:
    """`plait.BiaffineParser.v1`: biaffine arc and label scores over MLP projections of the token vectors."""
    return BiaffineParser(tok2vec=tok2vec, width=width_of(tok2vec), arc_width=arc_width, label_width=label_width,
                          dropout=dropout)


def build_biaffine_parser_v2(*, tok2vec: nn.Module, context_width: PositiveInt = 256, arc_width: PositiveInt = 256,
                             label_width: PositiveInt = 64, dropout: Rate = 0.1) -> BiaffineParser:
    """`plait.BiaffineParser.v2`: as v1, with a BiLSTM of `context_width` (half per direction) over each sentence
    of the token vectors first, its output beside them."""
    if context_width % 2:
        raise ValueError("context_width must be even (half per direction)")
    return BiaffineParser(tok2vec=tok2vec, width=width_of(tok2vec), arc_width=arc_width, label_width=label_width,
                          context_width=context_width, dropout=dropout)


def build_biaffine_parser_v3(*, tok2vec: nn.Module, context_width: PositiveInt = 256, context_depth: Depth = 2,
                             arc_width: PositiveInt = 256, label_width: PositiveInt = 64,
                             dropout: Rate = 0.1) -> BiaffineParser:
    """`plait.BiaffineParser.v3`: as v2, with a BiLSTM of `context_depth` layers (each running over the whole
    sentence, the second over the first's output)."""
    if context_width % 2:
        raise ValueError("context_width must be even (half per direction)")
    return BiaffineParser(tok2vec=tok2vec, width=width_of(tok2vec), arc_width=arc_width, label_width=label_width,
                          context_width=context_width, context_depth=context_depth, dropout=dropout)
