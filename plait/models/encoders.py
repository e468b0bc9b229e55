"""Context encoders: map a TokenBatch to a TokenBatch of the same width, mixing in neighbouring tokens."""
from __future__ import annotations

import torch
from torch import nn

from plait.models.batch import TokenBatch
from plait.models.layers import PiecewiseLinear, maxout
from plait.models.settings import Depth, Pieces, PositiveInt, Rate, WindowSize


def expand_window(batch: TokenBatch, x: torch.Tensor, window_size: int) -> torch.Tensor:
    """Concatenate each token's row with its `window_size` neighbours on each side within its doc (zeros past
    the edges): (n_tokens, width) -> (n_tokens, (2 * window_size + 1) * width).

    A convolution written as one matmul over this is much faster on CPU than torch's conv1d at these widths.
    """
    rows = torch.cat([x, x.new_zeros((1, x.shape[1]))])  # the extra row is the zero neighbour
    return rows[batch.window_index(window_size)].view(x.shape[0], (2 * window_size + 1) * x.shape[1])


class _WindowBlock(nn.Module):
    """One residual CNN block: window concatenation, linear, nonlinearity (maxout or mish), layer norm."""

    def __init__(self, width: int, window_size: int, pieces: int) -> None:
        super().__init__()
        self.pieces, self.window_size = pieces, window_size
        self.linear = PiecewiseLinear(width * (2 * window_size + 1), width, pieces)
        self.norm = nn.LayerNorm(width)

    def forward(self, batch: TokenBatch, x: torch.Tensor) -> torch.Tensor:
        windows = expand_window(batch, x, self.window_size)  # (n_tokens, (2 * window_size + 1) * width)
        if self.pieces > 1:
            h = maxout(self.linear, windows)
        else:
            h = nn.functional.mish(self.linear(windows))
        return x + self.norm(h)


class WindowEncoder(nn.Module):
    """`depth` residual blocks, each seeing `window_size` tokens either side (receptive field grows with depth).

    Works on the flat token rows: no padding. Recommended: width 96, depth 4, window_size 1, maxout_pieces 3
    (efficiency); width 256, depth 8 (accuracy).
    """

    def __init__(self, *, width: int, depth: int, window_size: int, maxout_pieces: int) -> None:
        super().__init__()
        self.width = width
        self.receptive_field = window_size * depth  # tokens either side that a token's output depends on
        self.blocks = nn.ModuleList(_WindowBlock(width, window_size, maxout_pieces) for _ in range(depth))

    def forward(self, batch: TokenBatch) -> TokenBatch:
        x = batch.flat
        for block in self.blocks:
            x = block(batch, x)
        return batch.with_flat(x)


class BiLSTMEncoder(nn.Module):
    """A bidirectional LSTM of `depth` layers; output width = `width` (each direction width / 2)."""

    def __init__(self, *, width: int, depth: int, dropout: float = 0.0) -> None:
        super().__init__()
        if width % 2:
            raise ValueError("BiLSTMEncoder: width must be even (half per direction)")
        self.width = width
        self.lstm = nn.LSTM(width, width // 2, num_layers=depth, bidirectional=True, batch_first=True,
                            dropout=dropout if depth > 1 else 0.0)

    def forward(self, batch: TokenBatch) -> TokenBatch:
        lengths = torch.tensor(batch.lengths).clamp(min=1)
        packed = nn.utils.rnn.pack_padded_sequence(batch.vectors, lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        padded, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=batch.vectors.shape[1])
        return batch.with_flat(padded[batch.mask])


def build_maxout_window_encoder(*, width: PositiveInt, depth: Depth, window_size: WindowSize,
                                maxout_pieces: Pieces) -> WindowEncoder:
    """`plait.MaxoutWindowEncoder.v1`: residual CNN blocks with maxout; efficiency defaults 96/4/1/3."""
    return WindowEncoder(width=width, depth=depth, window_size=window_size, maxout_pieces=maxout_pieces)


def build_mish_window_encoder(*, width: PositiveInt, depth: Depth, window_size: WindowSize) -> WindowEncoder:
    """`plait.MishWindowEncoder.v1`: residual CNN blocks with the mish nonlinearity."""
    return WindowEncoder(width=width, depth=depth, window_size=window_size, maxout_pieces=1)


def build_bilstm_encoder(*, width: PositiveInt, depth: Depth, dropout: Rate = 0.0) -> BiLSTMEncoder:
    """`plait.BiLSTMEncoder.v1`: a bidirectional LSTM; slower than the CNNs, sometimes more accurate."""
    return BiLSTMEncoder(width=width, depth=depth, dropout=dropout)
