"""Weights of torch's dynamic int8 quantization in safetensors files: int8 values, scales, zero points, no pickle."""
import warnings

import pytest
import torch
from torch import nn

from plait.core import weights


def _model() -> nn.Module:
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return nn.Sequential(nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 3), nn.LayerNorm(3))


def _quantized(qconfig=None, dtype=torch.qint8) -> nn.Module:
    spec = {nn.Linear: qconfig} if qconfig is not None else {nn.Linear}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(_model(), spec, dtype=dtype)


def _fail(problem: str, detail: str) -> Exception:
    return ValueError(f"{problem}: {detail}")


@pytest.mark.parametrize("qconfig", [None, torch.ao.quantization.per_channel_dynamic_qconfig],
                         ids=["per-tensor", "per-channel"])
def test_int8_layers_save_as_plain_tensors_and_load_the_same(tmp_path, qconfig):
    model = _quantized(qconfig)
    tensors = weights.module_tensors(model)
    assert tensors["0.weight.int8"].dtype == torch.int8 and not any(t.is_quantized for t in tensors.values())
    weights.write_tensors(tensors, tmp_path / "model.safetensors")
    fresh = _model()
    with torch.no_grad():
        fresh[0].weight.add_(1.0)  # different float weights: everything must come from the file
    weights.load_into(fresh, tmp_path / "model.safetensors", _fail)
    assert torch.equal(fresh[0].weight().int_repr(), model[0].weight().int_repr())
    x = torch.randn(5, 12)
    assert torch.equal(fresh(x), model(x))


def test_other_quantizations_are_refused_at_save():
    with pytest.raises(weights.WeightsFileError, match="only int8"):
        weights.module_tensors(_quantized(dtype=torch.float16))


def test_int8_weights_for_a_layer_that_is_not_linear_do_not_load(tmp_path):
    tensors = weights.module_tensors(_quantized())
    tensors = {k.replace("2.", "3.", 1) if k.startswith("2.") else k: v for k, v in tensors.items()
               if not k.startswith("3.")}
    weights.write_tensors(tensors, tmp_path / "model.safetensors")
    with pytest.raises(ValueError, match="layer 3 is int8 in the file but a LayerNorm"):
        weights.load_into(_model(), tmp_path / "model.safetensors", _fail)
