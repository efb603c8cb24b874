"""lrfinder.torch.search with parallel trials, and evaluation that leaves the training's RNGs alone
(issue 18 §3, §5), against a running service (LRF_URL) for the searches."""
from __future__ import annotations

import multiprocessing
import os
import unittest
import warnings
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import torch
from torch import nn
from torch.utils.data import DataLoader

import lrfinder.torch as lt
from lrfinder import Client
from lrfinder.torch.range_test import _validate
from lrfinder.torch.state import isolated_rng
from test_torch import classification_data

URL = os.environ.get("LRF_URL")
K = 60  # 96 rows in batches of 32: 3 steps an epoch, so a trial crosses up to 20 epoch boundaries;
# at the horizon the service asks for the metric at 54, 56, 57, 59 steps too (eval_at): validations mid-run


def mlp(seed: int = 0, dropout: float = 0.0) -> nn.Module:
    torch.manual_seed(seed)
    layers = [nn.Linear(4, 16), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else []) + [nn.Linear(16, 3)]
    return nn.Sequential(*layers)


def loaders(generator: torch.Generator | None = None) -> tuple[DataLoader, DataLoader]:
    train = DataLoader(classification_data(n=96, seed=1), batch_size=32, shuffle=True, generator=generator)
    val = DataLoader(classification_data(n=64, seed=2), batch_size=32)  # unshuffled: it still draws a base seed
    return train, val


def plain_run(model: nn.Module, train: DataLoader, val: DataLoader, lr: float, steps: int,
              validate_at: tuple[int, ...] = (), isolate: bool = True) -> float:
    """The user's own loop: SGD at `lr` for `steps` steps over epochs of `train`, the validation loss at
    the end; with validations after the steps in `validate_at` (isolated as the search isolates them)."""
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    done = 0
    while done < steps:
        for x, y in train:
            model.train()
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x), y).backward()
            opt.step()
            done += 1
            if done in validate_at:
                if isolate:
                    with isolated_rng(train, val):
                        _validate(model, loss_fn, val, None, True)
                else:
                    _validate(model, loss_fn, val, None, True)
            if done == steps:
                break
    return _validate(model, loss_fn, val, None, True)


class Isolation(unittest.TestCase):
    """Issue 18 §5: iterating val_loader draws from torch's global RNG; evaluation must not shift the
    training's shuffles and dropout masks."""

    def run_with(self, validate_at: tuple[int, ...], isolate: bool = True, generator: bool = False) -> float:
        train, val = loaders(torch.Generator().manual_seed(5) if generator else None)
        torch.manual_seed(7)
        return plain_run(mlp(1, dropout=0.2), train, val, 0.05, K, validate_at, isolate)

    def test_an_isolated_validation_between_steps_changes_nothing_across_epochs(self):
        base = self.run_with(())
        self.assertEqual(self.run_with((2, 3, 10, 17)), base)
        # without isolation the same validations shift the later shuffles and masks: this test can fail
        self.assertNotEqual(self.run_with((2, 3, 10, 17), isolate=False), base)

    def test_a_loader_with_its_own_generator_is_isolated_too(self):
        self.assertEqual(self.run_with((4, 11), generator=True), self.run_with((), generator=True))


@unittest.skipUnless(URL, "LRF_URL (a running lr-finder service) is not set")
class Parallel(unittest.TestCase):
    def setUp(self):
        self.client = Client(URL)

    def search(self, dropout: float = 0.0, generator: bool = False, **kw):
        train, val = loaders(torch.Generator().manual_seed(5) if generator else None)
        model = mlp(3, dropout)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        torch.manual_seed(11)
        res = lt.search(model, opt, train, nn.CrossEntropyLoss(), train_steps=K, val_loader=val,
                        client=self.client, **kw)
        return res, (train, val)

    @staticmethod
    def same(res) -> dict:
        """the result without what names the session: its id, and its request's parallelism and lease"""
        out = {k: v for k, v in res.items() if k != "session_id"}
        if "request" in out:
            out["request"] = {k: v for k, v in out["request"].items() if k not in ("parallelism", "lease_seconds")}
        return out

    def test_every_trial_equals_a_plain_run_of_its_lr_across_epochs_with_validation_in_between(self):
        res, (train, val) = self.search(dropout=0.2)
        at_k = [c for c in res.candidates if c["at_horizon"] and not c["diverged"]]
        self.assertTrue(at_k)
        for c in at_k:
            model = mlp(3, 0.2)
            torch.manual_seed(11)  # as before the search
            self.assertEqual(c["metric"], plain_run(model, train, val, c["lr"], K), c["lr"])

    def test_parallelism_2_on_threads_gives_the_result_of_parallelism_1(self):
        one, _ = self.search()
        two, _ = self.search(parallelism=2, lease_seconds=600)
        self.assertEqual(self.same(two), self.same(one))
        self.assertIsNotNone(one["recommended_lr"])
        self.assertEqual(two._session.request["lease_seconds"], 600)
        with ThreadPoolExecutor(3) as pool:
            three, _ = self.search(parallelism=3, executor=pool, device=lambda slot: "cpu")
        self.assertEqual(self.same(three), self.same(one))

    def test_a_loader_with_its_own_generator_repeats_its_order_in_parallel_too(self):
        one, (train, val) = self.search(generator=True)
        two, _ = self.search(generator=True, parallelism=2)
        self.assertEqual(self.same(two), self.same(one))
        c = next(c for c in one.candidates if c["at_horizon"] and not c["diverged"])
        train, val = loaders(torch.Generator().manual_seed(5))
        self.assertEqual(c["metric"], plain_run(mlp(3), train, val, c["lr"], K))

    def test_dropout_on_threads_warns_and_a_process_pool_runs_it_exactly(self):
        one, _ = self.search(dropout=0.2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.search(dropout=0.2, parallelism=2)
        said = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
        self.assertTrue(any("global generator" in m for m in said), said)
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
            two, _ = self.search(dropout=0.2, parallelism=2, executor=pool)
        self.assertEqual(self.same(two), self.same(one))

    def test_client_search_takes_parallelism_too(self):
        def train_fn(lr, steps):
            return 0.1 + 0.05 * (torch.log10(torch.tensor(lr)).item() + 2.2) ** 2 if lr < 0.3 else float("nan")
        one = self.client.search(train_fn, train_steps=200, end_lr=1)
        two = self.client.search(train_fn, train_steps=200, end_lr=1, parallelism=2)
        self.assertEqual(two, one)


if __name__ == "__main__":
    unittest.main()
