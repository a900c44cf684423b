"""Generate one Python function per ruleset that sets every criterion's status in a single pass.

Why: a Python call per node (the interpreter of template.py, or closures) costs about 190 us for
the four bundled rulesets; one straight-line function with the conditions inlined as Kleene
expressions costs under half of that. Each form's expression is its `template()`, the same one
the interpreter runs for values and explanations: this module only fills the holes (generated
names, children's expressions) and writes the statuses in the documented precedence. The
generated source holds no value from a ruleset file: every literal, criterion id and fact name is
bound in the function's namespace under a generated name (`_k12`), so a ruleset cannot inject
code.
"""

from __future__ import annotations

import marshal
import operator
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import conditions as cn
from . import status as st
from . import template as tp
from .record import Record, record

if TYPE_CHECKING:
    from .compiled import CompiledCriterion, CompiledRuleset
    from .context import Context

RulesetRunner = Callable[..., None]


@record(positional=True)
class GeneratedCode(Record):
    """A ruleset's generated functions, kept in a cached library: the code (marshalled) and the
    constants it names. It defines `run`, `scope` and `policy_<i>` (the policy's own conditions) for
    the conditions read on every evaluation, `tally` for the policy's reads of the statuses (when it
    declares them: `Policy.tally`), and the interpreter's shapes of every node."""

    code: bytes
    constants: dict[str, Any]

    def load(self) -> dict[str, Callable]:
        # Strings interned: an unpickled copy of "met" is another object than status.MET, and every
        # comparison of a status or lookup by an evidence kind would compare characters instead of
        # identities (the criterion ids stay the objects the compiled ruleset holds).
        namespace = {name: sys.intern(value) if type(value) is str else value for name, value in self.constants.items()}
        exec(marshal.loads(self.code), namespace)  # generated from checked condition trees; values bound, not inlined
        tp.register_shapes(dict(zip(namespace["SHAPE_SOURCES"], namespace["SHAPES"], strict=True)))
        return namespace


class _Writer:
    """Accumulates source lines and the namespace their generated names refer to."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {}
        self._names: dict[tuple, str] = {}
        self._counter = 0
        self.hoisted: dict[cn.Node, str] = {}
        self.fact_locals: dict[str, str] = {}  # fact name -> local holding its value (facts read often)
        self.memo_tokens: dict[cn.Node, str] = {}  # roster condition -> its key in the evidence index's memo

    def read(self, fact: str) -> str:
        """An expression for a fact's value (None when unknown)."""
        local = self.fact_locals.get(fact)
        return local if local is not None else f"get({self.const(fact)})"

    def const(self, value: Any) -> str:
        """A generated global name bound to `value` (shared between equal values, or the same object)."""
        try:
            key: tuple = (type(value), value)
            hash(key)
        except TypeError:
            key = ("object", id(value))  # the namespace keeps the object, so its id stays its own
        if key in self._names:
            return self._names[key]
        name = f"_k{len(self.namespace)}"
        self.namespace[name] = value
        self._names[key] = name
        return name

    def fresh(self) -> _Writer:
        """A writer for another function of the same module: same constants, none of the locals."""
        other = _Writer()
        other.namespace, other._names, other._counter = self.namespace, self._names, self._counter
        return other

    def local(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter}"


def _expression(node: cn.Node, w: _Writer) -> str:
    """A Python expression whose value is the node's Kleene value: its shape, holes filled."""
    hoisted = w.hoisted.get(node)
    if hoisted is not None:
        return hoisted
    if isinstance(node, cn.Quantifier) and _per_dossier(node):
        return _memo(node, w)
    return _filled(node, w)


