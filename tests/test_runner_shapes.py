"""Rulesets shaped to reach each branch of the generated runner (engine/codegen.py): a ruleset that
ends with criteria sharing one `applies_if` (one test of it for the group), and criteria with dates
of their own (`valid_from` / `valid_until`), in the runner for the usual dossier and in the one for
a dossier that declines a criterion of the ruleset."""

from __future__ import annotations

import datetime as dt

import pytest

from raccord.engine import evaluate
from raccord.engine import status as s

from .support import DAY, criterion, dossier_of, library_of, ruleset_yaml

LIVE = "{fact: work.live_action}"
SHARED_LAST = ruleset_yaml("r", "{kind: obligations}", [
    criterion("T-01", "{fact: company.headcount, gte: 1}", mandatory="true"),
    criterion("T-02", "{fact: team.total, gte: 5}", mandatory="true", applies_if=LIVE),
    criterion("T-03", "{fact: team.women, gte: 2}", mandatory="true", applies_if=LIVE),
])


@pytest.mark.parametrize(("live", "expected"), [
    (False, [s.NOT_APPLICABLE, s.NOT_APPLICABLE]),
    (None, [s.UNKNOWN, s.UNKNOWN]),
    (True, [s.MET, s.NOT_MET]),
])
def test_a_ruleset_ending_with_criteria_sharing_their_applies_if(live, expected):
    library = library_of(SHARED_LAST)
    facts = {"company.headcount": 3, "team.total": 8, "team.women": 1}
    if live is not None:
        facts["work.live_action"] = live
    evaluation = evaluate(library, dossier_of(library, facts), DAY)
    assert [evaluation.status(cid) for cid in ("T-01", "T-02", "T-03")] == [s.MET, *expected]
    if live is False:
        assert evaluation.ctx.na_reasons["T-03"] == s.NA_CONDITION
    decision = {False: s.COMPLIANT, None: s.UNDETERMINED, True: s.NOT_COMPLIANT}[live]
    assert evaluation.outcome("r")["decision"] == decision


DATED = ruleset_yaml("r", "{kind: obligations}", [
    criterion("T-01", "{fact: company.headcount, gte: 1}", mandatory="true"),
    criterion("T-02", "{fact: company.headcount, gte: 1}", mandatory="true", valid_until="2025-03-31"),
    criterion("T-03", "{fact: company.headcount, gte: 1}", mandatory="true", valid_from="2025-04-01"),
    criterion("T-04", "{fact: company.headcount, gte: 1}", mandatory="true", valid_from="2025-01-01",
              valid_until="2025-12-31"),
])


@pytest.mark.parametrize("declines", [False, True])
@pytest.mark.parametrize(("day", "in_force"), [
    (dt.date(2024, 12, 31), {"T-02": True, "T-03": False, "T-04": False}),
    (dt.date(2025, 3, 31), {"T-02": True, "T-03": False, "T-04": True}),  # the last day is still in force
    (dt.date(2025, 4, 1), {"T-02": False, "T-03": True, "T-04": True}),
    (dt.date(2026, 1, 1), {"T-02": False, "T-03": True, "T-04": False}),
])
def test_criteria_in_force_between_their_own_dates(day, in_force, declines):
    library = library_of(DATED)
    extra = {"declined": {"T-01": "pas cette fois"}} if declines else {}  # the runner for marked dossiers
    evaluation = evaluate(library, dossier_of(library, {"company.headcount": 2}, **extra), day)
    assert evaluation.status("T-01") == (s.NOT_MET if declines else s.MET)
    for cid, live in in_force.items():
        assert evaluation.status(cid) == (s.MET if live else s.NOT_APPLICABLE), (cid, day)
        assert (evaluation.ctx.na_reasons.get(cid) == s.NA_NOT_IN_FORCE) != live
