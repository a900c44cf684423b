"""The calendar document as iCalendar (RFC 5545), to import into a calendar application.

One all-day VEVENT per dated entry (deadline on its due date, milestone, evidence expiry), with a
UID that stays the same from one export to the next (`<criterion>@<dossier id>.raccord`, a
person's deadline `<criterion>@<member ref>.<dossier id>.raccord`, and `milestone.<fact>@…`,
`expiry.<evidence id>@…`), so that importing again updates the events
instead of doubling them. A deadline with a lead time, neither met nor declined, carries a VALARM
that long before its due date. DTSTAMP is the evaluation date: the export depends on nothing but its inputs.
Deadlines of unknown date have no date to put in a calendar and are left out (the text says them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from icalendar import Alarm, Calendar, Event

from . import deadline_text
from .i18n import colon, text, words
from .render_calendar import WORDS as CALENDAR_WORDS
from .render_calendar import detail, headline, span

PRODID = "-//raccord//calendar//{lang}"  # RFC 5545: the last part is the language of the texts
WORDS = {
    "start": {"fr": "À commencer : {what} ({lead} de délai)", "en": "To start: {what} ({lead} needed)"},
    "evidence": {"fr": "Preuve", "en": "Evidence"},
}
w = words(WORDS, CALENDAR_WORDS, deadline_text.WORDS)


def render_ics(doc: dict[str, Any], lang: str) -> bytes:
    dossier = doc["dossier"]
    cal = Calendar()
    cal.add("prodid", PRODID.format(lang=lang.upper()))
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"raccord — {dossier['title']}")
    stamp = dt.datetime.combine(dt.date.fromisoformat(doc["as_of"]), dt.time(0), tzinfo=dt.UTC)
    for entry in doc["entries"]:
        cal.add_component(_event(entry, dossier["id"], stamp, lang))
    return cal.to_ical()


def _event(entry: dict[str, Any], dossier_id: str, stamp: dt.datetime, lang: str) -> Event:
    day = dt.date.fromisoformat(entry["date"])
    event = Event()
    member = f"@{entry['member']}" if entry.get("member") else ""  # one person's: ID@REF, the reference only
    event.add("uid", f"{_uid_key(entry)}{member}{'.' if member else '@'}{dossier_id}.raccord")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))  # all-day: DTEND is the next day, exclusive
    event.add("transp", "TRANSPARENT")  # a reminder, not a busy day
    kind = entry["kind"]
    if kind == "deadline":
        piece = f" ({w('piece', lang)}{colon(lang)}{entry['piece']})" if entry.get("piece") else ""
        who = f" — {entry['member']}" if entry.get("member") else ""
        event.add("summary", f"{entry['criterion']}{who} — {text(entry['title'], lang)}{piece}")
        event.add("categories", [entry["ruleset"]])
    elif kind == "milestone":
        event.add("summary", headline(entry, lang))
        event.add("categories", [w("milestone", lang)])
    else:  # the item's state at the evaluation date belongs to the description, not to the event's name
        event.add("summary", f"{w('evidence_expiry', lang)} {entry['evidence']} ({entry['evidence_kind']})")
        event.add("categories", [w("evidence", lang)])
    event.add("description", "\n".join([headline(entry, lang), *detail(entry, lang)]))
    if kind == "deadline" and entry["lead_days"] and entry["status"] != "met" and not entry.get("declined"):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", dt.timedelta(days=-entry["lead_days"]))  # before DTSTART, the due date
        alarm.add("description", w("start", lang, what=f"{entry['criterion']} {text(entry['title'], lang)}",
                                   lead=span(entry["lead_days"], lang)))
        event.add_component(alarm)
    return event


def _uid_key(entry: dict[str, Any]) -> str:
    if entry["kind"] == "deadline":  # a piece's deadline beside its criterion's: criterion.piece
        return entry["criterion"] + (f".{entry['piece']}" if entry.get("piece") else "")
    if entry["kind"] == "milestone":
        return f"milestone.{entry['fact']}"
    return f"expiry.{entry['evidence']}"
