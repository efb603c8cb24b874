"""Optimizer steps on the user's own model and data, one at a time, at an LR chosen per step.

One step is what torch-lr-finder's `LRFinder._train_batch` does (torch_lr_finder/lr_finder.py):
`accumulation_steps` micro-batches, each loss divided by `accumulation_steps` before backward, one
`optimizer.step()` (through the GradScaler with AMP); the step's loss is the mean of the micro-batch
losses. A step the GradScaler skipped (inf/NaN gradients) is detected the way training loops built
on GradScaler detect it: `update()` multiplies the scale by `backoff_factor` (< 1) exactly when
the step was skipped (torch/cuda/amp/grad_scaler.py, `GradScaler.update`), so the scale went down.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

import torch


@dataclass
class Step:
    """One optimizer step: the mean micro-batch loss (NaN/inf as computed), the base LR it ran at,
    and whether the GradScaler skipped it (the parameters did not change)."""

    loss: float
    lr: float
    skipped: bool = False


def group_lr_mults(optimizer: torch.optim.Optimizer) -> list[float]:
    """Each param group's LR as a fraction of the largest (discriminative LRs keep their ratios)."""
    lrs = [float(g["lr"]) for g in optimizer.param_groups]
    top = max(lrs)
    if not (top > 0 and math.isfinite(top)):
        raise ValueError(f"the optimizer's param groups have no positive LR ({lrs}): set lr > 0 so their ratios are known")
    return [lr / top for lr in lrs]


def move_to(obj: Any, device: torch.device | None, non_blocking: bool = True) -> Any:
    """Tensors (in tuples, lists, dicts) moved to `device`, as torch-lr-finder's `_move_to_device`."""
    if device is None:
        return obj
    if hasattr(obj, "to"):
        return obj.to(device, non_blocking=non_blocking)
    if isinstance(obj, (tuple, list)):
        return type(obj)(move_to(o, device, non_blocking) for o in obj)
    if isinstance(obj, dict):
        return {k: move_to(v, device, non_blocking) for k, v in obj.items()}
    return obj


def cycle(loader: Iterable[Any]) -> Iterator[Any]:
    """The loader's batches, over and over (a new epoch, reshuffled, when it runs out)."""
    while True:
        empty = True
        for batch in loader:
            empty = False
            yield batch
        if empty:
            raise ValueError("train_loader yielded no batch (an exhausted iterator? pass a DataLoader or another re-iterable)")


def batch_loss(model: torch.nn.Module, criterion: Callable[..., torch.Tensor] | None, batch: Any) -> torch.Tensor:
    """`criterion(model(inputs), labels)` for `(inputs, labels, *rest)` batches (torch-lr-finder's
    format); with criterion=None, `model(**batch).loss` for dict batches (Hugging Face models)."""
    if criterion is None:
        out = model(**batch) if isinstance(batch, dict) else model(*batch)
        loss = out["loss"] if isinstance(out, dict) else getattr(out, "loss", None)
        if loss is None:
            raise ValueError("criterion=None needs a model that returns its loss (outputs.loss, as Hugging Face models given labels)")
        return loss
    if isinstance(batch, (tuple, list)) and len(batch) >= 2:
        return criterion(model(batch[0]), batch[1])
    raise ValueError(f"batches must be (inputs, labels, ...) tuples or lists, got {type(batch).__name__}; "
                     "for dict batches of a model that computes its own loss pass criterion=None")


class Trainer:
    """Trains `model` one optimizer step at a time on `train_loader` (cycled), setting each param
    group's LR to `lr × lr_mults[i]` first. `train_steps(lr_fn, steps)` runs a whole schedule."""

    def __init__(self, model: torch.nn.Module, optimizer: torch.optim.Optimizer, train_loader: Iterable[Any],
                 criterion: Callable[..., torch.Tensor] | None = None, *, accumulation_steps: int = 1,
                 scaler: Any = None, autocast: dict[str, Any] | None = None, clip_grad_norm: float | None = None,
                 device: torch.device | str | None = None, non_blocking_transfer: bool = True,
                 lr_mults: list[float] | None = None):
        if not (isinstance(accumulation_steps, int) and accumulation_steps >= 1):
            raise ValueError(f"accumulation_steps must be an integer >= 1, got {accumulation_steps!r}")
        self.model = model
        self.optimizer = optimizer
        self.criterion = criterion
        self.accumulation_steps = accumulation_steps
        self.scaler = scaler
        self.autocast = autocast
        self.clip_grad_norm = clip_grad_norm
        self.non_blocking = non_blocking_transfer
        if device is None:
            first = next(model.parameters(), None)
            device = first.device if first is not None else None
        self.device = torch.device(device) if device is not None else None
        self.lr_mults = lr_mults if lr_mults is not None else group_lr_mults(optimizer)
        if len(self.lr_mults) != len(optimizer.param_groups):
            raise ValueError(f"{len(self.lr_mults)} lr_mults for {len(optimizer.param_groups)} param groups")
        self.batches = cycle(train_loader)
        self.micro_batches = 0

    def set_lr(self, lr: float, group_lrs: list[float] | None = None) -> None:
        lrs = group_lrs if group_lrs is not None else [lr * m for m in self.lr_mults]
        for group, value in zip(self.optimizer.param_groups, lrs):
            group["lr"] = value

    def step(self, lr: float, group_lrs: list[float] | None = None) -> Step:
        """One optimizer step at `lr` (accumulation_steps micro-batches)."""
        self.set_lr(lr, group_lrs)
        self.model.train()
        self.optimizer.zero_grad(set_to_none=True)
        k = self.accumulation_steps
        total = 0.0
        for _ in range(k):
            batch = move_to(next(self.batches), self.device, self.non_blocking)
            self.micro_batches += 1
            ctx = torch.autocast(**self.autocast) if self.autocast else contextlib.nullcontext()
            with ctx:
                loss = batch_loss(self.model, self.criterion, batch)
            scaled = loss / k
            (self.scaler.scale(scaled) if self.scaler is not None else scaled).backward()
            total += float(loss.detach().float().item())
        if self.clip_grad_norm is not None:
            if self.scaler is not None:
                self.scaler.unscale_(self.optimizer)
            params = [p for g in self.optimizer.param_groups for p in g["params"]]
            torch.nn.utils.clip_grad_norm_(params, self.clip_grad_norm)
        skipped = False
        if self.scaler is not None:
            before = float(self.scaler.get_scale())
            self.scaler.step(self.optimizer)
            self.scaler.update()
            skipped = float(self.scaler.get_scale()) < before
        else:
            self.optimizer.step()
        return Step(loss=total / k, lr=lr, skipped=skipped)

    def train_steps(self, lr_fn: Callable[[int], float], steps: int, max_skipped: int = 20) -> list[Step]:
        """`steps` optimizer steps, step i at `lr_fn(i)`. A step the GradScaler skipped is retried
        at the same i (it did not train); more than `max_skipped` skips in a row raise
        FloatingPointError (the gradients are not finite at any scale)."""
        done: list[Step] = []
        in_a_row = 0
        while len(done) < steps:
            s = self.step(lr_fn(len(done)))
            if s.skipped:
                in_a_row += 1
                if in_a_row > max_skipped:
                    raise FloatingPointError(f"{in_a_row} optimizer steps in a row skipped by the GradScaler at lr {s.lr}")
                continue
            in_a_row = 0
            done.append(s)
        return done
