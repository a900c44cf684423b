"""What the condition language shows beside a status, on a toy crew list (docs/ruleset-format.md §6.1):
the explanation of a member's evidence and missing fields (`raccord explain --format json`), the
facts a criterion reports missing (`raccord missing`), those `raccord init` asks for, and the located
errors of badly written roster conditions. Mutants of engine/conditions.py (bench/mutation.py)
survived the roster tests on each of them: the status was right, what the user reads was not."""

from __future__ import annotations

import datetime as dt

import pytest

from raccord.engine import InputError, evaluate
from raccord.engine.findings import criterion_findings
from raccord.engine.questions import applicable_facts
from raccord.engine.ranges import MAX_CONDITION_DEPTH

from .support import FACTS, criterion, dossier_of, library_of, ruleset_yaml

CREW = {"type": "collection", "ref_pattern": "^P-[0-9]{3}$", "title": {"fr": "Équipe", "en": "Crew"},
        "fields": {"on_set": {"type": "boolean", "title": {"fr": "Sur le plateau", "en": "On set"}},
                   "trained": {"type": "boolean", "title": {"fr": "Formé", "en": "Trained"}},
                   "module_date": {"type": "date", "title": {"fr": "Date du module", "en": "Module date"}}}}
CATALOGUE = {**FACTS, "roster.crew": CREW}
POLICY = "{kind: obligations}"
BADGE = criterion("T-BADGE", "{every: roster.crew, satisfies: {member_evidence: badge, max_age_days: 365}}",
                  evidence=["badge"])
TRAINED = criterion("T-TRAINED", "{every: roster.crew, where: {field: on_set}, satisfies: {field: trained}}")
FALLBACK = criterion("T-FALLBACK", "{every: roster.crew, satisfies: {field: trained}, otherwise: {fact: team.total, gte: 1}}")
MODULE = criterion("T-MODULE", "{every: roster.crew, satisfies: {field: module_date, lte: {fact: dates.first_shooting_day, "
                   "plus_days: 15}}}")
LIVE = criterion("T-LIVE", "{every: roster.crew, where: {all: [{fact: work.live_action}, {field: on_set}]}, "
                 "satisfies: {field: trained}}")
COUNTS = [criterion("T-HEADS", "{count: roster.crew, gte: 3}"),
          criterion("T-STAFFED", "{count: roster.crew, gte: {fact: team.total}}"),
          criterion("T-TWO-ON-SET", "{count: roster.crew, where: {field: on_set}, gte: 2}"),
          criterion("T-AT-MOST-ONE", "{count: roster.crew, where: {field: on_set}, lte: 1}"),
          criterion("T-FEWER-THAN-TWO", "{count: roster.crew, where: {field: on_set}, lt: 2}"),
          criterion("T-DATED", "{every: roster.crew, satisfies: {field: module_date, known: true}}")]
LIBRARY = library_of(ruleset_yaml("crew", POLICY, [BADGE, TRAINED, FALLBACK, MODULE, LIVE, *COUNTS]), facts=CATALOGUE)
AS_OF = dt.date(2025, 10, 15)


def run(members: list[dict] | None, evidence: list[dict] | None = None, facts: dict | None = None):
    facts = dict(facts or {})
    if members is not None:
        facts["roster"] = {"crew": {"complete": True, "members": members}}
    return evaluate(LIBRARY, dossier_of(LIBRARY, facts, evidence=evidence), AS_OF)


def member_detail(evaluation, cid: str, ref: str) -> dict:
    every = evaluation.explain(cid)["requires"]
    return next(m for m in every["member_details"] if m["ref"] == ref)


