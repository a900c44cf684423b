"""`raccord watch --follow`: a line appended to the journal while it watches gives its alert at once,
and the passing time fires a timer (a child's 4 h 30 without a break reached while following)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from raccord.engine.live import durable_available

ROOT = Path(__file__).parent.parent
pytestmark = pytest.mark.skipif(not durable_available(), reason="raccord[live] (durable-rules) not installed")


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone(dt.timedelta(hours=1))).isoformat(timespec="seconds")


def test_follow_prints_alerts_as_lines_come_and_time_passes(tmp_path):
    now = dt.datetime.now(dt.UTC)
    dossier = tmp_path / "dossier.yaml"
    dossier.write_bytes((ROOT / "examples/serie_tv/dossier.yaml").read_bytes())
    journal = tmp_path / "dossier.journal.jsonl"
    # the child started 4 h 30 min minus 20 s ago: the limit falls while `watch` follows (start-up included)
    start = {"v": 1, "at": stamp(now - dt.timedelta(hours=4, minutes=30) + dt.timedelta(seconds=20)), "type": "work.start",
             "person": "E-01", "role": "enfant"}
    journal.write_text(json.dumps(start) + "\n", encoding="utf-8")
    watcher = subprocess.Popen([sys.executable, "-m", "raccord", "watch", str(dossier), "--follow", "--format", "json",
                                "--poll", "0.2", "--stop-after", "90"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert watcher.stdout is not None
        replay_text = ""
        while not replay_text.endswith("}\n") or replay_text.count("{") != replay_text.count("}"):
            replay_text += watcher.stdout.readline()  # the replay: one indented JSON document
        replayed = json.loads(replay_text)["alerts"]
        assert [(a["monitor"], a["stage"]) for a in replayed] == [("LIVE-MINOR-BREAK", "warning")]  # at 4 h 00, before
        scene = {"v": 1, "at": stamp(dt.datetime.now(dt.UTC)), "type": "intimacy.start", "scene": "S-3", "present": ["P-021"],
                 "closed_set": False}
        added = subprocess.run([sys.executable, "-m", "raccord", "journal", "add", str(dossier), json.dumps(scene)], cwd=ROOT,
                               capture_output=True, text=True, timeout=60)
        assert added.returncode == 0, added.stderr
        live = [json.loads(watcher.stdout.readline()) for _ in range(3)]  # one alert per line while following
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)
    assert sorted((a["monitor"], a["stage"], a["who"]) for a in live) == [
        ("LIVE-INTIMACY-CLOSED-SET", "breach", "S-3"), ("LIVE-INTIMACY-NO-LIST", "breach", "S-3"),
        ("LIVE-MINOR-BREAK", "breach", "E-01")]
