"""What conditions mean (format doc §6), and explanations that never contradict the status.

The oracle here is the doc's wording, not the engine's formula: `all` is false if any part is
false, else unknown if any is unknown, else true; a range outcome passes a test when the whole
range passes, fails when none of it does, and is unknown otherwise.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from raccord.engine import evaluate, tri
from raccord.engine.conditions import compare_outcome

from .support import FACTS, criterion, dossier_of, library_of, ruleset_yaml

T, F, U = tri.TRUE, tri.FALSE, tri.UNKNOWN
BOOLS = {f"a.{c}": {"type": "boolean", "title": {"fr": c, "en": c}} for c in "xyz"}
CATALOGUE = {**FACTS, **BOOLS}
DAY = dt.date(2025, 6, 1)
STATUS = {"true": "met", "false": "not_met", "unknown": "unknown"}
FACT_VALUE = {"true": True, "false": False, "unknown": None}


# --- ranges and decisions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "op", "target", "expected"),
    [
        # a level range (now, at best) against a number: the whole range, none of it, or in between
        ((1, 2), "gte", 1, T), ((1, 2), "gte", 2, U), ((1, 2), "gte", 3, F),
        ((1, 2), "gt", 0, T), ((1, 2), "gt", 1, U), ((1, 2), "gt", 2, F),
        ((1, 2), "lte", 2, T), ((1, 2), "lte", 1, U), ((1, 2), "lte", 0, F),
        ((1, 2), "lt", 3, T), ((1, 2), "lt", 2, U), ((1, 2), "lt", 1, F),
        ((2, 2), "eq", 2, T), ((2, 2), "eq", 1, F), ((2, 2), "ne", 2, F), ((2, 2), "ne", 3, T),
        ((1, 3), "eq", 2, U), ((1, 3), "eq", 1, U), ((1, 3), "eq", 3, U), ((1, 3), "eq", 4, F), ((1, 3), "eq", 0, F),
        ((1, 3), "ne", 2, U), ((1, 3), "ne", 4, T), ((1, 3), "ne", 0, T),
        ((2, 2), "in", (1, 2), T), ((2, 2), "in", (1, 3), F), ((2, 2), "not_in", (1, 3), T), ((2, 2), "not_in", (2,), F),
        ((1, 2), "in", (3, 4), F), ((1, 2), "not_in", (0, 3), T), ((1, 3), "in", (1, 3), U),
        ((1, 2), "in", (2, 5), U), ((1, 2), "not_in", (2, 5), U),
        # a score range against a share
        ((0.5, 0.8), "gte", 0.5, T), ((0.5, 0.8), "gte", 0.6, U), ((0.5, 0.8), "gt", 0.8, F),
        ((0.65, 0.65), "gt", 0.65, F), ((0.65, 0.65), "gte", 0.65, T),
        # a decision; undetermined compares as unknown, except with itself
        ("eligible", "eq", "eligible", T), ("eligible", "ne", "eligible", F), ("not_eligible", "eq", "eligible", F),
        ("not_eligible", "ne", "eligible", T), ("undetermined", "eq", "eligible", U), ("undetermined", "ne", "eligible", U),
        ("undetermined", "eq", "undetermined", T), ("undetermined", "ne", "undetermined", F),
        ("eligible", "in", ("eligible", "compliant"), T), ("not_compliant", "in", ("eligible", "compliant"), F),
        ("eligible", "not_in", ("not_eligible",), T), ("not_eligible", "not_in", ("not_eligible",), F),
        ("undetermined", "in", ("eligible",), U), ("undetermined", "not_in", ("eligible",), U),
        # no outcome (a ruleset that does not apply has no level): the test does not hold
        (None, "gte", 1, F), (None, "eq", "eligible", F), (None, "in", (1, 2), F),
    ],
)
def test_outcome_comparisons(value, op, target, expected):
    assert compare_outcome(value, op, target) == expected


@pytest.mark.parametrize(
    ("value", "op", "target", "expected"),
    [((1, 2), "in", (1, 2), T), ((1, 2), "in", (0, 1, 2, 3), T), ((1, 2), "not_in", (1, 2), F),
     ((0, 3), "not_in", (0, 1, 2, 3), F)],
)
def test_a_level_range_wholly_in_a_set_is_in_it(value, op, target, expected):
    """§6: true when the whole range passes. Levels are whole numbers, so (1, 2) is in [1, 2]."""
    assert compare_outcome(value, op, target) == expected


def two_rulesets(test: str):
    """A levels ruleset `lv` (L-1 at level 1, L-2 at level 2) and `dep`, whose D-1 tests lv's outcome."""
    levels = "{kind: levels, target: 2, levels: [{level: 1, title: {fr: a, en: a}}, {level: 2, title: {fr: b, en: b}}]}"
    lv = ruleset_yaml("lv", levels, [criterion("L-1", "{fact: a.x}", level=1), criterion("L-2", "{fact: a.y}", level=2)])
    dep = ruleset_yaml("dep", "{kind: obligations}", [criterion("D-1", test, mandatory="true")])
    return library_of(lv, dep, facts=CATALOGUE)


