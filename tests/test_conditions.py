"""The condition language: Kleene logic, comparisons, evidence validity, references."""

from __future__ import annotations

import datetime as dt

import pytest

from raccord.engine import InputError, evaluate
from raccord.engine import conditions as cn

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


# --- the parser's checks, each with where it points (the path below the condition) ----------------

D = dt.date(2025, 1, 2)
BAD_CONDITIONS = [
    ([], (), "a condition must be a mapping", ""),
    ({}, (), "a condition must be a mapping", ""),
    ({"all": []}, ("all",), "`all` takes a non-empty list of conditions", ""),
    ({"any": "b"}, ("any",), "`any` takes a non-empty list of conditions", ""),
    ({"all": [{"fact": "b"}], "x": 1}, ("x",), "unexpected key 'x' in this condition", ""),
    ({"not": {"fact": "b"}, "y": 1}, ("y",), "unexpected key 'y'", ""),
    ({"any": [{"fact": "b"}, {"not": {"fact": "bb"}}]}, ("any", 1, "not", "fact"), "unknown fact 'bb'",
     "did you mean 'b'?"),
    ({"fact": "zzzz"}, ("fact",), "unknown fact 'zzzz'", "declare it in facts.yaml or the ruleset's facts"),
    ({"evidence": ""}, ("evidence",), "`evidence` names an evidence kind", ""),
    ({"evidence": 3}, ("evidence",), "`evidence` names an evidence kind", ""),
    ({"evidence": "k1", "max_age_days": -1}, ("max_age_days",), "max_age_days is a whole number of days", ""),
    ({"evidence": "k1", "max_age_days": True}, ("max_age_days",), "max_age_days is a whole number", ""),
    ({"evidence": "k1", "max_age_days": 1.5}, ("max_age_days",), "max_age_days is a whole number", ""),
    ({"evidence": "k1", "count_gte": {"fact": "k"}}, ("count_gte", "fact"), "count_gte needs an integer fact, 'k' is enum", ""),
    ({"evidence": "k1", "count_gte": {"fact": "jj"}}, ("count_gte", "fact"), "unknown fact 'jj'", "did you mean 'j'?"),
    ({"evidence": "k1", "count_gte": {"fact": 3}}, ("count_gte", "fact"), "unknown fact '3'", ""),
    ({"evidence": "k1", "count_gte": -1}, ("count_gte",), "count_gte is a whole number of items or {fact: NAME}", ""),
    ({"evidence": "k1", "count_gte": {"fact": "i", "x": 1}}, ("count_gte",), "count_gte is a whole number", ""),
    ({"evidence": "k1", "kind": "x"}, ("kind",), "unexpected key 'kind'", ""),
    ({"criterion": "C-9"}, ("criterion",), "unknown criterion 'C-9'", "did you mean 'C-"),
    ({"criterion": "C-1", "status": "done"}, ("status",), "unknown status 'done'",
     "one of met, not_met, unknown, not_applicable"),
    ({"criterion": "C-1", "want": "met"}, ("want",), "unexpected key 'want'", ""),
    ({"as_of": {"gte": "2024"}}, ("as_of", "gte"), "'2024' is not a date", "dates are written YYYY-MM-DD"),
    ({"as_of": {"gte": D, "lt": D}}, ("as_of",), "as_of takes one comparison", ""),
    ({"as_of": {"in": D}}, ("as_of",), "as_of takes one comparison", ""),
    ({"as_of": D}, ("as_of",), "as_of takes one comparison", ""),
    ({"as_of": {"gte": D}, "x": 1}, ("x",), "unexpected key 'x'", ""),
    ({"foo": 1, "bar": 2}, (), "unknown condition form with keys ['bar', 'foo']",
     "use all, any, not, fact, ratio, evidence, criterion, outcome, as_of, every or count"),
    ({"fact": "i", "gte": 1, "lte": 2}, (), "one test per condition, found ['gte', 'lte']", "combine tests with `all`"),
    ({"fact": "i", "zz": 1}, ("zz",), "unknown test 'zz'", "one of contains, eq, gt, gte, in, known, lt, lte, ne, not_in"),
    ({"fact": "i"}, (), "fact 'i' is integer, not boolean: add a test such as eq or gte", ""),
    ({"fact": "i", "known": 1}, ("known",), "`known` takes true or false", ""),
    ({"fact": "k", "in": []}, ("in",), "`in` takes a non-empty list", ""),
    ({"fact": "k", "not_in": "a"}, ("not_in",), "`not_in` takes a non-empty list", ""),
    ({"fact": "s", "in": ["a"]}, ("in",), "fact 's' is a set: use `contains`", ""),
    ({"fact": "i", "contains": 1}, ("contains",), "`contains` applies to set facts; 'i' is integer", ""),
    ({"fact": "s", "contains": "z"}, ("contains",), "'z' is not one of the values of this fact", "allowed: a, b, c"),
    ({"fact": "s", "eq": "a"}, ("eq",), "fact 's' is a set: use `contains`", ""),
    ({"fact": "k", "gt": "a"}, ("gt",), "`gt` needs a number or a date; 'k' is enum", ""),
    ({"fact": "b", "lte": True}, ("lte",), "`lte` needs a number or a date; 'b' is boolean", ""),
    ({"fact": "t", "lt": "x"}, ("lt",), "`lt` needs a number or a date; 't' is string", ""),
    ({"fact": "d", "gte": {"fact": "e", "plus_days": "x"}}, ("gte", "plus_days"), "plus_days is a whole number of days", ""),
    ({"fact": "d", "gte": {"fact": "e", "plus_days": True}}, ("gte", "plus_days"), "plus_days is a whole number", ""),
    ({"fact": "d", "gte": {"as_of": "x"}}, ("gte", "as_of"), "as_of takes a whole number of days", ""),
    ({"fact": "d", "gte": {"as_of": False}}, ("gte", "as_of"), "as_of takes a whole number of days", ""),
    ({"fact": "i", "gte": {"as_of": 0}}, ("gte",), "only date facts compare with the evaluation date", ""),
    ({"fact": "d", "gte": {"as_of": 0, "x": 1}}, ("gte", "x"), "unexpected key 'x'", ""),
    ({"fact": "d", "gte": {"fact": "i"}}, ("gte",), "cannot compare a date fact with a integer fact", ""),
    ({"fact": "d", "gte": {"fact": "nope"}}, ("gte", "fact"), "unknown fact 'nope'", ""),
    ({"fact": "i", "gte": {"fact": "j", "plus_days": 2}}, ("gte", "plus_days"), "plus_days applies to date facts", ""),
    ({"fact": "d", "gte": {"fact": "e", "y": 1}}, ("gte", "y"), "unexpected key 'y'", ""),
    ({"fact": "d", "gte": {"zz": 1}}, ("gte",), "a value is a literal, {fact: NAME, plus_days: N} or {as_of: N}", ""),
    ({"fact": "i", "eq": "x"}, ("eq",), "'x' does not match the type of this fact (integer)", ""),
    ({"fact": "i", "eq": True}, ("eq",), "True does not match the type of this fact (integer)", ""),
    ({"fact": "b", "eq": 1}, ("eq",), "1 does not match the type of this fact (boolean)", ""),
    ({"fact": "t", "eq": 1}, ("eq",), "1 does not match the type of this fact (string)", ""),
    ({"fact": "d", "eq": "nope"}, ("eq",), "'nope' is not a date", "dates are written YYYY-MM-DD"),
    ({"fact": "k", "eq": "z"}, ("eq",), "'z' is not one of the values of this fact", "allowed: a, b, c"),
    ({"fact": "k", "in": ["a", "z"]}, ("in", 1), "'z' is not one of the values", ""),
    ({"ratio": ["i"], "gte": 1}, ("ratio",), "ratio takes [NUMERATOR_FACT, DENOMINATOR_FACT]", ""),
    ({"ratio": "i", "gte": 1}, ("ratio",), "ratio takes [NUMERATOR_FACT, DENOMINATOR_FACT]", ""),
    ({"ratio": ["i", "k"], "gte": 1}, ("ratio", 1), "ratio needs numeric facts; 'k' is enum", ""),
    ({"ratio": ["d", "i"], "gte": 1}, ("ratio", 0), "ratio needs numeric facts; 'd' is date", ""),
    ({"ratio": ["i", "zz"], "gte": 1}, ("ratio", 1), "unknown fact 'zz'", ""),
    ({"ratio": ["i", "j"]}, (), "ratio needs a numeric test such as gte: 0.4", ""),
    ({"ratio": ["i", "j"], "gte": "x"}, (), "ratio needs a numeric test", ""),
    ({"ratio": ["i", "j"], "gte": True}, (), "ratio needs a numeric test", ""),
    ({"ratio": ["i", "j"], "in": [1]}, ("in",), "unknown test 'in'", "one of eq, gt, gte, lt, lte, ne"),
    ({"outcome": "lvlevel", "gte": 1}, ("outcome",), "outcome is written RULESET.FIELD", ""),
    ({"outcome": 3, "gte": 1}, ("outcome",), "outcome is written RULESET.FIELD", ""),
    ({"outcome": "lvx.level", "gte": 1}, ("outcome",), "unknown ruleset 'lvx'", "did you mean 'lv'?"),
    ({"outcome": "lv.nope", "gte": 1}, ("outcome",), "ruleset 'lv' has no outcome 'nope'", "available: decision, level"),
    ({"outcome": "lv.level"}, (), "an outcome condition needs a test such as gte: 2 or eq: eligible", ""),
    ({"outcome": "lv.level", "in": []}, ("in",), "`in` takes a non-empty list", ""),
    ({"outcome": "lv.level", "not_in": 2}, ("not_in",), "`not_in` takes a non-empty list", ""),
    ({"outcome": "lv.level", "gte": "x"}, ("gte",), "'lv.level' is numeric; compare it with a number", ""),
    ({"outcome": "lv.level", "in": [1, True]}, ("in",), "'lv.level' is numeric", ""),
    ({"outcome": "lv.decision", "eq": "maybe"}, ("eq",), "'maybe' is not a decision", "one of eligible, not_eligible"),
    ({"outcome": "lv.decision", "gt": "eligible"}, ("gt",), "decisions compare with eq, ne, in or not_in", ""),
    ({"outcome": "lv.level", "zz": 1}, ("zz",), "unknown test 'zz'", "one of eq, gt, gte, in, lt, lte, ne, not_in"),
]


