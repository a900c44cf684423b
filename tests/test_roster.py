"""Rosters (docs/ruleset-format.md §6.1) on the bundled rulesets: the dossier's pseudonymous lists are
checked with located French errors, art. 122-17-1 names the persons it fails for by internal
reference in every output (text, Markdown, HTML, JSON, `explain`, French and English), and a
condition over a roster is refused where the format does not allow it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from raccord.engine import InputError, evaluate, load_dossier, load_library
from raccord.engine.findings import MembersFailing, criterion_trace, members_failing
from raccord.engine.loader import build_library, validate_ruleset
from raccord.engine.source_files import parse_yaml

ROOT = Path(__file__).parent.parent
AS_OF = dt.date(2025, 10, 15)
CREW = "AID-CNC-VHSS-122-17-1-CREW"
MODULE1 = "VHSS-32.4.2-MODULE1"
LIBRARY = load_library()

DOSSIER = """\
format: raccord.dossier/1
production: {id: equipe, title: Équipe}
facts:
  work: {type: long_metrage, genre: fiction, live_action: true, mostly_shot_in_france: true}
  dates.first_shooting_day: 2025-09-15
  cnc: {aid_requested: true, aid_kinds: [production]}
  roster:
    crew:
      complete: true
      members:
        - {ref: P-001, role: realisateur, on_set_module_day: true, module1: true, module1_date: 2025-08-20, module2: true,
           module2_date: 2025-09-22}
        - {ref: P-003, role: directeur_photo, on_set_module_day: true, module1: false, module2: true, module2_date: 2025-09-22}
        - {ref: P-030, role: technicien, scene_share: 0.05, on_set_module_day: false, module1: false, module2: false}