def _memo(node: cn.Quantifier, w: _Writer) -> str:
    """A condition over a roster, computed once per dossier and evaluation date: it reads the
    roster, member evidence, facts and the date, all fixed for an evidence index (evaluate.py keeps
    one per dossier and date), and no status. A roster of sixty people costs its members' tests
    once, not on every evaluation (a plan evaluates the same dossier many times)."""
    token = w.memo_tokens.get(node)
    if token is None:  # one token per node: the runner's two variants share its value
        token = w.memo_tokens[node] = w.const(object())
    value = w.local("m")
    return f"({value} if ({value} := memo.get({token})) is not None else memo.setdefault({token}, {_filled(node, w)}))"


def _filled(node: cn.Node, w: _Writer) -> str:
    shape, holes = node.template()
    inner = shape.scoped + shape.deferred  # a quantifier's sub-conditions, inlined (a member's reads use m_)
    if len(holes) != len(shape.names) or any(isinstance(h, cn.Node) != (shape.combines or name in inner)
                                             for name, h in zip(shape.names, holes, strict=True)):
        raise TypeError(f"{type(node).__name__}: its holes do not fit the shape {shape.source!r}")
    filled = [_expression(child, w) if shape.combines or name in inner else _hole(*child, w)
              for name, child in zip(shape.names, holes, strict=True)]
    return shape.source.format(**dict(zip(shape.names, filled, strict=True)), **{name: w.local(name) for name in shape.fresh})


def _hole(read: Callable, arg: Any, w: _Writer) -> str:
    """What fills a hole `(reader, argument)` in the generated function (locals set by PRELUDE)."""
    if read is tp.const:
        return w.const(arg)
    if read is tp.fact:
        return w.read(arg)
    if read is tp.known:
        return f"({w.const(arg)} in facts)"
    if read is tp.valid:
        return f"valid({w.const(arg)})"
    if read is tp.evidence_count:
        return f"{w.const(tp.supporting)}(ctx, {', '.join(w.const(v) for v in arg)})"
    if read is tp.status:
        return f"status({w.const(arg)})"
    if read is tp.outcome:
        return f"ctx.outcomes.get({w.const(arg)})"
    if read is tp.as_of:
        return "as_of"
    if read is tp.field:
        return f"{tp.MEMBER}.get({w.const(arg)})"
    if read is tp.field_known:
        return f"({w.const(arg)} in {tp.MEMBER})"
    if read is tp.member_valid:
        return f"member_valid(({w.const(arg)}, {tp.MEMBER}.ref))"
    if read is tp.member_evidence:
        return f"{w.const(tp.member_supporting)}(ctx, {tp.MEMBER}, {', '.join(w.const(v) for v in arg)})"
    raise TypeError(f"no generated code for the hole {read.__name__}")


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
    # a sub-condition about one member (inside every / count) is computed per member, never hoisted
    scoped = {inner for node in counts if isinstance(node, cn.Quantifier) for child in node.scoped_nodes()
              for inner in child.walk()}
    shared = [node for node, n in counts.items() if n > 1 and _stable(node) and node not in scoped]
    shared.sort(key=lambda node: sum(1 for _ in node.walk()))  # sub-conditions before what contains them
    for node in shared:
        expression = _expression(node, w)
        name = w.local("h")
        lines.append(f"{name} = {expression}")
        w.hoisted[node] = name
    return lines


def _stable(node: cn.Node) -> bool:
    return not any(isinstance(item, cn.CriterionTest) for item in node.walk())


def _per_dossier(node: cn.Node) -> bool:
    """Reads nothing computed by an evaluation (statuses, outcomes): fixed per dossier and date."""
    return not any(isinstance(item, (cn.CriterionTest, cn.OutcomeTest)) for item in node.walk())


