"""lrfinder.torch.range_test on real (small) torch models against a running service (LRF_URL)."""
from __future__ import annotations

import copy
import importlib
import math
import os
import re
import unittest
import xml.etree.ElementTree as ET

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import lrfinder.torch as lt
from fakes import FakeGradScaler, real_cpu_grad_scaler
from lrfinder import Client

URL = os.environ.get("LRF_URL")


def regression_data(n: int = 512, d: int = 8, seed: int = 0) -> TensorDataset:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    y = x @ torch.randn(d, 1, generator=g) + 0.1 * torch.randn(n, 1, generator=g)
    return TensorDataset(x, y)


def classification_data(n: int = 256, seed: int = 1) -> TensorDataset:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=g)
    return TensorDataset(x, (x[:, 0] + x[:, 1] > 0).long() + (x[:, 2] > 1).long())


def classifier(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))


def assert_same(test: unittest.TestCase, a, b, path: str = "") -> None:
    """Equal state dicts: same keys, tensors equal element for element (dtype and shape too)."""
    if isinstance(a, torch.Tensor):
        test.assertIsInstance(b, torch.Tensor, path)
        test.assertEqual((a.dtype, a.shape), (b.dtype, b.shape), path)
        test.assertTrue(torch.equal(a, b), f"{path} differs")
    elif isinstance(a, dict):
        test.assertEqual(sorted(map(str, a)), sorted(map(str, b)), path)
        for k in a:
            assert_same(test, a[k], b[k], f"{path}/{k}")
    elif isinstance(a, (list, tuple)):
        test.assertEqual(len(a), len(b), path)
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(test, x, y, f"{path}/{i}")
    else:
        test.assertEqual(a, b, path)


class Recorder(nn.Module):
    """A criterion that notes, per micro-batch: the loss, grad mode, the LR of every param group."""

    def __init__(self, optimizer, base=None, hook=None):
        super().__init__()
        self.optimizer, self.base, self.hook = optimizer, base or nn.CrossEntropyLoss(), hook
        self.calls: list[dict] = []

    def forward(self, out, target):
        loss = self.base(out, target)
        if self.hook:
            loss = self.hook(len(self.calls), loss)
        self.calls.append({"loss": float(loss.item()), "grad": torch.is_grad_enabled(), "n": len(target),
                           "lrs": [g["lr"] for g in self.optimizer.param_groups]})
        return loss


