"""The client without a service: notebook reprs (plots fetched from the service, never drawn here),
only the options a caller set sent, JSON encoding."""
from __future__ import annotations

import json
import os
import re
import unittest
import xml.etree.ElementTree as ET
from unittest import mock

from lrfinder import Client, Job, LrFinderError, ServiceUnreachable
from lrfinder.client import encode_json
from lrfinder.display import inline_svg
from lrfinder.sweep import clean_loss

PLOT = ('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<defs><clipPath id="lrf-plot-area"><rect width="5" height="5"/></clipPath></defs>'
        '<g clip-path="url(#lrf-plot-area)"><path id="smoothed-loss" d="M0,0L1,1"/></g></svg>\n')


class InlineSvg(unittest.TestCase):
    def test_inline_svgs_get_their_own_ids(self):
        a, b = inline_svg(PLOT), inline_svg(PLOT)
        self.assertFalse(a.startswith("<?xml"))
        ids_a, ids_b = set(re.findall(r'id="([^"]+)"', a)), set(re.findall(r'id="([^"]+)"', b))
        self.assertEqual(len(ids_a), 2)
        self.assertFalse(ids_a & ids_b)
        for svg, ids in ((a, ids_a), (b, ids_b)):
            clip = {i for i in ids if i.startswith("lrf-plot-area")}
            self.assertEqual(set(re.findall(r"url\(#([^)]+)\)", svg)), clip)
            ET.fromstring(svg)


class RecordingClient(Client):
    """A Client whose HTTP answers are canned: notes every request, answers plot.svg with PLOT
    (or raises `plot_error`), POST /v1/sweep-sessions with a running session."""

    def __init__(self, plot_error: Exception | None = None):
        super().__init__("http://127.0.0.1:9")
        self.sent: list[tuple[str, str, object]] = []
        self.plot_error = plot_error

    def request(self, method, path, body=None):
        self.sent.append((method, path, body))
        if path.endswith("/plot.svg"):
            if self.plot_error:
                raise self.plot_error
            return PLOT
        if (method, path) == ("POST", "/v1/sweep-sessions"):
            return {"id": "s1", "status": "running", "request": {"num_iter": 2, **(body or {})},
                    "next": {"iteration": 0, "lr": 1e-7},
                    "links": {"self": "/v1/sweep-sessions/s1", "plot": "/v1/sweep-sessions/s1/plot.svg"}}
        raise AssertionError(f"unexpected {method} {path}")


STOPPED = {"status": "stopped", "next": None, "stop_reason": "completed",
           "result": {"suggested_lr": 1e-4, "suggestion": {"method": "valley"}, "iterations": 2, "lrs": [1e-7, 10]}}


class SweepDisplay(unittest.TestCase):
    def test_a_stopped_session_shows_the_services_plot_fetched_once_and_a_running_one_fetches_nothing(self):
        client = RecordingClient()
        session = client.sweep(num_iter=2)
        self.assertEqual(client.sent, [("POST", "/v1/sweep-sessions", {"num_iter": 2})])  # only what the caller set
        self.assertIsNone(session._repr_svg_())
        self.assertNotIn("<svg", session._repr_html_())
        self.assertEqual(len(client.sent), 1)
        session._update(STOPPED)
        svg = session._repr_svg_()
        self.assertTrue(svg.startswith("<svg") and 'id="smoothed-loss-lrf' in svg)
        self.assertIn("<svg", session._repr_html_())
        self.assertIs(session.svg(), session.svg())
        self.assertEqual(client.sent[1:], [("GET", "/v1/sweep-sessions/s1/plot.svg", None)])

    def test_without_the_services_plot_the_summary_still_shows(self):
        client = RecordingClient(plot_error=LrFinderError({"status": 404, "code": "not_found", "detail": "no route"}))
        session = client.sweep()
        self.assertEqual(client.sent[0][2], {})
        session._update(STOPPED)
        self.assertIsNone(session._repr_svg_())
        self.assertIn("suggested_lr", session._repr_html_())
        with self.assertRaises(LrFinderError):
            session.svg()

    def test_the_client_draws_nothing_itself(self):
        import lrfinder
        here = os.path.dirname(lrfinder.__file__)
        sources = [os.path.join(d, f) for d, _, files in os.walk(here) for f in files if f.endswith(".py")]
        self.assertIn(os.path.join(here, "torch", "range_test.py"), sources)
        drawing = [f for f in sources if re.search(r"<(path|line|circle|rect)\b", open(f, encoding="utf-8").read())]
        self.assertEqual(drawing, [])
        self.assertFalse(os.path.exists(os.path.join(here, "svg.py")))


