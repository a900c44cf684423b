"""The condition language: Kleene logic, comparisons, evidence validity, references."""

from __future__ import annotations

import datetime as dt

import pytest

from raccord.engine import InputError, evaluate

from .support import DAY, criterion, dossier_of, library_of, ruleset_yaml


def status_of(requires: str, facts=None, evidence=None, crit_extra=None, as_of=DAY, **dossier_extra):
    extra = crit_extra or {}
    lib = library_of(ruleset_yaml("r", "{kind: obligations}", [criterion("T-01", requires, **extra)]))
    ev = evaluate(lib, dossier_of(lib, facts, evidence, **dossier_extra), as_of)
    return ev.status("T-01"), ev


@pytest.mark.parametrize(
    ("requires", "facts", "expected"),
    [
        ("{fact: work.live_action}", {"work.live_action": True}, "met"),
        ("{fact: work.live_action}", {"work.live_action": False}, "not_met"),
        ("{fact: work.live_action}", {}, "unknown"),
        ("{fact: company.headcount, gte: 11}", {"company.headcount": 11}, "met"),
        ("{fact: company.headcount, gte: 11}", {"company.headcount": 10}, "not_met"),
        ("{fact: company.headcount, gt: 11}", {"company.headcount": 11}, "not_met"),
        ("{fact: work.type, in: [long_metrage, court_metrage]}", {"work.type": "court_metrage"}, "met"),
        ("{fact: work.type, not_in: [film_publicitaire]}", {"work.type": "film_publicitaire"}, "not_met"),
        ("{fact: work.regions, contains: corse}", {"work.regions": ["corse"]}, "met"),
        ("{fact: work.regions, contains: corse}", {"work.regions": []}, "not_met"),
        ("{fact: work.type, known: true}", {}, "not_met"),
        ("{fact: dates.first_shooting_day, gte: 2025-02-01}", {"dates.first_shooting_day": "2025-02-01"}, "met"),
        ("{fact: dates.wrap, lte: {fact: dates.first_shooting_day, plus_days: 15}}",
         {"dates.first_shooting_day": "2025-03-01", "dates.wrap": "2025-03-16"}, "met"),
        ("{fact: dates.wrap, lte: {fact: dates.first_shooting_day, plus_days: 15}}",
         {"dates.first_shooting_day": "2025-03-01", "dates.wrap": "2025-03-17"}, "not_met"),
        ("{fact: dates.wrap, lte: {fact: dates.first_shooting_day, plus_days: 15}}", {"dates.wrap": "2025-03-17"},
         "unknown"),
        ("{fact: dates.first_shooting_day, lte: {as_of: 0}}", {"dates.first_shooting_day": "2025-06-01"}, "met"),
        ("{fact: dates.first_shooting_day, lte: {as_of: -1}}", {"dates.first_shooting_day": "2025-06-01"}, "not_met"),
        ("{ratio: [team.women, team.total], gte: 0.4}", {"team.women": 4, "team.total": 10}, "met"),
        ("{ratio: [team.women, team.total], gte: 0.4}", {"team.women": 39, "team.total": 100}, "not_met"),
        ("{ratio: [team.women, team.total], gte: 0.4}", {"team.women": 0, "team.total": 0}, "not_met"),
        ("{ratio: [team.women, team.total], gte: 0.4}", {"team.total": 10}, "unknown"),
    ],
)
def test_fact_tests(requires, facts, expected):
    assert status_of(requires, facts)[0] == expected


# Kleene truth tables: false and unknown = false; true or unknown = true; not unknown = unknown.
T, F, U = "{fact: work.live_action}", "{fact: company.headcount, gte: 100}", "{fact: work.type, eq: long_metrage}"
FACTS_TFU = {"work.live_action": True, "company.headcount": 5}