def located_env(criterion: str | None = "C-1"):
    from .test_codegen import CATALOGUE, CRITERIA, OUTCOME_FIELDS

    return cn.Env(CATALOGUE, CRITERIA, OUTCOME_FIELDS, lambda path: "/".join(map(str, ("at",) + path)), criterion)


@pytest.mark.parametrize(("raw", "where", "message", "hint"), BAD_CONDITIONS)
def test_each_parse_error_says_what_and_where(raw, where, message, hint):
    with pytest.raises(InputError) as info:
        cn.parse(raw, located_env(), ("at",)[1:])
    error = info.value
    assert error.where == "/".join(map(str, ("at",) + where))
    assert error.message.startswith(message), error.message
    if hint:
        assert error.hint.startswith(hint), error.hint


def test_evidence_outside_a_criterion_is_refused():
    with pytest.raises(InputError) as info:
        cn.parse({"evidence": "k1"}, located_env(None), ("policy",))
    assert info.value.where == "at/policy" and "belong in a criterion's `requires` or `applies_if`" in info.value.message


def test_parsed_nodes_hold_the_checked_values():
    env = located_env()
    assert cn.parse({"fact": "k", "in": ["a", "b"]}, env, ()) == cn.FactTest("k", "in", cn.Literal(("a", "b")))
    assert cn.parse({"fact": "d", "eq": "2025-01-02"}, env, ()) == cn.FactTest("d", "eq", cn.Literal(D))
    assert cn.parse({"fact": "d", "lt": {"fact": "e", "plus_days": -2}}, env, ()) == cn.FactTest(
        "d", "lt", cn.FactValue("e", -2))
    assert cn.parse({"fact": "d", "lt": {"as_of": 3}}, env, ()) == cn.FactTest("d", "lt", cn.AsOfValue(3))
    assert cn.parse({"fact": "n", "gte": {"fact": "i"}}, env, ()) == cn.FactTest("n", "gte", cn.FactValue("i"))
    assert cn.parse({"fact": "b"}, env, ()) == cn.FactTest("b", "is_true")
    assert cn.parse({"fact": "s", "known": False}, env, ()) == cn.FactTest("s", "known", cn.Literal(False))
    assert cn.parse({"ratio": ["i", "j"], "gt": 1}, env, ()) == cn.RatioTest("i", "j", "gt", 1.0)
    assert cn.parse({"evidence": "k1", "max_age_days": 0, "count_gte": 2}, env, ()) == cn.EvidenceTest(
        "k1", "C-1", 0, 2, None)
    assert cn.parse({"evidence": "k1", "count_gte": {"fact": "i"}}, env, ()) == cn.EvidenceTest("k1", "C-1", None, None, "i")
    assert cn.parse({"criterion": "C-2", "status": "unknown"}, env, ()) == cn.CriterionTest("C-2", "unknown")
    assert cn.parse({"outcome": "lv.level", "not_in": [1, 2]}, env, ()) == cn.OutcomeTest("lv", "level", "not_in", (1, 2))
    assert cn.parse({"outcome": "sc.score", "gte": 0.5}, env, ()) == cn.OutcomeTest("sc", "score", "gte", 0.5)
    assert cn.parse({"as_of": {"lt": D}}, env, ()) == cn.AsOfTest("lt", D)
    assert cn.parse({"not": {"all": [{"fact": "b"}]}}, env, ()) == cn.Not(cn.All((cn.FactTest("b", "is_true"),)))
    tree = cn.parse({"any": [{"fact": "i", "gte": {"fact": "j"}}, {"ratio": ["i", "j"], "gte": 1},
                             {"evidence": "k1", "count_gte": {"fact": "n"}}, {"criterion": "X-1"},
                             {"outcome": "lv.level", "gte": 1}]}, cn.Env(located_env().facts | {"n": located_env().facts["i"]},
                                                                     CRITERIA_ANY, located_env().outcome_fields,
                                                                     str, "C-1"), ())
    assert cn.references(tree) == ({"i", "j", "n"}, {"X-1"}, {"lv"})
    assert cn.evidence_kinds(tree) == ["k1"]


