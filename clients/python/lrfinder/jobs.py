"""A job resource (LR search, range test, schedule simulation, diagnostics) that reads well in a notebook."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .display import fmt, html_card, inline_svg, summary_line

if TYPE_CHECKING:
    from .client import Client


class Job(dict):
    """The job resource as the service sent it (a dict: `job["result"]["suggested_lr"]`), plus:
    `job.status`, `job.result`; `refresh()`, `wait()`, `cancel()`, `svg()`; and in Jupyter the
    summary and the job's plot (its plot.svg, no matplotlib needed) inline."""

    def __init__(self, resource: dict[str, Any], client: "Client | None" = None):
        super().__init__(resource)
        self.client = client
        self._svg: str | None = None

    # -- fields -----------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self["id"]

    @property
    def kind(self) -> str:
        return self.get("kind", "job")

    @property
    def status(self) -> str:
        return self.get("status", "unknown")

    @property
    def result(self) -> dict[str, Any] | None:
        return self.get("result")

    # -- actions ----------------------------------------------------------------------------
    def _need_client(self) -> "Client":
        if self.client is None:
            raise RuntimeError("this Job has no client: get it through Client.get/submit/range_test")
        return self.client

    def refresh(self) -> "Job":
        """The job as it is now (a new Job)."""
        return self._need_client().get(self["kind"], self["id"])

    def wait(self, **options: Any) -> "Job":
        """Polls until the job is succeeded, failed or canceled (Client.wait's options)."""
        return self._need_client().wait(self, **options)

    def cancel(self) -> "Job":
        return self._need_client().cancel(self["kind"], self["id"])

    def svg(self) -> str:
        """The job's plot.svg (fetched once, then kept: a finished job's result does not change)."""
        if self._svg is None:
            self._svg = self._need_client().svg(self)
        return self._svg

    # -- display ----------------------------------------------------------------------------
    def _plot_or_none(self) -> str | None:
        if self.status != "succeeded" or self.client is None:
            return None
        try:
            return self.svg()
        except Exception:  # a display hook must not raise: no plot, the summary still shows
            return None

    def _repr_svg_(self) -> str | None:
        svg = self._plot_or_none()
        return inline_svg(svg) if svg else None

    def _repr_html_(self) -> str:
        # notebook front ends prefer text/html over image/svg+xml, so the plot is embedded here too
        return html_card(self._title(), self._fields(), self._plot_or_none())

    def __repr__(self) -> str:
        return f"<Job {self._title()}: {summary_line(self._fields())}>"

    def _title(self) -> str:
        return f"{self.kind} {self.get('id', '?')}"

    def _fields(self) -> list[tuple[str, Any]]:
        fields: list[tuple[str, Any]] = [("status", self.status)]
        progress = self.get("progress")
        if self.status in ("queued", "running") and progress:
            fields.append(("progress", f"{progress.get('iteration')}/{progress.get('total')}"))
        error = self.get("error")
        if error:
            fields.append(("error", f"{error.get('code')}: {error.get('detail')}"))
        r = self.result or {}
        if "recommended_lr" in r:
            fields.extend(search_fields(r, progress))
            return fields
        if "suggested_lr" in r:
            method = (r.get("suggestion") or {}).get("method")
            fields.append(("suggested_lr", r.get("suggested_lr")))
            if method:
                fields.append(("method", method))
        for key in ("stop_reason", "iterations", "best_lr"):
            if key in r:
                fields.append((key, r[key]))
        warnings = [w.get("code") for w in r.get("warnings") or [] if isinstance(w, dict)]
        if warnings:
            fields.append(("warnings", ", ".join(str(c) for c in warnings)))
        return fields


def search_fields(r: dict[str, Any], progress: dict[str, Any] | None = None) -> list[tuple[str, Any]]:
    """What an LR search's result says, for a repr or a card: the recommended LR, the interval of LRs
    the search could not tell apart from it (a range, even when it is one LR), the confidence, the cost
    and every warning's code (e.g. pick_at_low_edge)."""
    fields: list[tuple[str, Any]] = [("recommended_lr", r.get("recommended_lr"))]
    interval = r.get("interval")
    if interval:
        low, high = interval.get("low"), interval.get("high")
        fields.append(("interval", f"{fmt(low)} to {fmt(high)}" if low != high else f"{fmt(low)} to {fmt(high)} (one LR)"))
    else:
        fields.append(("interval", None))
    confidence = r.get("confidence") or {}
    if confidence:
        fields.append(("confidence", f"{confidence.get('level')} (p={fmt(confidence.get('p_within_tolerance'))})"))
    cost = r.get("cost") or {}
    if cost:
        budget = cost.get("budget_steps")
        fields.append(("cost", f"{cost.get('steps')} steps" + (f" of {budget}" if budget is not None else "")))
    if progress and progress.get("note"):
        fields.append(("finished", progress["note"]))
    warnings = [w.get("code") for w in r.get("warnings") or [] if isinstance(w, dict)]
    if warnings:
        fields.append(("warnings", ", ".join(str(c) for c in warnings)))
    return fields
