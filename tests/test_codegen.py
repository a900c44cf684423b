"""The one definition of the condition language, checked against an independent oracle.

Each form's meaning is written once (a shape, engine/template.py) and used three ways: inlined in
the generated ruleset functions (`evaluate`), run by the interpreter for a value (`node.value`,
`Program`: the planner, policies, declared criteria) and for a trace (explanations, findings).
tests/reference_interpreter.py is written from the format doc alone. Random conditions over random
contexts must give the same value all four ways, and every node of a trace must agree with the
oracle and with its children; the generated ruleset functions must give the oracle's statuses in
the documented precedence on the bundled rulesets.
"""

from __future__ import annotations

import datetime as dt
import pickle
import random
import sys
from pathlib import Path
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raccord.engine import conditions as cn
from raccord.engine import load_library, tri
from raccord.engine import status as s
from raccord.engine.codegen import generate, generate_source, standalone
from raccord.engine.evaluate import build_context
from raccord.engine.model import FactDef, validate_model
from raccord.engine.roster import Roster, coerce_roster
from raccord.engine.source_files import Located
from raccord.engine.template import Program, trace

from . import reference_interpreter as ref

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from synthetic import synthetic_dossier

LIBRARY = load_library()
DATES = [dt.date(2023, 1, 1), dt.date(2024, 11, 1), dt.date(2025, 10, 15), dt.date(2026, 5, 1), dt.date(2029, 1, 1)]
TO_STATUS = {ref.T: s.MET, ref.F: s.NOT_MET, ref.U: s.UNKNOWN}

# --- random conditions over a small catalogue ------------------------------------------------------

TITLE = {"fr": "x", "en": "x"}
SPECS = {"b": {"type": "boolean"}, "i": {"type": "integer"}, "j": {"type": "integer"}, "n": {"type": "number"},
         "d": {"type": "date"}, "e": {"type": "date"}, "k": {"type": "enum", "values": ["a", "b", "c"]},
         "s": {"type": "set", "values": ["a", "b", "c"]}, "t": {"type": "string"}}
# a roster (§6.1): members with a boolean, an integer, two dates and an enum
FIELDS = {"f": {"type": "boolean"}, "g": {"type": "integer"}, "h": {"type": "date"}, "h2": {"type": "date"},
          "k": {"type": "enum", "values": ["a", "b", "c"]}}
SPECS["r"] = {"type": "collection", "fields": {name: spec | {"title": TITLE} for name, spec in FIELDS.items()}}
CATALOGUE = {name: validate_model(FactDef, Located(spec | {"title": TITLE}, "facts.yaml")) for name, spec in SPECS.items()}
CRITERIA = {"C-1": "r", "C-2": "r", "X-1": "x"}
OUTCOME_FIELDS = {"lv": {"level": "range", "decision": "decision"}, "sc": {"score": "range"}}
ENV = cn.Env(CATALOGUE, CRITERIA, OUTCOME_FIELDS, lambda path: "test.yaml", current_criterion="C-1")
DAY0 = dt.date(2025, 1, 1)
OPS = ["eq", "ne", "gt", "gte", "lt", "lte"]

days = st.integers(0, 12).map(lambda n: DAY0 + dt.timedelta(days=n))
small = st.integers(0, 4)
numbers = st.one_of(small, st.sampled_from([0.5, 1.5, 2.0, 3.25]))
letters = st.sampled_from(["a", "b", "c"])
words = st.sampled_from(["x", "y"])


def _test(subject: dict, ops: list[str], values) -> st.SearchStrategy:
    return st.tuples(st.sampled_from(ops), values).map(lambda p: subject | {p[0]: p[1]})


def _lists(values) -> st.SearchStrategy:
    return st.lists(values, min_size=1, max_size=3)


