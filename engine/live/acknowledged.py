"""Acknowledgements as evidence items of their own (docs/journal.md § 6): each alert acknowledged in the
journal (`alert.ack`) becomes an item of the register, derived when the dossier is read, never written.

- id `JOURNAL-ACK-<the alert id's 10 hex digits>`: the alert id is computed from the monitor, stage, key
  and start (alerts.Alert.id), so the item keeps its id on every reading of a journal that grows;
- kind: the monitor's `evidence.kind` (an acknowledged missed break is part of the children's time
  records), else `alert_acknowledgement`, which no criterion expects: the item is in the register,
  linked to the criteria the monitor serves and reviewable, but proves none of them by itself (an
  acknowledgement says an alert was seen and what was done, not that the rule was kept);
- criteria: the monitor's `serves` (a monitor serving none gives no item);
- collected: the day of the acknowledgement, in its own time zone;
- sha256: of what it rests on, the alert (monitor, stage, key, start, instant) and the acknowledgement
  event as written (canonical JSON): an auditor's review (`raccord review`, which records the item's
  sha256) holds while both stay the same, whatever else is appended to the journal;
- no file (`path` is empty: the journal as a whole is the `JOURNAL-<monitor>` item); its origin is in
  the note: journal file and line, alert id, who acknowledged (a role) and the comment.

Only the first acknowledgement of an alert counts (as `acknowledgements()`); an acknowledgement of an id
the journal's alerts do not have (mistyped, or of another monitor set) gives no item.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .alerts import Alert
from .events import Event, canonical, from_ms
from .monitors import MonitorSet

GENERIC_KIND = "alert_acknowledgement"
PREFIX = "JOURNAL-ACK-"


def _clock(ms: int, tz: Any) -> str:
    return from_ms(ms, tz).strftime("%Y-%m-%d %H:%M")


def acknowledgement_items(timeline: list[Event], alerts: list[Alert], monitors: MonitorSet, journal: str) -> list[Any]:
    """The register's items for the acknowledged alerts of an ordered journal (events.ordered)."""
    from ..dossier import EvidenceItem

    by_id = {alert.id: alert for alert in alerts}
    by_monitor = {monitor.id: monitor for monitor in monitors.monitors}
    out = []
    done: set[str] = set()
    for event in timeline:
        if event.type != "alert.ack" or event.data["alert"] in done:
            continue
        done.add(event.data["alert"])
        alert = by_id.get(event.data["alert"])
        monitor = by_monitor.get(alert.monitor) if alert is not None else None
        if alert is None or monitor is None or not monitor.serves:
            continue
        rests_on = canonical({"alert": {"id": alert.id, "monitor": alert.monitor, "stage": alert.stage, "key": alert.key,
                                        "since": alert.since_ms, "at": alert.at_ms}, "ack": event.data})
        by = event.data.get("by")
        note = (f"acquittement de l'alerte {alert.id} ({alert.monitor}, {alert.stage}, {alert.key}, "
                f"{_clock(alert.at_ms, alert.tz)}) — {journal}:{event.line}, par {by or 'fonction non dite'} : "
                f"« {event.data['comment']} »")
        out.append(EvidenceItem(id=PREFIX + alert.id[2:], kind=monitor.evidence or GENERIC_KIND, criteria=list(monitor.serves),
                                sha256=hashlib.sha256(rests_on.encode("utf-8")).hexdigest(),
                                collected=from_ms(event.ms, event.tz).date(), note=note, author=by or "raccord journal"))
    return out
