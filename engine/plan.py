"""Least-effort plans: which remaining criteria to satisfy so that a target outcome is reached.

Generic: a target names a ruleset and a goal its policy understands (`Policy.parse_target`):
`RID` (the ruleset's decision), `RID:TAIL` (a level, a scheme...), or a goal named without its
ruleset (`aid:prime_rse_plus`, `Policy.goal_names`). Each policy says what reaching a goal takes
(`Policy.plan`): forced criteria, blockers, or an exact knapsack (engine/knapsack.py).

Candidates are the criteria whose status is `unknown`, which includes those not done yet whose
deadline has not passed (pending, engine/deadlines.py). A `not_met` criterion is final and blocks
the target: its deadline has passed (`deadline_passed`), the dossier declines it (`declined`), it
is a property of the work such as its genre or region (`not_actionable`), or the dossier states
it not done and no deadline leaves it open (`not_met`) — so that `plan` never calls reachable
what `check` calls impossible.

A criterion that only delegates to other criteria or outcomes (`{criterion: ID}`,
`{outcome: RID.FIELD ...}`, or an `all` of them) is replaced by what it delegates to, recursively
(`Policy.outcome_goal` turns an outcome test into a target), so a plan lists actions rather than
summaries. Sub-goals are solved separately and their items united: the union is optimal when the
sub-goals share no optional item (forced items are needed whatever the plan). No heuristic is
used; when a condition cannot be decomposed (an `any`, a fact, an evidence test), the criterion
itself is the item to satisfy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from . import status as st
from . import tri
from .compiled import CompiledCriterion, CompiledRuleset, Library
from .conditions import All, CriterionTest, EvidenceTest, MemberEvidenceTest, Node, OutcomeTest, references
from .deadlines import DEADLINE_PASSED, PROOF_ONLY
from .documents import PlanDocument
from .errors import InputError
from .evaluate import Evaluation, Options, evaluate_with
from .knapsack import knapsack_cover  # noqa: F401 - part of this module's API since plans began
from .model import to_data
from .policies import Target
from .report import jsonable

NOT_ACTIONABLE = st.NOT_ACTIONABLE
CANDIDATE = (st.UNKNOWN, st.NOT_MET)


@dataclass
class Plan:
    target: Target
    items: list[str] = field(default_factory=list)
    effort: float = 0.0
    blockers: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    method: str = "exact"

    @property
    def feasible(self) -> bool:
        return not self.blockers


def parse_target(library: Library, text: str) -> Target:
    """`RID`, `RID:TAIL`, or a goal alone after any prefix (`aid:prime_rse_plus`), looked up among
    the goals the policies can name without their ruleset."""
    head, _, tail = text.partition(":")
    if head in library.rulesets:
        rs = library.rulesets[head]
        return rs.policy.parse_target(head, tail)
    if tail:
        owners = [rid for rid, rs in library.rulesets.items() if tail in rs.policy.goal_names()]
        if len(owners) == 1:
            return library.rulesets[owners[0]].policy.parse_target(owners[0], tail)
    known = ", ".join(library.rulesets)
    raise InputError("--target", f"unknown target '{text}'", f"rulesets: {known}; forms: RID, RID:LEVEL, RID:SCHEME")


class _Planner:
    def __init__(self, evaluation: Evaluation) -> None:
        self.ev = evaluation
        self.library = evaluation.library
        self.ctx = evaluation.ctx
        self.as_of = evaluation.as_of
        self.declined = evaluation.dossier.file.declined
        self.items: set[str] = set()
        self.blockers: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.seen: set[str] = set()
        self.uncertain = 0  # how many criteria being planned have an unknown applicability (see `criterion`)

    # -- helpers -------------------------------------------------------------------------------
    def status(self, cid: str) -> str:
        return self.ctx.statuses.get(cid, st.UNKNOWN)

    def block(self, reason: str, **details: Any) -> None:
        entry = {"reason": reason, **details}
        if entry not in self.blockers:
            self.blockers.append(entry)

    def actionable(self, crit: CompiledCriterion) -> bool:
        """Can this criterion be planned as an action (rather than blocking)?"""
        cid = crit.id
        if cid in self.declined:  # final once it applies; while its applicability is unknown, so is the target
            reason = "declined" if self.status(cid) == st.NOT_MET and not self.uncertain else "declined_if_applicable"
            self.block(reason, criterion=cid, why=self.declined[cid])
            return False
        if NOT_ACTIONABLE in crit.model.tags and self.status(cid) == st.NOT_MET:
            self.block("not_actionable", criterion=cid)
            return False
        if self.lost(cid):
            window = self.ctx.windows[cid]
            self.block(DEADLINE_PASSED, criterion=cid, due=window.due, since_days=-window.days_left)
            return False
        return True

    def final(self, crit: CompiledCriterion) -> bool:
        """Not met for a part of its own, with no window left open (a `not_met` with an open window
        is pending, `unknown`): what the dossier states is a fact, not a step still to come."""
        if self.status(crit.id) != st.NOT_MET:
            return False
        criteria, rulesets = self.library.rulesets[crit.ruleset].references[crit.id]
        return not rulesets and not any(self.status(c) == st.NOT_MET for c in criteria)  # else what it reads decides

    def effort(self, crit: CompiledCriterion) -> float:
        """What a step costs: nothing when the work is already done and only its proof is missing."""
        return 0.0 if step_parts(crit, self.ctx)["work_done"] else crit.model.effort

    def lost(self, cid: str) -> bool:
        """Its own deadline has passed and it is not done: it can no longer be met."""
        return cid in self.ctx.windows and self.ctx.status_reasons.get(cid) == DEADLINE_PASSED

    # -- goals ---------------------------------------------------------------------------------
    def criterion(self, cid: str) -> None:
        """Make criterion `cid` met (or leave it: already met / not applicable)."""
        if self.status(cid) not in CANDIDATE or cid in self.seen:
            return
        self.seen.add(cid)
        crit = self.library.criteria[cid]
        if not self.actionable(crit):
            return
        goals, own = self._delegated(crit.requires_node)
        if own and self.final(crit):
            self.block("not_met", criterion=cid)  # stated not done, and no open deadline leaves it to do
        elif own:  # a part of its own (fact, evidence, `any`...): the criterion itself is an item
            self.items.add(cid)
        # Whether it applies is unknown (its `applies_if`; a referential's unknown scope is not counted: `check`
        # reads its statuses as if it applied): a declined criterion it reads blocks the target only if it applies.
        uncertain = crit.applies_node is not None and crit.applies_node.compile()(self.ctx) == tri.UNKNOWN
        self.uncertain += uncertain
        for goal in goals:
            goal()
        self.uncertain -= uncertain

    def _delegated(self, node: Node) -> tuple[list, bool]:
        """(goals making the referenced criteria/outcomes of `node` hold, whether `node` has a part of its own)."""
        if node.compile()(self.ctx) == tri.TRUE:
            return [], False
        if isinstance(node, CriterionTest) and node.want is None:
            return [lambda: self.criterion(node.criterion)], False
        if isinstance(node, OutcomeTest):
            goal = self._outcome_goal(node)
            return ([], True) if goal is None else ([goal], False)
        if isinstance(node, All):
            goals: list = []
            own = False
            for child in node.children:
                sub, child_own = self._delegated(child)
                goals += sub
                own = own or child_own
            return goals, own
        return [], True

    def _outcome_goal(self, node: OutcomeTest):
        rs = self.library.rulesets.get(node.ruleset)
        target = None if rs is None else rs.policy.outcome_goal(rs, node.field_name, node.op, node.target)
        return None if target is None else (lambda: self.reach(target))

    def ruleset_open(self, rid: str) -> bool:
        outcome = self.ctx.outcomes.get(rid, {})
        if outcome.get("decision") == st.NOT_APPLICABLE:
            self.block("ruleset_not_applicable", ruleset=rid, why=outcome.get("reasons", []))
            return False
        return True

    def candidates(self, compiled: CompiledRuleset) -> list[CompiledCriterion]:
        statuses = self.ctx.statuses
        return [crit for crit in compiled.criteria  # a `not_met` is final (a pending one is `unknown`)
                if statuses[crit.id] == st.UNKNOWN and crit.id not in self.items and crit.id not in self.declined]

    def reach(self, target: Target) -> None:
        rs = self.library.rulesets[target.ruleset]
        rs.policy.plan(self, rs, target)


def make_plan(evaluation: Evaluation, target: Target) -> Plan:
    planner = _Planner(evaluation)
    planner.reach(target)
    order = {cid: i for i, cid in enumerate(evaluation.library.criteria)}
    windows = evaluation.ctx.windows
    # by latest start date (the due date minus the lead time), then in the referentials' order
    items = sorted(planner.items, key=lambda c: (windows[c].start_by or dt.date.max if c in windows else dt.date.max, order[c]))
    effort = sum(planner.effort(evaluation.library.criteria[c]) for c in items)
    return Plan(target, items, round(effort, 6), planner.blockers, planner.notes)


def step_parts(crit: CompiledCriterion, ctx) -> dict[str, Any]:
    """What is left to do for one step, read from its condition on the evaluation's context: the
    evidence kinds still to provide (those already valid are not asked again), the facts the dossier
    does not state yet, and whether the rest of the work is already done (a condition whose every
    part but its evidence already holds: only the proof is missing, so the step is not priced)."""
    node = crit.requires_node
    parts = node.children if isinstance(node, All) else (node,)
    proofs = [p for p in parts if isinstance(p, (EvidenceTest, MemberEvidenceTest))]
    work = [p for p in parts if not isinstance(p, (EvidenceTest, MemberEvidenceTest))]
    holds = {id(p): p.compile()(ctx) == tri.TRUE for p in parts}
    provide = list(dict.fromkeys(p.kind for p in proofs if not holds[id(p)]))
    facts = sorted({f for p in work if not holds[id(p)] for f in references(p)[0] if ctx.facts.get(f) is None})
    done = bool(work) and bool(provide) and all(holds[id(p)] for p in work) and st.EVIDENCE_IS_THE_WORK not in crit.model.tags
    return {"work_done": done,
            "provide": provide, "facts": facts}


def target_reached(evaluation: Evaluation, target: Target) -> bool:
    policy = evaluation.library.rulesets[target.ruleset].policy
    return policy.reached(evaluation.ctx.outcomes.get(target.ruleset, {}), target)


def target_state(evaluation: Evaluation, target: Target) -> dict[str, Any]:
    """The parts of the target ruleset's outcome a user reads after a plan."""
    policy = evaluation.library.rulesets[target.ruleset].policy
    return policy.target_state(evaluation.ctx.outcomes.get(target.ruleset, {}), target)


