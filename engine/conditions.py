"""The condition language: parse YAML data into a checked tree; what each form means.

Every node evaluates to a Kleene value (`tri.FALSE`, `tri.UNKNOWN`, `tri.TRUE`). Each form says
what it means once, in `template()` (see template.py): the generated ruleset functions inline it,
and the interpreter runs it for a value (`node.value(ctx)`, the planner, policies, stages) or a
trace (`node.trace(ctx)`, explanations and findings). A form also says what its trace shows
(`observe`, `explanation`) and which facts it misses; none of these decide a value.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from typing import Any

from . import status as st
from . import tri
from .context import Context, EvidenceState
from .dossier import as_date
from .errors import Bilingual, InputError
from .model import FactDef
from .ranges import MAX_CONDITION_DEPTH, shift_error
from .record import Record, record
from .roster import Roster
from .suggest import did_you_mean
from .template import (
    MemberContext,
    Program,
    Shape,
    Template,
    Trace,
    as_of,
    const,
    count_all,
    count_span,
    count_test,
    every_fold,
    evidence_count,
    fact,
    field,
    field_known,
    known,
    member_evidence,
    member_valid,
    outcome,
    status,
    too_old,
    trace,
    valid,
)

Compiled = Callable[[Context], int]

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
SYMBOLS = {"eq": "==", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
ORDERED = {"gt", "gte", "lt", "lte"}
MEMBERSHIP = {"in", "not_in"}
FACT_OPS = set(COMPARISONS) | MEMBERSHIP | {"contains", "known"}
OUTCOME_DECISIONS = set(st.DECISIONS)
CRITERION_VALUES = {st.MET: tri.TRUE, st.NOT_APPLICABLE: tri.TRUE, st.NOT_MET: tri.FALSE, st.UNKNOWN: tri.UNKNOWN}


@record(positional=True, frozen=False)
class Env(Record):
    """What a condition may refer to, for static checks; and how to locate an error."""

    facts: dict[str, FactDef]
    criteria: dict[str, str]  # criterion id -> ruleset id
    outcome_fields: dict[str, dict[str, str]]  # ruleset id -> field -> "range" | "decision"
    where: Callable[[tuple], str]
    current_criterion: str | None = None
    collection: str | None = None  # inside `every` / `count`: the collection fact quantified over
    member_fields: dict[str, FactDef] | None = None  # ... and its members' fields

    def fail(self, path: tuple, message: str, hint: str = "") -> InputError:
        return InputError(self.where(path), message, hint)


# --- value expressions (right-hand sides) -------------------------------------------------------


@record(positional=True)
class Literal(Record):
    value: Any

    def describe(self) -> Any:
        return _jsonable(self.value)


@record(positional=True)
class FactValue(Record):
    name: str
    plus_days: int = 0

    def describe(self) -> Any:
        return {"fact": self.name, "plus_days": self.plus_days} if self.plus_days else {"fact": self.name}


@record(positional=True)
class FieldValue(Record):
    """Another field of the same member (inside `every` / `count`)."""

    name: str
    plus_days: int = 0

    def describe(self) -> Any:
        return {"field": self.name, "plus_days": self.plus_days} if self.plus_days else {"field": self.name}


@record(positional=True)
class AsOfValue(Record):
    plus_days: int = 0

    def describe(self) -> Any:
        return {"as_of": self.plus_days}


# --- nodes ------------------------------------------------------------------------------------


@record(positional=True)
class Node(Record):
    op_name = ""  # the `op` of its explanation

    def template(self) -> Template:
        """The form's Kleene value as one expression (the only definition of what it means)."""
        raise NotImplementedError

    # What a trace keeps beyond the values of the holes, `observe(ctx, inputs)`, for the forms that
    # need more (the evidence items looked at); None for the others.
    observe = None

    def details(self, trace: Trace) -> dict[str, Any]:
        """The explanation's keys after `op` and `value`."""
        return {}

    def missing_facts(self, trace: Trace) -> tuple[str, ...]:
        """Facts whose absence this node reports (whether they are needed is the caller's question)."""
        return ()

    def explanation(self, trace: Trace) -> dict[str, Any]:
        return {"op": self.op_name, "value": tri.NAMES[trace.value], **self.details(trace)}

    def value(self, ctx: Context) -> int:
        """The node's Kleene value on a context (the interpreter: for a value asked now and then)."""
        return Program(self)(ctx)

    def compile(self) -> Compiled:
        """A callable giving the node's value on a context, for values asked repeatedly."""
        return Program(self)

    def trace(self, ctx: Context) -> Trace:
        return trace(self, ctx)

    def explain(self, ctx: Context) -> dict[str, Any]:
        return self.trace(ctx).as_dict()

    def walk(self):
        yield self


def _combinator_details(trace: Trace) -> dict[str, Any]:
    return {"children": [child.as_dict() for child in trace.children]}


def conjunction(parts: list[str]) -> str:
    """`all` over Kleene values: a short-circuit `min` written with `and` (only FALSE is falsy);
    `{r}` and `{t}` are the expression's own locals."""
    if len(parts) == 1:
        return parts[0]
    chain = [f"({{r}} := {parts[0]})"]
    chain += [f"({{r}} := ({{r}} if {{r}} < ({{t}} := {part}) else {{t}}))" for part in parts[1:-1]]
    chain.append(f"({{r}} if {{r}} < ({{t}} := {parts[-1]}) else {{t}})")
    return "(" + " and ".join(chain) + ")"


def _combination(cache: dict[int, Shape], arity: int, any_: bool) -> Shape:
    """`all` (or `any` = `not all not`: 2 - min(2 - x, ...) = max) of `arity` sub-conditions."""
    found = cache.get(arity)
    if found is None:
        names = tuple(f"c{i}" for i in range(arity))
        if any_:
            source = "(2 - " + conjunction([f"(2 - {{{name}}})" for name in names]) + ")"
        else:
            source = conjunction([f"{{{name}}}" for name in names])
        found = cache[arity] = Shape(source, *names, fresh=("r", "t") if arity > 1 else (), combines=True)
    return found


_ALL: dict[int, Shape] = {}
_ANY: dict[int, Shape] = {}
NOT = Shape("(2 - {c0})", "c0", combines=True)

