"""The HTTP client: jobs, synchronous helpers, sweep and LR search sessions. Standard library only."""
from __future__ import annotations

import json
import math
import os
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Iterable

from .jobs import Job
from .search import SearchSession
from .sweep import SweepSession, clean_loss

DEFAULT_URL = "http://127.0.0.1:3000"


class LrFinderError(Exception):
    """An error answer of the service: `problem` is its application/problem+json body."""

    def __init__(self, problem: dict[str, Any]):
        self.problem = problem
        self.status = problem.get("status")
        self.code = problem.get("code")
        self.errors = problem.get("errors", [])
        super().__init__(f"{self.status} {self.code}: {problem.get('detail')}")


class ServiceUnreachable(ConnectionError):
    """The service did not answer at all (not running, wrong URL, a firewall): says which URL was
    tried and how to start the service or point the client at another one."""

    def __init__(self, url: str, reason: Any):
        self.url = url
        self.reason = reason
        super().__init__(
            f"cannot reach the lr-finder service at {url} ({reason}). Start it with `npm start` in an "
            "lr-finder checkout (or `docker compose up`), or point the client at a running one: "
            "Client(base_url=...) or the LRFINDER_URL environment variable."
        )


def _jsonable(value: Any) -> Any:
    """numpy and torch values (scalars, arrays, tensors) as plain Python numbers and lists."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def non_finite_pointer(value: Any, pointer: str = "") -> str | None:
    """The JSON pointer of the first NaN/Infinity in a body, or None."""
    if isinstance(value, float):
        return None if math.isfinite(value) else pointer or "/"
    if isinstance(value, dict):
        for k, v in value.items():
            found = non_finite_pointer(v, f"{pointer}/{str(k).replace('~', '~0').replace('/', '~1')}")
            if found:
                return found
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            found = non_finite_pointer(v, f"{pointer}/{i}")
            if found:
                return found
    return None


def encode_json(body: Any) -> bytes:
    """JSON without NaN/Infinity: a non-finite number raises ValueError naming its JSON pointer."""
    try:
        return json.dumps(body, default=_jsonable, allow_nan=False).encode()
    except ValueError:
        bad = non_finite_pointer(json.loads(json.dumps(body, default=_jsonable, allow_nan=True)))
        raise ValueError(f"{bad}: NaN/Infinity cannot be sent (JSON has no such numbers; send null where a loss was non-finite)") from None


class Client:
    """The service at `base_url` (default: $LRFINDER_URL, else http://127.0.0.1:3000), with
    `api_key` (default: $LRFINDER_API_KEY) when the service runs with API_KEYS."""

    def __init__(self, base_url: str | None = None, api_key: str | None = None, timeout: float = 30.0):
        self.base_url = (base_url or os.environ.get("LRFINDER_URL") or DEFAULT_URL).rstrip("/")
        self.api_key = api_key if api_key is not None else os.environ.get("LRFINDER_API_KEY")
        self.timeout = timeout
        self._features: dict[str, bool] | None = None

    def __repr__(self) -> str:
        return f"Client({self.base_url!r}{', api_key=...' if self.api_key else ''})"

    # -- HTTP -------------------------------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = None
        headers = {"accept": "application/json"}
        if body is not None:
            data = encode_json(body)  # refuses NaN/Infinity here rather than get a 400 back
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
        except urllib.error.URLError as err:  # no HTTP answer at all: refused, unknown host, timeout
            raise ServiceUnreachable(self.base_url, getattr(err, "reason", err)) from None
        except (ConnectionError, TimeoutError) as err:  # reset or timed out while reading the answer
            raise ServiceUnreachable(self.base_url, err) from None

    # -- jobs -------------------------------------------------------------------------------
    def submit(self, kind: str, body: dict[str, Any]) -> Job:
        return Job(self.request("POST", f"/v1/{kind}", body), self)

    def get(self, kind: str, job_id: str) -> Job:
        return Job(self.request("GET", f"/v1/{kind}/{job_id}"), self)

    def cancel(self, kind: str, job_id: str) -> Job:
        return Job(self.request("POST", f"/v1/{kind}/{job_id}/cancel"), self)

    def wait(self, job: dict[str, Any], poll: float = 0.2, timeout: float = 600.0, progress: bool = False) -> Job:
        """Polls a job until it is succeeded, failed or canceled; returns the final resource."""
        deadline = time.monotonic() + timeout
        job = job if isinstance(job, Job) else Job(job, self)
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

    def svg(self, job: dict[str, Any]) -> str:
        """The job's plot (GET .../plot.svg) as SVG text; LrFinderError 409 until it has succeeded."""
        link = (job.get("links") or {}).get("plot") or f"/v1/{job['kind']}/{job['id']}/plot.svg"
        return self.request("GET", link)

    def range_test(self, wait: bool = True, **body: Any) -> Job:
        """Queues an LR range test (fields as POST /v1/lr-range-tests) and, by default, waits for it."""
        job = self.submit("lr-range-tests", body)
        return self.wait(job) if wait else job

    def simulate_schedules(self, wait: bool = True, **body: Any) -> Job:
        """Queues a schedule simulation (POST /v1/schedule-simulations) and, by default, waits for it."""
        job = self.submit("schedule-simulations", body)
        return self.wait(job) if wait else job

    def lr_search(self, wait: bool = True, **body: Any) -> Job:
        """Queues an LR search (POST /v1/lr-searches: the training setup plus train_steps, schedule,
        metric, budget_steps, tolerance) and, by default, waits for it: result["recommended_lr"],
        ["interval"], ["confidence"], ["candidates"]."""
        job = self.submit("lr-searches", body)
        return self.wait(job) if wait else job

    def diagnose(self, wait: bool = True, **body: Any) -> Job:
        """Queues training diagnostics (POST /v1/diagnostics) and, by default, waits for them."""
        job = self.submit("diagnostics", body)
        return self.wait(job) if wait else job

    # -- synchronous helpers ----------------------------------------------------------------
    def presets(self) -> list[dict[str, Any]]:
        return self.request("GET", "/v1/presets")["presets"]

    def datasets(self) -> list[dict[str, Any]]:
        """The built-in datasets, then your uploads (newest first). Each has `source`: "builtin"
        (use as data={"name": ...}) or "upload" (use as data={"dataset_id": ...})."""
        answer = self.request("GET", "/v1/datasets")
        builtins = [{**d, "source": "builtin"} for d in answer.get("datasets") or []]
        uploads = [{**d, "source": "upload"} for d in answer.get("uploads") or []]
        return builtins + uploads

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

    def analyze_curve(self, lrs: Iterable[float] | None, losses: Iterable[float | None], **options: Any) -> dict[str, Any]:
        """Suggestions for a curve recorded in your own training loop or by a library: every method,
        each with its library's trimming. With `emulate="fastai"` etc. `losses` are raw per-step
        losses through that library's whole pipeline, and `lrs` may be None (the library's LR plan).
        NaN / inf / -inf are sent as "NaN", "Infinity", "-Infinity" where the service takes them
        (else as null)."""
        values = [None if x is None else float(x) for x in losses]
        typed = any(v is not None and not math.isfinite(v) for v in values) and self.sweep_features().get("typed_losses", False)
        body: dict[str, Any] = {"losses": [clean_loss(v, typed) for v in values], **options}
        if lrs is not None:
            body["lrs"] = [float(x) for x in lrs]
        return self.request("POST", "/v1/curve-analyses", body)

    # -- sweep sessions ---------------------------------------------------------------------
    def sweep(self, **options: Any) -> SweepSession:
        """Starts a sweep session (POST /v1/sweep-sessions; torch-lr-finder's start_lr, end_lr, num_iter,
        step_mode, smooth_f, diverge_th, plus suggestion, skip_start, skip_end): iterate it for the LRs,
        report() one loss per LR. Only the options given are sent: the service fills in its defaults
        (torch-lr-finder's) and `session.request` shows every value the session runs with."""
        return SweepSession(self, self.request("POST", "/v1/sweep-sessions", options))

    def search(self, train_fn: Callable[[float, int], Any], step_fn: Callable[[float], Any] | None = None,
               **options: Any) -> dict[str, Any]:
        """The LR search in your own loop (POST /v1/lr-search-sessions): `train_fn(lr, steps) -> loss`
        trains `steps` steps at `lr` (your schedule's peak LR) from the same initial weights and batch
        order every call and returns the metric (your validation loss, say; NaN/inf/None = diverged).
        `step_fn(lr) -> loss`, if given, trains ONE more minibatch of a run that continues between calls:
        the range test that brackets the search. Without it the trials start at end_lr and go down.
        Options: train_steps, budget_steps, tolerance, start_lr, end_lr, num_iter, ...; only those given
        are sent (the service fills in its defaults and echoes them in the session's `request`).
        Returns the result: recommended_lr, interval, confidence, candidates, cost."""
        return self.search_session(range_test=step_fn is not None, **options).run(train_fn, step_fn)

    def search_session(self, **options: Any) -> SearchSession:
        """Starts an LR search session to drive step by step (SearchSession.next, report_loss, report_metric)."""
        return SearchSession(self, self.request("POST", "/v1/lr-search-sessions", options))

    def sweep_features(self) -> dict[str, bool]:
        """What this service's sweep sessions accept beyond torch-lr-finder's arguments, read once
        from its OpenAPI document: `param_groups` (per-group LR multipliers in the session request),
        `skipped` (a `{iteration, skipped: true}` report for a step the GradScaler skipped) and
        `typed_losses` (losses "NaN", "Infinity", "-Infinity" instead of null)."""
        if self._features is None:
            try:
                schemas = self.request("GET", "/openapi.json").get("components", {}).get("schemas", {})
            except (LrFinderError, OSError, ValueError, AttributeError):
                schemas = {}
            props = lambda name: (schemas.get(name) or {}).get("properties") or {}  # noqa: E731
            self._features = {
                "param_groups": "param_groups" in props("SweepSessionRequest"),
                "skipped": "skipped" in props("SweepLossReport") or "skipped" in props("SweepLossesRequest"),
                "typed_losses": "Infinity" in json.dumps(props("SweepLossReport").get("loss") or {}),
            }
        return dict(self._features)

    # -- plotting ---------------------------------------------------------------------------
    @staticmethod
    def plot(job: dict[str, Any], ax: Any = None, **options: Any) -> Any:
        """Loss vs LR (log x) with the suggested LR marked on a matplotlib Axes of your own, like
        torch-lr-finder's plot(); needs matplotlib (pip install "lrfinder[plot]"). Returns the Axes.
        For the service's picture (every method's pick, no matplotlib) use svg() / a notebook's display."""
        from .plot import plot_curve

        return plot_curve(job["result"] if "result" in job else job, ax=ax, **options)
