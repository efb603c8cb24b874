"""lrfinder.torch.search on real (small) torch models against a running service (LRF_URL)."""
from __future__ import annotations

import copy
import math
import os
import unittest
import xml.etree.ElementTree as ET

import torch
from torch import nn
from torch.utils.data import DataLoader

import lrfinder.torch as lt
from lrfinder import Client
from lrfinder.torch.search import train_loss_window
from test_torch import Recorder, RecordingClient, assert_same, regression_data

URL = os.environ.get("LRF_URL")
K = 60


def linear(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Linear(8, 1)


@unittest.skipUnless(URL, "LRF_URL (a running lr-finder service) is not set")
class Search(unittest.TestCase):
    def setUp(self):
        self.client = Client(URL)

    def test_recommends_a_trained_lr_inside_its_interval_and_restores_everything(self):
        model = linear()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loader = DataLoader(regression_data(), batch_size=32, shuffle=True)
        model_before, opt_before = copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict())
        rng_before = torch.get_rng_state()
        res = lt.search(model, opt, loader, nn.MSELoss(), train_steps=K, client=self.client)
        assert_same(self, model_before, model.state_dict(), "model")
        assert_same(self, opt_before, opt.state_dict(), "optimizer")
        self.assertTrue(torch.equal(rng_before, torch.get_rng_state()), "the RNG is restored")
        rec = res.recommended_lr
        self.assertIsNotNone(rec)
        self.assertLessEqual(res.interval["low"], rec)
        self.assertGreaterEqual(res.interval["high"], rec)
        self.assertIn(res.confidence["level"], ("high", "medium", "low"))
        self.assertLessEqual(res.cost["steps"], 4 * K)
        self.assertEqual(res.cost["grid_steps"], 13 * K)
        # the recommendation is the best candidate trained to the horizon
        at_k = [c for c in res.candidates if c["at_horizon"] and not c["diverged"]]
        self.assertEqual(min(at_k, key=lambda c: c["metric"])["lr"], rec)
        self.assertEqual(res.group_lrs, [rec])
        # a linear least-squares model at batch 32 is stable well below lr 2/λmax: the pick is not tiny either
        self.assertGreater(rec, 1e-3)
        self.assertEqual(res.apply(opt), [rec])
        self.assertEqual(opt.param_groups[0]["lr"], rec)
        root = ET.fromstring(res.svg())
        mark = root.find(".//{http://www.w3.org/2000/svg}g[@id='recommended-lr']")
        self.assertEqual(float(mark.get("data-lr")), rec)
        self.assertIn("<svg", res._repr_html_())
        self.assertIn("recommended_lr=", repr(res))

    def test_every_trial_starts_from_the_same_weights_and_batch_order(self):
        model = linear(seed=2)
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        loader = DataLoader(regression_data(seed=3), batch_size=32, shuffle=True)  # shuffling draws from the RNG
        twin = copy.deepcopy(model)
        torch.manual_seed(11)
        res = lt.search(model, opt, loader, nn.MSELoss(), train_steps=K, client=self.client)
        # after the search the RNG is back where it was: retrain one candidate by hand from the same start
        cand = next(c for c in res.candidates if c["at_horizon"] and not c["diverged"])
        trainer = lt.Trainer(twin, torch.optim.SGD(twin.parameters(), lr=0.01), loader, nn.MSELoss())
        losses = [trainer.step(cand["lr"]).loss for _ in range(K)]
        w = train_loss_window(K)
        self.assertEqual(cand["metric"], sum(losses[K - w:]) / w)
        # and every candidate trained to the horizon matches its own hand-made run
        for c in (c for c in res.candidates if c["at_horizon"] and not c["diverged"]):
            m = linear(seed=2)
            torch.manual_seed(11)
            t = lt.Trainer(m, torch.optim.SGD(m.parameters(), lr=0.01), loader, nn.MSELoss())
            ls = [t.step(c["lr"]).loss for _ in range(K)]
            self.assertEqual(c["metric"], sum(ls[K - w:]) / w, c["lr"])

    def test_a_schedule_is_scaled_to_each_candidate_and_run_as_a_prefix(self):
        model = linear(seed=4)
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        rec = Recorder(opt, base=nn.MSELoss())
        warmup = lambda i: 0.5 * min(1.0, (i + 1) / 10)  # noqa: E731 - peak 0.5: scaled to 1
        res = lt.search(model, opt, DataLoader(regression_data(), batch_size=32), rec, train_steps=K,
                        lr_lambda=warmup, range_test=False, end_lr=1, client=self.client)
        self.assertIsNotNone(res.recommended_lr)
        lrs = [c["lrs"][0] for c in rec.calls]
        self.assertTrue(any(c["steps"] >= 10 for c in res.candidates))
        for c in res.candidates:
            n = min(10, c["steps"])  # a screening trial of K/8 steps runs the first steps of the warmup only
            start = [c["lr"] * (j + 1) / 10 for j in range(n)]
            runs = [i for i in range(len(lrs) - n + 1) if all(math.isclose(lrs[i + j], start[j], rel_tol=1e-12) for j in range(n))]
            self.assertTrue(runs, f"candidate {c['lr']}: no trial warmed up to it")

    def test_search_sends_only_the_options_given_and_the_service_resolves_the_old_defaults(self):
        client = RecordingClient(URL)
        model = linear(seed=6)
        loader = DataLoader(regression_data(), batch_size=32)
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        res = lt.search(model, opt, loader, nn.MSELoss(), train_steps=K, client=client)
        sent = [b for m, p, b in client.sent if (m, p) == ("POST", "/v1/lr-search-sessions")]
        self.assertEqual(sent, [{"train_steps": K}])
        # what search() wrote down before: train_steps 1000, tolerance 0.1, a range test from 1e-7 to 10, diverge_th 5
        old = {"tolerance": 0.1, "range_test": True, "start_lr": 1e-7, "end_lr": 10, "diverge_th": 5}
        self.assertEqual({k: res.request[k] for k in old}, old)
        self.assertEqual(client.search_session().request["train_steps"], 1000)

    def test_a_diverging_trial_is_reported_as_diverged_and_never_recommended(self):
        model = linear(seed=5)
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        res = lt.search(model, opt, DataLoader(regression_data(), batch_size=32), nn.MSELoss(), train_steps=K,
                        range_test=False, end_lr=10, client=self.client)
        diverged = [c for c in res.candidates if c["diverged"]]
        self.assertTrue(diverged, "lr 10 diverges on this problem")
        self.assertTrue(all(c["lr"] > res.recommended_lr for c in diverged))
        self.assertTrue(all(c["stop_reason"] not in (None, "completed") for c in diverged))