class RecordingClient(Client):
    """A Client that notes the body of every request it sends (and sends it)."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.sent: list[tuple[str, str, object]] = []

    def request(self, method, path, body=None):
        self.sent.append((method, path, body))
        return super().request(method, path, body)


# the defaults this client wrote down itself before the service's were the only ones (torch-lr-finder's
# range_test(end_lr=10, num_iter=100, step_mode="exp", smooth_f=0.05, diverge_th=5), start_lr 1e-7 for want
# of an optimizer's LR, and 20 skipped steps in a row): the service must resolve a bare request to them
OLD_RANGE_TEST_DEFAULTS = {"start_lr": 1e-7, "end_lr": 10, "num_iter": 100, "step_mode": "exp", "smooth_f": 0.05,
                           "diverge_th": 5, "max_skipped_steps": 20}


def train(model, optimizer, loader, steps: int, criterion=nn.CrossEntropyLoss()) -> None:
    model.train()
    it = iter(loader)
    for _ in range(steps):
        try:
            x, y = next(it)
        except StopIteration:
            it = iter(loader)
            x, y = next(it)
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()


@unittest.skipUnless(URL, "LRF_URL (a running lr-finder service) is not set")
class RangeTest(unittest.TestCase):
    def setUp(self):
        self.client = Client(URL)

    def test_restores_model_optimizer_grads_and_modes_exactly(self):
        model = classifier()
        opt = torch.optim.Adam([{"params": model[0].parameters(), "lr": 1e-3, "weight_decay": 1e-4},
                                {"params": list(model[1].parameters()) + list(model[4].parameters()), "lr": 3e-3, "amsgrad": True}])
        loader = DataLoader(classification_data(), batch_size=32, shuffle=True)
        train(model, opt, loader, 5)  # Adam moments and step counts exist, grads are set
        model.eval()
        model_before, opt_before = copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict())
        grads_before = [p.grad.clone() for p in model.parameters()]
        weights_seen = []
        rec = Recorder(opt, hook=lambda i, loss: (weights_seen.append(model[0].weight.detach().clone()), loss)[1])
        res = lt.range_test(model, opt, loader, rec, num_iter=30, client=self.client)
        self.assertGreater(res.iterations, 5)
        self.assertFalse(torch.equal(weights_seen[0], weights_seen[-1]), "the range test trained the model")
        assert_same(self, model_before, model.state_dict(), "model")
        assert_same(self, opt_before, opt.state_dict(), "optimizer")
        self.assertEqual([g["lr"] for g in opt.param_groups], [1e-3, 3e-3])
        self.assertTrue(all(s["step"] == 5 for s in opt.state.values()))
        for p, g in zip(model.parameters(), grads_before):
            self.assertTrue(torch.equal(p.grad, g))
        self.assertEqual({m.training for m in model.modules()}, {False})
        self.assertTrue(all(c["grad"] for c in rec.calls))

    def test_training_afterwards_is_what_it_would_have_been_without_the_range_test(self):
        loader = DataLoader(classification_data(), batch_size=16, shuffle=True)  # shuffling and dropout draw from the RNG
        a, b = classifier(seed=3), classifier(seed=3)
        opt_a, opt_b = torch.optim.Adam(a.parameters(), lr=1e-3), torch.optim.Adam(b.parameters(), lr=1e-3)
        torch.manual_seed(7)
        res = lt.range_test(a, opt_a, loader, nn.CrossEntropyLoss(), num_iter=40, client=self.client)
        self.assertGreater(res.optimizer_steps, len(loader))  # the loader ran out and was iterated again
        train(a, opt_a, loader, 25)
        torch.manual_seed(7)
        train(b, opt_b, loader, 25)
        assert_same(self, b.state_dict(), a.state_dict(), "model")
        assert_same(self, opt_b.state_dict(), opt_a.state_dict(), "optimizer")

    def test_suggestion_on_a_learnable_problem_is_finite_inside_the_range_and_below_the_stability_bound(self):
        data = regression_data()
        loader = DataLoader(data, batch_size=32, shuffle=True)
        torch.manual_seed(0)
        model = nn.Linear(8, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        res = lt.range_test(model, opt, loader, nn.MSELoss(), client=self.client)
        # plain SGD on the mean squared error diverges above 2 / λmax(H), H = 2 E[x xᵀ] (x with a 1 for the bias)
        x1 = torch.cat([data.tensors[0], torch.ones(len(data), 1)], 1)
        bound = 2 / torch.linalg.eigvalsh(2 * x1.T @ x1 / len(data)).max().item()
        self.assertEqual(res.stop_reason, "diverged")
        self.assertTrue(math.isfinite(res.suggested_lr) and 1e-7 <= res.suggested_lr <= 10, res.suggested_lr)
        self.assertLess(res.suggested_lr, bound)
        self.assertGreater(res.lrs[-1], bound)  # it diverged past the bound, not before
        self.assertEqual(res.lrs[0], 1e-7)
        self.assertEqual(len(res.lrs), res.iterations)
        self.assertEqual((res.optimizer_steps, res.micro_batches, res.skipped_steps), (res.iterations, res.iterations, 0))

    def test_gradient_accumulation_reports_once_per_optimizer_step_with_the_mean_loss(self):
        torch.manual_seed(0)
        model = nn.Linear(8, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        real_step, steps = opt.step, []
        opt.step = lambda *a, **k: (steps.append(opt.param_groups[0]["lr"]), real_step(*a, **k))[1]
        rec = Recorder(opt, base=nn.MSELoss())
        loader = DataLoader(regression_data(n=64), batch_size=8)
        res = lt.range_test(model, opt, loader, rec, num_iter=12, diverge_th=1e6, accumulation_steps=3, client=self.client)
        self.assertEqual((res.stop_reason, res.iterations, len(steps), len(rec.calls)), ("completed", 12, 12, 36))
        self.assertEqual(steps, res.lrs)
        for i, loss in enumerate(res.losses):
            self.assertAlmostEqual(loss, sum(c["loss"] for c in rec.calls[3 * i:3 * i + 3]) / 3, delta=1e-12 * abs(loss))
            self.assertEqual({c["lrs"][0] for c in rec.calls[3 * i:3 * i + 3]}, {res.lrs[i]})

    def _amp_run(self, inject, num_iter=15, nan_at=None, **kw):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        scaler = real_cpu_grad_scaler() or FakeGradScaler(init_scale=2.0 ** 16)
        scaler_before = copy.deepcopy(scaler.state_dict())
        real_step, stepped = opt.step, []
        opt.step = lambda *a, **k: (stepped.append(1), real_step(*a, **k))[1]
        attempt = {"n": 0}

        def poison(grad):  # an inf gradient on the chosen optimizer steps, as fp16 overflow gives
            return grad * math.inf if attempt["n"] in inject else grad
        model[0].weight.register_hook(poison)

        def hook(i, loss):
            attempt["n"] = i
            return loss * math.nan if i == nan_at else loss
        rec = Recorder(opt, hook=hook)
        loader = DataLoader(classification_data(), batch_size=32)
        res = lt.range_test(model, opt, loader, rec, num_iter=num_iter, diverge_th=1e6, scaler=scaler, client=self.client, **kw)
        assert_same(self, scaler_before, scaler.state_dict(), "scaler")
        return res, rec, len(stepped)

    def test_amp_steps_the_scaler_skipped_are_not_points_and_do_not_advance_the_plan(self):
        res, rec, stepped = self._amp_run(inject={3, 4, 9})
        plan = self.client.request("GET", f"/v1/sweep-sessions/{res.session_id}")["lrs_planned"]
        self.assertEqual((res.stop_reason, res.iterations, res.skipped_steps, res.optimizer_steps), ("completed", 15, 3, 18))
        self.assertEqual(stepped, 15)  # optimizer.step ran for the unskipped steps only
        self.assertEqual(res.lrs, plan)
        tried = [c["lrs"][0] for c in rec.calls]
        self.assertEqual(tried, plan[:3] + [plan[3]] * 3 + plan[4:7] + [plan[7]] * 2 + plan[8:])

    def test_amp_a_skipped_step_with_a_nan_loss_ends_the_test_as_non_finite(self):
        res, rec, _ = self._amp_run(inject=set(), nan_at=5)
        self.assertEqual((res.stop_reason, res.iterations, res.losses[-1], res.skipped_steps), ("non_finite", 6, None, 0))

    def test_amp_steps_skipped_forever_end_the_test_after_max_skipped_steps(self):
        res, rec, stepped = self._amp_run(inject=set(range(2, 100)), max_skipped_steps=4)
        self.assertEqual((res.stop_reason, res.iterations, stepped, res.optimizer_steps), ("non_finite", 3, 2, 7))

    def test_param_groups_keep_their_ratios(self):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        opt = torch.optim.SGD([{"params": model[0].parameters(), "lr": 0.01},
                               {"params": model[2].parameters(), "lr": 0.1}], momentum=0.9)
        rec = Recorder(opt)
        res = lt.range_test(model, opt, DataLoader(classification_data(), batch_size=32), rec, num_iter=25, client=self.client)
        self.assertEqual(res.lr_mults, [0.01 / 0.1, 1.0])
        for call, lr in zip(rec.calls, res.lrs):
            self.assertEqual(call["lrs"][1], lr)  # the curve's LR is the largest group's
            self.assertAlmostEqual(call["lrs"][0], 0.1 * lr, delta=1e-15 * lr)
        self.assertEqual([g["lr"] for g in opt.param_groups], [0.01, 0.1])
        self.assertEqual(res.group_lrs, [res.suggested_lr * (0.01 / 0.1), res.suggested_lr])
        self.assertEqual(res.apply(opt), res.group_lrs)
        self.assertEqual([g["lr"] for g in opt.param_groups], res.group_lrs)

    def test_dict_batches_of_a_model_that_returns_its_loss_train_in_train_mode(self):
        class HFStyle(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin, self.modes = nn.Linear(4, 3), []

            def forward(self, x, labels):
                self.modes.append(self.training)
                return type("Out", (), {"loss": nn.functional.cross_entropy(self.lin(x), labels)})()

        data = classification_data()
        batches = [{"x": data.tensors[0][i:i + 32], "labels": data.tensors[1][i:i + 32]} for i in range(0, 96, 32)]
        model = HFStyle().eval()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        res = lt.range_test(model, opt, batches, None, num_iter=10, diverge_th=1e6, device="cpu", client=self.client)
        self.assertEqual((res.iterations, len(model.modes), set(model.modes)), (10, 10, {True}))
        self.assertFalse(model.training)

    def test_val_loader_reports_the_whole_validation_loss_after_each_step(self):
        torch.manual_seed(0)
        model = nn.Linear(4, 3)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        rec = Recorder(opt)
        val = DataLoader(classification_data(n=50, seed=5), batch_size=20)  # batches of 20, 20, 10
        res = lt.range_test(model, opt, DataLoader(classification_data(), batch_size=32), rec, val_loader=val,
                            num_iter=8, diverge_th=1e6, client=self.client)
        evals = [c for c in rec.calls if not c["grad"]]
        self.assertEqual((res.iterations, len(evals)), (8, 24))
        for i, loss in enumerate(res.losses):
            part = evals[3 * i:3 * i + 3]
            self.assertAlmostEqual(loss, sum(c["loss"] * c["n"] for c in part) / 50, delta=1e-12)

    def test_the_result_shows_its_plot_inline(self):
        torch.manual_seed(0)
        model = nn.Linear(8, 1)
        client = RecordingClient(URL)
        res = lt.range_test(model, torch.optim.SGD(model.parameters(), lr=0.01), DataLoader(regression_data(), batch_size=32),
                            nn.MSELoss(), client=client)
        root = ET.fromstring(res._repr_svg_())
        mark = root.find(".//{http://www.w3.org/2000/svg}g[@data-method='minimum']")
        self.assertEqual(float(mark.get("data-lr")), res.suggested_lr)
        self.assertIn("<svg", res._repr_html_())
        # the service's drawing of the session, fetched once (the ids made unique for the page)
        plot = f"/v1/sweep-sessions/{res.session_id}/plot.svg"
        self.assertEqual([p for m, p, _ in client.sent if p.endswith("plot.svg")], [plot])
        served = Client(URL).request("GET", plot)
        self.assertEqual(re.sub(r'(id="|#)([\w-]+?)-lrf\d+', r"\1\2", res._repr_svg_()), served[served.index("<svg"):])
        self.assertIn(f"suggested_lr={res.suggested_lr:.3g}", repr(res))
        try:
            import matplotlib
            matplotlib.use("Agg")
        except ImportError:
            with self.assertRaisesRegex(ImportError, r"lrfinder\[plot\]"):
                res.plot()
        else:
            ax = res.plot(skip_start=10, skip_end=5)
            self.assertEqual(list(ax.lines[1].get_xdata()), res.lrs[10:-5])
            self.assertEqual(ax.get_xscale(), "log")


@unittest.skipUnless(URL, "LRF_URL (a running lr-finder service) is not set")
class ServiceDefaults(unittest.TestCase):
    def test_options_left_out_are_not_sent_and_the_service_resolves_them_to_the_old_defaults(self):
        torch.manual_seed(0)
        model = nn.Linear(8, 1)
        client = RecordingClient(URL)
        loader = DataLoader(regression_data(), batch_size=32)
        res = lt.range_test(model, torch.optim.SGD(model.parameters(), lr=0.01), loader, nn.MSELoss(), client=client)
        self.assertEqual([b for m, p, b in client.sent if (m, p) == ("POST", "/v1/sweep-sessions")], [{}])
        self.assertEqual({k: res.request[k] for k in OLD_RANGE_TEST_DEFAULTS}, OLD_RANGE_TEST_DEFAULTS)
        self.assertEqual(res.lrs[0], 1e-7)
        # what the caller sets is sent, and nothing else
        client.sent.clear()
        res = lt.range_test(model, torch.optim.SGD(model.parameters(), lr=0.01), loader, nn.MSELoss(),
                            num_iter=12, smooth_f=0.2, max_skipped_steps=3, client=client)
        self.assertEqual([b for m, p, b in client.sent if (m, p) == ("POST", "/v1/sweep-sessions")],
                         [{"num_iter": 12, "smooth_f": 0.2, "max_skipped_steps": 3}])
        self.assertEqual({k: res.request[k] for k in ("num_iter", "max_skipped_steps", "end_lr")},
                         {"num_iter": 12, "max_skipped_steps": 3, "end_lr": 10})


class BuildingBlocks(unittest.TestCase):
    @unittest.skipUnless(URL, "LRF_URL (a running lr-finder service) is not set")
    def test_training_state_around_a_hand_written_sweep_loop(self):
        # the README's "your own torch loop"
        import itertools
        torch.manual_seed(0)
        model, criterion = nn.Linear(8, 1), nn.MSELoss()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        train_loader = DataLoader(regression_data(n=256), batch_size=32, shuffle=True)
        before = copy.deepcopy(model.state_dict())
        session = Client(URL).sweep(num_iter=100)
        with lt.TrainingState(model, optimizer):
            for lr, (x, y) in zip(session, itertools.cycle(train_loader)):
                for g in optimizer.param_groups: g["lr"] = lr  # noqa: E701
                optimizer.zero_grad(); loss = criterion(model(x), y); loss.backward(); optimizer.step()  # noqa: E702
                session.report(loss.item())
        self.assertEqual(session.status, "stopped")
        self.assertGreater(session.result["iterations"], 50)
        assert_same(self, before, model.state_dict(), "model")
        self.assertEqual((optimizer.state_dict()["state"], optimizer.param_groups[0]["lr"]), ({}, 1e-3))

    def test_trainer_train_steps_follows_lr_fn_and_retries_skipped_steps(self):
        torch.manual_seed(0)
        model = nn.Linear(4, 3)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        rec = Recorder(opt)
        model.weight.register_hook(lambda g: g * math.inf if len(rec.calls) - 1 in (2, 3) else g)
        trainer = lt.Trainer(model, opt, DataLoader(classification_data(), batch_size=32), rec, scaler=FakeGradScaler())
        steps = trainer.train_steps(lambda i: 0.01 * (i + 1), 5)
        self.assertEqual([s.lr for s in steps], [0.01, 0.02, 0.03, 0.04, 0.05])
        self.assertFalse(any(s.skipped for s in steps))
        self.assertEqual([c["lrs"][0] for c in rec.calls], [0.01, 0.02, 0.03, 0.03, 0.03, 0.04, 0.05])
        with self.assertRaises(FloatingPointError):
            model.weight.register_hook(lambda g: g * math.inf)
            trainer.train_steps(lambda i: 0.1, 1, max_skipped=3)


class ServerSideGroupsAndSkips(unittest.TestCase):
    """The service's sweep sessions take `param_groups` and `{iteration, skipped: true}` reports
    (Client.sweep_features() reads them from its OpenAPI document): range_test sends both and
    trains each group at the LR the service answers in `next.param_groups`."""

    def setUp(self):
        if not URL:
            self.skipTest("LRF_URL (a running lr-finder service) is not set")
        self.client = Client(URL)

    def test_the_service_has_param_groups_skipped_reports_and_typed_losses(self):
        self.assertEqual(self.client.sweep_features(), {"param_groups": True, "skipped": True, "typed_losses": True})

    def test_next_param_groups_are_read_in_request_order(self):
        session = self.client.sweep(num_iter=10, param_groups=[{"name": "body", "lr_mult": 0.3}, {"name": "head", "lr_mult": 1.0}])
        lr = session.next["lr"]
        self.assertEqual(session.next["param_groups"], [{"name": "body", "lr": lr * 0.3}, {"name": "head", "lr": lr}])
        group_lrs_from = importlib.import_module("lrfinder.torch.range_test")._group_lrs_from
        self.assertEqual(group_lrs_from(session.next, 2), [lr * 0.3, lr])
        session.report(2.3)
        session.report_skipped()
        self.assertEqual((session.next["iteration"], session.next["lr"]), (2, session.lrs_planned[1]))  # the plan did not advance
        session.stop()
        self.assertEqual(session.result["skipped"], [1])
        self.assertEqual(session.result["param_groups"][0]["name"], "body")

    def test_param_groups_and_skipped_reports_go_to_the_service(self):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        opt = torch.optim.Adam([{"params": model[0].parameters(), "lr": 1e-4, "name": "body"},
                                {"params": model[2].parameters(), "lr": 1e-3, "name": "head"}])
        rec = Recorder(opt)
        injected = {"n": -1}
        model[0].weight.register_hook(lambda g: g * math.inf if injected["n"] == 2 else g)
        rec.hook = lambda i, loss: (injected.__setitem__("n", i), loss)[1]
        res = lt.range_test(model, opt, DataLoader(classification_data(), batch_size=32), rec, num_iter=6, diverge_th=1e6,
                            scaler=FakeGradScaler(), client=self.client)
        session = self.client.request("GET", f"/v1/sweep-sessions/{res.session_id}")
        self.assertEqual(session["request"]["param_groups"], [{"name": "body", "lr_mult": 0.1}, {"name": "head", "lr_mult": 1.0}])
        self.assertEqual((session["skipped"], session["reports"], session["iterations"]), ([2], 7, 6))
        self.assertEqual((res.iterations, res.skipped_steps, res.optimizer_steps), (6, 1, 7))
        self.assertEqual(res.skipped, [2])
        self.assertEqual(res.param_groups, [{"name": "body", "lr_mult": 0.1, "suggested_lr": res.group_lrs[0]},
                                            {"name": "head", "lr_mult": 1.0, "suggested_lr": res.group_lrs[1]}])
        # the skipped step was tried again at the same LRs; every step at the service's per-group LRs
        self.assertEqual(rec.calls[2]["lrs"], rec.calls[3]["lrs"])
        for call, lr in zip([c for i, c in enumerate(rec.calls) if i != 2], res.lrs):
            self.assertEqual(call["lrs"], [lr * 0.1, lr])
        self.assertEqual(res.lrs, session["lrs_planned"])


if __name__ == "__main__":
    unittest.main()
