"""What every scoring policy provides.

A policy owns everything that depends on its kind, so that a new policy is one module and nothing
else: its parameters (`Params`), its load-time checks, its outcome, what can no longer change it
(`settled`), the targets a plan can aim at and how to reach them (`parse_target`, `plan`,
`outcome_goal`), what the result document adds about it (`describe`), and its summary as
language-neutral statements that every renderer knows how to print (`summary`, `headline`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from .. import status as st
from ..errors import InputError
from ..model import Condition, PolicyParams, Ruleset
from ..record import Record, record

if TYPE_CHECKING:
    from ..compiled import CompiledCriterion, CompiledRuleset
    from ..context import Context

DEADLINE_PASSED = "deadline_passed"  # engine/deadlines.py
Fail = Callable[[tuple, str, str], InputError]
Outcome = dict[str, Any]
Statement = dict[str, Any]  # {"kind": "score" | "pass_mark" | "level" | "stars" | ..., values...}: see docs/api.md


@record(positional=True)
class Target(Record):
    """What a plan aims at: a ruleset and a goal its policy understands (None: the ruleset's own
    decision; a level number; a scheme id; a score...)."""

    ruleset: str
    goal: Any = None
    label: str = ""


@record(positional=True)
class Tally(Record):
    """What a policy's outcome reads of the statuses, computed by a generated function of the ruleset
    (codegen `tally(statuses)`: straight-line code, no loop over the criteria). For each group
    `(ids, statuses)`, the ids of the group whose status is each of `statuses`, in the group's order;
    then, when `weighted` is given as (id, points) pairs, the points of the met, unknown and
    applicable (not `not_applicable`) criteria, summed in that order. The function returns a tuple:
    one tuple of lists per group, then the three sums."""

    groups: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    weighted: tuple[tuple[str, float], ...] | None = None


class Planner(Protocol):
    """What a policy may ask of the planner (engine/plan.py) when it plans a target."""

    ctx: Context
    as_of: dt.date
    items: set[str]  # criteria the plan satisfies so far
    notes: list[str]

    def criterion(self, cid: str) -> None: ...
    def block(self, reason: str, **details: Any) -> None: ...
    def ruleset_open(self, rid: str) -> bool: ...
    def candidates(self, compiled: CompiledRuleset) -> list[CompiledCriterion]:
        """Criteria of the ruleset a plan may still add: remaining, actionable, not yet in the plan."""
        ...


class Policy:
    kind: ClassVar[str]
    Params: ClassVar[type[PolicyParams]] = PolicyParams  # what `policy:` accepts in a ruleset file
    # criterion attributes this policy reads: name -> required?
    criterion_attributes: ClassVar[dict[str, bool]] = {}
    # whether its outcome names aid a production can claim (read by `raccord eligibility`)
    makes_claims: ClassVar[bool] = False

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self.params = ruleset.policy

    # -- loading -------------------------------------------------------------------------------
    def outcome_fields(self) -> dict[str, str]:
        """Outcome fields other rulesets may reference: name -> "range" | "decision"."""
        return {"decision": "decision"}

    def conditions(self) -> list[tuple[tuple, Condition | None]]:
        """Conditions inside the policy's parameters, with their path in the file (parsed and checked
        at load; their nodes are in `CompiledRuleset.policy_nodes`, in this order)."""
        return []

    def source_refs(self) -> list[tuple[tuple, str]]:
        """Source documents named by the policy's parameters (path in the file, document id)."""
        return []

    def check(self, fail: Fail) -> None:
        """Static checks of the criteria against this policy."""
        scoring = {"points", "mandatory", "level", "scheme"}
        for i, crit in enumerate(self.ruleset.criteria):
            for attribute in scoring:
                value = getattr(crit, attribute)
                present = value not in (None, False)
                if attribute in self.criterion_attributes:
                    if self.criterion_attributes[attribute] and not present:
                        raise fail(("criteria", i), f"criterion {crit.id} needs `{attribute}` under a {self.kind} policy", "")
                elif present:
                    raise fail(("criteria", i, attribute), f"`{attribute}` has no meaning under a {self.kind} policy",
                               "remove it or change the policy")

    # -- evaluation ----------------------------------------------------------------------------
    def tally(self) -> Tally | None:
        """What `outcome` reads of the statuses, for the ruleset's generated `tally` function
        (`CompiledRuleset.tally`); None: the outcome reads `ctx.statuses` itself."""
        return None

    def outcome(self, compiled: CompiledRuleset, ctx: Context) -> Outcome:
        raise NotImplementedError

    def settled(self, compiled: CompiledRuleset, outcome: Outcome, ctx: Context) -> set[str]:
        """Criteria whose completion can no longer change this outcome (left out of `missing`)."""
        return set()

    def note_lost(self, outcome: Outcome, lost: set[str]) -> None:
        """Say in the outcome that criteria it needs can no longer be met: a deadline has passed
        (engine/deadlines.py). The decision itself is already what those statuses give."""
        if lost & set(outcome.get("blocking", ())) and DEADLINE_PASSED not in outcome["reasons"]:
            outcome["reasons"].append(DEADLINE_PASSED)

    def claims(self, compiled: CompiledRuleset, outcome: Outcome) -> list[dict[str, Any]]:
        """The aid this outcome decides, one entry per scheme (only for `makes_claims` policies):
        id, title, decision, reasons, amount, validity, payment, note, source, provenance, and the
        criteria not met and unknown."""
        return []

    def amount_range(self, outcome: Outcome) -> tuple[float, float] | None:
        """The amount of aid within reach (obtained, possible), for `makes_claims` policies."""
        return None

    # -- the result document -------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        """What the result document says about this policy beside its outcome (JSON-ready)."""
        return {}

    @classmethod
    def headline(cls, entry: dict[str, Any]) -> Statement | None:
        """A statement standing for the decision when the outcome has none (e.g. a level reached)."""
        return None

    @classmethod
    def summary(cls, entry: dict[str, Any]) -> list[Statement]:
        """The outcome as statements, in reading order, from a ruleset entry of the result document
        (so a renderer needs only the document). The counts of criteria follow in every renderer."""
        score = entry["outcome"].get("score")
        return [{"kind": "score", "low": score[0], "high": score[1]}] if score else []

    # -- targets and plans ---------------------------------------------------------------------
    def parse_target(self, rid: str, tail: str) -> Target:
        """The target `RID` or `RID:TAIL` names (an InputError located on --target otherwise)."""
        if tail:
            raise InputError("--target", f"ruleset {rid} ({self.kind}) takes no ':' part", f"use --target {rid}")
        return Target(rid, None, rid)

    def goal_names(self) -> list[str]:
        """Goals that can be named without their ruleset (`aid:prime_rse_plus`)."""
        return []

    def plan(self, planner: Planner, compiled: CompiledRuleset, target: Target) -> None:
        """Add to the planner what reaching `target` takes (criteria to satisfy, blockers)."""
        planner.block("no_single_decision", ruleset=compiled.id)

    def outcome_goal(self, compiled: CompiledRuleset, field: str, op: str, value: Any) -> Target | None:
        """The target that makes the outcome test `field op value` hold, when there is one."""
        if field == "decision" and positive_decision(op, value):
            return Target(compiled.id, None, compiled.id)
        return None

    def reached(self, outcome: Outcome, target: Target) -> bool:
        return outcome.get("decision") in (st.ELIGIBLE, st.COMPLIANT)

    def target_state(self, outcome: Outcome, target: Target) -> dict[str, Any]:
        """The parts of the outcome a user reads before and after a plan."""
        out: dict[str, Any] = {"reached": self.reached(outcome, target)}
        for key in ("decision", "score", "level", "stars"):
            if outcome.get(key) is not None:
                out[key] = outcome[key]
        out["blocking"] = outcome.get("blocking", [])
        return out


def positive_decision(op: str, value: Any) -> bool:
    """Whether an outcome test asks for a positive decision (eligible or compliant)."""
    wanted = set(value) if op == "in" else ({value} if op == "eq" else set())
    return bool(wanted) and wanted <= {st.ELIGIBLE, st.COMPLIANT}

