"""The LR search in your own training loop (POST /v1/lr-search-sessions): the service plans, you train."""
from __future__ import annotations

from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any, Callable

from .leases import run_leased
from .sweep import clean_loss

if TYPE_CHECKING:
    from .client import Client


class SearchSession:
    """An LR search driven by your loop. `next` says what to train: a range-test step
    (`{"type": "sweep", "iteration", "lr"}`: one more minibatch at `lr` on a run that continues
    from step to step) or a trial (`{"type": "trial", "trial", "lr", "steps", ...}`: `steps` steps at
    `lr` — your schedule's peak LR — from the SAME initial weights and batch order every time).
    `report_loss(loss)` / `report_metric(metric)` answer it; `result` is set once `status` is "done".
    A session started with `parallelism=N` hands its trials out on leases instead: `lease()` returns up
    to N of them (each with `lease` and `lease_expires_at`), `report_trial(trial, metric)` reports one,
    in any order; `run(train_fn, step_fn, executor=...)` does both on a pool of N."""

    def __init__(self, client: "Client", resource: dict[str, Any]):
        self.client = client
        self.id: str = resource["id"]
        self.request: dict[str, Any] = resource.get("request", {})
        self._update(resource)

    def _update(self, answer: dict[str, Any]) -> dict[str, Any]:
        self.status: str = answer["status"]
        self.next: dict[str, Any] | None = answer.get("next")
        self.result: dict[str, Any] | None = answer.get("result")
        self.cost_steps: int = answer.get("cost_steps", 0)
        return answer

    @property
    def recommended_lr(self) -> float | None:
        return self.result["recommended_lr"] if self.result else None

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._update(self.client.request("POST", f"/v1/lr-search-sessions/{self.id}/reports", body))

    def report_loss(self, loss: Any) -> dict[str, Any]:
        """The loss of the range-test step in `next` (NaN/inf/None are sent as null)."""
        if not self.next or self.next["type"] != "sweep":
            raise RuntimeError(f"next is not a range-test step: {self.next}")
        return self._post({"iteration": self.next["iteration"], "loss": clean_loss(loss)})

    def report_metric(self, metric: Any, steps: int | None = None,
                      metrics_at: dict[int, Any] | None = None) -> dict[str, Any]:
        """The metric after the trial in `next` (NaN/inf/None: it diverged; `steps`: how many it ran then);
        `metrics_at`: {step count: metric} at the counts of `next["eval_at"]` you measured (the confidence uses them)."""
        if not self.next or self.next["type"] != "trial":
            raise RuntimeError(f"next is not a trial: {self.next}")
        return self.report_trial(self.next, metric, steps=steps, metrics_at=metrics_at)

    def report_trial(self, trial: dict[str, Any], metric: Any, steps: int | None = None,
                     metrics_at: dict[int, Any] | None = None) -> dict[str, Any]:
        """The metric of `trial` (a `next` of type trial, or one `lease()` handed out: its lease goes along)."""
        body: dict[str, Any] = {"trial": trial["trial"], "metric": clean_loss(metric)}
        if "lease" in trial:
            body["lease"] = trial["lease"]
        if steps is not None and body["metric"] is None:
            body["steps"] = int(steps)
        if metrics_at:
            body["metrics_at"] = [{"steps": int(k), "metric": clean_loss(v)} for k, v in sorted(metrics_at.items())]
        return self._post(body)

    @property
    def parallelism(self) -> int | None:
        """the session's parallelism; None for a session that hands out one trial at a time in `next`"""
        return self.request.get("parallelism")

    def lease(self, max: int | None = None) -> list[dict[str, Any]]:
        """A parallel session: up to `max` (default: as many as free) trials to train, each with its `lease`
        (POST .../leases); empty while every waiting trial is out."""
        body = {} if max is None else {"max": int(max)}
        answer = self.client.request("POST", f"/v1/lr-search-sessions/{self.id}/leases", body)
        self._update(answer["session"])
        return answer["granted"]

    def svg(self) -> str:
        """The result as an LR search job's plot (GET .../plot.svg; the session must be done)."""
        return self.client.request("GET", f"/v1/lr-search-sessions/{self.id}/plot.svg")

    def run(self, train_fn: Callable[[float, int], Any], step_fn: Callable[[float], Any] | None = None,
            executor: Executor | None = None) -> dict[str, Any]:
        """Answers every `next` until done and returns the result: `step_fn(lr)` for range-test steps,
        `train_fn(lr, steps)` for trials. A parallel session runs its trials `parallelism` at a time on
        `executor` (default: a thread pool of that many); train_fn must then be safe to call from several
        threads at once (each call trains its own copy of the model; see lrfinder.torch.search)."""
        while self.next is not None and self.next["type"] != "leases":
            if self.next["type"] == "sweep":
                if step_fn is None:
                    raise RuntimeError("this session runs a range test: pass step_fn(lr) -> loss (or start it with range_test=False)")
                self.report_loss(step_fn(self.next["lr"]))
            else:
                self.report_metric(train_fn(self.next["lr"], self.next["steps"]))
        if self.next is not None:
            def start(pool: Executor, t: dict[str, Any], slot: int) -> Any:
                return pool.submit(lambda: {"metric": train_fn(t["lr"], t["steps"])})
            run_leased(self, start, executor)
        return self.result or {}

    def get(self) -> dict[str, Any]:
        return self._update(self.client.request("GET", f"/v1/lr-search-sessions/{self.id}"))

    def __repr__(self) -> str:
        return f"<SearchSession {self.id}: status={self.status}, recommended_lr={self.recommended_lr}, cost_steps={self.cost_steps}>"
