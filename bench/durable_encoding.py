"""A naive durable-rules (Rete) encoding of the same criteria, for comparison in the same run.

Each criterion's `requires` becomes one durable rule over a single event carrying every fact as an
attribute (dots -> `__`), valid evidence kinds as `ev__<kind>` flags and ratios precomputed. It is
closed-world (a missing attribute just does not match), so it only finds the `met` criteria: it does
less than raccord (no unknown, no applicability, no references), which favours durable-rules.
"""

from __future__ import annotations

import datetime as dt
import itertools

from durable.lang import m, post, ruleset, when_all
from raccord.engine import conditions as cn
from raccord.engine.context import VALID
from raccord.engine.evaluate import build_context

_names = itertools.count()


def _attr(name: str) -> str:
    return name.replace(".", "__")


def _value(v):
    return v.toordinal() if isinstance(v, dt.date) else v


def _leaf(node):
    if isinstance(node, cn.All):
        parts = [p for p in (_leaf(c) for c in node.children) if p is not None]
        return None if not parts else _combine(parts, "and")
    if isinstance(node, cn.AnyOf):
        parts = [_leaf(c) for c in node.children]
        return None if any(p is None for p in parts) else _combine(parts, "or")
    if isinstance(node, cn.FactTest) and isinstance(node.rhs, (cn.Literal, type(None))) and node.op != "known":
        field = getattr(m, _attr(node.name))
        if node.op == "is_true":
            return field == True  # noqa: E712 - durable-rules expression, not a Python comparison
        target = node.rhs.value
        if node.op == "in":
            return _combine([field == _value(t) for t in target], "or")
        if node.op == "not_in":
            return _combine([field != _value(t) for t in target], "and")
        if node.op == "contains":
            return getattr(m, f"{_attr(node.name)}__has__{target}") == True  # noqa: E712
        return {"eq": field.__eq__, "ne": field.__ne__, "gt": field.__gt__, "gte": field.__ge__,
                "lt": field.__lt__, "lte": field.__le__}[node.op](_value(target))
    if isinstance(node, cn.EvidenceTest):
        return getattr(m, f"ev__{node.kind}") == True  # noqa: E712
    if isinstance(node, cn.RatioTest):
        field = getattr(m, f"ratio__{_attr(node.numerator)}__{_attr(node.denominator)}")
        return {"gte": field.__ge__, "gt": field.__gt__, "lte": field.__le__, "lt": field.__lt__,
                "eq": field.__eq__, "ne": field.__ne__}[node.op](node.target)
    return None  # not, criterion and outcome references: not encoded (counted as true)


def _combine(parts, how):
    out = parts[0]
    for part in parts[1:]:
        out = (out & part) if how == "and" else (out | part)
    return out


def _attributes(node) -> set[str]:
    """The event attributes a condition reads (durable-rules events carry at most ~128 of them)."""
    out: set[str] = set()
    for item in node.walk():
        if isinstance(item, cn.FactTest):
            out.add(_attr(item.name))
        elif isinstance(item, cn.EvidenceTest):
            out.add(f"ev__{item.kind}")
        elif isinstance(item, cn.RatioTest):
            out.add(f"ratio__{_attr(item.numerator)}__{_attr(item.denominator)}")
    return out


class DurableEncoding:
    """One durable ruleset per raccord ruleset: an event per referential, with only the attributes
    its rules read (durable-rules refuses events with more than about 128 properties)."""

    def __init__(self, library):
        self.library = library
        self.hits: list[str] = []
        self.ratios = set()
        self.rulesets: dict[str, set[str]] = {}  # durable ruleset name -> attributes to send
        encoded = 0
        for rid, rs in library.rulesets.items():
            name = f"raccord_naive_{rid}_{next(_names)}"
            attributes: set[str] = set()
            with ruleset(name):
                for crit in rs.criteria:
                    for node in crit.requires_node.walk():
                        if isinstance(node, cn.RatioTest):
                            self.ratios.add((node.numerator, node.denominator))
                    expr = _leaf(crit.requires_node)
                    if expr is None:
                        continue
                    encoded += 1
                    attributes |= _attributes(crit.requires_node)
                    when_all(expr)(self._action(crit.id))
                when_all(m.raccord_event == True)(lambda c: None)  # noqa: E712 - catch-all: no MessageNotHandled
            self.rulesets[name] = attributes
        self.encoded = encoded

    def _action(self, cid):
        hits = self.hits

        def fire(c):
            hits.append(cid)

        return fire

    def message(self, dossier, as_of):
        ctx = build_context(dossier, as_of)
        msg = {}
        for name, value in ctx.facts.items():
            if isinstance(value, frozenset):
                for item in value:
                    msg[f"{_attr(name)}__has__{item}"] = True
            else:
                msg[_attr(name)] = _value(value)
        for kind, items in ctx.evidence.items():
            if any(i.state == VALID for i in items):
                msg[f"ev__{kind}"] = True
        for num, den in self.ratios:
            if ctx.facts.get(num) is not None and ctx.facts.get(den):
                msg[f"ratio__{_attr(num)}__{_attr(den)}"] = ctx.facts[num] / ctx.facts[den]
        events = {}
        for name, attributes in self.rulesets.items():
            event = {"raccord_event": True}
            wanted = {k for k in msg if k in attributes or ("__has__" in k and k.rsplit("__has__", 1)[0] in attributes)}
            event.update({k: msg[k] for k in wanted})
            events[name] = event
        return events

    def run(self, events):
        self.hits.clear()
        for name, event in events.items():
            post(name, event)
        return list(self.hits)
