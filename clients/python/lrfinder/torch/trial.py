"""One LR search trial on a PyTorch model (`train_trial`), and the same trial as a task for a pool of
threads or processes (`TrialTask`), each on its own copy of the model, the optimizer and the
scaler, so parallel trials never share a module.

Each trial starts from the same snapshot: the weights, the optimizer state and the random number
generators as they were when the search started. In its own process (a ProcessPoolExecutor) a
trial restores the RNGs there, as a sequential trial does. Threads share torch's global generator,
so on a thread pool each trial iterates its own copy of the train loader (`private_loader`) whose
draws (each pass's base seed, RandomSampler's shuffle seed) come from a generator of its own,
started where the global one was: the same numbers in the same order, so the same batches, as long
as nothing else draws from the global generator while training (dropout, random augmentation in
the main process): such a model's trials on threads are not those of your own loop; search()
warns when it sees it, and a process pool (or parallelism=1) runs them exactly.
"""
from __future__ import annotations

import copy
import math
from typing import Any, Callable, Iterable, Iterator

import torch
from torch.utils.data import DataLoader, RandomSampler, Sampler

from .range_test import _validate
from .state import _set_rng_state, isolated_rng, set_generator_states
from .trainer import Trainer

# the service's train_loss metric (src/lrfinder/search/trial-runner.ts, trainLossWindow): the mean
# of the last 5% of the minibatch losses, at least 10 (or all when fewer)
TRAIN_TAIL_FRACTION = 0.05
TRAIN_TAIL_MIN = 10


def train_loss_window(steps: int) -> int:
    return min(steps, max(TRAIN_TAIL_MIN, math.ceil(steps * TRAIN_TAIL_FRACTION)))


def train_trial(trainer: Trainer, trial: dict[str, Any], metric: Callable[[list[float], int], float],
                factors: list[float] | None, diverge_th: float, max_skipped_steps: int) -> dict[str, Any]:
    """Trains `trial["steps"]` steps at `trial["lr"]` (× the schedule's factor of each step) and returns
    the report: {"metric", "metrics_at"} or, when it diverged, {"metric": None, "steps"}."""
    lr, steps, eval_at = trial["lr"], trial["steps"], set(trial.get("eval_at") or [])
    losses: list[float] = []
    at: dict[int, float] = {}
    skipped_in_a_row = 0
    while len(losses) < steps:
        i = len(losses)
        s = trainer.step(lr * (factors[i] if factors is not None else 1.0))
        if s.skipped:
            skipped_in_a_row += 1
            if skipped_in_a_row > max_skipped_steps:
                return {"metric": None, "steps": max(1, len(losses))}
            continue
        skipped_in_a_row = 0
        losses.append(s.loss)
        if not math.isfinite(s.loss) or s.loss > diverge_th * losses[0]:
            return {"metric": None, "steps": max(1, len(losses))}
        if len(losses) in eval_at:
            at[len(losses)] = metric(losses, len(losses))
    return {"metric": metric(losses, steps), "metrics_at": at}


class _SeedFrom(Sampler):
    """RandomSampler without a generator, drawing its shuffle seed from `generator` instead of torch's
    global one (torch/utils/data/sampler.py, `RandomSampler.__iter__`: a seed, then randperm)."""

    def __init__(self, sampler: RandomSampler, generator: torch.Generator):
        self.sampler, self.generator = sampler, generator

    def __len__(self) -> int:
        return len(self.sampler)

    def __iter__(self) -> Iterator[int]:
        seed = int(torch.empty((), dtype=torch.int64).random_(generator=self.generator).item())
        s = copy.copy(self.sampler)
        s.generator = torch.Generator()
        s.generator.manual_seed(seed)
        return iter(s)


def private_loader(loader: Iterable[Any], torch_state: torch.Tensor, own: dict[str, torch.Tensor]) -> Iterable[Any]:
    """A copy of a DataLoader that draws from generators of its own: clones of its `generator` and its
    sampler's at their snapshot states `own` (generator_states), or, without, a new one at
    `torch_state` (the global generator's snapshot). Other iterables are returned as they are."""
    if not isinstance(loader, DataLoader):
        return loader
    mine = torch.Generator()
    mine.set_state(own["loader"] if "loader" in own else torch_state)
    c = copy.copy(loader)
    # DataLoader.__setattr__ refuses sampler and batch_sampler after __init__: the copy is ours
    object.__setattr__(c, "generator", mine)
    object.__setattr__(c, "_iterator", None)
    sampler = loader.sampler
    if isinstance(sampler, RandomSampler):
        if sampler.generator is None:
            new: Sampler = _SeedFrom(sampler, mine)
        else:
            new = copy.copy(sampler)
            new.generator = mine if sampler.generator is loader.generator else torch.Generator()
            if sampler.generator is not loader.generator:
                new.generator.set_state(own["sampler"])
        object.__setattr__(c, "sampler", new)
        if loader.batch_sampler is not None and getattr(loader.batch_sampler, "sampler", None) is sampler:
            batches = copy.copy(loader.batch_sampler)
            batches.sampler = new
            object.__setattr__(c, "batch_sampler", batches)
    return c


class TrialTask:
    """A trial as a pool's task: `task(trial, slot)` trains a fresh copy of the snapshot on the device
    `device(slot)` (a callable) or `device`, and returns the report. Picklable when the model, the
    optimizer, the loaders and the criterion are (a process pool pickles it for each trial)."""

    def __init__(self, snapshot: tuple[Any, Any, Any], rng: dict[str, Any], own: tuple[dict[str, Any], dict[str, Any]],
                 train_loader: Iterable[Any], val_loader: Iterable[Any] | None, criterion: Any,
                 trainer_options: dict[str, Any], trial_options: dict[str, Any], device: Any, threads: bool):
        # own: the snapshot states of the train and the validation loader's own generators
        self.snapshot, self.rng, self.own = snapshot, rng, own
        self.train_loader, self.val_loader, self.criterion = train_loader, val_loader, criterion
        self.trainer_options, self.trial_options = trainer_options, trial_options
        self.device, self.threads = device, threads

    def __call__(self, trial: dict[str, Any], slot: int) -> dict[str, Any]:
        model, optimizer, scaler = copy.deepcopy(self.snapshot)
        device = self.device(slot) if callable(self.device) else self.device
        if device is not None:
            model.to(device)
            optimizer.load_state_dict(optimizer.state_dict())  # moves its state to the parameters' device
        if self.threads:
            train = private_loader(self.train_loader, self.rng["torch"], self.own[0])
            val = None if self.val_loader is None else private_loader(self.val_loader, self.rng["torch"], self.own[1])
        else:
            _set_rng_state(self.rng)
            set_generator_states(self.train_loader, self.own[0])
            train, val = self.train_loader, self.val_loader
        trainer = Trainer(model, optimizer, train, self.criterion, scaler=scaler, device=device, **self.trainer_options)
        o = self.trial_options

        def metric(losses: list[float], steps: int) -> float:
            if val is not None and self.threads:
                # its private copy draws nothing from the generators of the other trials or the global one
                return _validate(model, self.criterion, val, trainer.device, o["non_blocking_transfer"])
            if val is not None:
                with isolated_rng(train, val):
                    return _validate(model, self.criterion, val, trainer.device, o["non_blocking_transfer"])
            tail = losses[steps - train_loss_window(steps):steps]
            return sum(tail) / len(tail)

        return train_trial(trainer, trial, metric, o["factors"], o["diverge_th"], o["max_skipped_steps"])
