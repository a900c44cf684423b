"""Collect the YAML test cases of every ruleset (rulesets/<id>/tests/*.yaml) as pytest items."""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path

import pytest

from raccord.engine import InputError, load_library
from raccord.engine.testcases import load_cases, run_case

ROOT = Path(__file__).parent

# The suite uses a cache of its own (never the user's), so that it runs the cached paths too.
os.environ["RACCORD_CACHE_DIR"] = tempfile.mkdtemp(prefix="raccord-test-cache-")


@cache
def bundled_library():
    return load_library(ROOT / "rulesets")


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix == ".yaml" and file_path.parent.name == "tests" and file_path.parent.parent.parent.name == "rulesets":
        return RulesetCaseFile.from_parent(parent, path=file_path)
    return None


class RulesetCaseFile(pytest.File):
    def collect(self):
        try:
            cases = load_cases(self.path)
        except InputError as exc:
            raise pytest.UsageError(str(exc)) from None
        for index, case in enumerate(cases):
            yield RulesetCase.from_parent(self, name=f"{index + 1:02d} {case.name}", case=case)


class RulesetCase(pytest.Item):
    def __init__(self, *, case, **kwargs):
        super().__init__(**kwargs)
        self.case = case

    def runtest(self):
        ruleset = self.path.parent.parent.name
        problems = run_case(self.case, bundled_library(), self.path, ruleset)
        if problems:
            raise CaseFailedError(problems)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, CaseFailedError):
            return "\n".join(["case failed:", *(f"  - {p}" for p in excinfo.value.problems)])
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"case: {self.name}"


class CaseFailedError(Exception):
    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems
