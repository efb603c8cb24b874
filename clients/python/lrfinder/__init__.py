"""lr-finder client for notebooks: the standard library only (matplotlib optional, for plot()).

    from lrfinder import Client
    lrf = Client("http://127.0.0.1:3000")              # or LRFINDER_URL / LRFINDER_API_KEY in the environment
    job = lrf.range_test(preset="spirals-mlp")          # waits for the result by default
    job                                                 # in Jupyter: the summary and the plot, inline
    print(job["result"]["suggested_lr"])

In your own training loop (PyTorch, JAX), the service plans the LRs and says when to stop:

    session = lrf.sweep(start_lr=1e-7, end_lr=10, num_iter=100)
    for lr in session:                                  # stops by itself (diverged, completed, NaN)
        for g in optimizer.param_groups: g["lr"] = lr
        loss = train_one_minibatch()
        session.report(loss.item())                     # NaN/inf are sent as null
    print(session.suggested_lr)

Which LR for your number of steps? The service trains candidates and verifies (a job), or your
loop does (train_fn(lr, steps) -> metric, from the same initial weights every call):

    job = lrf.lr_search(preset="spirals-search", train_steps=1000)
    result = lrf.search(train_fn, train_steps=1000)    # + step_fn(lr) -> loss for a range test first
    print(result["recommended_lr"], result["confidence"])

With PyTorch, `lrfinder.torch.range_test(model, optimizer, train_loader, criterion)` runs that loop
on your model and data and restores the model's and optimizer's state afterwards.

Argument names are torch-lr-finder's (start_lr, end_lr, num_iter, step_mode, smooth_f,
diverge_th, ...). Errors raise LrFinderError carrying the RFC 9457 problem (status, code,
errors with JSON pointers).
"""
from __future__ import annotations

import importlib
from typing import Any

from .client import Client, LrFinderError, ServiceUnreachable
from .jobs import Job
from .search import SearchSession
from .sweep import SweepSession

__version__ = "0.2.0"

__all__ = ["Client", "Job", "LrFinderError", "SearchSession", "ServiceUnreachable", "SweepSession", "__version__"]


def __getattr__(name: str) -> Any:
    # `import lrfinder; lrfinder.torch.range_test(...)` without importing torch for everyone else
    if name == "torch":
        return importlib.import_module(".torch", __name__)
    raise AttributeError(f"module 'lrfinder' has no attribute {name!r}")