evidence:
  - {id: EV-1, kind: cnc_crew_training_attendance}
  - {id: EV-2, kind: vhss_module1_badge, member: P-001}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dossier.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def raccord(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "raccord", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def dossier(tmp_path):
    return write(tmp_path, DOSSIER)


def test_the_named_member_untrained_is_the_one_reported(dossier):
    evaluation = evaluate(LIBRARY, load_dossier(dossier, LIBRARY.catalogue), AS_OF)
    assert evaluation.status(CREW) == "not_met"
    (found,) = members_failing(criterion_trace(evaluation, CREW))
    assert found == MembersFailing("requires", "roster.crew", "every", 0, ("P-003",), (), True, True)
    # the technician the article does not name (5 % of the scenes, not on set that day) is not
    # asked for by 122-17-1, but is by the CCNPC's module 1 (every technician and performer)
    (module1,) = members_failing(criterion_trace(evaluation, MODULE1))
    assert module1.failing == ("P-003", "P-030")
    every = evaluation.explain(CREW)["requires"]["children"][0]
    assert (every["op"], every["concerned"], every["failing"]) == ("every", 2, ["P-003"])
    (detail,) = [m for m in every["member_details"] if m["ref"] == "P-003"]
    assert {"op": "field", "value": "false", "field": "module1", "test": "is_true", "seen": False}.items() \
        <= detail["requires"]["children"][0].items()


@pytest.mark.parametrize(("lang", "words"), [("fr", "Personnes en défaut (roster.crew) : P-003"),
                                             ("en", "Persons failing (roster.crew): P-003")])
@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_every_report_names_the_failing_member(dossier, fmt, lang, words):
    result = raccord("check", str(dossier), "--as-of", AS_OF.isoformat(), "--lang", lang, "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert words in result.stdout
    assert "P-030" not in result.stdout.split(CREW, 1)[1].split("Source", 1)[0]  # not named for 122-17-1


def test_the_json_document_and_explain_name_the_member(dossier):
    doc = json.loads(raccord("check", str(dossier), "--as-of", AS_OF.isoformat(), "--format", "json").stdout)
    entry = next(c for rs in doc["rulesets"] for c in rs["criteria"] if c["id"] == CREW)
    assert entry["members"] == [{"collection": "roster.crew", "form": "every", "value": "false", "failing": ["P-003"],
                                 "undecided": [], "complete": True}]
    text = raccord("explain", str(dossier), CREW, "--as-of", AS_OF.isoformat()).stdout
    assert "chaque personne de roster.crew (2 visées sur 3) → faux" in text
    assert "P-003 → faux" in text and "P-030" not in text and "P-001 →" not in text
    english = raccord("explain", str(dossier), CREW, "--as-of", AS_OF.isoformat(), "--lang", "en").stdout
    assert "every person of roster.crew (2 concerned of 3) → false" in english


def test_without_a_roster_the_aggregate_facts_are_read_and_no_person_is_reported(tmp_path):
    text = DOSSIER.split("  roster:")[0] + "  aid.vhss: {named_roles_trained: true, main_performers_trained: true, " \
        "module_day_staff_trained: true, in_person_module_date: 2025-09-20}\nevidence:\n" \
        "  - {id: EV-1, kind: cnc_crew_training_attendance}\n"
    evaluation = evaluate(LIBRARY, load_dossier(write(tmp_path, text), LIBRARY.catalogue), AS_OF)
    assert evaluation.status(CREW) == "met"
    assert members_failing(criterion_trace(evaluation, CREW)) == ()


def test_an_incomplete_roster_leaves_the_persons_undecided_and_says_so(tmp_path):
    text = DOSSIER.replace("complete: true", "complete: false")
    result = raccord("check", str(write(tmp_path, text)), "--as-of", AS_OF.isoformat(), "-v")
    assert "Liste roster.crew incomplète (complete: false)" in result.stdout


@pytest.mark.parametrize(("old", "new", "message", "where"), [
    ("role: directeur_photo", "role: chef_op", "« roster.crew », membre P-003, champ « role » : valeur « chef_op » inconnue",
     "dossier.yaml:13:"),
    ("scene_share: 0.05", "scene_share: 5", "membre P-030, champ « scene_share » : 5 hors des bornes (entre 0 et 1)",
     "dossier.yaml:14:"),
    ("ref: P-030", "ref: P-001", "la référence « P-001 » figure deux fois", "dossier.yaml:14:"),
    ("ref: P-030", "ref: Paul Durand", "référence interne « Paul Durand » invalide", "dossier.yaml:14:"),
    ("on_set_module_day: false, module1: false, module2: false}", "on_set: false}",
     "membre P-030 : champ « on_set » inconnu", "dossier.yaml:14:"),
    ("      complete: true\n", "", "`complete` vaut true ou false (obligatoire)", "dossier.yaml:8:"),
    ("member: P-001}", "member: P-099}", "la pièce EV-2 concerne le membre « P-099 », absent des listes",
     "dossier.yaml:17:"),
])
def test_a_bad_roster_is_one_located_french_error(tmp_path, old, new, message, where):
    assert old in DOSSIER
    result = raccord("validate", str(write(tmp_path, DOSSIER.replace(old, new))))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert message in line and where in line, line
    english = raccord("validate", str(tmp_path / "dossier.yaml"), "--lang", "en").stderr.strip()
    assert english.startswith("raccord: error: ") and where in english and "«" not in english and "membre" not in english, english


RULESET = """\
id: roster_rules
title: {fr: Test, en: Test}
version: "1"
sources: [{id: src, title: "Source"}]
groups: [{id: g, title: {fr: G, en: G}}]
policy: {kind: obligations}
criteria:
  - id: R-01
    title: {fr: R, en: R}
    group: g
    requires: REQUIRES
    evidence: [{kind: vhss_module1_badge, description: {fr: b, en: b}}]
    source: {document: src, section: "§1"}
    provenance: reconstructed
"""


@pytest.mark.parametrize(("requires", "message"), [
    ("{fact: roster.crew, gte: 2}", "fact 'roster.crew' is a collection: test it with every or count"),
    ("{field: role, eq: realisateur}", "`field` tests a member's field: it belongs in the `where` or `satisfies`"),
    ("{member_evidence: vhss_module1_badge}", "`member_evidence` is about one member"),
    ("{every: roster.crew, satisfies: {field: rol, eq: realisateur}}", "collection 'roster.crew' has no field 'rol'"),
    ("{every: roster.crew, satisfies: {count: roster.children, gte: 1}}", "quantifiers do not nest"),
    ("{every: work.type, satisfies: {fact: work.live_action}}", "`every` goes over a collection fact; 'work.type' is enum"),
    ("{every: roster.crew, where: {field: module1}}", "`every` needs `satisfies`"),
    ("{count: roster.crew, gte: 1, lte: 3}", "`count` takes one comparison"),
    ("{count: roster.crew, otherwise: {field: module1}, gte: 1}", "`field` tests a member's field"),
])
def test_misplaced_roster_conditions_are_refused_at_load(requires, message):
    located = parse_yaml(RULESET.replace("REQUIRES", requires), "roster_rules.yaml")
    with pytest.raises(InputError) as caught:
        build_library(LIBRARY.catalogue, [(located, validate_ruleset(located), None)])
    assert message in str(caught.value)


def test_the_dossier_schema_describes_the_rosters():
    schema = json.loads(raccord("schema").stdout)
    crew = schema["properties"]["facts"]["properties"]["roster.crew"]
    member = crew["properties"]["members"]["items"]
    assert member["properties"]["ref"]["pattern"] == "^P-[0-9]{3}$"
    assert member["properties"]["role"]["enum"][:2] == ["directeur_production", "realisateur"]
    assert crew["required"] == ["complete", "members"]


def test_roster_conditions_computed_once_per_dossier_and_date_stay_right():
    """Generated code keeps a roster condition's value with the dossier's evidence of one date
    (codegen._memo): evaluating again, at another date or with what-ifs, gives what a fresh dossier gives."""
    example = ROOT / "examples" / "long_metrage" / "dossier.yaml"
    early = dt.date(2025, 1, 21)  # most module-1 certificates not collected yet
    reused = load_dossier(example, LIBRARY.catalogue)
    first = dict(evaluate(LIBRARY, reused, AS_OF).ctx.statuses)
    before = dict(evaluate(LIBRARY, reused, early).ctx.statuses)
    assumed = dict(evaluate(LIBRARY, reused, AS_OF, assume={"AID-CNC-VHSS-122-17-TRAINING": "not_met"}).ctx.statuses)
    assert dict(evaluate(LIBRARY, reused, AS_OF).ctx.statuses) == first
    assert (first[CREW], before[CREW]) == ("met", "unknown")
    assert before == dict(evaluate(LIBRARY, load_dossier(example, LIBRARY.catalogue), early).ctx.statuses)
    fresh = load_dossier(example, LIBRARY.catalogue)
    assert assumed == dict(evaluate(LIBRARY, fresh, AS_OF, assume={"AID-CNC-VHSS-122-17-TRAINING": "not_met"}).ctx.statuses)


def test_a_roster_value_is_said_by_its_size_with_the_word_agreed():
    from raccord.cli.render_text import shown

    assert shown({"members": 1, "complete": True}, "fr") == "1 personne, liste complète"
    assert shown({"members": 3, "complete": False}, "fr") == "3 personnes, liste incomplète"
    assert shown({"members": 1, "complete": False}, "en") == "1 person, incomplete list"
    assert shown({"members": 2, "complete": True}, "en") == "2 people, complete list"


def test_a_met_crew_condition_lists_the_badges_it_was_met_with():
    """The feature film's crew training (art. 122-17, 1°): met, and « Preuves retenues » names each
    person's module 1 attestation, not only the crew-level piece (they were left out before)."""
    from raccord.engine.findings import criterion_findings

    root = Path(__file__).resolve().parent.parent
    library = load_library()
    dossier = load_dossier(root / "examples" / "long_metrage" / "dossier.yaml", library.catalogue)
    evaluation = evaluate(library, dossier, dt.date(2025, 10, 15))
    assert evaluation.status("AID-CNC-VHSS-122-17-1-CREW") == "met"
    found = criterion_findings(evaluation, "AID-CNC-VHSS-122-17-1-CREW")
    used = found.evidence_used
    badges = {item.id for item in dossier.file.evidence if item.kind == "vhss_module1_badge"}
    assert "EV-113" in used and len(badges & set(used)) == 44
    assert not any(p.kind == "vhss_module1_badge" for p in found.evidence_problems)
