"""Optimizers: config blocks that become a factory from parameters to a torch optimizer."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import torch

from plait.models.settings import FiniteFloat, NonNegativeFloat, PositiveFloat, Rate


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
    use_averages: bool = False
    component_learn_rates: dict[str, float | Iterator[float]] = field(default_factory=dict)

    def build(self, params: Iterable[torch.nn.Parameter] | dict[str, list[torch.nn.Parameter]]) -> torch.optim.Optimizer:
        """A torch Adam (L2 penalty) or AdamW (decoupled decay) over `params`.

        Given a dict of component name -> parameters, each component gets its own parameter group (tagged
        `component`), so that `component_rates` can set its learning rate.
        """
        cls = torch.optim.AdamW if self.decoupled else torch.optim.Adam
        if isinstance(params, dict):
            groups = [{"params": group, "component": name} for name, group in params.items() if group]
        else:
            groups = [{"params": list(params)}]
        # fused: one kernel for all parameters instead of a Python loop over them (CPU and CUDA)
        return cls(groups, lr=0.0, betas=(self.beta1, self.beta2), eps=self.eps, weight_decay=self.weight_decay,
                   fused=True)

    def rates(self) -> Iterator[float]:
        """The learning rate for each step."""
        return _values(self.learn_rate)

    def component_rates(self, names: Iterable[str]) -> Iterator[dict[str, float]]:
        """Each step's learning rate per component: its own from `component_learn_rates`, else `learn_rate`."""
        names = list(names)
        default = self.rates()
        own = {name: _values(rate) for name, rate in self.component_learn_rates.items()}
        while True:
            base = next(default)
            yield {name: next(own[name]) if name in own else base for name in names}


def _values(rate: float | Iterator[float]) -> Iterator[float]:
    return itertools.repeat(float(rate)) if isinstance(rate, (int, float)) else rate


def adam(*, learn_rate: NonNegativeFloat | Iterator[float] = 0.001, beta1: Rate = 0.9, beta2: Rate = 0.999,
         eps: PositiveFloat = 1e-8, weight_decay: NonNegativeFloat = 0.0, decoupled: bool = False,
         grad_clip: FiniteFloat = 1.0, use_averages: bool = False,
         component_learn_rates: dict[str, NonNegativeFloat | Iterator[float]] = {}) -> OptimizerSpec:
    """Adam with optional L2 (`decoupled = false`) or AdamW decay (`decoupled = true`) and gradient clipping.

    `learn_rate` may be a schedule; `grad_clip` <= 0 disables clipping. `component_learn_rates` gives
    named components their own rate or schedule: fine-tuning a transformer wants a small rate for it and a
    much larger one for the freshly initialised heads on top. `use_averages` keeps a moving average of every
    weight, which evaluation and the saved models use: less noisy than the last step's weights.
    """
    return OptimizerSpec(learn_rate, beta1, beta2, eps, weight_decay, decoupled, grad_clip, use_averages,
                         dict(component_learn_rates))
