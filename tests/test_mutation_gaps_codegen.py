"""The generated runner (engine/codegen.py) on the shapes of ruleset that its speed-ups treat apart:
criteria of one section sharing an `applies_if` (one test for the group) when the whole ruleset is
that section or when those criteria carry dates of their own, and a condition form whose template
does not fit its shape (a mistake in a new form, refused when generating rather than miscompiled).
Mutants of codegen.py survived the language tests on each: the statuses were right on the bundled
rulesets, not on these."""

from __future__ import annotations

import datetime as dt

import pytest

from raccord.engine import conditions as cn
from raccord.engine import evaluate
from raccord.engine import status as s
from raccord.engine import template as tp
from raccord.engine.codegen import standalone

from .support import DAY, criterion, dossier_of, library_of, ruleset_yaml

LIVE = "{fact: work.live_action}"
# every criterion of the ruleset applies to live action only: one section, one test of it
SECTION = library_of(ruleset_yaml("r", "{kind: obligations}", [
    criterion("T-01", "{fact: company.headcount, gte: 1}", mandatory="true", applies_if=LIVE),
    criterion("T-02", "{fact: team.total, gte: 5}", mandatory="true", applies_if=LIVE),
    criterion("T-03", "{fact: team.women, gte: 2}", mandatory="true", applies_if=LIVE),
]))


@pytest.mark.parametrize(("live", "expected"), [
    (False, [s.NOT_APPLICABLE] * 3),
    (None, [s.UNKNOWN] * 3),
    (True, [s.MET, s.MET, s.NOT_MET]),
])
def test_a_ruleset_whose_criteria_all_share_their_applies_if(live, expected):
    facts = {"company": {"headcount": 3}, "team": {"total": 8, "women": 1}}
    if live is not None:
        facts["work"] = {"live_action": live}
    evaluation = evaluate(SECTION, dossier_of(SECTION, facts), DAY)
    assert [evaluation.status(cid) for cid in ("T-01", "T-02", "T-03")] == expected


# two sections of dated criteria sharing an `applies_if`: a criterion's own dates come before it
DATED = library_of(ruleset_yaml("r", "{kind: obligations}", [
    criterion("T-NEW-1", "{fact: company.headcount, gte: 1}", mandatory="true", applies_if=LIVE, valid_from="2025-04-01"),
    criterion("T-NEW-2", "{fact: team.total, gte: 1}", mandatory="true", applies_if=LIVE, valid_from="2025-04-01"),
    criterion("T-OLD-1", "{fact: company.headcount, gte: 1}", mandatory="true", applies_if=LIVE, valid_until="2025-03-31"),
    criterion("T-OLD-2", "{fact: team.total, gte: 1}", mandatory="true", applies_if=LIVE, valid_until="2025-03-31"),
]))


@pytest.mark.parametrize(("day", "new", "old"), [
    (dt.date(2025, 3, 31), s.NOT_APPLICABLE, s.MET),
    (dt.date(2025, 4, 1), s.MET, s.NOT_APPLICABLE),
])
def test_criteria_sharing_their_applies_if_keep_their_own_dates(day, new, old):
    dossier = dossier_of(DATED, {"work": {"live_action": True}, "company": {"headcount": 2}, "team": {"total": 4}})
    evaluation = evaluate(DATED, dossier, day)
    assert [evaluation.status(cid) for cid in ("T-NEW-1", "T-NEW-2", "T-OLD-1", "T-OLD-2")] == [new, new, old, old]
    not_in_force = [cid for cid, reason in evaluation.ctx.na_reasons.items() if reason == s.NA_NOT_IN_FORCE]
    assert not_in_force == (["T-NEW-1", "T-NEW-2"] if new == s.NOT_APPLICABLE else ["T-OLD-1", "T-OLD-2"])


class _ConstantInsteadOfChild(cn.Not):
    def template(self) -> cn.Template:
        return cn.NOT, ((tp.const, 2),)  # a value where the shape wants a sub-condition


class _OneHoleTooMany(cn.Not):
    def template(self) -> cn.Template:
        return cn.NOT, (self.child, self.child)


@pytest.mark.parametrize("form", [_ConstantInsteadOfChild, _OneHoleTooMany])
def test_a_form_whose_holes_do_not_fit_its_shape_is_refused_when_generating(form):
    with pytest.raises(TypeError, match=f"{form.__name__}: its holes do not fit the shape"):
        standalone(form(cn.FactTest("work.live_action", "is_true")))