def test_a_members_badge_too_old_is_shown_as_too_old_beside_the_other_items():
    evidence = [{"id": "EV-OLD", "kind": "badge", "member": "P-001", "collected": "2024-01-10"},
                {"id": "EV-NEW", "kind": "badge", "member": "P-002", "collected": "2025-09-01"},
                {"id": "EV-ELSE", "kind": "badge", "member": "P-002", "collected": "2025-09-02"}]
    evaluation = run([{"ref": "P-001", "trained": True}, {"ref": "P-002", "trained": True}], evidence)
    assert evaluation.status("T-BADGE") == "unknown"  # a badge still to provide
    old = member_detail(evaluation, "T-BADGE", "P-001")["requires"]
    assert old["op"] == "member_evidence" and old["value"] == "unknown" and old["max_age_days"] == 365
    assert old["items"] == [{"id": "EV-OLD", "state": "too_old", "collected": "2024-01-10", "expires": None}]
    assert old["missing_evidence"] == "badge"
    # the old badge is P-001's only problem: the findings name it, not P-002's valid ones
    problems = criterion_findings(evaluation, "T-BADGE").evidence_problems
    assert [(p.id, p.state) for p in problems] == [("EV-OLD", "too_old")]


def test_every_member_with_a_recent_badge_meets_it():
    evidence = [{"id": "EV-1", "kind": "badge", "member": "P-001", "collected": "2025-03-10"},
                {"id": "EV-2", "kind": "badge", "member": "P-002", "collected": "2025-09-01", "criteria": ["T-BADGE"]},
                {"id": "EV-3", "kind": "badge", "member": "P-003", "collected": "2025-09-01", "criteria": ["T-TRAINED"]}]
    members = [{"ref": "P-001"}, {"ref": "P-002"}]
    evaluation = run(members, evidence[:2])
    assert evaluation.status("T-BADGE") == "met"
    every = evaluation.explain("T-BADGE")["requires"]  # the explanation agrees with the status
    assert (every["value"], every["failing"], every["undecided"]) == ("true", [], [])
    assert [m["value"] for m in every["member_details"]] == ["true", "true"]
    # an item given for another criterion only does not support this one
    assert run([*members, {"ref": "P-003"}], evidence).status("T-BADGE") == "unknown"


def test_a_member_field_known_or_not():
    dated = run([{"ref": "P-001", "module_date": "2025-09-01"}])
    assert dated.status("T-DATED") == "met" and dated.explain("T-DATED")["requires"]["value"] == "true"
    assert run([{"ref": "P-001", "module_date": "2025-09-01"}, {"ref": "P-002"}]).status("T-DATED") == "not_met"


@pytest.mark.parametrize(("cid", "members", "complete", "facts", "status"), [
    # at least 3 listed: 2 on a list that may name more is not decided, on a complete one it is false
    ("T-HEADS", [{"ref": "P-001"}, {"ref": "P-002"}], False, {}, "unknown"),
    ("T-HEADS", [{"ref": "P-001"}, {"ref": "P-002"}], True, {}, "not_met"),
    # as many as a fact says: unknown while it is not stated
    ("T-STAFFED", [{"ref": "P-001"}], True, {}, "unknown"),
    ("T-STAFFED", [{"ref": "P-001"}], True, {"team": {"total": 1}}, "met"),
    # one on set, one undecided: 1 or 2 on set
    ("T-TWO-ON-SET", [{"ref": "P-001", "on_set": True}, {"ref": "P-002"}], True, {}, "unknown"),
    ("T-TWO-ON-SET", [{"ref": "P-001", "on_set": True}, {"ref": "P-002", "on_set": True}], True, {}, "met"),
    ("T-AT-MOST-ONE", [{"ref": "P-001", "on_set": True}, {"ref": "P-002"}], True, {}, "unknown"),
    ("T-AT-MOST-ONE", [{"ref": "P-001", "on_set": True}, {"ref": "P-002", "on_set": False}], True, {}, "met"),
    ("T-AT-MOST-ONE", [{"ref": "P-001", "on_set": True}, {"ref": "P-002", "on_set": True}], True, {}, "not_met"),
    ("T-FEWER-THAN-TWO", [{"ref": "P-001", "on_set": True}, {"ref": "P-002", "on_set": True}], True, {}, "not_met"),
    ("T-FEWER-THAN-TWO", [{"ref": "P-001", "on_set": True}, {"ref": "P-002"}], True, {}, "unknown"),
    ("T-FEWER-THAN-TWO", [{"ref": "P-001", "on_set": False}, {"ref": "P-002"}], True, {}, "met"),
])
def test_a_count_is_decided_only_when_every_count_it_may_be_agrees(cid, members, complete, facts, status):
    dossier = dossier_of(LIBRARY, {**facts, "roster": {"crew": {"complete": complete, "members": members}}})
    assert evaluate(LIBRARY, dossier, AS_OF).status(cid) == status


