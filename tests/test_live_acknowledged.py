"""Acknowledgements as evidence items of their own (engine/live/acknowledged.py, docs/journal.md § 6): an
alert acknowledged in the journal is an item of the register with its kind, date, criteria and origin,
seen by `evidence list` and `check`, and the auditor reviews it by its id like any other item; the
review holds while the acknowledgement and its alert stay the same, whatever is appended after."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from raccord.engine import Engine
from raccord.engine.live import load_monitors, read_journal, replay
from tests.test_evidence import run

ROOT = Path(__file__).parent.parent
DAY = ROOT / "examples/serie_tv/journal/jour-12-sans-pauses.jsonl"
AS_OF = dt.date(2025, 12, 1)
MONITORS = load_monitors()


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def alert_id(monitor: str, stage: str = "breach") -> str:
    (alert,) = [a for a in replay(read_journal(DAY), MONITORS, None, engine="reference")
                if a.monitor == monitor and a.stage == stage]
    return alert.id


def ack(alert: str, comment: str, at: str = "2025-11-12T12:40:00+01:00", by: str | None = "regisseur_general") -> str:
    data = {"v": 1, "at": at, "type": "alert.ack", "alert": alert, "comment": comment}
    return json.dumps(data | ({"by": by} if by else {})) + "\n"


@pytest.fixture
def film(tmp_path: Path) -> Path:
    """The feature film with the day without breaks as its journal, the child's missed break acknowledged."""
    shutil.copytree(ROOT / "examples/long_metrage", tmp_path / "lm")
    dossier = tmp_path / "lm/dossier.yaml"
    text = DAY.read_text(encoding="utf-8") + ack(alert_id("LIVE-MINOR-BREAK"), "pause donnée à 12 h 35, plan de travail revu")
    dossier.with_name("dossier.journal.jsonl").write_text(text, encoding="utf-8")
    return dossier


def items(engine: Engine, dossier: Path) -> dict:
    return {e.id: e for e in engine.dossier(dossier).file.evidence if e.id.startswith("JOURNAL-ACK-")}


def test_an_acknowledged_missed_break_is_a_record_of_the_childs_day(engine, film):
    alert = alert_id("LIVE-MINOR-BREAK")
    (item,) = items(engine, film).values()
    assert item.id == "JOURNAL-ACK-" + alert[2:]
    assert item.kind == "minor_work_schedule"
    assert item.criteria == ["VHSS-T3-MINORS-BREAK", "VHSS-T3-5.3-WORK-ORGANISATION"]
    assert item.collected == dt.date(2025, 11, 12) and item.author == "regisseur_general" and item.path is None
    assert f"{alert} (LIVE-MINOR-BREAK, breach, E-01, 2025-11-12 12:30)" in item.note
    line = len(DAY.read_text(encoding="utf-8").splitlines()) + 1  # the acknowledgement's line in the journal
    assert f"dossier.journal.jsonl:{line}" in item.note and "« pause donnée à 12 h 35, plan de travail revu »" in item.note
    # the acknowledgement does not undo the breach: the break criterion still fails
    result = engine.evaluate(engine.dossier(film), AS_OF)
    assert engine.explain(result, "VHSS-T3-MINORS-BREAK")["status"] == "not_met"


def test_an_acknowledgement_proves_nothing_where_the_monitor_gives_no_evidence(engine, film):
    """The open set of S-14 acknowledged: in the register for the closed-set criterion, but not as its proof."""
    journal = film.with_name("dossier.journal.jsonl")
    before = engine.explain(engine.evaluate(engine.dossier(film), AS_OF), "VHSS-T3-3-CLOSED-SET")["status"]
    with journal.open("a", encoding="utf-8") as handle:
        handle.write(ack(alert_id("LIVE-INTIMACY-CLOSED-SET"), "plateau fermé à 15 h 05, prise refaite",
                         at="2025-11-12T15:05:00+01:00", by=None))
        handle.write(ack("A-0000000000", "identifiant mal recopié", at="2025-11-12T15:06:00+01:00"))
    found = items(engine, film)
    (scene,) = [i for i in found.values() if i.kind == "alert_acknowledgement"]
    assert scene.criteria == ["VHSS-T3-3-CLOSED-SET"] and scene.author == "raccord journal"
    assert len(found) == 2  # the unknown alert id gives no item
    after = engine.explain(engine.evaluate(engine.dossier(film), AS_OF), "VHSS-T3-3-CLOSED-SET")["status"]
    assert after == before


def test_evidence_list_shows_it_and_a_review_of_it_holds_as_the_journal_grows(capsys, film):
    (item_id,) = [i["id"] for i in json.loads(ok(capsys, "evidence", "list", str(film), "--format", "json"))
                  if i["id"].startswith("JOURNAL-ACK-")]
    ok(capsys, "review", str(film), item_id, "--accept", "--by", "Auditrice", "--date", "2025-12-01")
    with film.with_name("dossier.journal.jsonl").open("a", encoding="utf-8") as handle:  # the next day is logged
        handle.write('{"v": 1, "at": "2025-11-14T07:00:00+01:00", "type": "day.open", "day": "2025-11-14"}\n')
    listed = {i["id"]: i for i in json.loads(ok(capsys, "evidence", "list", str(film), "--format", "json"))}
    assert listed[item_id]["review"]["status"] == "accepted" and "stale" not in listed[item_id]["review"]
    assert listed[item_id]["kind"] == "minor_work_schedule" and "acquittement de l'alerte" in listed[item_id]["note"]
    assert listed["JOURNAL-LIVE-MINOR-BREAK"]["review"]["status"] == "pending"
    text = ok(capsys, "evidence", "list", str(film), "--criterion", "VHSS-T3-5.3-WORK-ORGANISATION")
    assert f"{item_id} minor_work_schedule — - (2025-11-12) → VHSS-T3-MINORS-BREAK, VHSS-T3-5.3-WORK-ORGANISATION" in text


def ok(capsys, *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return out
