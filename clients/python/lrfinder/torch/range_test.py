"""`range_test(model, optimizer, train_loader, criterion)`: an LR range test on your own PyTorch model
and data, planned and judged by the service's sweep session (torch-lr-finder's LR plan, EMA and
stop rule; every suggestion method), then the model and the optimizer put back as they were.
The options the caller leaves out are not sent: the service fills its defaults (torch-lr-finder's)
and echoes them in the session's `request`, which is what this loop reads."""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable

import torch

from ..client import Client
from ..sweep import SweepSession
from .result import TorchResult
from .state import TrainingState
from .trainer import Trainer, batch_loss, group_lr_mults, move_to


class RangeTestResult(TorchResult):
    """The sweep session's result (`lrs`, `losses`, `smoothed_losses`, `suggested_lr`, `suggestion`,
    `suggestions`, `best_lr`, `stop_reason`, `iterations`, `warnings`) plus `lr_mults` (each param
    group's LR / the curve's LR), `group_lrs` (the suggested LR of each param group),
    `skipped_steps` (AMP steps the GradScaler skipped), `optimizer_steps`, `micro_batches` and
    `session_id`, `request` (the session's options, every default filled by the service). Keys read as
    attributes too (`res.suggested_lr`); in Jupyter it shows the service's plot of the session;
    `apply(optimizer)` sets each param group to its suggested LR."""

    lr_key = "suggested_lr"
    lr_name = "suggested LR"
    title = "LR range test"

    def __init__(self, result: dict[str, Any], session: SweepSession | None = None, **extra: Any):
        super().__init__(result, **extra)
        self._session = session

    def _why_no_lr(self) -> str:
        return (self.get("suggestion") or {}).get("reason", "none")

    @property
    def history(self) -> dict[str, list]:
        """torch-lr-finder's `lr_finder.history`: {"lr": lrs, "loss": smoothed losses}."""
        return {"lr": list(self["lrs"]), "loss": list(self["smoothed_losses"])}

    def plot(self, ax: Any = None, **options: Any) -> Any:
        """matplotlib plot (pip install "lrfinder[plot]"): options as torch-lr-finder's plot()
        (skip_start, skip_end, log_lr, show_lr, suggest_lr). Returns the Axes."""
        from ..plot import plot_curve

        return plot_curve(self, ax=ax, **options)

    def svg(self) -> str | None:
        """The sweep session's plot as the service draws it (GET /v1/sweep-sessions/{id}/plot.svg: the
        curve, the suggestion, every method's pick; the skipped steps and param groups in its subtitle)."""
        return self._session.svg() if self._session is not None else None

    def _fields(self) -> list[tuple[str, Any]]:
        fields = [("suggested_lr", self["suggested_lr"]), ("method", (self.get("suggestion") or {}).get("method")),
                  ("stop_reason", self["stop_reason"]), ("iterations", self["iterations"])]
        if len(self["lr_mults"]) > 1 and self["suggested_lr"] is not None:
            fields.append(("group_lrs", ", ".join(f"{lr:.3g}" for lr in self["group_lrs"])))
        if self["skipped_steps"]:
            fields.append(("skipped_steps", self["skipped_steps"]))
        return fields



def _validate(model: torch.nn.Module, criterion: Callable[..., torch.Tensor] | None, val_loader: Iterable[Any],
              device: torch.device | None, non_blocking: bool) -> float:
    """torch-lr-finder's `_validate`: the sample-weighted mean loss over the whole val_loader, in eval mode."""
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for batch in val_loader:
            batch = move_to(batch, device, non_blocking)
            n = len(batch[1]) if isinstance(batch, (tuple, list)) else 1
            total += float(batch_loss(model, criterion, batch).item()) * n
            count += n
    model.train()
    return total / count if count else math.nan


def _group_lrs_from(next_step: dict[str, Any], n_groups: int) -> list[float] | None:
    """Per-group LRs when the service sends them (`next.param_groups: [{lr}, ...]`), else None."""
    groups = next_step.get("param_groups")
    if isinstance(groups, list) and len(groups) == n_groups and all(isinstance(g, dict) and "lr" in g for g in groups):
        return [float(g["lr"]) for g in groups]
    return None