@pytest.mark.parametrize(
    ("requires", "expected"),
    [
        (f"{{all: [{F}, {U}]}}", "not_met"),
        (f"{{all: [{T}, {U}]}}", "unknown"),
        (f"{{all: [{T}, {T}]}}", "met"),
        (f"{{any: [{T}, {U}]}}", "met"),
        (f"{{any: [{F}, {U}]}}", "unknown"),
        (f"{{any: [{F}, {F}]}}", "not_met"),
        (f"{{not: {U}}}", "unknown"),
        (f"{{not: {F}}}", "met"),
        (f"{{all: [{T}, {{any: [{F}, {{not: {U}}}]}}]}}", "unknown"),
    ],
)
def test_kleene(requires, expected):
    assert status_of(requires, FACTS_TFU)[0] == expected


def test_missing_fact_is_unknown_never_false_and_explained():
    status, ev = status_of("{fact: company.headcount, gte: 11}", {})
    assert status == "unknown"
    trace = ev.explain("T-01")["requires"]
    assert trace == {"op": "fact", "value": "unknown", "fact": "company.headcount", "test": "gte", "seen": None,
                     "expected": 11, "missing_fact": "company.headcount"}


EVIDENCE = {"crit_extra": {"evidence": ["duerp"]}}


def test_evidence_valid_expired_rejected_future():
    req = "{evidence: duerp}"
    ok = [{"id": "E1", "kind": "duerp", "collected": "2025-01-01", "expires": "2025-12-31"}]
    assert status_of(req, evidence=ok, **EVIDENCE)[0] == "met"
    expired = [{"id": "E1", "kind": "duerp", "collected": "2024-01-01", "expires": "2025-05-31"}]
    status, ev = status_of(req, evidence=expired, **EVIDENCE)
    assert status == "unknown"
    assert ev.explain("T-01")["requires"]["items"][0]["state"] == "expired"
    rejected = [{"id": "E1", "kind": "duerp", "auditor": {"status": "rejected", "reason": "illisible"}}]
    assert status_of(req, evidence=rejected, **EVIDENCE)[0] == "unknown"
    future = [{"id": "E1", "kind": "duerp", "collected": "2025-07-01"}]
    assert status_of(req, evidence=future, **EVIDENCE)[0] == "unknown"
    assert status_of(req, evidence=[], **EVIDENCE)[0] == "unknown"


def test_evidence_for_another_criterion_does_not_count():
    lib = library_of(ruleset_yaml("r", "{kind: obligations}", [
        criterion("T-01", "{evidence: duerp}", evidence=["duerp"]),
        criterion("T-02", "{evidence: duerp}", evidence=["duerp"]),
    ]))
    dossier = dossier_of(lib, evidence=[{"id": "E1", "kind": "duerp", "criteria": ["T-02"]}])
    ev = evaluate(lib, dossier, DAY)
    assert (ev.status("T-01"), ev.status("T-02")) == ("unknown", "met")


def test_evidence_max_age():
    req = "{evidence: duerp, max_age_days: 365}"
    fresh = [{"id": "E1", "kind": "duerp", "collected": "2024-06-02"}]
    old = [{"id": "E1", "kind": "duerp", "collected": "2024-05-31"}]
    undated = [{"id": "E1", "kind": "duerp"}]
    assert status_of(req, evidence=fresh, **EVIDENCE)[0] == "met"
    assert status_of(req, evidence=old, **EVIDENCE)[0] == "unknown"
    assert status_of(req, evidence=undated, **EVIDENCE)[0] == "unknown"


