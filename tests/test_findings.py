"""Typed findings (engine/findings.py): what the evaluator found for one criterion, read off the
same traces as its explanation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from raccord.engine import evaluate, load_dossier, load_library, tri
from raccord.engine import report as old_report
from raccord.engine.findings import (
    CriterionTrace,
    EvidenceProblem,
    Findings,
    TooFew,
    Unmet,
    criterion_findings,
    criterion_trace,
    explanation,
)

from .support import DAY, criterion, dossier_of, library_of, ruleset_yaml

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted(ROOT.glob("examples/*/dossier.yaml"))
LIBRARY = load_library()


def evaluations():
    """Every example at two dates, and with integrity problems and assumptions."""
    for path in EXAMPLES:
        dossier = load_dossier(path, LIBRARY.catalogue)
        for as_of in (dt.date(2024, 7, 1), dt.date(2025, 10, 15)):
            yield evaluate(LIBRARY, dossier, as_of)
        items = sorted(e.id for e in dossier.file.evidence)
        ids = sorted(LIBRARY.criteria)
        yield evaluate(LIBRARY, dossier, dt.date(2025, 10, 15), integrity=dict.fromkeys(items[::4], "modified"),
                       assume={cid: "met" for cid in ids[::9]})


# While engine/report.py still has its dictionary version, the typed findings must give the same
# lists on every criterion of every example (drop this test with the old function).
@pytest.mark.skipif(not hasattr(old_report, "criterion_findings"), reason="the old criterion_findings is gone")
def test_typed_findings_are_the_old_dictionary_findings():
    compared = 0
    for ev in evaluations():
        for cid in LIBRARY.criteria:
            old = old_report.criterion_findings(ev, cid)
            found = criterion_findings(ev, cid)
            assert found.as_dict() == {k: v for k, v in old.items() if k != "trace"}, cid
            assert found.trace.as_dict() == old["trace"]
            compared += 1
    assert compared == len(LIBRARY.criteria) * 3 * len(EXAMPLES)


def test_explanation_is_the_typed_trace():
    ev = next(evaluations())
    for cid in LIBRARY.criteria:
        traced = criterion_trace(ev, cid)
        assert isinstance(traced, CriterionTrace)
        assert ev.explain(cid) == explanation(ev, cid) == traced.as_dict()
        status = ev.status(cid)
        if status in ("met", "not_met") and traced.applies_if is None and cid not in ev.assumed \
                and cid not in ev.dossier.file.declined and not traced.status_reason:
            assert tri.NAMES[traced.requires.value] == {"met": "true", "not_met": "false"}[status]


def one(requires: str, facts=None, evidence=None, applies_if=None, extra_criteria=(), as_of=DAY, **kw) -> Findings:
    fields = {"evidence": ["duerp", "menus"]} | ({"applies_if": applies_if} if applies_if else {})
    lib = library_of(ruleset_yaml("r", "{kind: obligations}", [criterion("T-01", requires, **fields), *extra_criteria]))
    options = {k: kw.pop(k) for k in ("integrity", "assume") if k in kw}  # the rest goes in the dossier
    ev = evaluate(lib, dossier_of(lib, facts, evidence, **kw), as_of, **options)
    return criterion_findings(ev, "T-01")


def test_evidence_problems_say_why_each_item_does_not_count():
    items = [{"id": "E1", "kind": "duerp", "collected": "2024-01-01", "expires": "2025-05-31"},
             {"id": "E2", "kind": "duerp", "auditor": {"status": "rejected", "reason": "illisible"}},
             {"id": "E3", "kind": "duerp", "collected": "2025-07-01"},
             {"id": "E4", "kind": "duerp", "collected": "2023-01-01"},
             {"id": "E5", "kind": "duerp", "collected": "2025-01-01"},
             {"id": "E6", "kind": "duerp", "criteria": ["T-02"]}]
    found = one("{evidence: duerp, max_age_days: 365}", evidence=items, integrity={"E5": "modified"},
                extra_criteria=[criterion("T-02", "{evidence: duerp}", evidence=["duerp"])])
    assert found.evidence_problems == (EvidenceProblem("E1", "duerp", "expired"), EvidenceProblem("E2", "duerp", "rejected"),
                                       EvidenceProblem("E3", "duerp", "not_yet_collected"),
                                       EvidenceProblem("E4", "duerp", "too_old"), EvidenceProblem("E5", "duerp", "modified"))
    assert found.evidence_used == () and found.missing_evidence == ("duerp",)
    assert found.as_dict()["evidence_problems"][0] == {"id": "E1", "kind": "duerp", "state": "expired"}


def test_evidence_used_by_a_true_test_only_sorted_once():
    items = [{"id": "E9", "kind": "duerp"}, {"id": "E2", "kind": "duerp"}, {"id": "M1", "kind": "menus"}]
    found = one("{all: [{evidence: duerp}, {any: [{evidence: duerp}, {evidence: menus, count_gte: 2}]}]}",
                evidence=items)
    assert found.evidence_used == ("E2", "E9")  # menus: 1 of 2, not used; its kind is not needed (any is true)
    assert found.missing_evidence == () and found.too_few == ()


def test_too_few_items_and_the_count_fact():
    two = [{"id": f"E{i}", "kind": "duerp"} for i in (1, 2)]
    found = one("{evidence: duerp, count_gte: {fact: team.women}}", {"team.women": 3}, two)
    assert found.too_few == (TooFew("duerp", 2, 3),) and found.missing_evidence == ("duerp",)
    assert found.missing_facts == ()
    found = one("{evidence: duerp, count_gte: {fact: team.women}}", {}, two)
    assert found.too_few == () and found.missing_facts == ("team.women",) and found.missing_evidence == ("duerp",)
    assert one("{evidence: duerp, count_gte: 2}", evidence=two).too_few == ()


def test_missing_facts_only_where_they_can_still_matter():
    assert one("{any: [{fact: work.live_action}, {fact: company.headcount, gte: 3}]}",
               {"work.live_action": True}).missing_facts == ()
    found = one("{any: [{fact: work.live_action}, {all: [{fact: company.headcount, gte: 3}, {fact: work.type, "
                "eq: long_metrage}]}, {ratio: [team.women, team.total], gte: 0.4}]}", {"work.live_action": False})
    assert found.missing_facts == ("company.headcount", "work.type", "team.women", "team.total")
    assert one("{not: {fact: company.headcount, known: true}}").missing_facts == ()  # `known` needs no value
    found = one("{fact: dates.wrap, lte: {fact: dates.first_shooting_day, plus_days: 3}}", {"dates.wrap": "2025-01-01"})
    assert found.missing_facts == ()  # the other fact's absence is shown in the trace (expected_value: None)
    assert found.trace.as_dict()["requires"]["expected_value"] is None


def test_applies_if_is_read_first_with_its_own_needs():
    found = one("{fact: team.total, gte: 1}", applies_if="{fact: company.headcount, gte: 11}")
    assert found.trace.applies_if is not None and found.trace.status == "unknown"
    assert found.missing_facts == ("company.headcount", "team.total")


def test_unmet_references_with_what_was_seen_and_where():
    other = criterion("T-02", "{fact: work.live_action}")
    found = one("{all: [{criterion: T-02}, {any: [{criterion: T-02, status: not_applicable}, {fact: work.live_action}]}]}",
                {}, extra_criteria=[other], applies_if="{criterion: T-02, status: unknown}")
    assert found.unmet == (Unmet("requires", "criterion", "T-02", None, None, "unknown", tri.UNKNOWN, True),
                           Unmet("requires", "criterion", "T-02", None, "not_applicable", "unknown", tri.FALSE, True))
    found = one("{any: [{fact: work.live_action}, {criterion: T-02}]}", {"work.live_action": True}, extra_criteria=[other])
    assert found.unmet == ()  # T-02 is met


def test_unmet_outcome_tests_below_a_true_node_are_not_needed():
    levels = ruleset_yaml("lv", "{kind: levels, levels: [{level: 1, title: {fr: a, en: a}}, {level: 2, title: {fr: b, en: b}}]}",
                          [criterion("L-01", "{fact: work.live_action}", level=1),
                           criterion("L-02", "{fact: company.headcount, gte: 10}", level=2)])
    aid = ruleset_yaml("aid", "{kind: obligations}", [criterion(
        "A-01", "{any: [{fact: team.total, gte: 1}, {outcome: lv.level, in: [2]}]}")])
    lib = library_of(levels, aid)
    ev = evaluate(lib, dossier_of(lib, {"work.live_action": True, "team.total": 3}), DAY)
    found = criterion_findings(ev, "A-01")
    assert found.unmet == (Unmet("requires", "outcome", "lv.level", "in", (2,), (1, 2), tri.UNKNOWN, False),)
    ev = evaluate(lib, dossier_of(lib, {"work.live_action": True, "company.headcount": 3}), DAY)
    assert criterion_findings(ev, "A-01").unmet[0].value == tri.FALSE  # level 1 only, never 2
    assert criterion_findings(ev, "A-01").unmet[0].needed


def test_the_trace_record_carries_the_criterion_state():
    found = one("{fact: work.live_action}", {"work.live_action": False}, declined={"T-01": "pas cette fois"})
    assert (found.trace.status, found.trace.declined, found.trace.assumed) == ("not_met", "pas cette fois", False)
    assert found.trace.as_dict()["declined"] == "pas cette fois"
    found = one("{fact: work.live_action}", not_applicable={"T-01": "hors champ"})
    assert found.trace.as_dict()["not_applicable_reason"] == "declared"
    assert found.trace.declared_not_applicable == "hors champ"
    found = one("{fact: work.live_action}", assume={"T-01": "met"})
    assert found.trace.assumed and found.trace.as_dict()["assumed"] is True
    assert set(found.as_dict()) == {"evidence_used", "evidence_problems", "missing_evidence", "missing_facts"}
