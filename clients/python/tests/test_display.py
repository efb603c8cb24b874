"""The client without a service: the SVG drawn for sweep results, notebook reprs, JSON encoding."""
from __future__ import annotations

import json
import os
import re
import unittest
import xml.etree.ElementTree as ET
from unittest import mock

from lrfinder import Client, Job, ServiceUnreachable
from lrfinder.client import encode_json
from lrfinder.display import inline_svg
from lrfinder.svg import LAYOUT, loss_range, render_curve_svg
from lrfinder.sweep import clean_loss

NS = {"s": "http://www.w3.org/2000/svg"}
X0, X1 = LAYOUT["left"], LAYOUT["width"] - LAYOUT["right"]  # 64, 580
Y0, Y1 = LAYOUT["top"], LAYOUT["height"] - LAYOUT["bottom"]  # 52, 408


def points(d: str) -> list[tuple[str, float, float]]:
    return [(c, float(x), float(y)) for c, x, y in re.findall(r"([ML])([-\d.]+),([-\d.]+)", d)]


RESULT = {
    "lrs": [10.0 ** k for k in range(-7, 2)],  # 1e-7 … 10: nine points, one per decade
    "losses": [3.0, 3.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    "smoothed_losses": [3.0, 3.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    "suggested_lr": 1e-4,
    "suggestion": {"method": "valley", "lr": 1e-4, "index": 3},
    "suggestions": {"valley": {"lr": 1e-4, "index": 3}, "slide": {"lr": None, "index": None, "reason": "too short"}},
    "stop_reason": "completed",
    "iterations": 9,
}


class CurveSvg(unittest.TestCase):
    def test_lrs_on_a_log_axis_losses_on_a_clipped_linear_axis(self):
        root = ET.fromstring(render_curve_svg(RESULT))
        smooth = points(root.find(".//s:path[@id='smoothed-loss']", NS).get("d"))
        self.assertEqual(len(smooth), 9)
        # decades 1e-7 … 1e1 across [64, 580]: 1e-3 is half way, at 64 + 4/8 × 516 = 322
        self.assertEqual([p[1] for p in smooth], [64 + k * 516 / 8 for k in range(9)])
        self.assertEqual(smooth[4][1], 322)
        # loss axis: [1, 3 (first loss + max(25% of the drop, 5%), capped at the max)] padded by 4% = [0.92, 3.08]
        lo, hi = loss_range([RESULT["smoothed_losses"]])
        self.assertAlmostEqual(lo, 0.92)
        self.assertAlmostEqual(hi, 3.08)
        self.assertAlmostEqual(smooth[0][2], Y0 + 0.08 / 2.16 * (Y1 - Y0), places=2)
        self.assertAlmostEqual(smooth[-1][2], Y1 - 0.08 / 2.16 * (Y1 - Y0), places=2)
        decades = [int(t.get("data-decade")) for t in root.iter("{http://www.w3.org/2000/svg}line") if t.get("data-decade")]
        self.assertEqual(decades, list(range(-7, 2)))

    def test_suggested_lr_marked_at_its_lr_and_picks_without_an_lr_listed_as_none(self):
        svg = render_curve_svg(RESULT)
        root = ET.fromstring(svg)
        mark = root.find(".//s:g[@id='suggested-lr']", NS)
        self.assertEqual(float(mark.get("data-lr")), 1e-4)
        self.assertEqual(float(mark.find("s:line", NS).get("x1")), 64 + 3 * 516 / 8)  # 257.5
        self.assertIn("slide: none", svg)
        self.assertEqual(len(root.findall(".//s:g[@class='method-marker']", NS)), 1)

    def test_a_null_loss_breaks_the_line_and_nothing_non_finite_is_written(self):
        r = dict(RESULT, losses=[3.0, None, 2.0, 1.0], smoothed_losses=[3.0, None, 2.0, 1.0], lrs=RESULT["lrs"][:4],
                 suggested_lr=None, suggestion={"method": "valley", "lr": None, "index": None})
        svg = render_curve_svg(r)
        d = ET.fromstring(svg).find(".//s:path[@id='smoothed-loss']", NS).get("d")
        self.assertEqual([p[0] for p in points(d)], ["M", "M", "L"])
        self.assertNotRegex(svg, r"(?i)\bnan\b|infinity")
        self.assertIn("suggested LR none", svg)

    def test_inline_svgs_get_their_own_ids(self):
        a, b = inline_svg(render_curve_svg(RESULT)), inline_svg('<?xml version="1.0"?>\n' + render_curve_svg(RESULT))
        self.assertFalse(b.startswith("<?xml"))
        ids_a, ids_b = set(re.findall(r'id="([^"]+)"', a)), set(re.findall(r'id="([^"]+)"', b))
        self.assertTrue(ids_a and not ids_a & ids_b)
        for svg, ids in ((a, ids_a), (b, ids_b)):
            self.assertTrue(set(re.findall(r"url\(#([^)]+)\)", svg)) <= ids)
            ET.fromstring(svg)


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
