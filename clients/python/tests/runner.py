"""Runs unittest modules and prints one machine-readable line per run, for the repository's
vitest suite (test/integration/python-*.test.ts): `LRF-RESULTS {"test name": {"outcome", "detail"}}`.

    python tests/runner.py tests/test_display.py [tests/test_torch.py ...]

Plain `python -m unittest discover -s tests` works as well (the torch tests need LRF_URL, the URL
of a running service)."""
from __future__ import annotations

import importlib.util
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # the lrfinder package next to tests/
sys.path.insert(0, HERE)


class Collecting(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes: dict[str, dict[str, str]] = {}

    def _set(self, test, outcome, detail=""):
        self.outcomes[test.id().split(".")[-1]] = {"outcome": outcome, "detail": detail}

    def addSuccess(self, test):
        super().addSuccess(test)
        self._set(test, "passed")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._set(test, "failed", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self._set(test, "error", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._set(test, "skipped", reason)


def load(path: str) -> unittest.TestSuite:
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return unittest.defaultTestLoader.loadTestsFromModule(module)


def main(paths: list[str]) -> int:
    suite = unittest.TestSuite(load(p) for p in paths)
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2, resultclass=Collecting)
    result = runner.run(suite)
    print("LRF-RESULTS " + json.dumps(result.outcomes), flush=True)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
