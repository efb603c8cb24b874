"""A GradScaler for CPU tests. torch < 2.3 has no CPU GradScaler (torch.cuda.amp.GradScaler disables
itself without CUDA), so this one follows torch.cuda.amp.GradScaler's API and rules
(torch/cuda/amp/grad_scaler.py): scale() multiplies the loss by the scale; unscale_() divides the
grads by it and notes inf/NaN; step() unscales if not done yet and skips optimizer.step() when a
grad was inf/NaN; update() multiplies the scale by backoff_factor after a skipped step, by
growth_factor after growth_interval unskipped steps in a row."""
from __future__ import annotations

import torch


def real_cpu_grad_scaler():
    """torch.amp.GradScaler("cpu") where torch has it (2.3+), else None."""
    cls = getattr(getattr(torch, "amp", None), "GradScaler", None)
    if cls is None:
        return None
    try:
        return cls("cpu")
    except Exception:
        return None


class FakeGradScaler:
    def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000):
        self._scale = float(init_scale)
        self._growth_factor, self._backoff_factor, self._growth_interval = growth_factor, backoff_factor, growth_interval
        self._growth_tracker = 0
        self._per_optimizer: dict[int, dict] = {}

    def is_enabled(self):
        return True

    def get_scale(self):
        return self._scale

    def scale(self, outputs):
        return outputs * self._scale

    def unscale_(self, optimizer):
        state = self._per_optimizer.setdefault(id(optimizer), {"unscaled": False, "found_inf": False})
        if state["unscaled"]:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        inv = 1.0 / self._scale
        with torch.no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        if not torch.isfinite(p.grad).all():
                            state["found_inf"] = True
                        p.grad.mul_(inv)
        state["unscaled"] = True

    def step(self, optimizer, *args, **kwargs):
        state = self._per_optimizer.get(id(optimizer))
        if state is None or not state["unscaled"]:
            self.unscale_(optimizer)
            state = self._per_optimizer[id(optimizer)]
        if state["found_inf"]:
            return None
        return optimizer.step(*args, **kwargs)

    def update(self):
        if not self._per_optimizer:
            raise AssertionError("No inf checks were recorded prior to update.")
        if any(s["found_inf"] for s in self._per_optimizer.values()):
            self._scale *= self._backoff_factor
            self._growth_tracker = 0
        else:
            self._growth_tracker += 1
            if self._growth_tracker == self._growth_interval:
                self._scale *= self._growth_factor
                self._growth_tracker = 0
        self._per_optimizer = {}

    def state_dict(self):
        return {"scale": self._scale, "growth_factor": self._growth_factor, "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval, "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state):
        self._scale = state["scale"]
        self._growth_factor, self._backoff_factor = state["growth_factor"], state["backoff_factor"]
        self._growth_interval, self._growth_tracker = state["growth_interval"], state["_growth_tracker"]