CRITERIA_ANY = {"C-1": "r", "X-1": "x"}


# --- outcome comparisons (docs/ruleset-format.md §6), each branch ---------------------------------

T3, F3, U3 = 2, 0, 1


@pytest.mark.parametrize(("value", "op", "target", "expected"), [
    ((1, 2), "in", (1, 2), T3), ((1, 2), "not_in", (1, 2), F3),  # every level the range can take is in the set
    ((1, 2), "in", (2, 3), U3), ((1, 2), "not_in", (2,), U3),  # partly
    ((1, 2), "in", (3, 4), F3), ((1, 2), "not_in", (0, 3), T3),  # none
    ((2, 2), "in", (2,), T3), ((2, 2), "in", (2.5,), F3), ((0, 1), "in", (0.5, 1), U3),
    ((0, 28000), "in", (28000,), U3), ((0, 28000), "not_in", (-1,), T3),  # a wide range (an amount) is not enumerated
    ((0.5, 0.5), "in", (0.5,), T3), ((0.25, 0.75), "in", (0.5,), U3), ((0.25, 0.75), "in", (0.9,), F3),
    ((0.25, 0.75), "not_in", (0.9,), T3), ((0.25, 0.75), "in", (0.25, 0.75), U3),  # reals between the bounds
    ((1, 2), "eq", 1, U3), ((1, 1), "eq", 1, T3), ((1, 1), "ne", 1, F3), ((0, 1), "eq", 0.5, F3), ((0, 1), "ne", 0.5, T3),
    ((1, 2), "eq", 3, F3), ((1, 2), "ne", 3, T3), ((0.5, 1.5), "eq", 1.0, U3),
    ((1, 2), "gte", 1, T3), ((1, 2), "gte", 2, U3), ((1, 2), "gte", 3, F3), ((1, 2), "lt", 3, T3), ((1, 2), "lt", 2, U3),
    ((1, 2), "gt", 2, F3), ((1, 2), "lte", 0, F3), ((1, 2), "lte", 2, T3),
    (None, "gte", 1, F3), (None, "ne", 1, F3), (None, "not_in", ("eligible",), F3), (None, "eq", "eligible", F3),
    ("eligible", "eq", "eligible", T3), ("eligible", "ne", "eligible", F3), ("not_eligible", "eq", "eligible", F3),
    ("eligible", "in", ("eligible", "compliant"), T3), ("not_eligible", "not_in", ("eligible",), T3),
    ("undetermined", "eq", "eligible", U3), ("undetermined", "ne", "eligible", U3),
    ("undetermined", "in", ("eligible",), U3), ("undetermined", "not_in", ("eligible",), U3),
    ("undetermined", "eq", "undetermined", T3), ("undetermined", "ne", "undetermined", F3),
    ("undetermined", "in", ("undetermined", "eligible"), T3), ("undetermined", "not_in", ("undetermined",), F3),
    ("eligible", "eq", "undetermined", F3),
])
def test_outcome_comparisons(value, op, target, expected):
    assert cn.compare_outcome(value, op, target) == expected