# A test of an unknown fact is unknown.
_UNKNOWN_X = "(1 if (v := {x}) is None else "
FACT_SHAPES = {
    # `x`, the fact's value, is only read for the explanation
    "known": Shape("(2 if {p} else 0)", "p", "x"),
    "unknown": Shape("(0 if {p} else 2)", "p", "x"),  # known: false
    "is_true": Shape(_UNKNOWN_X + "(2 if v else 0))", "x"),
    "in": Shape(_UNKNOWN_X + "(2 if v in {k} else 0))", "x", "k"),
    "not_in": Shape(_UNKNOWN_X + "(0 if v in {k} else 2))", "x", "k"),
    "contains": Shape(_UNKNOWN_X + "(2 if {k} in v else 0))", "x", "k"),
}
FACT_SHAPES |= {op: Shape(_UNKNOWN_X + f"(2 if v {sym} {{k}} else 0))", "x", "k") for op, sym in SYMBOLS.items()}
# against another fact / the evaluation date, shifted by `d` days or not
FACT_VALUE_SHAPES = {
    (op, shifted): Shape(f"(1 if (v := {{x}}) is None or (u := {{y}}) is None else (2 if v {sym} u{' + {d}' * shifted} else 0))",
                         "x", "y", *("d",) * shifted)
    for op, sym in SYMBOLS.items() for shifted in (False, True)}
AS_OF_VALUE_SHAPES = {
    (op, shifted): Shape(_UNKNOWN_X + f"(2 if v {sym} {{now}}{' + {d}' * shifted} else 0))", "x", "now", *("d",) * shifted)
    for op, sym in SYMBOLS.items() for shifted in (False, True)}
RATIO_SHAPES = {op: Shape("(1 if (v := {n}) is None or (u := {d}) is None else "  # a zero denominator fails
                          f"(0 if u == 0 else (2 if v / u {sym} {{k}} else 0)))", "n", "d", "k") for op, sym in SYMBOLS.items()}
# evidence: counted (too few is unknown), with an age limit, or plain (what valid items of the kind
# support: True for any criterion, or the criteria they name)
COUNTED = Shape("(2 if (w := {w}) is not None and {n} >= w else 1)", "w", "n")
AGED = Shape("(2 if {n} else 1)", "n")
EVIDENCE = Shape("(2 if (e := {e}) is True or (e is not None and {c} in e) else 1)", "e", "c")
CRITERION_MET = Shape("{m}.get({s}, 1)", "m", "s")  # met or not applicable: true
CRITERION_IS = Shape("(2 if {s} == {k} else 0)", "s", "k")
# an outcome not computed (yet) is unknown; a field without value (not applicable) compares as None
OUTCOME = Shape("(1 if (o := {o}) is None else {cmp}(o.get({f}), {op}, {k}))", "o", "cmp", "f", "op", "k")
AS_OF_SHAPES = {op: Shape(f"(2 if {{now}} {sym} {{k}} else 0)", "now", "k") for op, sym in SYMBOLS.items()}
# quantifiers over a roster (a collection fact; absent: unknown): `w` (the members concerned, None
# for all) and `s` are sub-conditions about one member, filled with functions of a member
# `o`, the `otherwise` condition read when the roster is absent, is about no member. Each member's
# value is computed in a list comprehension over `m_` (no call per member in generated code).
def _every_shape(where: bool, otherwise: bool) -> Shape:
    member = "(2 if not ({c} := {w}) else (2 - {c} if 2 - {c} > ({x} := {s}) else {x}))" if where else "{s}"
    source = f"({'{o}' if otherwise else '1'} if (q := {{r}}) is None else {{fold}}([{member} for m_ in q.members], q.complete))"
    names = ("r", "fold", *("w",) * where, "s", *("o",) * otherwise)
    return Shape(source, *names, fresh=("c", "x") if where else (), scoped=("w", "s") if where else ("s",),
                 deferred=("o",) * otherwise)


def _count_shape(where: bool, otherwise: bool) -> Shape:
    span = "{span}([{w} for m_ in q.members], q.complete)" if where else "{span}(q)"
    source = f"({'{o}' if otherwise else '1'} if (q := {{r}}) is None else {{test}}({span}, {{op}}, {{k}}))"
    names = ("r", "test", "span", *("w",) * where, "op", "k", *("o",) * otherwise)
    return Shape(source, *names, scoped=("w",) * where, deferred=("o",) * otherwise)


EVERY_SHAPES = {(w, o): _every_shape(w, o) for w in (False, True) for o in (False, True)}
COUNT_SHAPES = {(w, o): _count_shape(w, o) for w in (False, True) for o in (False, True)}


@record(positional=True)
class All(Node):
    children: tuple[Node, ...]
    op_name = "all"

    def template(self) -> Template:
        return _combination(_ALL, len(self.children), False), self.children

    details = staticmethod(_combinator_details)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@record(positional=True)
class AnyOf(Node):
    """`any` is `not all not`: 2 - min(2 - x, ...) = max."""

    children: tuple[Node, ...]
    op_name = "any"

    def template(self) -> Template:
        return _combination(_ANY, len(self.children), True), self.children

    details = staticmethod(_combinator_details)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@record(positional=True)
class Not(Node):
    child: Node
    op_name = "not"

    def template(self) -> Template:
        return NOT, (self.child,)

    details = staticmethod(_combinator_details)

    def walk(self):
        yield self
        yield from self.child.walk()