def _criterion_block(crit: CompiledCriterion, w: _Writer, dated: bool, marked: bool = True) -> list[str]:
    """Statements setting one criterion's status. A criterion not in force is not applicable; one
    the dossier declares, declines or a plan assumes (rare) takes the precedence of
    docs/ruleset-format.md §4 with its conditions read by the interpreter; any other gets its
    applicability and requirement inline. Both branches come from `_precedence`. A criterion with a
    deadline (`dated`) that ends neither met nor not applicable is added to `opened`: only those
    need their window (evaluate.py's deadline pass), and most are met. `marked=False` writes the
    inline branch alone, for the runner's variant that no criterion of the ruleset is marked for."""
    cid = w.const(crit.id)
    model = crit.model
    tests = []
    if model.valid_from is not None:
        tests.append(f"as_of < {w.const(model.valid_from)}")
    if model.valid_until is not None:
        tests.append(f"as_of > {w.const(model.valid_until)}")
    out = []
    if tests:
        out += [f"if {' or '.join(tests)}:", f"    statuses[{cid}] = NA", f"    reasons[{cid}] = NA_NOT_IN_FORCE"]
    inline = _precedence(cid, None if crit.applies_node is None else _expression(crit.applies_node, w),
                         _expression(crit.requires_node, w), declared=False, dated=dated)
    if not marked:
        return out + ["else:"] + [f"    {line}" for line in inline] if tests else inline
    out.append(f"{'elif' if tests else 'if'} {cid} in marked:")
    known = w.const(crit)
    applies = None if crit.applies_node is None else f"{known}.applies(ctx)"
    out += [f"    {line}" for line in _precedence(cid, applies, f"{known}.requires(ctx)", declared=True)]
    if dated:
        out += [f"    if statuses[{cid}] in OPEN:", f"        opened({cid})"]
    out.append("else:")
    return out + [f"    {line}" for line in inline]


def _plain_blocks(criteria: list[CompiledCriterion], w: _Writer, dated: set[str]) -> list[str]:
    """The unmarked runner's statements. Consecutive criteria whose `applies_if` is the same hoisted
    sub-condition (the criteria of one section) share one test of it: not applicable together,
    unknown together, or each its requirement, in order (a criterion may read the one before)."""
    out: list[str] = []
    i = 0
    while i < len(criteria):
        crit = criteria[i]
        shared = _shared_applies(crit, w)
        j = i + 1
        while shared is not None and j < len(criteria) and _shared_applies(criteria[j], w) == shared:
            j += 1
        if j - i < 2:
            out += _criterion_block(crit, w, crit.id in dated, marked=False)
            i += 1
            continue
        group = [(c, w.const(c.id), c.id in dated) for c in criteria[i:j]]
        out.append(f"if {shared} == 0:")
        out += [f"    {line}" for _, cid, _ in group for line in (f"statuses[{cid}] = NA", f"reasons[{cid}] = NA_CONDITION")]
        out.append(f"elif {shared} == 1:")
        out += [f"    {line}" for _, cid, is_dated in group
                for line in [f"statuses[{cid}] = UNKNOWN"] + ([f"opened({cid})"] if is_dated else [])]
        out.append("else:")
        out += [f"    {line}" for c, cid, is_dated in group
                for line in _precedence(cid, None, _expression(c.requires_node, w), declared=False, dated=is_dated)]
        i = j
    return out


def _shared_applies(crit: CompiledCriterion, w: _Writer) -> str | None:
    """The hoisted name of the criterion's `applies_if`, when it has no dates of its own."""
    if crit.applies_node is None or crit.model.valid_from is not None or crit.model.valid_until is not None:
        return None
    return w.hoisted.get(crit.applies_node)


