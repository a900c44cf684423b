"""`obligations`: compliant iff every applicable mandatory obligation is met (VHSS-style)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import status as st
from .base import Outcome, Planner, Policy, Tally, Target

if TYPE_CHECKING:
    from ..compiled import CompiledRuleset
    from ..context import Context


class ObligationsPolicy(Policy):
    kind = "obligations"
    criterion_attributes = {"mandatory": False}

    def __init__(self, ruleset) -> None:
        super().__init__(ruleset)
        self.mandatory = tuple(c.id for c in ruleset.criteria if c.mandatory)
        self.recommended = tuple(c.id for c in ruleset.criteria if not c.mandatory)

    def tally(self) -> Tally:
        return Tally(((self.mandatory, st.STATUSES), (self.recommended, st.STATUSES)))

    def outcome(self, compiled: CompiledRuleset, ctx: Context) -> Outcome:
        mandatory_lists, recommended_lists = compiled.tally(ctx.statuses)
        mandatory = dict(zip(st.STATUSES, mandatory_lists, strict=True))
        recommended = dict(zip(st.STATUSES, recommended_lists, strict=True))
        applicable = len(mandatory[st.MET]) + len(mandatory[st.NOT_MET]) + len(mandatory[st.UNKNOWN])
        reasons = []
        if not applicable and len(recommended[st.NOT_APPLICABLE]) == sum(map(len, recommended.values())):
            decision = st.NOT_APPLICABLE  # nothing applies: say so rather than "compliant"
            reasons.append("no_applicable_criteria")
        elif mandatory[st.NOT_MET]:
            decision = st.NOT_COMPLIANT
            reasons.append("mandatory_not_met")
        elif mandatory[st.UNKNOWN]:
            decision = st.UNDETERMINED
            reasons.append("mandatory_unknown")
        else:
            decision = st.COMPLIANT
        met = len(mandatory[st.MET])
        score = (met / applicable, (met + len(mandatory[st.UNKNOWN])) / applicable) if applicable else None
        return {
            "decision": decision,
            "reasons": reasons,
            "score": score,
            "mandatory": {k: v for k, v in mandatory.items() if v},
            "recommended": {k: v for k, v in recommended.items() if v},
            "blocking": mandatory[st.NOT_MET] + mandatory[st.UNKNOWN],
        }

    def outcome_fields(self) -> dict[str, str]:
        return {"decision": "decision", "score": "range"}

    def settled(self, compiled: CompiledRuleset, outcome: Outcome, ctx: Context) -> set[str]:
        """Recommendations are reported with the criteria, never as missing for compliance."""
        return set(self.recommended)

    def plan(self, planner: Planner, compiled: CompiledRuleset, target: Target) -> None:
        """Every remaining mandatory obligation (forced)."""
        if planner.ruleset_open(compiled.id):
            for crit in compiled.criteria:
                if crit.model.mandatory:
                    planner.criterion(crit.id)