def test_a_member_without_the_field_asked_is_explained_as_missing_it():
    evaluation = run([{"ref": "P-001", "on_set": True, "trained": True}, {"ref": "P-002", "on_set": True}])
    assert evaluation.status("T-TRAINED") == "unknown"
    test = member_detail(evaluation, "T-TRAINED", "P-002")["requires"]
    assert test == {"op": "field", "value": "unknown", "field": "trained", "test": "is_true", "seen": None,
                    "missing_field": "trained"}


def test_a_member_whose_where_is_undecided_is_reported_with_what_it_lacks():
    # whether the rule concerns P-002 depends on the kind of shoot, which the dossier does not state
    evaluation = run([{"ref": "P-001", "on_set": False}, {"ref": "P-002", "on_set": True, "trained": False}])
    assert evaluation.status("T-LIVE") == "unknown"
    detail = member_detail(evaluation, "T-LIVE", "P-002")
    assert detail["concerned"] == "unknown" and detail["where"]["children"][0]["missing_fact"] == "work.live_action"
    assert criterion_findings(evaluation, "T-LIVE").missing_facts == ("work.live_action",)
    # stated, the question is settled: P-002 is concerned and not trained
    stated = run([{"ref": "P-002", "on_set": True, "trained": False}], facts={"work": {"live_action": True}})
    assert stated.status("T-LIVE") == "not_met" and criterion_findings(stated, "T-LIVE").missing_facts == ()


def test_with_a_roster_no_roster_is_reported_missing():
    evaluation = run([{"ref": "P-001", "on_set": True}])  # whether P-001 is trained is not said
    assert (evaluation.status("T-TRAINED"), evaluation.status("T-FALLBACK")) == ("unknown", "unknown")
    assert criterion_findings(evaluation, "T-TRAINED").missing_facts == ()
    assert criterion_findings(evaluation, "T-FALLBACK").missing_facts == ()
    assert "missing_fact" not in evaluation.explain("T-TRAINED")["requires"]


def test_without_a_roster_the_otherwise_says_what_is_missing():
    evaluation = run(None)
    assert evaluation.status("T-FALLBACK") == "unknown"
    assert criterion_findings(evaluation, "T-FALLBACK").missing_facts == ("team.total",)
    every = evaluation.explain("T-FALLBACK")["requires"]
    assert "missing_fact" not in every
    (otherwise,) = every["children"]
    assert (otherwise["op"], otherwise["fact"], otherwise["missing_fact"]) == ("fact", "team.total", "team.total")
    # without `otherwise` the roster itself is what is missing
    assert criterion_findings(evaluation, "T-TRAINED").missing_facts == ("roster.crew",)
    assert evaluation.explain("T-TRAINED")["requires"]["missing_fact"] == "roster.crew"


def test_init_asks_for_the_date_a_member_field_is_compared_with():
    names = applicable_facts(LIBRARY, dossier_of(LIBRARY, {"roster": {"crew": {"complete": True, "members": []}}}), AS_OF)
    assert "dates.first_shooting_day" in names


