"""One definition of each condition form's Kleene value, used three ways.

A form's meaning is a `Shape`: one Python expression with named holes, `{x}` standing for what
the form reads (a fact, a status, the evaluation date, a constant) or for a child's value. A node's
`template()` is its shape with the holes it fills. The same shape is
 - inlined by `codegen` in the generated function of a ruleset (holes become generated names and
   the children's own expressions: the fast path of `evaluate`);
 - compiled once into a small function of its holes, which the interpreter calls node by node
   over a context, for a value (`Program`, `node.value(ctx)`) or a trace of every node (`trace`).
So a status, the value the planner or a policy asks for and the explanation of a criterion cannot
disagree: there is no second writing of what a form means. Shape sources are engine text; no value
from a ruleset file is ever part of them (a hole holds it).

Kleene values are the ints of `tri` (FALSE 0, UNKNOWN 1, TRUE 2).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .conditions import Node
    from .context import Context


class Shape:
    """A form's Kleene value as an expression over its holes (`names`, in the order a template
    fills them); `fresh` names the expression's own locals (unique in a generated function);
    `combines` says its holes are sub-conditions (all, any, not) rather than reads of the context.
    A quantifier (`every`, `count`) loops over a roster's members, the member being `m_`: its
    `scoped` holes are sub-conditions about that member, its `deferred` ones sub-conditions read
    only in one branch (`otherwise`). Generated code inlines both (a member's reads use `m_`); the
    interpreter fills them with functions, called with the member (`_w(m_)`) or with None."""

    __slots__ = ("combines", "deferred", "fn", "fresh", "names", "scoped", "source")

    def __init__(self, source: str, *names: str, fresh: tuple[str, ...] = (), combines: bool = False,
                 scoped: tuple[str, ...] = (), deferred: tuple[str, ...] = ()) -> None:
        self.source, self.names, self.fresh, self.combines = source, names, fresh, combines
        self.scoped, self.deferred = scoped, deferred
        self.fn: Callable[..., int] | None = None

    def lambda_source(self) -> str:
        """The shape as a lambda of its holes (engine text only: the holes are parameters)."""
        names = {name: f"_{name}" for name in self.names} | {name: name for name in self.fresh}
        names |= {name: f"_{name}({MEMBER})" for name in self.scoped} | {name: f"_{name}(None)" for name in self.deferred}
        return f"lambda {', '.join('_' + n for n in self.names)}: {self.source.format(**names)}"

    def function(self) -> Callable[..., int]:
        fn = self.fn
        if fn is None:
            fn = _COMPILED.get(self.source)
            if fn is None:
                fn = _COMPILED[self.source] = eval(compile(self.lambda_source(), "<condition>", "eval"))  # engine text
            self.fn = fn
        return fn


_COMPILED: dict[str, Callable[..., int]] = {}  # shape source -> its function


def register_shapes(compiled: dict[str, Callable[..., int]]) -> None:
    """Shape functions compiled beforehand (with a ruleset's generated code, kept in the library
    cache), so that a fresh process compiles none."""
    for source, fn in compiled.items():
        _COMPILED.setdefault(source, fn)


# --- holes: what a template reads -------------------------------------------------------------------
# A template is (shape, holes). The holes of a combining shape are the sub-condition nodes; any
# other hole is (reader, argument), `reader(ctx, argument)` giving its value. Tuples, not records:
# a few are built for every node of every condition explained.

Hole = tuple[Callable[[Any, Any], Any], Any]
Template = tuple[Shape, tuple]


def const(ctx: Context, value: Any) -> Any:
    """A value known at load (a literal, an id, a helper function)."""
    return value


def fact(ctx: Context, name: str) -> Any:
    """A fact's value, None when unknown."""
    return ctx.facts.get(name)


def known(ctx: Context, name: str) -> bool:
    """Whether the dossier gives the fact."""
    return name in ctx.facts


def valid(ctx: Context, kind: str) -> Any:
    """What valid items of an evidence kind support: True (every criterion), the ids, or None."""
    return ctx.valid_evidence.get(kind)


def evidence_count(ctx: Context, test: tuple[str, str, int | None]) -> int:
    """(kind, criterion, max_age): how many valid items of the kind support the criterion and
    were collected at most max_age days ago (None: no limit)."""
    return supporting(ctx, *test)


def status(ctx: Context, criterion: str) -> str | None:
    """A criterion's status computed so far, None when not yet evaluated."""
    return ctx.statuses.get(criterion)


def outcome(ctx: Context, ruleset: str) -> dict[str, Any] | None:
    """A ruleset's outcome, None when it was not evaluated."""
    return ctx.outcomes.get(ruleset)


def as_of(ctx: Context, _: Any = None) -> Any:
    """The evaluation date."""
    return ctx.as_of


def supporting(ctx: Context, kind: str, criterion: str, max_age: int | None) -> int:
    """Valid items of `kind` that support `criterion` and are recent enough."""
    today = ctx.as_of
    return sum(1 for item in ctx.evidence.get(kind, ())
               if item.state == "valid" and (not item.criteria or criterion in item.criteria)
               and not too_old(item.collected, today, max_age))


def too_old(collected: Any, today: Any, max_age: int | None) -> bool:
    """An age limit the item does not meet (an undated item meets none)."""
    return max_age is not None and (collected is None or (today - collected).days > max_age)


# --- members of a roster (a collection fact): the reads inside `every` / `count` -----------------------
# The member the sub-condition is about is `ctx.member` in the interpreter (a MemberContext), the
# parameter `m_` of the lambda in generated code (quantifiers do not nest: one name suffices).

MEMBER = "m_"


def field(ctx: Any, name: str) -> Any:
    """A field of the member, None when the roster does not give it."""
    return ctx.member.get(name)


def field_known(ctx: Any, name: str) -> bool:
    """Whether the roster gives the member's field."""
    return name in ctx.member


def member_valid(ctx: Any, kind: str) -> Any:
    """What valid items of a kind naming the member support: True (every criterion), the ids, or None."""
    return ctx.evidence_index.member_valid.get((kind, ctx.member.ref))


def member_evidence(ctx: Any, test: tuple[str, str, int | None]) -> int:
    """(kind, criterion, max_age): valid items of the kind naming the member (`member: P-014`)."""
    return member_supporting(ctx, ctx.member, *test)


def member_supporting(ctx: Context, member: Any, kind: str, criterion: str, max_age: int | None) -> int:
    today, ref = ctx.as_of, member.ref
    return sum(1 for item in ctx.evidence.get(kind, ())
               if item.member == ref and item.state == "valid" and (not item.criteria or criterion in item.criteria)
               and not too_old(item.collected, today, max_age))


def every_fold(values: list[int], complete: bool) -> int:
    """`every`: the least of the members' values (true for none), at most unknown when the roster
    is not complete (a person not listed may be concerned and fail)."""
    value = min(values, default=2)
    return 1 if value == 2 and not complete else value


def count_span(values: list[int], complete: bool) -> tuple[int, int | None]:
    """(members `where` is true for, members it is not false for; None: unbounded, not complete)."""
    low = values.count(2)
    return low, (len(values) - values.count(0)) if complete else None


def count_all(roster: Any) -> tuple[int, int | None]:
    """`count` without `where`: every member listed, unbounded when the roster is not complete."""
    n = len(roster.members)
    return n, n if roster.complete else None


def count_test(span: tuple[int, int | None], op: str, wanted: Any) -> int:
    """A count known to lie in [low, high] compared with `wanted`: true when every count it may be
    passes, false when none does, else unknown; an unknown `wanted` is unknown."""
    if wanted is None:
        return 1
    low, high = span
    top = float("inf") if high is None else high
    if op in ("gte", "gt"):
        every_, none = (low >= wanted, top < wanted) if op == "gte" else (low > wanted, top <= wanted)
    elif op in ("lte", "lt"):
        every_, none = (top <= wanted, low > wanted) if op == "lte" else (top < wanted, low >= wanted)
    else:
        only, outside = low == top == wanted, wanted < low or wanted > top
        every_, none = (only, outside) if op == "eq" else (outside, only)
    return 2 if every_ else (0 if none else 1)


class MemberContext:
    """The context of a sub-condition about one member: the evaluation's context and the member."""

    __slots__ = ("member", "outer")

    def __init__(self, outer: Any, member: Any) -> None:
        self.outer, self.member = outer, member

    def __getattr__(self, name: str) -> Any:
        return getattr(self.outer, name)


def per_member(ctx: Any, program: Program) -> Callable[[Any], int]:
    """A scoped or deferred hole's value in the interpreter: the sub-condition as a function of a
    member (None for a deferred one, which reads no member)."""
    return lambda member: program(MemberContext(ctx, member))


# --- the interpreter ------------------------------------------------------------------------------


class Trace(tuple):
    """One node of a condition as evaluated: the node, its value, its children's traces, what it
    read (the values of its holes, by name) and the form's own observation (`observe`). A tuple
    built by `Trace((node, value, children, inputs, seen))`: explaining every criterion of a
    dossier builds a few thousand."""

    __slots__ = ()
    node: Node = property(itemgetter(0))  # type: ignore[assignment]
    value: int = property(itemgetter(1))  # type: ignore[assignment]
    children: tuple[Trace, ...] = property(itemgetter(2))  # type: ignore[assignment]
    inputs: dict[str, Any] = property(itemgetter(3))  # type: ignore[assignment]
    seen: Any = property(itemgetter(4))  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Trace({self.node!r}, {self.value}, {len(self.children)} children, {self.inputs!r}, {self.seen!r})"

    def walk(self, needed: bool = True):
        """(trace, needed) for every node, depth first: below a true node (an `any` already satisfied
        by another alternative) what is missing is not needed."""
        yield self, needed
        needed = needed and self[1] != 2
        for child in self[2]:
            yield from child.walk(needed)

    def as_dict(self) -> dict[str, Any]:
        """The explanation of this node (the JSON shape of `raccord explain`)."""
        return self[0].explanation(self)


_NO_INPUTS: dict[str, Any] = {}


def trace(node: Node, ctx: Context) -> Trace:
    """The node's trace, evaluated over the context (each sub-condition once, recursively)."""
    shape, holes = node.template()
    fn = shape.fn or shape.function()
    if shape.combines:
        children = tuple([trace(child, ctx) for child in holes])
        return Trace((node, fn(*[c[1] for c in children]), children, _NO_INPUTS, None))
    if shape.scoped or shape.deferred:
        holes = scoped_holes(shape, holes)
    inputs = {name: arg if read is const else read(ctx, arg) for name, (read, arg) in zip(shape.names, holes, strict=True)}
    observe = node.observe
    children = node.subtraces(ctx, inputs) if shape.scoped or shape.deferred else ()  # a quantifier's `otherwise`, when read
    return Trace((node, fn(*inputs.values()), children, inputs, None if observe is None else observe(ctx, inputs)))


def scoped_holes(shape: Shape, holes: tuple) -> tuple:
    """A quantifier's holes for the interpreter: each scoped or deferred sub-condition as a read
    giving a function of a member."""
    inner = shape.scoped + shape.deferred
    return tuple((per_member, Program(hole)) if name in inner else hole for name, hole in zip(shape.names, holes, strict=True))


class Program:
    """A condition tree flattened in post-order, for its value asked repeatedly (`program(ctx)`):
    per node, its shape's function and either its children's steps or the holes it reads."""

    __slots__ = ("root", "steps")

    def __init__(self, root: Node) -> None:
        self.root = root
        self.steps: list[tuple[Callable[..., int], tuple[int, ...], tuple[Hole, ...]]] = []
        self._add(root)

    def _add(self, node: Node) -> int:
        shape, holes = node.template()
        if shape.combines:
            self.steps.append((shape.function(), tuple([self._add(child) for child in holes]), ()))
        else:
            self.steps.append((shape.function(), (), scoped_holes(shape, holes) if shape.scoped or shape.deferred else holes))
        return len(self.steps) - 1

    def __call__(self, ctx: Context) -> int:
        values: list[int] = []
        for fn, kids, holes in self.steps:
            if kids:
                values.append(fn(*[values[i] for i in kids]))
            else:
                values.append(fn(*[read(ctx, arg) for read, arg in holes]))
        return values[-1]

    def trace(self, ctx: Context) -> Trace:
        return trace(self.root, ctx)
