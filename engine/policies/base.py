"""What every scoring policy provides."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import InputError
from ..model import Ruleset

if TYPE_CHECKING:
    from ..compiled import CompiledRuleset
    from ..context import Context

Fail = Callable[[tuple, str, str], InputError]
Outcome = dict[str, Any]


class Policy:
    kind: ClassVar[str]
    # criterion attributes this policy reads: name -> required?
    criterion_attributes: ClassVar[dict[str, bool]] = {}

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self.params = ruleset.policy

    def outcome_fields(self) -> dict[str, str]:
        """Outcome fields other rulesets may reference: name -> "range" | "decision"."""
        return {"decision": "decision"}

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

    def outcome(self, compiled: CompiledRuleset, ctx: Context) -> Outcome:
        raise NotImplementedError

    def settled(self, compiled: CompiledRuleset, outcome: Outcome, ctx: Context) -> set[str]:
        """Criteria whose completion can no longer change this outcome (left out of `missing`)."""
        return set()
