"""Which outcome tests a plan can turn into a goal of the other ruleset (`Policy.outcome_goal`):
a positive decision, a level, a minimum score. A test that asks for anything else (a decision
other than eligible or compliant, a number of stars) cannot be planned through the other
ruleset: the criterion holding it is then the item itself."""

from __future__ import annotations

import datetime as dt

import pytest

from raccord.engine import evaluate
from raccord.engine.plan import make_plan, parse_target

from .support import criterion, dossier_of, library_of, ruleset_yaml

DAY = dt.date(2025, 10, 1)
SOURCE = "source: {document: src, section: x}"


def ev(cid: str, kind: str, **extra):
    return criterion(cid, f"{{evidence: {kind}}}", evidence=[kind], **extra)


ECO = ruleset_yaml("eco", f"""{{kind: threshold, threshold: [{{value: 0.5, inclusive: true, {SOURCE}}}],
  stars: {{verified: false, bands: [{{min: 0.5, stars: 1}}, {{min: 0.9, stars: 2}}]}}}}""", [
    ev("E-1", "e1", points=3, effort=1), ev("E-2", "e2", points=3, effort=2), ev("E-3", "e3", points=4, effort=5)])
LV = ruleset_yaml("lv", """{kind: levels, target: 2, levels: [{level: 1, title: {fr: a, en: a}},
  {level: 2, title: {fr: b, en: b}}, {level: 3, title: {fr: c, en: c}}]}""", [
    ev("L-1", "l1", level=1), ev("L-2", "l2", level=2), ev("L-3", "l3", level=3)])
OPEN_LV = ruleset_yaml("open_lv", "{kind: levels, levels: [{level: 1, title: {fr: a, en: a}}]}", [ev("O-1", "o1", level=1)])
VH = ruleset_yaml("vh", "{kind: obligations}", [ev("V-1", "v1", mandatory="true")])
AID = ruleset_yaml("aid", "{kind: eligibility, schemes: [{id: s, title: {fr: S, en: S}, "
                          "source: {document: src, section: x}, provenance: reconstructed}]}", [ev("A-1", "a1", scheme="s")])


def items_for(requires: str) -> list[str]:
    """The plan of a one-obligation ruleset whose obligation is `requires`."""
    dep = ruleset_yaml("dep", "{kind: obligations}", [criterion("D-1", requires, mandatory="true", effort=0)])
    library = library_of(ECO, LV, OPEN_LV, VH, AID, dep)
    evaluation = evaluate(library, dossier_of(library), DAY)
    plan = make_plan(evaluation, parse_target(library, "dep"))
    assert plan.blockers == []
    return sorted(plan.items)


@pytest.mark.parametrize(("requires", "items"), [
    ("{outcome: eco.decision, eq: eligible}", ["E-1", "E-2"]),  # the least effort reaching 50 %
    ("{outcome: eco.decision, in: [eligible, compliant]}", ["E-1", "E-2"]),
    ("{outcome: eco.score, gte: 0.6}", ["E-1", "E-2"]),
    ("{outcome: eco.score, gt: 0.6}", ["E-1", "E-3"]),
    ("{outcome: vh.decision, eq: compliant}", ["V-1"]),
    ("{outcome: aid.scheme.s, eq: eligible}", ["A-1"]),
    ("{outcome: lv.decision, eq: eligible}", ["L-1", "L-2"]),  # the ruleset's own target level
    ("{outcome: lv.level, gte: 1}", ["L-1"]),
    ("{outcome: lv.level, gt: 2}", ["L-1", "L-2", "L-3"]),
])
def test_outcome_tests_that_are_goals(requires, items):
    assert items_for(requires) == items


@pytest.mark.parametrize("requires", [
    "{outcome: eco.decision, ne: eligible}",  # not eligible is no goal
    "{outcome: eco.decision, eq: not_eligible}",
    "{outcome: eco.stars, gte: 2}",  # stars follow the score, but no plan aims at them
    "{outcome: vh.decision, ne: compliant}",
    "{outcome: aid.scheme.s, ne: eligible}",  # e.g. an aid that cannot be combined with another
    "{outcome: open_lv.decision, eq: eligible}",  # a levels ruleset without a target level decides nothing
    "{outcome: lv.decision, ne: eligible}",
])
def test_outcome_tests_that_are_not_goals_are_items_themselves(requires):
    assert items_for(requires) == ["D-1"]


def test_a_target_record_without_a_goal_aims_at_the_ruleset_own_decision():
    """`Engine.plan` also takes a `Target` built by a library user: `Target("lv")` is the target level."""
    from raccord.engine import Engine
    from raccord.engine.policies import Target

    library = library_of(LV, OPEN_LV)
    engine = Engine(library)
    evaluation = engine.evaluate(dossier_of(library), DAY)
    by_record = engine.plan(evaluation, Target("lv", None, "lv"))
    assert [i["criterion"] for i in by_record["items"]] == ["L-1", "L-2"]
    assert by_record["before"]["reached"] is False and by_record["after"]["reached"] is True
    assert by_record["items"] == engine.plan(evaluation, "lv")["items"]
    without = engine.plan(evaluation, Target("open_lv", None, "open_lv"))  # no target level to aim at
    assert without["blockers"] == [{"reason": "no_target_level", "ruleset": "open_lv"}] and without["items"] == []
    assert without["after"]["reached"] is False
