"""Deadlines on the bundled feature film (shoot 2025-03-03 → 2025-04-18): no impossible advice.

Before deadlines existed, `raccord plan --target aid:prime_rse_plus --as-of 2025-10-15` proposed to
declare the application to the CNC « avant le début du tournage » six months after the wrap, and
called the prime reachable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from raccord.engine import Engine, Options

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "long_metrage"
ENGINE = Engine.load()


def feature_film(declaration: str | None):
    text = (EXAMPLE / "dossier.yaml").read_text(encoding="utf-8")
    if declaration:
        text = text.replace("    aid_kinds: [production]\n", "    aid_kinds: [production]\n  aid:\n    rse_plus:\n"
                            f"      declaration_date: '{declaration}'\n", 1)
        assert declaration in text
    return ENGINE.dossier_from_text(text, "dossier.yaml", EXAMPLE)


def prime(evaluation) -> dict:
    return evaluation.outcome("aid_schemes")["schemes"]["prime_rse_plus"]


def plan(evaluation) -> dict:
    return ENGINE.plan(evaluation, "aid:prime_rse_plus")


def test_a_declaration_made_after_the_first_shooting_day_loses_the_prime():
    evaluation = ENGINE.evaluate(feature_film("2025-03-10"), dt.date(2025, 10, 15))
    assert evaluation.status("AID-RSE-DECLARATION") == "not_met"
    assert prime(evaluation)["decision"] == "not_eligible" and "deadline_passed" in prime(evaluation)["reasons"]
    doc = plan(evaluation)
    assert "AID-RSE-DECLARATION" not in [i["criterion"] for i in doc["items"]]
    assert {"reason": "deadline_passed", "criterion": "AID-RSE-DECLARATION", "due": "2025-03-02",
            "since_days": 227} in doc["blockers"]
    assert not doc["feasible"] and doc["after"]["reached"] is False


def test_without_a_declaration_date_only_proof_of_a_declaration_before_the_shoot_can_count():
    evaluation = ENGINE.evaluate(feature_film(None), dt.date(2025, 10, 15))
    assert evaluation.status("AID-RSE-DECLARATION") == "unknown"
    assert evaluation.ctx.status_reasons["AID-RSE-DECLARATION"] == "proof_only"
    items = {i["criterion"]: i for i in plan(evaluation)["items"]}
    assert items["AID-RSE-DECLARATION"]["proof_only"] is True  # to prove, not to do
    # The closed windows come first, earliest first: what the aid application (15/11/2024) had to
    # describe; then the child's authorisation and medical exam (no proof in the example), due the
    # day before the child's hiring (E-01, 24/02/2025); the authorisation, to be applied for a month
    # earlier, leads; then the declaration, due the day before the first shooting day.
    first = [(i["criterion"], i["due"]["due"]) for i in ENGINE.missing(evaluation)[:5]]
    assert first == [("AID-CNC-VHSS-122-17-STAFF-REPS-DOCTOR", "2024-11-15"), ("AID-CNC-VHSS-122-17-MEASURES", "2024-11-15"),
                     ("VHSS-T3-5.2-PREFECT-AUTHORISATION", "2025-02-23"), ("VHSS-T3-5.3-MEDICAL-EXAM", "2025-02-23"),
                     ("AID-RSE-DECLARATION", "2025-03-02")]


@pytest.mark.parametrize(("as_of", "window"), [
    (dt.date(2025, 1, 15), "open"),  # preparation
    (dt.date(2025, 3, 10), "closed"),  # shooting: the declaration window has closed, module 2 is closing
    (dt.date(2025, 10, 15), "closed"),  # after the wrap
])
def test_the_same_production_on_three_dates(as_of, window):
    evaluation = ENGINE.evaluate(feature_film(None), as_of)
    assert evaluation.ctx.windows["AID-RSE-DECLARATION"].state == window
    for item in plan(evaluation)["items"]:  # nothing lost is ever proposed as something to do
        state = evaluation.ctx.windows.get(item["criterion"])
        assert state is None or state.state != "closed" or item.get("proof_only")
    crew = evaluation.ctx.windows["AID-CNC-VHSS-122-17-1-CREW"]  # in person within 15 days of the first day
    assert crew.due == dt.date(2025, 3, 18)
    assert crew.state == ("closed" if as_of > crew.due else "open")


def test_a_declaration_planned_in_preparation_keeps_the_prime_reachable():
    evaluation = ENGINE.evaluate(feature_film("2025-01-20"), Options(dt.date(2025, 1, 15), ENGINE.claim_rulesets))
    assert evaluation.status("AID-RSE-DECLARATION") == "met"
    assert "deadline_passed" not in prime(evaluation)["reasons"]
    assert evaluation.ctx.windows["AID-RSE-DECLARATION"].state == "open"


PREPARATION, SHOOT, AFTER_WRAP = dt.date(2025, 1, 15), dt.date(2025, 3, 18), dt.date(2025, 10, 15)
URGENCY = {"closed": 1, "overdue": 2, "open": 3, "closing": 3, "unknown_date": 3}


def test_on_three_dates_the_windows_open_close_and_the_missing_list_reorders():
    dossier = ENGINE.dossier(EXAMPLE / "dossier.yaml")
    runs = {day: ENGINE.evaluate(dossier, day) for day in (PREPARATION, SHOOT, AFTER_WRAP)}
    # the in-person module (within 15 days of the first shooting day, 18/03): open, due today, closed
    assert [runs[d].ctx.windows["AID-CNC-VHSS-122-17-1-CREW"].state for d in runs] == ["open", "closing", "closed"]
    assert runs[SHOOT].ctx.windows["AID-CNC-VHSS-122-17-1-CREW"].days_left == 0
    # an Ecoprod action of the shoot is due by the wrap (its stage's deadline); one of the preparation
    # by the day before the first shooting day
    assert [runs[d].ctx.windows["ECO-DEP-03"].state for d in runs] == ["open", "open", "closed"]
    assert [runs[d].ctx.windows["VHSS-T3-5.2-PREFECT-AUTHORISATION"].state for d in runs] == ["open", "closed", "closed"]
    orders = {}
    for day, evaluation in runs.items():
        items = ENGINE.missing(evaluation)
        orders[day] = [i["criterion"] for i in items]
        ranks = [0 if i.get("status_reason") == "deadline_passed" else URGENCY[i["due"]["window"]] if "due" in i else 4
                 for i in items]
        assert ranks == sorted(ranks), day  # lost, then closed (proof only), overdue, by latest start, undated
    # the authorisation moves up as its window closes: after the application's proofs in preparation,
    # and so on the other dates too, but ahead of what was still open in preparation
    assert orders[PREPARATION].index("VHSS-T3-5.2-PREFECT-AUTHORISATION") == 2
    assert orders[PREPARATION].index("ECO-DEP-03") > orders[AFTER_WRAP].index("ECO-DEP-03")
    # the authorisation is lost on the shoot (due 02/03): ahead of what is still open, like ECO-DEP-02 (due by the wrap)
    assert orders[SHOOT].index("VHSS-T3-5.2-PREFECT-AUTHORISATION") < orders[SHOOT].index("ECO-DEP-02")
    assert "AID-CNC-VHSS-122-17-1-CREW" in orders[PREPARATION] and "AID-CNC-VHSS-122-17-1-CREW" not in orders[SHOOT]  # done
    assert len({tuple(o) for o in orders.values()}) == 3


EXAMPLES = sorted(p.parent.name for p in (EXAMPLE.parent).glob("*/dossier.yaml"))


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_plan_ever_proposes_to_do_what_can_no_longer_be_done(name):
    from .test_reachability import TARGETS

    dossier = ENGINE.dossier(EXAMPLE.parent / name / "dossier.yaml")
    for day in (PREPARATION, SHOOT, AFTER_WRAP, dt.date(2026, 12, 1)):
        evaluation = ENGINE.evaluate(dossier, day)
        for target in TARGETS:
            for item in ENGINE.plan(evaluation, target)["items"]:
                assert item["status"] == "unknown", (name, day, target.label, item["criterion"])  # never a final not_met
                window = item.get("due", {}).get("window")
                if window == "closed":  # only its proof can still count, and the plan says so
                    assert item.get("proof_only") is True, (name, day, target.label, item["criterion"])


def test_windows_follow_a_what_if_on_the_date_they_count_from():
    """Windows are kept per evidence index, which a what-if on the facts shares (Engine.with_facts):
    moving the first shooting day must move the declaration's window, and the dossier's own stays."""
    dossier = feature_film(None)
    as_of = Options(dt.date(2025, 10, 15))

    def declaration(evaluation):
        window = evaluation.ctx.windows["AID-RSE-DECLARATION"]
        return window.state, window.due, evaluation.ctx.status_reasons.get("AID-RSE-DECLARATION")

    assert declaration(ENGINE.evaluate(dossier, as_of)) == ("closed", dt.date(2025, 3, 2), "proof_only")
    later = ENGINE.with_facts(dossier, {"dates.first_shooting_day": dt.date(2025, 12, 1)})
    assert declaration(ENGINE.evaluate(later, as_of)) == ("open", dt.date(2025, 11, 30), None)
    assert declaration(ENGINE.evaluate(dossier, as_of)) == ("closed", dt.date(2025, 3, 2), "proof_only")
