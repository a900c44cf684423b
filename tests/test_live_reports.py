"""One truth for the reports (CCNPC Titre I art. 34.2, l. 1697, « transmis sans délai à l'employeur »): the
journal that makes `watch` alert on a report passed on after 30 hours makes `check` read the criterion as
not met, through the fact the same monitor derives; passed on within 2 hours, neither. The counts of
reports the criteria read (received, received by the employer, handled) come from the same journal."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from raccord.engine import Engine
from raccord.engine.live import durable_available, load_monitors, read_journal, replay
from raccord.engine.live.derived import journal_counts
from raccord.engine.live.events import parse_lines

ROOT = Path(__file__).parent.parent
AS_OF = dt.date(2025, 12, 1)
CRITERION = "VHSS-34.2-TRANSMIT-WITHOUT-DELAY"
FACT = "vhss.reports.forwarded_without_delay"
RECEIVED = dt.datetime(2025, 11, 12, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def line(moment: dt.datetime, kind: str, **fields: str) -> str:
    return json.dumps({"v": 1, "at": moment.isoformat(), "type": kind, **fields})


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def production(tmp_path: Path, forwarded_after: dt.timedelta) -> Path:
    """The feature film (one report received by someone other than the employer, its transmission log
    registered) with a journal: R-1 received by the VHSS referent, forwarded after `forwarded_after`."""
    shutil.copytree(ROOT / "examples/long_metrage", tmp_path / "lm")
    dossier = tmp_path / "lm/dossier.yaml"
    dossier.with_name("dossier.journal.jsonl").write_text("\n".join([
        line(RECEIVED, "report.received", report="R-1", by="referent_vhss"),
        line(RECEIVED + forwarded_after, "report.forwarded", report="R-1"),
        line(RECEIVED + forwarded_after + dt.timedelta(days=3), "report.handled", report="R-1"),
    ]) + "\n", encoding="utf-8")
    return dossier


def watched(dossier: Path, engine: str) -> list[tuple[str, str]]:
    events = read_journal(dossier.with_name("dossier.journal.jsonl"))
    until = dt.datetime.combine(AS_OF, dt.time(), dt.UTC)
    return [(a.monitor, a.stage) for a in replay(events, load_monitors(), until, engine=engine)]


ENGINES = ["reference", pytest.param("durable", marks=pytest.mark.skipif(not durable_available(), reason="raccord[live]"))]


@pytest.mark.parametrize("engine_name", ENGINES)
def test_forwarded_after_30_hours_watch_alerts_and_check_fails_the_criterion(engine, tmp_path, engine_name):
    dossier = production(tmp_path, dt.timedelta(hours=30))
    assert watched(dossier, engine_name) == [("LIVE-REPORT-FORWARDED", "warning"), ("LIVE-REPORT-FORWARDED", "breach")]
    loaded = engine.dossier(dossier)
    assert loaded.facts[FACT] is False
    assert engine.explain(engine.evaluate(loaded, AS_OF), CRITERION)["status"] == "not_met"


@pytest.mark.parametrize("engine_name", ENGINES)
def test_forwarded_within_2_hours_neither_alerts_nor_fails(engine, tmp_path, engine_name):
    dossier = production(tmp_path, dt.timedelta(hours=2))
    assert watched(dossier, engine_name) == []
    loaded = engine.dossier(dossier)
    assert loaded.facts[FACT] is True
    explained = engine.explain(engine.evaluate(loaded, AS_OF), CRITERION)
    assert explained["status"] == "met"
    # the journal is the anonymised log of receipt and transmission dates, for the same criterion
    (item,) = [e for e in loaded.file.evidence if e.id == "JOURNAL-LIVE-REPORT-FORWARDED"]
    assert item.kind == "report_transmission_log" and item.criteria == [CRITERION]


def test_without_a_journal_the_criterion_reads_the_log_alone(engine):
    loaded = engine.dossier(ROOT / "examples/long_metrage/dossier.yaml")
    assert FACT not in loaded.facts
    assert engine.explain(engine.evaluate(loaded, AS_OF), CRITERION)["status"] == "met"


def test_a_report_still_pending_at_the_end_of_the_journal_gives_no_verdict_yet(engine, tmp_path):
    dossier = production(tmp_path, dt.timedelta(hours=2))
    dossier.with_name("dossier.journal.jsonl").write_text(line(RECEIVED, "report.received", report="R-1", by="chef_de_poste")
                                                          + "\n", encoding="utf-8")
    assert FACT not in engine.dossier(dossier).facts


def test_counts_of_reports_come_from_the_journal_and_a_higher_stated_count_stands(engine, tmp_path):
    lines = [line(RECEIVED, "report.received", report="R-1", by="referent_vhss"),
             line(RECEIVED, "report.received", report="R-2", by="employeur"),
             line(RECEIVED + dt.timedelta(hours=1), "report.received", report="R-2", by="referent_vhss"),  # R-2 once
             line(RECEIVED + dt.timedelta(hours=2), "report.received", report="R-3"),
             line(RECEIVED + dt.timedelta(days=2), "report.handled", report="R-2")]
    assert journal_counts(parse_lines(lines, "j.jsonl")) == {
        "vhss.reports.received": 3, "vhss.reports.received_directly_by_employer": 1, "vhss.reports.handled_per_procedure": 1}
    dossier = production(tmp_path, dt.timedelta(hours=2))  # states received 1, handled 1, received_directly 0
    dossier.with_name("dossier.journal.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    facts = engine.dossier(dossier).facts
    assert (facts["vhss.reports.received"], facts["vhss.reports.received_directly_by_employer"],
            facts["vhss.reports.handled_per_procedure"]) == (3, 1, 1)


@pytest.mark.skipif(not durable_available(), reason="raccord[live]")
def test_the_cli_says_the_same_in_watch_and_explain(tmp_path):
    dossier = production(tmp_path, dt.timedelta(hours=30))

    def run(*args: str) -> str:
        out = subprocess.run([sys.executable, "-m", "raccord", *args], capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert out.returncode == 0, out.stderr
        return out.stdout

    watch = run("watch", str(dossier), "--as-of", AS_OF.isoformat())
    assert "[ALERTE] 2025-11-13 10:00  R-1  LIVE-REPORT-FORWARDED" in watch
    explained = run("explain", str(dossier), CRITERION, "--as-of", AS_OF.isoformat())
    assert "Statut : non satisfait" in explained and f"{FACT} = vrai (vu : faux) → faux" in explained
