"""Facts and evidence the production's journal gives the dossier (docs/journal.md §6, "One truth").

When `<dossier>.journal.jsonl` lies beside a dossier, loading the dossier reads it (engine/dossier.py
calls `add_journal`). Each monitor that says `derives: {fact: F}` gives F its verdict over the whole
journal, computed by the reference check (plain Python, no durable-rules needed), which the
differential test holds to the alerts `raccord watch` fires:

- `false` if the monitor fired an alert (a `breach`; warnings do not count),
- `true` if it watched at least one complete case (a day that ended, a report opened...) and fired none,
- nothing otherwise (the journal says nothing about it).

A value the dossier states is combined with the journal's, false first: a day without a break in the
journal makes `false` even if the dossier says `true`; the dossier's `false` stands (it may cover days
the journal does not). Each monitor with `evidence: {kind: K}` that watched a complete case adds an
evidence item of kind K: the journal itself (its path, its SHA-256 at loading, the date of its last
event), with the number of days, alerts and acknowledgements in its note. Evidence ids are
`JOURNAL-<monitor id>`; each acknowledged alert is an item of its own, `JOURNAL-ACK-…`
(engine/live/acknowledged.py). The `counts:` of the monitor files give integer facts (how many reports were
received, handled), a floor under the dossier's stated numbers.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from .acknowledged import acknowledgement_items
from .alerts import BREACH, Alert
from .events import Event, from_ms, ordered, read_journal
from .monitors import Monitor, MonitorSet, load_monitors
from .reference import check, days_of

_MONITORS: list[MonitorSet] = []


def _monitors() -> MonitorSet:
    if not _MONITORS:
        _MONITORS.append(load_monitors())
    return _MONITORS[0]


def _cases(monitor: Monitor, events: list[Event], days: dict[str, list[Any]], breached: set[str]) -> int:
    """How many complete cases the monitor watched in the journal. A response's case is complete when
    its key was closed after it opened, or was late (`breached`): one still pending at the journal's
    end gives no verdict yet (the deadline may still be kept)."""
    from .reference import _matches, _passes

    if monitor.kind == "response":
        assert monitor.opens is not None and monitor.closes is not None
        opened: set[str] = set()
        closed: set[str] = set()
        for e in events:
            key = str(e.data.get(monitor.key))
            if key in opened and _matches(monitor.closes, e):
                closed.add(key)
            if _matches(monitor.opens, e):
                opened.add(key)
        return len(closed | breached)

    if monitor.kind in ("continuous_work", "span", "rest"):
        return sum(1 for person in days.values() for day in person if day.end is not None and _passes(monitor.where,
                                                                                                      day.start.data))
    if monitor.kind == "on_event":
        return sum(1 for e in events if any(e.type == pattern.event for pattern in monitor.events))
    return sum(1 for e in events if monitor.check is not None and _matches(monitor.check, e))  # allowed_list


def journal_counts(events: list[Event], monitors: MonitorSet | None = None) -> dict[str, int]:
    """The `counts:` of the monitor files over the journal: per fact, how many keys have a first event
    of the pattern's type that passes its tests (a report received by the employer counts once, as
    received directly, whatever is logged after)."""
    from .reference import _matches

    monitors = monitors or _monitors()
    timeline = ordered(events)
    out: dict[str, int] = {}
    for count in monitors.counts:
        first: dict[str, Event] = {}
        for event in timeline:
            if event.type == count.pattern.event:
                first.setdefault(str(event.data.get(count.key)), event)
        out[count.fact] = sum(1 for event in first.values() if _matches(count.pattern, event))
    return out


def _replayed(events: list[Event], monitors: MonitorSet) -> tuple[list[Event], list[Alert]]:
    """The journal in the monitors' order and its alerts up to its last event (the reference check)."""
    timeline = ordered(events)
    return timeline, check(timeline, monitors, timeline[-1].ms) if timeline else []


