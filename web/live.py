"""The production's shooting journal kept in the workspace (docs/journal.md, `raccord.journal/2`).

Each set event (a child arrives, a break starts, an alert is acknowledged...) is a row of the
production's journal, kind `live.event`, with its author and the time it was recorded, its payload
`{"event": …}`, the event as `raccord journal add` writes it (an imported file is one row, `{"events":
[…], "file": …}`: one version, not hundreds), checked by the same code (engine/live/events.py). The
state keeps them in order (`state["live"]`); as a file they are `dossier.journal.jsonl`, the journal
the CLI reads beside `dossier.yaml`, byte for byte what an export writes. So the workspace's dossier
gets the same derived facts and evidence as `raccord check` (engine/live/derived.py `add_events`),
and the dashboard's alerts are `raccord watch`'s (replay up to the server's time, which it passes:
the engine reads no clock).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import threading
import weakref
from collections import OrderedDict
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from raccord.engine.live import (
    Alert,
    Event,
    acknowledgements,
    alert_document,
    durable_available,
    parse_lines,
    replay,
)
from raccord.engine.live.derived import _monitors, add_events, derived_facts
from raccord.engine.live.events import FIELDS, OPTIONAL, VERSION

KIND = "live.event"
JOURNAL_FILE = "dossier.journal.jsonl"  # beside dossier.yaml in an export: what `raccord check` reads
ZONES = ("Europe/Paris", "UTC", "America/Guadeloupe", "America/Cayenne", "Indian/Reunion", "Pacific/Tahiti",
         "Pacific/Noumea", "Europe/Brussels", "Europe/Zurich", "America/Montreal")
ACK_PREFIX = "JOURNAL-ACK-"
_DURABLE = threading.Lock()  # durable-rules keeps its rulesets in one process-wide engine: one replay at a time


def monitors():
    return _monitors()


def lines(state: dict[str, Any]) -> list[str]:
    """The journal's lines, as `raccord journal add` writes them."""
    return [json.dumps(event, ensure_ascii=False) for event in state.get("live") or []]


def journal_bytes(state: dict[str, Any]) -> bytes:
    return "".join(line + "\n" for line in lines(state)).encode("utf-8")


def events_of(state: dict[str, Any]) -> list[Event]:
    """The journal's events, read as the CLI reads the file (line numbers included)."""
    return parse_lines(lines(state), JOURNAL_FILE)


def add_to_dossier(dossier: Any, state: dict[str, Any], catalogue: dict[str, Any]) -> None:
    """The journal's derived facts and evidence, as `raccord check` adds those of the file beside the dossier."""
    if state.get("live"):
        digest = hashlib.sha256(journal_bytes(state)).hexdigest()
        add_events(dossier, events_of(state), digest, JOURNAL_FILE, JOURNAL_FILE, catalogue)


def derived_unchanged(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """No fact the journal also gives was changed (else the dossier is built again: the journal's
    verdict is combined with the stated value, false first, which replacing the fact would skip)."""
    names = set(before["facts"]) | set(after["facts"])
    changed = {n for n in names if before["facts"].get(n) != after["facts"].get(n)}
    return not changed & derived_facts()


def engine_name() -> str:
    """durable-rules when installed (what `raccord watch` runs), else the reference check: the same
    alerts (tests/test_live_differential.py)."""
    return "durable" if durable_available() else "reference"


def minute_of(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def alerts(evaluator, key: tuple, state: dict[str, Any], now: dt.datetime) -> tuple[list[Alert], dict[str, dict]]:
    """(alerts up to `now`, acknowledgements) of a production's version, kept per (version, minute): a
    page view within the same minute does not replay (a timer falling due within it shows at the next
    minute; a new event is a new version, replayed at once)."""
    until = now

    def make():
        events = events_of(state)
        if not events:
            return [], {}
        name = engine_name()
        if name == "durable":
            with _DURABLE:
                found = replay(events, monitors(), until, engine="durable")
        else:
            found = replay(events, monitors(), until, engine="reference")
        return found, acknowledgements(events)

    cache = _CACHES.setdefault(evaluator, OrderedDict())
    entry = (*key, minute_of(now))
    with _CACHE_LOCK:
        if entry in cache:
            cache.move_to_end(entry)
            return cache[entry]
    value = make()
    with _CACHE_LOCK:
        cache[entry] = value
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return value


# Kept apart from the evaluator's cache (evaluations cost far more than a replay: a polled block must
# not push them out), one per workspace's evaluator.
CACHE_SIZE = 256
_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


def documents(found: list[Alert], acks: dict[str, dict], lang: str) -> list[dict[str, Any]]:
    """The alerts as `raccord watch --format json` gives them: not yet acknowledged first, then the
    most severe, the latest first."""
    docs = [alert_document(alert, monitors(), lang, acks) for alert in found]
    docs.sort(key=lambda d: d["at"], reverse=True)
    docs.sort(key=lambda d: ("acknowledged" in d, SEVERITY_RANK.get(d["severity"], 3)))
    for doc in docs:
        doc["evidence"] = ACK_PREFIX + doc["id"][2:]
    return docs


# -- the form: one event type at a time, its fields only -------------------------------------------

SEPARATORS = re.compile(r"[\s,;]+")


def zone_of(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name) if name in ZONES else ZoneInfo(ZONES[0])
    except ZoneInfoNotFoundError:  # no tz database: Paris in winter, what the examples use
        return dt.timezone(dt.timedelta(hours=1))


def instant(text: str, zone: str, now: dt.datetime) -> str:
    """The form's local date and time (`datetime-local`, no zone) in the chosen zone, as ISO 8601 with
    its offset; empty is now. Anything else is passed on for the engine to refuse in its words."""
    tz = zone_of(zone)
    text = text.strip()
    if not text:
        return now.astimezone(tz).isoformat(timespec="seconds")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.isoformat(timespec="seconds")


def event_data(kind: str, form, now: dt.datetime) -> dict[str, Any]:
    """The event a form describes (not checked: check_event does it, as for `raccord journal add`)."""
    data: dict[str, Any] = {"v": VERSION, "at": instant(str(form.get("at", "")), str(form.get("zone", "")), now),
                            "type": kind}
    for name, field_kind in {**FIELDS.get(kind, {}), "source": "source"}.items():
        raw = str(form.get(name, "")).strip()
        if not raw and (name in OPTIONAL or field_kind == "bool"):
            continue  # an optional field left empty; a yes/no not chosen is the engine's « manquant »
        if field_kind == "bool":
            data[name] = {"true": True, "false": False}.get(raw, raw)
        elif field_kind == "refs":
            data[name] = [part for part in SEPARATORS.split(raw) if part]
        else:
            data[name] = raw
    return data


def ack_data(alert: Alert, comment: str, by: str, now: dt.datetime) -> dict[str, Any]:
    """An acknowledgement dated now, in the alert's time zone (its day is the evidence's date there)."""
    data: dict[str, Any] = {"v": VERSION, "at": now.astimezone(alert.tz).isoformat(timespec="seconds"),
                            "type": "alert.ack", "alert": alert.id, "comment": comment}
    if by:
        data["by"] = by
    return data


# The set function an acknowledgement is signed with by default (the field `by` names a role, never a
# person): the producer answers for the employer, the VHSS referent as such, the coordinator for the régie.
DEFAULT_BY = {"producer": "representant_employeur", "vhss_referent": "referent_vhss", "coordinator": "regisseur_general"}
