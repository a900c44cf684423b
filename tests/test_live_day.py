"""The scripted shooting day of the TV series (examples/serie_tv/journal): exactly the expected alerts,
at the expected times, each citing its clause; the same day with the breaks given: none.

The intimacy scene S-14 has its list of indispensable people (`intimacy.agreed`, format 2) logged at
14:30: without P-040 on the day without breaks (one more alert at 15:00, LIVE-INTIMACY-NOT-LISTED),
with everyone present on the day with the breaks (none). The seven alerts of before are unchanged."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from raccord.engine.live import durable_available, load_monitors, read_journal, replay

ROOT = Path(__file__).parent.parent
DAY = ROOT / "examples/serie_tv/journal"
UNTIL = dt.datetime(2025, 11, 13, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
ENGINES = ["reference", pytest.param("durable", marks=pytest.mark.skipif(not durable_available(), reason="raccord[live]"))]

EXPECTED = [  # local time (+01:00), monitor, who, stage, since
    ("2025-11-12T12:00", "LIVE-MINOR-BREAK", "E-01", "warning", "2025-11-12T08:00"),
    ("2025-11-12T12:30", "LIVE-MINOR-BREAK", "E-01", "breach", "2025-11-12T08:00"),
    ("2025-11-12T15:00", "LIVE-INTIMACY-CLOSED-SET", "S-14", "breach", "2025-11-12T15:00"),
    ("2025-11-12T15:00", "LIVE-INTIMACY-NOT-LISTED", "S-14/P-040", "breach", "2025-11-12T15:00"),
    ("2025-11-12T18:30", "LIVE-WT-AMPLITUDE-12", "P-021", "warning", "2025-11-12T07:00"),
    ("2025-11-12T19:00", "LIVE-WT-AMPLITUDE-12", "P-021", "breach", "2025-11-12T07:00"),
    ("2025-11-12T19:30", "LIVE-WT-AMPLITUDE-13", "P-021", "warning", "2025-11-12T07:00"),
    ("2025-11-13T06:00", "LIVE-WT-REST", "P-021", "breach", "2025-11-12T20:00"),
]
CLAUSES = {"LIVE-MINOR-BREAK": "5425, 5833", "LIVE-INTIMACY-CLOSED-SET": "6018", "LIVE-INTIMACY-NOT-LISTED": "6040, 6058",
           "LIVE-WT-AMPLITUDE-12": "5406-5407",
           "LIVE-WT-AMPLITUDE-13": "5407-5411", "LIVE-WT-REST": "5413"}


def local(alert_time: dt.datetime) -> str:
    return alert_time.astimezone(UNTIL.tzinfo).isoformat(timespec="minutes")[:16]


@pytest.mark.parametrize("engine", ENGINES)
def test_the_day_without_breaks_gives_exactly_the_expected_alerts(engine):
    monitors = load_monitors()
    alerts = replay(read_journal(DAY / "jour-12-sans-pauses.jsonl"), monitors, UNTIL, engine=engine)
    got = [(local(a.at), a.monitor, a.key, a.stage, local(a.since)) for a in alerts]
    assert got == EXPECTED
    by_id = {m.id: m for m in monitors.monitors}
    for alert in alerts:
        source = by_id[alert.monitor].source
        assert source["lines"] == CLAUSES[alert.monitor] and source["quote"]


@pytest.mark.parametrize("engine", ENGINES)
def test_the_same_day_with_the_breaks_given_gives_none(engine):
    assert replay(read_journal(DAY / "jour-12-avec-pauses.jsonl"), load_monitors(), UNTIL, engine=engine) == []


@pytest.mark.parametrize("engine", ENGINES)
def test_as_of_cuts_the_replay(engine):
    """At 12:15 the child's warning is out, the alert not yet: what a régisseur sees at that moment."""
    at = dt.datetime(2025, 11, 12, 12, 15, tzinfo=UNTIL.tzinfo)
    alerts = replay(read_journal(DAY / "jour-12-sans-pauses.jsonl"), load_monitors(), at, engine=engine)
    assert [(a.monitor, a.stage) for a in alerts] == [("LIVE-MINOR-BREAK", "warning")]


def raccord(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "raccord", *args], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env=env)


@pytest.mark.skipif(not durable_available(), reason="raccord[live]")
def test_watch_prints_the_alerts_in_french_and_english():
    journal = str(DAY / "jour-12-sans-pauses.jsonl")
    fr = raccord("watch", "examples/serie_tv/dossier.yaml", "--journal", journal, "--as-of", "2025-11-13")
    assert fr.returncode == 0, fr.stderr
    assert ": 21 événements, 8 alertes, dont 0 acquittée." in fr.stdout and "(s)" not in fr.stdout
    assert "[ALERTE] 2025-11-12 12:30  E-01" in fr.stdout
    assert "À faire : Arrêter l'enfant" in fr.stdout and "l. 5425, 5833" in fr.stdout
    en = raccord("watch", "examples/serie_tv/dossier.yaml", "--journal", journal, "--as-of", "2025-11-13", "--lang", "en")
    assert ": 21 events, 8 alerts, 0 acknowledged." in en.stdout
    assert "[ALERT] 2025-11-12 12:30  E-01" in en.stdout and "To do: Stop the child" in en.stdout
    doc = json.loads(raccord("watch", "examples/serie_tv/dossier.yaml", "--journal", journal, "--as-of", "2025-11-13",
                             "--format", "json").stdout)
    assert [a["monitor"] for a in doc["alerts"]] == [e[1] for e in EXPECTED]
    assert doc["alerts"][1]["source"]["seed"] == "004_8076f29409faf792.txt"