@pytest.mark.parametrize(
    ("test", "facts", "expected"),
    [
        ("{outcome: lv.level, gte: 2}", {"a.x": True, "a.y": True}, "met"),
        ("{outcome: lv.level, gte: 2}", {"a.x": True}, "unknown"),
        ("{outcome: lv.level, gte: 2}", {"a.x": True, "a.y": False}, "not_met"),
        ("{outcome: lv.level, eq: 1}", {"a.x": True, "a.y": False}, "met"),
        ("{outcome: lv.level, lt: 1}", {"a.x": False}, "met"),
        ("{outcome: lv.decision, eq: eligible}", {"a.x": True, "a.y": True}, "met"),
        ("{outcome: lv.decision, eq: eligible}", {"a.x": True}, "unknown"),
        ("{outcome: lv.decision, ne: eligible}", {"a.x": False}, "met"),
        ("{outcome: lv.decision, in: [eligible, not_eligible]}", {"a.x": True}, "unknown"),
        ("{outcome: lv.decision, in: [eligible, not_eligible]}", {"a.x": False}, "met"),
        ("{outcome: lv.decision, not_in: [eligible]}", {"a.x": True, "a.y": False}, "met"),
        ("{outcome: lv.project_level, gte: 1}", {"a.x": True}, "met"),
    ],
)
def test_a_condition_on_another_rulesets_outcome(test, facts, expected):
    library = two_rulesets(test)
    evaluation = evaluate(library, dossier_of(library, facts), DAY, ["dep"])
    assert evaluation.status("D-1") == expected
    assert evaluation.explain("D-1")["requires"]["value"] == {"met": "true", "not_met": "false", "unknown": "unknown"}[expected]


# --- Kleene logic, as the doc words it --------------------------------------------------------------


def doc_all(values):
    return "false" if "false" in values else "unknown" if "unknown" in values else "true"


def doc_any(values):
    return "true" if "true" in values else "unknown" if "unknown" in values else "false"


def doc_not(value):
    return {"true": "false", "false": "true", "unknown": "unknown"}[value]


def kleene_library():
    crits = []
    for size in (1, 2, 3):
        parts = ", ".join(f"{{fact: a.{c}}}" for c in "xyz"[:size])
        crits += [criterion(f"ALL-{size}", f"{{all: [{parts}]}}"), criterion(f"ANY-{size}", f"{{any: [{parts}]}}")]
    crits.append(criterion("NOT-1", "{not: {fact: a.x}}"))
    crits.append(criterion("NOT-ALL", "{not: {all: [{fact: a.x}, {not: {fact: a.y}}]}}"))
    return library_of(ruleset_yaml("k", "{kind: obligations}", crits), facts=CATALOGUE)


KLEENE = kleene_library()


@pytest.mark.parametrize("values", list(itertools.product(["true", "false", "unknown"], repeat=3)))
def test_all_any_not_follow_the_doc_and_their_explanations_agree(values):
    facts = {f"a.{c}": FACT_VALUE[v] for c, v in zip("xyz", values, strict=True) if FACT_VALUE[v] is not None}
    evaluation = evaluate(KLEENE, dossier_of(KLEENE, facts), DAY)
    expected = {"NOT-1": doc_not(values[0]), "NOT-ALL": doc_not(doc_all([values[0], doc_not(values[1])]))}
    for size in (1, 2, 3):
        expected[f"ALL-{size}"] = doc_all(values[:size])
        expected[f"ANY-{size}"] = doc_any(values[:size])
    for cid, value in expected.items():
        assert evaluation.status(cid) == STATUS[value], cid
        tree = evaluation.explain(cid)["requires"]
        assert tree["value"] == value, cid
        assert [child["value"] for child in tree["children"]][:1] == (
            [doc_all([values[0], doc_not(values[1])])] if cid == "NOT-ALL" else [values[0]]), cid


# --- explanations of each test ----------------------------------------------------------------------


