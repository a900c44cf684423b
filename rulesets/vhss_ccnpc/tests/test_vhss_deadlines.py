"""Deadlines of the VHSS ruleset that a YAML case cannot see: the reason and the due date.

A YAML case asserts statuses, and a missing piece of evidence is `unknown` on both sides of the
deadline; what changes is why (pending before, proof only after) and the due date shown.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from raccord.engine import load_library
from raccord.engine.evaluate import evaluate
from raccord.engine.testcases import build_case_dossier, load_cases

HERE = Path(__file__).parent
PREFECT, MEDICAL = "VHSS-T3-5.2-PREFECT-AUTHORISATION", "VHSS-T3-5.3-MEDICAL-EXAM"


@cache
def library():
    return load_library(HERE.parent.parent)


def run(index: int):
    case = load_cases(HERE / "deadlines.yaml")[index]
    dossier = build_case_dossier(case, library(), HERE, ["vhss_ccnpc"], case.name)
    return evaluate(library(), dossier, case.as_of, ["vhss_ccnpc"])


def test_before_the_first_shooting_day_the_child_s_papers_are_pending_and_the_authorisation_is_closing_first():
    ctx = run(0).ctx
    assert ctx.status_reasons.get(PREFECT) is None and ctx.status_reasons.get(MEDICAL) is None  # unknown of their own
    auth, exam = ctx.windows[PREFECT], ctx.windows[MEDICAL]
    assert (auth.state, auth.due, auth.start_by) == ("open", dt.date(2025, 5, 11), dt.date(2025, 4, 11))
    assert (exam.state, exam.due, exam.start_by) == ("open", dt.date(2025, 5, 11), dt.date(2025, 5, 11))


def test_after_the_first_shooting_day_they_can_only_be_proved():
    ctx = run(1).ctx
    assert ctx.windows[PREFECT].state == ctx.windows[MEDICAL].state == "closed"
    assert ctx.status_reasons[PREFECT] == ctx.status_reasons[MEDICAL] == "proof_only"


def test_two_children_hired_on_different_days_each_have_their_own_deadline():
    """The feature film with a second child, hired for the last weeks of the shoot: each child's
    authorisation is due the day before their own hiring (CCNPC titre III art. 5.2, l. 6090-6100)."""
    from raccord.engine import Engine

    example = HERE.parents[2] / "examples" / "long_metrage"
    text = (example / "dossier.yaml").read_text(encoding="utf-8")
    child = "      - {ref: E-01, age: 14, hiring_date: 2025-02-24}\n"
    assert child in text
    text = text.replace(child, child + "      - {ref: E-02, age: 8, hiring_date: 2025-04-01}\n")
    text = text.replace("    under_16: 1\n", "    under_16: 2\n", 1)
    engine = Engine.load()
    evaluation = engine.evaluate(engine.dossier_from_text(text, "dossier.yaml", example), dt.date(2025, 2, 10))
    windows = evaluation.ctx.windows
    first, second = windows[f"{PREFECT}@E-01"], windows[f"{PREFECT}@E-02"]
    assert (first.due, first.start_by, first.state) == (dt.date(2025, 2, 23), dt.date(2025, 1, 24), "closing")
    assert (second.due, second.start_by, second.state) == (dt.date(2025, 3, 31), dt.date(2025, 3, 1), "open")
    assert windows[PREFECT].member == "E-01"  # the criterion's: the most urgent child
    exam = windows[f"{MEDICAL}@E-02"]
    assert (exam.due, exam.start_by) == (dt.date(2025, 3, 31), dt.date(2025, 3, 31))  # no lead time
    item = next(i for i in engine.missing(evaluation) if i["criterion"] == PREFECT)
    assert [m["member"] for m in item["members_due"]] == ["E-01", "E-02"]
