"""Deadlines by a stage and on one evidence piece (docs/ruleset-format.md §4), "not yet" versus
"never" for a fact stated false, and boundary dates.

The toy label below is shaped like Ecoprod's process: actions of the stage « before filming » due
the day before the first shooting day, those of « during filming » by the wrap, an action due
three days after the wrap by that stage (`due: {stage: ...}`), a final footprint whose forecast
piece is due with the production budget, and one action with no deadline at all."""

from __future__ import annotations

import datetime as dt

import pytest

from raccord.engine import InputError, evaluate
from raccord.engine.calendar import calendar_document
from raccord.engine.plan import make_plan, parse_target

from .support import FACTS, dossier_of, library_of, ruleset_yaml

SOURCE = "source: {document: src, section: 'Étape 1'}"
STAGES = f"""stages:
  - id: before
    title: {{fr: Avant le tournage, en: Before filming}}
    due: {{date: dates.first_shooting_day, offset_days: -1, {SOURCE}}}
  - id: during
    title: {{fr: Pendant le tournage, en: During filming}}
    reached_if: {{fact: dates.first_shooting_day, lte: {{as_of: 0}}}}
    due: {{date: dates.wrap, {SOURCE}}}
  - id: after
    title: {{fr: Après le tournage, en: After filming}}
    reached_if: {{fact: dates.wrap, lt: {{as_of: 0}}}}"""


def criterion(cid: str, requires: str, **extra: str) -> str:
    """A criterion of the toy label; `evidence` is given as written in a ruleset (a YAML flow list)."""
    lines = [f"- id: {cid}", f"  title: {{fr: '{cid}', en: '{cid}'}}", "  group: g", f"  requires: {requires}",
             "  source: {document: src, section: '§1'}", "  provenance: reconstructed"]
    return "\n".join(lines + [f"  {key}: {value}" for key, value in extra.items()])


ITEMS = {k: {"type": "boolean", "title": {"fr": k, "en": k}} for k in ("toy.a", "toy.b", "toy.c", "toy.d")}
FACTS_WITH = {**FACTS, **ITEMS, "dates.budget": {"type": "date", "title": {"fr": "Devis", "en": "Budget"}}}
POLICY = "{kind: threshold, threshold: [{value: 0.5, inclusive: true, source: {document: src, section: '§1'}}]}"
FOOTPRINT = ("[{kind: forecast, description: {fr: Prévisionnel, en: Forecast}, due: {date: dates.budget, "
             f"{SOURCE}}}}}, {{kind: final, description: {{fr: Définitif, en: Final}}}}]")
CRITERIA = [
    criterion("S-BEFORE", "{fact: toy.a}", points=1, stage="before"),
    criterion("S-DURING", "{fact: toy.b}", points=1, stage="during"),
    criterion("S-REPORT", "{fact: toy.c}", points=1, stage="after", due=f"{{stage: during, offset_days: 3, {SOURCE}}}"),
    criterion("S-NONE", "{fact: toy.d}", points=1, stage="after"),
    criterion("S-FOOT", "{all: [{evidence: forecast}, {evidence: final}]}", points=1, stage="after", evidence=FOOTPRINT),
]
LIBRARY = library_of(ruleset_yaml("toy", POLICY, CRITERIA, STAGES), facts=FACTS_WITH)
DATES = {"first_shooting_day": "2025-03-03", "wrap": "2025-04-18", "budget": "2025-01-20"}


def run(as_of: str, evidence: list | None = None, dates: dict | None = None, **toy: bool):
    dossier = dossier_of(LIBRARY, {"dates": DATES if dates is None else dates, "toy": toy}, evidence=evidence)
    return evaluate(LIBRARY, dossier, dt.date.fromisoformat(as_of))