def single(requires: str, facts: dict, items=None, as_of: dt.date = DAY, **extra):
    crits = [criterion("T-1", requires, **extra), criterion("T-2", "{fact: a.z}")]
    library = library_of(ruleset_yaml("r", "{kind: obligations}", crits), facts=CATALOGUE)
    evaluation = evaluate(library, dossier_of(library, facts, items), as_of)
    tree = evaluation.explain("T-1")["requires"]
    assert STATUS[tree["value"]] == evaluation.status("T-1")  # the explanation never contradicts the status
    return tree


def test_a_fact_test_says_what_it_saw_and_what_was_missing():
    tree = single("{fact: company.headcount, gte: 11}", {"company.headcount": 12})
    assert tree == {"op": "fact", "value": "true", "fact": "company.headcount", "test": "gte", "seen": 12, "expected": 11}
    tree = single("{fact: company.headcount, gte: 11}", {})
    assert tree["value"] == "unknown" and tree["missing_fact"] == "company.headcount" and tree["seen"] is None
    known = single("{fact: company.headcount, known: true}", {})
    assert known["value"] == "false" and "missing_fact" not in known and "expected" not in known
    regions = single("{fact: work.regions, contains: corse}", {"work.regions": ["grand_est", "corse"]})
    assert regions["seen"] == ["corse", "grand_est"] and regions["value"] == "true"
    kinds = single("{fact: work.type, not_in: [long_metrage, court_metrage]}", {"work.type": "court_metrage"})
    assert kinds["value"] == "false" and kinds["expected"] == ["long_metrage", "court_metrage"]


def test_a_comparison_with_another_fact_shows_the_value_it_compared_with():
    facts = {"dates.first_shooting_day": "2025-03-01", "dates.wrap": "2025-03-17"}
    tree = single("{fact: dates.wrap, lte: {fact: dates.first_shooting_day, plus_days: 15}}", facts)
    assert tree["value"] == "false" and tree["seen"] == "2025-03-17"
    assert tree["expected"] == {"fact": "dates.first_shooting_day", "plus_days": 15}
    assert tree["expected_value"] == "2025-03-16"
    same_day = single("{fact: dates.wrap, gte: {fact: dates.first_shooting_day}}", facts)
    assert same_day["expected"] == {"fact": "dates.first_shooting_day"} and same_day["value"] == "true"
    tree = single("{fact: dates.wrap, lte: {fact: dates.first_shooting_day, plus_days: 15}}", {"dates.wrap": "2025-03-17"})
    assert tree["value"] == "unknown" and tree["expected_value"] is None
    soon = single("{fact: dates.wrap, lte: {as_of: 30}}", {"dates.wrap": "2025-07-01"})
    assert soon["value"] == "true" and soon["expected"] == {"as_of": 30} and soon["expected_value"] == "2025-07-01"
    late = single("{fact: dates.wrap, lte: {as_of: -1}}", {"dates.wrap": "2025-06-01"})
    assert late["value"] == "false" and late["expected_value"] == "2025-05-31"


@pytest.mark.parametrize(
    ("facts", "value", "details"),
    [
        ({"team.women": 4, "team.total": 10}, "true", {"ratio": 0.4}),
        ({"team.women": 3, "team.total": 10}, "false", {"ratio": 0.3}),
        ({"team.women": 3, "team.total": 0}, "false", {"note": "zero_denominator"}),
        ({"team.women": 3}, "unknown", {"missing_facts": ["team.total"]}),
        ({}, "unknown", {"missing_facts": ["team.women", "team.total"]}),
    ],
)
def test_a_ratio_explains_its_parts(facts, value, details):
    tree = single("{ratio: [team.women, team.total], gte: 0.4}", facts)
    assert tree["value"] == value and tree["expected"] == 0.4 and tree["test"] == "gte"
    assert tree["numerator"] == {"fact": "team.women", "seen": facts.get("team.women")}
    for key, expected in details.items():
        assert tree[key] == expected
    assert ("ratio" in tree) == ("ratio" in details)


def test_evidence_explains_each_item_it_considered():
    evidence = [
        {"id": "EV-1", "kind": "duerp", "collected": "2024-01-10"},
        {"id": "EV-2", "kind": "duerp", "collected": "2025-05-01", "auditor": {"status": "rejected", "reason": "illisible"}},
        {"id": "EV-3", "kind": "duerp", "criteria": ["T-2"]},  # for another criterion: not considered
        {"id": "EV-4", "kind": "menus"},
    ]
    tree = single("{evidence: duerp, max_age_days: 365}", {}, evidence, evidence=["duerp"])
    assert tree["value"] == "unknown" and tree["missing_evidence"] == "duerp" and tree["max_age_days"] == 365
    assert [(i["id"], i["state"]) for i in tree["items"]] == [("EV-1", "too_old"), ("EV-2", "rejected")]
    fresh = [{"id": "EV-1", "kind": "duerp", "collected": "2024-06-01"}]  # exactly 365 days
    tree = single("{evidence: duerp, max_age_days: 365}", {}, fresh, evidence=["duerp"])
    assert tree["value"] == "true" and "missing_evidence" not in tree and tree["items"][0]["state"] == "valid"
    undated = [{"id": "EV-1", "kind": "duerp"}]
    tree = single("{evidence: duerp, max_age_days: 365}", {}, undated, evidence=["duerp"])
    assert tree["value"] == "unknown" and tree["items"][0]["state"] == "too_old"  # age unknown: cannot count
    assert single("{evidence: duerp}", {}, undated, evidence=["duerp"])["value"] == "true"


