"""An aid ruleset as a coordinator and the other rulesets see it: what a scheme's description and
claim carry, the total amount other rulesets may test, a scheme lost to a deadline, an aid
ruleset out of scope, and a plan asked for the ruleset without a scheme."""

from __future__ import annotations

import datetime as dt

from raccord.engine import Engine
from raccord.engine.policies import policy_class

from .support import FACTS, criterion, dossier_of, library_of, ruleset_yaml

DAY = dt.date(2025, 10, 1)
CATALOGUE = {**FACTS, "aid.declared_on": {"type": "date", "title": {"fr": "Déclaration", "en": "Declaration"}}}
PROVENANCE = "provenance: published_summary"
SCHEMES = f"""{{kind: eligibility, applies_if: {{fact: work.live_action}}, schemes: [
  {{id: prime, title: {{fr: Prime RSE, en: CSR bonus}}, valid_from: 2025-09-01, amount: {{value: 28000}},
   source: {{document: src, section: '§2', lines: '12-20'}}, {PROVENANCE}}},
  {{id: fonds, title: {{fr: Fonds régional, en: Regional fund}}, amount: {{value: 15000}},
   source: {{document: src, section: '§3'}}, {PROVENANCE}}}]}}"""


def aid_library(*others: str):
    aid = ruleset_yaml("aid", SCHEMES, [
        criterion("P-DECL", "{fact: aid.declared_on, lt: {fact: dates.first_shooting_day}}", scheme="prime",
                  due="{date: dates.first_shooting_day, offset_days: -1, source: {document: src, section: '§2'}}"),
        criterion("P-TEAM", "{fact: team.women, gte: 3}", scheme="prime"),
        criterion("F-HEAD", "{fact: company.headcount, gte: 5}", scheme="fonds"),
    ])
    return library_of(aid, *others, facts=CATALOGUE)


def facts(**extra):
    return {"work.live_action": True, "dates.first_shooting_day": "2025-03-03", **extra}


def test_a_scheme_is_described_without_empty_keys_and_with_dates_as_text():
    engine = Engine(aid_library())
    evaluation = engine.evaluate(dossier_of(engine.library, facts()), DAY)
    (entry,) = [e for e in engine.result(evaluation)["rulesets"] if e["id"] == "aid"]
    assert entry["schemes"][0] == {
        "id": "prime", "title": {"fr": "Prime RSE", "en": "CSR bonus"}, "valid_from": "2025-09-01",
        "amount": {"value": 28000, "currency": "EUR", "kind": "flat"},
        "source": {"document": "src", "section": "§2", "lines": "12-20"}, "provenance": "published_summary"}


def test_a_claim_cites_the_lines_of_its_source_when_the_ruleset_gives_them():
    library = aid_library()
    evaluation = Engine(library).evaluate(dossier_of(library, facts()), DAY)
    rs = library.rulesets["aid"]
    claims = {c["id"]: c for c in rs.policy.claims(rs, evaluation.outcome("aid"))}
    cited = {sid: {k: v for k, v in claim["source"].items() if k != "citation"} for sid, claim in claims.items()}
    assert cited == {"prime": {"document": "src", "section": "§2", "lines": "12-20"},
                     "fonds": {"document": "src", "section": "§3"}}


def test_other_rulesets_may_test_the_total_amount_of_aid():
    needs = ruleset_yaml("bank", "{kind: obligations}", [
        criterion("B-1", "{outcome: aid.amount, gte: 20000}", mandatory="true")])
    library = aid_library(needs)
    engine = Engine(library)
    rich = engine.evaluate(dossier_of(library, facts(**{"aid.declared_on": "2025-01-10", "team.women": 4,
                                                         "company.headcount": 9})), DAY)
    assert rich.outcome("aid")["amount"] == (43000, 43000) and rich.status("B-1") == "met"
    poor = engine.evaluate(dossier_of(library, facts(**{"aid.declared_on": "2025-01-10", "team.women": 1,
                                                         "company.headcount": 9})), DAY)
    assert poor.outcome("aid")["amount"] == (15000, 15000) and poor.status("B-1") == "not_met"


