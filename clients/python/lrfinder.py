"""lr-finder client for notebooks: the standard library only (matplotlib optional, for plot()).

    from lrfinder import Client
    lrf = Client("http://127.0.0.1:3000")              # api_key="..." when the service has API_KEYS
    job = lrf.range_test(preset="spirals-mlp")          # waits for the result by default
    print(job["result"]["suggested_lr"])
    lrf.plot(job)                                       # needs matplotlib

In your own training loop (PyTorch, JAX), the service plans the LRs and says when to stop:

    session = lrf.sweep(start_lr=1e-7, end_lr=10, num_iter=100)
    for lr in session:                                  # stops by itself (diverged, completed, NaN)
        for g in optimizer.param_groups: g["lr"] = lr
        loss = train_one_minibatch()
        session.report(loss.item())                     # NaN/inf are sent as null
    print(session.suggested_lr)

Argument names are torch-lr-finder's (start_lr, end_lr, num_iter, step_mode, smooth_f,
diverge_th, ...). Errors raise LrFinderError carrying the RFC 9457 problem (status, code,
errors with JSON pointers).
"""
from __future__ import annotations

import json
import math
import time
import urllib.error
import urllib.request
from typing import Any, Iterable

__all__ = ["Client", "LrFinderError", "SweepSession"]


class LrFinderError(Exception):
    """An error answer of the service: `problem` is its application/problem+json body."""

    def __init__(self, problem: dict[str, Any]):
        self.problem = problem
        self.status = problem.get("status")
        self.code = problem.get("code")
        self.errors = problem.get("errors", [])
        super().__init__(f"{self.status} {self.code}: {problem.get('detail')}")