# conditions about one member (inside every / count), with a few about the dossier
member_leaves = st.one_of(
    st.just({"field": "f"}),
    _test({"field": "f"}, ["eq", "ne"], st.booleans()),
    _test({"field": "g"}, OPS, small), _test({"field": "g"}, ["in", "not_in"], _lists(small)),
    _test({"field": "g"}, OPS, st.just({"fact": "i"})),
    _test({"field": "h"}, OPS, days),
    _test({"field": "h"}, OPS, st.integers(-3, 3).map(lambda k: {"fact": "e", "plus_days": k})),
    _test({"field": "h"}, OPS, st.integers(-3, 3).map(lambda k: {"field": "h2", "plus_days": k} if k else {"field": "h2"})),
    _test({"field": "h"}, OPS, st.integers(-3, 3).map(lambda k: {"as_of": k})),
    _test({"field": "k"}, ["eq", "ne"], letters), _test({"field": "k"}, ["in", "not_in"], _lists(letters)),
    st.tuples(st.sampled_from(sorted(FIELDS)), st.booleans()).map(lambda p: {"field": p[0], "known": p[1]}),
    st.builds(lambda kind, age: {"member_evidence": kind} | age, st.sampled_from(["k1", "k2"]),
              st.sampled_from([{}, {"max_age_days": 3}])),
    st.just({"fact": "b"}), _test({"fact": "i"}, OPS, small),
)
member_conditions = st.recursive(member_leaves, lambda inner: st.one_of(
    st.lists(inner, min_size=1, max_size=3).map(lambda c: {"all": c}),
    st.lists(inner, min_size=1, max_size=3).map(lambda c: {"any": c}),
    inner.map(lambda c: {"not": c})), max_leaves=5)
where = st.one_of(st.just({}), member_conditions.map(lambda c: {"where": c}))
# the fallback when there is no roster: a condition about no member
otherwise = st.one_of(st.just({}), st.sampled_from([{"fact": "b"}, {"fact": "i", "gte": 2}, {"evidence": "k1"},
                                                     {"evidence": "k2", "count_gte": {"fact": "i"}}]).map(
    lambda c: {"otherwise": c}))
quantifiers = st.one_of(
    st.builds(lambda w, c, o: {"every": "r"} | w | {"satisfies": c} | o, where, member_conditions, otherwise),
    st.builds(lambda w, op, n, o: {"count": "r"} | w | {op: n} | o, where, st.sampled_from(OPS),
              st.one_of(small, st.just({"fact": "i"})), otherwise),
    st.booleans().map(lambda known: {"fact": "r", "known": known}),
)

leaves = st.one_of(
    quantifiers,
    st.just({"fact": "b"}),
    _test({"fact": "b"}, ["eq", "ne"], st.booleans()),
    _test({"fact": "i"}, OPS, small), _test({"fact": "n"}, OPS, numbers),
    _test({"fact": "i"}, ["in", "not_in"], _lists(small)),
    _test({"fact": "i"}, OPS, st.just({"fact": "j"})), _test({"fact": "n"}, OPS, st.just({"fact": "i"})),
    _test({"fact": "d"}, OPS, days),
    _test({"fact": "d"}, OPS, st.integers(-3, 3).map(lambda k: {"fact": "e", "plus_days": k})),
    _test({"fact": "d"}, OPS, st.integers(-3, 3).map(lambda k: {"as_of": k})),
    _test({"fact": "k"}, ["eq", "ne"], letters), _test({"fact": "k"}, ["in", "not_in"], _lists(letters)),
    _test({"fact": "t"}, ["eq", "ne"], words), _test({"fact": "t"}, ["in", "not_in"], _lists(words)),
    _test({"fact": "s"}, ["contains"], letters),
    st.tuples(st.sampled_from(sorted(SPECS)), st.booleans()).map(lambda p: {"fact": p[0], "known": p[1]}),
    _test({"ratio": ["i", "j"]}, OPS, st.sampled_from([0.0, 0.5, 1.0, 2.0])),
    st.builds(lambda kind, age, count: {"evidence": kind} | age | count, st.sampled_from(["k1", "k2"]),
              st.sampled_from([{}, {"max_age_days": 3}, {"max_age_days": 0}]),
              st.sampled_from([{}, {"count_gte": 0}, {"count_gte": 2}, {"count_gte": {"fact": "i"}}])),
    st.sampled_from(sorted(CRITERIA)).map(lambda c: {"criterion": c}),
    st.tuples(st.sampled_from(sorted(CRITERIA)), st.sampled_from(s.STATUSES)).map(
        lambda p: {"criterion": p[0], "status": p[1]}),
    _test({"outcome": "lv.level"}, OPS, small), _test({"outcome": "lv.level"}, ["in", "not_in"], _lists(small)),
    _test({"outcome": "sc.score"}, OPS, st.sampled_from([0.5, 1.0, 2])),
    _test({"outcome": "sc.score"}, ["in", "not_in"], st.sampled_from([[0.5], [0.5, 1.0], [1, 2]])),
    _test({"outcome": "lv.decision"}, ["eq", "ne"], st.sampled_from(s.DECISIONS)),
    _test({"outcome": "lv.decision"}, ["in", "not_in"], _lists(st.sampled_from(s.DECISIONS))),
    _test({}, ["as_of"], _test({}, OPS, days)),
)
conditions = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, min_size=1, max_size=4).map(lambda c: {"all": c}),
    st.lists(inner, min_size=1, max_size=4).map(lambda c: {"any": c}),
    inner.map(lambda c: {"not": c})), max_leaves=12)

