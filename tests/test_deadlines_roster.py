"""Deadlines person by person (docs/ruleset-format.md §4): each child's authorisation is due before
*their* hiring, counted from a date field of the list of children.

A toy referential shaped like CCNPC title III art. 5.2: one authorisation per child, due the day
before the child's hiring, applied for a month earlier (the prefect's month); without the list,
the first shooting day stands for the hiring date."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from icalendar import Calendar

from raccord.cli.calendar_ics import render_ics
from raccord.cli.render_calendar import calendar_text
from raccord.cli.render_text import missing_lines
from raccord.engine import InputError, evaluate
from raccord.engine.calendar import calendar_document
from raccord.engine.plan import make_plan, parse_target
from raccord.engine.report import missing_items

from .support import FACTS, criterion, dossier_of, library_of, ruleset_yaml

CHILDREN = {"type": "collection", "ref_pattern": "^E-[0-9]{2}$", "title": {"fr": "Enfants", "en": "Children"},
            "fields": {"age": {"type": "integer", "min": 0, "max": 15, "title": {"fr": "Âge", "en": "Age"}},
                       "hiring_date": {"type": "date", "title": {"fr": "Embauche", "en": "Hiring"}}}}
CATALOGUE = {**FACTS, "roster.children": CHILDREN, "toy.charter": {"type": "boolean", "title": {"fr": "Charte", "en": "Charter"}}}
SOURCE = "source: {document: src, section: 'Titre III art. 5.2'}"
DUE = ("{date: roster.children, field: hiring_date, otherwise_date: dates.first_shooting_day, offset_days: -1, "
       f"lead_days: 30, {SOURCE}}}")
POLICY = "{kind: threshold, threshold: [{value: 1, inclusive: true, source: {document: src, section: '§1'}}]}"
AUTH = criterion("T-AUTH", "{every: roster.children, satisfies: {member_evidence: prefect_authorisation}, "
                 "otherwise: {evidence: prefect_authorisation}}", evidence=["prefect_authorisation"], points=1,
                 due=DUE)
OTHER = criterion("T-OTHER", "{fact: toy.charter}", points=1,  # stated false before its date: pending, after: lost
                  due=f"{{date: dates.first_shooting_day, offset_days: -1, {SOURCE}}}")
LIBRARY = library_of(ruleset_yaml("kids", POLICY, [AUTH, OTHER]), facts=CATALOGUE)
SHOOT = "2025-03-03"


def run(as_of: str, members: list[dict] | None, evidence: list[dict] | None = None, charter: bool | None = None):
    facts: dict = {"dates": {"first_shooting_day": SHOOT}, **({"toy": {"charter": charter}} if charter is not None else {})}
    if members is not None:
        facts["roster"] = {"children": {"complete": True, "members": members}}
    dossier = dossier_of(LIBRARY, facts, evidence=evidence)
    return evaluate(LIBRARY, dossier, dt.date.fromisoformat(as_of))


TWO = [{"ref": "E-01", "age": 9, "hiring_date": "2025-02-24"}, {"ref": "E-02", "age": 12, "hiring_date": "2025-04-07"}]


def authorised(ref: str, collected: str = "2025-01-05") -> dict:
    return {"id": f"EV-{ref}", "kind": "prefect_authorisation", "member": ref, "collected": collected}


def auth(items: list[dict]) -> dict:
    return next(i for i in items if i["criterion"] == "T-AUTH")


def test_each_child_has_a_window_counted_from_their_own_hiring_date():
    windows = run("2025-01-10", TWO).ctx.windows
    first, second = windows["T-AUTH@E-01"], windows["T-AUTH@E-02"]
    assert (first.due, first.start_by, first.state) == (dt.date(2025, 2, 23), dt.date(2025, 1, 24), "open")
    assert (second.due, second.start_by, second.member) == (dt.date(2025, 4, 6), dt.date(2025, 3, 7), "E-02")
    assert [w.member for w in windows.members("T-AUTH")] == ["E-01", "E-02"]
    # the criterion's window is its most urgent member's: the first child, hired first
    assert (windows["T-AUTH"].member, windows["T-AUTH"].due) == ("E-01", dt.date(2025, 2, 23))


def test_a_child_whose_papers_are_in_no_longer_sets_the_criterion_s_date():
    evaluation = run("2025-02-10", TWO, [authorised("E-01")])
    window = evaluation.ctx.windows["T-AUTH"]
    assert (window.member, window.due, window.state) == ("E-02", dt.date(2025, 4, 6), "open")
    assert evaluation.status("T-AUTH") == "unknown" and evaluation.ctx.status_reasons.get("T-AUTH") is None
    done = run("2025-02-10", TWO, [authorised("E-01"), authorised("E-02")])
    assert done.status("T-AUTH") == "met"


def test_a_child_s_closed_window_makes_the_criterion_proof_only_while_the_other_is_still_open():
    evaluation = run("2025-03-10", TWO)  # after E-01's hiring, before E-02's
    windows = evaluation.ctx.windows
    assert (windows["T-AUTH@E-01"].state, windows["T-AUTH@E-02"].state) == ("closed", "closing")  # E-02: apply now
    assert windows["T-AUTH"].member == "E-01" and windows["T-AUTH"].state == "closed"
    assert evaluation.status("T-AUTH") == "unknown"  # a missing authorisation is never false: it can be proved
    assert evaluation.ctx.status_reasons["T-AUTH"] == "proof_only"


def test_a_child_without_a_hiring_date_has_an_unknown_window_never_closed():
    members = [{"ref": "E-01", "age": 9}, {"ref": "E-02", "age": 12, "hiring_date": "2025-04-07"}]
    late = run("2026-01-01", members)
    assert late.ctx.windows["T-AUTH@E-01"].state == "unknown_date"
    assert late.ctx.windows["T-AUTH"].member == "E-02"  # the known date decides
    only_unknown = run("2026-01-01", members[:1])
    window = only_unknown.ctx.windows["T-AUTH"]
    assert window.state == "unknown_date" and only_unknown.ctx.status_reasons.get("T-AUTH") is None
    item = auth(missing_items(only_unknown))
    assert missing_lines([item], "fr", None)[2] == "    date limite inconnue : renseigner roster.children.hiring_date de E-01"


def test_without_the_list_the_first_shooting_day_stands_for_the_hiring_date():
    window = run("2025-01-10", None).ctx.windows["T-AUTH"]
    assert (window.due, window.member, window.deadline.date) == (dt.date(2025, 3, 2), None, "dates.first_shooting_day")
    assert run("2025-01-10", []).ctx.windows["T-AUTH"].state == "unknown_date"  # a list with nobody: no date


def test_missing_lists_each_child_s_due_date_most_urgent_first():
    evaluation = run("2025-01-10", list(reversed(TWO)))
    item = auth(missing_items(evaluation))
    assert [(m["member"], m["due"], m["start_by"]) for m in item["members_due"]] == [
        ("E-01", "2025-02-23", "2025-01-24"), ("E-02", "2025-04-06", "2025-03-07")]
    lines = missing_lines([item], "fr", None)
    assert lines[3:5] == ["      E-01 : à faire avant le 23/02/2025 — dans 44 jours, à commencer au plus tard le 24/01/2025",
                          "      E-02 : à faire avant le 06/04/2025 — dans 86 jours, à commencer au plus tard le 07/03/2025"]
    one_done = auth(missing_items(run("2025-01-10", TWO, [authorised("E-01")])))
    assert [m["member"] for m in one_done["members_due"]] == ["E-02"]


def test_the_calendar_has_one_event_per_child_by_reference_only():
    evaluation = run("2025-01-10", TWO, [authorised("E-02")])
    doc = calendar_document(evaluation, "test")
    deadlines = [e for e in doc["entries"] if e.get("criterion") == "T-AUTH"]
    assert [(e["member"], e["date"], e["status"]) for e in deadlines] == [
        ("E-01", "2025-02-23", "unknown"), ("E-02", "2025-04-06", "met")]
    events = {str(e["UID"]): e for e in Calendar.from_ical(render_ics(doc, "fr")).walk("VEVENT")}
    first = events["T-AUTH@E-01.test.raccord"]
    assert first.decoded("DTSTART") == dt.date(2025, 2, 23) and str(first["SUMMARY"]).startswith("T-AUTH — E-01 — ")
    assert first.walk("VALARM")  # a reminder at the lead time for the child still without papers
    assert not events["T-AUTH@E-02.test.raccord"].walk("VALARM")  # done: no reminder
    assert "- 23/02/2025 (dans 44 jours) — Échéance T-AUTH — E-01 T-AUTH — inconnu" in calendar_text(doc, "fr")


def test_the_plan_orders_the_children_s_step_by_its_most_urgent_child():
    evaluation = run("2025-01-10", TWO)
    target = parse_target(evaluation.library, "kids")
    # E-01's application must start by 24/01, before the charter due by 02/03
    assert make_plan(evaluation, target).items == ["T-AUTH", "T-OTHER"]
    item = auth(missing_items(evaluation))
    assert item["due"]["member"] == "E-01" and item["due"]["start_by"] == "2025-01-24"
    # E-01's papers are in: what is left is E-02's, to start by 07/03, after the charter
    later = run("2025-01-10", TWO, [authorised("E-01")])
    assert make_plan(later, target).items == ["T-OTHER", "T-AUTH"]


@pytest.mark.parametrize(("due", "message"), [
    ("{date: roster.children, " + SOURCE + "}", "name the date field of its members"),
    ("{date: roster.children, field: age, " + SOURCE + "}",
     "a deadline counts from a date field; 'roster.children.age' is integer"),
    ("{date: roster.children, field: hiring, " + SOURCE + "}", "unknown field 'hiring' of roster.children"),
    ("{date: dates.wrap, field: hiring_date, " + SOURCE + "}", "`field` counts from the members of a list of persons"),
    ("{date: roster.children, field: hiring_date, otherwise_date: work.type, " + SOURCE + "}",
     "`otherwise_date` is a date fact; 'work.type' is enum"),
])
def test_a_deadline_over_a_list_checks_its_list_and_field_at_load(due, message):
    bad = criterion("T-AUTH", "{evidence: prefect_authorisation}", evidence=["prefect_authorisation"], points=1, due=due)
    with pytest.raises(InputError) as raised:
        library_of(ruleset_yaml("kids", POLICY, [bad]), facts=CATALOGUE)
    assert message in str(raised.value) and ":" in raised.value.where


def test_a_hiring_date_on_1_march_of_a_leap_year_is_due_on_29_february():
    window = run("2024-01-10", [{"ref": "E-01", "hiring_date": "2024-03-01"}]).ctx.windows["T-AUTH@E-01"]
    assert (window.due, window.start_by) == (dt.date(2024, 2, 29), dt.date(2024, 1, 30))  # 30 calendar days


hiring = hs.one_of(hs.none(), hs.dates(min_value=dt.date(2024, 12, 1), max_value=dt.date(2025, 6, 30)))


@settings(max_examples=60, deadline=None)
@given(hs.lists(hs.tuples(hiring, hs.booleans()), min_size=1, max_size=3),
       hs.dates(min_value=dt.date(2024, 11, 1), max_value=dt.date(2025, 8, 31)), hs.one_of(hs.none(), hs.booleans()))
def test_check_and_plan_agree_child_by_child(children, as_of, charter):
    """For any list of children (hiring date known or not, papers in or not), any date: the plan is
    feasible exactly when `check` does not call the target impossible, it never proposes a step whose
    window has closed as something to do, and a child without a hiring date never has a closed window."""
    members = [{"ref": f"E-{i + 1:02d}", **({"hiring_date": day.isoformat()} if day else {})}
               for i, (day, _) in enumerate(children)]
    evidence = [authorised(m["ref"], "2024-10-01") for m, (_, done) in zip(members, children, strict=True) if done]
    evaluation = run(as_of.isoformat(), members, evidence, charter)
    decision = evaluation.outcome("kids")["decision"]
    plan = make_plan(evaluation, parse_target(evaluation.library, "kids"))
    assert (decision == "not_eligible") == (not plan.feasible), (decision, plan.blockers)
    windows = evaluation.ctx.windows
    for cid in plan.items:
        assert windows[cid].state != "closed" or evaluation.status(cid) == "unknown"  # only to prove
    for member, (day, _) in zip(members, children, strict=True):
        window = windows[f"T-AUTH@{member['ref']}"]
        assert (window.state == "unknown_date") == (day is None)
    pending = [windows[f"T-AUTH@{m['ref']}"] for m, (day, done) in zip(members, children, strict=True) if not done and day]
    if pending:  # the criterion's window is the most urgent child's still without papers
        assert windows["T-AUTH"].start_by == min(w.start_by for w in pending)
