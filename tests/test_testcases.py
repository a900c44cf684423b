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


def test_reason_codes_are_checked_exactly():
    """`expect.reasons`: every code the engine gives the criterion, no more, no fewer."""
    library = load_library()
    path = CASES.parent / "deadlines.yaml"
    case = next(c for c in load_cases(path) if c.expect.reasons.get("VHSS-T3-5.3-MEDICAL-EXAM") == ["proof_only"])
    assert run_case(case, library, path, "vhss_ccnpc") == []
    for wrong in (["not_yet_due"], [], ["proof_only", "declared"]):
        expect = dataclasses.replace(case.expect, reasons={"VHSS-T3-5.3-MEDICAL-EXAM": wrong})
        problems = run_case(dataclasses.replace(case, expect=expect), library, path, "vhss_ccnpc")
        assert problems == [f"VHSS-T3-5.3-MEDICAL-EXAM: expected the reasons {sorted(wrong)}, got ['proof_only']"]
    unknown = dataclasses.replace(case.expect, reasons={"VHSS-NOPE": []})
    assert run_case(dataclasses.replace(case, expect=unknown), library, path, "vhss_ccnpc") == [
        "VHSS-NOPE: unknown criterion in expect.reasons"]