@record(positional=True)
class FactTest(Node):
    name: str
    op: str  # a COMPARISONS key, in, not_in, contains, known, or "is_true"
    rhs: Literal | FactValue | AsOfValue | None = None
    op_name = "fact"

    def template(self) -> Template:
        op, rhs = self.op, self.rhs
        if op == "known":
            return FACT_SHAPES["known" if rhs.value else "unknown"], ((known, self.name), (fact, self.name))
        return _test_template(fact, self.name, op, rhs)

    def details(self, trace: Trace) -> dict[str, Any]:
        inputs = trace.inputs
        out = {"fact": self.name, "test": self.op, "seen": _jsonable(inputs["x"])}
        if self.rhs is not None and self.op != "known":
            out["expected"] = self.rhs.describe()
            if isinstance(self.rhs, FactValue):
                other = inputs["y"]
                out["expected_value"] = _jsonable(other if other is None or "d" not in inputs else other + inputs["d"])
            elif isinstance(self.rhs, AsOfValue):
                out["expected_value"] = _jsonable(inputs["now"] + inputs["d"] if "d" in inputs else inputs["now"])
        if self.missing_facts(trace):
            out["missing_fact"] = self.name
        return out

    def missing_facts(self, trace: Trace) -> tuple[str, ...]:
        return (self.name,) if trace.inputs["x"] is None and self.op != "known" else ()


def _test_template(read: Callable, name: str, op: str, rhs: Any) -> Template:
    """A fact's or a member field's test (`read` gives the subject's value): the same shapes."""
    if op == "is_true":
        return FACT_SHAPES[op], ((read, name),)
    if isinstance(rhs, Literal):
        return FACT_SHAPES[op], ((read, name), (const, frozenset(rhs.value) if op in MEMBERSHIP else rhs.value))
    shift = ((const, dt.timedelta(days=rhs.plus_days)),) if rhs.plus_days else ()
    if isinstance(rhs, (FactValue, FieldValue)):
        other = (fact if isinstance(rhs, FactValue) else field, rhs.name)
        return FACT_VALUE_SHAPES[op, bool(shift)], ((read, name), other, *shift)
    return AS_OF_VALUE_SHAPES[op, bool(shift)], ((read, name), (as_of, None), *shift)


@record(positional=True)
class FieldTest(Node):
    """A test of one field of the member a quantifier is about (`{field: role, in: [...]}`); a
    field the roster does not give is unknown. `known` is answered from the member's fields."""

    name: str
    op: str
    rhs: Literal | FactValue | FieldValue | AsOfValue | None = None
    op_name = "field"

    def template(self) -> Template:
        if self.op == "known":
            return FACT_SHAPES["known" if self.rhs.value else "unknown"], ((field_known, self.name), (field, self.name))
        return _test_template(field, self.name, self.op, self.rhs)

    def details(self, trace: Trace) -> dict[str, Any]:
        out = {"field": self.name, "test": self.op, "seen": _jsonable(trace.inputs["x"])}
        if self.rhs is not None and self.op != "known":
            out["expected"] = self.rhs.describe()
            if isinstance(self.rhs, (FactValue, FieldValue)):
                other, shift = trace.inputs["y"], trace.inputs.get("d")
                out["expected_value"] = _jsonable(other if other is None or shift is None else other + shift)
        if trace.inputs["x"] is None and self.op != "known":
            out["missing_field"] = self.name
        return out


@record(positional=True)
class MemberEvidenceTest(Node):
    """Valid evidence of a kind naming the member (`member: P-014`) supports the criterion: at least
    one item, collected at most `max_age_days` ago when given. None is unknown, never false."""

    kind: str
    criterion: str
    max_age_days: int | None = None
    op_name = "member_evidence"

    def template(self) -> Template:
        if self.max_age_days is None:  # an index lookup, as `{evidence: KIND}`; an age limit scans the items
            return EVIDENCE, ((member_valid, self.kind), (const, self.criterion))
        return AGED, ((member_evidence, (self.kind, self.criterion, self.max_age_days)),)

    def observe(self, ctx: Any, inputs: dict[str, Any]) -> EvidenceSeen:
        ref, items = ctx.member.ref, []
        for item in ctx.evidence.get(self.kind, ()):
            if item.member != ref or (item.criteria and self.criterion not in item.criteria):
                continue
            if item.state == "valid" and too_old(item.collected, ctx.as_of, self.max_age_days):
                item = item._replace(state="too_old")
            items.append(item)
        return EvidenceSeen(tuple(items), None, None)

    def details(self, trace: Trace) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "items": [
            {"id": i.id, "state": i.state, "collected": _jsonable(i.collected), "expires": _jsonable(i.expires)}
            for i in trace.seen.items]}
        if self.max_age_days is not None:
            out["max_age_days"] = self.max_age_days
        if trace.value != tri.TRUE:
            out["missing_evidence"] = self.kind
        return out


class MembersSeen:
    """What a quantifier looked at: the roster (None when absent) and, per member concerned or
    possibly concerned, (ref, value of `where`, its trace, value, trace of what is asked)."""

    __slots__ = ("complete", "members", "rows")

    def __init__(self, roster: Any, rows: list[tuple[str, int, Trace | None, int, Trace | None]]) -> None:
        self.members = None if roster is None else len(roster.members)
        self.complete = None if roster is None else roster.complete
        self.rows = rows

    def refs(self, value: int) -> list[str]:
        """The members whose own value (where -> satisfies, or where for a count) is `value`."""
        return [row[0] for row in self.rows if row[3] == value]


def _member_rows(ctx: Context, roster: Any, where: Node | None, satisfies: Node | None) -> list:
    rows = []
    for member in roster.members:
        mctx = MemberContext(ctx, member)
        where_trace = None if where is None else trace(where, mctx)
        concerned = tri.TRUE if where_trace is None else where_trace[1]
        if concerned == tri.FALSE:
            continue
        if satisfies is None:
            rows.append((member.ref, concerned, where_trace, concerned, None))
            continue
        got = trace(satisfies, mctx)
        rows.append((member.ref, concerned, where_trace, max(tri.TRUE - concerned, got[1]), got))
    return rows