class Client:
    def __init__(self, base_url: str = "http://127.0.0.1:3000", api_key: str | None = None, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    # -- HTTP -------------------------------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = None
        headers = {"accept": "application/json"}
        if body is not None:
            # JSON has no NaN/Infinity: refuse them here rather than get a 400 back
            data = json.dumps(body, allow_nan=False).encode()
            headers["content-type"] = "application/json"
        if self.api_key:
            headers["authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as res:
                raw = res.read()
                ctype = res.headers.get("content-type", "")
                return json.loads(raw) if "json" in ctype else raw.decode()
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                problem = json.loads(raw)
            except ValueError:
                problem = {"status": err.code, "code": "http_error", "detail": raw.decode(errors="replace")}
            raise LrFinderError(problem) from None

    # -- jobs -------------------------------------------------------------------------------
    def submit(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", f"/v1/{kind}", body)

    def get(self, kind: str, job_id: str) -> dict[str, Any]:
        return self.request("GET", f"/v1/{kind}/{job_id}")

    def cancel(self, kind: str, job_id: str) -> dict[str, Any]:
        return self.request("POST", f"/v1/{kind}/{job_id}/cancel")

    def wait(self, job: dict[str, Any], poll: float = 0.2, timeout: float = 600.0, progress: bool = False) -> dict[str, Any]:
        """Polls a job until it is succeeded, failed or canceled; returns the final resource."""
        deadline = time.monotonic() + timeout
        while job["status"] in ("queued", "running"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job['id']} still {job['status']} after {timeout} s")
            time.sleep(poll)
            job = self.get(job["kind"], job["id"])
            if progress and job.get("progress"):
                p = job["progress"]
                print(f"\r{job['status']}: {p.get('iteration')}/{p.get('total')} lr={p.get('lr')} loss={p.get('loss')}", end="")
        if progress:
            print()
        return job

    def range_test(self, wait: bool = True, **body: Any) -> dict[str, Any]:
        """Queues an LR range test (fields as POST /v1/lr-range-tests) and, by default, waits for it."""
        job = self.submit("lr-range-tests", body)
        return self.wait(job) if wait else job

    def simulate_schedules(self, wait: bool = True, **body: Any) -> dict[str, Any]:
        """Queues a schedule simulation (POST /v1/schedule-simulations) and, by default, waits for it."""
        job = self.submit("schedule-simulations", body)
        return self.wait(job) if wait else job

    def diagnose(self, wait: bool = True, **body: Any) -> dict[str, Any]:
        """Queues training diagnostics (POST /v1/diagnostics) and, by default, waits for them."""
        job = self.submit("diagnostics", body)
        return self.wait(job) if wait else job

    # -- synchronous helpers ----------------------------------------------------------------
    def presets(self) -> list[dict[str, Any]]:
        return self.request("GET", "/v1/presets")["presets"]

    def datasets(self) -> list[dict[str, Any]]:
        return self.request("GET", "/v1/datasets")["datasets"]

    def upload_dataset(self, x: Any, y: Any, task: str = "classification", name: str | None = None) -> dict[str, Any]:
        """Uploads your rows once (POST /v1/datasets) and returns the dataset: use it in any job as
        data={"dataset_id": ds["id"]}. x: rows of features, y: class index or target per row; lists,
        numpy arrays or torch tensors (anything with .tolist()). NaN/inf raise ValueError here."""
        def rows(v: Any) -> Any:
            v = v.tolist() if hasattr(v, "tolist") else v
            return [rows(r) for r in v] if isinstance(v, (list, tuple)) else v
        body: dict[str, Any] = {"task": task, "x": rows(x), "y": rows(y)}
        if name is not None:
            body["name"] = name
        return self.request("POST", "/v1/datasets", body)

    def dataset(self, dataset_id: str) -> dict[str, Any]:
        """An uploaded dataset's metadata (rows, features, classes or outputs, expires_at)."""
        return self.request("GET", f"/v1/datasets/{dataset_id}")

    def preview_schedule(self, schedule: dict[str, Any], steps: int | None = None, **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"schedule": schedule, **extra}
        if steps is not None:
            body["steps"] = steps
        return self.request("POST", "/v1/schedules/preview", body)

    def analyze_curve(self, lrs: Iterable[float], losses: Iterable[float | None], **options: Any) -> dict[str, Any]:
        """Suggestions for a curve recorded in your own training loop (NaN/inf become null)."""
        clean = [None if (x is None or not math.isfinite(x)) else float(x) for x in losses]
        return self.request("POST", "/v1/curve-analyses", {"lrs": [float(x) for x in lrs], "losses": clean, **options})

    def sweep(self, **options: Any) -> "SweepSession":
        """Starts a sweep session (POST /v1/sweep-sessions; torch-lr-finder's start_lr, end_lr, num_iter,
        step_mode, smooth_f, diverge_th, plus suggestion, skip_start, skip_end): iterate it for the LRs,
        report() one loss per LR."""
        return SweepSession(self, self.request("POST", "/v1/sweep-sessions", options))

    # -- plotting ---------------------------------------------------------------------------
    @staticmethod
    def plot(job: dict[str, Any], ax: Any = None) -> Any:
        """Loss vs LR (log x) with the suggested LR marked, like torch-lr-finder's plot()."""
        import matplotlib.pyplot as plt  # optional dependency

        r = job["result"] if "result" in job else job
        if ax is None:
            _, ax = plt.subplots()
        ax.plot(r["lrs"], [float("nan") if v is None else v for v in r["losses"]], alpha=0.3, label="loss")
        ax.plot(r["lrs"], [float("nan") if v is None else v for v in r["smoothed_losses"]], label="smoothed loss")
        if r.get("suggested_lr"):
            ax.axvline(r["suggested_lr"], color="red", linestyle="--", label=f"{r['suggestion']['method']}: {r['suggested_lr']:.2e}")
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("loss")
        ax.legend()
        return ax


class SweepSession:
    """An LR range test in your own loop: `for lr in session:` train one step at `lr`, then
    `session.report(loss)`. The loop ends when the service stops the session (completed,
    diverged, non_finite); `result` then holds the curve and `suggested_lr`. Break out early
    and call stop() to get the result on the points so far. Explicit calls work too:
    `session.next` is `{"iteration", "lr"}` (None once stopped), `report(loss)` answers the
    service's report."""

    def __init__(self, client: Client, resource: dict[str, Any]):
        self.client = client
        self.id: str = resource["id"]
        self.request: dict[str, Any] = resource.get("request", {})
        self.lrs_planned: list[float] = resource.get("lrs_planned", [])
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

    def report(self, loss: Any, iteration: int | None = None) -> dict[str, Any]:
        """Reports the loss of the step trained at `next["lr"]` (a float, a 0-d tensor, NaN/inf or None)."""
        if iteration is None:
            if self.next is None:
                raise RuntimeError(f"the session stopped ({self.stop_reason}); nothing more to report")
            iteration = self.next["iteration"]
        value = None if loss is None else float(loss)
        if value is not None and not math.isfinite(value):
            value = None
        return self._update(self.client.request("POST", f"/v1/sweep-sessions/{self.id}/losses", {"iteration": iteration, "loss": value}))

    def report_many(self, losses: Iterable[Any], start: int | None = None) -> dict[str, Any]:
        """Reports several consecutive losses at once (iterations start, start+1, ...; default: next)."""
        first = self.next["iteration"] if start is None and self.next is not None else (start or 0)
        clean = [None if (x is None or not math.isfinite(float(x))) else float(x) for x in losses]
        body = {"losses": [{"iteration": first + k, "loss": v} for k, v in enumerate(clean)]}
        return self._update(self.client.request("POST", f"/v1/sweep-sessions/{self.id}/losses", body))

    def stop(self) -> dict[str, Any]:
        """Ends the session early; the result on the points so far."""
        return self._update(self.client.request("POST", f"/v1/sweep-sessions/{self.id}/stop"))

    def get(self) -> dict[str, Any]:
        """The whole session: every point so far, next, the result once stopped."""
        return self._update(self.client.request("GET", f"/v1/sweep-sessions/{self.id}"))