# --- what explanations show, form by form ----------------------------------------------------------


def explained(raw: dict, facts=None, evidence=(), statuses=None, outcomes=None, integrity=None, as_of=D):
    from . import reference_interpreter as ref
    from .test_codegen import context

    evidence = [{"criteria": [], "collected": None, "expires": None, "auditor": {"status": "pending"}} | e for e in evidence]
    world = ref.World(facts or {}, as_of, evidence, statuses or {}, outcomes or {}, integrity or {})
    return cn.parse(raw, located_env(), ()).explain(context(world))


def test_fact_explanations():
    assert explained({"fact": "i", "gte": 2}, {"i": 1}) == {"op": "fact", "value": "false", "fact": "i", "test": "gte",
                                                           "seen": 1, "expected": 2}
    assert explained({"fact": "s", "contains": "a"}, {"s": frozenset("ba")})["seen"] == ["a", "b"]
    assert explained({"fact": "k", "in": ["b", "a"]}, {})["expected"] == ["b", "a"]
    assert explained({"fact": "b"}, {}) == {"op": "fact", "value": "unknown", "fact": "b", "test": "is_true", "seen": None,
                                            "missing_fact": "b"}
    assert explained({"fact": "b", "known": True}, {"b": False}) == {"op": "fact", "value": "true", "fact": "b",
                                                                    "test": "known", "seen": False}
    assert explained({"fact": "b", "known": False}, {}) == {"op": "fact", "value": "true", "fact": "b", "test": "known",
                                                           "seen": None}
    shifted = explained({"fact": "d", "lte": {"fact": "e", "plus_days": 2}}, {"d": D, "e": D})
    assert (shifted["value"], shifted["expected"], shifted["expected_value"]) == (
        "true", {"fact": "e", "plus_days": 2}, "2025-01-04")
    plain = explained({"fact": "i", "lt": {"fact": "j"}}, {"i": 3, "j": 3})
    assert (plain["value"], plain["expected"], plain["expected_value"]) == ("false", {"fact": "j"}, 3)
    assert explained({"fact": "d", "gte": {"as_of": -1}}, {"d": D})["expected_value"] == "2025-01-01"
    today = explained({"fact": "d", "gte": {"as_of": 0}}, {})
    assert (today["expected"], today["expected_value"], today["missing_fact"]) == ({"as_of": 0}, "2025-01-02", "d")