class Quantifier(Node):
    """What `every` and `count` share: a collection fact, a `where` about one member (None: all)."""

    __slots__ = ()

    def scoped_nodes(self) -> tuple[Node, ...]:
        return tuple(node for node in (self.where, getattr(self, "satisfies", None), self.otherwise) if node is not None)

    def walk(self):
        yield self
        for child in self.scoped_nodes():
            yield from child.walk()

    def subtraces(self, ctx: Context, inputs: dict[str, Any]) -> tuple[Trace, ...]:
        """The trace's children: the `otherwise` condition, when the roster is absent and it was read."""
        return (trace(self.otherwise, ctx),) if inputs["r"] is None and self.otherwise is not None else ()

    def missing_facts(self, trace: Trace) -> tuple[str, ...]:
        """The roster, when absent and there is no `otherwise` (which then says what is missing)."""
        return (self.collection,) if trace.inputs["r"] is None and self.otherwise is None else ()

    def member_traces(self, trace: Trace) -> list[Trace]:
        """The sub-conditions of the members an `every` does not hold for, as its explanation shows
        them (`member_details`): what a member lacks is looked for there, member by member."""
        return []

    def _roster_details(self, trace: Trace) -> dict[str, Any]:
        seen: MembersSeen = trace.seen
        out: dict[str, Any] = {"collection": self.collection}
        if seen.members is None:
            if self.otherwise is None:
                out["missing_fact"] = self.collection
            else:
                out["children"] = [child.as_dict() for child in trace.children]
            return out
        out.update(members=seen.members, complete=seen.complete)
        return out

    @staticmethod
    def _member_details(rows: list, with_satisfies: bool) -> list[dict[str, Any]]:
        out = []
        for ref, concerned, where_trace, value, got in rows:
            entry: dict[str, Any] = {"ref": ref, "value": tri.NAMES[value], "concerned": tri.NAMES[concerned]}
            if where_trace is not None and concerned != tri.TRUE:
                entry["where"] = where_trace.as_dict()
            if with_satisfies and got is not None and value != tri.TRUE:
                entry["requires"] = got.as_dict()
            out.append(entry)
        return out


@record(positional=True)
class Every(Quantifier):
    """Every member of a roster that `where` concerns satisfies a condition about that member;
    unknown when the roster is absent, at most unknown when it is not complete."""

    collection: str
    where: Node | None
    satisfies: Node
    otherwise: Node | None = None  # read instead when the dossier gives no roster
    op_name = "every"

    def template(self) -> Template:
        holes = ((fact, self.collection), (const, every_fold), *(h for h in (self.where,) if h is not None), self.satisfies,
                 *(h for h in (self.otherwise,) if h is not None))
        return EVERY_SHAPES[self.where is not None, self.otherwise is not None], holes

    def observe(self, ctx: Context, inputs: dict[str, Any]) -> MembersSeen:
        roster = inputs["r"]
        return MembersSeen(roster, [] if roster is None else _member_rows(ctx, roster, self.where, self.satisfies))

    def details(self, trace: Trace) -> dict[str, Any]:
        out = self._roster_details(trace)
        seen: MembersSeen = trace.seen
        if seen.members is not None:
            out.update(concerned=len(seen.rows), failing=seen.refs(tri.FALSE), undecided=seen.refs(tri.UNKNOWN),
                       member_details=self._member_details(seen.rows, True))
        return out

    def member_traces(self, trace: Trace) -> list[Trace]:
        if trace.seen.members is None:
            return []
        out = []
        for _, concerned, where_trace, value, got in trace.seen.rows:
            if where_trace is not None and concerned != tri.TRUE:
                out.append(where_trace)
            if got is not None and value != tri.TRUE:
                out.append(got)
        return out


@record(positional=True)
class Count(Quantifier):
    """How many members of a roster `where` holds for (all members without it), compared with a
    number or an integer fact; counted as a range when members are undecided or the roster is not
    complete (docs/ruleset-format.md §6.1)."""

    collection: str
    where: Node | None
    op: str
    target: int | None = None
    target_fact: str | None = None
    otherwise: Node | None = None  # read instead when the dossier gives no roster
    op_name = "count"

    def template(self) -> Template:
        wanted = (const, self.target) if self.target_fact is None else (fact, self.target_fact)
        span = (const, count_span if self.where is not None else count_all)
        holes = ((fact, self.collection), (const, count_test), span, *(h for h in (self.where,) if h is not None),
                 (const, self.op), wanted, *(h for h in (self.otherwise,) if h is not None))
        return COUNT_SHAPES[self.where is not None, self.otherwise is not None], holes

    def observe(self, ctx: Context, inputs: dict[str, Any]) -> MembersSeen:
        roster = inputs["r"]
        return MembersSeen(roster, [] if roster is None else _member_rows(ctx, roster, self.where, None))

    def details(self, trace: Trace) -> dict[str, Any]:
        out = self._roster_details(trace)
        seen: MembersSeen = trace.seen
        if seen.members is None and self.otherwise is not None:
            return out
        out.update(test=self.op, expected=self.target if self.target_fact is None else {"fact": self.target_fact},
                   expected_value=trace.inputs["k"])
        if seen.members is not None:
            low = len(seen.refs(tri.TRUE))
            out.update(count=low, count_max=(low + len(seen.refs(tri.UNKNOWN))) if seen.complete else None,
                       counted=seen.refs(tri.TRUE), undecided=seen.refs(tri.UNKNOWN))
        return out

    def missing_facts(self, trace: Trace) -> tuple[str, ...]:
        missing = Quantifier.missing_facts(self, trace)  # (records are rebuilt as slotted classes: no zero-argument super)
        return missing + ((self.target_fact,) if self.target_fact is not None and trace.inputs["k"] is None else ())


@record(positional=True)
class RatioTest(Node):
    numerator: str
    denominator: str
    op: str
    target: float
    op_name = "ratio"

    def template(self) -> Template:
        return RATIO_SHAPES[self.op], ((fact, self.numerator), (fact, self.denominator), (const, self.target))

    def details(self, trace: Trace) -> dict[str, Any]:
        n, d = trace.inputs["n"], trace.inputs["d"]
        out: dict[str, Any] = {"numerator": {"fact": self.numerator, "seen": n},
                               "denominator": {"fact": self.denominator, "seen": d}, "test": self.op,
                               "expected": self.target}
        if n is not None and d:
            out["ratio"] = round(n / d, 6)
        if d == 0:
            out["note"] = "zero_denominator"
        missing = self.missing_facts(trace)
        if missing:
            out["missing_facts"] = list(missing)
        return out

    def missing_facts(self, trace: Trace) -> tuple[str, ...]:
        return tuple(f for f, key in ((self.numerator, "n"), (self.denominator, "d")) if trace.inputs[key] is None)


