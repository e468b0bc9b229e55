"""Data-parallel training on torchrun: every rank runs the same loop on its share of each global batch, and
the shares' gradients are summed with torch.distributed, so N ranks take the steps one process would."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Sequence, TypeVar

import torch
import torch.distributed as dist

from plait.core.errors import UserError

Item = TypeVar("Item")


@dataclass(frozen=True)
class World:
    """This process's place among the ranks (rank 0 of 1 when not launched by torchrun)."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """Rank 0 evaluates, prints, logs and saves."""
        return self.rank == 0

    def share(self, batch: Sequence[Item]) -> list[Item]:
        """This rank's part of a global batch: every size-th item from its rank on."""
        return list(batch[self.rank::self.size])

    def broadcast(self, value: Any) -> Any:
        """Rank 0's `value`, on every rank."""
        if self.size == 1:
            return value
        box = [value]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def gather(self, value: Any) -> list[Any]:
        """Every rank's `value`, in rank order, on every rank."""
        if self.size == 1:
            return [value]
        out: list[Any] = [None] * self.size
        dist.all_gather_object(out, value)
        return out

    def any(self, flag: bool) -> bool:
        """Whether `flag` is true on any rank (the same answer on every rank)."""
        if self.size == 1:
            return flag
        value = torch.tensor([1.0 if flag else 0.0], dtype=torch.float64, device=_device())
        dist.all_reduce(value)
        return bool(value.item())

    def sync_modules(self, modules: Sequence[torch.nn.Module]) -> None:
        """Give every rank rank 0's parameters and buffers (the same start everywhere)."""
        if self.size == 1:
            return
        for module in modules:
            for tensor in [*module.parameters(), *module.buffers()]:
                dist.broadcast(tensor.data, src=0)

    def sum_gradients(self, params: Sequence[torch.nn.Parameter], losses: dict[str, float], names: Sequence[str]
                      ) -> dict[str, float]:
        """Sum every parameter's gradient and the step's losses over the ranks, in place; a parameter no rank
        has a gradient for keeps none (as in one process). Returns the summed losses by name."""
        if self.size == 1:
            return losses
        device = params[0].device if params else _device()
        flat = torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1).float()
                          for p in params]) if params else torch.zeros(0, device=device)
        stats = torch.tensor([float(p.grad is not None) for p in params] + [losses.get(n, 0.0) for n in names],
                             dtype=torch.float64, device=device)
        dist.all_reduce(flat)
        dist.all_reduce(stats)
        offset = 0
        for p, present in zip(params, stats[:len(params)].tolist()):
            n = p.numel()
            p.grad = flat[offset:offset + n].view_as(p).to(p.dtype) if present else None
            offset += n
        return dict(zip(names, stats[len(params):].tolist()))


def _device() -> torch.device:
    return torch.device("cuda", torch.cuda.current_device()) if dist.get_backend() == "nccl" else torch.device("cpu")


def join_world() -> World:
    """Join the process group torchrun describes in the environment (NCCL with CUDA, else gloo); a plain
    process is World(0, 1)."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size <= 1:
        return World()
    rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank)
        dist.init_process_group("nccl")
    else:
        dist.init_process_group("gloo")
    return World(rank, size, local_rank)


def rank_device(world: World, gpu_id: int) -> str:
    """Under torchrun each rank takes `cuda:LOCAL_RANK` when CUDA is there, else the CPU."""
    if world.size == 1:
        raise ValueError("rank_device is for ranks of torchrun")
    if gpu_id >= 0 and not torch.cuda.is_available():
        raise UserError(f"--gpu-id {gpu_id}: no CUDA GPU is available")
    return f"cuda:{world.local_rank}" if torch.cuda.is_available() else "cpu"


def leave_world(world: World, *, together: bool) -> None:
    """Leave the process group. Ranks that end together (finished, or stopped by a signal all of them heard)
    first wait for each other, so none tears its connections down while a peer still saves or sends; a rank
    that failed alone leaves at once (its peers' next collective then fails and stops them)."""
    if world.size > 1 and dist.is_initialized():
        if together:
            dist.barrier()
        dist.destroy_process_group()
