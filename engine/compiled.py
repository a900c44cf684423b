"""Rulesets after loading: conditions parsed, checked and compiled, criteria in dependency order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .codegen import RulesetRunner, build_runner
from .conditions import Compiled, Node
from .model import Criterion, FactDef, Ruleset, Stage
from .policies import Policy
from .source_files import Located


@dataclass
class CompiledCriterion:
    id: str
    ruleset: str
    model: Criterion
    requires_node: Node
    requires: Compiled
    applies_node: Node | None = None
    applies: Compiled | None = None
    in_force: Callable | None = None  # set only when the criterion carries dates


@dataclass
class CompiledStage:
    model: Stage
    node: Node | None
    reached: Compiled | None


@dataclass
class CompiledRuleset:
    id: str
    model: Ruleset
    located: Located
    path: Path | None
    policy: Policy
    criteria: list[CompiledCriterion]  # evaluation order (dependencies first)
    scope_node: Node | None = None
    scope: Compiled | None = None
    threshold_when: list[Compiled | None] = field(default_factory=list)
    threshold_nodes: list[Node | None] = field(default_factory=list)
    stages: list[CompiledStage] = field(default_factory=list)
    depends_on: set[str] = field(default_factory=set)
    _runners: dict[bool, RulesetRunner] = field(default_factory=dict)

    def runner(self, special: bool) -> RulesetRunner:
        """The generated function that sets every criterion's status (built on first use); the
        `special` variant honours the dossier's declarations and assumptions."""
        run = self._runners.get(special)
        if run is None:
            run = self._runners[special] = build_runner(self, special)
        return run

    @property
    def display_order(self) -> list[CompiledCriterion]:
        by_id = {c.id: c for c in self.criteria}
        return [by_id[c.id] for c in self.model.criteria]


@dataclass
class Library:
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
