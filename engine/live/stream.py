"""Monitors run on a stream of events, with timers: what `raccord watch` runs (docs/journal.md §4).

Each monitor kind is a small state machine per person (or report, or scene); the matching of events
to monitors and the timers are the backend's (durable-rules, engine/live/durable_backend.py). Time
is the events' own: before an event at instant t, every timer due before t fires; timers due at t
fire after the events at t (a break that starts exactly at the limit is in time). The caller says
when the replay ends (`advance`), the engine never reads the clock.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from .alerts import BREACH, WARNING, Alert
from .events import Event
from .monitors import Monitor, MonitorSet, Test

Handler = Callable[[Event], None]
NEGATION = {"eq": "ne", "ne": "eq", "in": "not_in", "not_in": "in"}


class _Kind:
    """A monitor's state machine. `routes()` says which events it reads; timers go through the watcher."""

    def __init__(self, monitor: Monitor, watcher: Watcher) -> None:
        self.monitor = monitor
        self.watcher = watcher

    def routes(self) -> list[tuple[str, tuple[Test, ...], Handler]]:
        raise NotImplementedError

    def alert(self, stage: str, key: str, at: int, since: int, tz: Any) -> None:
        self.watcher.emit(Alert(at, self.monitor.id, key, stage, since, tz))


class _Day:
    __slots__ = ("alerted", "paused", "reset", "start", "timers", "tz")

    def __init__(self, start: int, tz: Any) -> None:
        self.start = self.reset = start
        self.paused: int | None = None
        self.alerted = False
        self.timers: list[int] = []
        self.tz = tz


class _WorkKind(_Kind):
    """Persons' working days: a day opens at a work.start that passes `where`, closes at work.end."""

    def __init__(self, monitor: Monitor, watcher: Watcher) -> None:
        super().__init__(monitor, watcher)
        self.days: dict[str, _Day] = {}

    def routes(self) -> list[tuple[str, tuple[Test, ...], Handler]]:
        out: list[tuple[str, tuple[Test, ...], Handler]] = [("work.start", self.monitor.where, self.on_start)]
        if self.monitor.where:  # one test at most (monitors.py): its negation opens the days not watched
            (test,) = self.monitor.where
            out.append(("work.start", (Test(test.field, NEGATION[test.op], test.value),), self.on_other_start))
        return out + [("work.pause", (), self.on_pause), ("work.resume", (), self.on_resume), ("work.end", (), self.on_end)]

    def on_start(self, event: Event) -> None:
        person = event.data["person"]
        if person not in self.days:
            day = self.days[person] = _Day(event.ms, event.tz)
            self.opened(person, day, event)

    def on_other_start(self, event: Event) -> None:
        """A day whose role the monitor does not watch: kept (a start inside it is no new day), not armed."""
        self.days.setdefault(event.data["person"], None)  # type: ignore[arg-type]

    def on_pause(self, event: Event) -> None:
        day = self.days.get(event.data["person"])
        if day is not None and day.paused is None:
            day.paused = event.ms

    def on_resume(self, event: Event) -> None:
        day = self.days.get(event.data["person"])
        if day is not None and day.paused is not None:
            paused, day.paused = day.paused, None
            self.resumed(event.data["person"], day, paused, event)

    def on_end(self, event: Event) -> None:
        person = event.data["person"]
        day = self.days.pop(person, None)
        if day is not None:
            for timer in day.timers:
                self.watcher.cancel(timer)
            self.closed(person, day, event)

    def opened(self, person: str, day: _Day, event: Event) -> None:
        pass

    def resumed(self, person: str, day: _Day, paused: int, event: Event) -> None:
        pass

    def closed(self, person: str, day: _Day, event: Event) -> None:
        pass

    def arm(self, person: str, day: _Day, stage: str, due: int) -> None:
        day.timers.append(self.watcher.timer(due, lambda: self.due(person, day, stage, due)))

    def due(self, person: str, day: _Day, stage: str, at: int) -> None:
        raise NotImplementedError


class ContinuousWork(_WorkKind):
    """No qualifying break (a pause of at least `reset_after`) for `limit` of work: a warning `lead`
    before the limit if the person is working then, the alert at the limit if working, or when they
    resume from a pause too short that straddled the limit."""

    def arm_both(self, person: str, day: _Day) -> None:
        monitor = self.monitor
        due = day.reset + monitor.limit_ms
        if monitor.lead_ms is not None:
            self.arm(person, day, WARNING, due - monitor.lead_ms)
        self.arm(person, day, BREACH, due)

    def opened(self, person: str, day: _Day, event: Event) -> None:
        self.arm_both(person, day)

    def resumed(self, person: str, day: _Day, paused: int, event: Event) -> None:
        if event.ms - paused >= self.monitor.reset_ms:
            for timer in day.timers:
                self.watcher.cancel(timer)
            day.timers = []
            day.reset = event.ms
            day.alerted = False
            self.arm_both(person, day)
        elif event.ms > day.reset + self.monitor.limit_ms and not day.alerted:
            day.alerted = True
            self.alert(BREACH, person, event.ms, day.reset, day.tz)

    def due(self, person: str, day: _Day, stage: str, at: int) -> None:
        if day.paused is not None:
            return
        if stage == BREACH:
            if day.alerted:
                return
            day.alerted = True
        self.alert(stage, person, at, day.reset, day.tz)