class JobDisplay(unittest.TestCase):
    def test_repr_of_a_finished_a_failed_and_a_queued_job(self):
        done = Job({"id": "j1", "kind": "lr-range-tests", "status": "succeeded",
                    "result": {"suggested_lr": 0.003162, "suggestion": {"method": "valley"}, "stop_reason": "diverged", "iterations": 87}})
        self.assertEqual(repr(done), "<Job lr-range-tests j1: status=succeeded, suggested_lr=0.00316, method=valley, stop_reason=diverged, iterations=87>")
        failed = Job({"id": "j2", "kind": "diagnostics", "status": "failed", "error": {"code": "timeout", "detail": "ran > 1 s <limit>"}})
        self.assertIn("error=timeout: ran > 1 s <limit>", repr(failed))
        self.assertIn("ran &gt; 1 s &lt;limit&gt;", failed._repr_html_())
        queued = Job({"id": "j3", "kind": "lr-range-tests", "status": "queued"})
        self.assertIsNone(queued._repr_svg_())  # nothing to draw, nothing fetched
        self.assertEqual(json.loads(json.dumps(done))["result"]["iterations"], 87)  # still a plain dict to json

    def test_an_lr_search_shows_its_answer_not_only_its_status(self):
        search = Job({"id": "s1", "kind": "lr-searches", "status": "succeeded",
                      "progress": {"iteration": 3407, "total": 4000, "phase": "done", "finished_early": True,
                                   "note": "finished after 3407 of its 4000 budgeted steps: 2 candidates diverged and stopped early"},
                      "result": {"recommended_lr": 0.0316, "interval": {"low": 0.0316, "high": 0.0316},
                                 "confidence": {"level": "low", "p_within_tolerance": 0.62},
                                 "cost": {"steps": 3407, "budget_steps": 4000},
                                 "warnings": [{"code": "pick_at_low_edge", "message": "..."}]}})
        text = repr(search)
        self.assertEqual(text, "<Job lr-searches s1: status=succeeded, recommended_lr=0.0316, interval=0.0316 to 0.0316 (one LR), "
                               "confidence=low (p=0.62), cost=3407 steps of 4000, finished=finished after 3407 of its 4000 budgeted "
                               "steps: 2 candidates diverged and stopped early, warnings=pick_at_low_edge>")
        card = search._repr_html_()
        for shown in ("recommended_lr", "0.0316 to 0.0316", "low (p=0.62)", "3407 steps of 4000", "pick_at_low_edge"):
            self.assertIn(shown, card)
        wide = Job({"id": "s2", "kind": "lr-searches", "status": "succeeded",
                    "result": {"recommended_lr": 0.01, "interval": {"low": 0.00316, "high": 0.01}, "confidence": {"level": "high", "p_within_tolerance": 0.97},
                               "cost": {"steps": 1000, "budget_steps": 4000}, "warnings": []}})
        self.assertIn("interval=0.00316 to 0.01,", repr(wide))
        self.assertNotIn("warnings", repr(wide))

    def test_the_plot_is_fetched_once_and_embedded_in_the_html(self):
        calls = []

        class FakeClient:
            def svg(self, job):
                calls.append(job["id"])
                return '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><g id="x"/></svg>'

        job = Job({"id": "j1", "kind": "lr-range-tests", "status": "succeeded", "result": {}}, FakeClient())
        self.assertTrue(job._repr_svg_().startswith("<svg"))
        self.assertIn("<svg", job._repr_html_())
        self.assertEqual(calls, ["j1"])


class Encoding(unittest.TestCase):
    def test_non_finite_numbers_raise_with_their_json_pointer(self):
        with self.assertRaisesRegex(ValueError, r"^/data/x/1/0: NaN"):
            encode_json({"data": {"x": [[1.0], [float("nan")]]}})
        with self.assertRaisesRegex(ValueError, r"^/end_lr: "):
            encode_json({"end_lr": float("inf")})

    def test_array_likes_become_lists(self):
        class Arr:
            def tolist(self):
                return [[1.5, 2]]
        self.assertEqual(json.loads(encode_json({"x": Arr(), "n": (1, 2)})), {"x": [[1.5, 2]], "n": [1, 2]})

    def test_losses_clean_to_null(self):
        class Scalar:
            def __float__(self):
                return 0.25
        self.assertEqual([clean_loss(v) for v in (float("nan"), float("-inf"), None, Scalar(), 2)], [None, None, None, 0.25, 2.0])
        self.assertEqual([clean_loss(v, typed=True) for v in (float("nan"), float("inf"), float("-inf"), None, 2)], ["NaN", "Infinity", "-Infinity", None, 2.0])

    def test_a_service_that_is_not_there_is_named_with_what_to_do(self):
        import socket
        with socket.socket() as s:  # a loopback port nothing listens on
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        client = Client(f"http://127.0.0.1:{port}", timeout=5)
        with self.assertRaises(ServiceUnreachable) as ctx:
            client.request("GET", "/v1/presets")
        message = str(ctx.exception)
        self.assertIn(f"cannot reach the lr-finder service at http://127.0.0.1:{port}", message)
        self.assertIn("npm start", message)
        self.assertIn("LRFINDER_URL", message)
        self.assertIsInstance(ctx.exception, ConnectionError)
        self.assertIsNone(ctx.exception.__cause__)  # no urllib traceback chained under it

    def test_client_reads_its_url_and_key_from_the_environment(self):
        with mock.patch.dict(os.environ, {"LRFINDER_URL": "http://example.test:1/", "LRFINDER_API_KEY": "k"}):
            c = Client()
        self.assertEqual((c.base_url, c.api_key), ("http://example.test:1", "k"))
        self.assertEqual(Client("http://h:2", api_key="").api_key, "")


if __name__ == "__main__":
    unittest.main()
