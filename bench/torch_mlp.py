#!/usr/bin/env python3
"""PyTorch side of bench/native.ts: training steps/s of an MLP (Linear + ReLU, softmax
cross-entropy, Adam lr 1e-3 betas 0.9/0.999) on one thread, the loss read back every step
(loss.item(), as an LR range test records it). Prints one JSON line:
{"torch": version, "blas": ..., "rates": [steps/s per run], "loss": last}.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_mlp.py --sizes 784,256,128,64,10 --batch 128 \
      [--warmup-ms 1000] [--runs 3] [--run-ms 500] [--rows 8192]
"""
import argparse
import json
import time

import torch

p = argparse.ArgumentParser()
p.add_argument("--sizes", required=True)
p.add_argument("--batch", type=int, required=True)
p.add_argument("--warmup-ms", type=float, default=1000)
p.add_argument("--runs", type=int, default=3)
p.add_argument("--run-ms", type=float, default=500)
p.add_argument("--rows", type=int, default=8192)
a = p.parse_args()

torch.set_num_threads(1)
torch.manual_seed(1)
sizes = [int(s) for s in a.sizes.split(",")]
layers = []
for i in range(1, len(sizes)):
    layers.append(torch.nn.Linear(sizes[i - 1], sizes[i]))
    if i < len(sizes) - 1:
        layers.append(torch.nn.ReLU())
model = torch.nn.Sequential(*layers)
opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999))
loss_fn = torch.nn.CrossEntropyLoss()
x_all = torch.rand(a.rows, sizes[0])
y_all = torch.randint(0, sizes[-1], (a.rows,))
nb = a.rows // a.batch
batches = [(x_all[i * a.batch:(i + 1) * a.batch].contiguous(), y_all[i * a.batch:(i + 1) * a.batch].contiguous()) for i in range(nb)]
state = {"i": 0, "loss": 0.0}


def step():
    x, y = batches[state["i"] % nb]
    state["i"] += 1
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    state["loss"] = loss.item()


t0 = time.perf_counter()
w = 0
while (time.perf_counter() - t0) * 1000 < a.warmup_ms or w < 2:
    step()
    w += 1
rates = []
for _ in range(a.runs):
    calls = 0
    t0 = time.perf_counter()
    while True:
        step()
        calls += 1
        dt = time.perf_counter() - t0
        if dt * 1000 >= a.run_ms and calls >= 3:
            break
    rates.append(calls / dt)
blas = "unknown"
try:
    cfg = torch.__config__.show()
    blas = next((l.strip() for l in cfg.splitlines() if "BLAS_INFO" in l), "unknown")[:80]
except Exception:
    pass
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "rates": rates, "loss": state["loss"]}))