def refused(requires: str) -> InputError:
    with pytest.raises(InputError) as caught:
        library_of(ruleset_yaml("bad", POLICY, [criterion("T-BAD", requires)]), facts=CATALOGUE)
    return caught.value


def test_an_unknown_key_beside_a_compared_field_is_refused_where_it_is():
    error = refused("{every: roster.crew, satisfies: {field: module_date, lte: {field: module_date, plus_days: 2, days: 3}}}")
    assert "unexpected key 'days' in this condition" in str(error)
    assert error.render("fr").startswith("ruleset0.yaml:")


def test_conditions_nested_too_deep_are_refused_with_a_french_hint():
    requires = "{fact: work.live_action}"
    for _ in range(MAX_CONDITION_DEPTH + 1):
        requires = "{not: " + requires + "}"
    text = refused(requires).render("fr")
    assert f"conditions imbriquées sur plus de {MAX_CONDITION_DEPTH} niveaux" in text
    assert "regroupez-les" in text and "ruleset0.yaml:" in text
    nested = "{fact: work.live_action}"
    for _ in range(MAX_CONDITION_DEPTH):
        nested = "{not: " + nested + "}"
    library_of(ruleset_yaml("deep", POLICY, [criterion("T-DEEP", nested)]), facts=CATALOGUE)  # the limit itself loads


def test_the_current_stage_follows_the_shooting_dates():
    from .test_deadlines_stages import run as run_stages

    assert [run_stages(day).current_stage("toy") for day in ("2025-02-01", "2025-03-10", "2025-05-01")] == \
        ["before", "during", "after"]


DUE = "{date: dates.first_shooting_day, offset_days: -1, source: {document: src, section: '§2'}}"
THRESHOLD = "{kind: threshold, threshold: [{value: 1, inclusive: true, source: {document: src, section: '§1'}}]}"
CHAINED = library_of(ruleset_yaml("chain", THRESHOLD, [
    criterion("T-LIVE-ACTION", "{fact: work.live_action}", points=1),
    criterion("T-AFTER", "{criterion: T-LIVE-ACTION}", points=1, due=DUE)]))


def test_a_criterion_not_met_because_of_the_one_it_reads_is_not_pending_before_its_deadline():
    dossier = dossier_of(CHAINED, {"work": {"live_action": False}, "dates": {"first_shooting_day": "2025-11-03"}})
    evaluation = evaluate(CHAINED, dossier, AS_OF)  # three weeks before the shoot
    assert evaluation.status("T-LIVE-ACTION") == "not_met"  # no deadline: a fact about the work, final
    assert evaluation.status("T-AFTER") == "not_met"  # follows from it: waiting changes nothing
    assert "T-AFTER" not in evaluation.ctx.status_reasons


def test_a_cached_library_keeps_no_source_positions():
    import pickle

    assert LIBRARY.rulesets["crew"].located is not None  # loading reads them, to locate errors
    cached = pickle.loads(pickle.dumps(LIBRARY))
    assert cached.rulesets["crew"].located is None
    assert evaluate(cached, dossier_of(cached, {}), AS_OF).status("T-TRAINED") == "unknown"


ASKED = library_of(ruleset_yaml("asked", POLICY, [
    criterion("T-LIVE-ONLY", "{fact: work.live_action}"),
    criterion("T-WRAP-AFTER", "{fact: dates.wrap, gte: {fact: dates.first_shooting_day}}"),
    criterion("T-PARITY", "{ratio: [team.women, team.total], gte: 0.4}")]))


def test_init_asks_for_every_fact_a_criterion_reads():
    """`raccord init` writes the facts that matter (questions.applicable_facts, from conditions.references):
    a tested fact, the fact it is compared with, both terms of a ratio; none is stated here."""
    names = applicable_facts(ASKED, dossier_of(ASKED, {}), AS_OF)
    assert names == ["work.live_action", "team.women", "team.total", "dates.first_shooting_day", "dates.wrap"]


