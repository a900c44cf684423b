"""The four statuses of a criterion and the decisions of an outcome."""

from __future__ import annotations

MET = "met"
NOT_MET = "not_met"
UNKNOWN = "unknown"
NOT_APPLICABLE = "not_applicable"
STATUSES = (MET, NOT_MET, UNKNOWN, NOT_APPLICABLE)

ELIGIBLE = "eligible"
NOT_ELIGIBLE = "not_eligible"
UNDETERMINED = "undetermined"
COMPLIANT = "compliant"
NOT_COMPLIANT = "not_compliant"
DECISIONS = (ELIGIBLE, NOT_ELIGIBLE, UNDETERMINED, COMPLIANT, NOT_COMPLIANT, NOT_APPLICABLE)

# Why a criterion is not applicable, or why it is not met / unknown.
NA_NOT_IN_FORCE = "not_in_force"
NA_DECLARED = "declared"
NA_CONDITION = "condition"
NA_RULESET = "ruleset_not_applicable"
NOT_MET_DECLINED = "declined"

# A criterion tag: a property of the work (its genre, its region), not something the production can do.
NOT_ACTIONABLE = "not_actionable"
# A criterion tag: its document is the work itself (a carbon footprint, a written description), so a plan
# prices it even when the rest of its condition already holds (engine/plan.py step_parts).
EVIDENCE_IS_THE_WORK = "evidence_is_the_work"