def range_test(model: torch.nn.Module, optimizer: torch.optim.Optimizer, train_loader: Iterable[Any],
               criterion: Callable[..., torch.Tensor] | None = None, *, val_loader: Iterable[Any] | None = None,
               start_lr: float | None = None, end_lr: float | None = None, num_iter: int | None = None,
               step_mode: str | None = None, smooth_f: float | None = None, diverge_th: float | None = None,
               suggestion: str | None = None, skip_start: int | None = None, skip_end: int | None = None,
               accumulation_steps: int = 1, scaler: Any = None, autocast: dict[str, Any] | None = None,
               clip_grad_norm: float | None = None, device: torch.device | str | None = None,
               non_blocking_transfer: bool = True, max_skipped_steps: int | None = None, restore: bool = True,
               client: Client | None = None, progress: bool = False) -> RangeTestResult:
    """An LR range test on your model: the LR rises from start_lr to end_lr over num_iter optimizer
    steps (torch-lr-finder's `range_test` arguments; those left out are not sent, and the service
    fills in its defaults, which are torch-lr-finder's: `result.request` shows every value the test
    ran with), the service smooths the losses, stops on divergence and suggests an LR;
    afterwards the model, the optimizer (state tensors, step counts, every group's LR), the scaler,
    grads, train/eval modes and the RNGs are restored.

    - Param groups keep their LR ratios: the curve's LR is the largest group's; `group_lrs` has each
      group's suggestion.
    - accumulation_steps: one report per optimizer step, the mean loss of its micro-batches.
    - scaler (a GradScaler), autocast (torch.autocast kwargs, e.g. {"device_type": "cuda", "dtype":
      torch.float16}): a step the scaler skipped is not a point and does not advance the LR plan;
      more than max_skipped_steps in a row (default: the service's) end the test as non_finite.
    - val_loader: report the whole validation loss after each step instead (slower, as in torch-lr-finder).
    - client: a Client (default: Client(), which reads LRFINDER_URL / LRFINDER_API_KEY).
    """
    client = client or Client()
    mults = group_lr_mults(optimizer)
    features = client.sweep_features()
    given = {"start_lr": start_lr, "end_lr": end_lr, "num_iter": num_iter, "step_mode": step_mode, "smooth_f": smooth_f,
             "diverge_th": diverge_th, "suggestion": suggestion, "skip_start": skip_start, "skip_end": skip_end,
             "max_skipped_steps": max_skipped_steps}
    options: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if len(mults) > 1 and features["param_groups"]:
        options["param_groups"] = [{"name": str(g.get("name", f"group{i}")), "lr_mult": m}
                                   for i, (g, m) in enumerate(zip(optimizer.param_groups, mults))]
    state = TrainingState(model, optimizer, scaler)
    trainer = Trainer(model, optimizer, train_loader, criterion, accumulation_steps=accumulation_steps, scaler=scaler,
                      autocast=autocast, clip_grad_norm=clip_grad_norm, device=device,
                      non_blocking_transfer=non_blocking_transfer, lr_mults=mults)
    session = client.sweep(**options)
    # the cap as the service resolved it; a service older than max_skipped_steps left the cap to the client (20)
    max_skipped = session.request.get("max_skipped_steps", max_skipped_steps if max_skipped_steps is not None else 20)
    steps = skipped = in_a_row = 0
    try:
        while session.next is not None:
            lr = session.next["lr"]
            s = trainer.step(lr, _group_lrs_from(session.next, len(mults)))
            steps += 1
            if s.skipped and math.isfinite(s.loss):
                skipped += 1
                in_a_row += 1
                if in_a_row > max_skipped:
                    session.report(None)  # the gradients are not finite at any scale: non_finite
                elif features["skipped"]:
                    session.report_skipped()
                continue  # not reported: the session's next step is the same iteration at the same LR
            in_a_row = 0
            loss = _validate(model, criterion, val_loader, trainer.device, non_blocking_transfer) if val_loader is not None else s.loss
            session.report(loss)
            if progress:
                at = session.next["iteration"] if session.next else "done"
                print(f"\r{at}/{session.request.get('num_iter')} lr={lr:.3g} loss={loss:.4g}", end="")
    except BaseException:
        if session.next is not None:
            try:
                session.stop()
            except Exception:
                pass
        raise
    finally:
        if restore:
            state.restore()
        if progress:
            print()
    result = dict(session.result or {})
    suggested = result.get("suggested_lr")
    return RangeTestResult(
        result, session, lr_mults=mults, group_lrs=[None if suggested is None else suggested * m for m in mults],
        skipped_steps=skipped, optimizer_steps=steps, micro_batches=trainer.micro_batches,
        session_id=session.id, request=dict(session.request),
    )