def test_a_roster_condition_explains_how_many_members_are_listed_and_whether_the_list_is_complete():
    """docs/api.md § The trace: a roster condition shows `members` and `complete` (the text report
    writes « N personnes listées » and warns when the list may name more)."""
    members = [{"ref": "P-001", "on_set": True, "trained": True}, {"ref": "P-002", "on_set": False},
               {"ref": "P-003", "on_set": True, "trained": True}]
    for complete in (True, False):
        dossier = dossier_of(LIBRARY, {"roster": {"crew": {"complete": complete, "members": members}}})
        evaluation = evaluate(LIBRARY, dossier, AS_OF)
        every, count = evaluation.explain("T-TRAINED")["requires"], evaluation.explain("T-TWO-ON-SET")["requires"]
        assert (every["members"], every["complete"], every["concerned"]) == (3, complete, 2)
        assert (count["members"], count["complete"], count["count"]) == (3, complete, 2)
        assert evaluation.status("T-TRAINED") == ("met" if complete else "unknown")


def test_the_findings_of_an_every_name_only_the_members_it_does_not_hold_for():
    """A member who has a valid badge is fine, even with an older badge beside it: the findings
    (`raccord explain`, the review's list of items to look at) follow the explanation, which details
    the conditions of the members the `every` does not hold for only; of the others it lists the
    evidence they were met with."""
    evidence = [{"id": "EV-OLD", "kind": "badge", "member": "P-001", "collected": "2024-01-10"},
                {"id": "EV-NEW", "kind": "badge", "member": "P-002", "collected": "2025-09-01"},
                {"id": "EV-2023", "kind": "badge", "member": "P-002", "collected": "2023-09-01"}]
    evaluation = run([{"ref": "P-001"}, {"ref": "P-002"}], evidence)
    assert evaluation.status("T-BADGE") == "unknown"
    every = evaluation.explain("T-BADGE")["requires"]
    assert every["undecided"] == ["P-001"]
    assert ["requires" in m for m in every["member_details"]] == [True, False]  # P-002's badges are not detailed
    found = criterion_findings(evaluation, "T-BADGE")
    assert [(p.id, p.state) for p in found.evidence_problems] == [("EV-OLD", "too_old")]
    assert found.missing_evidence == ("badge",) and found.evidence_used == ("EV-NEW",)  # what P-002 is met with


@pytest.mark.parametrize("written", ["''", "true", "3", "[T-BADGE]"])
def test_a_criterion_test_without_an_id_is_refused_with_what_to_write(written):
    error = refused("{criterion: " + written + "}")
    assert "`criterion` names a criterion by its id" in str(error) and "unknown criterion" not in str(error)
    assert error.render("fr").startswith("ruleset0.yaml:")


def test_a_member_field_stated_false_is_known():
    """`{field: X, known: true}` asks whether the field is given, not whether it is true: a member
    stated not on set has the field; `known: false` holds for the members who lack it."""
    library = library_of(ruleset_yaml("said", POLICY, [
        criterion("T-SAID", "{every: roster.crew, satisfies: {field: on_set, known: true}}"),
        criterion("T-UNSAID", "{count: roster.crew, where: {field: on_set, known: false}, lte: 0}")]), facts=CATALOGUE)

    def statuses(members):
        dossier = dossier_of(library, {"roster": {"crew": {"complete": True, "members": members}}})
        evaluation = evaluate(library, dossier, AS_OF)
        return evaluation.status("T-SAID"), evaluation.status("T-UNSAID")

    assert statuses([{"ref": "P-001", "on_set": False}, {"ref": "P-002", "on_set": True}]) == ("met", "met")
    assert statuses([{"ref": "P-001", "on_set": False}, {"ref": "P-002"}]) == ("not_met", "not_met")