class EvidenceSeen:
    """What an evidence test looked at: the items of its kind that may support the criterion (by
    id, each with its state at the evaluation date, `too_old` when valid but older than the test
    allows) and, for a counted test, how many items count and how many are wanted."""

    __slots__ = ("found", "items", "wanted")

    def __init__(self, items: tuple[EvidenceState, ...], found: int | None, wanted: int | None) -> None:
        self.items, self.found, self.wanted = items, found, wanted


@record(positional=True)
class EvidenceTest(Node):
    """Valid evidence of a kind supports the criterion: at least one item, or with `count_gte` (a
    number, or the integer fact `count_fact`) that many items, e.g. one certificate per child.
    Too few items is `unknown`, like no item: missing evidence is never `false`."""

    kind: str
    criterion: str
    max_age_days: int | None = None
    count_gte: int | None = None
    count_fact: str | None = None
    op_name = "evidence"

    @property
    def counted(self) -> bool:
        return self.count_gte is not None or self.count_fact is not None

    def template(self) -> Template:
        if self.counted:
            wanted = (const, self.count_gte) if self.count_fact is None else (fact, self.count_fact)
            return COUNTED, (wanted, (evidence_count, (self.kind, self.criterion, self.max_age_days)))
        if self.max_age_days is not None:
            return AGED, ((evidence_count, (self.kind, self.criterion, self.max_age_days)),)
        return EVIDENCE, ((valid, self.kind), (const, self.criterion))

    def observe(self, ctx: Context, inputs: dict[str, Any]) -> EvidenceSeen:
        items = []
        for item in ctx.evidence.get(self.kind, ()):
            if item.criteria and self.criterion not in item.criteria:
                continue
            if item.state == "valid" and too_old(item.collected, ctx.as_of, self.max_age_days):
                item = item._replace(state="too_old")
            items.append(item)
        return EvidenceSeen(tuple(items), inputs["n"] if self.counted else None, inputs.get("w"))

    def details(self, trace: Trace) -> dict[str, Any]:
        seen: EvidenceSeen = trace.seen
        out: dict[str, Any] = {"kind": self.kind, "items": [
            {"id": i.id, "state": i.state, "collected": _jsonable(i.collected), "expires": _jsonable(i.expires)}
            for i in seen.items]}
        if self.max_age_days is not None:
            out["max_age_days"] = self.max_age_days
        if self.counted:
            out.update(count=seen.found, count_gte=seen.wanted)
            if self.count_fact is not None:
                out["count_fact"] = self.count_fact
                if self.missing_facts(trace):
                    out["missing_fact"] = self.count_fact
        if trace.value != tri.TRUE:
            out["missing_evidence"] = self.kind
        return out

    def missing_facts(self, trace: Trace) -> tuple[str, ...]:
        return (self.count_fact,) if self.count_fact is not None and trace.seen.wanted is None else ()


@record(positional=True)
class CriterionTest(Node):
    criterion: str
    want: str | None = None  # None: met or not applicable
    op_name = "criterion"

    def template(self) -> Template:
        if self.want is None:
            return CRITERION_MET, ((const, CRITERION_VALUES), (status, self.criterion))
        return CRITERION_IS, ((status, self.criterion), (const, self.want))

    def details(self, trace: Trace) -> dict[str, Any]:
        out = {"criterion": self.criterion, "seen": trace.inputs["s"]}
        if self.want:
            out["expected"] = self.want
        return out


@record(positional=True)
class OutcomeTest(Node):
    ruleset: str
    field_name: str
    op: str
    target: Any
    op_name = "outcome"

    def template(self) -> Template:
        return OUTCOME, ((outcome, self.ruleset), (const, compare_outcome), (const, self.field_name), (const, self.op),
                         (const, self.target))

    def seen(self, trace: Trace) -> Any:
        """The outcome's value (None when not applicable or not computed)."""
        result = trace.inputs["o"]
        return None if result is None else result.get(self.field_name)

    def details(self, trace: Trace) -> dict[str, Any]:
        return {"outcome": f"{self.ruleset}.{self.field_name}", "test": self.op, "expected": _jsonable(self.target),
                "seen": _jsonable(self.seen(trace))}


@record(positional=True)
class AsOfTest(Node):
    """Compare the evaluation date itself with a date (e.g. a provision binding some firms earlier)."""

    op: str
    target: dt.date
    op_name = "as_of"

    def template(self) -> Template:
        return AS_OF_SHAPES[self.op], ((as_of, None), (const, self.target))

    def details(self, trace: Trace) -> dict[str, Any]:
        return {"test": self.op, "expected": self.target.isoformat(), "seen": trace.inputs["now"].isoformat()}


def compare_outcome(value: Any, op: str, target: Any) -> int:
    """Compare an outcome value (docs/ruleset-format.md §6): a (low, high) range passes when every
    value it can take passes, fails when none does, else unknown; an `undetermined` decision
    compares as unknown with any other decision; None (not applicable) is false."""
    if value is None:
        return tri.FALSE
    if isinstance(value, tuple):
        return _compare_range(value, op, target)
    if value == st.UNDETERMINED and op in ("eq", "ne", "in", "not_in"):
        named = target if op in MEMBERSHIP else (target,)
        if st.UNDETERMINED not in named:  # it may still become any decision
            return tri.UNKNOWN
    if op in MEMBERSHIP:
        return tri.from_bool((value in target) == (op == "in"))
    return tri.from_bool(COMPARISONS[op](value, target))


def _compare_range(value: tuple, op: str, target: Any) -> int:
    low, high = value
    if op in MEMBERSHIP:
        whole = isinstance(low, int) and isinstance(high, int)  # levels, stars: only whole values
        inside = {t for t in target if low <= t <= high and (not whole or t == int(t))}
        every = len({int(t) for t in inside}) == high - low + 1 if whole else (low == high and bool(inside))
        if every:
            return tri.from_bool(op == "in")
        return tri.from_bool(op == "not_in") if not inside else tri.UNKNOWN
    if op in ("eq", "ne"):  # membership of one value
        return _compare_range(value, "in" if op == "eq" else "not_in", (target,))
    compare = COMPARISONS[op]
    a, b = compare(low, target), compare(high, target)
    return tri.TRUE if a and b else (tri.FALSE if not a and not b else tri.UNKNOWN)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Roster):  # `{fact: ROSTER, known: true}` shows its size, not its members
        return {"members": len(value.members), "complete": value.complete}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return value


