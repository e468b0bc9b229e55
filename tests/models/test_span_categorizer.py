"""The span model's shortcut (first, last and mean projected once a token, the max once a span) gives the logits of
the plain computation on concatenated span features, and its blocks bound the work whatever the spans."""
import numpy as np
import torch

from plait.core.suggesters import ngrams
from plait.models.listener import Listener
from plait.models.span_categorizer import SpanCategorizer, span_blocks

WIDTH = 6


def _model(max_width: int = 3) -> SpanCategorizer:
    torch.manual_seed(0)
    model = SpanCategorizer(tok2vec=Listener(width=WIDTH), width=WIDTH, hidden_width=5, maxout_pieces=3,
                            width_embedding=4, max_width=max_width, dropout=0.0)
    model.resize(3, -1.0)
    torch.nn.init.normal_(model.output.weight)
    return model.double().eval()


def _plain(model: SpanCategorizer, rows: torch.Tensor, offsets: np.ndarray) -> torch.Tensor:
    features = []
    for start, end in offsets.tolist():
        span = rows[start:end]
        width = model.widths.weight[min(end - start, model.max_width)]
        features.append(torch.cat([span[0], span[-1], span.mean(dim=0), span.amax(dim=0), width]))
    return model.output(model.norm(model.hidden(torch.stack(features))))


def test_the_shortcut_gives_the_plain_logits_forward_and_backward():
    model = _model()
    rows = torch.randn(12, WIDTH, dtype=torch.float64, requires_grad=True)
    offsets = np.concatenate([ngrams(12, [1, 2, 5]), np.array([[3, 12], [0, 12]])])  # widths past max_width too
    fast, plain = model._score(rows, offsets), _plain(model, rows, offsets)
    assert fast.shape == (len(offsets), 3) and torch.allclose(fast, plain, atol=1e-10)
    weights = torch.randn_like(plain)
    want = torch.autograd.grad((plain * weights).sum(), [rows, model.hidden.linear.weight])
    have = torch.autograd.grad((fast * weights).sum(), [rows, model.hidden.linear.weight])
    assert all(torch.allclose(a, b, atol=1e-10) for a, b in zip(want, have))


def test_blocks_cover_every_span_once_within_their_bounds():
    offsets = np.concatenate([ngrams(3000, [1, 2, 3, 7]), np.array([[2990, 3000]])])
    offsets = offsets[np.lexsort((offsets[:, 1], offsets[:, 0]))]
    blocks = list(span_blocks(offsets, rows=200))
    assert [b.start for b in blocks[1:]] == [b.stop for b in blocks[:-1]] and blocks[-1].stop == len(offsets)
    longest = int((offsets[:, 1] - offsets[:, 0]).max())
    for block in blocks:
        part = offsets[block]
        assert len(part) * longest <= 200 and part[:, 0].max() - part[:, 0].min() < 200
    assert list(span_blocks(np.array([[0, 900]]), rows=200)) == [slice(0, 1)]  # a span longer than a block: alone
