"""Generate one Python function per ruleset that sets every criterion's status in a single pass.

Why: nested closures cost a Python call per node (about 250 us for the four bundled rulesets); one
straight-line function with the conditions inlined as Kleene expressions costs a fraction of that.
The generated source holds no value from a ruleset file: every literal, criterion id and fact name
is bound in the function's namespace under a generated name (`_k12`), so a ruleset cannot inject
code. Node types this module does not inline are called through their compiled closure, so a new
condition form works before it is optimised here. A property test checks that this function and
the closures (used by `explain`) always agree.

Kleene values are the ints of `tri` (FALSE 0, UNKNOWN 1, TRUE 2): `all` is a short-circuit `min`
written with `and` (only FALSE is falsy), `any` is `not all not` (`2 - x`).
"""

from __future__ import annotations

import datetime as dt
import marshal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import conditions as cn
from . import status as st
from .record import Record, record

if TYPE_CHECKING:
    from .compiled import CompiledRuleset

SYMBOLS = {"eq": "==", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
CRITERION_VALUES = {st.MET: 2, st.NOT_APPLICABLE: 2, st.NOT_MET: 0, st.UNKNOWN: 1}

RulesetRunner = Callable[..., None]


@record(positional=True)
class GeneratedCode(Record):
    """A compiled generated function, kept in a cached library: the code object (marshalled), the
    constants it names, and the condition nodes whose closures it calls (rebuilt, not pickled)."""

    code: bytes
    constants: dict[str, Any]
    closures: dict[str, cn.Node]

    def function(self) -> RulesetRunner:
        namespace = dict(self.constants)
        namespace.update((name, node.compile()) for name, node in self.closures.items())
        exec(marshal.loads(self.code), namespace)  # generated from checked condition trees; values bound, not inlined
        return namespace["run"]


class _Writer:
    """Accumulates source lines and the namespace their generated names refer to."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {"_CRIT": CRITERION_VALUES}
        self._names: dict[tuple[type, Any], str] = {}
        self._counter = 0
        self.hoisted: dict[cn.Node, str] = {}
        self.closures: dict[str, cn.Node] = {}
        self.fact_locals: dict[str, str] = {}  # fact name -> local holding its value (facts read often)

    def read(self, fact: str) -> str:
        """An expression for a fact's value (None when unknown)."""
        local = self.fact_locals.get(fact)
        return local if local is not None else f"get({self.const(fact)})"

    def closure(self, node: cn.Node) -> str:
        """A generated name for the node's compiled closure (bound when the code is loaded)."""
        name = f"_f{len(self.closures)}"
        self.closures[name] = node
        return name

    def const(self, value: Any) -> str:
        """A generated global name bound to `value` (shared between equal hashable values)."""
        try:
            key: tuple[type, Any] | None = (type(value), value)
            hash(key)
        except TypeError:
            key = None
        if key is not None and key in self._names:
            return self._names[key]
        name = f"_k{len(self.namespace)}"
        self.namespace[name] = value
        if key is not None:
            self._names[key] = name
        return name

    def local(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter}"


def _expression(node: cn.Node, w: _Writer) -> str:
    """A Python expression whose value is the node's Kleene value."""
    hoisted = w.hoisted.get(node)
    if hoisted is not None:
        return hoisted
    if isinstance(node, cn.All):
        return _conjunction([_expression(c, w) for c in node.children], w)
    if isinstance(node, cn.AnyOf):
        return "(2 - " + _conjunction([f"(2 - {_expression(c, w)})" for c in node.children], w) + ")"
    if isinstance(node, cn.Not):
        return f"(2 - {_expression(node.child, w)})"
    if isinstance(node, cn.FactTest):
        inline = _fact_test(node, w)
        if inline is not None:
            return inline
    if isinstance(node, cn.RatioTest) and node.op in SYMBOLS:
        num, den, target = w.read(node.numerator), w.read(node.denominator), w.const(node.target)
        return (f"(1 if (v := {num}) is None or (u := {den}) is None "
                f"else (0 if u == 0 else (2 if v / u {SYMBOLS[node.op]} {target} else 0)))")
    if isinstance(node, cn.EvidenceTest) and node.max_age_days is None and node.count_gte is None and node.count_fact is None:
        kind, cid = w.const(node.kind), w.const(node.criterion)
        # valid[kind] is True when an item supports every criterion, else the set of criteria supported
        return f"(2 if (e := valid({kind})) is True or (e is not None and {cid} in e) else 1)"
    if isinstance(node, cn.CriterionTest):
        cid = w.const(node.criterion)
        if node.want is None:
            return f"_CRIT.get(status({cid}), 1)"
        return f"(2 if status({cid}) == {w.const(node.want)} else 0)"
    return f"{w.closure(node)}(ctx)"  # outcome, as_of, aged evidence: the closure is fast enough


def _conjunction(parts: list[str], w: _Writer) -> str:
    if len(parts) == 1:
        return parts[0]
    acc, tmp = w.local("r"), w.local("t")
    chain = [f"({acc} := {parts[0]})"]
    for part in parts[1:-1]:
        chain.append(f"({acc} := ({acc} if {acc} < ({tmp} := {part}) else {tmp}))")
    chain.append(f"({acc} if {acc} < ({tmp} := {parts[-1]}) else {tmp})")
    return "(" + " and ".join(chain) + ")"


def _fact_test(node: cn.FactTest, w: _Writer) -> str | None:
    name, value, op, rhs = w.const(node.name), w.read(node.name), node.op, node.rhs
    if op == "known":
        return f"(2 if {name} in facts else 0)" if rhs.value else f"(0 if {name} in facts else 2)"
    if op == "is_true":
        return f"(1 if (v := {value}) is None else (2 if v else 0))"
    if isinstance(rhs, cn.Literal):
        if op in ("in", "not_in"):
            members = w.const(frozenset(rhs.value))
            hit, miss = (2, 0) if op == "in" else (0, 2)
            return f"(1 if (v := {value}) is None else ({hit} if v in {members} else {miss}))"
        if op == "contains":
            return f"(1 if (v := {value}) is None else (2 if {w.const(rhs.value)} in v else 0))"
        return f"(1 if (v := {value}) is None else (2 if v {SYMBOLS[op]} {w.const(rhs.value)} else 0))"
    if isinstance(rhs, cn.FactValue):
        other = w.read(rhs.name)
        shift = f" + {w.const(dt.timedelta(days=rhs.plus_days))}" if rhs.plus_days else ""
        return (f"(1 if (v := {value}) is None or (u := {other}) is None "
                f"else (2 if v {SYMBOLS[op]} u{shift} else 0))")
    if isinstance(rhs, cn.AsOfValue):
        shift = f" + {w.const(dt.timedelta(days=rhs.plus_days))}" if rhs.plus_days else ""
        return f"(1 if (v := {value}) is None else (2 if v {SYMBOLS[op]} as_of{shift} else 0))"
    return None


def _hoist(rs: CompiledRuleset, w: _Writer) -> list[str]:
    """Compute once, at the top, every sub-condition used more than once that reads no status of
    this run (facts, evidence, dates and earlier outcomes are fixed while a ruleset is evaluated)."""
    counts: dict[cn.Node, int] = {}
    for crit in rs.criteria:
        for root in (crit.applies_node, crit.requires_node):
            for node in root.walk() if root is not None else ():
                counts[node] = counts.get(node, 0) + 1
    reads: dict[str, int] = {}
    for node in counts:
        for fact in cn.references(node)[0] if isinstance(node, (cn.FactTest, cn.RatioTest)) else ():
            reads[fact] = reads.get(fact, 0) + counts[node]
    lines = []
    for fact, n in reads.items():
        if n > 1:  # a local read costs a fraction of a dict lookup
            local = w.fact_locals[fact] = w.local("f")
            lines.append(f"{local} = get({w.const(fact)})")
    shared = [node for node, n in counts.items() if n > 1 and _stable(node)]
    shared.sort(key=lambda node: sum(1 for _ in node.walk()))  # sub-conditions before what contains them
    for node in shared:
        expression = _expression(node, w)
        name = w.local("h")
        lines.append(f"{name} = {expression}")
        w.hoisted[node] = name
    return lines


def _stable(node: cn.Node) -> bool:
    return not any(isinstance(item, cn.CriterionTest) for item in node.walk())


def _criterion_block(crit, w: _Writer) -> list[str]:
    """Statements setting one criterion's status, in the documented precedence: not in force, then
    (for the few criteria the dossier declares, declines or a plan assumes) `mark_declared`, else
    applicability and requirement inline."""
    cid = w.const(crit.id)
    model = crit.model
    tests = []
    if model.valid_from is not None:
        tests.append(f"as_of < {w.const(model.valid_from)}")
    if model.valid_until is not None:
        tests.append(f"as_of > {w.const(model.valid_until)}")
    branches: list[tuple[str, list[str]]] = []
    if tests:
        branches.append((" or ".join(tests), [f"statuses[{cid}] = NA", f"reasons[{cid}] = NA_NOT_IN_FORCE"]))
    branches.append((f"{cid} in marked", [f"mark_declared({w.const(crit)}, ctx, declared_na, declined, assume)"]))
    if crit.applies_node is not None:
        branches.append((f"(a := {_expression(crit.applies_node, w)}) == 0",
                         [f"statuses[{cid}] = NA", f"reasons[{cid}] = NA_CONDITION"]))
        branches.append(("a == 1", [f"statuses[{cid}] = UNKNOWN"]))
    final = f"statuses[{cid}] = TO_STATUS[{_expression(crit.requires_node, w)}]"
    out = []
    for i, (test, body) in enumerate(branches):
        out.append(f"{'if' if i == 0 else 'elif'} {test}:")
        out += [f"    {line}" for line in body]
    return out + ["else:", f"    {final}"]


def mark_declared(crit, ctx, declared_na: dict, declined: dict, assume: dict) -> None:
    """A criterion the dossier declares not applicable or declined, or a plan assumes (rare: the
    closures are fast enough). Precedence as in docs/ruleset-format.md §4."""
    cid, statuses = crit.id, ctx.statuses
    if cid in declared_na:
        statuses[cid] = st.NOT_APPLICABLE
        ctx.na_reasons[cid] = st.NA_DECLARED
        return
    if crit.applies is not None:
        value = crit.applies(ctx)
        if value == 0:
            statuses[cid] = st.NOT_APPLICABLE
            ctx.na_reasons[cid] = st.NA_CONDITION
            return
        if value == 1 and cid not in assume:
            statuses[cid] = st.UNKNOWN
            return
    if cid in assume:
        statuses[cid] = assume[cid]
    elif cid in declined:
        statuses[cid] = st.NOT_MET
    else:
        statuses[cid] = (st.NOT_MET, st.UNKNOWN, st.MET)[crit.requires(ctx)]


PRELUDE = ["facts = ctx.facts", "get = facts.get", "valid = ctx.valid_evidence.get", "statuses = ctx.statuses",
           "status = statuses.get", "reasons = ctx.na_reasons", "as_of = ctx.as_of"]


def generate(rs: CompiledRuleset) -> GeneratedCode:
    """`run(ctx, marked, declared_na, declined, assume)`, compiled; `marked` holds the ids found in
    the three mappings (usually none)."""
    source, w = generate_source(rs)
    code = compile(source, f"<raccord ruleset {rs.id}>", "exec")
    return GeneratedCode(marshal.dumps(code), w.namespace, w.closures)


def generate_source(rs: CompiledRuleset) -> tuple[str, _Writer]:
    w = _Writer()
    w.namespace.update(NA=st.NOT_APPLICABLE, UNKNOWN=st.UNKNOWN, TO_STATUS=(st.NOT_MET, st.UNKNOWN, st.MET),
                       NA_NOT_IN_FORCE=st.NA_NOT_IN_FORCE, NA_CONDITION=st.NA_CONDITION, mark_declared=mark_declared)
    body = PRELUDE + _hoist(rs, w)
    for crit in rs.criteria:
        body += _criterion_block(crit, w)
    source = "def run(ctx, marked, declared_na, declined, assume):\n" + "".join(f"    {line}\n" for line in body)
    return source, w
