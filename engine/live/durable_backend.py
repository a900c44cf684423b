"""The only module that imports durable-rules (`raccord[live]`): replace it and nothing else changes.

What it is asked for (engine/live/stream.py): routes, each an event type with tests on its fields,
compiled to durable rules; events; timers. Both are durable facts of one session per watcher:

- an event is `{t, seq, i, type, <its scalar fields>}`; lists (who is present) stay on the Python side
  (`i` is the event's index), so no event comes near durable's limit of about 128 properties. The
  routes of an event type become cells that do not overlap (a rule per value the tests name and one
  for the others, each firing every route of its cell): the event matches exactly one rule and is
  posted (`t: "post"`, consumed by that rule). Routes testing several fields cannot be cut so; their
  events are asserted as facts (`t: "fact"`) so that every rule they match fires, then retracted;
- a timer is a fact `{t: "timer", id, due}` asserted when the clock reaches its time (the pending
  ones wait in a heap, ordered by time): the rule on timer facts fires its action, then the fact is
  retracted. Most timers are cancelled before their time (the day ends, a break resets the count)
  and never enter the session. durable-rules' own timers run on the wall clock, which a replay
  (`--as-of`, tests, benchmarks) cannot use. (A first version joined timer facts with a clock fact,
  `timer.due <= clock.now`: valgrind showed an invalid read in isBetaMatch, before durable's
  background threads, stopped below, were found; no rule here joins two facts with a test.)

Traps of durable-rules 2.0.28 avoided here: its Host runs two background threads that call the C
engine while we do (see `_Host`); a ruleset name is registered once per process, so a
ruleset is compiled once per set of routes and each watcher is its own session (`sid`; durable keeps
1 024 sessions per ruleset, so a closed watcher's empty session is reused); identical
facts asserted twice raise, so every fact carries a sequence number; a fact no rule takes raises
MessageNotHandledException, so each ruleset has a catch-all rule for the asserted events that fires
for nothing (a join behind a pattern no fact matches), and the cells of posted events cover every
value; a session is emptied by retracting its facts, never deleted (deleting a session with a fact
in a join memory reads freed memory, bench/durable_facts.py); a fact is retracted after the call
that asserted it has returned, never inside its own action.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from typing import Any

from durable import engine as de
from durable import lang as dl
from durable.lang import c, m, ruleset, when_all

from .monitors import Test


class _Host(de.Host):
    """durable's Host without its two background threads. Every few tenths of a second they call into
    the C engine for every ruleset (its wall-clock timers, its queued messages, neither used here)
    while the main thread is calling it too: the segmentation faults that came and went with the
    memory layout, and a crash seen in `dispatch_timers` during the property test."""

    def _run(self) -> None:
        pass


def _quiet_host() -> None:
    if dl._main_host is None:
        dl._main_host = _Host()
    elif not isinstance(dl._main_host, _Host):  # a host made before us (bench/durable_facts.py): stop its threads
        for name in ("_d_timer", "_t_timer"):
            timer = getattr(dl._main_host, name, None)
            if timer is not None:
                timer.cancel()


_quiet_host()

Route = tuple[str, tuple[Test, ...]]

_names = itertools.count()
_sessions = itertools.count()
_free_sessions: list[str] = []  # durable keeps at most 1 024 sessions per ruleset: a closed watcher's is reused
_seq = itertools.count()  # across sessions: durable refuses an event identical to one it has already seen
_compiled: dict[tuple[Route, ...], str] = {}
_live: dict[str, Backend] = {}  # sid -> its backend (durable's actions find their session here)


def _test(test: Test) -> Any:
    attr = getattr(m, test.field)
    if test.op == "eq":
        return attr == test.value
    if test.op == "ne":
        return attr != test.value
    values = list(test.value)
    if test.op == "in":
        out = attr == values[0]
        for value in values[1:]:
            out = out | (attr == value)
        return out
    out = attr != values[0]
    for value in values[1:]:
        out = out & (attr != value)
    return out


def _route_action(indexes: tuple[int, ...]) -> Callable[[Any], None]:
    # One argument only: durable-rules passes a completion callback to an action that takes two.
    def action(cx: Any) -> None:
        if indexes:
            backend = _live[cx.m.sid]
            for index in indexes:
                backend.routed(index, cx.m.i)

    action.__name__ = "route_" + "_".join(map(str, indexes)) if indexes else "no_route"
    return action


_OUTSIDE = object()  # a value no test names


def _cells(routes: list[tuple[int, tuple[Test, ...]]]) -> list[tuple[tuple[Test, ...], tuple[int, ...]]] | None:
    """The routes of one event type as cells that do not overlap and cover every event: one per value the
    tests name, and one for every other value; each says which routes an event in it takes. None when the
    tests read more than one field (those routes stay one rule each)."""
    fields = {test.field for _, tests in routes for test in tests}
    if len(fields) > 1:
        return None
    if not fields:
        return [((), tuple(index for index, _ in routes))]
    (name,) = fields
    named: list[Any] = []
    for _, tests in routes:
        for test in tests:
            for value in (test.value if test.op in ("in", "not_in") else (test.value,)):
                if value not in named:
                    named.append(value)
    out = []
    for value in [*named, _OUTSIDE]:
        taken = tuple(index for index, tests in routes if all(test.holds({name: value}) for test in tests))
        cell = (Test(name, "eq", value),) if value is not _OUTSIDE else (Test(name, "not_in", tuple(named)),)
        out.append((cell, taken))
    return out


def _compile(routes: tuple[Route, ...]) -> tuple[str, dict[str, str]]:
    """The durable ruleset of a set of routes, and each event type's mode: "post" when its routes form
    cells (each event matches exactly one rule: it is posted, consumed by that rule, one call), "fact"
    otherwise (asserted so that every route it matches fires, then retracted)."""
    compiled = _compiled.get(routes)
    if compiled is not None:
        return compiled
    name = f"raccord-live-{next(_names)}"
    by_type: dict[str, list[tuple[int, tuple[Test, ...]]]] = {}
    for index, (event_type, tests) in enumerate(routes):
        by_type.setdefault(event_type, []).append((index, tests))
    modes: dict[str, str] = {}
    with ruleset(name):
        for event_type, typed in by_type.items():
            cells = _cells(typed)
            modes[event_type] = "post" if cells is not None else "fact"
            rules = cells if cells is not None else [(tests, (index,)) for index, tests in typed]
            for tests, indexes in rules:
                pattern = (m.t == modes[event_type]) & (m.type == event_type)
                for test in tests:
                    # constant tests only, each its own `&` (durable drops a join test after an `or`; we have none)
                    pattern = pattern & _test(test)
                when_all(pattern)(_route_action(indexes))

        @when_all(m.t == "timer")
        def due(cx: Any) -> None:
            _live[cx.m.sid].fired(cx.m.id)

        @when_all(c.never << (m.t == "never"), c.anything << (m.t == "fact"))
        def catch_all(cx: Any) -> None:  # pragma: no cover - never fires; keeps every asserted event handled
            pass

    _compiled[routes] = (name, modes)
    return name, modes


class Backend:
    """Routes and timers on durable-rules. `on_route(index, event_index)` and `on_timer(id)` are called
    from durable's actions, synchronously, inside `event()` and `advance()`."""

    def __init__(self, routes: list[Route], on_route: Callable[[int, int], None], on_timer: Callable[[int], None]) -> None:
        self.name, self.modes = _compile(tuple(routes))
        # a field a route tests is always sent (empty when the event has none: no test names "")
        self.tested = {event_type: {test.field for test in tests} for event_type, tests in routes}
        self.sid = _free_sessions.pop() if _free_sessions else str(next(_sessions))
        self.on_route = on_route
        self.on_timer = on_timer
        self.seq = _seq
        self.timers: dict[int, int] = {}  # pending timer id -> due time (ms)
        self.heap: list[tuple[int, int]] = []
        _live[self.sid] = self

    # called back by durable
    def routed(self, index: int, event_index: int) -> None:
        self.on_route(index, event_index)

    def fired(self, timer_id: int) -> None:
        self.on_timer(timer_id)

    # called by the watcher
    def event(self, fields: dict[str, Any], event_index: int) -> None:
        event_type = fields["type"]
        mode = self.modes[event_type]
        message = {"sid": self.sid, "t": mode, "seq": next(self.seq), "i": event_index, **fields}
        for name in self.tested[event_type]:
            message.setdefault(name, "")
        if mode == "post":
            dl.post(self.name, message)
        else:
            dl.assert_fact(self.name, message)
            dl.retract_fact(self.name, message)

    def set_timer(self, timer_id: int, due: int) -> None:
        self.timers[timer_id] = due
        heapq.heappush(self.heap, (due, timer_id))

    def cancel_timer(self, timer_id: int) -> None:
        self.timers.pop(timer_id, None)  # not in the session yet: nothing to retract

    def advance(self, now: int) -> None:
        """Fire every timer due at or before `now`, in the order of their times (a monitor's warning
        comes before its alert): each is asserted as a fact when the clock reaches it, and the rule
        fires on it. Most timers are cancelled before (the day ends, a break resets the count) and
        never cost a call into durable-rules."""
        heap = self.heap
        while heap and heap[0][0] <= now:
            due, timer_id = heapq.heappop(heap)
            if self.timers.pop(timer_id, None) is None:
                continue  # cancelled
            fact = {"sid": self.sid, "t": "timer", "id": timer_id, "due": due}
            dl.assert_fact(self.name, fact)
            dl.retract_fact(self.name, fact)  # out of the session again, once its action has run

    def close(self) -> None:
        """Empty the session (retract what is left) and forget it."""
        self.timers.clear()  # the timers left never entered the session
        if _live.pop(self.sid, None) is not None:
            _free_sessions.append(self.sid)  # empty: its events were consumed or retracted