# --- parsing and static checks ----------------------------------------------------------------

NESTING = frozenset({"all", "any", "not", "where", "satisfies", "otherwise"})  # the keys a sub-condition sits under


def parse(raw: Any, env: Env, path: tuple) -> Node:
    if not isinstance(raw, dict) or not raw:
        raise env.fail(path, "a condition must be a mapping such as {fact: ..., eq: ...} or {all: [...]}")
    if sum(1 for step in path if step in NESTING) > MAX_CONDITION_DEPTH:  # the generated code must compile
        raise InputError(env.where(path), Bilingual(f"conditions imbriquées sur plus de {MAX_CONDITION_DEPTH} niveaux",
                                                    f"conditions nested more than {MAX_CONDITION_DEPTH} levels deep"),
                         Bilingual("regroupez-les (all / any à plusieurs éléments) ou découpez le critère",
                                   "group them (all / any of several items) or split the criterion"))
    keys = set(raw)
    for combinator in ("all", "any"):
        if combinator in raw:
            _only(raw, {combinator}, env, path)
            items = raw[combinator]
            if not isinstance(items, list) or not items:
                raise env.fail(path + (combinator,), f"`{combinator}` takes a non-empty list of conditions")
            children = tuple(parse(item, env, path + (combinator, i)) for i, item in enumerate(items))
            return All(children) if combinator == "all" else AnyOf(children)
    if "not" in raw:
        _only(raw, {"not"}, env, path)
        return Not(parse(raw["not"], env, path + ("not",)))
    if "fact" in raw:
        return _parse_fact(raw, env, path)
    for form in ("every", "count"):
        if form in raw:
            return _parse_quantifier(raw, form, env, path)
    if "field" in raw:
        return _parse_fact(raw, env, path, "field")
    if "member_evidence" in raw:
        _only(raw, {"member_evidence", "max_age_days"}, env, path)
        kind = raw["member_evidence"]
        if not isinstance(kind, str) or not kind:
            raise env.fail(path + ("member_evidence",), "`member_evidence` names an evidence kind")
        if env.member_fields is None:
            raise env.fail(path, "`member_evidence` is about one member: "
                           "it belongs in the `where` or `satisfies` of every or count")
        if env.current_criterion is None:
            raise env.fail(path, "evidence conditions belong in a criterion's `requires` or `applies_if`")
        age = raw.get("max_age_days")
        if age is not None and (not isinstance(age, int) or isinstance(age, bool) or age < 0):
            raise env.fail(path + ("max_age_days",), "max_age_days is a whole number of days")
        return MemberEvidenceTest(kind, env.current_criterion, age)
    if "ratio" in raw:
        return _parse_ratio(raw, env, path)
    if "evidence" in raw:
        _only(raw, {"evidence", "max_age_days", "count_gte"}, env, path)
        kind = raw["evidence"]
        if not isinstance(kind, str) or not kind:
            raise env.fail(path + ("evidence",), "`evidence` names an evidence kind")
        if env.current_criterion is None:
            raise env.fail(path, "evidence conditions belong in a criterion's `requires` or `applies_if`")
        age = raw.get("max_age_days")
        if age is not None and (not isinstance(age, int) or isinstance(age, bool) or age < 0):
            raise env.fail(path + ("max_age_days",), "max_age_days is a whole number of days")
        count, count_fact = _evidence_count(raw.get("count_gte"), env, path + ("count_gte",))
        return EvidenceTest(kind, env.current_criterion, age, count, count_fact)
    if "criterion" in raw:
        _only(raw, {"criterion", "status"}, env, path)
        cid = raw["criterion"]
        if not isinstance(cid, str) or not cid:  # `{criterion: true}`: no id to suggest a close one for
            raise env.fail(path + ("criterion",), "`criterion` names a criterion by its id")
        if cid not in env.criteria:
            raise env.fail(path + ("criterion",), f"unknown criterion '{cid}'", did_you_mean(cid, env.criteria))
        want = raw.get("status")
        if want is not None and want not in st.STATUSES:
            raise env.fail(path + ("status",), f"unknown status '{want}'", "one of " + ", ".join(st.STATUSES))
        return CriterionTest(cid, want)
    if "outcome" in raw:
        return _parse_outcome(raw, env, path)
    if "as_of" in raw:
        _only(raw, {"as_of"}, env, path)
        test = raw["as_of"]
        if not (isinstance(test, dict) and len(test) == 1 and next(iter(test)) in COMPARISONS):
            raise env.fail(path + ("as_of",), "as_of takes one comparison, e.g. {as_of: {gte: 2024-06-01}}")
        op, value = next(iter(test.items()))
        if not isinstance(value, dt.date):
            raise env.fail(path + ("as_of", op), f"'{value}' is not a date", "dates are written YYYY-MM-DD")
        return AsOfTest(op, value)
    raise env.fail(path, f"unknown condition form with keys {sorted(keys)}",
                   "use all, any, not, fact, ratio, evidence, criterion, outcome, as_of, every or count"
                   + ("; field or member_evidence about the member" if env.member_fields is not None else ""))


def _evidence_count(raw: Any, env: Env, path: tuple, key: str = "count_gte") -> tuple[int | None, str | None]:
    """`count_gte: N` or `count_gte: {fact: NAME}` (an integer fact): how many items are needed."""
    if raw is None:
        return None, None
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return raw, None
    if isinstance(raw, dict) and set(raw) == {"fact"}:
        name = raw["fact"]
        fact = env.facts.get(name) if isinstance(name, str) else None
        if fact is None:
            raise env.fail(path + ("fact",), f"unknown fact '{name}'", did_you_mean(str(name), env.facts))
        if fact.type != "integer":
            raise env.fail(path + ("fact",), f"{key} needs an integer fact, '{name}' is {fact.type}")
        return None, name
    what = "a whole number of items" if key == "count_gte" else "a whole number"
    raise env.fail(path, f"{key} is {what} or {{fact: NAME}} (an integer fact)")


