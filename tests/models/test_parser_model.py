"""The parser's sentence BiLSTM: each sentence on its own, packed without padding, gradients to every row."""
import numpy as np
import torch

from plait.models.parser import SentenceLSTM, packed_order


def test_packed_order_runs_longest_segment_first_step_by_step():
    index, batch_sizes = packed_order(np.array([0, 2, 7]), np.array([2, 5, 1]))
    # step 0: segments by length (5, 2, 1) start at rows 2, 0, 7; step 1: the two longer ones; then the longest
    assert index.tolist() == [2, 0, 7, 3, 1, 4, 5, 6]
    assert batch_sizes.tolist() == [3, 2, 1, 1, 1]
    index, batch_sizes = packed_order(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    assert len(index) == 0 and len(batch_sizes) == 0


def test_sentence_lstm_equals_the_lstm_run_on_each_sentence_alone():
    torch.manual_seed(0)
    layer = SentenceLSTM(6, 8)
    rows = torch.randn(10, 6, requires_grad=True)
    starts, lengths = np.array([0, 3, 4, 9]), np.array([3, 1, 5, 1])
    out = layer(rows, starts, lengths)
    assert out.shape == (10, 8)
    for start, length in zip(starts, lengths):
        alone = layer.lstm(rows[start:start + length].unsqueeze(1))[0].squeeze(1)
        torch.testing.assert_close(out[start:start + length], alone)
    out.sum().backward()
    assert bool((rows.grad.abs().sum(-1) > 0).all())


def test_sentence_lstm_does_not_look_across_sentences():
    torch.manual_seed(0)
    layer = SentenceLSTM(4, 6)
    rows = torch.randn(7, 4)
    starts, lengths = np.array([0, 4]), np.array([4, 3])
    before = layer(rows, starts, lengths)
    changed = rows.clone()
    changed[5] += 1.0  # inside the second sentence only
    after = layer(changed, starts, lengths)
    torch.testing.assert_close(after[:4], before[:4])
    assert not torch.allclose(after[4:], before[4:])
    assert layer(rows[:0], starts[:0], lengths[:0]).shape == (0, 6)

