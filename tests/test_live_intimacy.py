"""The agreed people of an intimacy scene (CCNPC Titre III art. 3, l. 6038 « lister les personnes dont la
présence est indispensable », l. 6058 « Réserver l'accès au plateau aux personnes rigoureusement
nécessaires »): the production logs the scene's list (`intimacy.agreed`, format 2); a start with someone
not on it, or with no list at all, alerts, in both engines, in French and English."""

from __future__ import annotations

import json

import pytest

from raccord.engine.live import alert_document, durable_available, load_monitors, replay
from raccord.engine.live.events import parse_lines

MONITORS = load_monitors()
ENGINES = ["reference", pytest.param("durable", marks=pytest.mark.skipif(not durable_available(), reason="raccord[live]"))]
LISTS = ("LIVE-INTIMACY-NO-LIST", "LIVE-INTIMACY-NOT-LISTED")


def journal(*events: dict) -> list:
    lines = [json.dumps({"v": 2, "at": f"2025-11-12T{e.pop('t')}:00+01:00", **e}) for e in events]
    return parse_lines(lines, "jour.jsonl")


def agreed(t: str, scene: str, *people: str) -> dict:
    return {"t": t, "type": "intimacy.agreed", "scene": scene, "agreed": list(people)}


def start(t: str, scene: str, *people: str) -> dict:
    return {"t": t, "type": "intimacy.start", "scene": scene, "present": list(people), "closed_set": True}


def alerts(events: list, engine: str) -> list[tuple[str, str, str]]:
    return [(a.at.strftime("%H:%M"), a.monitor, a.key) for a in replay(events, MONITORS, None, engine=engine)
            if a.monitor in LISTS]


@pytest.mark.parametrize("engine", ENGINES)
def test_someone_present_who_is_not_on_the_list_alerts_once_each(engine):
    events = journal(agreed("14:00", "S-14", "P-021", "P-022", "P-050"),
                     start("15:00", "S-14", "P-021", "P-022", "P-040", "P-041", "P-040"))
    assert alerts(events, engine) == [("15:00", "LIVE-INTIMACY-NOT-LISTED", "S-14/P-040"),
                                      ("15:00", "LIVE-INTIMACY-NOT-LISTED", "S-14/P-041")]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_scene_without_a_list_alerts_and_a_revised_list_holds_from_the_next_take(engine):
    """S-9 has no list; S-14's second take, after the list names the trusted person P-060 (l. 6062), is in order;
    a list logged at the very instant of a start but after it in the file is not yet in force."""
    events = journal(start("09:00", "S-9", "P-021"),
                     agreed("14:00", "S-14", "P-021"),
                     start("15:00", "S-14", "P-021", "P-060"),
                     agreed("15:20", "S-14", "P-021", "P-060"),
                     start("15:30", "S-14", "P-021", "P-060"),
                     start("16:00", "S-15", "P-021"),
                     agreed("16:00", "S-15", "P-021"))
    assert alerts(events, engine) == [("09:00", "LIVE-INTIMACY-NO-LIST", "S-9"),
                                      ("15:00", "LIVE-INTIMACY-NOT-LISTED", "S-14/P-060"),
                                      ("16:00", "LIVE-INTIMACY-NO-LIST", "S-15")]


def test_the_alert_names_the_scene_and_the_reference_and_cites_its_lines_in_both_languages():
    events = journal(agreed("14:00", "S-14", "P-021"), start("15:00", "S-14", "P-021", "P-040"))
    (alert,) = [a for a in replay(events, MONITORS, None, engine="reference") if a.monitor in LISTS]
    fr, en = (alert_document(alert, MONITORS, lang) for lang in ("fr", "en"))
    assert fr["message"] == ("P-040 est présent·e à la scène d'intimité S-14 (2025-11-12 15:00) sans être sur la liste "
                             "des personnes indispensables.")
    assert en["message"].startswith("P-040 is present at intimacy scene S-14 (2025-11-12 15:00)")
    assert fr["severity"] == "high" and fr["source"]["lines"] == "6040, 6058" and "VHSS-T3-3-CLOSED-SET" in fr["serves"]
    assert "intimacy.agreed" in fr["action"] and "intimacy.agreed" in en["action"]


def test_a_journal_of_version_1_stays_valid_and_watched_as_before():
    lines = ['{"v": 1, "at": "2025-11-12T15:00:00+01:00", "type": "intimacy.start", "scene": "S-1", "present": [], '
             '"closed_set": false}']
    got = [(a.monitor, a.key) for a in replay(parse_lines(lines, "old.jsonl"), MONITORS, None, engine="reference")]
    assert got == [("LIVE-INTIMACY-CLOSED-SET", "S-1"), ("LIVE-INTIMACY-NO-LIST", "S-1")]
