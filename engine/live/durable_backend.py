"""The only module that imports durable-rules (`raccord[live]`): replace it and nothing else changes.

What it is asked for (engine/live/stream.py): routes, each an event type with tests on its fields,
compiled to durable rules; events; timers. Both are durable facts of one session per watcher:

- an event is asserted as a fact `{t: "ev", seq, type, <its scalar fields>}`, so that every rule it
  matches fires (a posted durable event is consumed by the first rule that takes it), and retracted
  once its actions have run; lists (who is present) stay on the Python side, the fact carries the
  event's index, so no event comes near durable's limit of about 128 properties;
- a timer is a fact `{t: "timer", id, due}` asserted when the clock reaches its time (the pending
  ones wait in a heap, ordered by time): the rule on timer facts fires its action, then the fact is
  retracted. Most timers are cancelled before their time (the day ends, a break resets the count)
  and never enter the session. durable-rules' own timers run on the wall clock, which a replay
  (`--as-of`, tests, benchmarks) cannot use; and a join "timer due <= clock now" between a timer fact
  and a clock fact read freed memory in 2.0.28 (valgrind: an invalid read in isBetaMatch, then
  segmentation faults that came and went with the memory layout), so no rule here joins two facts
  with a test.

Traps of durable-rules 2.0.28 avoided here: a ruleset name is registered once per process, so a
ruleset is compiled once per set of routes and each watcher is its own session (`sid`); identical
facts asserted twice raise, so every fact carries a sequence number; a fact no rule takes raises
MessageNotHandledException, so each ruleset has a catch-all rule that fires for nothing (a join
behind a pattern no fact matches); a session is emptied by retracting its facts, never deleted
(deleting a session with a fact in a join memory reads freed memory, bench/durable_facts.py); a fact
is retracted after the call that asserted it has returned, never inside its own action.
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

        @when_all(m.t == "timer")
        def due(cx: Any) -> None:
            _live[cx.m.sid].fired(cx.m.id)

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
        fact = {"sid": self.sid, "t": "ev", "seq": next(self.seq), "i": event_index, **fields}
        dl.assert_fact(self.name, fact)
        dl.retract_fact(self.name, fact)

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
        _live.pop(self.sid, None)
