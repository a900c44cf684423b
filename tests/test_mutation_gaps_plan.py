"""What `raccord plan` says of a criterion the production declined: final once it applies, a condition
on the target while its applicability is unknown (mutant of engine/plan.py `actionable` that the
planner tests did not tell apart: every declined criterion there applied)."""

from __future__ import annotations

import datetime as dt

from raccord.engine import evaluate
from raccord.engine.plan import make_plan, parse_target

from .support import criterion, dossier_of, library_of, ruleset_yaml

DAY = dt.date(2025, 10, 1)
LIB = library_of(ruleset_yaml("vh", "{kind: obligations}", [
    criterion("V-1", "{evidence: va}", evidence=["va"], mandatory="true", applies_if="{fact: work.live_action}"),
    criterion("V-2", "{evidence: vb}", evidence=["vb"], mandatory="true"),
]))


def plan(facts):
    dossier = dossier_of(LIB, facts, [], declined={"V-1": "Hors budget"})
    return make_plan(evaluate(LIB, dossier, DAY), parse_target(LIB, "vh"))


def test_a_declined_criterion_that_applies_blocks_the_target():
    assert {"reason": "declined", "criterion": "V-1", "why": "Hors budget"} in plan({"work.live_action": True}).blockers


def test_a_declined_criterion_whose_applicability_is_unknown_makes_the_target_conditional():
    blockers = plan({}).blockers  # live action or not: not said
    assert {"reason": "declined_if_applicable", "criterion": "V-1", "why": "Hors budget"} in blockers
    assert all(b["reason"] != "declined" for b in blockers)