field_values = {"f": st.booleans(), "g": small, "h": days, "h2": days, "k": letters}
members = st.lists(st.fixed_dictionaries({}, optional=field_values), max_size=4).map(
    lambda rows: [{"ref": f"P-{i:03d}"} | row for i, row in enumerate(rows)])
rosters = st.builds(lambda complete, rows: {"complete": complete, "members": rows}, st.booleans(), members)
fact_values = {"b": st.booleans(), "i": small, "j": small, "n": numbers, "d": days, "e": days, "k": letters,
               "s": st.frozensets(letters), "t": words, "r": rosters}
facts = st.fixed_dictionaries({}, optional=fact_values)
items = st.lists(st.builds(
    lambda kind, criteria, collected, span, status, member: {"kind": kind, "criteria": criteria, "collected": collected,
                                                             "expires": None if span is None or collected is None
                                                             else collected + dt.timedelta(days=span),
                                                             "auditor": {"status": status}, "member": member},
    st.sampled_from(["k1", "k2"]), st.sampled_from([[], ["C-1"], ["C-2"]]), st.none() | days,
    st.none() | st.integers(0, 6), st.sampled_from(["pending", "accepted", "rejected"]),
    st.sampled_from([None, None, "P-000", "P-001"])), max_size=5)
ranges = st.tuples(small, small).map(lambda p: (min(p), max(p)))
real_ranges = st.tuples(numbers, numbers).map(lambda p: (min(p), max(p)))
outcomes = st.fixed_dictionaries({}, optional={
    "lv": st.fixed_dictionaries({"level": st.none() | ranges, "decision": st.sampled_from(s.DECISIONS)}),
    "sc": st.fixed_dictionaries({"score": st.none() | real_ranges})})
statuses = st.fixed_dictionaries({}, optional=dict.fromkeys(CRITERIA, st.sampled_from(s.STATUSES)))


@st.composite
def worlds(draw) -> ref.World:
    evidence = [item | {"id": f"E{i}"} for i, item in enumerate(draw(items))]
    integrity = {item["id"]: "modified" for item in evidence if draw(st.integers(0, 5)) == 0}
    return ref.World(draw(facts), draw(days), evidence, draw(statuses), draw(outcomes), integrity)


def context(world: ref.World):
    """The engine's context for the oracle's world (the evidence index built as for a dossier)."""
    register = [SimpleNamespace(id=e["id"], kind=e["kind"], criteria=e["criteria"], collected=e["collected"],
                                expires=e["expires"], auditor=SimpleNamespace(status=e["auditor"]["status"]),
                                member=e.get("member")) for e in world.evidence]
    facts = dict(world.facts)
    if "r" in facts:  # the dossier's roster mapping, typed as a dossier's is
        facts["r"] = coerce_roster("r", facts["r"], CATALOGUE["r"], Located(facts["r"], "test.yaml"), ())
    dossier = SimpleNamespace(facts=facts, prepared={}, file=SimpleNamespace(evidence=register))
    ctx = build_context(dossier, world.as_of, world.integrity)
    ctx.statuses.update(world.statuses)
    ctx.outcomes.update(world.outcomes)
    return ctx


COMBINED = {"all": cn.All, "any": cn.AnyOf, "not": cn.Not}


