"""Typed findings (engine/findings.py): what the evaluator found for one criterion, read off the
same traces as its explanation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from raccord.cli.main import cli
from raccord.engine import evaluate, load_dossier, load_library, tri
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
EXAMPLE = str(ROOT / "examples" / "long_metrage" / "dossier.yaml")
AUDIT_DAY = dt.date(2025, 10, 15)
LIBRARY = load_library()


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def example(name: str, as_of: dt.date = AUDIT_DAY):
    return evaluate(LIBRARY, load_dossier(ROOT / "examples" / name / "dossier.yaml", LIBRARY.catalogue), as_of)


def entry_of(doc: dict, cid: str) -> dict:
    return next(c for rs in doc["rulesets"] for c in rs["criteria"] if c["id"] == cid)


def blockers_of(doc: dict, scheme: str) -> dict[str, dict]:
    """Every blocker of a scheme, drilled into what it depends on, by criterion id."""
    found: dict[str, dict] = {}

    def visit(entry: dict) -> None:
        found.setdefault(entry["criterion"], entry)
        for child in entry.get("because_of", []):
            visit(child)

    for entry in next(s for s in doc["schemes"] if s["id"] == scheme)["not_met"] + \
            next(s for s in doc["schemes"] if s["id"] == scheme)["unknown"]:
        visit(entry)
    return found


def test_expired_evidence_on_the_feature_film():
    """The referent's training certificate EV-093 expired: the criterion is unknown, says why, and
    the VHSS referential's outcome gives the reason (from the engine, for a library user too)."""
    ev = example("long_metrage")
    found = criterion_findings(ev, "VHSS-33.1.3.3-TRAINED")
    assert found.evidence_problems == (EvidenceProblem("EV-093", "referent_training_certificate", "expired"),)
    assert found.expired and found.missing_evidence == ("referent_training_certificate",) and found.evidence_used == ()
    assert ev.outcome("vhss_ccnpc")["reasons"] == ["mandatory_unknown", "evidence_expired"]
    rejected = criterion_findings(ev, "AFN-ACH-01")  # rejected by the auditor: a problem, not an expiry
    (problem,) = rejected.evidence_problems  # with the auditor's reason, who and when, from the dossier
    assert (problem.id, problem.kind, problem.state) == ("EV-069", "menus_restauration", "rejected")
    assert problem.reason.startswith("Menus non datés") and problem.by and problem.date
    assert not rejected.expired
    doc = json.loads(run("check", EXAMPLE, "--as-of", "2025-10-15", "--format", "json"))
    entry = entry_of(doc, "VHSS-33.1.3.3-TRAINED")
    assert entry["expired"] is True and entry["evidence_problems"] == [
        {"id": "EV-093", "kind": "referent_training_certificate", "state": "expired"}]
    assert "expired" not in entry_of(doc, "AFN-ACH-01")
    text = run("check", EXAMPLE, "--as-of", "2025-10-15", "-v")
    assert "VHSS-33.1.3.3-TRAINED Référent du film justifiant de la formation de référent VHSS (preuve expirée)" in text
    assert "une preuve a expiré" in text
    # the check shows the ten most urgent items, closed windows first: the referent's certificate is in `missing`
    assert "EV-093 : preuve expirée" in run("missing", EXAMPLE, "--as-of", "2025-10-15")
    assert "EV-093: expired evidence" in run("missing", EXAMPLE, "--as-of", "2025-10-15", "--lang", "en")