def _precedence(cid: str, applies: str | None, requires: str, declared: bool, dated: bool = False) -> list[str]:
    """Declared not applicable, then `applies_if` (false: not applicable; unknown: unknown, unless
    a plan assumes a status), then an assumed status, then declined (not met), then `requires`.
    `declared=False` leaves out what only concerns the declared criteria; `dated` adds a criterion
    left unknown or not met to `opened`."""
    branches: list[tuple[str, list[str]]] = []
    if declared:
        branches.append((f"{cid} in declared_na", [f"statuses[{cid}] = NA", f"reasons[{cid}] = NA_DECLARED"]))
    if applies is not None:
        branches.append((f"(a := {applies}) == 0", [f"statuses[{cid}] = NA", f"reasons[{cid}] = NA_CONDITION"]))
        branches.append((f"a == 1 and {cid} not in assume" if declared else "a == 1",
                         [f"statuses[{cid}] = UNKNOWN"] + ([f"opened({cid})"] if dated else [])))
    if declared:
        branches.append((f"{cid} in assume", [f"statuses[{cid}] = assume[{cid}]"]))
        branches.append((f"{cid} in declined", [f"statuses[{cid}] = NOT_MET"]))
    if dated:  # met (2) needs no window
        final = [f"if (x := {requires}) == 2:", f"    statuses[{cid}] = MET", "else:", f"    statuses[{cid}] = TO_STATUS[x]",
                 f"    opened({cid})"]
    else:
        final = [f"statuses[{cid}] = TO_STATUS[{requires}]"]
    if not branches:
        return final
    out = []
    for i, (test, body) in enumerate(branches):
        out.append(f"{'if' if i == 0 else 'elif'} {test}:")
        out += [f"    {line}" for line in body]
    return out + ["else:"] + [f"    {line}" for line in final]


def _prelude(body: list[str]) -> list[str]:
    """The lines of PRELUDE that `body` needs (a scope or a policy condition reads a fact or two,
    not every local of the runner), in order."""
    text = "\n".join(body)
    needed: list[str] = []
    for line in reversed(PRELUDE):
        name = line.split(" = ", 1)[0]
        if re.search(rf"\b{name}\b", text):
            needed.insert(0, line)
            text += "\n" + line
    return needed


PRELUDE = ["facts = ctx.facts", "get = facts.get", "valid = ctx.valid_evidence.get",
           "member_valid = ctx.evidence_index.member_valid.get", "memo = ctx.evidence_index.memo", "statuses = ctx.statuses",
           "status = statuses.get", "reasons = ctx.na_reasons", "as_of = ctx.as_of"]
NAMES = {"NA": st.NOT_APPLICABLE, "UNKNOWN": st.UNKNOWN, "NOT_MET": st.NOT_MET, "MET": st.MET,
         "OPEN": (st.NOT_MET, st.UNKNOWN), "TO_STATUS": (st.NOT_MET, st.UNKNOWN, st.MET),
         "NA_NOT_IN_FORCE": st.NA_NOT_IN_FORCE, "NA_CONDITION": st.NA_CONDITION, "NA_DECLARED": st.NA_DECLARED}


def generate(rs: CompiledRuleset) -> GeneratedCode:
    """The ruleset's functions, compiled: `run(ctx, marked, declared_na, declined, assume)` (`marked`
    holds the ids found in the three mappings, usually none; it returns the criteria with a deadline
    left not met or unknown, in evaluation order), `scope(ctx)`, `policy_<i>(ctx)`."""
    source, w = generate_source(rs)
    code = compile(source, f"<raccord ruleset {rs.id}>", "exec")
    return GeneratedCode(marshal.dumps(code), w.namespace)