def test_ratio_explanations():
    assert explained({"ratio": ["i", "j"], "gte": 0.4}, {"i": 1, "j": 3}) == {
        "op": "ratio", "value": "false", "numerator": {"fact": "i", "seen": 1}, "denominator": {"fact": "j", "seen": 3},
        "test": "gte", "expected": 0.4, "ratio": 0.333333}
    zero = explained({"ratio": ["i", "j"], "gte": 0.4}, {"i": 1, "j": 0})
    assert (zero["value"], zero["note"], "ratio" in zero) == ("false", "zero_denominator", False)
    missing = explained({"ratio": ["i", "j"], "lt": 1}, {"j": 2})
    assert (missing["value"], missing["missing_facts"], "ratio" in missing, "note" in missing) == (
        "unknown", ["i"], False, False)
    assert explained({"ratio": ["i", "j"], "lt": 1}, {})["missing_facts"] == ["i", "j"]


def test_evidence_explanations():
    items = [{"id": "E2", "kind": "k1", "collected": dt.date(2024, 12, 1)}, {"id": "E1", "kind": "k1", "criteria": ["C-2"]},
             {"id": "E3", "kind": "k1", "expires": dt.date(2025, 1, 1)}, {"id": "E4", "kind": "k2"}]
    aged = explained({"evidence": "k1", "max_age_days": 10}, evidence=items)
    assert aged == {"op": "evidence", "value": "unknown", "kind": "k1", "items": [
        {"id": "E2", "state": "too_old", "collected": "2024-12-01", "expires": None},
        {"id": "E3", "state": "expired", "collected": None, "expires": "2025-01-01"}],
        "max_age_days": 10, "missing_evidence": "k1"}
    plain = explained({"evidence": "k1"}, evidence=items)
    assert plain["value"] == "true" and "missing_evidence" not in plain and "max_age_days" not in plain
    assert [i["state"] for i in plain["items"]] == ["valid", "expired"]
    counted = explained({"evidence": "k1", "count_gte": {"fact": "i"}}, {"i": 2}, items)
    assert (counted["count"], counted["count_gte"], counted["count_fact"], "missing_fact" in counted) == (1, 2, "i", False)
    unknown = explained({"evidence": "k1", "count_gte": {"fact": "i"}}, {}, items)
    assert (unknown["count_gte"], unknown["missing_fact"], unknown["missing_evidence"]) == (None, "i", "k1")
    fixed = explained({"evidence": "k2", "count_gte": 1}, evidence=items, integrity={"E4": "modified"})
    assert (fixed["value"], fixed["count"], fixed["count_gte"], "count_fact" in fixed) == ("unknown", 0, 1, False)
    assert fixed["items"][0]["state"] == "modified"