def journal_findings(events: list[Event], monitors: MonitorSet | None = None,
                     replayed: tuple[list[Event], list[Alert]] | None = None) -> list[dict[str, Any]]:
    """Per monitor that derives a fact or gives evidence: cases watched, alerts, acknowledged alerts."""
    from . import acknowledgements

    monitors = monitors or _monitors()
    timeline, alerts = replayed or _replayed(events, monitors)
    if not timeline:
        return []
    until = timeline[-1].ms
    acks = acknowledgements(events)
    days = days_of(timeline)
    out = []
    for monitor in monitors.monitors:
        if monitor.derives is None and monitor.evidence is None:
            continue
        fired = [a for a in alerts if a.monitor == monitor.id and a.stage == BREACH]
        out.append({"monitor": monitor, "cases": _cases(monitor, timeline, days, {a.key for a in fired}), "breaches": len(fired),
                    "acknowledged": sum(1 for a in fired if a.id in acks), "last": from_ms(until, timeline[-1].tz).date()})
    return out


def add_journal(dossier: Any, journal: Path, catalogue: dict[str, Any]) -> None:
    """Give the dossier (just built, not yet seen by anyone) the journal's facts and evidence."""
    events = read_journal(journal)
    digest = hashlib.sha256(journal.read_bytes()).hexdigest()
    try:
        path = journal.resolve().relative_to(dossier.base_dir.resolve()).as_posix()
    except ValueError:
        path = None
    add_events(dossier, events, digest, path, journal.name, catalogue)


def derived_facts(monitors: MonitorSet | None = None) -> frozenset[str]:
    """The names of the facts a journal can give (`derives` and `counts` of the monitor files)."""
    monitors = monitors or _monitors()
    return frozenset({m.derives for m in monitors.monitors if m.derives} | {c.fact for c in monitors.counts})


def add_events(dossier: Any, events: list[Event], digest: str, path: str | None, name: str, catalogue: dict[str, Any]) -> None:
    """`add_journal` on events already read (the workspace keeps them in its database): `digest` the
    SHA-256 of the journal's bytes, `path` the file relative to the dossier (None: no file), `name`
    the journal's name in the acknowledgements' notes."""
    from ..dossier import EvidenceItem

    facts = dossier.facts
    evidence = list(dossier.file.evidence)
    monitors = _monitors()
    replayed = _replayed(events, monitors)
    for finding in journal_findings(events, monitors, replayed):
        monitor: Monitor = finding["monitor"]
        if finding["cases"] == 0 and finding["breaches"] == 0:
            continue
        fact = monitor.derives
        if fact is not None and fact in catalogue and catalogue[fact].type == "boolean":
            verdict = finding["breaches"] == 0
            stated = facts.get(fact)
            facts[fact] = verdict if stated is None else (stated and verdict)
        if monitor.evidence is not None and finding["cases"]:
            note = (f"journal des tournages ({monitor.id}) : {_agreed(finding['cases'], 'cas suivi', 'cas suivis')}, "
                    f"{_agreed(finding['breaches'], 'alerte', 'alertes')}, "
                    f"dont {_agreed(finding['acknowledged'], 'acquittée', 'acquittées')}")
            evidence.append(EvidenceItem(id=f"JOURNAL-{monitor.id}", kind=monitor.evidence, criteria=list(monitor.serves),
                                         path=path, sha256=digest if path else None, collected=finding["last"], note=note,
                                         author="raccord journal"))
    evidence += acknowledgement_items(*replayed, monitors, name)
    for fact, counted in journal_counts(events).items():
        # a floor: the dossier may count reports the journal does not list (before it was kept)
        if counted and fact in catalogue and catalogue[fact].type == "integer":
            stated = facts.get(fact)
            facts[fact] = counted if stated is None else max(stated, counted)
    object.__setattr__(dossier.file, "evidence", evidence)
    object.__setattr__(dossier.file, "facts", facts)


def _agreed(count: int, one: str, many: str) -> str:
    """« 1 alerte », « 0 alerte », « 2 alertes »: French keeps the singular below 2 (the note is French,
    like the journal's other items)."""
    return f"{count} {one if count < 2 else many}"