def test_only_the_scheme_whose_condition_is_lost_says_its_deadline_passed():
    library = aid_library()
    late = Engine(library).evaluate(dossier_of(library, facts(**{"aid.declared_on": "2025-03-10", "team.women": 4,
                                                                  "company.headcount": 2})), DAY)
    schemes = late.outcome("aid")["schemes"]
    assert schemes["prime"]["reasons"] == ["condition_not_met", "deadline_passed"]
    assert schemes["fonds"]["decision"] == "not_eligible" and schemes["fonds"]["reasons"] == ["condition_not_met"]


def test_an_aid_ruleset_out_of_scope_states_no_amount_and_plans_nothing():
    engine = Engine(aid_library())
    evaluation = engine.evaluate(dossier_of(engine.library, {"work.live_action": False}), dt.date(2025, 6, 1))
    (entry,) = [e for e in engine.result(evaluation)["rulesets"] if e["id"] == "aid"]
    assert entry["outcome"]["decision"] == "not_applicable"
    assert policy_class("eligibility").summary(entry) == []  # no scheme decided, no amount
    # before the prime opens: out of scope is the one reason given, not the dates of the scheme
    plan = engine.plan(evaluation, "aid:prime")
    assert plan["blockers"] == [{"reason": "ruleset_not_applicable", "ruleset": "aid", "why": ["ruleset_not_applicable"]}]



def test_a_plan_for_the_aid_ruleset_itself_needs_a_scheme():
    """`Target("aid")` (a library user's record, no scheme): there is no single decision to reach."""
    from raccord.engine.policies import Target

    engine = Engine(aid_library())
    evaluation = engine.evaluate(dossier_of(engine.library, facts()), DAY)
    plan = engine.plan(evaluation, Target("aid", None, "aid"))
    assert plan["blockers"] == [{"reason": "no_single_decision", "ruleset": "aid"}] and plan["items"] == []


def test_a_scheme_none_of_whose_conditions_applies_is_not_for_this_production():
    schemes = f"""{{kind: eligibility, schemes: [
      {{id: long, title: {{fr: Long, en: Feature}}, amount: {{value: 10000}},
        source: {{document: src, section: a}}, {PROVENANCE}}},
      {{id: open, title: {{fr: Ouvert, en: Open}}, amount: {{value: 2000}},
        source: {{document: src, section: b}}, {PROVENANCE}}}]}}"""
    aid = ruleset_yaml("aid", schemes, [
        criterion("L-1", "{fact: team.women, gte: 3}", scheme="long", applies_if="{fact: work.type, eq: long_metrage}"),
        criterion("L-2", "{fact: company.headcount, gte: 5}", scheme="long", applies_if="{fact: work.type, eq: long_metrage}"),
    ])  # `open` has no condition: open to every production
    library = library_of(aid, facts=CATALOGUE)
    engine = Engine(library)
    short = engine.evaluate(dossier_of(library, {"work.type": "court_metrage"}), DAY)
    outcome = short.outcome("aid")
    assert outcome["schemes"]["long"]["decision"] == "not_applicable"
    assert outcome["schemes"]["long"]["reasons"] == ["no_applicable_condition"]
    assert outcome["schemes"]["open"]["decision"] == "eligible" and outcome["amount"] == (2000, 2000)
    plan = engine.plan(short, "aid:long")
    assert plan["blockers"] == [{"reason": "no_applicable_condition", "ruleset": "aid", "scheme": "long"}]
    feature = engine.evaluate(dossier_of(library, {"work.type": "long_metrage", "team.women": 4}), DAY)
    assert feature.outcome("aid")["schemes"]["long"]["decision"] == "undetermined"
    assert feature.outcome("aid")["amount"] == (2000, 12000)
