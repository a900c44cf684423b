"""Scoring policies: one module each, chosen by a ruleset's `policy.kind`.

A policy checks the criterion attributes it needs at load time, names the outcome fields other
rulesets may reference, turns criterion statuses into an outcome, and says how to plan, describe
and summarise it (base.py). A policy outside this folder registers itself with `register_policy`
(or through the `raccord.policies` entry-point group of an installed package); nothing else in
the engine or the CLI changes.
"""

from __future__ import annotations

from .base import Policy, Statement, Target
from .eligibility import EligibilityPolicy
from .levels import LevelsPolicy
from .obligations import ObligationsPolicy
from .threshold import ThresholdPolicy

POLICIES: dict[str, type[Policy]] = {
    cls.kind: cls for cls in (ThresholdPolicy, LevelsPolicy, ObligationsPolicy, EligibilityPolicy)
}
BUILT_IN = frozenset(POLICIES)


def register_policy(cls: type[Policy]) -> type[Policy]:
    """Make a policy kind available to rulesets (usable as a class decorator)."""
    POLICIES[cls.kind] = cls
    return cls


def policy_class(kind: object) -> type[Policy] | None:
    """The policy of a kind: registered, else from an installed package's entry point."""
    if isinstance(kind, str) and kind not in POLICIES:
        from importlib.metadata import entry_points

        for entry in entry_points(group="raccord.policies"):
            if entry.name == kind:
                register_policy(entry.load())
    return POLICIES.get(kind) if isinstance(kind, str) else None


__all__ = ["BUILT_IN", "POLICIES", "Policy", "Statement", "Target", "policy_class", "register_policy"]
