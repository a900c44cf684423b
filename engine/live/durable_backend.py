"""The only module that imports durable-rules (`raccord[live]`): replace it and nothing else changes.

What it is asked for (engine/live/stream.py): routes, each an event type with tests on its fields,
compiled to durable rules; events; timers. Both are durable facts of one session per watcher:

- an event is `{t, seq, i, type, <the fields its routes test>}`; the rest (who is present, the
  time) stays on the Python side (`i` is the event's index), so no event comes near durable's
  limit of about 128 properties, and a message costs little to encode and decode. The
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
that asserted it has returned, never inside its own action. The rules' actions are run here
(`Backend._run`, on durable's C engine), not by durable's Host: see `Backend`.
"""

from __future__ import annotations

import heapq
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from json.encoder import encode_basestring as _quote  # a JSON string, non-ASCII kept (durable's ensure_ascii=False)
from typing import Any

import durable_rules_engine as _engine  # durable-rules' C engine, driven directly (Backend._run)
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
_compiled: dict[tuple[Route, ...], _Compiled] = {}
_decode = json.JSONDecoder().raw_decode  # json.loads without its two Python layers


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


def _never_called(cx: Any) -> None:  # pragma: no cover - Backend._run dispatches by rule name
    raise AssertionError("durable-rules called an action itself")


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


Action = tuple[int, ...] | None  # a rule's routes (an event rule), or None (the timer rule)


@dataclass(frozen=True, slots=True)
class _Compiled:
    handle: int  # the C engine's ruleset
    modes: dict[str, str]  # event type -> "post" | "fact"
    actions: dict[str, Action]  # durable's rule name -> what it does


def _compile(routes: tuple[Route, ...]) -> _Compiled:
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
    actions: list[Action] = []  # in the order the rules are defined
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
                when_all(pattern)(_never_called)
                actions.append(indexes)
        when_all(m.t == "timer")(_never_called)
        actions.append(None)
        # never fires: keeps every asserted event handled (a join behind a pattern no fact matches)
        when_all(c.never << (m.t == "never"), c.anything << (m.t == "fact"))(_never_called)
        actions.append(())
    rules = dl.get_host().get_ruleset(name)
    names = list(rules.get_definition())  # durable names the rules in the order they were defined
    if len(names) != len(actions):
        raise RuntimeError(f"durable-rules defined {len(names)} rules for {len(actions)}")
    compiled = _compiled[routes] = _Compiled(rules._handle, modes, dict(zip(names, actions, strict=True)))
    return compiled


class Backend:
    """Routes and timers on durable-rules. `on_route(index, event_index)` and `on_timer(id)` are called
    from the rules' actions, synchronously, inside `event()` and `advance()`.

    The C engine is driven directly (`_run`), not through durable's Host: for every action the Host
    decodes the session's state and the message, wraps them in objects, reads the clock twice and
    encodes the state back (`update_state`), which cost more than everything else a watcher does.
    No rule here reads the state, so it is neither decoded nor written; messages carry only what
    the rules test (`t`, `type`, the tested fields) and what the actions need (`i`, `id`)."""

    def __init__(self, routes: list[Route], on_route: Callable[[int, int], None], on_timer: Callable[[int], None]) -> None:
        compiled = _compile(tuple(routes))
        self.handle, self.modes, self.actions = compiled.handle, compiled.modes, compiled.actions
        self.sid = _free_sessions.pop() if _free_sessions else str(next(_sessions))
        sid = _quote(self.sid)
        # per event type: the start of its message, and the fields its routes test (always sent: empty
        # when the event has none or it is not a scalar; no test names "")
        tested: dict[str, set[str]] = {}
        for event_type, tests in routes:
            tested.setdefault(event_type, set()).update(test.field for test in tests)
        self.tested = {event_type: tuple(sorted(names)) for event_type, names in tested.items()}
        self.heads = {event_type: f'{{"sid":{sid},"t":"{mode}","type":{_quote(event_type)}'
                      for event_type, mode in self.modes.items()}
        self.timer_head = f'{{"sid":{sid},"t":"timer","id":'
        self.on_route = on_route
        self.on_timer = on_timer
        self.seq = _seq
        self.timers: dict[int, int] = {}  # pending timer id -> due time (ms)
        self.heap: list[tuple[int, int]] = []

    def _run(self, result: tuple) -> None:
        """What durable's Host does after an assert or a retract, minus the state: run the actions it
        starts, one after the other, until none is left."""
        if result[0] in (1, 2):  # not handled (a catch-all prevents it) / identical to a fact present (seq prevents it)
            raise RuntimeError(f"durable-rules refused a message (code {result[0]})")
        offset = 0 if result[0] == 3 else result[1]
        handle = self.handle
        started = _engine.start_action_for_state(handle, offset)
        text = started[1] if started else None
        while text:
            for rule, message in _decode(text)[0].items():
                action = self.actions[rule]
                try:
                    if action is None:
                        self.on_timer(message["m"]["id"])
                    else:
                        for index in action:
                            self.on_route(index, message["m"]["i"])
                except BaseException:
                    _engine.abandon_action(handle, offset)
                    raise
            text = _engine.complete_and_start_action(handle, offset)

    # called by the watcher
    def event(self, data: dict[str, Any], event_index: int) -> None:
        """Send an event to the rules: its type and the fields they test, by their values in `data`."""
        event_type = data["type"]
        text = (self.heads[event_type] + f',"seq":{next(self.seq)},"i":{event_index}'
                + "".join(f",{_quote(name)}:{_scalar(data.get(name))}" for name in self.tested[event_type]) + "}")
        if self.modes[event_type] == "post":
            self._run(_engine.assert_event(self.handle, text))
        else:
            self._run(_engine.assert_fact(self.handle, text))
            self._run(_engine.retract_fact(self.handle, text))

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
            fact = f'{self.timer_head}{timer_id},"due":{due}}}'
            self._run(_engine.assert_fact(self.handle, fact))
            self._run(_engine.retract_fact(self.handle, fact))  # out of the session again, once its action has run

    def close(self) -> None:
        """Forget the session: its events were consumed or retracted, and the timers left never entered it."""
        self.timers.clear()
        if self.sid not in _free_sessions:
            _free_sessions.append(self.sid)


def _scalar(value: Any) -> str:
    """A field's value in a message: JSON for a scalar, "" for anything else (absent, a list)."""
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) is str:
        return _quote(value)
    if type(value) in (int, float):
        return json.dumps(value)
    return '""'
