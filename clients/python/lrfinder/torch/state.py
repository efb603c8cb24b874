"""A snapshot of everything a few training steps change, restored exactly afterwards.

torch-lr-finder deep-copies `model.state_dict()` and `optimizer.state_dict()` and restores them on a
manual `reset()` (torch_lr_finder/lr_finder.py, `StateCacher`, `LRFinder.reset`); fastai saves and
reloads the Learner's state (`Learner.lr_find`, "_tmp"). This does the same automatically and adds
what they leave changed: each parameter's `.grad`, buffers outside the state dict, train/eval
modes, the GradScaler's scale, and the random number generators (so dropout masks and a shuffling
DataLoader draw the same numbers after the range test as they would have without it).
"""
from __future__ import annotations

import copy
import random
import sys
from typing import Any

import torch


def _rng_state() -> dict[str, Any]:
    state: dict[str, Any] = {"torch": torch.get_rng_state(), "python": random.getstate()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    numpy = sys.modules.get("numpy")  # only when the user's code already uses it
    if numpy is not None:
        state["numpy"] = numpy.random.get_state()
    return state


def _set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    if "cuda" in state:
        torch.cuda.set_rng_state_all(state["cuda"])
    if "numpy" in state:
        sys.modules["numpy"].random.set_state(state["numpy"])


class TrainingState:
    """Snapshots the model, the optimizer (state tensors such as Adam's moments and step counts,
    and every param group's hyper-parameters: lr, betas, ...), the scaler and the RNGs when made;
    `restore()` puts them back (as often as needed: each restore starts from the same snapshot).
    As a context manager it restores on exit, also when the block raises:

        with TrainingState(model, optimizer, scaler):
            train_a_few_steps()
        # the model and optimizer are as they were before the block
    """

    def __init__(self, model: torch.nn.Module, optimizer: torch.optim.Optimizer, scaler: Any = None, rng: bool = True):
        self.model = model
        self.optimizer = optimizer
        self.scaler = scaler
        self.model_state = copy.deepcopy(model.state_dict())
        in_state_dict = set(self.model_state)
        # non-persistent buffers (register_buffer(..., persistent=False)) are not in the state dict
        self.extra_buffers = {name: b.detach().clone() for name, b in model.named_buffers() if name not in in_state_dict}
        self.optimizer_state = copy.deepcopy(optimizer.state_dict())
        self.step_count = getattr(optimizer, "_step_count", None)  # an LR scheduler's "step() before optimizer.step()" counter
        self.training = {name: m.training for name, m in model.named_modules()}
        params = [p for g in optimizer.param_groups for p in g["params"]] + list(model.parameters())
        seen: set[int] = set()
        self.grads: list[tuple[torch.Tensor, torch.Tensor | None]] = []
        for p in params:
            if id(p) not in seen:
                seen.add(id(p))
                self.grads.append((p, None if p.grad is None else p.grad.detach().clone()))
        has_state = scaler is not None and hasattr(scaler, "state_dict")
        self.scaler_state = copy.deepcopy(scaler.state_dict()) if has_state else None
        self.rng = _rng_state() if rng else None

    def restore(self) -> None:
        self.model.load_state_dict(self.model_state)
        if self.extra_buffers:
            buffers = dict(self.model.named_buffers())
            with torch.no_grad():
                for name, saved in self.extra_buffers.items():
                    buffers[name].copy_(saved)
        self.optimizer.load_state_dict(self.optimizer_state)  # deep-copies: the snapshot stays intact
        if self.step_count is not None:
            self.optimizer._step_count = self.step_count
        for name, module in self.model.named_modules():
            if name in self.training:
                module.training = self.training[name]
        for p, grad in self.grads:
            p.grad = None if grad is None else grad.clone()
        if self.scaler_state is not None:
            self.scaler.load_state_dict(copy.deepcopy(self.scaler_state))
        if self.rng is not None:
            _set_rng_state(self.rng)

    def __enter__(self) -> "TrainingState":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.restore()
