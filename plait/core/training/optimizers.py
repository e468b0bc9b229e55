"""Optimizers: config blocks that become a factory from parameters to a torch optimizer."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Iterable, Iterator

import torch


@dataclass
class OptimizerSpec:
    """Everything the training loop needs to build and step an optimizer."""

    learn_rate: float | Iterator[float]
    beta1: float
    beta2: float
    eps: float
    weight_decay: float
    decoupled: bool
    grad_clip: float

    def build(self, params: Iterable[torch.nn.Parameter]) -> torch.optim.Optimizer:
        """A torch Adam (L2 penalty) or AdamW (decoupled decay) over `params`."""
        cls = torch.optim.AdamW if self.decoupled else torch.optim.Adam
        first = self.learn_rate if isinstance(self.learn_rate, (int, float)) else 0.0
        # fused: one kernel for all parameters instead of a Python loop over them (CPU and CUDA)
        return cls(list(params), lr=first, betas=(self.beta1, self.beta2), eps=self.eps,
                   weight_decay=self.weight_decay, fused=True)

    def rates(self) -> Iterator[float]:
        """The learning rate for each step."""
        if isinstance(self.learn_rate, (int, float)):
            return itertools.repeat(float(self.learn_rate))
        return self.learn_rate


def adam(*, learn_rate: float | Iterator[float] = 0.001, beta1: float = 0.9, beta2: float = 0.999,
         eps: float = 1e-8, weight_decay: float = 0.0, decoupled: bool = False, grad_clip: float = 1.0) -> OptimizerSpec:
    """Adam with optional L2 (`decoupled = false`) or AdamW decay (`decoupled = true`) and gradient clipping.

    `learn_rate` may be a schedule; `grad_clip` <= 0 disables clipping.
    """
    return OptimizerSpec(learn_rate, beta1, beta2, eps, weight_decay, decoupled, grad_clip)