def test_a_criterion_is_due_by_the_end_of_its_stage_unless_it_says_otherwise():
    windows = run("2025-02-01").ctx.windows
    before = windows["S-BEFORE"]
    assert (before.due, before.implicit, before.stage) == (dt.date(2025, 3, 2), True, "before")
    assert windows["S-DURING"].due == dt.date(2025, 4, 18)
    # `due: {stage: during, offset_days: 3}`: three calendar days after the end of the shoot, not implicit
    assert (windows["S-REPORT"].due, windows["S-REPORT"].implicit) == (dt.date(2025, 4, 21), False)
    assert windows["S-REPORT"].as_dict()["stage"] == "during" and "implicit" not in windows["S-REPORT"].as_dict()
    assert "S-NONE" not in windows  # its stage has no due date: no window, never closed


def test_a_false_fact_is_pending_before_its_stage_ends_and_final_after_it():
    before = run("2025-02-01", a=False, b=False, c=False, d=False)
    assert [before.status(c) for c in ("S-BEFORE", "S-DURING", "S-REPORT")] == ["unknown"] * 3
    assert {before.ctx.status_reasons[c] for c in ("S-BEFORE", "S-DURING", "S-REPORT")} == {"not_yet_due"}
    # no deadline at all: a false is a fact about the production, final
    assert before.status("S-NONE") == "not_met" and "S-NONE" not in before.ctx.status_reasons
    shoot = run("2025-03-10", a=False, b=False, c=False, d=False)
    assert shoot.status("S-BEFORE") == "not_met" and shoot.ctx.status_reasons["S-BEFORE"] == "deadline_passed"
    assert shoot.status("S-DURING") == "unknown"  # the shoot is not over
    after = run("2025-04-20", a=False, b=False, c=False, d=False)
    assert after.status("S-DURING") == "not_met" and after.status("S-REPORT") == "unknown"  # due 21/04
    assert run("2025-04-22", c=False).status("S-REPORT") == "not_met"


def test_the_plan_counts_on_what_is_pending_and_blocks_on_what_is_final():
    target = parse_target(LIBRARY, "toy")
    early = run("2025-02-01", a=False, b=False, c=True, d=False)
    plan = make_plan(early, target)
    assert early.outcome("toy")["decision"] == "undetermined" and plan.feasible  # 3 of 5 still possible
    assert plan.items == ["S-BEFORE", "S-DURING"]  # pending, by latest start; S-NONE (false, no deadline) never
    late = run("2025-04-20", a=False, b=False, c=True, d=False)
    assert late.outcome("toy")["decision"] == "not_eligible"  # 1 of 5 met, 1 still possible: below 50 %
    blocked = make_plan(late, target)
    assert not blocked.feasible and {"S-BEFORE", "S-DURING", "S-NONE"}.isdisjoint(blocked.items)
    assert [b["reason"] for b in blocked.blockers] == ["score_unreachable"]


def test_an_evidence_piece_has_its_own_window_beside_its_criterion():
    evaluation = run("2025-02-01", evidence=[{"id": "EV-1", "kind": "final", "collected": "2025-01-05"}])
    piece = evaluation.ctx.windows["S-FOOT#forecast"]
    assert (piece.state, piece.due, piece.kind) == ("closed", dt.date(2025, 1, 20), "forecast")
    assert "S-FOOT#final" not in evaluation.ctx.windows  # that piece has neither a due date nor a stage
    assert evaluation.status("S-FOOT") == "unknown"  # a missing piece is unknown, never false
    doc = calendar_document(evaluation, "test")
    entry = next(e for e in doc["entries"] if e.get("piece") == "forecast")
    assert (entry["criterion"], entry["date"], entry["window"]) == ("S-FOOT", "2025-01-20", "closed")
    assert [e["kind"] for e in entry["evidence_expected"]] == ["forecast"]
    from icalendar import Calendar

    from raccord.cli.calendar_ics import render_ics

    events = {str(e["UID"]): e for e in Calendar.from_ical(render_ics(doc, "fr")).walk("VEVENT")}
    piece = events["S-FOOT.forecast@test.raccord"]  # beside the criterion's own event, never in its place
    assert piece.decoded("DTSTART") == dt.date(2025, 1, 20) and "pièce : forecast" in str(piece["SUMMARY"])


