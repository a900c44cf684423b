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


# --- a criterion lost to its deadline, and one whose own part is stated not done ----------------

KIDS = library_of(ruleset_yaml("kids", "{kind: obligations}", [
    criterion("K-AUTH", "{fact: kid.authorised}", mandatory="true",
              due="{date: dates.first_shooting_day, offset_days: -1, source: {document: src, section: 'art. 5.2'}}"),
    criterion("K-FILE", "{all: [{fact: kid.file}, {criterion: K-AUTH}]}", mandatory="true"),
], """facts:
  kid.authorised: {type: boolean, title: {fr: "Autorisation", en: "Authorisation"}}
  kid.file: {type: boolean, title: {fr: "Dossier", en: "File"}}"""))


def kids_plan(as_of: dt.date, **kid):
    dossier = dossier_of(KIDS, {"dates": {"first_shooting_day": "2025-03-03"}, "kid": kid})
    return make_plan(evaluate(KIDS, dossier, as_of), parse_target(KIDS, "kids"))


def test_a_criterion_past_its_deadline_blocks_once_and_is_never_planned():
    """Not obtained by the day before shooting, the authorisation can no longer be obtained in time:
    the plan says so once, and does not also propose it as a step (nor call it merely « not met »)."""
    plan = kids_plan(dt.date(2025, 4, 1), authorised=False, file=True)
    about_auth = [b for b in plan.blockers if b.get("criterion") == "K-AUTH"]
    assert [b["reason"] for b in about_auth] == ["deadline_passed"]
    assert "K-AUTH" not in plan.items


def test_a_part_stated_not_done_blocks_even_when_what_it_reads_is_met():
    """K-FILE is stated not done (kid.file false) while the criterion it reads is met: nothing left
    to plan changes that, so it blocks as « not met » instead of becoming an action."""
    plan = kids_plan(dt.date(2025, 2, 1), authorised=True, file=False)
    assert {"reason": "not_met", "criterion": "K-FILE"} in plan.blockers
    assert "K-FILE" not in plan.items
