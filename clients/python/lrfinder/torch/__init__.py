"""PyTorch helpers (the `torch` extra): an LR range test on your own model and data.

    import lrfinder.torch
    res = lrfinder.torch.range_test(model, optimizer, train_loader, criterion)   # restores model + optimizer
    res                       # in Jupyter: the curve and the suggestion, inline
    res.suggested_lr          # or res.apply(optimizer): each param group at its suggested LR
    best = lrfinder.torch.search(model, optimizer, train_loader, criterion, train_steps=1000, val_loader=val_loader)
    best.recommended_lr, best.interval, best.confidence   # verified by training at your horizon; restored too

The building blocks are public for loops of your own: `TrainingState` snapshots and restores a
model, its optimizer, a GradScaler and the RNGs; `Trainer` runs optimizer steps at an LR chosen per
step (accumulation, AMP skips, param-group ratios) and `Trainer.train_steps(lr_fn, steps)` a whole
schedule.
"""
from __future__ import annotations

try:
    import torch  # noqa: F401
except ImportError as err:
    raise ImportError('lrfinder.torch needs PyTorch: pip install "lrfinder[torch]" (or install torch your usual way)') from err

from .range_test import RangeTestResult, range_test
from .search import SearchResult, search
from .state import TrainingState
from .trainer import Step, Trainer, group_lr_mults

__all__ = ["RangeTestResult", "SearchResult", "Step", "Trainer", "TrainingState", "group_lr_mults", "range_test", "search"]
