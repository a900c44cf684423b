"""Rulesets after loading: conditions parsed, checked and compiled, criteria in dependency order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from functools import cached_property
from pathlib import Path

from .codegen import GeneratedCode, RulesetRunner, generate
from .conditions import Node
from .context import Context
from .deadlines import Due, resolved
from .model import Criterion, FactDef, Ruleset, Stage
from .policies import Policy
from .record import Record, record
from .source_files import Located
from .status import NOT_ACTIONABLE
from .template import Program


class _Lazy(Record):
    """Interpreted programs and generated functions are rebuilt from the condition trees when first
    used, and left out of pickles (a cached library holds the trees and the generated code)."""

    _transient: tuple[str, ...] = ()  # cached properties, rebuilt on use
    _positions: tuple[str, ...] = ()  # fields only loading needs, None in a cached copy

    def __getstate__(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k not in self._transient}
        state.update(dict.fromkeys(self._positions))
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


@record(positional=True, frozen=False, slots=False)
class CompiledCriterion(_Lazy):
    id: str
    ruleset: str
    model: Criterion
    requires_node: Node
    applies_node: Node | None = None
    _transient = ("requires", "applies")

    @cached_property
    def requires(self) -> Program:
        """`requires(ctx)` is its value, `requires.trace(ctx)` its trace."""
        return Program(self.requires_node)

    @cached_property
    def applies(self) -> Program | None:
        return Program(self.applies_node) if self.applies_node is not None else None


@record(positional=True, frozen=False, slots=False)
class CompiledStage(_Lazy):
    model: Stage
    node: Node | None
    _transient = ("reached",)

    @cached_property
    def reached(self) -> Program | None:
        return Program(self.node) if self.node is not None else None


@record(positional=True, frozen=False, slots=False)
class CompiledRuleset(_Lazy):
    id: str
    model: Ruleset
    located: Located | None  # None once loaded from the cache: only load-time checks need positions
    path: Path | None
    policy: Policy
    criteria: list[CompiledCriterion]  # evaluation order (dependencies first)
    scope_node: Node | None = None
    policy_nodes: list[Node | None] = field(default_factory=list)  # the policy's own conditions (Policy.conditions)
    stages: list[CompiledStage] = field(default_factory=list)
    depends_on: set[str] = field(default_factory=set)
    generated: GeneratedCode | None = None
    _transient = ("functions", "runner", "tally", "scope", "policy_conditions", "deadlines", "piece_deadlines", "references",
                  "final_by_nature", "pendable", "due_by_key", "dated", "losable", "losable_rulesets",
                  "window_token")
    _positions = ("located",)

    @cached_property
    def functions(self) -> dict[str, Callable]:
        """The generated functions (generated on first use, kept with a cached library)."""
        if self.generated is None:
            self.generated = generate(self)
        return self.generated.load()

    @cached_property
    def runner(self) -> RulesetRunner:
        """The generated function that sets every criterion's status."""
        return self.functions["run"]

    @cached_property
    def tally(self) -> Callable[[dict[str, str]], tuple]:
        """The generated function computing what the policy reads of the statuses (`Policy.tally`)."""
        return self.functions["tally"]

    @cached_property
    def scope(self) -> Callable[[Context], int] | None:
        """The value of the policy's `applies_if` (generated; `Program(scope_node)` traces it)."""
        return self.functions["scope"] if self.scope_node is not None else None

    @cached_property
    def policy_conditions(self) -> list[Callable[[Context], int] | None]:
        """The values of the policy's own conditions (generated; in `policy_nodes` order)."""
        return [self.functions[f"policy_{i}"] if node is not None else None for i, node in enumerate(self.policy_nodes)]

    @cached_property
    def deadlines(self) -> list[Due]:
        """The criteria that have a deadline (their `due`, else their stage's), in evaluation order."""
        return resolved(self.criteria, self.model.stages)[0]

    @cached_property
    def piece_deadlines(self) -> list[Due]:
        """The evidence pieces that have a deadline (their `due`, else their `stage`'s)."""
        return resolved(self.criteria, self.model.stages)[1]

    @cached_property
    def due_by_key(self) -> dict[str, Due]:
        """Every deadline of the ruleset (criteria and pieces) by its key in `ctx.windows`."""
        return {due.key: due for due in (*self.deadlines, *self.piece_deadlines)}

    @cached_property
    def window_token(self) -> object:
        """Where this ruleset's windows are kept in an evidence index's memo (deadlines.Windows)."""
        return object()

    @cached_property
    def dated(self) -> list[str]:
        """The criteria that have a deadline, in evaluation order."""
        return [due.key for due in self.deadlines]

    @cached_property
    def final_by_nature(self) -> frozenset[str]:
        """Criteria whose `not_met` is final whatever the date: properties of the work (`not_actionable`)."""
        return frozenset(c.id for c in self.criteria if NOT_ACTIONABLE in c.model.tags)

    @cached_property
    def pendable(self) -> dict[str, tuple[str, ...] | None]:
        """Criteria that may be pending when not met (engine/deadlines.py `adjust`): id -> the criteria
        they read, None for those reading an outcome (their status follows from it)."""
        return {c.id: (None if self.references[c.id][1] else tuple(self.references[c.id][0]))
                for c in self.criteria if c.id not in self.final_by_nature}

    @cached_property
    def losable(self) -> list[tuple[str, set[str], set[str]]]:
        """(id, criteria read, rulesets read) of the criteria that a passed deadline can make lost,
        in evaluation order: those with a deadline of their own and those reading other criteria or
        outcomes. The others can never be lost, and `_lost` does not look at them."""
        dated = set(self.dated)
        return [(c.id, *self.references[c.id]) for c in self.criteria
                if c.id in dated or self.references[c.id][0] or self.references[c.id][1]]

    @cached_property
    def losable_rulesets(self) -> set[str]:
        """The rulesets whose outcomes the losable criteria read (a lost outcome makes them lost)."""
        return {rid for _, _, rulesets in self.losable for rid in rulesets}

    @cached_property
    def references(self) -> dict[str, tuple[set[str], set[str]]]:
        """Per criterion, the criteria and rulesets its `requires` reads (to trace a lost deadline)."""
        from .conditions import references

        return {c.id: references(c.requires_node)[1:] for c in self.criteria}

    @property
    def display_order(self) -> list[CompiledCriterion]:
        by_id = {c.id: c for c in self.criteria}
        return [by_id[c.id] for c in self.model.criteria]


@record(positional=True, frozen=False)
class Library(Record):
    """Every loaded ruleset and the fact catalogue they share."""

    catalogue: dict[str, FactDef]
    rulesets: dict[str, CompiledRuleset]  # dependency order
    criteria: dict[str, CompiledCriterion]

    def closure(self, selected: list[str] | None) -> list[str]:
        """The selected rulesets plus what they depend on, in evaluation order."""
        if not selected:
            return list(self.rulesets)
        wanted: set[str] = set()
        stack = list(selected)
        while stack:
            rid = stack.pop()
            if rid not in wanted:
                wanted.add(rid)
                stack.extend(self.rulesets[rid].depends_on)
        return [rid for rid in self.rulesets if rid in wanted]
