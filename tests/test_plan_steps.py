"""Each step of a plan says what to do or which document to provide, and work already done is not
priced (issue 16, « the plan says for each step what to do… and does not price work already done »).

A small threshold referential: a balanced team proved by a crew list (the work is a fact, the list
its proof), a footprint that is its own document (tagged `evidence_is_the_work`), a pure document,
and a criterion needing two documents of which one is already valid."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from raccord.cli.commands_plan import render
from raccord.cli.main import cli
from raccord.engine import evaluate
from raccord.engine.plan import make_plan, parse_target, plan_document

from .support import criterion, dossier_of, library_of, ruleset_yaml

DAY = dt.date(2025, 10, 1)
SOURCE = "source: {document: src, section: x}"
RATIO = "{ratio: [team.women, team.total], gte: 0.4}"
ECO = ruleset_yaml("eco", f"{{kind: threshold, threshold: [{{value: 0.9, inclusive: true, {SOURCE}}}]}}", [
    criterion("T-TEAM", f"{{all: [{RATIO}, {{evidence: liste_equipe}}]}}", evidence=["liste_equipe"], points=3, effort=2),
    criterion("T-FOOT", "{all: [{fact: work.live_action}, {evidence: bilan}]}", evidence=["bilan"], points=3, effort=4,
              tags="[evidence_is_the_work]"),
    criterion("T-DOC", "{evidence: charte}", evidence=["charte"], points=2, effort=1),
    criterion("T-TWO", "{all: [{evidence: menus}, {evidence: contrat}]}", evidence=["menus", "contrat"], points=2, effort=1),
])
LIBRARY = library_of(ECO)


def evaluation(**facts):
    facts = {"work.live_action": True, **facts}
    dossier = dossier_of(LIBRARY, facts, [{"id": "EV-001", "kind": "menus"}])
    return evaluate(LIBRARY, dossier, DAY)


def steps(doc):
    return {item["criterion"]: item for item in doc["items"]}


def test_a_step_whose_work_is_done_costs_nothing_and_asks_only_for_its_proof():
    doc = plan_document(evaluation(**{"team.women": 17, "team.total": 40}), parse_target(LIBRARY, "eco"))
    items = steps(doc)
    assert set(items) == {"T-TEAM", "T-FOOT", "T-DOC", "T-TWO"}  # 90 %: every point is needed
    team = items["T-TEAM"]
    assert team["work_done"] is True and team["effort"] == 0
    described = {"fr": "pièce liste_equipe", "en": "liste_equipe document"}
    assert team["provide"] == [{"kind": "liste_equipe", "description": described}]
    # the footprint is the work itself: priced in full even though the rest of its condition holds
    assert items["T-FOOT"]["work_done"] is False and items["T-FOOT"]["effort"] == 4
    # a document already valid is not asked again
    assert [p["kind"] for p in items["T-TWO"]["provide"]] == ["contrat"]
    assert doc["effort"] == 4 + 1 + 1 == sum(i["effort"] for i in doc["items"])


def test_the_work_not_done_is_priced_and_its_facts_named_by_their_title():
    doc = plan_document(evaluation(**{"team.total": 40}), parse_target(LIBRARY, "eco"))
    team = steps(doc)["T-TEAM"]
    assert team["work_done"] is False and team["effort"] == 2 and team["facts_to_state"] == ["team.women"]
    french = render(doc, "fr", titles={"team.women": "Femmes de l'équipe"})
    block = french.split("  - T-TEAM", 1)[1].split("\n  - ", 1)[0]
    assert "effort 2 jours-personne" in block
    assert "      À faire : T-TEAM" in block  # the action, by its title (an acronym keeps its capitals)
    assert "      À fournir : pièce liste_equipe" in block
    assert "      À renseigner dans le dossier : Femmes de l'équipe" in block
    english = render(doc, "en", titles={"team.women": "Women in the crew"})
    assert "      To provide: liste_equipe document" in english and "      To state in the dossier: Women in the crew" in english


def test_a_proved_work_changes_which_steps_the_least_effort_plan_takes():
    """With the team already balanced, its 3 points cost nothing: a 50 % target takes it (and the
    cheap document) rather than the 4-day footprint."""
    text = ECO.replace("value: 0.9", "value: 0.5")
    library = library_of(text)
    dossier = dossier_of(library, {"work.live_action": True, "team.women": 17, "team.total": 40}, [])
    plan = make_plan(evaluate(library, dossier, DAY), parse_target(library, "eco"))
    assert "T-TEAM" in plan.items and "T-FOOT" not in plan.items and plan.effort <= 1


def test_the_example_plan_says_what_to_provide():
    example = Path(__file__).resolve().parent.parent / "examples" / "long_metrage" / "dossier.yaml"
    args = ["plan", str(example), "--as-of", "2025-10-15", "--target", "afnor_spec_2308:2", "--assume", "AFN-INC-03=met"]
    doc = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"]).output)
    items = steps(doc)
    assert items["AFN-GOV-03"]["effort"] == 4 and not items["AFN-GOV-03"]["work_done"]  # the final footprint is the work
    text = CliRunner().invoke(cli, args).output
    for item in doc["items"]:
        block = text.split(f"  - {item['criterion']} ", 1)[1].split("\n  - ", 1)[0]
        assert "À faire : " in block or "À fournir : " in block, block
        for piece in item["provide"]:
            assert piece["description"]["fr"] in block
