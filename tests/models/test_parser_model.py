"""The parser model run alone (no pipeline), its sentence BiLSTM (each sentence on its own: padded groups on a CPU,
packed elsewhere) and its bounded inference."""
import numpy as np
import pytest
import torch

from plait.models.batch import TokenBatch, bounded_runs
from plait.models.heads import INFERENCE_CHUNK
from plait.models.parser import (LSTM_GROUP, MISSING, PAD_QUANTUM, PAD_SLACK, BiaffineParser, ParseGold, SentenceLSTM,
                                 TokenVectors, length_chunks, packed_order, padded_groups, padded_positions)


class _Positions(torch.nn.Module):
    """A stand-in tok2vec: a learned row per position in the doc (a "doc" here is any sized sequence)."""

    width = 8

    def __init__(self) -> None:
        super().__init__()
        self.rows = torch.nn.Embedding(16, 8)

    def forward(self, docs) -> TokenBatch:
        lengths = [len(doc) for doc in docs]
        return TokenBatch(self.rows(torch.cat([torch.arange(n) for n in lengths])), lengths)


def test_the_model_alone_learns_a_batch_and_parses_it_into_trees():
    """Two docs (one sentence of 4 tokens, one of 3): the gold heads of the flat rows are [1, 1, 1, 2] and
    [4, 4, 5]; labels 0 (the root label), 1 and 2."""
    torch.manual_seed(0)
    model = BiaffineParser(tok2vec=_Positions(), width=8, arc_width=16, label_width=8, context_width=6, dropout=0.0)
    model.resize(3)
    docs = [["a", "b", "c", "d"], ["e", "f", "g"]]
    starts, lengths = np.array([0, 4]), np.array([4, 3])
    gold = ParseGold(sent_starts=np.array([1, 0, 0, 0, 1, 0, 0]), starts=starts, lengths=lengths,
                     heads=np.array([[1, 1, 1, 2], [0, 0, 1, MISSING]]), deps=np.array([0, 1, 2, 3, 4, 5, 6]),
                     arc_heads=np.array([1, 1, 1, 2, 4, 4, 5]), labels=np.array([1, 0, 2, 1, 0, 2, 1]))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(40):
        model.train()
        loss = model.loss(model(docs), gold)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    assert losses[-1] < losses[0] / 10
    model.eval()
    with torch.no_grad():
        tokens = model(docs)
        parse = model.parse(tokens, starts, lengths, root=0)
    assert tokens.sent_starts.argmax(-1).tolist() == [1, 0, 0, 0, 1, 0, 0]
    assert parse.heads.tolist() == [1, 1, 1, 2, 4, 4, 5]
    assert parse.labels.tolist() == [1, 0, 2, 1, 0, 2, 1]


