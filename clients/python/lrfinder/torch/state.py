"""A snapshot of everything a few training steps change, restored exactly afterwards.

torch-lr-finder deep-copies `model.state_dict()` and `optimizer.state_dict()` and restores them on a
manual `reset()` (torch_lr_finder/lr_finder.py, `StateCacher`, `LRFinder.reset`); fastai saves and
reloads the Learner's state (`Learner.lr_find`, "_tmp"). This does the same automatically and adds
what they leave changed: each parameter's `.grad`, buffers outside the state dict, train/eval
modes, the GradScaler's scale, and the random number generators (so dropout masks and a shuffling
DataLoader draw the same numbers after the range test as they would have without it).
"""
from __future__ import annotations

import contextlib
import copy
import random
import sys
from typing import Any, Iterable, Iterator

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


def generator_states(loader: Any) -> dict[str, torch.Tensor]:
    """The states of a DataLoader's own generators: "loader" (its `generator`), "sampler" (its sampler's)."""
    found = {"loader": getattr(loader, "generator", None),
             "sampler": getattr(getattr(loader, "sampler", None), "generator", None)}
    return {k: g.get_state() for k, g in found.items() if isinstance(g, torch.Generator)}


def set_generator_states(loader: Any, states: dict[str, torch.Tensor]) -> None:
    if "loader" in states:
        loader.generator.set_state(states["loader"])
    if "sampler" in states:
        loader.sampler.generator.set_state(states["sampler"])


def _loader_generators(loaders: Iterable[Any]) -> list[torch.Generator]:
    """The torch.Generators a DataLoader draws from besides the global one: its own `generator`
    (the base seed of each pass), its sampler's and its batch sampler's sampler's (the shuffle)."""
    found: list[torch.Generator] = []
    for loader in loaders:
        sampler = getattr(loader, "sampler", None)
        inner = getattr(getattr(loader, "batch_sampler", None), "sampler", None)
        for g in (getattr(x, "generator", None) for x in (loader, sampler, inner)):
            if isinstance(g, torch.Generator) and all(g is not x for x in found):
                found.append(g)
    return found


@contextlib.contextmanager
def isolated_rng(*loaders: Any) -> Iterator[None]:
    """Whatever runs inside draws no random number the code after it would have drawn: torch's
    global CPU generator, the CUDA ones (once CUDA is initialized), Python's `random`, NumPy's
    global one and the given loaders' own generators are put back on exit, as
    `torch.random.fork_rng` does for torch's. An evaluation pass needs it: iterating a DataLoader
    draws its base seed (torch/utils/data/dataloader.py, `_BaseDataLoaderIter.__init__`), from the
    global generator unless it has its own, even unshuffled, so a validation between training steps
    would otherwise shift every later shuffle and dropout mask of the training run."""
    generators = _loader_generators(loaders)
    saved = [g.get_state() for g in generators]
    state = _rng_state()
    try:
        yield
    finally:
        _set_rng_state(state)
        for g, s in zip(generators, saved):
            g.set_state(s)


class TrainingState:
    """Snapshots the model, the optimizer (state tensors such as Adam's moments and step counts,
    and every param group's hyper-parameters: lr, betas, ...), the scaler and the RNGs when made;
    `restore()` puts them back (as often as needed: each restore starts from the same snapshot).
    As a context manager it restores on exit, also when the block raises:

        with TrainingState(model, optimizer, scaler):
            train_a_few_steps()
        # the model and optimizer are as they were before the block
    """

    def __init__(self, model: torch.nn.Module, optimizer: torch.optim.Optimizer, scaler: Any = None, rng: bool = True,
                 loaders: Iterable[Any] = ()):
        self.model = model
        # loaders with generators of their own (DataLoader(generator=...)): theirs are restored too
        self.loaders = [(loader, generator_states(loader)) for loader in loaders] if rng else []
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
        for loader, states in self.loaders:
            set_generator_states(loader, states)

    def __enter__(self) -> "TrainingState":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.restore()
