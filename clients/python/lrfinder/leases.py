"""Runs a parallel LR search session's trials (`parallelism: N`) on a pool: lease up to N trials,
start each on the pool, report each as it finishes (in whatever order they finish: the service's
result does not depend on it), lease more, until the session is done."""
from __future__ import annotations

import time
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from .search import SearchSession

# what to do with a leased trial: start it on the pool, in slot 0 … N-1 (a device per slot, say);
# the future's value is report_trial's keyword arguments: {"metric", "steps"?, "metrics_at"?}
Start = Callable[[Executor, "dict[str, Any]", int], "Future[dict[str, Any]]"]

# how long to wait before asking again when every trial of the rung is out with another client
POLL_SECONDS = 1.0


def run_leased(session: "SearchSession", start: Start, executor: Executor | None = None) -> None:
    """Leases and runs the session's trials until it is done. The range test must be over. On an
    error in a trial the others are cancelled (their leases expire on the service) and it is raised."""
    n = int(session.parallelism or 1)
    own = executor is None
    pool = executor or ThreadPoolExecutor(max_workers=n, thread_name_prefix="lrfinder-trial")
    out: dict[Future, tuple[dict[str, Any], int]] = {}
    free = list(range(n))
    try:
        while session.status != "done":
            if session.status == "range_test":
                raise RuntimeError("the session's range test is not done: report its losses first")
            if free:
                for trial in session.lease(len(free)):
                    slot = free.pop(0)
                    out[start(pool, trial, slot)] = (trial, slot)
            if not out:
                # every waiting trial is leased to another client: its report plans the next ones
                time.sleep(POLL_SECONDS)
                session.get()
                continue
            done, _ = wait(out, return_when=FIRST_COMPLETED)
            for f in sorted(done, key=lambda f: out[f][1]):
                trial, slot = out.pop(f)
                free.append(slot)
                try:
                    session.report_trial(trial, **f.result())
                except Exception as err:  # an LrFinderError (client.py imports this module)
                    # its lease expired and another client reported the trial first: that report counts
                    if getattr(err, "code", None) not in ("already_reported", "lease_expired"):
                        raise
                    session.get()
            free.sort()
    finally:
        for f in out:
            f.cancel()
        if own:
            pool.shutdown(wait=True)