def _only(raw: dict, allowed: set[str], env: Env, path: tuple) -> None:
    extra = set(raw) - allowed
    if extra:
        raise env.fail(path + (sorted(extra)[0],), f"unexpected key '{sorted(extra)[0]}' in this condition")


def _one_op(raw: dict, subject: str, allowed: set[str], env: Env, path: tuple) -> tuple[str, Any]:
    ops = [k for k in raw if k != subject]
    unknown = [k for k in ops if k not in allowed]
    if unknown:
        raise env.fail(path + (unknown[0],), f"unknown test '{unknown[0]}'", "one of " + ", ".join(sorted(allowed)))
    if len(ops) > 1:
        raise env.fail(path, f"one test per condition, found {sorted(ops)}", "combine tests with `all`")
    if not ops:
        return "is_true", None
    return ops[0], raw[ops[0]]


def _parse_fact(raw: dict, env: Env, path: tuple, subject: str = "fact") -> Node:
    """`{fact: NAME, test: V}`, or `{field: NAME, test: V}` about a member inside a quantifier."""
    name = raw[subject]
    fact = _fact(name, env, path + (subject,)) if subject == "fact" else _field(name, env, path + (subject,))
    make = FactTest if subject == "fact" else FieldTest
    what = "fact" if subject == "fact" else "field"
    if fact.type == "collection" and set(raw) != {subject, "known"}:
        raise env.fail(path, f"fact '{name}' is a collection: test it with every or count (or known)")
    op, value = _one_op(raw, subject, FACT_OPS, env, path)
    where = path + (op,)
    if op == "is_true":
        if fact.type != "boolean":
            raise env.fail(path, f"{what} '{name}' is {fact.type}, not boolean: add a test such as eq or gte")
        return make(name, op)
    if op == "known":
        if not isinstance(value, bool):
            raise env.fail(where, "`known` takes true or false")
        return make(name, op, Literal(value))
    if op in MEMBERSHIP:
        if not isinstance(value, list) or not value:
            raise env.fail(where, f"`{op}` takes a non-empty list")
        if fact.type == "set":
            raise env.fail(where, f"{what} '{name}' is a set: use `contains`")
        return make(name, op, Literal(tuple(_literal(v, fact, env, where + (i,)) for i, v in enumerate(value))))
    if op == "contains":
        if fact.type != "set":
            raise env.fail(where, f"`contains` applies to set facts; '{name}' is {fact.type}")
        return make(name, op, Literal(_member(value, fact, env, where)))
    if fact.type == "set":
        raise env.fail(where, f"{what} '{name}' is a set: use `contains`")
    if op in ORDERED and fact.type in ("boolean", "enum", "string"):
        raise env.fail(where, f"`{op}` needs a number or a date; '{name}' is {fact.type}")
    if isinstance(value, dict):
        return make(name, op, _value_expression(value, fact, env, where))
    return make(name, op, Literal(_literal(value, fact, env, where)))


def _field(name: Any, env: Env, path: tuple) -> FactDef:
    fields = env.member_fields
    if fields is None:
        raise env.fail(path, "`field` tests a member's field: it belongs in the `where` or `satisfies` of every or count")
    if not isinstance(name, str) or name not in fields:
        raise env.fail(path, f"collection '{env.collection}' has no field '{name}'",
                       did_you_mean(str(name), fields) or "fields: " + ", ".join(sorted(fields)))
    return fields[name]


QUANTIFIER_KEYS = {"every": {"every", "where", "satisfies", "otherwise"},
                   "count": {"count", "where", "otherwise"} | set(COMPARISONS)}


def _parse_quantifier(raw: dict, form: str, env: Env, path: tuple) -> Node:
    """`{every: COLLECTION, where: C, satisfies: C}`, `{count: COLLECTION, where: C, gte: N}`."""
    _only(raw, QUANTIFIER_KEYS[form], env, path)
    name = raw[form]
    collection = _fact(name, env, path + (form,))
    if collection.type != "collection":
        raise env.fail(path + (form,), f"`{form}` goes over a collection fact; '{name}' is {collection.type}")
    if env.member_fields is not None:
        raise env.fail(path, f"`{form}` inside `every` or `count`: quantifiers do not nest")
    inner = Env(env.facts, env.criteria, env.outcome_fields, env.where, env.current_criterion, name, collection.fields or {})
    where = parse(raw["where"], inner, path + ("where",)) if "where" in raw else None
    otherwise = parse(raw["otherwise"], env, path + ("otherwise",)) if "otherwise" in raw else None  # about no member
    if form == "every":
        if "satisfies" not in raw:
            raise env.fail(path, "`every` needs `satisfies`: the condition each member concerned meets")
        return Every(name, where, parse(raw["satisfies"], inner, path + ("satisfies",)), otherwise)
    ops = [k for k in raw if k in COMPARISONS]
    if len(ops) != 1:
        raise env.fail(path, "`count` takes one comparison, e.g. {count: roster.children, where: ..., gte: 1}")
    op = ops[0]
    count, count_fact = _evidence_count(raw[op], env, path + (op,), op)
    return Count(name, where, op, count, count_fact, otherwise)