def test_a_member_field_compared_with_another_field_shifted_explains_the_shift():
    library = library_of(ruleset_yaml("hired", POLICY, [criterion(
        "T-MODULE-30", "{every: roster.crew, satisfies: {field: module_date, lte: {field: hired, plus_days: 30}}}")]),
        facts={**FACTS, "roster.crew": {**CREW, "fields": {**CREW["fields"], "hired": {
            "type": "date", "title": {"fr": "Embauche", "en": "Hired"}}}}})
    members = [{"ref": "P-001", "hired": "2025-09-01", "module_date": "2025-09-20"},
               {"ref": "P-002", "hired": "2025-09-01", "module_date": "2025-10-05"}]
    evaluation = evaluate(library, dossier_of(library, {"roster": {"crew": {"complete": True, "members": members}}}), AS_OF)
    assert evaluation.status("T-MODULE-30") == "not_met"
    every = evaluation.explain("T-MODULE-30")["requires"]
    assert every["failing"] == ["P-002"]
    late = every["member_details"][1]
    assert late["requires"]["expected"] == {"field": "hired", "plus_days": 30}
    assert late["requires"]["expected_value"] == "2025-10-01"


OUTCOME_DUE = library_of(
    ruleset_yaml("kids", "{kind: obligations}", [criterion("K-EXAM", "{fact: work.live_action}", mandatory="true")]),
    ruleset_yaml("kid_aid", "{kind: obligations}", [
        criterion("A-KIDS", "{outcome: kids.decision, eq: compliant}", mandatory="true", due=DUE)]))


def test_a_criterion_not_met_because_of_the_outcome_it_reads_is_not_pending_before_its_deadline():
    """Like a criterion read (above), an outcome read decides: the kids' referential is not complied
    with for good (no deadline), so the aid that needs it is not met, not « pas encore dû »."""
    dossier = dossier_of(OUTCOME_DUE, {"work": {"live_action": False}, "dates": {"first_shooting_day": "2025-11-03"}})
    evaluation = evaluate(OUTCOME_DUE, dossier, AS_OF)  # three weeks before the shoot
    assert evaluation.outcome("kids")["decision"] == "not_compliant"
    assert evaluation.status("A-KIDS") == "not_met" and "A-KIDS" not in evaluation.ctx.status_reasons
    # what it reads still open: the aid is open too, until its own deadline
    undecided = evaluate(OUTCOME_DUE, dossier_of(OUTCOME_DUE, {"dates": {"first_shooting_day": "2025-11-03"}}), AS_OF)
    assert undecided.status("A-KIDS") == "unknown"


@pytest.mark.parametrize(("requires", "message"), [
    ("{every: roster.crew, where: {field: on_set}}", "`every` needs `satisfies`: the condition each member concerned meets"),
    ("{every: roster.crew, satisfies: {count: roster.crew, gte: 1}}",
     "`count` inside `every` or `count`: quantifiers do not nest"),
    ("{count: roster.crew, where: {every: roster.crew, satisfies: {field: trained}}, gte: 1}",
     "`every` inside `every` or `count`: quantifiers do not nest"),
    ("{count: roster.crew, gte: 1, lte: 3}", "`count` takes one comparison"),
    ("{count: roster.crew, where: {field: on_set}}", "`count` takes one comparison"),
    ("{count: roster.crew, gte: 1.5}", "gte is a whole number or {fact: NAME} (an integer fact)"),
    ("{count: roster.crew, gte: -1}", "gte is a whole number or {fact: NAME} (an integer fact)"),
    ("{count: roster.crew, gte: {fact: work.live_action}}", "gte needs an integer fact, 'work.live_action' is boolean"),
    ("{evidence: badge, count_gte: two}", "count_gte is a whole number of items or {fact: NAME} (an integer fact)"),
    ("{evidence: badge, count_gte: true}", "count_gte is a whole number of items or {fact: NAME} (an integer fact)"),
    ("{evidence: badge, count_gte: {fact: team.totl}}", "unknown fact 'team.totl'"),
    ("{every: work.live_action, satisfies: {field: trained}}",
     "`every` goes over a collection fact; 'work.live_action' is boolean"),
    ("{member_evidence: badge}", "`member_evidence` is about one member"),
    ("{every: roster.crew, satisfies: {member_evidence: ''}}", "`member_evidence` names an evidence kind"),
    ("{every: roster.crew, satisfies: {member_evidence: badge, max_age_days: -3}}", "max_age_days is a whole number of days"),
])
def test_badly_written_roster_and_counted_conditions_are_refused_with_what_to_write(requires, message):
    error = refused(requires)
    assert message in str(error), str(error)
    assert error.render("fr").startswith("ruleset0.yaml:")


