"""Threshold plans at the scores' tolerance: mutants of engine/knapsack.py that the planner tests did
not tell apart (bench/mutation.py). Scores within 1e-9 of a threshold count as on it (13/20 is 65 %),
so a threshold written finer than that (0.750000001) is reached by exactly 75 %, and 75 % is not
"more than 0.749999999"; on a grid of large points the planner's first guess of the points still
needed overshoots by one and must come down, or the plan asks for a second action it does not need.
"""

from __future__ import annotations

import datetime as dt

from raccord.engine import evaluate
from raccord.engine.knapsack import knapsack_cover
from raccord.engine.plan import make_plan, parse_target

from .support import criterion, dossier_of, library_of, ruleset_yaml

DAY = dt.date(2025, 10, 1)
SOURCE = "source: {document: src, section: x}"


def grid(value: str, inclusive: bool, points: int):
    policy = f"{{kind: threshold, threshold: [{{value: {value}, inclusive: {str(inclusive).lower()}, {SOURCE}}}]}}"
    return library_of(ruleset_yaml("eco", policy, [
        criterion(f"E-{i}", f"{{evidence: k{i}}}", evidence=[f"k{i}"], points=points, effort=effort)
        for i, effort in ((1, 1), (2, 1), (3, 2), (4, 3))]))


def run(lib, kinds):
    items = [{"id": f"X-{kind}", "kind": kind} for kind in kinds]
    evaluation = evaluate(lib, dossier_of(lib, {}, items), DAY)
    return evaluation, make_plan(evaluation, parse_target(lib, "eco"))


def test_a_threshold_finer_than_the_tolerance_is_reached_by_the_share_on_it():
    lib = grid("0.750000001", True, 1)
    evaluation, plan = run(lib, ["k1", "k2", "k3"])  # 3 of 4 points: 75 %
    assert evaluation.ctx.outcomes["eco"]["decision"] == "eligible"
    assert plan.items == []
    _, plan = run(lib, ["k1", "k2"])  # 50 %: one more criterion, the cheaper of the two left
    assert plan.items == ["E-3"]


def test_a_share_on_an_exclusive_threshold_is_not_above_it():
    lib = grid("0.749999999", False, 1)
    evaluation, plan = run(lib, ["k1", "k2", "k3"])  # 75 % is 0.749999999 within the tolerance: not above it
    assert evaluation.ctx.outcomes["eco"]["decision"] != "eligible"
    assert plan.items == ["E-4"]
    _, plan = run(lib, ["k1", "k2"])
    assert plan.items == ["E-3", "E-4"]


def test_on_large_points_the_plan_asks_for_no_action_beyond_the_threshold():
    # 4 x 500 points: at 50 %, 500 more points give 75 %; the first guess of what is needed (501) is too high
    lib = grid("0.750000001", True, 500)
    _, plan = run(lib, ["k1", "k2"])
    assert plan.items == ["E-3"]


def test_exact_boundaries_without_tolerance():
    # with no tolerance, an inclusive threshold is reached on it and an exclusive one only above it
    a = [("a", 1.0, 1.0), ("b", 1.0, 2.0)]
    assert knapsack_cover(a, 1.0, 4.0, [(0.5, True)], epsilon=0.0) == (["a"], True)
    assert knapsack_cover(a, 2.0, 4.0, [(0.5, False)], epsilon=0.0) == (["a"], True)
