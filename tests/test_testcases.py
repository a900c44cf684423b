"""The YAML test-case runner reports each expectation it cannot confirm (a wrong one must fail)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from raccord.engine import load_library
from raccord.engine.testcases import load_cases, run_case

CASES = Path(__file__).parent.parent / "rulesets" / "vhss_ccnpc" / "tests" / "thresholds.yaml"


def test_stage_missing_and_due_now_are_checked_and_reported():
    library = load_library()
    case = next(c for c in load_cases(CASES) if c.expect.stage == "company")
    assert run_case(case, library, CASES, "vhss_ccnpc") == []
    wrong = dataclasses.replace(case.expect, stage="shooting", missing=list(reversed(case.expect.missing)),
                                due_now=["VHSS-32.3-INFO"])
    problems = run_case(dataclasses.replace(case, expect=wrong), library, CASES, "vhss_ccnpc")
    assert any(p.startswith("stage: expected shooting, got company") for p in problems)
    assert f"missing: expected {wrong.missing}, got {case.expect.missing}" in problems  # the order matters
    assert any(p.startswith("due_now: expected ['VHSS-32.3-INFO']") for p in problems)