def verify(evaluation: Evaluation, plan: Plan) -> Evaluation:
    """Re-evaluate with every plan item (and the evaluation's own assumptions) assumed met, with the
    same evidence problems and portfolio as the evaluation the plan was computed from."""
    assume = dict(evaluation.assumed)
    assume.update({cid: st.MET for cid in plan.items})
    options = evaluation.options or Options(evaluation.as_of, tuple(evaluation.selected))
    return evaluate_with(evaluation.library, evaluation.dossier, dataclasses.replace(options, assume=assume))


def plan_document(evaluation: Evaluation, target: Target) -> PlanDocument:
    """The plan as the `raccord.plan/1` document: the state before, the items with their effort,
    stage and expected evidence, the blockers, and the state after, verified by re-evaluation."""
    plan = make_plan(evaluation, target)
    after = verify(evaluation, plan)
    library = evaluation.library
    items = []
    stage_titles = {(rid, stage.id): to_data(stage.title)
                    for rid, rs in library.rulesets.items() for stage in rs.model.stages}
    for cid in plan.items:
        crit = library.criteria[cid]
        model = crit.model
        parts = step_parts(crit, evaluation.ctx)
        described = {e.kind: to_data(e.description) for e in model.evidence}
        items.append({"criterion": cid, "ruleset": crit.ruleset, "title": to_data(model.title),
                      "status": evaluation.status(cid), "effort": 0.0 if parts["work_done"] else model.effort,
                      "points": model.points, "level": model.level, "scheme": model.scheme, "stage": model.stage,
                      "evidence_expected": [{"kind": e.kind, "description": to_data(e.description)}
                                            for e in model.evidence],
                      # what the step asks: the work (unless already done), the documents still missing, the facts to state
                      "work_done": parts["work_done"],
                      "provide": [{"kind": kind, "description": described.get(kind)} for kind in parts["provide"]],
                      "facts_to_state": parts["facts"]})
        if model.stage:
            items[-1]["stage_title"] = stage_titles.get((crit.ruleset, model.stage))
        if cid in evaluation.ctx.windows:
            items[-1]["due"] = evaluation.ctx.windows[cid].as_dict()
            if evaluation.ctx.status_reasons.get(cid) == PROOF_ONLY:
                items[-1]["proof_only"] = True  # the step can no longer be done, only proved
    return {
        "format": "raccord.plan/1",
        "as_of": evaluation.as_of.isoformat(),
        "dossier": {"id": evaluation.dossier.file.production.id, "title": evaluation.dossier.file.production.title},
        "target": plan.target.label,
        "method": "exact",
        "assumed": evaluation.assumed,
        "before": jsonable(target_state(evaluation, target)),
        "feasible": plan.feasible,
        "blockers": jsonable(plan.blockers),
        "notes": plan.notes,
        "items": items,
        "effort": plan.effort,
        "after": jsonable(target_state(after, target)),
    }