def test_reference_explanations():
    assert explained({"criterion": "C-2"}, statuses={"C-2": "not_applicable"}) == {
        "op": "criterion", "value": "true", "criterion": "C-2", "seen": "not_applicable"}
    assert explained({"criterion": "C-2", "status": "met"}, statuses={"C-2": "not_applicable"}) == {
        "op": "criterion", "value": "false", "criterion": "C-2", "seen": "not_applicable", "expected": "met"}
    assert explained({"criterion": "C-2"})["value"] == "unknown"  # not evaluated yet
    assert explained({"outcome": "lv.level", "in": [1, 2]}, outcomes={"lv": {"level": (1, 2)}}) == {
        "op": "outcome", "value": "true", "outcome": "lv.level", "test": "in", "expected": [1, 2], "seen": [1, 2]}
    assert explained({"outcome": "lv.level", "gte": 1}) == {
        "op": "outcome", "value": "unknown", "outcome": "lv.level", "test": "gte", "expected": 1, "seen": None}
    assert explained({"outcome": "lv.level", "gte": 1}, outcomes={"lv": {"level": None}})["value"] == "false"
    assert explained({"as_of": {"gt": D}}, as_of=dt.date(2025, 1, 3)) == {
        "op": "as_of", "value": "true", "test": "gt", "expected": "2025-01-02", "seen": "2025-01-03"}
    combined = explained({"any": [{"fact": "b"}, {"not": {"fact": "b", "known": True}}]}, {"b": False})
    assert combined == {"op": "any", "value": "false", "children": [
        {"op": "fact", "value": "false", "fact": "b", "test": "is_true", "seen": False},
        {"op": "not", "value": "false", "children": [
            {"op": "fact", "value": "true", "fact": "b", "test": "known", "seen": False}]}]}
