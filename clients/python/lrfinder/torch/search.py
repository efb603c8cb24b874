"""`search(model, optimizer, train_loader, criterion, train_steps=...)`: the service's LR search
(POST /v1/lr-search-sessions) on your own PyTorch model. The service plans, your model trains:
a range test brackets the search, then short paired trials — every one from the SAME initial
weights, optimizer state and batch order (the snapshot is restored and the RNGs with it) — are
compared at your horizon; the result is a recommended LR with an interval and a confidence.
Afterwards the model and the optimizer are put back as they were."""
from __future__ import annotations

import copy
import math
import warnings
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any, Callable, Iterable

import torch

from ..client import Client
from ..leases import run_leased
from .range_test import _validate
from .result import TorchResult
from .state import TrainingState, generator_states, isolated_rng
from .trainer import Trainer, group_lr_mults
from .trial import TRAIN_TAIL_FRACTION, TRAIN_TAIL_MIN, TrialTask, train_loss_window, train_trial

__all__ = ["SearchResult", "search", "train_loss_window", "TRAIN_TAIL_FRACTION", "TRAIN_TAIL_MIN"]


class SearchResult(TorchResult):
    """The LR search's result (`recommended_lr`, `interval`, `confidence`, `candidates`, `range_test`,
    `cost`, `warnings`, ... as an LR search job's) plus `group_lrs` (each param group's recommended LR),
    `session_id`. Keys read as attributes; in Jupyter it shows the service's plot; `apply(optimizer)`
    sets each param group to its recommended LR."""

    lr_key = "recommended_lr"
    lr_name = "recommended LR"
    title = "LR search"

    def __init__(self, result: dict[str, Any], session: Any, **extra: Any):
        super().__init__(result, **extra)
        self._session = session
        self._svg: str | None = None

    def _why_no_lr(self) -> str:
        return f"warnings: {[w.get('code') for w in self.get('warnings', [])]}"

    def svg(self) -> str:
        if self._svg is None:
            self._svg = self._session.svg()
        return self._svg

    def _fields(self) -> list[tuple[str, Any]]:
        conf = self.get("confidence") or {}
        interval = self.get("interval") or {}
        return [("recommended_lr", self["recommended_lr"]),
                ("interval", f"{interval['low']:.3g} … {interval['high']:.3g}" if interval else None),
                ("confidence", f"{conf.get('level')} (p {conf.get('p_within_tolerance', 0):.2f})"),
                ("train_steps", self.get("train_steps")), ("cost_steps", (self.get("cost") or {}).get("steps"))]


