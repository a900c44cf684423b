"""Roster conditions as `evaluate` decides them and `explain` tells them (engine/template.py: the
readers of a member, the count of a roster, the interpreter's trace). Status comes from the generated
code, the explanation from the interpreter: both read the same template functions, and the explanation
must never contradict the status. Mutants of template.py (bench/mutation.py) survived the roster tests."""

from __future__ import annotations

import datetime as dt

import pytest

from raccord.engine import evaluate, load_dossier
from raccord.engine.loader import build_library, validate_ruleset
from raccord.engine.source_files import parse_yaml

from .test_roster import LIBRARY, RULESET, write

AS_OF = dt.date(2025, 10, 15)
STATUS = {"true": "met", "false": "not_met", "unknown": "unknown"}

CREW = """\
  roster:
    crew:
      complete: COMPLETE
      members:
        - {ref: P-001, role: realisateur, module1: true, module1_date: 2025-08-20}
        - {ref: P-003, role: directeur_photo}
        - {ref: P-030, role: technicien, module1: false}
"""


def dossier_text(roster: str | None = CREW, complete: bool = True, facts: str = "", evidence: str = "") -> str:
    text = "format: raccord.dossier/1\nproduction: {id: equipe, title: Équipe}\nfacts:\n"
    text += "  work: {type: long_metrage, genre: fiction}\n" + facts
    if roster is not None:
        text += roster.replace("COMPLETE", "true" if complete else "false")
    return text + "evidence:\n" + (evidence or "  []\n")


def run(tmp_path, requires: str, **dossier):
    """R-01's status and explanation (the `requires` tree) for a dossier, checked to agree."""
    located = parse_yaml(RULESET.replace("REQUIRES", requires), "roster_rules.yaml")
    library = build_library(LIBRARY.catalogue, [(located, validate_ruleset(located), None)])
    evaluation = evaluate(library, load_dossier(write(tmp_path, dossier_text(**dossier)), library.catalogue), AS_OF)
    status, tree = evaluation.status("R-01"), evaluation.explain("R-01")["requires"]
    assert STATUS[tree["value"]] == status  # the explanation never contradicts the status
    return status, tree


def test_a_known_field_is_explained_as_known_member_by_member(tmp_path):
    status, tree = run(tmp_path, "{every: roster.crew, where: {field: role, eq: realisateur}, "
                                 "satisfies: {field: module1_date, known: true}}")
    assert status == "met" and tree["failing"] == [] and tree["undecided"] == []
    status, tree = run(tmp_path, "{every: roster.crew, satisfies: {field: module1_date, known: true}}")
    assert status == "not_met" and tree["failing"] == ["P-003", "P-030"]  # P-001 gives the date


BADGES = """\
  - {id: EV-1, kind: vhss_module1_badge, member: P-001, collected: 2025-09-01}
  - {id: EV-2, kind: vhss_module1_badge, member: P-003, collected: 2023-01-10}
"""


def test_a_recent_badge_naming_the_member_counts_an_old_one_does_not(tmp_path):
    """`member_evidence` with `max_age_days`: an item naming the member, for every criterion (no
    `criteria`), collected within the limit supports the member; one collected before does not (yet)."""
    requires = ("{every: roster.crew, where: {field: role, in: [realisateur, directeur_photo]}, "
                "satisfies: {member_evidence: vhss_module1_badge, max_age_days: 365}}")
    status, tree = run(tmp_path, requires, evidence=BADGES)
    assert status == "unknown" and tree["failing"] == [] and tree["undecided"] == ["P-003"]  # missing evidence is never false
    only_recent = BADGES.splitlines()[0] + "\n  - {id: EV-3, kind: vhss_module1_badge, member: P-003, collected: 2025-10-01}\n"
    status, tree = run(tmp_path, requires, evidence=only_recent)
    assert status == "met" and tree["failing"] == []


@pytest.mark.parametrize(("test", "complete", "expected"), [
    ("lte: 3", True, "met"),
    ("lte: 3", False, "unknown"),  # a person not listed may be on the crew
    ("gte: 3", False, "met"),
    ("gte: 4", True, "not_met"),
])
def test_counting_the_whole_crew(tmp_path, test, complete, expected):
    status, tree = run(tmp_path, f"{{count: roster.crew, {test}}}", complete=complete)
    assert status == expected and tree["count"] == 3
    assert tree["count_max"] == (3 if complete else None)


def test_a_count_against_a_fact_the_dossier_does_not_give_is_unknown(tmp_path):
    status, tree = run(tmp_path, "{count: roster.crew, lte: {fact: work.shooting_days}}")
    assert status == "unknown" and tree["expected_value"] is None
    assert run(tmp_path, "{count: roster.crew, lte: {fact: work.shooting_days}}",
               facts="  work.shooting_days: 2\n")[0] == "not_met"


# P-001 has module 1, P-030 has not, P-003 does not say: between 1 and 2 trained on a complete crew.
@pytest.mark.parametrize(("test", "expected"), [
    ("gte: 1", "met"), ("gte: 2", "unknown"), ("gte: 3", "not_met"),
    ("gt: 0", "met"), ("gt: 1", "unknown"), ("gt: 2", "not_met"),
    ("lte: 2", "met"), ("lte: 1", "unknown"), ("lte: 0", "not_met"),
    ("lt: 3", "met"), ("lt: 2", "unknown"), ("lt: 1", "not_met"),
])
def test_a_count_with_undecided_members_is_a_range(tmp_path, test, expected):
    status, tree = run(tmp_path, f"{{count: roster.crew, where: {{field: module1}}, {test}}}")
    assert status == expected
    assert (tree["count"], tree["count_max"], tree["counted"], tree["undecided"]) == (1, 2, ["P-001"], ["P-003"])


@pytest.mark.parametrize(("test", "expected"), [("lte: 1", "met"), ("lt: 1", "not_met"), ("lt: 2", "met"), ("lte: 0", "not_met")])
def test_a_decided_count_at_the_bound(tmp_path, test, expected):
    """P-003 said untrained: exactly one trained member."""
    roster = CREW.replace("role: directeur_photo}", "role: directeur_photo, module1: false}")
    status, tree = run(tmp_path, f"{{count: roster.crew, where: {{field: module1}}, {test}}}", roster=roster)
    assert status == expected and (tree["count"], tree["count_max"]) == (1, 1)


def test_without_a_roster_the_explanation_shows_the_otherwise_condition(tmp_path):
    """No crew list: the `otherwise` condition is read, and the explanation shows it with what it lacks."""
    requires = "{every: roster.crew, satisfies: {field: module1}, otherwise: {fact: work.shooting_days, gte: 1}}"
    status, tree = run(tmp_path, requires, roster=None)
    assert status == "unknown" and "missing_fact" not in tree
    [child] = tree["children"]
    assert child["fact"] == "work.shooting_days" and child["missing_fact"] == "work.shooting_days"
    status, tree = run(tmp_path, requires.replace("every", "count").replace("satisfies: {field: module1}", "gte: 1"),
                       roster=None, facts="  work.shooting_days: 20\n")
    assert status == "met" and tree["children"][0]["value"] == "true"
