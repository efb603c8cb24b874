#!/usr/bin/python3
"""PyTorch 1.13 side of the LeNet-5 benchmark (issue 20): training steps/s of
conv(1->6, 5, padding 2) - relu - maxpool 2 - conv(6->16, 5) - relu - maxpool 2 - flatten -
linear 400->120 - relu - 120->84 - relu - 84->10, mean cross-entropy, plain SGD (lr 0.01), batch 128 of
1x28x28 inputs, the loss read back every step (loss.item(), as an LR range test records it).
Needs Debian's python3-torch (/usr/bin/python3). The TypeScript side comes with the layer wiring.

  /usr/bin/python3 bench/torch_lenet.py [--threads 1] [--batch 128] [--warmup-ms 1000] [--runs 3]
      [--run-ms 1000] [--rows 4096] [--no-mkldnn]

OpenBLAS picks its kernels when it loads, from OPENBLAS_CORETYPE, so each core type runs in its own child
process: OPENBLAS_CORETYPES="unset,Haswell,SkylakeX,Zen" (comma list; "unset" removes the variable, and
OPENBLAS_L2_SIZE with it) runs one child per entry; without it, one child with this environment's
OPENBLAS_CORETYPE. Children get OPENBLAS_NUM_THREADS = OMP_NUM_THREADS = --threads.
Prints one JSON line per run: {"coretype", "torch", "threads", "mkldnn", "blas", "rates": [steps/s], "loss"}.
On CPU torch runs these convolutions through oneDNN (mkldnn) when it is enabled, and Linear through BLAS;
--no-mkldnn makes the convolutions im2col + BLAS GEMM too (torch's slow_conv2d), the same method as ours.
"""
import argparse
import json
import os
import subprocess
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--batch", type=int, default=128)
p.add_argument("--warmup-ms", type=float, default=1000)
p.add_argument("--runs", type=int, default=3)
p.add_argument("--run-ms", type=float, default=1000)
p.add_argument("--rows", type=int, default=4096)
p.add_argument("--no-mkldnn", action="store_true")
p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
a = p.parse_args()

# always in a child, so OPENBLAS_NUM_THREADS is set before OpenBLAS loads
coretypes = os.environ.get("OPENBLAS_CORETYPES") or os.environ.get("OPENBLAS_CORETYPE", "unset")
if not a.child:
    for ct in [c.strip() for c in coretypes.split(",") if c.strip()]:
        env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPES"}
        env["OPENBLAS_NUM_THREADS"] = str(a.threads)
        env["OMP_NUM_THREADS"] = str(a.threads)
        if ct == "unset":
            env.pop("OPENBLAS_CORETYPE", None)
            env.pop("OPENBLAS_L2_SIZE", None)
        else:
            env["OPENBLAS_CORETYPE"] = ct
        r = subprocess.run([sys.executable, __file__, "--child"] + sys.argv[1:], env=env, capture_output=True,
                           text=True)
        if r.returncode != 0:
            print(json.dumps({"coretype": ct, "error": r.stderr.strip()[-400:]}))
        else:
            sys.stdout.write(r.stdout)
    sys.exit(0)

import torch  # noqa: E402  (after the environment is final: OpenBLAS reads it when it loads)
import torch.nn as nn  # noqa: E402

torch.set_num_threads(a.threads)
torch.backends.mkldnn.enabled = not a.no_mkldnn
torch.manual_seed(1)
model = nn.Sequential(
    nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
)
opt = torch.optim.SGD(model.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()
x_all = torch.rand(a.rows, 1, 28, 28)
y_all = torch.randint(0, 10, (a.rows,))
nb = a.rows // a.batch
batches = [(x_all[i * a.batch:(i + 1) * a.batch].contiguous(), y_all[i * a.batch:(i + 1) * a.batch].contiguous())
           for i in range(nb)]
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

blas = None
try:
    from threadpoolctl import threadpool_info
    blas = [{k: i.get(k) for k in ("internal_api", "version", "architecture", "num_threads")} for i in threadpool_info()
            if i.get("user_api") == "blas"]
except Exception as e:  # threadpoolctl is optional
    blas = f"threadpoolctl unavailable: {type(e).__name__}"
print(json.dumps({
    "coretype": os.environ.get("OPENBLAS_CORETYPE", "unset"), "torch": torch.__version__,
    "threads": torch.get_num_threads(), "mkldnn": torch.backends.mkldnn.enabled, "blas": blas,
    "rates": [round(r, 2) for r in rates], "loss": state["loss"],
}))