def generate_source(rs: CompiledRuleset) -> tuple[str, _Writer]:
    w = _Writer()
    w.namespace.update(NAMES)
    head = ["found = []", "opened = found.append"] + _hoist(rs, w)
    dated = set(rs.dated)
    # Two variants: `run` for the usual dossier, which declares, declines and assumes nothing about
    # this ruleset's criteria (no `if ID in marked` per criterion), and `run_marked` for the others.
    ids = w.const(frozenset(crit.id for crit in rs.criteria))
    plain = _plain_blocks(rs.criteria, w, dated)
    source = _function("run(ctx, marked, declared_na, declined, assume)", [
        f"if marked and not marked.isdisjoint({ids}):", "    return run_marked(ctx, marked, declared_na, declined, assume)",
        *_prelude(head + plain), *head, *plain, "return found"])
    checked = [line for crit in rs.criteria for line in _criterion_block(crit, w, crit.id in dated)]
    source += _function("run_marked(ctx, marked, declared_na, declined, assume)",
                        [*_prelude(head + checked), *head, *checked, "return found"])
    spec = rs.policy.tally()
    if spec is not None:
        source += _function("tally(statuses)", _tally(spec, w.fresh()))
    conditions = [("scope", rs.scope_node)] + [(f"policy_{i}", node) for i, node in enumerate(rs.policy_nodes)]
    for name, node in conditions:
        if node is not None:
            body = [f"return {_expression(node, w.fresh())}"]
            source += _function(f"{name}(ctx)", [*_prelude(body), *body])
    roots = [root for crit in rs.criteria for root in (crit.applies_node, crit.requires_node)]
    roots += [node for _, node in conditions] + [stage.node for stage in rs.stages]
    shapes = dict.fromkeys(node.template()[0] for root in roots if root is not None for node in root.walk())
    w.namespace["SHAPE_SOURCES"] = [shape.source for shape in shapes]
    source += "SHAPES = (\n" + "".join(f"    {shape.lambda_source()},\n" for shape in shapes) + ")\n"
    return source, w


STATUS_NAMES = {st.MET: "MET", st.NOT_MET: "NOT_MET", st.UNKNOWN: "UNKNOWN", st.NOT_APPLICABLE: "NA"}


def _tally(spec: Any, w: _Writer) -> list[str]:
    """The body of `tally(statuses)` for a policy's `Tally` (engine/policies/base.py): the statuses
    read at once (an `operator.itemgetter` unpacked into locals), then a few comparisons per
    criterion and group, written out, where a loop over the criteria spends most of its time on the
    loop itself."""
    ids = list(dict.fromkeys([cid for group, _ in spec.groups for cid in group] + [cid for cid, _ in spec.weighted or ()]))
    local = {cid: f"s{i}" for i, cid in enumerate(ids)}
    if len(ids) > 1:
        lines = [f"({', '.join(local[cid] for cid in ids)},) = {w.const(operator.itemgetter(*ids))}(statuses)"]
    else:
        lines = [f"{local[cid]} = statuses[{w.const(cid)}]" for cid in ids]
    groups = []
    for group, listed in spec.groups:
        names = [w.local("l") for _ in listed]
        lines += [f"{name} = []" for name in names]
        for cid in group:
            k, status = w.const(cid), local[cid]
            for i, (wanted, name) in enumerate(zip(listed, names, strict=True)):
                lines += [f"{'if' if i == 0 else 'elif'} {status} == {STATUS_NAMES[wanted]}:", f"    {name}.append({k})"]
        groups.append(f"({''.join(name + ', ' for name in names)})")
    if spec.weighted is not None:
        lines.append("met = unknown = applicable = 0.0")
        for cid, points in spec.weighted:
            status, p = local[cid], w.const(points)
            lines += [f"if {status} == MET:", f"    met += {p}", f"    applicable += {p}", f"elif {status} == UNKNOWN:",
                      f"    unknown += {p}", f"    applicable += {p}", f"elif {status} != NA:", f"    applicable += {p}"]
        groups.append("(met, unknown, applicable)")
    return [*lines, f"return ({''.join(group + ', ' for group in groups)})"]


def _function(signature: str, body: list[str]) -> str:
    return f"def {signature}:\n" + "".join(f"    {line}\n" for line in body)


def standalone(node: cn.Node) -> Callable[[Context], int]:
    """The generated expression of one condition as a function of a context (for tests)."""
    w = _Writer()
    expression = _expression(node, w)
    source = _function("run(ctx)", [*PRELUDE, f"return {expression}"])
    namespace = dict(w.namespace)
    exec(compile(source, "<raccord condition>", "exec"), namespace)  # values bound, not inlined
    return namespace["run"]
