"""The LR search in your own training loop (POST /v1/lr-search-sessions): the service plans, you train."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .sweep import clean_loss

if TYPE_CHECKING:
    from .client import Client


class SearchSession:
    """An LR search driven by your loop. `next` says what to train: a range-test step
    (`{"type": "sweep", "iteration", "lr"}`: one more minibatch at `lr` on a run that continues
    from step to step) or a trial (`{"type": "trial", "trial", "lr", "steps", ...}`: `steps` steps at
    `lr` — your schedule's peak LR — from the SAME initial weights and batch order every time).
    `report_loss(loss)` / `report_metric(metric)` answer it; `result` is set once `status` is "done"."""

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
        body: dict[str, Any] = {"trial": self.next["trial"], "metric": clean_loss(metric)}
        if steps is not None and body["metric"] is None:
            body["steps"] = int(steps)
        if metrics_at:
            body["metrics_at"] = [{"steps": int(k), "metric": clean_loss(v)} for k, v in sorted(metrics_at.items())]
        return self._post(body)

    def svg(self) -> str:
        """The result as an LR search job's plot (GET .../plot.svg; the session must be done)."""
        return self.client.request("GET", f"/v1/lr-search-sessions/{self.id}/plot.svg")

    def run(self, train_fn: Callable[[float, int], Any], step_fn: Callable[[float], Any] | None = None) -> dict[str, Any]:
        """Answers every `next` until done and returns the result: `step_fn(lr)` for range-test steps,
        `train_fn(lr, steps)` for trials."""
        while self.next is not None:
            if self.next["type"] == "sweep":
                if step_fn is None:
                    raise RuntimeError("this session runs a range test: pass step_fn(lr) -> loss (or start it with range_test=False)")
                self.report_loss(step_fn(self.next["lr"]))
            else:
                self.report_metric(train_fn(self.next["lr"], self.next["steps"]))
        return self.result or {}

    def get(self) -> dict[str, Any]:
        return self._update(self.client.request("GET", f"/v1/lr-search-sessions/{self.id}"))

    def __repr__(self) -> str:
        return f"<SearchSession {self.id}: status={self.status}, recommended_lr={self.recommended_lr}, cost_steps={self.cost_steps}>"
