"""Differential property: for generated journals (random days, people, breaks, clock skew, events out
of order, duplicates, intimacy scenes with their lists of agreed people set, changed or missing), the
alerts the streaming watcher fires on durable-rules equal those of the plain-Python reference check of
the whole journal (engine/live/reference.py). Limits are drawn too, so that every monitor kind fires
often. `raccord check` reads the reference, `raccord watch` the watcher: this is what keeps them from
disagreeing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raccord.engine.live import durable_available, load_monitors, replay
from raccord.engine.live.events import parse_lines

pytestmark = pytest.mark.skipif(not durable_available(), reason="raccord[live] (durable-rules) not installed")

EXAMPLES = int(os.environ.get("RACCORD_LIVE_EXAMPLES", "3000"))
BASE = dt.datetime(2025, 11, 12, 6, 0, tzinfo=dt.UTC)
PEOPLE = [("E-01", "enfant"), ("E-02", "enfant"), ("P-001", "interprete"), ("P-002", "figurant"), ("P-003", "directeur_photo"),
          ("P-004", "technicien")]
ZONES = [dt.timezone(dt.timedelta(hours=h)) for h in (0, 1, 2, -5)]
MONITORS = load_monitors()

minutes = st.integers(min_value=0, max_value=3 * 24 * 60)
person = st.sampled_from(PEOPLE)
crowd = st.lists(st.sampled_from(["P-001", "P-002", "P-003", "P-040"]), max_size=5)  # repeats included
work = st.tuples(st.sampled_from(["work.start", "work.pause", "work.resume", "work.end"]), person)
other = st.one_of(
    st.tuples(st.just("child.arrive"), st.sampled_from(["E-01", "E-02"]), st.booleans()),
    st.tuples(st.just("child.supervision"), st.sampled_from(["E-01", "E-02"]), st.booleans()),
    st.tuples(st.just("intimacy.start"), st.sampled_from(["S-1", "S-2"]), st.booleans(), crowd),
    st.tuples(st.just("intimacy.agreed"), st.sampled_from(["S-1", "S-2"]), crowd),
    st.tuples(st.just("report.received"), st.sampled_from(["R-1", "R-2"]), st.sampled_from(["referent_vhss", "employeur",
                                                                                            "chef_de_poste"])),
    st.tuples(st.just("report.forwarded"), st.sampled_from(["R-1", "R-2"]), st.none()),
    st.tuples(st.just("training.recorded"), st.sampled_from(["P-001", "P-003"]), st.sampled_from(["vhss_module1",
                                                                                                  "vhss_module2"])),
    st.tuples(st.just("day.open"), st.none(), st.none()),
)


def event(at: int, item: tuple, zone: dt.timezone, skew: int) -> dict:
    moment = (BASE + dt.timedelta(minutes=at, seconds=skew)).astimezone(zone).isoformat()
    kind = item[0]
    data = {"v": 1, "at": moment, "type": kind}
    if kind.startswith("work."):
        data["person"] = item[1][0]
        if kind == "work.start":
            data["role"] = item[1][1]
    elif kind in ("child.arrive", "child.supervision"):
        data |= {"person": item[1], "supervised": item[2]}
    elif kind == "intimacy.start":
        data |= {"scene": item[1], "present": item[3], "closed_set": item[2]}
    elif kind == "intimacy.agreed":
        data |= {"v": 2, "scene": item[1], "agreed": item[2]}
    elif kind == "report.received":
        data |= {"report": item[1], "by": item[2]}
    elif kind == "report.forwarded":
        data["report"] = item[1]
    elif kind == "training.recorded":
        data |= {"person": item[1], "module": item[2]}
    return data


@st.composite
def journals(draw) -> tuple[list[str], dt.datetime]:
    items = draw(st.lists(st.tuples(minutes, st.one_of(work, work, work, other), st.sampled_from(ZONES),
                                    st.integers(min_value=-90, max_value=90)), max_size=40))
    lines = [json.dumps(event(*item)) for item in items]
    # the same instants logged by several devices: out of order, some twice
    order = draw(st.permutations(range(len(lines))))
    lines = [lines[i] for i in order]
    for i in draw(st.lists(st.integers(min_value=0, max_value=max(len(lines) - 1, 0)), max_size=5)) if lines else []:
        lines.insert(draw(st.integers(min_value=0, max_value=len(lines))), lines[i])
    until = BASE + dt.timedelta(minutes=draw(st.integers(min_value=0, max_value=4 * 24 * 60)))
    return lines, until


limits = st.fixed_dictionaries({
    "limit": st.integers(min_value=10, max_value=16 * 60),
    "lead": st.one_of(st.none(), st.integers(min_value=1, max_value=9)),
    "reset": st.integers(min_value=1, max_value=90),
})


def with_limits(values: dict) -> object:
    """The bundled monitors with drawn limits (minutes): each kind fires within the generated days."""
    out = []
    for monitor in MONITORS.monitors:
        limit = values["limit"] * 60_000
        lead = None if monitor.lead_ms is None or values["lead"] is None else min(values["lead"] * 60_000, limit - 60_000)
        changes = {"limit_ms": limit, "lead_ms": lead}
        if monitor.kind == "continuous_work":
            changes["reset_ms"] = values["reset"] * 60_000
        if monitor.kind == "rest":
            changes["long_span_ms"], changes["long_rest_ms"] = limit, limit // 2
        out.append(dataclasses.replace(monitor, **changes))
    return dataclasses.replace(MONITORS, monitors=tuple(out))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(journals(), limits)
def test_durable_watcher_and_reference_check_fire_the_same_alerts(journal, values):
    lines, until = journal
    events = parse_lines(lines, "generated.jsonl")
    monitors = with_limits(values)
    streamed = replay(events, monitors, until, engine="durable")
    reference = replay(events, monitors, until, engine="reference")
    assert [a.signature() for a in streamed] == [a.signature() for a in reference]


@settings(max_examples=300, deadline=None)
@given(journals())
def test_the_bundled_limits_agree_too(journal):
    lines, until = journal
    events = parse_lines(lines, "generated.jsonl")
    assert [a.signature() for a in replay(events, MONITORS, until)] == \
        [a.signature() for a in replay(events, MONITORS, until, engine="reference")]
