"""An alert: which monitor, about whom (a reference), since when, at what moment, and its words."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from .events import from_ms
from .monitors import Monitor, MonitorSet

WARNING, BREACH = "warning", "breach"


@dataclass(frozen=True, slots=True, order=True)
class Alert:
    """Ordered by time. `at_ms` is when it fires (the limit, or the event that breaks the rule), `since_ms`
    when what it is about began (the start of the work without a break, the report received...)."""

    at_ms: int
    monitor: str
    key: str
    stage: str
    since_ms: int
    tz: dt.tzinfo = field(default=dt.UTC, compare=False)

    @property
    def id(self) -> str:
        text = f"{self.monitor}|{self.stage}|{self.key}|{self.since_ms}"
        return "A-" + hashlib.sha1(text.encode()).hexdigest()[:10]

    def signature(self) -> tuple[int, str, str, str, int]:
        return (self.at_ms, self.monitor, self.key, self.stage, self.since_ms)

    @property
    def at(self) -> dt.datetime:
        return from_ms(self.at_ms, self.tz)

    @property
    def since(self) -> dt.datetime:
        return from_ms(self.since_ms, self.tz)


def _clock(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _duration(ms: int, lang: str) -> str:
    minutes = ms // 60_000
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days and not rest:
        return f"{days} j" if lang == "fr" else f"{days} d"
    if hours and minutes:
        return f"{hours} h {minutes:02d}" if lang == "fr" else f"{hours} h {minutes:02d} min"
    return f"{hours} h" if hours else f"{minutes} min"


def wording(alert: Alert, monitor: Monitor, lang: str) -> str:
    """The alert's sentence from the monitor's text: {who}, {since}, {at}, {limit} are filled in, and for a
    key `<key>/<member>` (an allowed_list monitor: a scene and a person present) {key} and {member}."""
    text = monitor.warning if alert.stage == WARNING and monitor.warning else monitor.alert
    template = text.en if lang == "en" else text.fr
    key, _, member = alert.key.partition("/")
    return template.format(who=alert.key, key=key, member=member, since=_clock(alert.since), at=_clock(alert.at),
                           limit=_duration(monitor.limit_ms, lang))


def alert_document(
    alert: Alert, monitors: MonitorSet, lang: str = "fr", acks: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The alert as the front ends show it (JSON-ready): what, who, since when, the clause, what to do."""
    monitor = next(m for m in monitors.monitors if m.id == alert.monitor)
    source = dict(monitor.source)
    document = monitors.source_of(monitor)
    out: dict[str, Any] = {
        "id": alert.id,
        "monitor": monitor.id,
        "ruleset": monitor.ruleset,
        "stage": alert.stage,
        "severity": monitor.severity,
        "at": alert.at.isoformat(),
        "since": alert.since.isoformat(),
        "who": alert.key,
        "message": wording(alert, monitor, lang),
        "action": monitor.action.en if lang == "en" else monitor.action.fr,
        "source": {**source, "title": document.get("title"), "seed": document.get("seed")},
        "provenance": monitor.provenance,
        "serves": list(monitor.serves),
    }
    ack = (acks or {}).get(alert.id)
    if ack is not None:
        out["acknowledged"] = ack
    return out
