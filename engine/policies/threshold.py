"""`threshold`: weighted share of applicable points, a threshold rule, mandatory criteria, stars."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from .. import status as st
from .. import tri
from ..knapsack import knapsack_cover
from ..model import Check, Condition, PolicyParams, SourceRef, Strict, Text
from ..record import record
from .base import Outcome, Planner, Policy, Statement, Tally, Target

if TYPE_CHECKING:
    from ..compiled import CompiledRuleset
    from ..context import Context

EPSILON = 1e-9  # points are summed in floating point; 13/20 must equal 0.65


@record
class ThresholdRule(Strict):
    when: Condition | None = None
    value: Annotated[float, Check(gt=0, le=1)]
    inclusive: bool
    source: SourceRef
    note: Text | None = None


@record
class StarBand(Strict):
    min: Annotated[float, Check(ge=0, le=1)]
    stars: Annotated[int, Check(ge=1)]


@record
class Stars(Strict):
    verified: bool
    note: Text | None = None
    bands: Annotated[list[StarBand], Check(min_length=1)]


@record
class ThresholdParams(PolicyParams):
    kind: Literal["threshold"]
    threshold: Annotated[list[ThresholdRule], Check(min_length=1)]
    stars: Stars | None = None


def passes(score: float, rule: ThresholdRule) -> bool:
    if rule.inclusive:
        return score >= rule.value - EPSILON
    return score > rule.value + EPSILON


class ThresholdPolicy(Policy):
    kind = "threshold"
    Params = ThresholdParams
    criterion_attributes = {"points": True, "mandatory": False}

    def __init__(self, ruleset) -> None:
        super().__init__(ruleset)
        self.scored = tuple((c.id, c.points or 0.0, c.mandatory) for c in ruleset.criteria)

    def outcome_fields(self) -> dict[str, str]:
        return {"decision": "decision", "score": "range", "stars": "range"}

    def conditions(self) -> list[tuple[tuple, Condition | None]]:
        return [(("policy", "threshold", i, "when"), rule.when) for i, rule in enumerate(self.params.threshold)]

    def source_refs(self) -> list[tuple[tuple, str]]:
        return [(("policy", "threshold", i, "source", "document"), rule.source.document)
                for i, rule in enumerate(self.params.threshold)]

    def candidate_rules(self, compiled: CompiledRuleset, ctx: Context) -> tuple[list[int], list[str]]:
        """Indexes of the threshold rules that may apply (more than one when a `when` is unknown)."""
        candidates: list[int] = []
        for index, when in enumerate(compiled.policy_conditions):
            value = tri.TRUE if when is None else when(ctx)
            if value == tri.TRUE:
                candidates.append(index)
                return candidates, []
            if value == tri.UNKNOWN:
                candidates.append(index)
        return candidates, (["threshold_undetermined"] if candidates else ["no_threshold_applies"])

    def tally(self) -> Tally:
        """The mandatory criteria not met and unknown; the points met, unknown and applicable."""
        mandatory = tuple(cid for cid, _, is_mandatory in self.scored if is_mandatory)
        return Tally(((mandatory, (st.NOT_MET, st.UNKNOWN)),), tuple((cid, points) for cid, points, _ in self.scored))

    def outcome(self, compiled: CompiledRuleset, ctx: Context) -> Outcome:
        (mandatory_not_met, mandatory_unknown), (met, unknown, applicable) = compiled.tally(ctx.statuses)
        if not applicable:
            return {"decision": st.NOT_APPLICABLE, "reasons": ["no_applicable_criteria"], "score": None,
                    "stars": None, "threshold": None}
        current, best = met / applicable, (met + unknown) / applicable
        rules = self.params.threshold
        candidates, reasons = self.candidate_rules(compiled, ctx)
        chosen = [rules[i] for i in candidates]
        pass_now = bool(chosen) and all(passes(current, r) for r in chosen)
        fail_always = not chosen or all(not passes(best, r) for r in chosen)
        if mandatory_not_met:
            reasons.append("mandatory_not_met")
        if fail_always:
            reasons.append("score_below_threshold")
        if mandatory_not_met or fail_always:
            decision = st.NOT_ELIGIBLE
        elif pass_now and not mandatory_unknown:
            decision = st.ELIGIBLE
        else:
            decision = st.UNDETERMINED
            if mandatory_unknown:
                reasons.append("mandatory_unknown")
            if not pass_now:
                reasons.append("score_undetermined")
        threshold = None
        if chosen:
            threshold = {"value": chosen[0].value, "inclusive": chosen[0].inclusive, "rule": candidates[0],
                         "candidates": candidates}
        return {
            "decision": decision,
            "reasons": reasons,
            "score": (current, best),
            "points": {"met": met, "unknown": unknown, "applicable": applicable},
            "threshold": threshold,
            "stars": self._stars(current, best, decision),
            "stars_verified": bool(self.params.stars and self.params.stars.verified),
            "mandatory_not_met": mandatory_not_met,
            "mandatory_unknown": mandatory_unknown,
            "blocking": mandatory_not_met + mandatory_unknown,
        }

    def _stars(self, current: float, best: float, decision: str) -> tuple[int, int] | None:
        if not self.params.stars or decision == st.NOT_ELIGIBLE:
            return None

        def band(score: float) -> int:
            earned = 0
            for b in self.params.stars.bands:
                if score >= b.min - EPSILON:
                    earned = max(earned, b.stars)
            return earned

        low = band(current) if decision == st.ELIGIBLE else 0
        return (low, band(best))

    def settled(self, compiled: CompiledRuleset, outcome: Outcome, ctx: Context) -> set[str]:
        """Once eligible with the top star band (or no bands), optional actions change nothing."""
        if outcome.get("decision") != st.ELIGIBLE:
            return set()
        stars = outcome.get("stars")
        top = max((b.stars for b in self.params.stars.bands), default=0) if self.params.stars else 0
        if stars and stars[0] < top:
            return set()
        return {c.id for c in compiled.criteria if not c.model.mandatory}

    # -- the result document -------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        stars = self.params.stars
        if stars is None:
            return {}
        out: dict[str, Any] = {"stars_verified": stars.verified}
        if stars.note:
            out["stars_note"] = {"fr": stars.note.fr, "en": stars.note.en}
        return out

    @classmethod
    def summary(cls, entry: dict[str, Any]) -> list[Statement]:
        outcome = entry["outcome"]
        out = super().summary(entry)
        threshold = outcome.get("threshold")
        if threshold:
            out.append({"kind": "pass_mark", "value": threshold["value"], "inclusive": threshold["inclusive"]})
        stars = outcome.get("stars")
        if stars:
            out.append({"kind": "stars", "low": stars[0], "high": stars[1], "verified": bool(entry.get("stars_verified"))})
        return out

    # -- targets and plans ---------------------------------------------------------------------
    def outcome_goal(self, compiled: CompiledRuleset, field: str, op: str, value: Any) -> Target | None:
        if field == "score" and op in ("gte", "gt"):
            return Target(compiled.id, ("score", float(value), op == "gte"), compiled.id)
        return super().outcome_goal(compiled, field, op, value)

    def plan(self, planner: Planner, compiled: CompiledRuleset, target: Target) -> None:
        """Every remaining mandatory criterion (forced), then an exact covering knapsack over the
        optional ones minimising effort (engine/knapsack.py)."""
        rid = compiled.id
        if not planner.ruleset_open(rid):
            return
        for crit in compiled.criteria:
            if crit.model.mandatory:
                planner.criterion(crit.id)
        ctx = planner.ctx
        met = applicable = 0.0
        for crit in compiled.criteria:
            status = ctx.statuses[crit.id]
            if status == st.NOT_APPLICABLE:
                continue
            applicable += crit.model.points
            if status == st.MET or crit.id in planner.items:
                met += crit.model.points
        optional = [(c.id, c.model.points, planner.effort(c)) for c in planner.candidates(compiled) if not c.model.mandatory]
        if isinstance(target.goal, tuple):
            _, value, inclusive = target.goal
            rules = [(value, inclusive)]
        else:
            candidates, _ = self.candidate_rules(compiled, ctx)
            if not candidates:
                planner.block("no_threshold_applies", ruleset=rid)
                return
            if len(candidates) > 1:
                planner.notes.append(f"{rid}: the applicable threshold rule is undetermined; the plan meets all candidates")
            rules = [(self.params.threshold[i].value, self.params.threshold[i].inclusive) for i in candidates]
        chosen, reachable = knapsack_cover(optional, met, applicable, rules, EPSILON)
        if not reachable:
            planner.block("score_unreachable", ruleset=rid)
            return
        planner.items.update(chosen)
