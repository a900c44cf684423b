"""`eligibility`: aid schemes, each eligible iff all its applicable conditions hold and it is in force;
not applicable when none of its conditions applies to the production."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from .. import status as st
from ..errors import InputError
from ..model import Check, Dated, Ident, PolicyParams, Provenance, SourceRef, Strict, Text, to_data
from ..record import record
from .base import DEADLINE_PASSED, Fail, Outcome, Planner, Policy, Statement, Tally, Target, positive_decision

if TYPE_CHECKING:
    from ..compiled import CompiledRuleset
    from ..context import Context


@record
class Amount(Strict):
    value: Annotated[float, Check(ge=0)] | None = None
    rate: Annotated[float, Check(gt=0, le=1)] | None = None
    base: str | None = None
    currency: str = "EUR"
    kind: Literal["flat", "rate", "prize", "variable"] = "flat"
    note: Text | None = None


@record
class Scheme(Dated):
    id: Ident
    title: Text
    description: Text | None = None
    amount: Amount | None = None
    source: SourceRef
    provenance: Provenance
    paid_at: Text | None = None
    note: Text | None = None


@record
class EligibilityParams(PolicyParams):
    kind: Literal["eligibility"]
    schemes: Annotated[list[Scheme], Check(min_length=1)]


NO_APPLICABLE_CONDITION = "no_applicable_condition"  # a scheme whose every condition is not applicable


class EligibilityPolicy(Policy):
    kind = "eligibility"
    Params = EligibilityParams
    makes_claims = True
    criterion_attributes = {"scheme": True, "mandatory": False}

    def __init__(self, ruleset) -> None:
        super().__init__(ruleset)
        self.members = {s.id: [c.id for c in ruleset.criteria if c.scheme == s.id] for s in self.params.schemes}
        self.not_actionable = {c.id for c in ruleset.criteria if st.NOT_ACTIONABLE in c.tags}
        # (id, members, scheme, fixed amount, outcome key) per scheme, read on every evaluation
        self.rows = [(s.id, tuple(self.members[s.id]), s, _fixed_amount(s), f"scheme.{s.id}") for s in self.params.schemes]

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
        as_of = ctx.as_of
        out: Outcome = {"schemes": schemes, "reasons": [], "decision": None}
        blocking: list[str] = []
        for (sid, ids, scheme, amount, key), (met, not_met, unknown) in zip(self.rows, compiled.tally(ctx.statuses), strict=True):
            applicable = not ids or bool(met)  # a scheme without conditions is open to every production
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
            elif not applicable:  # every condition is for other productions: not a scheme for this one
                decision = st.NOT_APPLICABLE
                reasons.append(NO_APPLICABLE_CONDITION)
            else:
                decision = st.ELIGIBLE
            if amount is not None:
                low += amount if decision == st.ELIGIBLE else 0
                high += amount if decision in (st.ELIGIBLE, st.UNDETERMINED) else 0
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

    def tally(self) -> Tally:
        return Tally(tuple((ids, (st.MET, st.NOT_MET, st.UNKNOWN)) for _, ids, _, _, _ in self.rows))

    def settled(self, compiled: CompiledRuleset, outcome: Outcome, ctx: Context) -> set[str]:
        """Conditions of a scheme that cannot become claimable: one not in force at the evaluation
        date, or one closed by a property of the work (a `not_actionable` condition not met, such as
        shooting in the region of a regional aid)."""
        schemes = outcome.get("schemes", {})
        closed = [sid for sid, members in self.members.items()
                  if "scheme_not_in_force" in schemes.get(sid, {}).get("reasons", ())
                  or any(cid in self.not_actionable and ctx.statuses.get(cid) == st.NOT_MET for cid in members)]
        return {cid for sid in closed for cid in self.members[sid]}


    def note_lost(self, outcome: Outcome, lost: set[str]) -> None:
        """A scheme whose unmet condition is lost to a deadline says so (« non éligible : délai dépassé »)."""
        for scheme in outcome.get("schemes", {}).values():
            if lost & set(scheme["not_met"]) and DEADLINE_PASSED not in scheme["reasons"]:
                scheme["reasons"].append(DEADLINE_PASSED)

    def source_refs(self) -> list[tuple[tuple, str]]:
        return [(("policy", "schemes", i, "source", "document"), scheme.source.document)
                for i, scheme in enumerate(self.params.schemes)]

    def claims(self, compiled: CompiledRuleset, outcome: Outcome) -> list[dict[str, Any]]:
        out = []
        for scheme in self.params.schemes:
            result = outcome.get("schemes", {}).get(scheme.id, {})
            out.append({
                "ruleset": compiled.id,
                "id": scheme.id,
                "title": _text(scheme.title),
                "decision": result.get("decision", outcome.get("decision")),
                "reasons": result.get("reasons", outcome.get("reasons", [])),
                "amount": to_data(scheme.amount, exclude_none=True, json=True) if scheme.amount else None,
                "valid_from": _iso(scheme.valid_from),
                "valid_until": _iso(scheme.valid_until),
                "paid_at": _text(scheme.paid_at),
                "note": _text(scheme.note),
                "source": {"document": scheme.source.document, "section": scheme.source.section,
                           **({"lines": scheme.source.lines} if scheme.source.lines else {}),
                           "citation": next(d for d in compiled.model.sources if d.id == scheme.source.document)
                           .cite(scheme.source.section, scheme.source.url)},
                "provenance": scheme.provenance,
                "not_met": list(result.get("not_met", [])),
                "unknown": list(result.get("unknown", [])),
            })
        return out

    def amount_range(self, outcome: Outcome) -> tuple[float, float] | None:
        amount = outcome.get("amount")
        return (amount[0], amount[1]) if amount else (0.0, 0.0)

    # -- the result document -------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        return {"schemes": [to_data(s, exclude_none=True, json=True) for s in self.params.schemes]}

    @classmethod
    def headline(cls, entry: dict[str, Any]) -> Statement | None:
        return {"kind": "claims"}  # the decisions are per scheme: see the aid section

    @classmethod
    def summary(cls, entry: dict[str, Any]) -> list[Statement]:
        titles = {s["id"]: s["title"] for s in entry.get("schemes", [])}
        out = super().summary(entry)
        for sid, scheme in entry["outcome"].get("schemes", {}).items():
            out.append({"kind": "scheme", "id": sid, "title": titles.get(sid), "decision": scheme["decision"],
                        "amount": scheme.get("amount"), "reasons": list(scheme.get("reasons", []))})
        amount = entry["outcome"].get("amount")
        if amount:
            out.append({"kind": "amount_total", "low": amount[0], "high": amount[1]})
        return out

    # -- targets and plans ---------------------------------------------------------------------
    def parse_target(self, rid: str, tail: str) -> Target:
        ids = [s.id for s in self.params.schemes]
        if not tail:
            raise InputError("--target", f"ruleset {rid} has schemes: name one", f"{rid}:SCHEME ({', '.join(ids)})")
        if tail not in ids:
            raise InputError("--target", f"unknown scheme '{tail}' in {rid}", "schemes: " + ", ".join(ids))
        return Target(rid, tail, f"{rid}:{tail}")

    def goal_names(self) -> list[str]:
        return [s.id for s in self.params.schemes]

    def outcome_goal(self, compiled: CompiledRuleset, field: str, op: str, value: Any) -> Target | None:
        sid = field.removeprefix("scheme.")
        if field.startswith("scheme.") and positive_decision(op, value):
            return Target(compiled.id, sid, f"{compiled.id}:{sid}")
        return None

    def plan(self, planner: Planner, compiled: CompiledRuleset, target: Target) -> None:
        """Every remaining criterion of the scheme (forced), if the scheme is in force."""
        rid = compiled.id
        if target.goal is None:
            planner.block("no_single_decision", ruleset=rid)
            return
        if not planner.ruleset_open(rid):
            return
        scheme = next(s for s in self.params.schemes if s.id == target.goal)
        if not scheme.in_force(planner.as_of):
            planner.block("scheme_not_in_force", ruleset=rid, scheme=scheme.id,
                          valid_from=scheme.valid_from, valid_until=scheme.valid_until)
            return
        if planner.ctx.outcomes.get(rid, {}).get("schemes", {}).get(scheme.id, {}).get("decision") == st.NOT_APPLICABLE:
            planner.block(NO_APPLICABLE_CONDITION, ruleset=rid, scheme=scheme.id)  # nothing to do would open it
            return
        for crit in compiled.criteria:
            if crit.model.scheme == scheme.id:
                planner.criterion(crit.id)

    def reached(self, outcome: Outcome, target: Target) -> bool:
        return outcome.get("schemes", {}).get(target.goal, {}).get("decision") == st.ELIGIBLE

    def target_state(self, outcome: Outcome, target: Target) -> dict[str, Any]:
        scheme = outcome.get("schemes", {}).get(target.goal, {})
        return {"reached": self.reached(outcome, target), "decision": scheme.get("decision"),
                "amount": scheme.get("amount"), "blocking": scheme.get("blocking", [])}


def _text(value: Text | None) -> dict[str, str] | None:
    return {"fr": value.fr, "en": value.en} if value is not None else None


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def _fixed_amount(scheme) -> float | None:
    """The amount a scheme pays whatever the production (flat aid or prize), else None."""
    return scheme.amount.value if scheme.amount and scheme.amount.kind in ("flat", "prize") else None
