"""`raccord journal add` and the event format: located French errors, nothing half-written; `watch`
without durable-rules says how to install it, and `journal add` and `check` still work."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from raccord.engine import InputError
from raccord.engine.live import durable_available
from raccord.engine.live.events import parse_lines, read_journal

ROOT = Path(__file__).parent.parent
START = {"v": 1, "at": "2025-11-12T08:00:00+01:00", "type": "work.start", "person": "E-01", "role": "enfant"}


def raccord(*args: str, cwd: Path = ROOT, masked: bool = False) -> subprocess.CompletedProcess:
    code = "import sys\n"
    if masked:
        code += "sys.modules['durable'] = None  # as if raccord[live] were not installed\n"
    code += "from raccord.cli.entry import main\nsys.argv = ['raccord', *sys.argv[1:]]\nmain()\n"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.fixture
def dossier(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "examples/serie_tv/dossier.yaml", tmp_path / "dossier.yaml")
    return tmp_path / "dossier.yaml"


@pytest.mark.parametrize("line, message", [
    ('{"v": 1, "at": "2025-11-12T08:00:00", "type": "day.open"}', "n'a pas de fuseau horaire"),
    ('{"v": 3, "at": "2025-11-12T08:00:00Z", "type": "day.open"}', "version d'événement 3 inconnue"),
    ('{"v": 1, "at": "2025-11-12T08:00:00Z", "type": "intimacy.agreed", "scene": "S-1", "agreed": ["P-021"]}',
     "intimacy.agreed est un événement de la version 2 du format"),
    ('{"v": 2, "at": "2025-11-12T08:00:00Z", "type": "intimacy.agreed", "scene": "S-1", "agreed": ["Léa B."]}',
     "n'est pas une référence interne"),
    ('{"v": 1, "at": "2025-11-12T08:00:00Z", "type": "work.start", "person": "Marie Dupont", "role": "enfant"}',
     "n'est pas une référence interne"),
    ('{"v": 1, "at": "2025-11-12T08:00:00Z", "type": "report.received", "report": "R-1", "by": "referent_vhss", "text": "x"}',
     "champ « text » inconnu"),
    ('{"v": 1, "at": "2025-11-12T08:00:00Z", "type": "work.pause"}', "champ « person » manquant"),
    ('{"v": 1, "at": "2025-11-12T08:00:00Z", "type": "intimacy.start", "scene": "S-1", "present": [], "closed_set": "no"}',
     "true ou false"),
    ('{"v": 1, "at": "2025-11-12T08:00:00Z", "type": "lunch"}', "type d'événement inconnu"),
    ('{"v": 1, "at": ', "JSON invalide"),
])
def test_a_bad_line_is_located_and_explained_in_french(line, message):
    good = json.dumps(START)
    with pytest.raises(InputError) as caught:
        parse_lines([good, "", line], "jour.jsonl")
    assert caught.value.where == "jour.jsonl:3"
    assert message in caught.value.render("fr")


def test_journal_add_appends_beside_the_dossier(dossier):
    first = raccord("journal", "add", str(dossier), json.dumps(START))
    assert first.returncode == 0, first.stderr
    journal = dossier.with_name("dossier.journal.jsonl")
    events = tuple({k: v for k, v in START.items() if k != "v"} | {"type": t, "at": f"2025-11-12T1{n}:00:00+01:00"}
                   for n, t in enumerate(["work.pause", "work.resume"], 2))
    second = raccord("journal", "add", str(dossier), *map(json.dumps, [{k: v for k,
                                                                        v in e.items() if k != "role"} for e in events]))
    assert second.returncode == 0, second.stderr
    assert [e.type for e in read_journal(journal)] == ["work.start", "work.pause", "work.resume"]
    # the version is written when left out (format 2); the first event's explicit 1 stays valid
    assert [e.data["v"] for e in read_journal(journal)] == [1, 2, 2]


def test_a_bad_event_is_refused_whole(dossier, tmp_path):
    raccord("journal", "add", str(dossier), json.dumps(START))
    journal = dossier.with_name("dossier.journal.jsonl")
    before = journal.read_bytes()
    batch = tmp_path / "lot.jsonl"
    batch.write_text(json.dumps({**START, "at": "2025-11-12T09:00:00+01:00"}) + "\n" + '{"v": 1, "type": "work.end"}\n')
    refused = raccord("journal", "add", str(dossier), "--file", str(batch))
    assert refused.returncode == 2
    assert f"{batch}:2:" in refused.stderr and "« at » doit être une date et heure" in refused.stderr
    assert journal.read_bytes() == before  # not half-written


def test_watch_without_durable_rules_says_how_to_install_it_and_the_rest_works(dossier):
    added = raccord("journal", "add", str(dossier), json.dumps(START), masked=True)
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("1 événement ajouté à "), added.stdout  # agreed, never « événement(s) »
    watched = raccord("watch", str(dossier), "--as-of", "2025-11-12", masked=True)
    assert watched.returncode == 2
    assert "pip install 'raccord[live]'" in watched.stderr and "a besoin de durable-rules" in watched.stderr
    checked = raccord("check", str(dossier), "--as-of", "2025-11-12", masked=True)
    assert checked.returncode == 0, checked.stderr


@pytest.mark.skipif(not durable_available(), reason="raccord[live] (durable-rules) not installed")
def test_acknowledging_an_alert_records_it_in_the_journal(dossier):
    journal = dossier.with_name("dossier.journal.jsonl")
    journal.write_bytes((ROOT / "examples/serie_tv/journal/jour-12-sans-pauses.jsonl").read_bytes())
    doc = json.loads(raccord("watch", str(dossier), "--as-of", "2025-11-13", "--format", "json").stdout)
    alert = doc["alerts"][1]["id"]
    acked = raccord("watch", str(dossier), "--ack", alert, "--comment", "pause donnée à 12 h 35, plan de travail revu", "--by",
                    "regisseur_general")
    assert acked.returncode == 0, acked.stderr
    again = json.loads(raccord("watch", str(dossier), "--as-of", "2025-11-13", "--format", "json").stdout)
    assert again["alerts"][1]["acknowledged"]["comment"] == "pause donnée à 12 h 35, plan de travail revu"
    assert "acknowledged" not in again["alerts"][0]


@pytest.mark.parametrize("change, field", [
    ({"person": "Jean Dupont"}, "person"), ({"role": "vedette"}, "role"), ({"at": "2025-11-12T08:00:00"}, "at"),
    ({"v": 7}, "v"), ({"type": "work.sieste"}, "type"), ({"name": "Jean"}, "name"), ({"person": None}, "person"),
])
def test_an_error_names_the_field_it_is_about(change, field):
    """A form (the workspace's) shows the engine's message beside the field: `error.field` names it."""
    from raccord.engine.live.events import check_event

    data = {**START, **change}
    if change.get("person", "") is None:
        del data["person"]
    with pytest.raises(InputError) as caught:
        check_event(data, "formulaire")
    assert caught.value.field == field
    assert caught.value.where == "formulaire"


def test_an_error_about_the_whole_event_names_no_field():
    from raccord.engine.live.events import check_event

    with pytest.raises(InputError) as caught:
        check_event(["pas", "un", "objet"], "formulaire")
    assert caught.value.field is None
