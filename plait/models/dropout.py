"""Dropout with a cheaper random mask on CPU, where drawing the mask is a large share of transformer fine-tuning
time (figures: BENCHMARKS.md, "Transformers")."""
from __future__ import annotations

import torch
from torch import nn

# Each element's keep/drop decision compares 16 random bits with round(p * 2**16): rates are exact to 1/65,536.
_LEVELS = 1 << 16


class Dropout(nn.Dropout):
    """nn.Dropout whose CPU mask takes 16 random bits per element, drawn 64 at a time from torch's generator.

    torch's CPU `bernoulli_` asks the generator once per element; a quarter of the calls makes the mask cheaper.
    Seeded and reproducible like any torch RNG; other devices keep torch's fused dropout.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0 or x.device.type != "cpu":
            return super().forward(x)
        if self.p >= 1:
            return x * 0
        n = x.numel()
        bits = torch.empty((n + 3) // 4, dtype=torch.int64).random_(-2**63, 2**63 - 1).view(torch.int16)[:n]
        keep = bits.view(x.shape) >= round(self.p * _LEVELS) - _LEVELS // 2
        return torch.where(keep, x, 0) * (1 / (1 - self.p))


def use_fast_dropout(module: nn.Module) -> None:
    """Replace every plain nn.Dropout inside `module` (e.g. a HuggingFace model) by `Dropout` of the same rate."""
    for parent in list(module.modules()):
        for name, child in parent.named_children():
            if type(child) is nn.Dropout:
                setattr(parent, name, Dropout(child.p, inplace=False))
