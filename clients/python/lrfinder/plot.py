"""Loss vs LR with matplotlib (the `plot` extra), as torch-lr-finder's `LRFinder.plot()` and
fastai's `recorder.plot_lr_find()` draw it: an Axes for figures of your own. The only drawing the
client does; notebooks show the service's plot.svg (every method's pick, no matplotlib needed)."""
from __future__ import annotations

from typing import Any


def _matplotlib() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError('plot() needs matplotlib: pip install "lrfinder[plot]" (or pip install matplotlib); '
                          "in Jupyter the result shows its plot inline without it") from err
    return plt


def plot_curve(result: dict[str, Any], ax: Any = None, skip_start: int = 0, skip_end: int = 0,
               log_lr: bool = True, show_lr: float | None = None, suggest_lr: bool = True) -> Any:
    """The raw loss (faint) and the smoothed loss of `result` against its LRs; the suggested LR
    marked (suggest_lr), a line at `show_lr`; `skip_start`/`skip_end` points trimmed from the
    plot only, as in torch-lr-finder. Returns the matplotlib Axes."""
    plt = _matplotlib()
    nan = float("nan")
    end = len(result["lrs"]) - skip_end
    lrs = result["lrs"][skip_start:end]
    raw = [nan if v is None else v for v in result["losses"][skip_start:end]]
    smooth = [nan if v is None else v for v in result["smoothed_losses"][skip_start:end]]
    if ax is None:
        _, ax = plt.subplots()
    ax.plot(lrs, raw, alpha=0.3, label="loss")
    ax.plot(lrs, smooth, label="smoothed loss")
    suggested = result.get("suggested_lr")
    if suggest_lr and suggested:
        method = (result.get("suggestion") or {}).get("method", "suggested")
        ax.axvline(suggested, color="red", linestyle="--", label=f"{method}: {suggested:.2e}")
    if show_lr is not None:
        ax.axvline(show_lr, color="gray", label=f"{show_lr:.2e}")
    if log_lr:
        ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("loss")
    ax.legend()
    return ax