class Span(_WorkKind):
    """The day's amplitude, breaks included: a warning `lead` before `limit`, the alert at `limit`."""

    def opened(self, person: str, day: _Day, event: Event) -> None:
        due = day.start + self.monitor.limit_ms
        if self.monitor.lead_ms is not None:
            self.arm(person, day, WARNING, due - self.monitor.lead_ms)
        self.arm(person, day, BREACH, due)

    def due(self, person: str, day: _Day, stage: str, at: int) -> None:
        self.alert(stage, person, at, day.start, day.tz)


class Rest(_WorkKind):
    """Rest between the end of a day and the start of the next (of days that pass `where`): at least
    `min_rest`, or `after_long.min_rest` after a day longer than `after_long.span_over`."""

    def __init__(self, monitor: Monitor, watcher: Watcher) -> None:
        super().__init__(monitor, watcher)
        self.last: dict[str, tuple[int, int]] = {}  # person -> (end of the last day, its amplitude)

    def opened(self, person: str, day: _Day, event: Event) -> None:
        last = self.last.get(person)
        if last is None:
            return
        end, span = last
        monitor = self.monitor
        needed = monitor.long_rest_ms if monitor.long_span_ms is not None and span > monitor.long_span_ms else monitor.limit_ms
        if event.ms - end < needed:  # type: ignore[operator]
            self.alert(BREACH, person, event.ms, end, event.tz)

    def closed(self, person: str, day: _Day, event: Event) -> None:
        self.last[person] = (event.ms, event.ms - day.start)


class OnEvent(_Kind):
    """An event that breaks the rule by itself (a child without their supervisor, an open set)."""

    def routes(self) -> list[tuple[str, tuple[Test, ...], Handler]]:
        return [(pattern.event, pattern.where, self.on_event) for pattern in self.monitor.events]

    def on_event(self, event: Event) -> None:
        key = str(event.data.get(self.monitor.key, "-"))
        self.alert(BREACH, key, event.ms, event.ms, event.tz)


class Response(_Kind):
    """Something opened (a report received, a person's first working day) must be closed (forwarded,
    trained) within `within`, counted from the opening or from the first `from` event before it."""

    def __init__(self, monitor: Monitor, watcher: Watcher) -> None:
        super().__init__(monitor, watcher)
        self.state: dict[str, str] = {}  # key -> pending | closed | late
        self.timers: dict[str, list[int]] = {}
        self.opened_at: dict[str, int] = {}
        self.anchor: int | None = None

    def routes(self) -> list[tuple[str, tuple[Test, ...], Handler]]:
        monitor = self.monitor
        out: list[tuple[str, tuple[Test, ...], Handler]] = [
            (monitor.closes.event, monitor.closes.where, self.on_close),  # type: ignore[union-attr]
            (monitor.opens.event, monitor.opens.where, self.on_open),  # type: ignore[union-attr]
        ]
        if monitor.anchor is not None:
            out.append((monitor.anchor, (), self.on_anchor))
        return out

    def on_anchor(self, event: Event) -> None:
        if self.anchor is None:
            self.anchor = event.ms

    def on_close(self, event: Event) -> None:
        key = str(event.data.get(self.monitor.key))
        if self.state.get(key) == "pending":
            for timer in self.timers.pop(key, []):
                self.watcher.cancel(timer)
        if self.state.get(key) != "late":
            self.state[key] = "closed"

    def on_open(self, event: Event) -> None:
        key = str(event.data.get(self.monitor.key))
        if key in self.state:
            return
        monitor = self.monitor
        self.state[key] = "pending"
        start = self.anchor if monitor.anchor is not None and self.anchor is not None else event.ms
        breach_at = max(start + monitor.limit_ms, event.ms)
        timers = self.timers[key] = []
        if monitor.lead_ms is not None:
            warn_at = max(start + monitor.limit_ms - monitor.lead_ms, event.ms)
            if warn_at < breach_at:
                timers.append(self.watcher.timer(warn_at, lambda: self.due(key, WARNING, warn_at, event)))
        timers.append(self.watcher.timer(breach_at, lambda: self.due(key, BREACH, breach_at, event)))

    def due(self, key: str, stage: str, at: int, opened: Event) -> None:
        if self.state.get(key) != "pending":
            return
        if stage == BREACH:
            self.state[key] = "late"
            self.timers.pop(key, None)
        self.alert(stage, key, at, opened.ms, opened.tz)


