"""An independent oracle for the condition language, written from docs/ruleset-format.md §6 (not
from the engine): plain recursion over a condition as written in a ruleset (the YAML mapping),
with its own truth values ("true", "false", "unknown").

`World` holds what a condition may read: typed facts (absent = unknown), the evaluation date,
evidence items as dossier mappings, the statuses and outcomes computed so far, and the evidence
items whose file failed an integrity check (they do not count). A roster (§6.1) is a fact whose
value is the dossier's mapping `{complete: bool, members: [{ref: ..., FIELD: value}, ...]}`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

T, F, U = "true", "false", "unknown"
UNDETERMINED = "undetermined"
COMPARE = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "gt": lambda a, b: a > b,
           "gte": lambda a, b: a >= b, "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b}


@dataclass
class World:
    facts: dict[str, Any]
    as_of: dt.date
    evidence: list[dict[str, Any]] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)
    outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)
    integrity: dict[str, str] = field(default_factory=dict)


def truth(value: bool) -> str:
    return T if value else F


def evaluate(cond: dict[str, Any], world: World, criterion: str | None = None, member: dict | None = None) -> str:
    """The truth value of `cond`; `criterion` is the criterion it belongs to (evidence matching),
    `member` the roster member a condition inside `every` / `count` is about."""
    if "all" in cond:
        values = [evaluate(c, world, criterion, member) for c in cond["all"]]
        return F if F in values else (U if U in values else T)
    if "any" in cond:
        values = [evaluate(c, world, criterion, member) for c in cond["any"]]
        return T if T in values else (U if U in values else F)
    if "not" in cond:
        return {T: F, F: T, U: U}[evaluate(cond["not"], world, criterion, member)]
    if "fact" in cond:
        return _fact(cond, world, world.facts, "fact", member)
    if "field" in cond:
        return _fact(cond, world, {k: v for k, v in member.items() if k != "ref" and v is not None}, "field", member)
    if "member_evidence" in cond:
        found = [item for item in world.evidence if item["kind"] == cond["member_evidence"]
                 and item.get("member") == member["ref"] and counts(item, world, criterion, cond.get("max_age_days"))]
        return T if found else U
    if "every" in cond:
        return _every(cond, world, criterion)
    if "count" in cond:
        return _count(cond, world, criterion)
    if "ratio" in cond:
        num, den = (world.facts.get(name) for name in cond["ratio"])
        op, target = _test(cond, "ratio")
        if num is None or den is None:
            return U
        return F if den == 0 else truth(COMPARE[op](num / den, target))
    if "evidence" in cond:
        return _evidence(cond, world, criterion)
    if "criterion" in cond:
        status = world.statuses.get(cond["criterion"])
        if "status" in cond:
            return truth(status == cond["status"])
        return {"met": T, "not_applicable": T, "not_met": F}.get(status, U)
    if "outcome" in cond:
        ruleset, name = cond["outcome"].split(".", 1)
        if ruleset not in world.outcomes:
            return U
        op, target = _test(cond, "outcome")
        return outcome_test(world.outcomes[ruleset].get(name), op, target)
    if "as_of" in cond:
        (op, day), = cond["as_of"].items()
        return truth(COMPARE[op](world.as_of, day))
    raise ValueError(f"not a condition: {cond}")


def _test(cond: dict[str, Any], subject: str) -> tuple[str, Any]:
    (op, target), = ((k, v) for k, v in cond.items() if k != subject)
    return op, target


def _fact(cond: dict[str, Any], world: World, values: dict[str, Any], subject: str, member: dict | None) -> str:
    """A fact's test, or a member's field's (`values` are the member's fields given)."""
    name = cond[subject]
    if len(cond) == 1:  # a boolean fact
        value = values.get(name)
        return U if value is None else truth(value)
    op, target = _test(cond, subject)
    if op == "known":  # never unknown
        return truth((name in values) == target)
    value = values.get(name)
    if isinstance(target, dict):  # a value expression
        if "as_of" in target:
            target = world.as_of + dt.timedelta(days=target["as_of"])
        else:  # another fact or another field of the member, a date shifted by plus_days
            other = world.facts.get(target["fact"]) if "fact" in target else member.get(target["field"])
            days = target.get("plus_days", 0)
            target = other + dt.timedelta(days=days) if other is not None and days else other
    if value is None or target is None:
        return U
    if op == "in":
        return truth(value in target)
    if op == "not_in":
        return truth(value not in target)
    if op == "contains":
        return truth(target in value)
    return truth(COMPARE[op](value, target))


def counts(item: dict[str, Any], world: World, criterion: str | None, max_age: int | None) -> bool:
    """The item supports the criterion and is valid at the evaluation date (§6 evidence matching)."""
    if item.get("criteria") and criterion not in item["criteria"]:
        return False
    collected, expires = item.get("collected"), item.get("expires")
    if item["id"] in world.integrity or item.get("auditor", {}).get("status") == "rejected":
        return False
    if collected is not None and collected > world.as_of:
        return False
    if expires is not None and expires < world.as_of:
        return False
    if max_age is not None:  # collected at most N days before the evaluation date (so it must be dated)
        return collected is not None and (world.as_of - collected).days <= max_age
    return True


def _evidence(cond: dict[str, Any], world: World, criterion: str | None) -> str:
    found = sum(1 for item in world.evidence if item["kind"] == cond["evidence"]
                and counts(item, world, criterion, cond.get("max_age_days")))
    wanted = cond.get("count_gte", 1)
    if isinstance(wanted, dict):
        wanted = world.facts.get(wanted["fact"])
    return T if wanted is not None and found >= wanted else U  # missing evidence is never false


def _implies(where: str, then: str) -> str:
    """`where -> then`: not where, or then (Kleene)."""
    return T if where == F or then == T else (F if where == T and then == F else U)


def _every(cond: dict[str, Any], world: World, criterion: str | None) -> str:
    """§6.1: the least of `where -> satisfies` over the members; at most unknown when not complete."""
    roster = world.facts.get(cond["every"])
    if roster is None:  # no roster: the fallback, if any
        return evaluate(cond["otherwise"], world, criterion) if "otherwise" in cond else U
    values = [_implies(evaluate(cond["where"], world, criterion, m) if "where" in cond else T,
                       evaluate(cond["satisfies"], world, criterion, m)) for m in roster["members"]]
    value = F if F in values else (U if U in values else T)
    return U if value == T and not roster["complete"] else value


def _count(cond: dict[str, Any], world: World, criterion: str | None) -> str:
    """§6.1: the count lies in [low, high] (high unbounded when not complete); true when every
    whole number of the range passes, false when none does."""
    roster = world.facts.get(cond["count"])
    if roster is None and "otherwise" in cond:
        return evaluate(cond["otherwise"], world, criterion)
    op, wanted = _test({k: v for k, v in cond.items() if k not in ("where", "otherwise")}, "count")
    if isinstance(wanted, dict):
        wanted = world.facts.get(wanted["fact"])
    if roster is None or wanted is None:
        return U
    values = [evaluate(cond["where"], world, criterion, m) if "where" in cond else T for m in roster["members"]]
    low, high = values.count(T), len(values) - values.count(F)
    if not roster["complete"]:  # unbounded: beyond wanted + 2 every comparison stays as it is
        high = max(high, wanted) + 2
    results = {COMPARE[op](c, wanted) for c in range(low, high + 1)}
    return T if results == {True} else (F if results == {False} else U)


def outcome_test(value: Any, op: str, target: Any) -> str:
    """A range passes when every value it can take passes, fails when none does; an undetermined
    decision compares as unknown with the other decisions; no value (not applicable) is false."""
    if value is None:
        return F
    if isinstance(value, tuple):
        results = {_holds(point, op, target) for point in _points(value, target)}
        return T if results == {True} else (F if results == {False} else U)
    named = target if op in ("in", "not_in") else [target]
    if value == UNDETERMINED and UNDETERMINED not in named:
        return U
    return truth(_holds(value, op, target))


def _holds(value: Any, op: str, target: Any) -> bool:
    if op == "in":
        return value in target
    if op == "not_in":
        return value not in target
    return COMPARE[op](value, target)


def _points(value: tuple, target: Any) -> list:
    """Values a (low, high) range can take: every whole number for a range of whole numbers; for
    a range of reals, enough points to decide (the bounds, the targets inside, points between)."""
    low, high = value
    if isinstance(low, int) and isinstance(high, int):
        return list(range(low, high + 1))
    marks = sorted({low, high} | {t for t in (target if isinstance(target, (list, tuple)) else [target])
                                  if low <= t <= high})
    return marks + [(a + b) / 2 for a, b in itertools.pairwise(marks)]
