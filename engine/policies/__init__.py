"""Scoring policies: one module each, chosen by a ruleset's `policy.kind`.

A policy checks the criterion attributes it needs at load time, names the outcome fields other
rulesets may reference, and turns criterion statuses into an outcome.
"""

from __future__ import annotations

from .base import Policy
from .eligibility import EligibilityPolicy
from .levels import LevelsPolicy
from .obligations import ObligationsPolicy
from .threshold import ThresholdPolicy

POLICIES: dict[str, type[Policy]] = {
    cls.kind: cls for cls in (ThresholdPolicy, LevelsPolicy, ObligationsPolicy, EligibilityPolicy)
}

__all__ = ["POLICIES", "Policy"]