def agrees(raw: dict, node_trace, world: ref.World) -> None:
    """Every node of the trace has the oracle's value, and all/any/not agree with their children."""
    value = node_trace.value
    assert tri.NAMES[value] == ref.evaluate(raw, world, "C-1"), raw
    kids = [child.value for child in node_trace.children]
    form = next((k for k in COMBINED if k in raw), None)
    if form is None and ("every" in raw or "count" in raw) and kids:  # no roster: its `otherwise`, traced
        assert world.facts.get("r") is None and value == kids[0]
        agrees(raw["otherwise"], node_trace.children[0], world)
        return
    if form is None:
        assert not kids
        return
    assert type(node_trace.node) is COMBINED[form]
    assert value == {"all": min, "any": max}.get(form, lambda v: tri.TRUE - v[0])(kids)
    subs = raw[form] if form != "not" else [raw["not"]]
    assert len(subs) == len(node_trace.children)
    for sub, child in zip(subs, node_trace.children, strict=True):
        agrees(sub, child, world)


def explained(tree: dict) -> None:
    """The explanation document says the same as the trace: each combination's value from its children."""
    kids = [explained(child) for child in tree.get("children", [])]
    rank = {"false": 0, "unknown": 1, "true": 2}
    if tree["op"] in ("every", "count") and kids:  # no roster: the value of its `otherwise`
        assert tree["value"] == kids[0]
    if tree["op"] in ("all", "any"):
        assert rank[tree["value"]] == (min if tree["op"] == "all" else max)(rank[k] for k in kids)
    elif tree["op"] == "not":
        assert rank[tree["value"]] == 2 - rank[kids[0]]
    return tree["value"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conditions, worlds())
def test_generated_interpreted_and_traced_values_are_the_oracles(raw, world):
    node = cn.parse(raw, ENV, ())
    ctx = context(world)
    expected = ref.evaluate(raw, world, "C-1")
    values = {"generated": standalone(node)(ctx), "value": node.value(ctx), "program": Program(node)(ctx),
              "compile": node.compile()(ctx)}
    assert {name: tri.NAMES[v] for name, v in values.items()} == dict.fromkeys(values, expected)
    node_trace = trace(node, ctx)
    agrees(raw, node_trace, world)
    assert explained(node.explain(ctx)) == expected


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(leaves, worlds())
def test_each_test_form_is_the_oracles(raw, world):
    """The tests alone, many more of them: each branch of each form meets the oracle often."""
    node = cn.parse(raw, ENV, ())
    ctx = context(world)
    expected = ref.evaluate(raw, world, "C-1")
    assert tri.NAMES[standalone(node)(ctx)] == tri.NAMES[node.value(ctx)] == tri.NAMES[trace(node, ctx).value] == expected


outcome_values = st.one_of(st.none(), ranges, real_ranges, st.sampled_from(s.DECISIONS))


@settings(max_examples=3000, deadline=None)
@given(outcome_values, st.sampled_from(OPS + ["in", "not_in"]), st.data())
def test_outcome_comparisons_are_the_oracles(value, op, data):
    """Ranges (whole or real), decisions (undetermined among them) and no value, every test."""
    if isinstance(value, str):
        if op not in ("eq", "ne", "in", "not_in"):
            return  # refused at load: decisions are not ordered
        one = st.sampled_from(s.DECISIONS)
    else:
        one = st.one_of(small, numbers)
    target = tuple(data.draw(_lists(one))) if op in ("in", "not_in") else data.draw(one)
    assert tri.NAMES[cn.compare_outcome(value, op, target)] == ref.outcome_test(value, op, target)


# --- the generated ruleset functions ------------------------------------------------------------------


def item_data(item) -> dict:
    return {"id": item.id, "kind": item.kind, "criteria": list(item.criteria), "collected": item.collected,
            "expires": item.expires, "auditor": {"status": item.auditor.status}, "member": item.member}


def fact_data(value):
    """A typed fact as the oracle reads it: a roster as the dossier's mapping."""
    if isinstance(value, Roster):
        return {"complete": value.complete, "members": [{"ref": m.ref} | m.fields for m in value.members]}
    return value


