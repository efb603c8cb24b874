"""A sweep session: an LR range test driven by your own training loop (POST /v1/sweep-sessions)."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Iterable

from .display import html_card, inline_svg, summary_line

if TYPE_CHECKING:
    from .client import Client


def clean_loss(loss: Any, typed: bool = False) -> float | str | None:
    """A reported loss as JSON allows it: a float (0-d tensors and numpy scalars too), None for NaN/inf;
    with `typed`, NaN / inf / -inf as "NaN", "Infinity", "-Infinity" (for services that take them)."""
    value = None if loss is None else float(loss)
    if value is None or math.isfinite(value):
        return value
    if not typed:
        return None
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


class SweepSession:
    """An LR range test in your own loop: `for lr in session:` train one step at `lr`, then
    `session.report(loss)`. The loop ends when the service stops the session (completed,
    diverged, non_finite); `result` then holds the curve and `suggested_lr`. Break out early
    and call stop() to get the result on the points so far. Explicit calls work too:
    `session.next` is `{"iteration", "lr"}` (None once stopped), `report(loss)` answers the
    service's report. In Jupyter a stopped session shows its curve inline (the service's plot.svg)."""

    def __init__(self, client: "Client", resource: dict[str, Any]):
        self.client = client
        self.id: str = resource["id"]
        self.request: dict[str, Any] = resource.get("request", {})
        self.lrs_planned: list[float] = resource.get("lrs_planned", [])
        self.links: dict[str, str] = resource.get("links", {})
        self._svg: str | None = None
        self._update(resource)

    def _update(self, answer: dict[str, Any]) -> dict[str, Any]:
        self.status: str = answer["status"]
        self.next: dict[str, Any] | None = answer.get("next")
        self.stop_reason: str | None = answer.get("stop_reason")
        self.result: dict[str, Any] | None = answer.get("result")
        return answer

    @property
    def suggested_lr(self) -> float | None:
        return self.result["suggested_lr"] if self.result else None

    def __iter__(self):
        while self.next is not None:
            step = self.next["iteration"]
            yield self.next["lr"]
            if self.next is not None and self.next["iteration"] == step:
                raise RuntimeError(f"report the loss of iteration {step} (session.report(loss)) before asking for the next LR")

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._update(self.client.request("POST", f"/v1/sweep-sessions/{self.id}/losses", body))

    def _loss(self, loss: Any) -> float | str | None:
        """The loss as sent: NaN / inf / -inf keep their kind when the service takes "NaN", "Infinity", "-Infinity"."""
        value = clean_loss(loss)
        if value is None and loss is not None and self.client.sweep_features().get("typed_losses"):
            return clean_loss(loss, typed=True)
        return value

    def _next_iteration(self) -> int:
        if self.next is None:
            raise RuntimeError(f"the session stopped ({self.stop_reason}); nothing more to report")
        return self.next["iteration"]

    def report(self, loss: Any, iteration: int | None = None) -> dict[str, Any]:
        """Reports the loss of the step trained at `next["lr"]` (a float, a 0-d tensor, NaN/inf or None).
        With gradient accumulation, report once per optimizer step: the mean of its micro-batch losses."""
        iteration = self._next_iteration() if iteration is None else iteration
        return self._post({"iteration": iteration, "loss": self._loss(loss)})

    def report_skipped(self, iteration: int | None = None, *, loss: Any = None) -> dict[str, Any]:
        """Tells the service the step at `next["lr"]` was skipped (a GradScaler found inf/NaN
        gradients): no point is recorded and the plan does not advance. A session that emulates a
        library records the step like the library would, so it needs the step's `loss`. Only on
        services whose sweep sessions accept `skipped` reports (Client.sweep_features()["skipped"])."""
        iteration = self._next_iteration() if iteration is None else iteration
        body: dict[str, Any] = {"iteration": iteration, "skipped": True}
        if loss is not None:
            body["loss"] = self._loss(loss)
        return self._post(body)

    def report_many(self, losses: Iterable[Any], start: int | None = None) -> dict[str, Any]:
        """Reports several consecutive losses at once (iterations start, start+1, ...; default: next)."""
        first = self.next["iteration"] if start is None and self.next is not None else (start or 0)
        body = {"losses": [{"iteration": first + k, "loss": self._loss(v)} for k, v in enumerate(losses)]}
        return self._post(body)

    def stop(self) -> dict[str, Any]:
        """Ends the session early; the result on the points so far."""
        return self._update(self.client.request("POST", f"/v1/sweep-sessions/{self.id}/stop"))

    def get(self) -> dict[str, Any]:
        """The whole session: every point so far, next, the result once stopped."""
        return self._update(self.client.request("GET", f"/v1/sweep-sessions/{self.id}"))

    # -- display ----------------------------------------------------------------------------
    def svg(self) -> str | None:
        """The result's loss-vs-LR plot as SVG text, drawn by the service (GET .../plot.svg, as a range-test
        job's plot): None while the session runs; fetched once, then kept (a stopped session does not change)."""
        if self.next is not None or not self.result:
            return None
        if self._svg is None:
            self._svg = self.client.request("GET", self.links.get("plot") or f"/v1/sweep-sessions/{self.id}/plot.svg")
        return self._svg

    def _plot_or_none(self) -> str | None:
        try:
            return self.svg()
        except Exception:  # a display hook must not raise (an older service has no plot.svg): the summary still shows
            return None

    def _fields(self) -> list[tuple[str, Any]]:
        fields: list[tuple[str, Any]] = [("status", self.status)]
        if self.next is not None:
            fields += [("next_iteration", self.next["iteration"]), ("next_lr", self.next["lr"])]
        if self.result:
            fields += [("suggested_lr", self.result.get("suggested_lr")),
                       ("method", (self.result.get("suggestion") or {}).get("method")),
                       ("stop_reason", self.stop_reason), ("iterations", self.result.get("iterations"))]
        return fields

    def _repr_svg_(self) -> str | None:
        svg = self._plot_or_none()
        return inline_svg(svg) if svg else None

    def _repr_html_(self) -> str:
        return html_card(f"sweep session {self.id}", self._fields(), self._plot_or_none())

    def __repr__(self) -> str:
        return f"<SweepSession {self.id}: {summary_line(self._fields())}>"
