"""The reference check: the same monitors computed over the whole journal at once, in plain Python.

Written apart from the streaming watcher (engine/live/stream.py), with no timer and no rule engine:
each person's working days are cut out of the journal first, then each limit is a comparison of
instants. `raccord check` reads the journal through this module (derived facts, engine/live/derived.py),
`raccord watch` through the watcher; the differential property test (tests/test_live_differential.py)
holds them to the same alerts, so the two commands cannot disagree. The rules they share are in
docs/journal.md §4.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field
from typing import Any

from .alerts import BREACH, WARNING, Alert
from .events import Event
from .monitors import Monitor, MonitorSet, Pattern, Test

INFINITY = float("inf")


@dataclass
class Day:
    person: str
    start: Event
    end: Event | None = None
    pauses: list[tuple[int, int | None]] = field(default_factory=list)  # (pause, resume or None)


def days_of(events: list[Event]) -> dict[str, list[Day]]:
    """Every person's working days, in order: a work.start opens one (ignored inside a day), a
    work.end closes it; pauses and resumes count inside a day only, a second pause or resume in a
    row is ignored, a pause still open at the end of the day was never resumed."""
    out: dict[str, list[Day]] = {}
    for event in events:
        kind = event.type
        if not kind.startswith("work."):
            continue
        person = event.data["person"]
        days = out.setdefault(person, [])
        current = days[-1] if days and days[-1].end is None else None
        if kind == "work.start":
            if current is None:
                days.append(Day(person, event))
        elif current is None:
            continue
        elif kind == "work.pause":
            if not current.pauses or current.pauses[-1][1] is not None:
                current.pauses.append((event.ms, None))
        elif kind == "work.resume":
            if current.pauses and current.pauses[-1][1] is None:
                current.pauses[-1] = (current.pauses[-1][0], event.ms)
        else:
            current.end = event
    return out


def _passes(tests: tuple[Test, ...], data: dict[str, Any]) -> bool:
    for test in tests:
        value = data.get(test.field)
        if test.op == "eq" and value != test.value:
            return False
        if test.op == "ne" and value == test.value:
            return False
        if test.op == "in" and value not in test.value:
            return False
        if test.op == "not_in" and value in test.value:
            return False
    return True


def _matches(pattern: Pattern, event: Event) -> bool:
    return event.type == pattern.event and _passes(pattern.where, event.data)


def _continuous_work(monitor: Monitor, day: Day, until: int) -> list[Alert]:
    end = day.end.ms if day.end is not None else INFINITY
    tz = day.start.tz

    def paused_at(moment: int) -> bool:
        return any(p <= moment < (r if r is not None else INFINITY) for p, r in day.pauses)

    # The stretches between qualifying breaks: each starts at the start of the day or at the resume
    # ending a pause of at least `reset_after`.
    resets = [day.start.ms] + [r for p, r in day.pauses if r is not None and r - p >= monitor.reset_ms]
    out = []
    for n, reset in enumerate(resets):
        following = resets[n + 1] if n + 1 < len(resets) else INFINITY
        stop = min(following, end)  # timers of a stretch are cancelled by the next reset or the end
        due = reset + monitor.limit_ms
        if monitor.lead_ms is not None:
            warn = due - monitor.lead_ms
            if warn <= until and warn < stop and not paused_at(warn):
                out.append(Alert(warn, monitor.id, day.person, WARNING, reset, tz))
        if due < stop and due <= until and not paused_at(due):
            out.append(Alert(due, monitor.id, day.person, BREACH, reset, tz))
        elif due < stop and due <= until:
            # at the limit they were on a pause too short: the alert comes when they resume
            for p, r in day.pauses:
                if p <= due and r is not None and r > due and r - p < monitor.reset_ms and r <= until:
                    out.append(Alert(r, monitor.id, day.person, BREACH, reset, tz))
                    break
    return out


def _span(monitor: Monitor, day: Day, until: int) -> list[Alert]:
    end = day.end.ms if day.end is not None else INFINITY
    start = day.start.ms
    out = []
    due = start + monitor.limit_ms
    if monitor.lead_ms is not None and due - monitor.lead_ms < end and due - monitor.lead_ms <= until:
        out.append(Alert(due - monitor.lead_ms, monitor.id, day.person, WARNING, start, day.start.tz))
    if due < end and due <= until:
        out.append(Alert(due, monitor.id, day.person, BREACH, start, day.start.tz))
    return out


def _rest(monitor: Monitor, days: list[Day]) -> list[Alert]:
    out = []
    for before, after in itertools.pairwise(days):
        if before.end is None:
            continue
        amplitude = before.end.ms - before.start.ms
        needed = monitor.limit_ms
        if monitor.long_span_ms is not None and amplitude > monitor.long_span_ms:
            needed = monitor.long_rest_ms  # type: ignore[assignment]
        if after.start.ms - before.end.ms < needed:
            out.append(Alert(after.start.ms, monitor.id, after.person, BREACH, before.end.ms, after.start.tz))
    return out


def _on_event(monitor: Monitor, events: list[Event]) -> list[Alert]:
    return [
        Alert(e.ms, monitor.id, str(e.data.get(monitor.key, "-")), BREACH, e.ms, e.tz)
        for e in events
        if any(_matches(pattern, e) for pattern in monitor.events)
    ]


def _response(monitor: Monitor, events: list[Event], until: int) -> list[Alert]:
    assert monitor.opens is not None and monitor.closes is not None
    out = []
    first_open: dict[str, int] = {}  # key -> position of the opening event
    closed_before: set[str] = set()
    for position, event in enumerate(events):
        key = str(event.data.get(monitor.key))
        if _matches(monitor.closes, event) and key not in first_open:
            closed_before.add(key)
        if _matches(monitor.opens, event) and key not in first_open and key not in closed_before:
            first_open[key] = position
        elif _matches(monitor.opens, event) and key not in first_open:
            first_open[key] = -1  # closed before it opened: nothing to watch
    for key, position in first_open.items():
        if position < 0:
            continue
        opened = events[position]
        start = opened.ms
        if monitor.anchor is not None:
            anchors = [e.ms for e in events[:position] if e.type == monitor.anchor]
            if anchors:
                start = anchors[0]
        closes = [e.ms for e in events[position + 1 :] if _matches(monitor.closes, e) and str(e.data.get(monitor.key)) == key]
        closed = closes[0] if closes else INFINITY
        breach = max(start + monitor.limit_ms, opened.ms)
        if monitor.lead_ms is not None:
            warn = max(start + monitor.limit_ms - monitor.lead_ms, opened.ms)
            if warn < breach and warn < closed and warn <= until:
                out.append(Alert(warn, monitor.id, key, WARNING, opened.ms, opened.tz))
        if breach < closed and breach <= until:
            out.append(Alert(breach, monitor.id, key, BREACH, opened.ms, opened.tz))
    return out


def _allowed_list(monitor: Monitor, events: list[Event]) -> list[Alert]:
    """Each checked event against the list in force for its key: the last list event before it in the
    journal's order (none: `no_list`); with `not_listed`, one alert per distinct reference not on it."""
    assert monitor.check is not None
    lists: dict[str, list[int]] = {}  # key -> positions of its list events, in order
    for position, event in enumerate(events):
        if event.type == monitor.list_event:
            lists.setdefault(str(event.data.get(monitor.key)), []).append(position)
    out = []
    for position, event in enumerate(events):
        if not _matches(monitor.check, event):
            continue
        key = str(event.data.get(monitor.key))
        before = bisect.bisect_left(lists.get(key, []), position)  # list events strictly before this one
        if monitor.alert_when == "no_list":
            if before == 0:
                out.append(Alert(event.ms, monitor.id, key, BREACH, event.ms, event.tz))
            continue
        if before == 0:
            continue
        agreed = set(events[lists[key][before - 1]].data[monitor.list_field])
        seen: set[str] = set()
        for person in event.data[monitor.check_field]:
            if person not in agreed and person not in seen:
                seen.add(person)
                out.append(Alert(event.ms, monitor.id, f"{key}/{person}", BREACH, event.ms, event.tz))
    return out


def check(events: list[Event], monitors: MonitorSet, until_ms: int) -> list[Alert]:
    """The alerts of an ordered journal (events.ordered) up to `until_ms`, in time order."""
    by_person = days_of(events)
    out: list[Alert] = []
    for monitor in monitors.monitors:
        if monitor.kind in ("continuous_work", "span", "rest"):
            for days in by_person.values():
                tracked = [day for day in days if _passes(monitor.where, day.start.data)]
                if monitor.kind == "rest":
                    out += _rest(monitor, tracked)
                    continue
                for day in tracked:
                    out += (_continuous_work if monitor.kind == "continuous_work" else _span)(monitor, day, until_ms)
        elif monitor.kind == "on_event":
            out += _on_event(monitor, events)
        elif monitor.kind == "allowed_list":
            out += _allowed_list(monitor, events)
        else:
            out += _response(monitor, events, until_ms)
    return sorted(out)
