"""`raccord calendar` (engine/calendar.py, cli/commands_calendar.py, cli/calendar_ics.py): every
deadline, milestone and expiring piece of evidence in date order; the iCalendar file parses back
with the right dates and alarms.

Deadlines are tested on the toy aid of tests/test_deadlines.py (a declaration due the day before
the first shooting day, an authorisation taking a month, a module due within 15 days after it,
late allowed), through a rulesets folder with the bundled fact catalogue; milestones and expiring
evidence also on the bundled feature film."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from icalendar import Calendar

from raccord.engine import Engine
from raccord.engine.loader import bundled_rulesets_dir

from .test_deadlines import CRITERIA, FACTS, POLICY, ruleset_yaml

ROOT = Path(__file__).parent.parent
FEATURE = ROOT / "examples" / "long_metrage" / "dossier.yaml"
DOSSIER = """format: raccord.dossier/1
production: {{id: essai, title: Essai}}
facts:
  dates: {{preparation_start: 2025-01-06, {first_day}wrap: 2025-04-18}}
  toy: {{declaration_date: 2025-03-10, authorised: {authorised}}}
evidence:
  - {{id: EV-1, kind: module2, collected: 2025-03-10, expires: 2025-03-20}}
{declined}"""


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Path:
    """A folder with the toy aid as the only ruleset and the bundled catalogue of facts, and the
    dossier of a production shooting from 2025-03-03 that declared on 2025-03-10 (too late)."""
    folder = tmp_path_factory.mktemp("calendar")
    rulesets = folder / "rulesets"
    (rulesets / "toy_aid").mkdir(parents=True)
    shutil.copy(bundled_rulesets_dir() / "facts.yaml", rulesets / "facts.yaml")
    (rulesets / "toy_aid" / "ruleset.yaml").write_text(ruleset_yaml("toy_aid", POLICY, CRITERIA, FACTS), encoding="utf-8")
    first_day, decline = "first_shooting_day: 2025-03-03, ", "declined: {T-AUTH: Pas d'enfant finalement}\n"
    for name, day, authorised, declined in (("dossier.yaml", first_day, "false", ""), ("authorised.yaml", first_day, "true", ""),
                                            ("undated.yaml", "", "false", ""), ("declined.yaml", first_day, "false", decline)):
        (folder / name).write_text(DOSSIER.format(first_day=day, authorised=authorised, declined=declined), encoding="utf-8")
    return folder


def calendar(folder: Path | None, as_of: str, dossier: str = "dossier.yaml") -> dict:
    engine = Engine.load(folder / "rulesets") if folder else Engine.load()
    path = folder / dossier if folder else FEATURE
    return engine.calendar(engine.evaluate(engine.dossier(path), dt.date.fromisoformat(as_of)))


def key(entry: dict) -> str:
    return entry.get("criterion") or entry.get("fact") or entry["evidence"]


def test_the_entries_come_in_date_order_with_each_deadline_window(toy):
    doc = calendar(toy, "2025-02-10")
    assert doc["format"] == "raccord.calendar/1" and doc["as_of"] == "2025-02-10" and doc["undated"] == []
    assert [(e["date"], e["kind"], key(e)) for e in doc["entries"]] == [
        ("2025-01-06", "milestone", "dates.preparation_start"),
        ("2025-03-02", "deadline", "T-AUTH"),  # the day before the first shooting day
        ("2025-03-02", "deadline", "T-DECL"),
        ("2025-03-03", "milestone", "dates.first_shooting_day"),
        ("2025-03-10", "milestone", "toy.declaration_date"),  # a date fact of the ruleset is a milestone too
        ("2025-03-18", "deadline", "T-MOD2"),  # within 15 days after the first shooting day
        ("2025-03-20", "evidence_expiry", "EV-1"),
        ("2025-04-18", "milestone", "dates.wrap"),
    ]  # T-BOTH has no deadline of its own: not in the calendar
    auth = next(e for e in doc["entries"] if e.get("criterion") == "T-AUTH")
    assert (auth["start_by"], auth["window"], auth["lead_days"], auth["days_left"], auth["past"]) == \
        ("2025-01-31", "closing", 30, 20, False)
    assert (auth["status"], auth["status_reason"], auth["fact"]) == ("unknown", "not_yet_due", "dates.first_shooting_day")
    # the clause that sets the date, as a reader finds it: the document's title and the section
    assert auth["source"] == {"document": "src", "title": "Source de test", "section": "Étape 1",
                              "quote": "avant le premier jour de tournage",
                              "citation": {"name": {"fr": "Source de test", "en": "Source de test"},
                                           "article": {"fr": "Étape 1", "en": "Étape 1"}}}
    module = next(e for e in doc["entries"] if e.get("criterion") == "T-MOD2")
    assert module["evidence_expected"] == [{"kind": "module2", "description": {"fr": "Attestation du module 2",
                                                                               "en": "Module 2 certificate"}}]
    expiry = doc["entries"][6]
    assert (expiry["criteria"], expiry["state"], expiry["evidence_kind"]) == (["T-MOD2"], "not_yet_collected", "module2")
    first_day = doc["entries"][3]
    assert first_day["title"] == {"fr": "Premier jour de tournage", "en": "First shooting day"}


def test_what_is_past_follows_the_evaluation_date_and_a_deadline_due_that_day_is_not_past(toy):
    on_the_day = {key(e): e for e in calendar(toy, "2025-03-02")["entries"]}
    assert on_the_day["T-DECL"]["past"] is False and on_the_day["T-DECL"]["days_left"] == 0
    assert on_the_day["dates.preparation_start"]["past"] is True
    later = {key(e): e for e in calendar(toy, "2025-03-25")["entries"]}
    assert [k for k, e in later.items() if e["past"]] == ["dates.preparation_start", "T-AUTH", "T-DECL",
                                                          "dates.first_shooting_day", "toy.declaration_date", "T-MOD2", "EV-1"]
    assert (later["T-DECL"]["status"], later["T-DECL"]["status_reason"]) == ("not_met", "deadline_passed")
    assert (later["T-MOD2"]["window"], later["T-MOD2"]["days_left"]) == ("overdue", -7)
    assert later["EV-1"]["state"] == "expired" and later["dates.wrap"]["days_left"] == 24


def test_deadlines_whose_date_is_unknown_are_listed_apart_never_passed(toy):
    doc = calendar(toy, "2030-01-01", "undated.yaml")
    assert [e["kind"] for e in doc["entries"]] == ["milestone", "milestone", "evidence_expiry", "milestone"]
    assert [(u["criterion"], u["window"], u["fact"]) for u in doc["undated"]] == [
        ("T-DECL", "unknown_date", "dates.first_shooting_day"), ("T-AUTH", "unknown_date", "dates.first_shooting_day"),
        ("T-MOD2", "unknown_date", "dates.first_shooting_day")]
    assert all("date" not in u and "past" not in u for u in doc["undated"])


def test_the_feature_film_calendar_has_its_milestones_and_its_expired_training_certificate():
    doc = calendar(None, "2025-10-15")
    dates = [e["date"] for e in doc["entries"]]
    assert dates == sorted(dates)
    milestones = [(e["date"], e["fact"], e["title"]["fr"], e["past"]) for e in doc["entries"] if e["kind"] == "milestone"]
    assert milestones == [("2024-11-15", "cnc.aid_application_date", "Date de la demande d'aide au CNC", True),
                          ("2025-01-06", "dates.preparation_start", "Début de la préparation", True),
                          ("2025-02-24", "dates.production_budget", "Date du devis de production déposé au CNC", True),
                          ("2025-03-03", "dates.first_shooting_day", "Premier jour de tournage", True),
                          ("2025-04-18", "dates.wrap", "Fin de tournage", True),
                          ("2025-09-30", "dates.post_production_end", "Fin de la post-production", True),
                          ("2025-11-28", "dates.final_cost", "Date du coût définitif de production déposé au CNC", False),
                          ("2025-12-12", "dates.agrement", "Date de la demande d'agrément de production (cinéma) ou "
                                                           "d'autorisation définitive (audiovisuel)", False)]
    expiry = next(e for e in doc["entries"] if e["kind"] == "evidence_expiry" and e["evidence"] == "EV-093")
    assert (expiry["date"], expiry["past"], expiry["days_left"], expiry["state"]) == ("2025-09-12", True, -33, "expired")
    assert "VHSS-33.1.3.3-TRAINED" in expiry["criteria"] and expiry["evidence_kind"] == "referent_training_certificate"
    before = calendar(None, "2025-09-12")  # the last day it still counts
    ev = next(e for e in before["entries"] if e.get("evidence") == "EV-093")
    assert (ev["past"], ev["state"]) == (False, "valid")


def raccord(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "raccord", "calendar", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def on_toy(toy: Path, *args: str, dossier: str = "dossier.yaml") -> subprocess.CompletedProcess:
    return raccord(str(toy / dossier), "--rulesets-dir", str(toy / "rulesets"), *args)


def events(ics: bytes | str) -> dict[str, object]:
    cal = Calendar.from_ical(ics)
    found = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert len(found) == len(cal.walk("VEVENT")), "every UID is unique"
    return found


def test_the_ics_file_parses_back_with_one_all_day_event_per_entry_and_alarms_at_the_lead_time(toy, tmp_path):
    out = tmp_path / "plan" / "essai.ics"
    done = on_toy(toy, "--as-of", "2025-02-10", "--format", "ics", "-o", str(out))
    assert done.returncode == 0 and done.stdout == "", done.stderr
    cal = Calendar.from_ical(out.read_bytes())
    assert str(cal["PRODID"]) == "-//raccord//calendar//FR" and str(cal["VERSION"]) == "2.0"
    found = events(out.read_bytes())
    assert set(found) == {"T-AUTH@essai.raccord", "T-DECL@essai.raccord", "T-MOD2@essai.raccord",
                          "milestone.dates.preparation_start@essai.raccord", "milestone.dates.first_shooting_day@essai.raccord",
                          "milestone.toy.declaration_date@essai.raccord", "milestone.dates.wrap@essai.raccord",
                          "expiry.EV-1@essai.raccord"}
    dates = {uid: (e.decoded("DTSTART"), e.decoded("DTEND")) for uid, e in found.items()}
    assert dates["T-AUTH@essai.raccord"] == (dt.date(2025, 3, 2), dt.date(2025, 3, 3))  # all day: dates, not times
    assert dates["T-MOD2@essai.raccord"] == (dt.date(2025, 3, 18), dt.date(2025, 3, 19))
    assert dates["milestone.dates.wrap@essai.raccord"] == (dt.date(2025, 4, 18), dt.date(2025, 4, 19))
    assert dates["expiry.EV-1@essai.raccord"] == (dt.date(2025, 3, 20), dt.date(2025, 3, 21))
    assert all(not isinstance(start, dt.datetime) for start, _ in dates.values())
    auth = found["T-AUTH@essai.raccord"]
    assert str(auth["SUMMARY"]) == "T-AUTH — T-AUTH" and auth["CATEGORIES"].cats == ["toy_aid"]
    assert auth.decoded("DTSTAMP") == dt.datetime(2025, 2, 10, tzinfo=dt.UTC)  # from --as-of, not the clock
    [alarm] = auth.walk("VALARM")
    assert alarm.decoded("TRIGGER") == dt.timedelta(days=-30) and str(alarm["ACTION"]) == "DISPLAY"
    assert "30 jours de délai" in str(alarm["DESCRIPTION"])
    assert [uid for uid, e in found.items() if e.walk("VALARM")] == ["T-AUTH@essai.raccord"]  # the only lead time
    description = str(found["T-MOD2@essai.raccord"]["DESCRIPTION"])
    assert "Preuve attendue : Attestation du module 2" in description and "Source : Source de test, Étape 1" in description


def test_a_deadline_already_met_or_declined_gets_no_reminder(toy):
    done = on_toy(toy, "--as-of", "2025-02-10", "--format", "ics", dossier="authorised.yaml")
    auth = events(done.stdout.encode())["T-AUTH@essai.raccord"]
    assert auth.walk("VALARM") == [] and "satisfait" in str(auth["DESCRIPTION"])
    declined = events(on_toy(toy, "--as-of", "2025-02-10", "--format", "ics", dossier="declined.yaml").stdout.encode())
    assert declined["T-AUTH@essai.raccord"].walk("VALARM") == []
    text = on_toy(toy, "--as-of", "2025-02-10", dossier="declined.yaml").stdout.splitlines()
    at = text.index("- 02/03/2025 (dans 20 jours) — Échéance T-AUTH T-AUTH — non satisfait")
    assert text[at + 1] == "    Écarté par la production : Pas d'enfant finalement"  # not « à faire avant le … »


def test_the_feature_film_ics_has_an_event_per_dated_entry():
    done = raccord(str(FEATURE), "--as-of", "2025-10-15", "--format", "ics")
    assert done.returncode == 0, done.stderr
    found = events(done.stdout.encode())
    doc = calendar(None, "2025-10-15")
    assert len(found) == len(doc["entries"])
    assert found["expiry.EV-093@les-heures-claires.raccord"].decoded("DTSTART") == dt.date(2025, 9, 12)
    assert found["milestone.dates.first_shooting_day@les-heures-claires.raccord"].decoded("DTSTART") == dt.date(2025, 3, 3)


def test_the_text_says_in_french_when_each_item_falls_due(toy):
    done = on_toy(toy, "--as-of", "2025-03-25")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[2] == "Calendrier — du 06/01/2025 au 18/04/2025"
    assert lines[3:6] == ["- 06/01/2025 (passé, il y a 78 jours) — Jalon : Début de la préparation",
                          "- 02/03/2025 (passé, il y a 23 jours) — Échéance T-AUTH T-AUTH — non satisfait",
                          "    délai dépassé le 02/03/2025 (il y a 23 jours) : ne peut plus être fait"]
    assert "    en retard depuis le 18/03/2025 (7 jours) : encore possible" in lines
    assert "- 20/03/2025 (passé, il y a 5 jours) — Fin de validité de la preuve EV-1 (module2) — preuve expirée" in lines
    # the evaluation date between what is past and what is to come
    assert lines[-2:] == ["── 25/03/2025 : date d'évaluation ──", "- 18/04/2025 (dans 24 jours) — Jalon : Fin de tournage"]
    english = on_toy(toy, "--as-of", "2025-03-25", "--lang", "en").stdout.splitlines()
    assert english[-1] == "- 2025-04-18 (in 24 days) — Milestone: Wrap"
    undated = on_toy(toy, "--as-of", "2025-02-10", dossier="undated.yaml").stdout.split("Date limite inconnue :\n")[1]
    assert undated.splitlines()[:2] == ["- Échéance T-DECL T-DECL — inconnu", "    date limite inconnue : renseigner "
                                        "dates.first_shooting_day (Premier jour de tournage)"]


def test_markdown_and_json_carry_the_same_entries(toy):
    md = on_toy(toy, "--as-of", "2025-03-25", "--format", "md").stdout
    assert md.startswith("# Calendrier — Essai\n")
    assert ("| ~~02/03/2025~~ | passé, il y a 23 jours | Échéance T-DECL T-DECL — non satisfait | délai dépassé le "
            "02/03/2025 (il y a 23 jours) : ne peut plus être fait — Source : Source de test, Étape 1 |") in md
    assert "| **18/04/2025** | dans 24 jours | Jalon : Fin de tournage |  |" in md
    doc = json.loads(on_toy(toy, "--as-of", "2025-03-25", "--format", "json").stdout)
    assert doc == calendar(toy, "2025-03-25")


@pytest.mark.parametrize(("args", "message"), [
    (("--as-of", "2025-02-30"), "raccord : erreur : --as-of: « 2025-02-30 » n'est pas une date"),
    (("--format", "pdf"), "--format: valeur invalide : 'pdf'"),  # click's usage error, one located line (cli/main.py usage_error)
    (("--ruleset", "ecoprod"), "raccord : erreur : --ruleset: référentiel inconnu : « ecoprod »"),
    (("-o", "."), "raccord : erreur : .: impossible d'écrire le fichier : c'est un dossier"),
])
def test_bad_options_are_a_located_error_with_exit_2(args, message):
    done = raccord(str(FEATURE), *args)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_the_feature_film_ics_has_one_event_per_deadline_on_its_due_date(tmp_path):
    as_of = "2025-03-18"
    doc = json.loads(raccord(str(FEATURE), "--as-of", as_of, "--format", "json").stdout)
    out = tmp_path / "film.ics"
    done = raccord(str(FEATURE), "--as-of", as_of, "--format", "ics", "-o", str(out))
    assert done.returncode == 0, done.stderr
    found = events(out.read_bytes())
    deadlines = [e for e in doc["entries"] if e["kind"] == "deadline"]
    uids = {e["criterion"] + (f".{e['piece']}" if e.get("piece") else "") + (f"@{e['member']}." if e.get("member") else "@")
            + "les-heures-claires.raccord": e for e in deadlines}
    assert len(uids) == len(deadlines) and set(uids) <= set(found)  # one event per deadline, pieces and persons apart
    # the child's authorisation is dated from the child's own hiring (E-01, 24/02), by reference only
    child = found["VHSS-T3-5.2-PREFECT-AUTHORISATION@E-01.les-heures-claires.raccord"]
    assert child.decoded("DTSTART") == dt.date(2025, 2, 23) and "E-01" in str(child["SUMMARY"])
    assert len(found) == len(doc["entries"])
    for uid, entry in uids.items():
        start, end = found[uid].decoded("DTSTART"), found[uid].decoded("DTEND")
        assert (start.isoformat(), (end - start).days) == (entry["date"], 1), uid
    # the in-person module within 15 days of the first day (met: the crew list is complete); its attendance
    # proof, due at the agrément, is already in, so that piece's deadline is not listed
    assert found["AID-CNC-VHSS-122-17-1-CREW@les-heures-claires.raccord"].decoded("DTSTART") == dt.date(2025, 3, 18)
    assert not any(".cnc_crew_training_attendance@" in uid for uid in found)
    # Ecoprod's « during filming » actions not yet done fall due on the wrap
    assert found["ECO-DEP-03@les-heures-claires.raccord"].decoded("DTSTART") == dt.date(2025, 4, 18)