def test_missing_facts_of_the_feature_film_in_every_output():
    ev = example("long_metrage")
    assert criterion_findings(ev, "AID-RSE-DECLARATION").missing_facts == ("aid.rse_plus.declaration_date",)
    # the crew list settles 122-17-1 person by person: its aggregate facts (the fallback) are not asked for
    assert criterion_findings(ev, "AID-CNC-VHSS-122-17-1-CREW").missing_facts == ()
    assert criterion_findings(ev, "AID-PARITY-GRID").missing_facts == ("aid.parity.points_women",)
    doc = json.loads(run("check", EXAMPLE, "--as-of", "2025-10-15", "--format", "json"))
    assert entry_of(doc, "AID-RSE-DECLARATION")["missing_facts"] == ["aid.rse_plus.declaration_date"]
    assert "missing_facts" not in entry_of(doc, "VHSS-33.1.3.3-TRAINED")  # empty lists are left out
    eligibility = json.loads(run("eligibility", EXAMPLE, "--as-of", "2025-10-15", "--format", "json"))
    assert "AID-CNC-VHSS-122-17-1-CREW" not in blockers_of(eligibility, "cnc_vhss")
    grid = blockers_of(eligibility, "cnc_parity_bonus")["AID-PARITY-GRID"]
    assert grid["missing_facts"] == ["aid.parity.points_women"] and grid["status"] == "unknown"
    scheme = next(s for s in eligibility["schemes"] if s["id"] == "cnc_parity_bonus")
    assert scheme["settle"]["facts"] == list(criterion_findings(ev, "AID-PARITY-GRID").missing_facts)
    assert scheme["settle"]["evidence"] == ["cnc_vhss_measures_description", "vhss_staff_reps_doctor_reminder",
                                            "children_supervisor_contract", "bilan_carbone_definitif"]
    text = run("eligibility", EXAMPLE, "--as-of", "2025-10-15", "-v")  # facts by their title, not their name
    assert ("      Faits manquants : Date de la déclaration de candidature à la prime RSE+ (étape 1, Démarches simplifiées)\n"
            in text)
    assert "À établir : à renseigner : Bonus parité : points de la grille des chefs de poste tenus par des femmes" in text
    assert "aid.parity.points_women" not in text and "aid.rse_plus.declaration_date" not in text


def test_the_failed_sub_condition_of_a_blocker():
    """Prime RSE+ on the feature film: its level-2 condition fails on the AFNOR level, with the
    criteria missing at each level; the VHSS condition is unknown because of three other criteria
    (122-17-1 is met on the film's crew list)."""
    ev = example("long_metrage")
    level = criterion_findings(ev, "AID-RSE-LEVEL2")
    assert level.unmet == (Unmet("requires", "outcome", "afnor_spec_2308.level", "gte", 2, (0, 1), tri.FALSE, True),)
    assert level.missing_facts == level.missing_evidence == ()
    vhss = criterion_findings(ev, "AID-RSE-CNC-VHSS")
    assert [(u.ref, u.value) for u in vhss.unmet] == [
        ("AID-CNC-VHSS-122-17-MEASURES", tri.UNKNOWN), ("AID-CNC-VHSS-122-17-STAFF-REPS-DOCTOR", tri.UNKNOWN),
        ("AID-CNC-VHSS-122-17-2-CHILDREN", tri.UNKNOWN)]
    doc = json.loads(run("eligibility", EXAMPLE, "--as-of", "2025-10-15", "--format", "json"))
    prime = next(s for s in doc["schemes"] if s["id"] == "prime_rse_plus")
    assert prime["decision"] == "not_eligible" and prime["settle"] == {"facts": [], "evidence": []}
    blocker = next(b for b in prime["not_met"] if b["criterion"] == "AID-RSE-LEVEL2")
    assert blocker["outcomes"] == [{"outcome": "afnor_spec_2308.level", "test": "gte", "expected": 2, "seen": [0, 1],
                                    "gaps": {"1": ["AFN-GOV-03"], "2": ["AFN-INC-03", "AFN-GOV-05", "AFN-ACH-01"]}}]
    drilled = next(b for b in prime["unknown"] if b["criterion"] == "AID-RSE-CNC-VHSS")["because_of"]
    assert [b["criterion"] for b in drilled] == [u.ref for u in vhss.unmet]
    text = run("eligibility", EXAMPLE, "--as-of", "2025-10-15", "--lang", "en", "-v")
    assert "      1 level-2 action not done: AFN-INC-03 (3 to prove: AFN-GOV-03, AFN-GOV-05, AFN-ACH-01)\n" in text
    assert " gte " not in text and "seen: [0, 1]" not in text