def test_evidence_counted_per_person():
    """One item per person (`count_gte`): too few valid items is unknown, never false."""
    per_child = "{evidence: duerp, count_gte: {fact: team.women}}"
    two = [{"id": f"E{i}", "kind": "duerp", "collected": "2025-01-01"} for i in (1, 2)]
    expired = [{"id": "E3", "kind": "duerp", "collected": "2024-01-01", "expires": "2025-05-31"}]
    assert status_of(per_child, {"team.women": 2}, two, crit_extra={"evidence": ["duerp"]})[0] == "met"
    status, ev = status_of(per_child, {"team.women": 3}, two + expired, crit_extra={"evidence": ["duerp"]})
    assert status == "unknown"  # the expired item does not count: 2 of 3
    trace = ev.explain("T-01")["requires"]
    assert (trace["count"], trace["count_gte"], trace["count_fact"]) == (2, 3, "team.women")
    assert trace["missing_evidence"] == "duerp"
    status, ev = status_of(per_child, {}, two, crit_extra={"evidence": ["duerp"]})
    assert status == "unknown" and ev.explain("T-01")["requires"]["missing_fact"] == "team.women"
    assert status_of(per_child, {"team.women": 0}, [], crit_extra={"evidence": ["duerp"]})[0] == "met"  # nobody
    literal = "{evidence: duerp, count_gte: 2, max_age_days: 365}"
    fresh_and_old = [two[0], {"id": "E4", "kind": "duerp", "collected": "2024-05-31"}]
    assert status_of(literal, evidence=two, crit_extra={"evidence": ["duerp"]})[0] == "met"
    assert status_of(literal, evidence=fresh_and_old, crit_extra={"evidence": ["duerp"]})[0] == "unknown"


@pytest.mark.parametrize(
    ("count", "message"),
    [("{fact: work.type}", "count_gte needs an integer fact"), ("{fact: team.nobody}", "unknown fact 'team.nobody'"),
     ("-1", "whole number of items"), ("true", "whole number of items"), ("{fact: team.women, gte: 2}", "whole number")],
)
def test_evidence_count_is_checked_at_load(count, message):
    requires = f"{{evidence: duerp, count_gte: {count}}}"
    with pytest.raises(InputError) as info:
        library_of(ruleset_yaml("r", "{kind: obligations}", [criterion("T-01", requires, evidence=["duerp"])]))
    assert message in str(info.value) and str(info.value).startswith("ruleset0.yaml:")


def test_criterion_references_and_order():
    lib = library_of(ruleset_yaml("r", "{kind: obligations}", [
        criterion("T-02", "{criterion: T-01}"),
        criterion("T-01", "{fact: work.live_action}"),
        criterion("T-03", "{criterion: T-04}"),
        criterion("T-04", "{fact: work.live_action}", applies_if="{fact: company.headcount, gte: 50}"),
    ]))
    ev = evaluate(lib, dossier_of(lib, {"work.live_action": True, "company.headcount": 3}), DAY)
    assert ev.status("T-02") == "met"
    assert ev.status("T-04") == "not_applicable"
    assert ev.status("T-03") == "met"  # a non-applicable requirement does not bind


def test_outcome_reference_across_rulesets_uses_ranges():
    two_levels = "{kind: levels, levels: [{level: 1, title: {fr: a, en: a}}, {level: 2, title: {fr: b, en: b}}]}"
    levels = ruleset_yaml("lv", two_levels, [
        criterion("L-01", "{fact: work.live_action}", level=1),
        criterion("L-02", "{fact: company.headcount, gte: 10}", level=2),
    ])
    aid = ruleset_yaml("aid", "{kind: eligibility, schemes: [{id: prime, title: {fr: Prime, en: Bonus}, "
                       "source: {document: src, section: x}, provenance: reconstructed, amount: {value: 28000}}]}",
                       [criterion("A-01", "{outcome: lv.level, gte: 2}", scheme="prime")])
    lib = library_of(levels, aid)
    assert list(lib.rulesets) == ["lv", "aid"]

    def decision(facts):
        ev = evaluate(lib, dossier_of(lib, facts), DAY, ["aid"])
        return ev.outcome("lv")["level"], ev.outcome("aid")["schemes"]["prime"]["decision"]

    assert decision({"work.live_action": True, "company.headcount": 12}) == ((2, 2), "eligible")
    assert decision({"work.live_action": True}) == ((1, 2), "undetermined")
    assert decision({"work.live_action": True, "company.headcount": 3}) == ((1, 1), "not_eligible")


