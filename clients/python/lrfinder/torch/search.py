"""`search(model, optimizer, train_loader, criterion, train_steps=...)`: the service's LR search
(POST /v1/lr-search-sessions) on your own PyTorch model. The service plans, your model trains:
a range test brackets the search, then short paired trials — every one from the SAME initial
weights, optimizer state and batch order (the snapshot is restored and the RNGs with it) — are
compared at your horizon; the result is a recommended LR with an interval and a confidence.
Afterwards the model and the optimizer are put back as they were."""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable

import torch

from ..client import Client
from .range_test import _validate
from .result import TorchResult
from .state import TrainingState
from .trainer import Trainer, group_lr_mults

# the service's train_loss metric (src/lrfinder/search/trial-runner.ts, trainLossWindow): the mean
# of the last 5% of the minibatch losses, at least 10 (or all when fewer)
TRAIN_TAIL_FRACTION = 0.05
TRAIN_TAIL_MIN = 10


def train_loss_window(steps: int) -> int:
    return min(steps, max(TRAIN_TAIL_MIN, math.ceil(steps * TRAIN_TAIL_FRACTION)))


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
           client: Client | None = None, progress: bool = False) -> SearchResult:
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
    """
    client = client or Client()
    mults = group_lr_mults(optimizer)
    given = {"train_steps": train_steps, "budget_steps": budget_steps, "tolerance": tolerance, "range_test": range_test,
             "start_lr": start_lr, "end_lr": end_lr, "num_iter": num_iter, "diverge_th": diverge_th}
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
    state = TrainingState(model, optimizer, scaler)

    def new_trainer() -> Trainer:
        # restores the weights, the optimizer and the RNGs: the loader's shuffle order repeats too
        state.restore()
        return Trainer(model, optimizer, train_loader, criterion, accumulation_steps=accumulation_steps, scaler=scaler,
                       autocast=autocast, clip_grad_norm=clip_grad_norm, device=device,
                       non_blocking_transfer=non_blocking_transfer, lr_mults=mults)

    def metric(trainer: Trainer, losses: list[float], steps: int) -> float:
        if val_loader is not None:
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
            sweep = None
            trainer = new_trainer()
            lr, steps, eval_at = n["lr"], n["steps"], set(n.get("eval_at") or [])
            losses: list[float] = []
            at: dict[int, float] = {}
            diverged = False
            skipped_in_a_row = 0
            while len(losses) < steps:
                i = len(losses)
                s = trainer.step(lr * (factors[i] if factors is not None else 1.0))
                if s.skipped:
                    skipped_in_a_row += 1
                    if skipped_in_a_row > max_skipped_steps:
                        diverged = True
                        break
                    continue
                skipped_in_a_row = 0
                losses.append(s.loss)
                if not math.isfinite(s.loss) or s.loss > diverge_th * losses[0]:
                    diverged = True
                    break
                if len(losses) in eval_at:
                    at[len(losses)] = metric(trainer, losses, len(losses))
            if diverged:
                session.report_metric(None, steps=max(1, len(losses)))
            else:
                session.report_metric(metric(trainer, losses, steps), metrics_at=at)
            if progress:
                print(f"\rtrial lr={lr:.3g} steps={steps}{' diverged' if diverged else ''}", end="")
    finally:
        if restore:
            state.restore()
        if progress:
            print()
    result = dict(session.result or {})
    rec = result.get("recommended_lr")
    group_lrs = [None if rec is None else rec * m for m in mults]
    return SearchResult(result, session, group_lrs=group_lrs, session_id=session.id, request=dict(session.request))