def test_a_count_without_a_roster_explains_its_test_and_what_is_missing():
    evaluation = run(None)
    assert evaluation.status("T-HEADS") == "unknown"
    count = evaluation.explain("T-HEADS")["requires"]
    assert (count["test"], count["expected"], count["expected_value"], count["missing_fact"]) == ("gte", 3, 3, "roster.crew")
    assert "count" not in count and "members" not in count  # nothing counted: no roster
    assert criterion_findings(evaluation, "T-HEADS").missing_facts == ("roster.crew",)


def test_a_count_compared_with_a_fact_explains_the_fact_and_reports_it_missing():
    members = [{"ref": "P-001"}, {"ref": "P-002"}]
    unstated = run(members)
    assert unstated.status("T-STAFFED") == "unknown"
    count = unstated.explain("T-STAFFED")["requires"]
    assert (count["expected"], count["expected_value"], count["count"]) == ({"fact": "team.total"}, None, 2)
    assert criterion_findings(unstated, "T-STAFFED").missing_facts == ("team.total",)
    stated = run(members, facts={"team": {"total": 3}})
    assert stated.status("T-STAFFED") == "not_met" and stated.explain("T-STAFFED")["requires"]["expected_value"] == 3
    assert criterion_findings(stated, "T-STAFFED").missing_facts == ()


EXACT = library_of(ruleset_yaml("exact", POLICY, [
    criterion("T-TWO-EXACTLY", "{count: roster.crew, where: {field: on_set}, eq: 2}"),
    criterion("T-NOT-TWO", "{count: roster.crew, where: {field: on_set}, ne: 2}")]), facts=CATALOGUE)


@pytest.mark.parametrize(("on_set", "complete", "exactly", "not_two"), [
    ([True, True, False], True, "met", "not_met"),
    ([True, True, True], True, "not_met", "met"),
    ([True, False, False], True, "not_met", "met"),
    ([True, True, None], True, "unknown", "unknown"),  # 2 or 3 on set
    ([True, None, None], True, "unknown", "unknown"),  # 1 to 3
    ([True, True], False, "unknown", "unknown"),  # 2 listed, maybe more
    ([True, True, True], False, "not_met", "met"),  # already 3: more names cannot lower it
])
def test_a_count_equal_to_a_number_is_decided_only_when_every_count_it_may_be_agrees(on_set, complete, exactly, not_two):
    members = [{"ref": f"P-00{i}", **({} if v is None else {"on_set": v})} for i, v in enumerate(on_set, 1)]
    evaluation = evaluate(EXACT, dossier_of(EXACT, {"roster": {"crew": {"complete": complete, "members": members}}}), AS_OF)
    assert (evaluation.status("T-TWO-EXACTLY"), evaluation.status("T-NOT-TWO")) == (exactly, not_two)


def test_a_shift_beyond_ten_years_is_refused_where_it_is_written():
    error = refused("{every: roster.crew, satisfies: {field: module_date, lte: {fact: dates.first_shooting_day, "
                    "plus_days: 40000}}}")
    assert "décalage de 40000 jours hors de la plage calculable" in str(error) and "au plus 3660 jours" in str(error)
    assert error.render("fr").startswith("ruleset0.yaml:")
