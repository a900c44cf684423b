"""`levels`: cumulative levels; a `company` level also needs every project of the portfolio."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from .. import status as st
from ..errors import InputError
from ..model import Check, PolicyParams, Strict, Text
from ..record import record
from .base import Fail, Outcome, Planner, Policy, Statement, Tally, Target

if TYPE_CHECKING:
    from ..compiled import CompiledRuleset
    from ..context import Context


@record
class LevelDef(Strict):
    level: Annotated[int, Check(ge=1)]
    title: Text
    scope: Literal["project", "company"] = "project"


@record
class LevelsParams(PolicyParams):
    kind: Literal["levels"]
    levels: Annotated[list[LevelDef], Check(min_length=1)]
    target: int | None = None


class LevelsPolicy(Policy):
    kind = "levels"
    Params = LevelsParams
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

    def tally(self) -> Tally:
        return Tally(tuple((tuple(self.by_level[level]), (st.NOT_MET, st.UNKNOWN)) for level in sorted(self.by_level)))

    def outcome(self, compiled: CompiledRuleset, ctx: Context) -> Outcome:
        by_level = self.by_level
        project_now = project_best = 0
        gaps: dict[int, list[str]] = {}
        now_open = best_open = True
        for level, (not_met, unknown) in zip(sorted(by_level), compiled.tally(ctx.statuses), strict=True):
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

    # -- the result document -------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        return {"levels": [{"level": lv.level, "title": {"fr": lv.title.fr, "en": lv.title.en}, "scope": lv.scope}
                           for lv in self.params.levels]}

    @classmethod
    def headline(cls, entry: dict[str, Any]) -> Statement | None:
        level = entry["outcome"].get("level")
        return {"kind": "level", "low": level[0], "high": level[1]} if level else None

    @classmethod
    def summary(cls, entry: dict[str, Any]) -> list[Statement]:
        outcome = entry["outcome"]
        out = super().summary(entry)
        if outcome.get("level") and outcome.get("decision"):  # else the headline says it
            out.append(cls.headline(entry))
        for breaker in outcome.get("portfolio") or []:
            if breaker.get("project"):
                out.append({"kind": "portfolio_breaker", "project": breaker["project"], "level": breaker["level"],
                            "reached": breaker["project_level"][0]})
        return out

    # -- targets and plans ---------------------------------------------------------------------
    def parse_target(self, rid: str, tail: str) -> Target:
        numbers = [lv.level for lv in self.params.levels]
        if not tail:
            if self.params.target is None:
                raise InputError("--target", f"ruleset {rid} has levels: name one", f"e.g. {rid}:2")
            return Target(rid, self.params.target, f"{rid}:{self.params.target}")
        if not tail.isdigit() or int(tail) not in numbers:
            raise InputError("--target", f"'{tail}' is not a level of {rid}", "levels: " + ", ".join(map(str, numbers)))
        return Target(rid, int(tail), f"{rid}:{tail}")

    def outcome_goal(self, compiled: CompiledRuleset, field: str, op: str, value: Any) -> Target | None:
        if field in ("level", "project_level") and op in ("gte", "gt", "eq"):
            level = int(value) + (1 if op == "gt" else 0)
            return Target(compiled.id, level, f"{compiled.id}:{level}")
        target = super().outcome_goal(compiled, field, op, value)
        if target is None or self.params.target is None:
            return None
        return Target(compiled.id, self.params.target, f"{compiled.id}:{self.params.target}")

    def plan(self, planner: Planner, compiled: CompiledRuleset, target: Target) -> None:
        """Every remaining criterion of levels 1..N (exact by construction); a company level also
        needs every project of the portfolio at that level."""
        rid = compiled.id
        level = target.goal if target.goal is not None else self.params.target
        if level is None:
            planner.block("no_target_level", ruleset=rid)
            return
        if not planner.ruleset_open(rid):
            return
        for lv in self.params.levels:
            if lv.level <= level and lv.scope == "company":
                members = planner.ctx.portfolio.get(rid)
                short = [label for label, out in (members or []) if (out.get("project_level") or (0, 0))[0] < lv.level]
                if members is None or short:
                    planner.block("company_level", ruleset=rid, level=lv.level, projects=short,
                                  why="portfolio_required" if members is None else "portfolio_project_below_level")
        for crit in compiled.criteria:
            if crit.model.level <= level:
                planner.criterion(crit.id)

    def reached(self, outcome: Outcome, target: Target) -> bool:
        level = outcome.get("level")
        wanted = target.goal if target.goal is not None else self.params.target
        return bool(level) and wanted is not None and level[0] >= wanted