def test_packed_order_runs_longest_segment_first_step_by_step():
    index, batch_sizes = packed_order(np.array([0, 2, 7]), np.array([2, 5, 1]))
    # step 0: segments by length (5, 2, 1) start at rows 2, 0, 7; step 1: the two longer ones; then the longest
    assert index.tolist() == [2, 0, 7, 3, 1, 4, 5, 6]
    assert batch_sizes.tolist() == [3, 2, 1, 1, 1]
    index, batch_sizes = packed_order(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    assert len(index) == 0 and len(batch_sizes) == 0


@pytest.mark.parametrize("depth", [1, 2])
def test_sentence_lstm_equals_the_lstm_run_on_each_sentence_alone(depth):
    torch.manual_seed(0)
    layer = SentenceLSTM(6, 8, depth)
    rows = torch.randn(10, 6, requires_grad=True)
    starts, lengths = np.array([0, 3, 4, 9]), np.array([3, 1, 5, 1])
    out = layer(rows, starts, lengths)
    assert out.shape == (10, 8)
    for start, length in zip(starts, lengths):
        alone = layer.lstm(rows[start:start + length].unsqueeze(1))[0].squeeze(1)
        torch.testing.assert_close(out[start:start + length], alone)
    out.sum().backward()
    assert bool((rows.grad.abs().sum(-1) > 0).all())


def test_padded_positions_read_each_segment_forwards_and_backwards():
    forward, backward, real = padded_positions(np.array([2, 3, 1]), 3, 3)  # rows 0-1, 2-4, 5
    assert forward.reshape(3, 3).tolist() == [[0, 2, 5], [1, 3, 5], [0, 4, 5]]
    assert backward.reshape(3, 3).tolist() == [[1, 4, 5], [0, 3, 5], [0, 2, 5]]
    assert real.tolist() == [0, 1, 2, 3, 4, 7]
    # rounded up to 4 steps and 4 segments: the extra step and the empty segment read rows and are never real
    forward, backward, real = padded_positions(np.array([2, 3, 1]), 4, 4)
    assert forward.reshape(4, 4).tolist() == [[0, 2, 5, 0], [1, 3, 5, 0], [0, 4, 5, 0], [0, 2, 5, 0]]
    assert backward.reshape(4, 4).tolist() == [[1, 4, 5, 0], [0, 3, 5, 0], [0, 2, 5, 0], [0, 2, 5, 0]]
    assert real.tolist() == [0, 1, 2, 4, 5, 9]


def test_padded_groups_take_every_sentence_once_with_bounded_padding():
    lengths = np.random.default_rng(1).integers(1, 120, size=700)
    groups = padded_groups(lengths)
    assert sorted(np.concatenate(groups).tolist()) == list(range(len(lengths)))
    for group in groups:
        assert len(group) <= LSTM_GROUP
        if len(group) > PAD_QUANTUM:
            assert len(group) * lengths[group].max() <= PAD_SLACK * lengths[group].sum()
    assert max(map(len, groups)) > PAD_QUANTUM  # similar lengths share a group
    assert [g.tolist() for g in padded_groups(np.array([3, 50, 4]))] == [[1, 2, 0]]  # no group under 8 is split


@pytest.mark.parametrize("depth", [1, 2])
def test_sentence_lstm_on_cpu_equals_the_packed_run_and_its_gradients(depth):
    # padded groups sorted by length (several groups, sentences of one token among them) give what packing gives
    torch.manual_seed(0)
    layer = SentenceLSTM(6, 8, depth).double()  # float64: parameter gradients sum thousands of rows
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 30, size=3 * LSTM_GROUP + 5)
    starts = np.cumsum(np.append(0, lengths[:-1]))
    rows = torch.randn(int(lengths.sum()), 6, dtype=torch.float64, requires_grad=True)
    loss_weights = torch.randn(int(lengths.sum()), 8, dtype=torch.float64)
    grads = []
    for run in (layer._packed, layer):
        layer.zero_grad()
        out = run(rows, starts, lengths)
        (out * loss_weights).sum().backward()
        grads.append((out.detach(), rows.grad.clone(), [p.grad.clone() for p in layer.parameters()]))
        rows.grad = None
    (packed, packed_rows, packed_params), (padded, padded_rows, padded_params) = grads
    torch.testing.assert_close(padded, packed)
    torch.testing.assert_close(padded_rows, packed_rows)
    for a, b in zip(padded_params, packed_params):
        torch.testing.assert_close(a, b)
    with torch.no_grad():
        torch.testing.assert_close(layer.eval()(rows, starts, lengths), packed)
    assert layer(rows[:0], starts[:0], lengths[:0]).shape == (0, 8)


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



class _Width(torch.nn.Module):
    width = 8


def test_features_at_inference_run_a_few_thousand_tokens_at_a_time_and_equal_the_whole_batch():
    torch.manual_seed(0)
    model = BiaffineParser(tok2vec=_Width(), width=8, context_width=6, dropout=0.0)
    model.resize(3)
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 40, size=600)  # about 12,000 tokens: several runs of INFERENCE_CHUNK
    starts = np.cumsum(np.append(0, lengths[:-1]))
    rows = torch.randn(int(lengths.sum()), 8)
    tokens = TokenVectors(rows, model.sent(rows), [int(lengths.sum())])
    assert len(bounded_runs(lengths, INFERENCE_CHUNK)) > 2
    whole = model.train().features(tokens, starts, lengths)
    runs = model.eval().features(tokens, starts, lengths)
    for name in ("arc_dep", "arc_head", "label_dep", "label_head"):
        torch.testing.assert_close(getattr(runs, name), getattr(whole, name))


def test_bounded_runs_and_length_chunks_bound_tokens():
    assert bounded_runs([3, 3, 5, 1, 9, 2], 6) == [slice(0, 2), slice(2, 4), slice(4, 5), slice(5, 6)]
    assert bounded_runs([], 6) == []
    lengths = np.array([5] * 100 + [300])
    groups = length_chunks(lengths, cells=1 << 20, tokens=100)
    assert sorted(np.concatenate(groups).tolist()) == list(range(101))
    assert all(len(g) * lengths[g].max() <= 100 or len(g) == 1 for g in groups)
    assert [len(g) for g in groups] == [20] * 5 + [1]

