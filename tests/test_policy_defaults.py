"""What a policy gets from the base class when it writes only its outcome: the `decision` other
rulesets may test, no aid claims, no plan of its own, the plan's before/after state, and the
load-time check that each criterion carries the attributes its policy reads.

The policy is a "tally" charter written in the test (compliant when every applicable criterion is
met); an aid ruleset beside it makes its schemes depend on the charter."""

from __future__ import annotations

import datetime as dt

import pytest

from raccord.engine import Engine
from raccord.engine import status as st
from raccord.engine.policies import POLICIES, register_policy
from raccord.engine.policies.base import Policy

from .support import criterion, dossier_of, library_of, ruleset_yaml

DAY = dt.date(2025, 10, 1)
SCHEME = "source: {document: src, section: x}, provenance: reconstructed"


class TallyPolicy(Policy):
    kind = "tally_for_test"

    def outcome(self, compiled, ctx):
        statuses = [ctx.statuses[c.id] for c in compiled.criteria]
        decision = (st.NOT_COMPLIANT if st.NOT_MET in statuses else
                    st.UNDETERMINED if st.UNKNOWN in statuses else st.COMPLIANT)
        blocking = [c.id for c in compiled.criteria if ctx.statuses[c.id] in (st.NOT_MET, st.UNKNOWN)]
        return {"decision": decision, "reasons": [], "blocking": blocking}


class ClaimingTally(TallyPolicy):
    """Says it decides aid, but names no scheme."""

    kind = "claiming_tally_for_test"
    makes_claims = True


@pytest.fixture
def grid():
    register_policy(TallyPolicy)
    register_policy(ClaimingTally)
    try:
        charter = ruleset_yaml("charter", "{kind: tally_for_test}", [
            criterion("C-1", "{fact: work.live_action}"), criterion("C-2", "{fact: company.headcount, gte: 1}")])
        claiming = ruleset_yaml("claiming", "{kind: claiming_tally_for_test}", [criterion("K-1", "{fact: work.live_action}")])
        aid = ruleset_yaml("aid", f"{{kind: eligibility, schemes: [{{id: s, title: {{fr: S, en: S}}, {SCHEME}}}]}}", [
            criterion("A-1", "{outcome: charter.decision, eq: compliant}", scheme="s")])
        yield library_of(charter, claiming, aid)
    finally:
        POLICIES.pop("tally_for_test", None)
        POLICIES.pop("claiming_tally_for_test", None)


def test_other_rulesets_may_test_its_decision(grid):
    engine = Engine(grid)
    ok = engine.evaluate(dossier_of(grid, {"work.live_action": True, "company.headcount": 3}), DAY)
    assert ok.outcome("charter")["decision"] == "compliant" and ok.status("A-1") == "met"
    short = engine.evaluate(dossier_of(grid, {"work.live_action": True, "company.headcount": 0}), DAY)
    assert short.status("A-1") == "not_met" and short.outcome("aid")["schemes"]["s"]["decision"] == "not_eligible"


def test_only_policies_that_make_claims_are_read_for_aid(grid):
    engine = Engine(grid)
    assert sorted(engine.claim_rulesets) == ["aid", "claiming"]  # the plain charter decides no aid
    doc = engine.eligibility(engine.evaluate(dossier_of(grid, {"work.live_action": True}), DAY))
    assert [s["id"] for s in doc["schemes"]] == ["s"]  # a claiming policy without schemes adds none
    assert doc["amount"] == [0.0, 0.0]


def test_it_has_no_plan_of_its_own_and_blocks_the_plans_that_need_its_decision(grid):
    engine = Engine(grid)
    evaluation = engine.evaluate(dossier_of(grid, {"work.live_action": True}), DAY)
    own = engine.plan(evaluation, "charter")
    assert own["feasible"] is False and own["blockers"] == [{"reason": "no_single_decision", "ruleset": "charter"}]
    assert own["before"] == {"reached": False, "decision": "undetermined", "blocking": ["C-2"]}
    aid = engine.plan(evaluation, "aid:s")  # A-1 asks for the charter's decision: a goal no plan can reach
    assert aid["items"] == [] and aid["blockers"] == [{"reason": "no_single_decision", "ruleset": "charter"}]


@pytest.mark.parametrize(("policy", "attribute"), [
    ("{kind: eligibility, schemes: [{id: s, title: {fr: S, en: S}, " + SCHEME + "}]}", "scheme"),
    ("{kind: levels, levels: [{level: 1, title: {fr: un, en: one}}]}", "level"),
    ("{kind: threshold, threshold: [{value: 0.5, inclusive: true, source: {document: src, section: x}}]}", "points"),
])
def test_a_criterion_must_carry_what_its_policy_reads(policy, attribute):
    from raccord.engine import InputError

    with pytest.raises(InputError) as info:
        library_of(ruleset_yaml("r", policy, [criterion("R-1", "{fact: work.live_action}")]))
    assert str(info.value).startswith("ruleset0.yaml:")
    assert f"criterion R-1 needs `{attribute}` under a " in str(info.value)