def test_explanation_is_the_typed_trace():
    ev = example("long_metrage")
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
    assert found.evidence_problems == (EvidenceProblem("E1", "duerp", "expired"),
                                       EvidenceProblem("E2", "duerp", "rejected", "illisible"),
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


# --- what can still change the result ----------------------------------------------------------


def test_beside_the_false_child_of_an_all_nothing_is_needed():
    found = one("{all: [{fact: work.live_action}, {fact: company.headcount, gte: 3}, {evidence: duerp}]}",
                {"work.live_action": False})
    assert found.trace.status == "not_met"
    assert found.missing_facts == () and found.missing_evidence == () and found.too_few == ()
    found = one("{all: [{fact: work.live_action}, {fact: company.headcount, gte: 3}, {evidence: duerp}]}",
                {"work.live_action": True})  # unknown: each child can still decide it
    assert found.missing_facts == ("company.headcount",) and found.missing_evidence == ("duerp",)


def test_a_false_all_inside_an_undecided_any_needs_only_the_other_alternative():
    found = one("{any: [{all: [{fact: work.live_action}, {fact: company.headcount, gte: 3}]}, "
                "{all: [{fact: team.total, gte: 1}, {evidence: menus, count_gte: 2}]}]}",
                {"work.live_action": False}, [{"id": "M1", "kind": "menus"}])
    assert found.trace.status == "unknown"
    assert found.missing_facts == ("team.total",) and found.missing_evidence == ("menus",)
    assert found.too_few == (TooFew("menus", 1, 2),)
    # a true `any`: no alternative is needed, false or unknown
    found = one("{any: [{fact: work.live_action}, {fact: company.headcount, gte: 3}, {evidence: duerp}]}",
                {"work.live_action": True})
    assert found.missing_facts == () and found.missing_evidence == ()


def test_under_a_not_the_same_rule_applies():
    # not(all false) is true: nothing below matters; not(all unknown) is unknown: its unknown child does
    assert one("{not: {all: [{fact: work.live_action}, {fact: company.headcount, gte: 3}]}}",
               {"work.live_action": False}).missing_facts == ()
    assert one("{not: {all: [{fact: work.live_action}, {fact: company.headcount, gte: 3}]}}",
               {"work.live_action": True}).missing_facts == ("company.headcount",)


def test_the_false_reference_of_a_false_all_is_needed_not_the_unknown_one():
    extra = [criterion("T-02", "{fact: work.live_action}"), criterion("T-03", "{fact: company.headcount, gte: 3}")]
    found = one("{all: [{criterion: T-03}, {criterion: T-02}]}", {"work.live_action": False}, extra_criteria=extra)
    assert [(u.ref, u.value, u.needed) for u in found.unmet] == [("T-03", tri.UNKNOWN, False), ("T-02", tri.FALSE, True)]


def test_a_series_lacks_no_fact_for_a_bonus_reserved_to_cinema_features():
    """The parity bonus asks a French-initiated cinema feature: for a series (work.type serie) the
    condition is false whatever work.french_initiative is, so no output asks for that fact."""
    series = str(ROOT / "examples" / "serie_tv" / "dossier.yaml")
    ev = example("serie_tv")
    found = criterion_findings(ev, "AID-PARITY-WORK")
    assert found.trace.status == "not_met" and found.missing_facts == ()
    assert "work.french_initiative" not in ev.dossier.facts  # still unknown: the rule, not the data, decides
    doc = json.loads(run("check", series, "--as-of", "2025-10-15", "--format", "json"))
    assert "missing_facts" not in entry_of(doc, "AID-PARITY-WORK")
    eligibility = json.loads(run("eligibility", series, "--as-of", "2025-10-15", "--format", "json"))
    assert blockers_of(eligibility, "cnc_parity_bonus")["AID-PARITY-WORK"]["missing_facts"] == []
    assert "work.french_initiative" not in run("eligibility", series, "--as-of", "2025-10-15")
    assert "work.french_initiative" not in run("missing", series, "--as-of", "2025-10-15", "--all")
