"""One truth: the journal beside a dossier gives `check` the facts and evidence `watch` sees
(engine/live/derived.py): a child's day without a break makes the minors' break criterion fail."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from raccord.engine import Engine

ROOT = Path(__file__).parent.parent
DAYS = ROOT / "examples/serie_tv/journal"
AS_OF = dt.date(2025, 12, 1)
BREAK = "VHSS-T3-MINORS-BREAK"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


@pytest.fixture
def production(tmp_path: Path) -> Path:
    """The feature film (one child, breaks stated as granted) copied whole, so its evidence files check out."""
    shutil.copytree(ROOT / "examples/long_metrage", tmp_path / "lm")
    return tmp_path / "lm/dossier.yaml"


def status(engine: Engine, dossier: Path, criterion: str) -> str:
    return engine.explain(engine.evaluate(engine.dossier(dossier), AS_OF), criterion)["status"]


def test_without_a_journal_the_dossier_is_read_as_before(engine, production):
    dossier = engine.dossier(production)
    assert dossier.facts["vhss.minors.breaks_granted"] is True
    assert not [e for e in dossier.file.evidence if e.id.startswith("JOURNAL-")]


def test_a_day_without_a_break_makes_the_stated_fact_false(engine, production):
    before = status(engine, production, BREAK)
    shutil.copy(DAYS / "jour-12-sans-pauses.jsonl", production.with_name("dossier.journal.jsonl"))
    dossier = engine.dossier(production)
    assert dossier.facts["vhss.minors.breaks_granted"] is False
    assert before != "not_met" and status(engine, production, BREAK) == "not_met"


def test_a_day_with_its_breaks_keeps_it_and_is_evidence(engine, production):
    shutil.copy(DAYS / "jour-12-avec-pauses.jsonl", production.with_name("dossier.journal.jsonl"))
    dossier = engine.dossier(production)
    assert dossier.facts["vhss.minors.breaks_granted"] is True
    (item,) = [e for e in dossier.file.evidence if e.id == "JOURNAL-LIVE-MINOR-BREAK"]
    assert item.kind == "minor_work_schedule" and item.path == "dossier.journal.jsonl"
    assert item.collected == dt.date(2025, 11, 13) and "1 cas suivi, 0 alerte, dont 0 acquittée" in item.note
    explained = engine.explain(engine.evaluate(dossier, AS_OF), "VHSS-T3-5.3-WORK-ORGANISATION")
    assert "JOURNAL-LIVE-MINOR-BREAK" in str(explained)


def test_check_and_watch_read_the_same_journal(production):
    """The CLI reads the derived fact and the journal as evidence."""
    shutil.copy(DAYS / "jour-12-sans-pauses.jsonl", production.with_name("dossier.journal.jsonl"))
    out = subprocess.run([sys.executable, "-m", "raccord", "explain", str(production), BREAK, "--as-of", AS_OF.isoformat()],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "Statut : non satisfait" in out.stdout
    assert "vhss.minors.breaks_granted = vrai (vu : faux) → faux" in out.stdout
    assert "preuve minor_work_schedule : JOURNAL-LIVE-MINOR-BREAK (ok)" in out.stdout