def search(model: torch.nn.Module, optimizer: torch.optim.Optimizer, train_loader: Iterable[Any],
           criterion: Callable[..., torch.Tensor] | None = None, *, train_steps: int | None = None,
           val_loader: Iterable[Any] | None = None, lr_lambda: Callable[[int], float] | None = None,
           budget_steps: int | None = None, tolerance: float | None = None, range_test: bool | None = None,
           start_lr: float | None = None, end_lr: float | None = None, num_iter: int | None = None,
           diverge_th: float | None = None,
           accumulation_steps: int = 1, scaler: Any = None, autocast: dict[str, Any] | None = None,
           clip_grad_norm: float | None = None, device: torch.device | str | None = None,
           non_blocking_transfer: bool = True, max_skipped_steps: int = 20, restore: bool = True,
           client: Client | None = None, progress: bool = False, parallelism: int = 1,
           executor: Executor | None = None, lease_seconds: int | None = None) -> SearchResult:
    """Finds the LR to train `model` with for `train_steps` optimizer steps, by training it.

    - metric: the validation loss over the whole `val_loader` after each trial (eval mode), or, without
      one, the mean minibatch loss of the trial's last 5% of steps (at least 10): the service's
      `val_loss` / `train_loss`.
    - lr_lambda: the schedule you will train with, as torch's LambdaLR multiplier of step i over the
      horizon (e.g. warmup then cosine); each trial scales it so its peak is the candidate LR and runs
      its first `steps` steps. Default: constant LR. The recommendation is then the schedule's peak LR.
    - train_steps, budget_steps (range test included), tolerance, start_lr, end_lr, num_iter, diverge_th:
      as an LR search session's (POST /v1/lr-search-sessions); those left out are not sent, the service
      fills in its defaults, and `result.request` shows every value the search ran with.
    - range_test=False: no range test (trials start at end_lr and go down half a decade at a time).
    - A trial stops early when a loss is NaN/inf or above diverge_th × its first loss: it diverged.
    - Param groups keep their LR ratios (the largest group's LR is the one searched; `group_lrs`
      has each group's); accumulation_steps, scaler/autocast (AMP), clip_grad_norm as in range_test.
    - Afterwards (also on an error) the model, the optimizer, the scaler, grads and RNGs are restored
      unless restore=False.
    - parallelism=N: N trials at once (the service's parallel session; the result is the same as with 1),
      each on its own deep copy of the model, the optimizer and the scaler, run on `executor` (default a
      ThreadPoolExecutor of N threads). On threads every trial iterates its own copy of the DataLoader
      with generators of its own, so its batches are those of your loop; a model that draws random
      numbers while it trains (dropout) shares torch's global generator between threads and its trials
      differ from your loop's (a warning says so): pass a ProcessPoolExecutor for it (the model,
      optimizer, loaders and criterion must then pickle) or keep parallelism=1. Several GPUs: pass
      `device` as a function of the trial's slot 0 … N-1, e.g. `device=lambda i: f"cuda:{i}"`, and the
      trial's copy and its batches go there (the range test runs on `device(0)`). lease_seconds (the
      service's default 3600): a trial not reported by then is handed out again; set it above your
      longest trial.
    """
    client = client or Client()
    mults = group_lr_mults(optimizer)
    given = {"train_steps": train_steps, "budget_steps": budget_steps, "tolerance": tolerance, "range_test": range_test,
             "start_lr": start_lr, "end_lr": end_lr, "num_iter": num_iter, "diverge_th": diverge_th}
    parallel = parallelism > 1 or executor is not None
    if parallel:
        given["parallelism"] = int(parallelism)
        given["lease_seconds"] = lease_seconds
    elif callable(device):
        raise ValueError("device may be a function of the trial's slot only with parallelism > 1")
    session = client.search_session(**{k: v for k, v in given.items() if v is not None})
    # what this loop needs locally, as the service resolved it (its defaults filled in)
    train_steps, diverge_th = session.request["train_steps"], session.request["diverge_th"]
    if lr_lambda is not None:
        factors = [float(lr_lambda(i)) for i in range(train_steps)]
        peak = max(factors)
        if not (peak > 0 and math.isfinite(peak)):
            raise ValueError("lr_lambda never gives a positive, finite multiplier over train_steps: it has no peak to scale")
        factors = [f / peak for f in factors]
    else:
        factors = None
    state = TrainingState(model, optimizer, scaler, loaders=[train_loader])
    if parallel:
        # what every parallel trial copies: the model, optimizer and scaler before anything trained
        snapshot = copy.deepcopy((model, optimizer, scaler))
        own = (generator_states(train_loader), generator_states(val_loader))

    def new_trainer() -> Trainer:
        # restores the weights, the optimizer and the RNGs: the loader's shuffle order repeats too
        state.restore()
        return Trainer(model, optimizer, train_loader, criterion, accumulation_steps=accumulation_steps, scaler=scaler,
                       autocast=autocast, clip_grad_norm=clip_grad_norm,
                       device=device(0) if callable(device) else device,
                       non_blocking_transfer=non_blocking_transfer, lr_mults=mults)

    def metric(trainer: Trainer, losses: list[float], steps: int) -> float:
        if val_loader is not None:
            # the validation pass must not move the training's RNGs (its shuffle, its dropout)
            with isolated_rng(train_loader, val_loader):
                return _validate(model, criterion, val_loader, trainer.device, non_blocking_transfer)
        tail = losses[steps - train_loss_window(steps):steps]
        return sum(tail) / len(tail)

    sweep: Trainer | None = None
    try:
        while session.next is not None:
            n = session.next
            if n["type"] == "sweep":
                if sweep is None:
                    sweep = new_trainer()
                loss = math.nan
                for _ in range(max_skipped_steps + 1):
                    s = sweep.step(n["lr"])
                    if not s.skipped:
                        loss = s.loss
                        break
                session.report_loss(loss)
                if progress:
                    print(f"\rrange test {n['iteration']} lr={n['lr']:.3g} loss={loss:.4g}", end="")
                continue
            if n["type"] == "leases":
                break
            sweep = None
            trainer = new_trainer()
            report = train_trial(trainer, n, lambda losses, steps: metric(trainer, losses, steps), factors,
                                 diverge_th, max_skipped_steps)
            session.report_trial(n, **report)
            if progress:
                diverged = " diverged" if report["metric"] is None else ""
                print(f"\rtrial lr={n['lr']:.3g} steps={n['steps']}{diverged}", end="")
        if session.next is not None:
            threads = not isinstance(executor, ProcessPoolExecutor)
            task = TrialTask(snapshot, state.rng or {}, own, train_loader, val_loader, criterion,
                             dict(accumulation_steps=accumulation_steps, autocast=autocast,
                                  clip_grad_norm=clip_grad_norm, non_blocking_transfer=non_blocking_transfer,
                                  lr_mults=mults),
                             dict(factors=factors, diverge_th=diverge_th, max_skipped_steps=max_skipped_steps,
                                  non_blocking_transfer=non_blocking_transfer), device, threads)
            state.restore()
            before = torch.get_rng_state()
            run_leased(session, lambda pool, trial, slot: pool.submit(task, trial, slot), executor)
            if threads and not torch.equal(before, torch.get_rng_state()):
                warnings.warn("the trials drew random numbers from torch's global generator (dropout?), which "
                              "threads share: they are not exactly your loop's runs. Use a ProcessPoolExecutor "
                              "or parallelism=1.",
                              RuntimeWarning, stacklevel=2)
    finally:
        if restore:
            state.restore()
        if progress:
            print()
    result = dict(session.result or {})
    rec = result.get("recommended_lr")
    group_lrs = [None if rec is None else rec * m for m in mults]
    return SearchResult(result, session, group_lrs=group_lrs, session_id=session.id, request=dict(session.request))