def oracle_statuses(rs, world: ref.World, declared_na, declined, assume) -> None:
    """The documented precedence (docs/ruleset-format.md §4, plus `plan` assumptions), the oracle's values."""
    for crit in rs.criteria:
        cid, model = crit.id, crit.model
        applies = ref.evaluate(model.applies_if, world, cid) if model.applies_if else ref.T
        if not model.in_force(world.as_of) or cid in declared_na:
            world.statuses[cid] = s.NOT_APPLICABLE
        elif applies != ref.T and not (applies == ref.U and cid in assume):
            world.statuses[cid] = s.NOT_APPLICABLE if applies == ref.F else s.UNKNOWN
        elif cid in assume:
            world.statuses[cid] = assume[cid]
        elif cid in declined:
            world.statuses[cid] = s.NOT_MET
        else:
            world.statuses[cid] = TO_STATUS[ref.evaluate(model.requires, world, cid)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.floats(0.0, 0.7), st.sampled_from(DATES), st.booleans())
def test_generated_rulesets_give_the_oracles_statuses(seed, unknown, as_of, declarations):
    dossier = synthetic_dossier(LIBRARY, seed, unknown_share=unknown)
    declared_na: dict[str, str] = {}
    declined: dict[str, str] = {}
    assume: dict[str, str] = {}
    if declarations:
        rng = random.Random(seed)
        ids = sorted(LIBRARY.criteria)
        declared_na = {cid: "hors champ" for cid in rng.sample(ids, 15)}
        declined = {cid: "refusé" for cid in rng.sample(ids, 15)}
        assume = {cid: rng.choice([s.MET, s.NOT_MET]) for cid in rng.sample(ids, 15)}
    ctx = build_context(dossier, as_of)
    world = ref.World({k: fact_data(v) for k, v in dossier.facts.items()}, as_of, [item_data(e) for e in dossier.file.evidence])
    marked = frozenset(declared_na) | frozenset(declined) | frozenset(assume)
    for rs in LIBRARY.rulesets.values():
        opened = rs.runner(ctx, marked, declared_na, declined, assume)
        # what it returns: its criteria with a deadline left not met or unknown (only those need a window)
        assert opened == [cid for cid in rs.dated if ctx.statuses[cid] in (s.NOT_MET, s.UNKNOWN)]
        oracle_statuses(rs, world, declared_na, declined, assume)
        # later rulesets read earlier outcomes: give both the same ones
        ctx.outcomes[rs.id] = world.outcomes[rs.id] = rs.policy.outcome(rs, ctx)
        policy = rs.model.policy  # its generated conditions too
        if policy.applies_if:
            assert tri.NAMES[rs.scope(ctx)] == ref.evaluate(policy.applies_if, world)
        for value, (_, raw) in zip(rs.policy_conditions, rs.policy.conditions(), strict=True):
            if raw:
                assert tri.NAMES[value(ctx)] == ref.evaluate(raw, world)
    assert ctx.statuses == world.statuses


def test_generated_source_holds_no_ruleset_value():
    """Ids, fact names and literals are bound in the namespace, never spliced into the source."""
    for rs in LIBRARY.rulesets.values():
        source, writer = generate_source(rs)
        namespace = writer.namespace
        for crit in rs.criteria:
            assert crit.id not in source
            assert crit.id in namespace.values()
        for fact in LIBRARY.catalogue:
            assert repr(fact) not in source and fact not in source


def test_generated_code_survives_the_cache_pickle():
    """A cached library holds the generated code; loaded again it gives the same functions and
    provides every shape the interpreter needs, so a fresh process compiles none."""
    rs = LIBRARY.rulesets["afnor_spec_2308"]
    copy = pickle.loads(pickle.dumps(generate(rs)))
    functions = copy.load()
    assert {"run", "scope", "SHAPES"} <= set(functions)
    dossier = synthetic_dossier(LIBRARY, 3)
    ctx = build_context(dossier, DATES[2])
    assert functions["scope"](ctx) == rs.scope_node.value(ctx)
    shapes = {node.template()[0].source for crit in rs.criteria for node in crit.requires_node.walk()}
    assert shapes <= set(functions["SHAPE_SOURCES"])
