"""A criterion lost to its deadline in a compliance or threshold referential: the outcome says
`deadline_passed` once, and only when the lost criterion is one the decision waits on."""

from __future__ import annotations

import datetime as dt

from raccord.engine import evaluate

from .support import dossier_of, library_of, ruleset_yaml

SOURCE = "source: {document: src, section: 'art. 5.2', quote: 'avant l’embauche'}"
FACTS = """facts:
  kid.authorised: {type: boolean, title: {fr: "Autorisation du préfet", en: "Prefect's authorisation"}}
  kid.exam: {type: boolean, title: {fr: "Examen médical", en: "Medical exam"}}
  kid.guide: {type: boolean, title: {fr: "Livret d'accueil", en: "Welcome booklet"}}"""
FIRST_DAY = dt.date(2025, 3, 3)


def crit(cid: str, fact: str, mandatory: bool, due: bool) -> str:
    lines = [f"- id: {cid}", f"  title: {{fr: '{cid}', en: '{cid}'}}", "  group: g", f"  requires: {{fact: {fact}}}",
             "  source: {document: src, section: '§1'}", "  provenance: reconstructed", f"  mandatory: {str(mandatory).lower()}"]
    if due:
        lines.append(f"  due: {{date: dates.first_shooting_day, offset_days: -1, {SOURCE}}}")
    return "\n".join(lines)


LIBRARY = library_of(ruleset_yaml("kids", "{kind: obligations}", [
    crit("K-AUTH", "kid.authorised", True, True),
    crit("K-EXAM", "kid.exam", True, False),
    crit("K-GUIDE", "kid.guide", False, True),  # a recommendation with a date
], FACTS))


def outcome(as_of: dt.date, **kid):
    dossier = dossier_of(LIBRARY, {"dates": {"first_shooting_day": FIRST_DAY.isoformat()}, "kid": kid})
    return evaluate(LIBRARY, dossier, as_of).outcome("kids")


def test_a_mandatory_obligation_lost_to_its_deadline_is_named_in_the_reasons():
    lost = outcome(dt.date(2025, 4, 1), authorised=False, exam=True, guide=True)
    assert lost["decision"] == "not_compliant" and lost["blocking"] == ["K-AUTH"]
    assert lost["reasons"] == ["mandatory_not_met", "deadline_passed"]


def test_before_the_deadline_nothing_is_lost():
    pending = outcome(dt.date(2025, 2, 1), authorised=False, exam=True, guide=True)
    assert pending["decision"] == "undetermined" and pending["reasons"] == ["mandatory_unknown"]


def test_a_lost_recommendation_does_not_make_the_decision_late():
    late_guide = outcome(dt.date(2025, 4, 1), authorised=True, exam=False, guide=False)
    assert late_guide["decision"] == "not_compliant" and late_guide["blocking"] == ["K-EXAM"]
    assert late_guide["reasons"] == ["mandatory_not_met"]  # the lost guide is not what the decision waits on
    assert late_guide["recommended"] == {"not_met": ["K-GUIDE"]}


def test_plan_steps_come_by_their_latest_start_date_and_say_which_can_only_be_proved():
    """The toy CNC aid of test_deadlines: the authorisation takes a month, so it comes first."""
    from raccord.engine.plan import parse_target, plan_document

    from .test_deadlines import LIBRARY as AID
    from .test_deadlines import run

    early = plan_document(run(dt.date(2025, 1, 10)), parse_target(AID, "aid:prime"))
    assert [i["criterion"] for i in early["items"]] == ["T-AUTH", "T-DECL", "T-MOD2"]  # the grid says DECL, AUTH, MOD2
    assert not any("proof_only" in i for i in early["items"])
    late = plan_document(run(dt.date(2025, 3, 10)), parse_target(AID, "aid:prime"))
    items = {i["criterion"]: i for i in late["items"]}
    assert list(items) == ["T-AUTH", "T-DECL", "T-MOD2"]
    assert items["T-AUTH"]["proof_only"] is True and items["T-DECL"]["proof_only"] is True  # done before, or never
    assert "proof_only" not in items["T-MOD2"]  # a late module still counts: still a step to do


def test_a_criterion_reading_a_lost_outcome_is_lost_too():
    """A criterion that reads only an outcome (no criterion, no deadline of its own) is lost with it:
    the kids' authorisation came after its deadline, so the aid that needs the kids' compliance can
    no longer be obtained either (and says so), while before the deadline it is still open."""
    aid = ruleset_yaml("kid_aid", "{kind: obligations}", [
        "- id: A-KIDS\n  title: {fr: 'A-KIDS', en: 'A-KIDS'}\n  group: g\n"
        "  requires: {outcome: kids.decision, eq: compliant}\n"
        "  source: {document: src, section: '§1'}\n  provenance: reconstructed\n  mandatory: true"])
    library = library_of(ruleset_yaml("kids", "{kind: obligations}", [crit("K-AUTH", "kid.authorised", True, True)], FACTS),
                         aid)
    dossier = dossier_of(library, {"dates": {"first_shooting_day": FIRST_DAY.isoformat()}, "kid": {"authorised": False}})
    late = evaluate(library, dossier, dt.date(2025, 4, 1))
    assert late.status("A-KIDS") == "not_met" and late.ctx.status_reasons.get("A-KIDS") == "deadline_passed"
    assert late.outcome("kid_aid")["reasons"] == ["mandatory_not_met", "deadline_passed"]
    early = evaluate(library, dossier, dt.date(2025, 2, 1))
    assert early.status("A-KIDS") == "unknown" and "A-KIDS" not in early.ctx.status_reasons
