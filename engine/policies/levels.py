"""`levels`: cumulative levels; a `company` level also needs every project of the portfolio."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import status as st
from .base import Fail, Outcome, Policy

if TYPE_CHECKING:
    from ..compiled import CompiledRuleset
    from ..context import Context


class LevelsPolicy(Policy):
    kind = "levels"
    criterion_attributes = {"level": True}

    def __init__(self, ruleset) -> None:
        super().__init__(ruleset)
        self.by_level: dict[int, list[str]] = {lv.level: [] for lv in self.params.levels}
        for crit in ruleset.criteria:
            if crit.level in self.by_level:
                self.by_level[crit.level].append(crit.id)

    def outcome_fields(self) -> dict[str, str]:
        return {"decision": "decision", "level": "range", "project_level": "range"}

    def check(self, fail: Fail) -> None:
        super().check(fail)
        numbers = [lv.level for lv in self.params.levels]
        if numbers != list(range(1, len(numbers) + 1)):
            raise fail(("policy", "levels"), "levels must be numbered 1, 2, 3... in order", "")
        for i, crit in enumerate(self.ruleset.criteria):
            if crit.level not in numbers:
                raise fail(("criteria", i, "level"), f"criterion {crit.id}: level {crit.level} is not declared", "")
        if self.params.target is not None and self.params.target not in numbers:
            raise fail(("policy", "target"), f"target level {self.params.target} is not declared", "")

    def outcome(self, compiled: CompiledRuleset, ctx: Context) -> Outcome:
        statuses = ctx.statuses
        NOT_MET, UNKNOWN = st.NOT_MET, st.UNKNOWN  # noqa: N806 - locals in the loop over criteria
        by_level = self.by_level
        project_now = project_best = 0
        gaps: dict[int, list[str]] = {}
        now_open = best_open = True
        for level in sorted(by_level):
            ids = by_level[level]
            not_met = [c for c in ids if statuses[c] == NOT_MET]
            unknown = [c for c in ids if statuses[c] == UNKNOWN]
            if not_met or unknown:
                gaps[level] = not_met + unknown
            now_open = now_open and not not_met and not unknown
            best_open = best_open and not not_met
            project_now += now_open
            project_best += best_open
        level_now, level_best, breakers = self._company_gate(compiled.id, ctx, project_now, project_best)
        reasons = []
        next_level = level_now + 1
        blocking = gaps.get(next_level, []) if next_level <= len(by_level) else []
        if any(b["project"] is None for b in breakers):
            reasons.append("portfolio_required")
        elif breakers:
            reasons.append("portfolio_project_below_level")
        if level_now < level_best:
            reasons.append("level_undetermined")
        out: Outcome = {
            "level": (level_now, level_best),
            "project_level": (project_now, project_best),
            "reasons": reasons,
            "gaps": gaps,
            "blocking": blocking,
            "portfolio": breakers,
            "decision": None,
        }
        target = self.params.target
        if target is not None:
            if level_now >= target:
                out["decision"] = st.ELIGIBLE
            elif level_best < target:
                out["decision"] = st.NOT_ELIGIBLE
                reasons.append(f"level_below_{target}")
            else:
                out["decision"] = st.UNDETERMINED
        return out

    def _company_gate(self, rid: str, ctx: Context, now: int, best: int) -> tuple[int, int, list[dict]]:
        """Cap the project's levels at the first company-wide level the portfolio does not hold."""
        portfolio = ctx.portfolio.get(rid)
        breakers: list[dict] = []
        for lv in self.params.levels:
            if lv.scope != "company":
                continue
            level = lv.level
            if portfolio is None:
                if now >= level:  # without the company's other projects it cannot be shown
                    breakers.append({"project": None, "level": level, "reason": "portfolio_required"})
                now = min(now, level - 1)
                continue
            for label, outcome in portfolio:
                if outcome.get("decision") == st.NOT_APPLICABLE:
                    continue  # out of the referential's scope (e.g. animation): not a comparable project
                p_now, p_best = outcome["project_level"] if outcome.get("project_level") else (0, 0)
                if p_now < level and now >= level:
                    breakers.append({"project": label, "level": level, "project_level": [p_now, p_best]})
                if p_now < level:
                    now = min(now, level - 1)
                if p_best < level:
                    best = min(best, level - 1)
        return now, best, breakers

    def settled(self, compiled: CompiledRuleset, outcome: Outcome, ctx: Context) -> set[str]:
        """Above a level blocked by a criterion the production declined, nothing can raise the level."""
        declined = ctx.declined
        blocked = [lv for lv, ids in self.by_level.items()
                   if any(c in declined and ctx.statuses[c] == st.NOT_MET for c in ids)]
        if not blocked:
            return set()
        return {c for lv, ids in self.by_level.items() if lv > min(blocked) for c in ids}
