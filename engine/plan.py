"""Least-effort plans: which remaining criteria to satisfy so that a target outcome is reached.

Generic: a target names a ruleset and what it must reach, read from its policy kind —
`RID` (threshold: eligible; obligations: compliant; levels: the policy's target level),
`RID:N` (levels: level N), `RID:SCHEME` (eligibility: that scheme eligible).

Candidates are the criteria whose status is `unknown` or `not_met`, minus those the dossier
declines. Criteria tagged `not_actionable` (a property of the work, such as its genre or region)
cannot be acted upon when `not_met`: they block the target instead.

A criterion that only delegates to other criteria or outcomes (`{criterion: ID}`,
`{outcome: RID.FIELD ...}`, or an `all` of them) is replaced by what it delegates to, recursively,
so a plan lists actions rather than summaries. Sub-goals:
- levels, level N: every remaining criterion of levels 1..N (forced; exact by construction);
- obligations: every remaining mandatory criterion (forced);
- eligibility scheme: every remaining criterion of the scheme (forced);
- threshold: every remaining mandatory criterion (forced), then an exact 0/1 covering knapsack
  (dynamic programming over points, O(n * P) with n candidates and P the points still needed,
  after scaling points to integers) that minimises total effort subject to reaching the threshold.
Sub-goals are solved separately and their items united: the union is optimal when the sub-goals
share no optional item (forced items are needed whatever the plan). No heuristic is used; when a
condition cannot be decomposed (an `any`, a fact, an evidence test), the criterion itself is the
item to satisfy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from . import status as st
from . import tri
from .compiled import CompiledCriterion, Library
from .conditions import All, CriterionTest, Node, OutcomeTest
from .errors import InputError
from .evaluate import Evaluation, evaluate
from .policies.threshold import EPSILON

NOT_ACTIONABLE = st.NOT_ACTIONABLE
CANDIDATE = (st.UNKNOWN, st.NOT_MET)


@dataclass(frozen=True)
class Target:
    ruleset: str
    kind: str  # "decision" | "level" | "scheme"
    level: int | None = None
    scheme: str | None = None

    @property
    def label(self) -> str:
        if self.kind == "level":
            return f"{self.ruleset}:{self.level}"
        if self.kind == "scheme":
            return f"{self.ruleset}:{self.scheme}"
        return self.ruleset


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
    """`RID`, `RID:N` or `RID:SCHEME`; a scheme id alone after any prefix (`aid:prime_rse_plus`) is
    looked up among the eligibility rulesets."""
    head, _, tail = text.partition(":")
    if head in library.rulesets:
        rs = library.rulesets[head]
        kind = rs.model.policy.kind
        if not tail:
            if kind == "levels":
                level = rs.model.policy.target
                if level is None:
                    raise InputError("--target", f"ruleset {head} has levels: name one", f"e.g. {head}:2")
                return Target(head, "level", level=level)
            if kind == "eligibility":
                schemes = ", ".join(s.id for s in rs.model.policy.schemes)
                raise InputError("--target", f"ruleset {head} has schemes: name one", f"{head}:SCHEME ({schemes})")
            return Target(head, "decision")
        if kind == "levels":
            numbers = [lv.level for lv in rs.model.policy.levels]
            if not tail.isdigit() or int(tail) not in numbers:
                raise InputError("--target", f"'{tail}' is not a level of {head}", "levels: " + ", ".join(map(str, numbers)))
            return Target(head, "level", level=int(tail))
        if kind == "eligibility":
            return Target(head, "scheme", scheme=_scheme_id(library, head, tail))
        raise InputError("--target", f"ruleset {head} ({kind}) takes no ':' part", f"use --target {head}")
    if tail:
        owners = [rid for rid, rs in library.rulesets.items() if rs.model.policy.kind == "eligibility"
                  and any(s.id == tail for s in rs.model.policy.schemes)]
        if len(owners) == 1:
            return Target(owners[0], "scheme", scheme=tail)
    known = ", ".join(library.rulesets)
    raise InputError("--target", f"unknown target '{text}'", f"rulesets: {known}; forms: RID, RID:LEVEL, RID:SCHEME")


def _scheme_id(library: Library, rid: str, sid: str) -> str:
    ids = [s.id for s in library.rulesets[rid].model.policy.schemes]
    if sid not in ids:
        raise InputError("--target", f"unknown scheme '{sid}' in {rid}", "schemes: " + ", ".join(ids))
    return sid


class _Planner:
    def __init__(self, evaluation: Evaluation) -> None:
        self.ev = evaluation
        self.library = evaluation.library
        self.ctx = evaluation.ctx
        self.declined = evaluation.dossier.file.declined
        self.items: set[str] = set()
        self.blockers: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.seen: set[str] = set()

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
        if cid in self.declined:
            self.block("declined", criterion=cid, why=self.declined[cid])
            return False
        if NOT_ACTIONABLE in crit.model.tags and self.status(cid) == st.NOT_MET:
            self.block("not_actionable", criterion=cid)
            return False
        return True

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
        if own:  # a part of its own (fact, evidence, `any`...): the criterion itself is an item
            self.items.add(cid)
        for goal in goals:
            goal()

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
        if rs is None:
            return None
        kind, name, op, want = rs.model.policy.kind, node.field_name, node.op, node.target
        if kind == "levels" and name in ("level", "project_level") and op in ("gte", "gt", "eq"):
            level = int(want) + (1 if op == "gt" else 0)
            return lambda: self.level(node.ruleset, level)
        positive = {st.ELIGIBLE, st.COMPLIANT}
        wanted = set(want) if op == "in" else ({want} if op == "eq" else set())
        if name == "decision" and wanted and wanted <= positive:
            if kind == "levels":
                target = rs.model.policy.target
                return None if target is None else (lambda: self.level(node.ruleset, target))
            return lambda: self.decision(node.ruleset)
        if kind == "eligibility" and name.startswith("scheme.") and wanted and wanted <= positive:
            return lambda: self.scheme(node.ruleset, name.removeprefix("scheme."))
        if kind == "threshold" and name == "score" and op in ("gte", "gt"):
            return lambda: self.threshold(node.ruleset, value=float(want), inclusive=op == "gte")
        return None

    def ruleset_open(self, rid: str) -> bool:
        outcome = self.ctx.outcomes.get(rid, {})
        if outcome.get("decision") == st.NOT_APPLICABLE:
            self.block("ruleset_not_applicable", ruleset=rid, why=outcome.get("reasons", []))
            return False
        return True

    def decision(self, rid: str) -> None:
        kind = self.library.rulesets[rid].model.policy.kind
        if kind == "threshold":
            self.threshold(rid)
        elif kind == "obligations":
            if self.ruleset_open(rid):
                for crit in self.library.rulesets[rid].criteria:
                    if crit.model.mandatory:
                        self.criterion(crit.id)
        elif kind == "levels":
            target = self.library.rulesets[rid].model.policy.target
            if target is None:
                self.block("no_target_level", ruleset=rid)
            else:
                self.level(rid, target)
        else:
            self.block("no_single_decision", ruleset=rid)

    def level(self, rid: str, level: int) -> None:
        if not self.ruleset_open(rid):
            return
        rs = self.library.rulesets[rid]
        for lv in rs.model.policy.levels:
            if lv.level <= level and lv.scope == "company":
                members = self.ctx.portfolio.get(rid)
                short = [label for label, out in (members or []) if (out.get("project_level") or (0, 0))[0] < lv.level]
                if members is None or short:
                    self.block("company_level", ruleset=rid, level=lv.level, projects=short,
                               why="portfolio_required" if members is None else "portfolio_project_below_level")
        for crit in rs.criteria:
            if crit.model.level <= level:
                self.criterion(crit.id)

    def scheme(self, rid: str, sid: str) -> None:
        if not self.ruleset_open(rid):
            return
        rs = self.library.rulesets[rid]
        scheme = next(s for s in rs.model.policy.schemes if s.id == sid)
        if not scheme.in_force(self.ev.as_of):
            self.block("scheme_not_in_force", ruleset=rid, scheme=sid,
                       valid_from=scheme.valid_from, valid_until=scheme.valid_until)
            return
        for crit in rs.criteria:
            if crit.model.scheme == sid:
                self.criterion(crit.id)

    def threshold(self, rid: str, value: float | None = None, inclusive: bool = True) -> None:
        if not self.ruleset_open(rid):
            return
        rs = self.library.rulesets[rid]
        ctx = self.ctx
        for crit in rs.criteria:
            if crit.model.mandatory:
                self.criterion(crit.id)
        met = applicable = 0.0
        optional: list[tuple[str, float, float]] = []
        for crit in rs.criteria:
            status = ctx.statuses[crit.id]
            if status == st.NOT_APPLICABLE:
                continue
            points = crit.model.points
            applicable += points
            if status == st.MET or crit.id in self.items:
                met += points
            elif status in CANDIDATE and crit.id not in self.declined and not (
                    NOT_ACTIONABLE in crit.model.tags and status == st.NOT_MET) and not crit.model.mandatory:
                optional.append((crit.id, points, crit.model.effort))
        if value is not None:
            rules = [(value, inclusive)]
        else:
            candidates, _ = rs.policy.candidate_rules(rs, ctx)
            if not candidates:
                self.block("no_threshold_applies", ruleset=rid)
                return
            if len(candidates) > 1:
                self.notes.append(f"{rid}: the applicable threshold rule is undetermined; the plan meets all candidates")
            rules = [(rs.model.policy.threshold[i].value, rs.model.policy.threshold[i].inclusive) for i in candidates]
        chosen, reachable = knapsack_cover(optional, met, applicable, rules)
        if not reachable:
            self.block("score_unreachable", ruleset=rid)
            return
        self.items.update(chosen)


def passes(score: float, value: float, inclusive: bool) -> bool:
    return score >= value - EPSILON if inclusive else score > value + EPSILON


def _scale(values: list[float]) -> int:
    for k in (1, 2, 4, 5, 10, 20, 100, 1000):
        if all(abs(v * k - round(v * k)) < 1e-9 for v in values):
            return k
    return 10000  # finer than any grid we know; rounding then stays below the EPSILON of scores


def knapsack_cover(items: list[tuple[str, float, float]], met: float, applicable: float,
                   rules: list[tuple[float, bool]]) -> tuple[list[str], bool]:
    """Minimum-effort subset of `items` (id, points, effort) so that (met + chosen points) /
    applicable passes every rule. Exact DP over integer-scaled points; ties keep fewer points."""
    if applicable <= 0:
        return [], False
    k = _scale([p for _, p, _ in items] + [met])
    total = sum(round(p * k) for _, p, _ in items)

    def ok(extra: int) -> bool:
        score = (met + extra / k) / applicable
        return all(passes(score, v, inc) for v, inc in rules)

    if ok(0):
        return [], True
    if not ok(total):
        return [], False
    need = max(0, math.ceil((max(v for v, _ in rules) * applicable - met) * k - 1e-6))
    while not ok(need):
        need += 1
    while need > 0 and ok(need - 1):
        need -= 1
    return _reconstruct(items, k, need), True


def _reconstruct(items: list[tuple[str, float, float]], k: int, need: int) -> list[str]:
    """Classic table reconstruction: rows[i][j] = least effort with the first i items reaching j."""
    inf = float("inf")
    rows = [[0.0] + [inf] * need]
    for _, points, effort in items:
        p = round(points * k)
        prev = rows[-1]
        row = list(prev)
        for j in range(need + 1):
            if prev[j] == inf:
                continue
            to = min(need, j + p)
            if prev[j] + effort < row[to] - 1e-12:
                row[to] = prev[j] + effort
        rows.append(row)
    chosen: list[str] = []
    j = need
    for i in range(len(items), 0, -1):
        if rows[i][j] == rows[i - 1][j]:
            continue
        cid, points, effort = items[i - 1]
        p = round(points * k)
        # find the predecessor state j0 with min(need, j0 + p) == j and rows[i-1][j0] + effort == rows[i][j]
        candidates = range(j - p, j + 1) if j == need else [j - p]
        for j0 in candidates:
            if 0 <= j0 <= need and min(need, j0 + p) == j and abs(rows[i - 1][j0] + effort - rows[i][j]) < 1e-9:
                chosen.append(cid)
                j = j0
                break
    return chosen


def make_plan(evaluation: Evaluation, target: Target) -> Plan:
    planner = _Planner(evaluation)
    if target.kind == "level":
        planner.level(target.ruleset, target.level)
    elif target.kind == "scheme":
        planner.scheme(target.ruleset, target.scheme)
    else:
        planner.decision(target.ruleset)
    order = {cid: i for i, cid in enumerate(evaluation.library.criteria)}
    items = sorted(planner.items, key=lambda c: order[c])
    effort = sum(evaluation.library.criteria[c].model.effort for c in items)
    return Plan(target, items, round(effort, 6), planner.blockers, planner.notes)


def target_reached(evaluation: Evaluation, target: Target) -> bool:
    outcome = evaluation.ctx.outcomes.get(target.ruleset, {})
    if target.kind == "level":
        level = outcome.get("level")
        return bool(level) and level[0] >= target.level
    if target.kind == "scheme":
        return outcome.get("schemes", {}).get(target.scheme, {}).get("decision") == st.ELIGIBLE
    return outcome.get("decision") in (st.ELIGIBLE, st.COMPLIANT)


def target_state(evaluation: Evaluation, target: Target) -> dict[str, Any]:
    """The parts of the target ruleset's outcome a user reads after a plan."""
    outcome = evaluation.ctx.outcomes.get(target.ruleset, {})
    out: dict[str, Any] = {"reached": target_reached(evaluation, target)}
    if target.kind == "scheme":
        scheme = outcome.get("schemes", {}).get(target.scheme, {})
        out.update(decision=scheme.get("decision"), amount=scheme.get("amount"), blocking=scheme.get("blocking", []))
    else:
        for key in ("decision", "score", "level", "stars"):
            if outcome.get(key) is not None:
                out[key] = outcome[key]
        out["blocking"] = outcome.get("blocking", [])
    return out


def verify(evaluation: Evaluation, plan: Plan) -> Evaluation:
    """Re-evaluate with every plan item (and the evaluation's own assumptions) assumed met."""
    assume = dict(evaluation.assumed)
    assume.update({cid: st.MET for cid in plan.items})
    portfolio = [m.dossier for m in evaluation.portfolio] if evaluation.ctx.portfolio else None
    return evaluate(evaluation.library, evaluation.dossier, evaluation.as_of, evaluation.selected, portfolio,
                    assume=assume)
