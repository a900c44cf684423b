"""Deadlines (engine/deadlines.py): windows that open, close and are lost; "not yet" versus
"never"; the plan never proposes what can no longer be done, and agrees with `check`.

The toy aid below is shaped like the CNC prime RSE+: a declaration before the first shooting day,
an authorisation that takes a month (like a prefect's), and a training module due within 15 days
after the first shooting day that can still be followed late."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from raccord.engine import InputError, evaluate
from raccord.engine.plan import make_plan, parse_target, plan_document
from raccord.engine.report import missing_items

from .support import dossier_of, library_of, ruleset_yaml

SOURCE = "source: {document: src, section: 'Étape 1', quote: 'avant le premier jour de tournage'}"
FACTS = """facts:
  toy.declaration_date: {type: date, title: {fr: "Date de la déclaration", en: "Declaration date"}}
  toy.authorised: {type: boolean, title: {fr: "Autorisation obtenue", en: "Authorisation obtained"}}
  toy.budget: {type: number, title: {fr: Budget, en: Budget}}"""
POLICY = ("{kind: eligibility, schemes: [{id: prime, title: {fr: Prime, en: Bonus}, amount: {value: 28000}, "
          "source: {document: src, section: '§1'}, provenance: published_summary}]}")


def crit(cid: str, requires: str, due: str | None = None, **extra: str) -> str:
    lines = [f"- id: {cid}", f"  title: {{fr: '{cid}', en: '{cid}'}}", "  group: g", "  scheme: prime",
             f"  requires: {requires}", "  source: {document: src, section: '§1'}", "  provenance: reconstructed"]
    if due:
        lines.append(f"  due: {{{due}, {SOURCE}}}")
    lines += [f"  {k}: {v}" for k, v in extra.items()]
    return "\n".join(lines)


CRITERIA = [
    crit("T-DECL", "{fact: toy.declaration_date, lt: {fact: dates.first_shooting_day}}",
         "date: dates.first_shooting_day, offset_days: -1", effort="0.25"),
    crit("T-AUTH", "{fact: toy.authorised}", "date: dates.first_shooting_day, offset_days: -1, lead_days: 30", effort="2"),
    crit("T-MOD2", "{evidence: module2}", "date: dates.first_shooting_day, offset_days: 15, late: allowed",
         evidence="[{kind: module2, description: {fr: 'Attestation du module 2', en: 'Module 2 certificate'}}]"),
    crit("T-BOTH", "{all: [{criterion: T-DECL}, {criterion: T-AUTH}]}", effort="0"),
]
LIBRARY = library_of(ruleset_yaml("toy_aid", POLICY, CRITERIA, FACTS))
FIRST_DAY = dt.date(2025, 3, 3)


def run(as_of: dt.date, **facts):
    base = {"dates": {"first_shooting_day": FIRST_DAY.isoformat()}}
    toy = {k: v for k, v in facts.items() if k != "first_day"}
    if "first_day" in facts:
        base = {"dates": {"first_shooting_day": facts["first_day"]}} if facts["first_day"] else {}
    dossier = dossier_of(LIBRARY, {**base, "toy": {k: (v.isoformat() if isinstance(v, dt.date) else v)
                                                   for k, v in toy.items()}})
    return evaluate(LIBRARY, dossier, as_of)


def scheme(evaluation) -> dict:
    return evaluation.outcome("toy_aid")["schemes"]["prime"]


def test_a_window_opens_closes_and_is_lost_as_the_dates_pass():
    authorisation = [run(day).ctx.windows["T-AUTH"] for day in
                     (dt.date(2025, 1, 10), dt.date(2025, 1, 31), dt.date(2025, 3, 2), dt.date(2025, 3, 3))]
    assert [w.state for w in authorisation] == ["open", "closing", "closing", "closed"]
    assert authorisation[0].due == dt.date(2025, 3, 2) and authorisation[0].start_by == dt.date(2025, 1, 31)
    assert [w.days_left for w in authorisation] == [51, 30, 0, -1]  # due the day before shooting, included
    module = [run(day).ctx.windows["T-MOD2"].state for day in (dt.date(2025, 3, 18), dt.date(2025, 3, 19))]
    assert module == ["closing", "overdue"]  # within 15 calendar days after; late still possible


def test_a_leap_day_is_counted_as_a_calendar_day():
    window = run(dt.date(2024, 2, 1), first_day="2024-03-01").ctx.windows["T-DECL"]
    assert window.due == dt.date(2024, 2, 29)


def test_a_declaration_made_after_the_first_day_is_lost_and_the_aid_says_why():
    after = run(dt.date(2025, 10, 15), declaration_date=dt.date(2025, 3, 10), authorised=True)
    assert after.status("T-DECL") == "not_met" and after.ctx.status_reasons["T-DECL"] == "deadline_passed"
    assert scheme(after)["decision"] == "not_eligible" and "deadline_passed" in scheme(after)["reasons"]
    assert after.ctx.status_reasons["T-BOTH"] == "deadline_passed"  # what depends on it is lost too
    plan = make_plan(after, parse_target(LIBRARY, "aid:prime"))
    assert "T-DECL" not in plan.items and not plan.feasible
    assert {"reason": "deadline_passed", "criterion": "T-DECL", "due": dt.date(2025, 3, 2), "since_days": 227} in plan.blockers


def test_without_a_declaration_date_only_proof_of_an_early_declaration_can_count():
    unknown = run(dt.date(2025, 10, 15), authorised=True)
    assert unknown.status("T-DECL") == "unknown" and unknown.ctx.status_reasons["T-DECL"] == "proof_only"
    assert scheme(unknown)["decision"] == "undetermined"
    doc = plan_document(unknown, parse_target(LIBRARY, "aid:prime"))
    declaration = next(i for i in doc["items"] if i["criterion"] == "T-DECL")
    assert declaration["proof_only"] is True and declaration["due"]["due"] == "2025-03-02"


def test_not_yet_done_before_the_deadline_is_pending_and_final_after_it():
    before = run(dt.date(2025, 2, 1), declaration_date=dt.date(2025, 1, 20), authorised=False)
    assert before.status("T-AUTH") == "unknown" and before.ctx.status_reasons["T-AUTH"] == "not_yet_due"
    assert before.status("T-BOTH") == "unknown"  # pending, not lost: what depends on it is pending too
    assert scheme(before)["decision"] == "undetermined"
    plan = make_plan(before, parse_target(LIBRARY, "aid:prime"))
    assert plan.feasible and "T-AUTH" in plan.items
    after = run(dt.date(2025, 3, 3), declaration_date=dt.date(2025, 1, 20), authorised=False)
    assert after.status("T-AUTH") == "not_met" and after.ctx.status_reasons["T-AUTH"] == "deadline_passed"
    assert scheme(after)["decision"] == "not_eligible"


def test_an_unknown_date_leaves_the_deadline_unknown_never_passed():
    evaluation = run(dt.date(2030, 1, 1), first_day=None, authorised=False)
    window = evaluation.ctx.windows["T-AUTH"]
    assert window.state == "unknown_date" and window.due is None
    assert evaluation.status("T-AUTH") == "unknown" and evaluation.ctx.status_reasons["T-AUTH"] == "not_yet_due"
    item = next(i for i in missing_items(evaluation) if i["criterion"] == "T-AUTH")
    assert item["due"] == {"window": "unknown_date", "fact": "dates.first_shooting_day", "offset_days": -1,
                           "lead_days": 30, "late": "closed", "source": {"document": "src", "section": "Étape 1",
                                                                          "quote": "avant le premier jour de tournage"}}


def test_a_declined_criterion_is_final_whatever_its_window():
    dossier = dossier_of(LIBRARY, {"dates": {"first_shooting_day": "2025-03-03"}, "toy": {"authorised": False}},
                         declined={"T-AUTH": "Pas d'enfant finalement : pas de demande"})
    evaluation = evaluate(LIBRARY, dossier, dt.date(2025, 1, 10))
    assert evaluation.status("T-AUTH") == "not_met" and "T-AUTH" not in evaluation.ctx.status_reasons
    item = next(i for i in missing_items(evaluation, include_settled=True) if i["criterion"] == "T-AUTH")
    assert "due" not in item and item["declined"]  # nothing is due any more: no « à faire avant le … »


def test_the_missing_list_starts_with_what_is_lost_then_what_is_late_then_the_earliest_start():
    evaluation = run(dt.date(2025, 3, 25), declaration_date=dt.date(2025, 3, 10))
    items = missing_items(evaluation, include_settled=True)
    # lost: the declaration, then what follows from it; its window closed and unknown, only proof can
    # count: the authorisation; late but still possible: module 2 (due 2025-03-18)
    assert [(i["criterion"], i.get("status_reason"), i["due"]["window"] if "due" in i else None) for i in items] == [
        ("T-DECL", "deadline_passed", "closed"), ("T-BOTH", "deadline_passed", None), ("T-AUTH", "proof_only", "closed"),
        ("T-MOD2", None, "overdue")]
    assert items[0]["due"]["days_left"] == -23 and items[3]["due"]["days_left"] == -7


@pytest.mark.parametrize(("fact", "message"), [
    ("dates.first_shootin_day", "unknown fact 'dates.first_shootin_day'"),
    ("toy.budget", "a deadline counts from a date fact; 'toy.budget' is number"),
])
def test_a_deadline_must_count_from_a_date_fact(fact, message):
    bad = [crit("T-X", "{fact: toy.authorised}", f"date: {fact}")]
    with pytest.raises(InputError) as info:
        library_of(ruleset_yaml("toy_aid", POLICY, bad, FACTS))
    assert message in info.value.message
    assert info.value.where.startswith("ruleset0.yaml:")  # located on the `due` of the criterion


days = hs.dates(min_value=dt.date(2024, 11, 1), max_value=dt.date(2025, 6, 30))


@settings(max_examples=150, deadline=None)
@given(days, hs.one_of(hs.none(), days), hs.one_of(hs.none(), hs.booleans()), hs.booleans())
def test_check_and_plan_always_agree_on_whether_the_aid_can_still_be_had(as_of, declared, authorised, with_module):
    dossier = dossier_of(LIBRARY, {"dates": {"first_shooting_day": FIRST_DAY.isoformat()},
                                   "toy": {k: v for k, v in (("declaration_date", declared and declared.isoformat()),
                                                             ("authorised", authorised)) if v is not None}},
                         evidence=[{"id": "EV-1", "kind": "module2", "collected": "2025-03-10"}] if with_module else [])
    evaluation = evaluate(LIBRARY, dossier, as_of)
    decision = scheme(evaluation)["decision"]
    plan = make_plan(evaluation, parse_target(LIBRARY, "aid:prime"))
    assert (decision == "not_eligible") == (not plan.feasible), (decision, plan.blockers)
    for cid in plan.items:  # nothing whose window has closed is proposed as something to do
        window = evaluation.ctx.windows.get(cid)
        assert window is None or window.state != "closed" or evaluation.status(cid) == "unknown"


def test_the_cli_says_when_each_item_is_due_in_french(tmp_path):
    import shutil
    import subprocess
    import sys

    from raccord.engine.loader import bundled_rulesets_dir

    rulesets = tmp_path / "rulesets"
    (rulesets / "toy_aid").mkdir(parents=True)
    shutil.copy(bundled_rulesets_dir() / "facts.yaml", rulesets / "facts.yaml")
    text = ruleset_yaml("toy_aid", POLICY, CRITERIA, FACTS).replace('title: {fr: Test, en: Test}',
                                                                   'title: {fr: "Aide test", en: "Test aid"}')
    (rulesets / "toy_aid" / "ruleset.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "dossier.yaml").write_text(
        "format: raccord.dossier/1\nproduction: {id: essai, title: Essai}\n"
        "facts:\n  dates: {first_shooting_day: 2025-03-03}\n  toy: {declaration_date: 2025-03-10, authorised: false}\n",
        encoding="utf-8")

    def raccord(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "raccord", *args, str(tmp_path / "dossier.yaml"),
                               "--rulesets-dir", str(rulesets)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    early = raccord("missing", "--as-of", "2025-02-10")
    # not authorised yet, inside its month of lead time: pending, to start now; first in the list
    assert early.splitlines()[2:4] == ["- T-AUTH T-AUTH — inconnu [bloquant]", "    à faire avant le 02/03/2025 — dans 20 jours, "
                                       "à commencer sans attendre (30 jours de délai)"]
    late = raccord("missing", "--as-of", "2025-03-25")
    assert late.splitlines()[2:4] == ["- T-AUTH T-AUTH — non satisfait [bloquant]",
                                      "    délai dépassé le 02/03/2025 (il y a 23 jours) : ne peut plus être fait"]
    assert "    en retard depuis le 18/03/2025 (7 jours) : encore possible" in late.splitlines()
    plan = raccord("plan", "--target", "aid:prime", "--as-of", "2025-03-25")
    assert "  - T-DECL : délai dépassé : ne peut plus être fait (02/03/2025)" in plan.splitlines()
    steps = plan.split("Plan de moindre effort")[1]
    assert "T-MOD2" in steps and "T-DECL" not in steps and "T-AUTH" not in steps  # nothing lost is proposed
    before = raccord("plan", "--target", "aid:prime", "--as-of", "2025-02-10")
    assert "(effort 0,25 jour-personne)" in before and "— cible atteinte" in before
    # the plan counts on steps still open: it says on what condition (issue 13)
    assert ("      encore possible si c'est fait avant le 02/03/2025 — dans 20 jours, "
            "à commencer sans attendre (30 jours de délai)") in before.splitlines()
    english = raccord("plan", "--target", "aid:prime", "--as-of", "2025-02-10", "--lang", "en")
    assert "      still possible if done by 2025-03-02 — in 20 days, start now (30 days needed)" in english.splitlines()


PERIODIC = library_of(ruleset_yaml("toy_duerp", "{kind: obligations}", [
    "- id: T-DUERP\n  title: {fr: 'Mise à jour annuelle', en: 'Yearly update'}\n  group: g\n  mandatory: true\n"
    "  requires: {evidence: duerp, max_age_days: 365}\n"
    "  evidence: [{kind: duerp, description: {fr: 'DUERP daté', en: 'Dated DUERP'}}]\n"
    "  due: {every_months: 12, evidence: duerp, lead_days: 30, late: allowed, "
    "source: {document: src, section: 'art. 32.2', quote: 'au moins une fois par an'}}\n"
    "  source: {document: src, section: '§1'}\n  provenance: reconstructed"]))


def periodic(as_of: dt.date, *collected: str):
    evidence = [{"id": f"EV-{i}", "kind": "duerp", "collected": day} for i, day in enumerate(collected)]
    return evaluate(PERIODIC, dossier_of(PERIODIC, {}, evidence=evidence), as_of)


def test_a_yearly_duty_is_due_twelve_months_after_its_last_update():
    windows = [periodic(day, "2023-03-01", "2024-03-31").ctx.windows["T-DUERP"]
               for day in (dt.date(2025, 2, 1), dt.date(2025, 3, 10), dt.date(2025, 3, 31), dt.date(2025, 4, 1))]
    assert windows[0].due == dt.date(2025, 3, 31) and windows[0].start_by == dt.date(2025, 3, 1)
    assert [w.state for w in windows] == ["open", "closing", "closing", "overdue"]
    assert periodic(dt.date(2025, 4, 1), "2024-03-31").status("T-DUERP") == "unknown"  # late, still possible
    assert periodic(dt.date(2025, 1, 1), "2024-02-29").ctx.windows["T-DUERP"].due == dt.date(2025, 2, 28)


def test_a_yearly_duty_never_recorded_is_due_at_once():
    window = periodic(dt.date(2025, 6, 1)).ctx.windows["T-DUERP"]
    assert window.due == dt.date(2025, 6, 1) and window.state == "closing" and window.days_left == 0


def test_a_periodic_deadline_counts_from_evidence_its_criterion_describes():
    bad = ruleset_yaml("toy_duerp", "{kind: obligations}", [
        "- id: T-DUERP\n  title: {fr: 'M', en: 'M'}\n  group: g\n  requires: {evidence: duerp}\n"
        "  evidence: [{kind: duerp, description: {fr: 'D', en: 'D'}}]\n"
        "  due: {every_months: 12, evidence: duerp_vhss, source: {document: src, section: '§'}}\n"
        "  source: {document: src, section: '§1'}\n  provenance: reconstructed"])
    with pytest.raises(InputError) as info:
        library_of(bad)
    assert "does not describe evidence 'duerp_vhss'" in info.value.message and info.value.where.startswith("ruleset0.yaml:")
    with pytest.raises(InputError) as info:
        library_of(bad.replace("every_months: 12, evidence: duerp_vhss", "every_months: 12, date: dates.wrap"))
    assert "give one" in info.value.message
