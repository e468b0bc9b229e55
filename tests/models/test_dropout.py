"""plait's CPU Dropout: the rate it drops at, its gradient, reproducibility, and its use inside transformers."""
import pytest
import torch
from torch import nn

from plait.models.dropout import Dropout, use_fast_dropout


@pytest.mark.parametrize("p", [0.1, 0.5])
def test_drops_at_the_rate_and_rescales(p):
    torch.manual_seed(0)
    x = torch.ones(1000, 1000, requires_grad=True)
    y = Dropout(p).train()(x)
    kept = y > 0
    assert abs(kept.float().mean().item() - (1 - p)) < 0.002
    assert torch.allclose(y[kept], torch.full_like(y[kept], 1 / (1 - p)))
    y.sum().backward()
    assert torch.equal(x.grad, kept.float() / (1 - p)), "the gradient passes through the kept elements only"


def test_same_seed_same_mask_and_eval_is_identity():
    x = torch.randn(64, 384, dtype=torch.bfloat16)
    torch.manual_seed(3)
    a = Dropout(0.1).train()(x)
    torch.manual_seed(3)
    b = Dropout(0.1).train()(x)
    assert torch.equal(a, b) and a.dtype == torch.bfloat16
    assert not torch.equal(a, Dropout(0.1).train()(x)), "the next draw differs"
    assert torch.equal(Dropout(0.1).eval()(x), x)
    assert torch.equal(Dropout(1.0).train()(x), torch.zeros_like(x))


def test_replaces_plain_dropout_layers_keeping_their_rates():
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.2), nn.Sequential(nn.Dropout(0.3)))
    use_fast_dropout(model)
    layers = [m for m in model.modules() if isinstance(m, nn.Dropout)]
    assert [type(m) for m in layers] == [Dropout, Dropout] and [m.p for m in layers] == [0.2, 0.3]
