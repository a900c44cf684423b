"""The only module that imports durable-rules (`raccord[live]`): replace it and nothing else changes.

What it is asked for (engine/live/stream.py): routes, each an event type with tests on its fields,
compiled to durable rules; events; timers. Both are durable facts of one session per watcher:

- an event is asserted as a fact `{t: "ev", seq, type, <its scalar fields>}`, so that every rule it
  matches fires (a posted durable event is consumed by the first rule that takes it), and retracted
  once its actions have run; lists (who is present) stay on the Python side, the fact carries the
  event's index, so no event comes near durable's limit of about 128 properties;
- a timer is a fact `{t: "timer", id, due}`; the clock is one fact `{t: "clock", now}` replaced when
  time advances. The rule `timer.due <= clock.now` fires every timer due (facts are not consumed, so
  one clock fact joins every due timer) and the action retracts it. durable-rules' own timers run on
  the wall clock, which a replay (`--as-of`, tests, benchmarks) cannot use.

Traps of durable-rules 2.0.28 avoided here: a ruleset name is registered once per process, so a
ruleset is compiled once per set of routes and each watcher is its own session (`sid`); identical
facts asserted twice raise, so every fact carries a sequence number; a fact no rule takes raises
MessageNotHandledException, so each ruleset has a catch-all rule that fires for nothing (a join
behind a pattern no fact matches); a session is emptied by retracting its facts, never deleted
(deleting a session with a fact in a join memory reads freed memory, bench/durable_facts.py).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from typing import Any

from durable import lang as dl
from durable.lang import c, m, ruleset, when_all

from .monitors import Test

Route = tuple[str, tuple[Test, ...]]

_names = itertools.count()
_sessions = itertools.count()
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


def _route_action(index: int) -> Callable[[Any], None]:
    # One argument only: durable-rules passes a completion callback to an action that takes two.
    def action(cx: Any) -> None:
        _live[cx.m.sid].routed(index, cx.m.i)

    action.__name__ = f"route_{index}"
    return action


def _compile(routes: tuple[Route, ...]) -> str:
    name = _compiled.get(routes)
    if name is not None:
        return name
    name = f"raccord-live-{next(_names)}"
    with ruleset(name):
        for index, (event_type, tests) in enumerate(routes):
            pattern = (m.t == "ev") & (m.type == event_type)
            for test in tests:
                # constant tests only, each its own `&` (durable drops a join test after an `or`; we have none)
                pattern = pattern & _test(test)

            when_all(pattern)(_route_action(index))

        @when_all(c.timer << (m.t == "timer"), c.clock << (m.t == "clock") & (m.now >= c.timer.due))
        def due(cx: Any) -> None:
            _live[cx.timer.sid].fired(cx.timer.id)
            cx.retract_fact(cx.timer)

        @when_all(c.never << (m.t == "never"), c.anything << +m.t)
        def catch_all(cx: Any) -> None:  # pragma: no cover - never fires; keeps every fact handled
            pass

    _compiled[routes] = name
    return name


class Backend:
    """Routes and timers on durable-rules. `on_route(index, event_index)` and `on_timer(id)` are called
    from durable's actions, synchronously, inside `event()` and `advance()`."""

    def __init__(self, routes: list[Route], on_route: Callable[[int, int], None], on_timer: Callable[[int], None]) -> None:
        self.name = _compile(tuple(routes))
        self.sid = str(next(_sessions))
        self.on_route = on_route
        self.on_timer = on_timer
        self.seq = itertools.count()
        self.timers: dict[int, dict[str, Any]] = {}
        self.heap: list[tuple[int, int]] = []
        self.clock: dict[str, Any] | None = None
        _live[self.sid] = self

    # called back by durable
    def routed(self, index: int, event_index: int) -> None:
        self.on_route(index, event_index)

    def fired(self, timer_id: int) -> None:
        if self.timers.pop(timer_id, None) is not None:
            self.on_timer(timer_id)

    # called by the watcher
    def event(self, fields: dict[str, Any], event_index: int) -> None:
        fact = {"sid": self.sid, "t": "ev", "seq": next(self.seq), "i": event_index, **fields}
        dl.assert_fact(self.name, fact)
        dl.retract_fact(self.name, fact)

    def set_timer(self, timer_id: int, due: int) -> None:
        fact = {"sid": self.sid, "t": "timer", "id": timer_id, "due": due}
        self.timers[timer_id] = fact
        heapq.heappush(self.heap, (due, timer_id))
        dl.assert_fact(self.name, fact)

    def cancel_timer(self, timer_id: int) -> None:
        fact = self.timers.pop(timer_id, None)
        if fact is not None:
            dl.retract_fact(self.name, fact)

    def advance(self, now: int) -> None:
        """Fire every timer due at or before `now`, in the order of their times: the clock steps to each
        due time in turn (durable fires the matches of one fact in no set order, and a monitor's
        warning must come before its alert). The clock fact is only replaced when a timer is due."""
        heap = self.heap
        while True:
            while heap and heap[0][1] not in self.timers:
                heapq.heappop(heap)
            if not heap or heap[0][0] > now:
                return
            due = heap[0][0]
            while heap and heap[0][0] == due:
                heapq.heappop(heap)
            if self.clock is not None:
                dl.retract_fact(self.name, self.clock)
            self.clock = {"sid": self.sid, "t": "clock", "now": due, "seq": next(self.seq)}
            dl.assert_fact(self.name, self.clock)

    def close(self) -> None:
        """Empty the session (retract what is left) and forget it."""
        for fact in list(self.timers.values()):
            dl.retract_fact(self.name, fact)
        self.timers.clear()
        if self.clock is not None:
            dl.retract_fact(self.name, self.clock)
            self.clock = None
        _live.pop(self.sid, None)
