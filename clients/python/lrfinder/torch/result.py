"""What `range_test` and `search` return: the session's result as a dict whose keys read as
attributes, `apply(optimizer)` to set each param group's LR, and Jupyter display (the service's
plot inline, a summary card, a one-line repr). Subclasses name the LR key and give the fields and
the SVG (fetched from the service: the client draws nothing itself)."""
from __future__ import annotations

from typing import Any

import torch

from ..display import html_card, inline_svg, summary_line


class TorchResult(dict):
    #: the result's key holding the LR that `apply` sets (times each group's multiplier: `group_lrs`)
    lr_key = ""
    #: how an error names that LR
    lr_name = ""
    #: the title of the Jupyter card
    title = ""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def _why_no_lr(self) -> str:
        return "none"

    def apply(self, optimizer: torch.optim.Optimizer) -> list[float]:
        """Sets each param group's LR to its own (`group_lrs`); returns them."""
        if self[self.lr_key] is None:
            raise ValueError(f"no {self.lr_name} ({self._why_no_lr()})")
        for group, lr in zip(optimizer.param_groups, self["group_lrs"]):
            group["lr"] = lr
        return list(self["group_lrs"])

    def svg(self) -> str | None:
        raise NotImplementedError

    def _fields(self) -> list[tuple[str, Any]]:
        raise NotImplementedError

    def _plot_or_none(self) -> str | None:
        try:
            return self.svg()
        except Exception:  # a display hook must not raise (service gone, session expired): the summary still shows
            return None

    def _repr_svg_(self) -> str | None:
        svg = self._plot_or_none()
        return inline_svg(svg) if svg else None

    def _repr_html_(self) -> str:
        return html_card(self.title, self._fields(), self._plot_or_none())

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {summary_line(self._fields())}>"
