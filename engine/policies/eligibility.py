"""`eligibility`: aid schemes, each eligible iff all its applicable conditions hold and it is in force."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import status as st
from .base import Fail, Outcome, Policy

if TYPE_CHECKING:
    from ..compiled import CompiledRuleset
    from ..context import Context


class EligibilityPolicy(Policy):
    kind = "eligibility"
    criterion_attributes = {"scheme": True, "mandatory": False}

    def __init__(self, ruleset) -> None:
        super().__init__(ruleset)
        self.members = {s.id: [c.id for c in ruleset.criteria if c.scheme == s.id] for s in self.params.schemes}
        self.not_actionable = {c.id for c in ruleset.criteria if st.NOT_ACTIONABLE in c.tags}
        # (id, members, scheme, fixed amount, outcome key) per scheme, read on every evaluation
        self.plan = [(s.id, tuple(self.members[s.id]), s, _fixed_amount(s), f"scheme.{s.id}") for s in self.params.schemes]

    def outcome_fields(self) -> dict[str, str]:
        fields = {f"scheme.{s.id}": "decision" for s in self.params.schemes}
        fields["amount"] = "range"
        return fields

    def check(self, fail: Fail) -> None:
        super().check(fail)
        ids = [s.id for s in self.params.schemes]
        if len(set(ids)) != len(ids):
            raise fail(("policy", "schemes"), "two schemes share an id", "")
        for i, crit in enumerate(self.ruleset.criteria):
            if crit.scheme not in ids:
                raise fail(("criteria", i, "scheme"), f"criterion {crit.id}: unknown scheme '{crit.scheme}'",
                           "schemes: " + ", ".join(ids))

    def outcome(self, compiled: CompiledRuleset, ctx: Context) -> Outcome:
        schemes: dict[str, dict] = {}
        low = high = 0.0
        statuses, as_of = ctx.statuses, ctx.as_of
        NOT_MET, UNKNOWN = st.NOT_MET, st.UNKNOWN  # noqa: N806 - locals in the loop over criteria
        out: Outcome = {"schemes": schemes, "reasons": [], "decision": None}
        blocking: list[str] = []
        for sid, ids, scheme, amount, key in self.plan:
            not_met: list[str] = []
            unknown: list[str] = []
            for cid in ids:
                status = statuses[cid]
                if status == NOT_MET:
                    not_met.append(cid)
                elif status == UNKNOWN:
                    unknown.append(cid)
            reasons: list[str] = []
            if not scheme.in_force(as_of):
                decision = st.NOT_ELIGIBLE
                reasons.append("scheme_not_in_force")
                not_met = unknown = []  # nothing the production does changes a closed scheme
            elif not_met:
                decision = st.NOT_ELIGIBLE
                reasons.append("condition_not_met")
            elif unknown:
                decision = st.UNDETERMINED
                reasons.append("condition_unknown")
            else:
                decision = st.ELIGIBLE
            if amount is not None:
                low += amount if decision == st.ELIGIBLE else 0
                high += amount if decision != st.NOT_ELIGIBLE else 0
            schemes[sid] = {
                "decision": decision,
                "reasons": reasons,
                "amount": amount,
                "not_met": not_met,
                "unknown": unknown,
                "blocking": not_met + unknown,
            }
            blocking += not_met
            blocking += unknown
            out[key] = decision
        out["amount"] = (low, high)
        out["blocking"] = blocking
        return out

    def settled(self, compiled: CompiledRuleset, outcome: Outcome, ctx: Context) -> set[str]:
        """Conditions of a scheme that cannot become claimable: one not in force at the evaluation
        date, or one closed by a property of the work (a `not_actionable` condition not met, such as
        shooting in the region of a regional aid)."""
        schemes = outcome.get("schemes", {})
        closed = [sid for sid, members in self.members.items()
                  if "scheme_not_in_force" in schemes.get(sid, {}).get("reasons", ())
                  or any(cid in self.not_actionable and ctx.statuses.get(cid) == st.NOT_MET for cid in members)]
        return {cid for sid in closed for cid in self.members[sid]}


def _fixed_amount(scheme) -> float | None:
    """The amount a scheme pays whatever the production (flat aid or prize), else None."""
    return scheme.amount.value if scheme.amount and scheme.amount.kind in ("flat", "prize") else None