def test_counted_evidence_explains_the_count():
    items = [{"id": f"EV-{i}", "kind": "certificat"} for i in range(2)]
    tree = single("{evidence: certificat, count_gte: {fact: team.total}}", {"team.total": 3}, items, evidence=["certificat"])
    assert (tree["value"], tree["count"], tree["count_gte"], tree["count_fact"]) == ("unknown", 2, 3, "team.total")
    assert tree["missing_evidence"] == "certificat" and "missing_fact" not in tree
    tree = single("{evidence: certificat, count_gte: {fact: team.total}}", {"team.total": 2}, items, evidence=["certificat"])
    assert tree["value"] == "true" and "missing_evidence" not in tree
    tree = single("{evidence: certificat, count_gte: {fact: team.total}}", {}, items, evidence=["certificat"])
    assert tree["value"] == "unknown" and tree["missing_fact"] == "team.total" and tree["count_gte"] is None
    tree = single("{evidence: certificat, count_gte: 2}", {}, items, evidence=["certificat"])
    assert tree["value"] == "true" and tree["count"] == 2 and "count_fact" not in tree
    assert single("{evidence: certificat, count_gte: 0}", {}, [], evidence=["certificat"])["value"] == "true"
    old = [{"id": "EV-1", "kind": "certificat", "collected": "2020-01-01"}, {"id": "EV-2", "kind": "certificat"},
           {"id": "EV-3", "kind": "certificat", "collected": "2025-05-20"}]
    tree = single("{evidence: certificat, count_gte: 2, max_age_days: 30}", {}, old, evidence=["certificat"])
    assert tree["value"] == "unknown" and tree["count"] == 1  # too old or undated items do not count


def test_a_criterion_reference_explains_the_status_it_saw():
    crits = [criterion("T-1", "{criterion: T-2}"), criterion("T-2", "{fact: a.x}"),
             criterion("T-3", "{criterion: T-2, status: not_met}"), criterion("T-4", "{criterion: T-5}"),
             criterion("T-5", "{fact: a.x}", applies_if="{fact: a.y}")]
    library = library_of(ruleset_yaml("r", "{kind: obligations}", crits), facts=CATALOGUE)
    evaluation = evaluate(library, dossier_of(library, {"a.x": False, "a.y": False}), DAY)
    one = evaluation.explain("T-1")["requires"]
    assert one == {"op": "criterion", "value": "false", "criterion": "T-2", "seen": "not_met"}
    three = evaluation.explain("T-3")["requires"]
    assert three["value"] == "true" and three["expected"] == "not_met"
    assert evaluation.explain("T-4")["requires"]["value"] == "true"  # not applicable counts as met
    assert evaluation.status("T-4") == "met"
    unknown = evaluate(library, dossier_of(library, {}), DAY)
    assert unknown.status("T-1") == "unknown" and unknown.status("T-3") == "not_met"
    assert unknown.explain("T-3")["requires"]["value"] == "false"  # a status test is never unknown


def test_the_evaluation_date_explains_itself():
    tree = single("{as_of: {gte: 2025-06-01}}", {})
    assert tree == {"op": "as_of", "value": "true", "test": "gte", "expected": "2025-06-01", "seen": "2025-06-01"}
    assert single("{as_of: {gt: 2025-06-01}}", {})["value"] == "false"


def test_an_outcome_test_explains_what_it_saw():
    library = two_rulesets("{outcome: lv.level, gte: 2}")
    evaluation = evaluate(library, dossier_of(library, {"a.x": True}), DAY, ["dep"])
    tree = evaluation.explain("D-1")["requires"]
    assert tree == {"op": "outcome", "value": "unknown", "outcome": "lv.level", "test": "gte", "expected": 2,
                    "seen": [1, 2]}


def test_not_in_holds_for_a_value_outside_the_list():
    tree = single("{fact: work.type, not_in: [long_metrage, court_metrage]}", {"work.type": "film_publicitaire"})
    assert tree["value"] == "true"
    assert single("{fact: work.type, not_in: [long_metrage]}", {})["value"] == "unknown"


