"""The condition language: parse YAML data into a checked tree, compile it to closures, explain it.

Every node evaluates to a Kleene value (`tri.FALSE`, `tri.UNKNOWN`, `tri.TRUE`). The compiled closure
is the fast path used for every evaluation; `explain` walks the same tree over the same frozen
context and records what it looked at. A property test checks that both always agree.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import status as st
from . import tri
from .context import Context
from .dossier import as_date
from .errors import InputError
from .model import FactDef
from .record import Record, record

Compiled = Callable[[Context], int]

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
ORDERED = {"gt", "gte", "lt", "lte"}
MEMBERSHIP = {"in", "not_in"}
FACT_OPS = set(COMPARISONS) | MEMBERSHIP | {"contains", "known"}
OUTCOME_DECISIONS = set(st.DECISIONS)


@dataclass
class Env:
    """What a condition may refer to, for static checks; and how to locate an error."""

    facts: dict[str, FactDef]
    criteria: dict[str, str]  # criterion id -> ruleset id
    outcome_fields: dict[str, dict[str, str]]  # ruleset id -> field -> "range" | "decision"
    where: Callable[[tuple], str]
    current_criterion: str | None = None

    def fail(self, path: tuple, message: str, hint: str = "") -> InputError:
        return InputError(self.where(path), message, hint)


# --- value expressions (right-hand sides) -------------------------------------------------------


@record(positional=True)
class Literal(Record):
    value: Any

    def getter(self) -> Callable[[Context], Any]:
        value = self.value
        return lambda ctx: value

    def describe(self) -> Any:
        return _jsonable(self.value)


@record(positional=True)
class FactValue(Record):
    name: str
    plus_days: int = 0

    def getter(self) -> Callable[[Context], Any]:
        name, delta = self.name, dt.timedelta(days=self.plus_days)
        if not self.plus_days:
            return lambda ctx: ctx.facts.get(name)

        def get(ctx: Context) -> Any:
            value = ctx.facts.get(name)
            return None if value is None else value + delta

        return get

    def describe(self) -> Any:
        return {"fact": self.name, "plus_days": self.plus_days} if self.plus_days else {"fact": self.name}


@record(positional=True)
class AsOfValue(Record):
    plus_days: int = 0

    def getter(self) -> Callable[[Context], Any]:
        delta = dt.timedelta(days=self.plus_days)
        return lambda ctx: ctx.as_of + delta

    def describe(self) -> Any:
        return {"as_of": self.plus_days}


# --- nodes ------------------------------------------------------------------------------------


@record(positional=True)
class Node(Record):
    def compile(self) -> Compiled:
        raise NotImplementedError

    def explain(self, ctx: Context) -> dict[str, Any]:
        raise NotImplementedError

    def walk(self):
        yield self


@record(positional=True)
class All(Node):
    children: tuple[Node, ...]

    def compile(self) -> Compiled:
        fns = tuple(child.compile() for child in self.children)
        if len(fns) == 2:
            first, second = fns

            def both(ctx: Context) -> int:
                a = first(ctx)
                if a == tri.FALSE:
                    return a
                b = second(ctx)
                return a if a < b else b

            return both

        def all_(ctx: Context) -> int:
            result = tri.TRUE
            for fn in fns:
                value = fn(ctx)
                if value == tri.FALSE:
                    return value
                if value < result:
                    result = value
            return result

        return all_

    def explain(self, ctx: Context) -> dict[str, Any]:
        children = [child.explain(ctx) for child in self.children]
        value = min((c["_v"] for c in children), default=tri.TRUE)
        return _node("all", value, children=children)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@record(positional=True)
class AnyOf(Node):
    children: tuple[Node, ...]

    def compile(self) -> Compiled:
        fns = tuple(child.compile() for child in self.children)

        def any_(ctx: Context) -> int:
            result = tri.FALSE
            for fn in fns:
                value = fn(ctx)
                if value == tri.TRUE:
                    return value
                if value > result:
                    result = value
            return result

        return any_

    def explain(self, ctx: Context) -> dict[str, Any]:
        children = [child.explain(ctx) for child in self.children]
        value = max((c["_v"] for c in children), default=tri.FALSE)
        return _node("any", value, children=children)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@record(positional=True)
class Not(Node):
    child: Node

    def compile(self) -> Compiled:
        fn = self.child.compile()
        return lambda ctx: tri.TRUE - fn(ctx)

    def explain(self, ctx: Context) -> dict[str, Any]:
        child = self.child.explain(ctx)
        return _node("not", tri.TRUE - child["_v"], children=[child])

    def walk(self):
        yield self
        yield from self.child.walk()


@record(positional=True)
class FactTest(Node):
    name: str
    op: str  # a COMPARISONS key, in, not_in, contains, known, or "is_true"
    rhs: Literal | FactValue | AsOfValue | None = None

    def compile(self) -> Compiled:
        name, op = self.name, self.op
        T, F, U = tri.TRUE, tri.FALSE, tri.UNKNOWN  # noqa: N806 - read like a truth table
        if op == "known":
            want = self.rhs.value
            return lambda ctx: T if (name in ctx.facts) == want else F
        if op == "is_true":
            return lambda ctx: U if (v := ctx.facts.get(name)) is None else (T if v else F)
        if isinstance(self.rhs, Literal):
            target = self.rhs.value
            if op == "in":
                members = frozenset(target)
                return lambda ctx: U if (v := ctx.facts.get(name)) is None else (T if v in members else F)
            if op == "not_in":
                members = frozenset(target)
                return lambda ctx: U if (v := ctx.facts.get(name)) is None else (F if v in members else T)
            if op == "contains":
                return lambda ctx: U if (v := ctx.facts.get(name)) is None else (T if target in v else F)
            compare = COMPARISONS[op]
            return lambda ctx: U if (v := ctx.facts.get(name)) is None else (T if compare(v, target) else F)
        compare = COMPARISONS[op]
        other = self.rhs.getter()

        def dynamic(ctx: Context) -> int:
            v = ctx.facts.get(name)
            w = other(ctx)
            if v is None or w is None:
                return U
            return T if compare(v, w) else F

        return dynamic

    def explain(self, ctx: Context) -> dict[str, Any]:
        seen = ctx.facts.get(self.name)
        value = self.compile()(ctx)
        out = _node("fact", value, fact=self.name, test=self.op, seen=_jsonable(seen))
        if self.rhs is not None and self.op != "known":
            out["expected"] = self.rhs.describe()
            if not isinstance(self.rhs, Literal):
                out["expected_value"] = _jsonable(self.rhs.getter()(ctx))
        if seen is None and self.op != "known":
            out["missing_fact"] = self.name
        return out


@record(positional=True)
class RatioTest(Node):
    numerator: str
    denominator: str
    op: str
    target: float

    def compile(self) -> Compiled:
        num, den, target = self.numerator, self.denominator, self.target
        compare = COMPARISONS[self.op]

        def ratio(ctx: Context) -> int:
            n = ctx.facts.get(num)
            d = ctx.facts.get(den)
            if n is None or d is None:
                return tri.UNKNOWN
            if d == 0:
                return tri.FALSE
            return tri.TRUE if compare(n / d, target) else tri.FALSE

        return ratio

    def explain(self, ctx: Context) -> dict[str, Any]:
        n, d = ctx.facts.get(self.numerator), ctx.facts.get(self.denominator)
        out = _node(
            "ratio",
            self.compile()(ctx),
            numerator={"fact": self.numerator, "seen": n},
            denominator={"fact": self.denominator, "seen": d},
            test=self.op,
            expected=self.target,
        )
        if n is not None and d:
            out["ratio"] = round(n / d, 6)
        if d == 0:
            out["note"] = "zero_denominator"
        missing = [f for f, v in ((self.numerator, n), (self.denominator, d)) if v is None]
        if missing:
            out["missing_facts"] = missing
        return out


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

    def compile(self) -> Compiled:
        if self.count_gte is not None or self.count_fact is not None:
            return self._compile_count()
        kind, cid, max_age = self.kind, self.criterion, self.max_age_days

        def evidence(ctx: Context) -> int:
            items = ctx.evidence.get(kind)
            if items:
                for item in items:
                    if item.state == "valid" and (not item.criteria or cid in item.criteria):
                        if max_age is None:
                            return tri.TRUE
                        if item.collected is not None and (ctx.as_of - item.collected).days <= max_age:
                            return tri.TRUE
            return tri.UNKNOWN

        return evidence

    def _counts(self, ctx: Context) -> tuple[int, int | None]:
        """(valid items that count, items required; None when the fact giving it is unknown)"""
        kind, cid, max_age = self.kind, self.criterion, self.max_age_days
        found = sum(1 for item in ctx.evidence.get(kind, ())
                    if item.state == "valid" and (not item.criteria or cid in item.criteria)
                    and (max_age is None or (item.collected is not None and (ctx.as_of - item.collected).days <= max_age)))
        wanted = self.count_gte if self.count_fact is None else ctx.facts.get(self.count_fact)
        return found, wanted

    def _compile_count(self) -> Compiled:
        counts = self._counts

        def counted(ctx: Context) -> int:
            found, wanted = counts(ctx)
            return tri.TRUE if wanted is not None and found >= wanted else tri.UNKNOWN

        return counted

    def explain(self, ctx: Context) -> dict[str, Any]:
        value = self.compile()(ctx)
        considered = []
        for item in ctx.evidence.get(self.kind, ()):
            if item.criteria and self.criterion not in item.criteria:
                continue
            state = item.state
            too_old = self.max_age_days is not None and (
                item.collected is None or (ctx.as_of - item.collected).days > self.max_age_days)
            if state == "valid" and too_old:
                state = "too_old"
            considered.append({"id": item.id, "state": state, "collected": _jsonable(item.collected),
                               "expires": _jsonable(item.expires)})
        out = _node("evidence", value, kind=self.kind, items=considered)
        if self.max_age_days is not None:
            out["max_age_days"] = self.max_age_days
        if self.count_gte is not None or self.count_fact is not None:
            found, wanted = self._counts(ctx)
            out.update(count=found, count_gte=wanted)
            if self.count_fact is not None:
                out["count_fact"] = self.count_fact
                if wanted is None:
                    out["missing_fact"] = self.count_fact
        if value != tri.TRUE:
            out["missing_evidence"] = self.kind
        return out


@record(positional=True)
class CriterionTest(Node):
    criterion: str
    want: str | None = None  # None: met or not applicable

    def compile(self) -> Compiled:
        cid, want = self.criterion, self.want
        if want is not None:
            return lambda ctx: tri.TRUE if ctx.statuses.get(cid) == want else tri.FALSE
        values = {st.MET: tri.TRUE, st.NOT_APPLICABLE: tri.TRUE, st.NOT_MET: tri.FALSE, st.UNKNOWN: tri.UNKNOWN}
        return lambda ctx: values.get(ctx.statuses.get(cid), tri.UNKNOWN)

    def explain(self, ctx: Context) -> dict[str, Any]:
        seen = ctx.statuses.get(self.criterion)
        out = _node("criterion", self.compile()(ctx), criterion=self.criterion, seen=seen)
        if self.want:
            out["expected"] = self.want
        return out


@record(positional=True)
class OutcomeTest(Node):
    ruleset: str
    field_name: str
    op: str
    target: Any

    def compile(self) -> Compiled:
        rid, name, op, target = self.ruleset, self.field_name, self.op, self.target

        def outcome(ctx: Context) -> int:
            result = ctx.outcomes.get(rid)
            if result is None:
                return tri.UNKNOWN
            return compare_outcome(result.get(name), op, target)

        return outcome

    def explain(self, ctx: Context) -> dict[str, Any]:
        result = ctx.outcomes.get(self.ruleset)
        seen = None if result is None else result.get(self.field_name)
        return _node(
            "outcome",
            self.compile()(ctx),
            outcome=f"{self.ruleset}.{self.field_name}",
            test=self.op,
            expected=_jsonable(self.target),
            seen=_jsonable(seen),
        )


@record(positional=True)
class AsOfTest(Node):
    """Compare the evaluation date itself with a date (e.g. a provision binding some firms earlier)."""

    op: str
    target: dt.date

    def compile(self) -> Compiled:
        compare, target = COMPARISONS[self.op], self.target
        return lambda ctx: tri.TRUE if compare(ctx.as_of, target) else tri.FALSE

    def explain(self, ctx: Context) -> dict[str, Any]:
        return _node("as_of", self.compile()(ctx), test=self.op, expected=self.target.isoformat(),
                     seen=ctx.as_of.isoformat())


def compare_outcome(value: Any, op: str, target: Any) -> int:
    """Compare an outcome value: a (low, high) range, a decision, or None (not applicable)."""
    if value is None:
        return tri.FALSE
    if isinstance(value, tuple):
        low, high = value
        if op in MEMBERSHIP:
            if isinstance(low, int) and isinstance(high, int):  # a level range: the whole numbers it may take
                hits = [level in target for level in range(low, high + 1)]
                if all(hits) or not any(hits):
                    return tri.from_bool(all(hits) == (op == "in"))
                return tri.UNKNOWN
            if low == high:
                hit = low in target
                return tri.from_bool(hit if op == "in" else not hit)
            return tri.UNKNOWN if any(low <= t <= high for t in target) else tri.from_bool(op == "not_in")
        if op in ("eq", "ne"):
            if low == high:
                return tri.from_bool((low == target) == (op == "eq"))
            return tri.UNKNOWN if low <= target <= high else tri.from_bool(op == "ne")
        compare = COMPARISONS[op]
        a, b = compare(low, target), compare(high, target)
        return tri.TRUE if a and b else (tri.FALSE if not a and not b else tri.UNKNOWN)
    if value == st.UNDETERMINED and target != st.UNDETERMINED and op in ("eq", "ne", "in", "not_in"):
        return tri.UNKNOWN
    if op in MEMBERSHIP:
        return tri.from_bool((value in target) == (op == "in"))
    return tri.from_bool(COMPARISONS[op](value, target))


def _node(op: str, value: int, **details: Any) -> dict[str, Any]:
    return {"op": op, "value": tri.NAMES[value], "_v": value, **details}


def strip_private(tree: dict[str, Any]) -> dict[str, Any]:
    """Drop the internal `_v` keys before a trace leaves the engine."""
    out = {k: v for k, v in tree.items() if k != "_v"}
    if "children" in out:
        out["children"] = [strip_private(c) for c in out["children"]]
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return value


# --- parsing and static checks ----------------------------------------------------------------


def parse(raw: Any, env: Env, path: tuple) -> Node:
    if not isinstance(raw, dict) or not raw:
        raise env.fail(path, "a condition must be a mapping such as {fact: ..., eq: ...} or {all: [...]}")
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
        if cid not in env.criteria:
            raise env.fail(path + ("criterion",), f"unknown criterion '{cid}'", _suggest(cid, env.criteria))
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
                   "use all, any, not, fact, ratio, evidence, criterion, outcome or as_of")


def _evidence_count(raw: Any, env: Env, path: tuple) -> tuple[int | None, str | None]:
    """`count_gte: N` or `count_gte: {fact: NAME}` (an integer fact): how many items are needed."""
    if raw is None:
        return None, None
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return raw, None
    if isinstance(raw, dict) and set(raw) == {"fact"}:
        name = raw["fact"]
        fact = env.facts.get(name) if isinstance(name, str) else None
        if fact is None:
            raise env.fail(path + ("fact",), f"unknown fact '{name}'", _suggest(str(name), env.facts))
        if fact.type != "integer":
            raise env.fail(path + ("fact",), f"count_gte needs an integer fact, '{name}' is {fact.type}")
        return None, name
    raise env.fail(path, "count_gte is a whole number of items or {fact: NAME} (an integer fact)")


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


def _parse_fact(raw: dict, env: Env, path: tuple) -> Node:
    name = raw["fact"]
    fact = _fact(name, env, path + ("fact",))
    op, value = _one_op(raw, "fact", FACT_OPS, env, path)
    where = path + (op,)
    if op == "is_true":
        if fact.type != "boolean":
            raise env.fail(path, f"fact '{name}' is {fact.type}, not boolean: add a test such as eq or gte")
        return FactTest(name, op)
    if op == "known":
        if not isinstance(value, bool):
            raise env.fail(where, "`known` takes true or false")
        return FactTest(name, op, Literal(value))
    if op in MEMBERSHIP:
        if not isinstance(value, list) or not value:
            raise env.fail(where, f"`{op}` takes a non-empty list")
        if fact.type == "set":
            raise env.fail(where, f"fact '{name}' is a set: use `contains`")
        return FactTest(name, op, Literal(tuple(_literal(v, fact, env, where + (i,)) for i, v in enumerate(value))))
    if op == "contains":
        if fact.type != "set":
            raise env.fail(where, f"`contains` applies to set facts; '{name}' is {fact.type}")
        return FactTest(name, op, Literal(_member(value, fact, env, where)))
    if fact.type == "set":
        raise env.fail(where, f"fact '{name}' is a set: use `contains`")
    if op in ORDERED and fact.type in ("boolean", "enum", "string"):
        raise env.fail(where, f"`{op}` needs a number or a date; '{name}' is {fact.type}")
    if isinstance(value, dict):
        return FactTest(name, op, _value_expression(value, fact, env, where))
    return FactTest(name, op, Literal(_literal(value, fact, env, where)))


def _value_expression(raw: dict, fact: FactDef, env: Env, path: tuple) -> FactValue | AsOfValue:
    shift = raw.get("plus_days", 0)
    if not isinstance(shift, int) or isinstance(shift, bool):
        raise env.fail(path + ("plus_days",), "plus_days is a whole number of days")
    if "as_of" in raw:
        _only(raw, {"as_of"}, env, path)
        days = raw["as_of"]
        if not isinstance(days, int) or isinstance(days, bool):
            raise env.fail(path + ("as_of",), "as_of takes a whole number of days (0 = the evaluation date)")
        if fact.type != "date":
            raise env.fail(path, "only date facts compare with the evaluation date")
        return AsOfValue(days)
    if "fact" in raw:
        _only(raw, {"fact", "plus_days"}, env, path)
        other = _fact(raw["fact"], env, path + ("fact",))
        if other.type != fact.type and {other.type, fact.type} != {"integer", "number"}:
            raise env.fail(path, f"cannot compare a {fact.type} fact with a {other.type} fact")
        if shift and fact.type != "date":
            raise env.fail(path + ("plus_days",), "plus_days applies to date facts")
        return FactValue(raw["fact"], shift)
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
        raise env.fail(path + ("outcome",), f"unknown ruleset '{rid}'", _suggest(rid, env.outcome_fields))
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
        hint = _suggest(str(name), env.facts) or "declare it in facts.yaml or the ruleset's facts"
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


def _suggest(word: str, choices: Any) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"did you mean '{close[0]}'?" if close else ""


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
        elif isinstance(item, CriterionTest):
            criteria.add(item.criterion)
        elif isinstance(item, OutcomeTest):
            rulesets.add(item.ruleset)
    return facts, criteria, rulesets


def evidence_kinds(node: Node) -> list[str]:
    return [item.kind for item in node.walk() if isinstance(item, EvidenceTest)]