@pytest.mark.parametrize(
    ("requires", "message"),
    [
        ("{fact: company.headcunt, gte: 3}", "unknown fact 'company.headcunt'"),
        ("{fact: work.type, eq: serie}", "'serie' is not one of the values"),
        ("{fact: work.type, gte: 3}", "`gte` needs a number or a date"),
        ("{fact: company.headcount, eq: 'douze'}", "does not match the type"),
        ("{fact: dates.wrap, gte: 2025-13-01}", "month must be in 1..12"),
        ("{fact: dates.wrap, gte: 'le 3 mars'}", "is not a date"),
        ("{fact: company.headcount}", "not boolean"),
        ("{fact: company.headcount, gte: 1, lte: 3}", "one test per condition"),
        ("{criterion: T-99}", "unknown criterion 'T-99'"),
        ("{outcome: nope.level, gte: 2}", "unknown ruleset 'nope'"),
        ("{evidence: duerp}", "without describing it under `evidence`"),
        ("{python: '__import__(\"os\")'}", "unknown condition form"),
        ("{all: []}", "non-empty list"),
    ],
)
def test_static_checks_reject_bad_conditions_with_location(requires, message):
    with pytest.raises(InputError) as info:
        library_of(ruleset_yaml("r", "{kind: obligations}", [criterion("T-01", requires)]))
    assert message in str(info.value)
    assert str(info.value).startswith("ruleset0.yaml:")  # located: file:line:col


def test_cycle_between_criteria_is_refused():
    with pytest.raises(InputError, match="cycle"):
        library_of(ruleset_yaml("r", "{kind: obligations}", [
            criterion("T-01", "{criterion: T-02}"), criterion("T-02", "{criterion: T-01}")]))


def test_dates_out_of_order_and_totals_are_checked():
    with pytest.raises(InputError, match="valid_from 2025-02-01 is after valid_until 2025-01-01"):
        library_of(ruleset_yaml("r", "{kind: obligations}", [
            criterion("T-01", "{fact: work.live_action}", valid_from="2025-02-01", valid_until="2025-01-01")]))
    with pytest.raises(InputError, match="totals say 3 criteria, the file has 1"):
        library_of(ruleset_yaml("r", "{kind: obligations}", [criterion("T-01", "{fact: work.live_action}")],
                                extra="totals: {criteria: 3}"))


def test_missing_source_or_provenance_fails_loading():
    text = ruleset_yaml("r", "{kind: obligations}", [criterion("T-01", "{fact: work.live_action}")])
    with pytest.raises(InputError, match="provenance: required key is missing"):
        library_of(text.replace("  provenance: reconstructed\n", ""))
    with pytest.raises(InputError, match="source: required key is missing"):
        library_of(text.replace("  source: {document: src, section: '§1'}\n", ""))


def test_criterion_outside_its_dates_is_not_applicable():
    lib = library_of(ruleset_yaml("r", "{kind: obligations}", [
        criterion("T-01", "{fact: work.live_action}", valid_from="2025-02-01")]))
    dossier = dossier_of(lib, {"work.live_action": False})
    assert evaluate(lib, dossier, dt.date(2025, 1, 31)).status("T-01") == "not_applicable"
    assert evaluate(lib, dossier, dt.date(2025, 2, 1)).status("T-01") == "not_met"


def test_as_of_gate():
    req = "{any: [{as_of: {gte: 2024-11-01}}, {all: [{fact: work.live_action}, {as_of: {gte: 2024-06-01}}]}]}"
    assert status_of(req, {"work.live_action": True}, as_of=dt.date(2024, 7, 1))[0] == "met"
    assert status_of(req, {"work.live_action": False}, as_of=dt.date(2024, 7, 1))[0] == "not_met"
    assert status_of(req, {}, as_of=dt.date(2024, 11, 1))[0] == "met"


def test_an_evidence_stage_must_be_one_of_the_ruleset_stages():
    crit = criterion("T-01", "{evidence: duerp}").replace(
        "  requires:", "  evidence:\n    - {kind: duerp, description: {fr: 'pièce', en: 'doc'}, stage: tournage}\n  requires:")
    with pytest.raises(InputError) as info:
        stages = "stages:\n  - {id: preparation, title: {fr: P, en: P}}"
        library_of(ruleset_yaml("r", "{kind: obligations}", [crit], extra=stages))
    assert "unknown stage 'tournage'" in str(info.value) and "stages: preparation" in str(info.value)
    assert str(info.value).startswith("ruleset0.yaml:")