def _value_expression(raw: dict, fact: FactDef, env: Env, path: tuple) -> FactValue | AsOfValue:
    shift = raw.get("plus_days", 0)
    if not isinstance(shift, int) or isinstance(shift, bool):
        raise env.fail(path + ("plus_days",), "plus_days is a whole number of days")
    if error := shift_error(env.where(path + ("plus_days",)), shift):
        raise error
    if "as_of" in raw:
        _only(raw, {"as_of"}, env, path)
        days = raw["as_of"]
        if not isinstance(days, int) or isinstance(days, bool):
            raise env.fail(path + ("as_of",), "as_of takes a whole number of days (0 = the evaluation date)")
        if error := shift_error(env.where(path + ("as_of",)), days):
            raise error
        if fact.type != "date":
            raise env.fail(path, "only date facts compare with the evaluation date")
        return AsOfValue(days)
    if "field" in raw:
        _only(raw, {"field", "plus_days"}, env, path)
        other = _field(raw["field"], env, path + ("field",))
        if other.type != fact.type and {other.type, fact.type} != {"integer", "number"}:
            raise env.fail(path, f"cannot compare a {fact.type} with a {other.type} field")
        if shift and fact.type != "date":
            raise env.fail(path + ("plus_days",), "plus_days applies to dates")
        return FieldValue(raw["field"], shift)
    if "fact" in raw:
        _only(raw, {"fact", "plus_days"}, env, path)
        other = _fact(raw["fact"], env, path + ("fact",))
        if other.type != fact.type and {other.type, fact.type} != {"integer", "number"}:
            raise env.fail(path, f"cannot compare a {fact.type} fact with a {other.type} fact")
        if shift and fact.type != "date":
            raise env.fail(path + ("plus_days",), "plus_days applies to date facts")
        return FactValue(raw["fact"], shift)
    if env.member_fields is not None:
        raise env.fail(path, "a value is a literal, {fact: NAME, plus_days: N}, {field: NAME, plus_days: N} or {as_of: N}")
    raise env.fail(path, "a value is a literal, {fact: NAME, plus_days: N} or {as_of: N}")


def _parse_ratio(raw: dict, env: Env, path: tuple) -> Node:
    pair = raw["ratio"]
    if not (isinstance(pair, list) and len(pair) == 2):
        raise env.fail(path + ("ratio",), "ratio takes [NUMERATOR_FACT, DENOMINATOR_FACT]")
    for i, name in enumerate(pair):
        fact = _fact(name, env, path + ("ratio", i))
        if fact.type not in ("integer", "number"):
            raise env.fail(path + ("ratio", i), f"ratio needs numeric facts; '{name}' is {fact.type}")
    op, value = _one_op(raw, "ratio", set(COMPARISONS), env, path)
    if op == "is_true" or not _is_number(value):
        raise env.fail(path, "ratio needs a numeric test such as gte: 0.4")
    return RatioTest(pair[0], pair[1], op, float(value))


def _parse_outcome(raw: dict, env: Env, path: tuple) -> Node:
    ref = raw["outcome"]
    if not isinstance(ref, str) or "." not in ref:
        raise env.fail(path + ("outcome",), "outcome is written RULESET.FIELD, e.g. afnor_spec_2308.level")
    rid, field_name = ref.split(".", 1)
    if rid not in env.outcome_fields:
        raise env.fail(path + ("outcome",), f"unknown ruleset '{rid}'", did_you_mean(rid, env.outcome_fields))
    fields = env.outcome_fields[rid]
    if field_name not in fields:
        raise env.fail(path + ("outcome",), f"ruleset '{rid}' has no outcome '{field_name}'",
                       "available: " + ", ".join(sorted(fields)))
    op, value = _one_op(raw, "outcome", set(COMPARISONS) | MEMBERSHIP, env, path)
    if op == "is_true":
        raise env.fail(path, "an outcome condition needs a test such as gte: 2 or eq: eligible")
    kind = fields[field_name]
    values = value if op in MEMBERSHIP else [value]
    if op in MEMBERSHIP and (not isinstance(value, list) or not value):
        raise env.fail(path + (op,), f"`{op}` takes a non-empty list")
    for v in values:
        if kind == "range" and not _is_number(v):
            raise env.fail(path + (op,), f"'{ref}' is numeric; compare it with a number")
        if kind == "decision" and v not in OUTCOME_DECISIONS:
            raise env.fail(path + (op,), f"'{v}' is not a decision", "one of " + ", ".join(st.DECISIONS))
    if kind == "decision" and op in ORDERED:
        raise env.fail(path + (op,), "decisions compare with eq, ne, in or not_in")
    return OutcomeTest(rid, field_name, op, tuple(value) if op in MEMBERSHIP else value)


def _fact(name: Any, env: Env, path: tuple) -> FactDef:
    if not isinstance(name, str) or name not in env.facts:
        hint = did_you_mean(str(name), env.facts) or "declare it in facts.yaml or the ruleset's facts"
        raise env.fail(path, f"unknown fact '{name}'", hint)
    return env.facts[name]


def _literal(value: Any, fact: FactDef, env: Env, path: tuple) -> Any:
    kind = fact.type
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind in ("integer", "number") and _is_number(value):
        return value
    if kind == "date":
        day = as_date(value)
        if day is None:
            raise env.fail(path, f"'{value}' is not a date", "dates are written YYYY-MM-DD")
        return day
    if kind in ("enum", "set"):
        return _member(value, fact, env, path)
    if kind == "string" and isinstance(value, str):
        return value
    raise env.fail(path, f"{value!r} does not match the type of this fact ({kind})")


def _member(value: Any, fact: FactDef, env: Env, path: tuple) -> str:
    if value not in (fact.values or []):
        raise env.fail(path, f"'{value}' is not one of the values of this fact",
                       "allowed: " + ", ".join(fact.values or []))
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def references(node: Node) -> tuple[set[str], set[str], set[str]]:
    """(facts, criteria, rulesets) a condition reads, for dependency ordering and `missing`."""
    facts: set[str] = set()
    criteria: set[str] = set()
    rulesets: set[str] = set()
    for item in node.walk():
        if isinstance(item, FactTest):
            facts.add(item.name)
            if isinstance(item.rhs, FactValue):
                facts.add(item.rhs.name)
        elif isinstance(item, RatioTest):
            facts.update((item.numerator, item.denominator))
        elif isinstance(item, EvidenceTest) and item.count_fact is not None:
            facts.add(item.count_fact)
        elif isinstance(item, FieldTest) and isinstance(item.rhs, FactValue):
            facts.add(item.rhs.name)
        elif isinstance(item, (Every, Count)):
            facts.add(item.collection)
            if isinstance(item, Count) and item.target_fact is not None:
                facts.add(item.target_fact)
        elif isinstance(item, CriterionTest):
            criteria.add(item.criterion)
        elif isinstance(item, OutcomeTest):
            rulesets.add(item.ruleset)
    return facts, criteria, rulesets


def evidence_kinds(node: Node) -> list[str]:
    return [item.kind for item in node.walk() if isinstance(item, (EvidenceTest, MemberEvidenceTest))]
