"""Live monitoring of the shooting days (docs/journal.md): the journal, the monitors, the alerts.

The API front ends use (the CLI's `watch`, the workspace's dashboard):

    events = read_journal(path)                      # list[Event], file order, validated
    alerts = replay(events, monitors, until)         # list[Alert], time order (durable-rules)
    alerts = replay(events, monitors, until, engine="reference")   # the same, without durable-rules
    acks = acknowledgements(events)                  # alert id -> {at, comment, by}
    alert_document(alert, monitors, lang, acks)      # JSON-ready: what, who, since, clause, what to do

`until` is an aware datetime: the engine never reads the clock.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from .alerts import BREACH, WARNING, Alert, alert_document, wording
from .events import Event, canonical, journal_path, ordered, parse_lines, read_journal, to_ms
from .monitors import Monitor, MonitorSet, load_monitors

__all__ = [
    "BREACH",
    "WARNING",
    "Alert",
    "Event",
    "LiveUnavailableError",
    "Monitor",
    "MonitorSet",
    "acknowledgements",
    "alert_document",
    "canonical",
    "durable_available",
    "journal_path",
    "load_monitors",
    "ordered",
    "parse_lines",
    "read_journal",
    "replay",
    "wording",
]


class LiveUnavailableError(Exception):
    """durable-rules (`raccord[live]`) is not installed, or does not import on this Python."""


def durable_available() -> bool:
    try:
        from . import durable_backend  # noqa: F401
    except ImportError:
        return False
    return True


def replay(
    events: list[Event], monitors: MonitorSet | None = None, until: dt.datetime | None = None, engine: str = "durable"
) -> list[Alert]:
    """The alerts the journal gives up to `until` (every event when None), in time order. `engine`:
    "durable" (the streaming watcher on durable-rules, what `raccord watch` runs) or "reference" (the
    whole-journal check in plain Python, what `raccord check` reads); they give the same alerts."""
    monitors = monitors if monitors is not None else load_monitors()
    until_ms = to_ms(until) if until is not None else None
    timeline = ordered(events, until_ms)
    if until_ms is None:
        until_ms = timeline[-1].ms if timeline else 0
    if engine == "reference":
        from .reference import check

        return check(timeline, monitors, until_ms)
    try:
        from .durable_backend import Backend
    except ImportError as exc:
        raise LiveUnavailableError(str(exc)) from None
    from .stream import watch

    return watch(timeline, monitors, until_ms, Backend)


def acknowledgements(events: list[Event]) -> dict[str, dict[str, Any]]:
    """Each acknowledged alert's first acknowledgement: when, by whom (a role), the comment."""
    out: dict[str, dict[str, Any]] = {}
    for event in ordered(events):
        if event.type == "alert.ack" and event.data["alert"] not in out:
            out[event.data["alert"]] = {"at": event.data["at"], "comment": event.data["comment"], "by": event.data.get("by")}
    return out


def dossier_journal(dossier_path: Path) -> Path:
    return journal_path(dossier_path)
