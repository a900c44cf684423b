"""`raccord evidence list --criterion X` lists what the evaluation looks at for X (cli/evidence_criterion.py):
the items naming X and those naming no criterion whose kind X's conditions read, a person's pieces for a
criterion read person by person, each with why; checked against `explain`'s evidence on the examples."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from raccord.cli.context import reviewed
from raccord.cli.evidence_criterion import for_criterion
from raccord.cli.evidence_register import list_items
from raccord.engine import Engine, load_dossier
from raccord.engine.findings import criterion_findings
from tests.test_evidence import run

ROOT = Path(__file__).parent.parent
FILM = ROOT / "examples/long_metrage/dossier.yaml"
AS_OF = dt.date(2025, 10, 15)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def listed(capsys, *args: str) -> dict[str, dict]:
    code, out, err = run(capsys, "evidence", "list", *args, "--format", "json")
    assert code == 0, err
    return {item["id"]: item["listed_for"] for item in json.loads(out)}


def test_items_naming_no_criterion_are_listed_by_their_kind_with_the_reason(capsys):
    # every item of the feature film names no criterion: the listing used to be empty
    code, text, _ = run(capsys, "evidence", "list", str(FILM), "--criterion", "AFN-GOV-01")
    assert code == 0
    assert text == ("EV-074 note_intention_rse — evidence/note_intention_rse.txt (2025-02-24) → * [auditeur : acceptée]\n"
                    "    compte pour AFN-GOV-01 : ne nomme aucun critère, elle vaut donc pour chaque critère dont les "
                    "conditions lisent la nature note_intention_rse\n1 élément\n")
    code, english, _ = run(capsys, "evidence", "list", str(FILM), "--criterion", "AFN-GOV-01", "--lang", "en")
    assert "    counts for AFN-GOV-01: names no criterion, so it backs every criterion whose conditions read kind " \
           "note_intention_rse\n1 item\n" in english
    crew = listed(capsys, str(FILM), "--criterion", "VHSS-32.4.2-MODULE1")
    assert crew["EV-M1-001"] == {"criterion": "VHSS-32.4.2-MODULE1", "why": "member", "counts": True}
    assert crew["EV-070"] == {"criterion": "VHSS-32.4.2-MODULE1", "why": "fallback", "counts": False,
                              "collection": "roster.crew"}  # read only without the crew list, which the dossier gives
    code, _, err = run(capsys, "evidence", "list", str(FILM), "--criterion", "AFN-GOV-1")
    assert code == 2 and "critère inconnu : « AFN-GOV-1 »" in err and "vouliez-vous dire" in err


@pytest.mark.parametrize("example", ["long_metrage", "serie_tv"])
def test_what_is_counted_is_what_explain_sees(engine, example):
    """For every criterion: the items the listing says count are the ones explain uses or reports as not
    valid (expired, rejected, pending...), except the pieces of persons whose test passes (explain shows
    only the persons failing); an item said not to count is never used."""
    path = ROOT / "examples" / example / "dossier.yaml"
    dossier = reviewed(engine.library, load_dossier(path, engine.library.catalogue))
    evaluation = engine.evaluate(engine.dossier(path), AS_OF)
    items, checked = list_items(dossier), 0
    for cid in evaluation.ctx.statuses:
        found = criterion_findings(evaluation, cid)
        seen = set(found.evidence_used) | {p.id for p in found.evidence_problems}
        rows = for_criterion(engine.library, items, cid, dossier.facts)
        counted = {r["id"] for r in rows if r["listed_for"]["counts"]}
        people = {r["id"] for r in rows if r["listed_for"]["why"] == "member"}
        assert seen <= counted, (cid, sorted(seen - counted))
        assert counted - seen <= people, (cid, sorted(counted - seen - people))
        assert not set(found.evidence_used) & {r["id"] for r in rows if not r["listed_for"]["counts"]}, cid
        checked += bool(seen)
    assert checked > 60  # the examples do back many criteria


def test_an_item_naming_criteria_backs_those_only(capsys, tmp_path):
    folder = tmp_path / "film"
    shutil.copytree(FILM.parent, folder)
    dossier = folder / "dossier.yaml"
    text = dossier.read_text(encoding="utf-8")
    text = text.replace("- id: EV-074\n  kind: note_intention_rse\n",
                        "- id: EV-074\n  kind: note_intention_rse\n  criteria: [AFN-GOV-02]\n")
    text = text.replace("- id: EV-075\n  kind: note_interne\n", "- id: EV-075\n  kind: note_interne\n  criteria: [AFN-GOV-01]\n")
    dossier.write_text(text, encoding="utf-8")
    assert listed(capsys, str(dossier), "--criterion", "AFN-GOV-01") == {
        "EV-075": {"criterion": "AFN-GOV-01", "why": "not_expected", "counts": False}}  # EV-074 now backs AFN-GOV-02 only
    code, out, _ = run(capsys, "evidence", "list", str(dossier), "--criterion", "AFN-GOV-01")
    assert code == 0
    assert "ne compte pas pour AFN-GOV-01 : le nomme, mais AFN-GOV-01 n'attend aucune pièce de nature note_interne" in out