def test_evidence_named_for_another_criterion_supports_only_that_one():
    other = [{"id": "EV-1", "kind": "duerp", "criteria": ["T-2"]}]
    assert single("{evidence: duerp}", {}, other, evidence=["duerp"])["value"] == "unknown"
    mine = [{"id": "EV-1", "kind": "duerp", "criteria": ["T-2", "T-1"]}]
    assert single("{evidence: duerp}", {}, mine, evidence=["duerp"])["value"] == "true"
    counted = [{"id": "EV-1", "kind": "duerp", "criteria": ["T-2"]}, {"id": "EV-2", "kind": "duerp"}]
    tree = single("{evidence: duerp, count_gte: 2}", {}, counted, evidence=["duerp"])
    assert tree["value"] == "unknown" and tree["count"] == 1


def test_counted_evidence_of_exactly_the_maximum_age_counts():
    items = [{"id": "EV-1", "kind": "duerp", "collected": "2025-05-02"},
             {"id": "EV-2", "kind": "duerp", "collected": "2025-05-01"}]
    tree = single("{evidence: duerp, count_gte: 2, max_age_days: 31}", {}, items, evidence=["duerp"])
    assert tree["value"] == "true" and tree["count"] == 2  # 30 and 31 days before 2025-06-01
    assert single("{evidence: duerp, count_gte: 2, max_age_days: 30}", {}, items, evidence=["duerp"])["count"] == 1


def test_explanations_carry_only_what_applies():
    ratio = single("{ratio: [team.women, team.total], gte: 0.3}", {"team.women": 1, "team.total": 3})
    assert ratio["ratio"] == 0.333333 and "note" not in ratio and "missing_facts" not in ratio
    plain = single("{evidence: duerp}", {}, [], evidence=["duerp"])
    assert not {"max_age_days", "count", "count_gte", "count_fact"} & set(plain)
    nested = single("{all: [{any: [{fact: a.x}, {not: {fact: a.y}}]}, {fact: a.z}]}", {"a.x": True})

    def walk(node):
        yield node
        for child in node.get("children", []):
            yield from walk(child)
    assert all("_v" not in node for node in walk(nested))  # internal values never leave the engine
    assert [c["value"] for c in nested["children"]] == ["true", "unknown"]


def test_a_number_compared_with_another_numeric_fact():
    facts = {"team.women": 4, "team.total": 10}
    assert single("{fact: team.women, lt: {fact: team.total}}", facts)["value"] == "true"
    assert single("{fact: team.total, lte: {fact: team.women}}", facts)["value"] == "false"
    tree = single("{fact: team.women, eq: {fact: team.total}}", {"team.women": 10, "team.total": 10})
    assert tree["value"] == "true" and tree["expected_value"] == 10
    assert single("{fact: team.women, lt: {fact: team.total}}", {"team.women": 4})["value"] == "unknown"


def test_a_trace_reads_as_its_node_value_and_inputs_when_printed():
    """What a developer sees when printing a trace (a debugger, a failing assertion)."""
    crits = [criterion("T-1", "{all: [{fact: team.women, gte: 3}, {fact: work.live_action}]}")]
    library = library_of(ruleset_yaml("r", "{kind: obligations}", crits), facts=CATALOGUE)
    evaluation = evaluate(library, dossier_of(library, {"team.women": 4}), DAY)
    trace = library.criteria["T-1"].requires_node.trace(evaluation.ctx)
    assert repr(trace).startswith("Trace(All(") and ", 1, 2 children, {}, None)" in repr(trace)
    assert repr(trace.children[0]).endswith(", 2, 0 children, {'x': 4, 'k': 3}, None)")


def test_walking_a_trace_marks_what_an_alternative_already_satisfied_as_not_needed():
    requires = "{all: [{fact: team.women, gte: 3}, {any: [{fact: work.live_action}, {fact: team.total, gte: 9}]}]}"
    crits = [criterion("T-1", requires)]
    library = library_of(ruleset_yaml("r", "{kind: obligations}", crits), facts=CATALOGUE)
    evaluation = evaluate(library, dossier_of(library, {"team.total": 10}), DAY)
    trace = library.criteria["T-1"].requires_node.trace(evaluation.ctx)
    walked = [(type(t.node).__name__, t.value, needed) for t, needed in trace.walk()]
    assert walked == [("All", 1, True), ("FactTest", 1, True), ("AnyOf", 2, True), ("FactTest", 1, False),
                      ("FactTest", 2, False)]