def test_a_due_date_on_the_evaluation_date_is_still_on_time():
    window = run("2025-03-02", a=False).ctx.windows["S-BEFORE"]
    assert (window.state, window.days_left) == ("closing", 0)
    assert run("2025-03-02", a=False).status("S-BEFORE") == "unknown"  # still pending on its last day
    assert run("2025-03-03", a=False).status("S-BEFORE") == "not_met"


@pytest.mark.parametrize(("first_day", "due"), [
    ("2024-03-01", dt.date(2024, 2, 29)),  # a leap year: the day before 1 March is the 29th
    ("2025-03-01", dt.date(2025, 2, 28)),
    ("2024-01-01", dt.date(2023, 12, 31)),  # across a year
])
def test_the_day_before_counts_calendar_days(first_day, due):
    assert run("2023-06-01", dates={**DATES, "first_shooting_day": first_day}).ctx.windows["S-BEFORE"].due == due


def test_days_after_a_stage_count_calendar_days_across_a_leap_february():
    leap = run("2023-06-01", dates={**DATES, "wrap": "2024-02-20"}).ctx.windows["S-REPORT"].due
    common = run("2023-06-01", dates={**DATES, "wrap": "2025-02-27"}).ctx.windows["S-REPORT"].due
    assert (leap, common) == (dt.date(2024, 2, 23), dt.date(2025, 3, 2))


def test_an_unknown_stage_date_leaves_its_criteria_pending():
    evaluation = run("2030-01-01", dates={}, a=False)
    assert evaluation.ctx.windows["S-BEFORE"].state == "unknown_date"
    assert evaluation.status("S-BEFORE") == "unknown" and evaluation.ctx.status_reasons["S-BEFORE"] == "not_yet_due"


@pytest.mark.parametrize(("stages", "crits", "message", "where"), [
    (STAGES, [criterion("T-X", "{fact: toy.a}", points=1, due=f"{{stage: durng, {SOURCE}}}")],
     "unknown stage 'durng'", "criteria.0.due.stage"),
    (STAGES, [criterion("T-X", "{fact: toy.a}", points=1, due=f"{{stage: after, {SOURCE}}}")],
     "stage 'after' has no due date", "criteria.0.due.stage"),
    (STAGES.replace("due: {date: dates.wrap,", "due: {stage: before,"), [criterion("T-X", "{fact: toy.a}", points=1)],
     "the due date of stage during counts from a date fact", "stages.1.due"),
    (STAGES.replace("date: dates.wrap", "date: toy.a"), [criterion("T-X", "{fact: toy.a}", points=1)],
     "a deadline counts from a date fact; 'toy.a' is boolean", "stages.1.due.date"),
    (STAGES, [criterion("T-X", "{evidence: f}", points=1, evidence="[{kind: f, description: {fr: F, en: F}, "
                        f"due: {{date: dates.bugdet, {SOURCE}}}}}]")], "unknown fact 'dates.bugdet'",
     "criteria.0.evidence.0.due.date"),
    (STAGES, [criterion("T-X", "{evidence: f}", points=1, evidence="[{kind: f, description: {fr: F, en: F}, "
                        "due: {every_months: 12, evidence: f, source: {document: src, section: '§'}}}]")],
     "an evidence piece's deadline counts from a date fact or a stage", "criteria.0.evidence.0.due"),
    (STAGES.replace("due: {date: dates.wrap, source: {document: src", "due: {date: dates.wrap, source: {document: nope"),
     [criterion("T-X", "{fact: toy.a}", points=1)], "unknown source document 'nope'", "stages.1.due.source.document"),
])
def test_a_wrong_deadline_is_a_located_load_error(stages, crits, message, where):
    text = ruleset_yaml("toy", POLICY, crits, stages)
    with pytest.raises(InputError) as info:
        library_of(text, facts=FACTS_WITH)
    assert message in info.value.message
    line, col = info.value.where.split(":")[1:3]
    located = text.splitlines()[int(line) - 1]
    assert info.value.where.startswith("ruleset0.yaml:"), info.value.where
    assert located[int(col) - 1:].startswith(where.rsplit(".", 1)[1] + ":"), (where, located)  # on the key at fault