class AllowedList(_Kind):
    """The people present at an event (an intimacy scene's start) checked against the list set for its key
    (the scene's agreed people, the latest `list` event before it): `not_listed` alerts for each one
    present and not on it (key `<key>/<person>`), `no_list` when no list was set for the key."""

    def __init__(self, monitor: Monitor, watcher: Watcher) -> None:
        super().__init__(monitor, watcher)
        self.lists: dict[str, frozenset[str]] = {}

    def routes(self) -> list[tuple[str, tuple[Test, ...], Handler]]:
        check = self.monitor.check
        assert check is not None and self.monitor.list_event is not None
        return [(self.monitor.list_event, (), self.on_list), (check.event, check.where, self.on_check)]

    def on_list(self, event: Event) -> None:
        self.lists[str(event.data.get(self.monitor.key))] = frozenset(event.data[self.monitor.list_field])

    def on_check(self, event: Event) -> None:
        key = str(event.data.get(self.monitor.key))
        allowed = self.lists.get(key)
        if self.monitor.alert_when == "no_list":
            if allowed is None:
                self.alert(BREACH, key, event.ms, event.ms, event.tz)
            return
        if allowed is None:
            return
        for person in dict.fromkeys(event.data[self.monitor.check_field]):  # once each, in their order
            if person not in allowed:
                self.alert(BREACH, f"{key}/{person}", event.ms, event.ms, event.tz)


KINDS: dict[str, type[_Kind]] = {
    "continuous_work": ContinuousWork,
    "span": Span,
    "rest": Rest,
    "on_event": OnEvent,
    "response": Response,
    "allowed_list": AllowedList,
}


class Watcher:
    """Feed it events in order (`feed`), tell it the time (`advance`), collect `alerts`."""

    def __init__(
        self, monitors: MonitorSet, backend: Callable[..., Any] | None = None, on_alert: Callable[[Alert], None] | None = None
    ) -> None:
        if backend is None:
            from .durable_backend import Backend as backend  # noqa: N813 - durable is optional: imported here
        self.monitors = monitors
        self.alerts: list[Alert] = []
        self.on_alert = on_alert
        self.events: list[Event] = []
        self.now: int | None = None
        self._timer_ids = itertools.count()
        self._timers: dict[int, Callable[[], None]] = {}
        routes: dict[tuple[str, tuple[Test, ...]], list[Handler]] = {}
        for monitor in monitors.monitors:
            for event_type, tests, handler in KINDS[monitor.kind](monitor, self).routes():
                routes.setdefault((event_type, tests), []).append(handler)
        self._routes = list(routes)
        self._handlers = [routes[route] for route in self._routes]
        self._types = {event_type for event_type, _ in self._routes}
        self.backend = backend(self._routes, self._routed, self._fired)

    # --- backend callbacks
    def _routed(self, index: int, event_index: int) -> None:
        event = self.events[event_index]
        for handler in self._handlers[index]:
            handler(event)

    def _fired(self, timer_id: int) -> None:
        action = self._timers.pop(timer_id, None)
        if action is not None:
            action()

    # --- for the monitor kinds
    def timer(self, due: int, action: Callable[[], None]) -> int:
        timer_id = next(self._timer_ids)
        self._timers[timer_id] = action
        self.backend.set_timer(timer_id, due)
        return timer_id

    def cancel(self, timer_id: int) -> None:
        if self._timers.pop(timer_id, None) is not None:
            self.backend.cancel_timer(timer_id)

    def emit(self, alert: Alert) -> None:
        self.alerts.append(alert)
        if self.on_alert is not None:
            self.on_alert(alert)

    # --- for the caller
    def advance(self, now: int) -> None:
        if self.now is None or now > self.now:
            self.now = now
            self.backend.advance(now)

    def feed(self, event: Event) -> None:
        self.advance(event.ms - 1)
        if event.type not in self._types:
            return
        self.events.append(event)
        self.backend.event(event.data, len(self.events) - 1)

    def close(self) -> None:
        self.backend.close()


def watch(events: list[Event], monitors: MonitorSet, until_ms: int, backend: Callable[..., Any] | None = None) -> list[Alert]:
    """The alerts of an ordered journal (events.ordered) replayed up to `until_ms`, in time order."""
    watcher = Watcher(monitors, backend)
    try:
        for event in events:
            watcher.feed(event)
        watcher.advance(until_ms)
    finally:
        watcher.close()
    return sorted(watcher.alerts)
