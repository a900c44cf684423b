"""The frozen inputs of one evaluation, shaped for fast reads by compiled conditions."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

VALID = "valid"
EXPIRED = "expired"
NOT_YET_COLLECTED = "not_yet_collected"
REJECTED = "rejected"


class EvidenceState(NamedTuple):
    """One evidence item as seen at the evaluation date (a tuple: built for every item of every dossier)."""

    id: str
    kind: str
    criteria: frozenset[str]
    state: str  # VALID, EXPIRED, NOT_YET_COLLECTED, REJECTED, or an integrity problem
    collected: dt.date | None
    expires: dt.date | None


class EvidenceIndex(NamedTuple):
    """A dossier's register as seen at one date, built once and shared by every evaluation."""

    items: dict[str, tuple[EvidenceState, ...]]  # kind -> items, sorted by id (for explanations)
    # kind -> True when a valid item supports every criterion, else the criteria valid items support
    valid: dict[str, bool | frozenset[str]]


class Context:
    """Facts, evidence and the results computed so far. Conditions only read it."""

    __slots__ = ("as_of", "declined", "evidence", "facts", "na_reasons", "outcomes", "portfolio", "statuses",
                 "valid_evidence")

    def __init__(self, facts: dict[str, Any], as_of: dt.date, evidence: EvidenceIndex):
        self.facts = facts
        self.as_of = as_of
        self.evidence = evidence.items
        self.valid_evidence = evidence.valid
        self.statuses: dict[str, str] = {}
        self.na_reasons: dict[str, str] = {}
        self.outcomes: dict[str, Any] = {}
        self.portfolio: dict[str, list[tuple[str, Any]]] = {}
        self.declined: dict[str, str] = {}


def evidence_state(
    collected: dt.date | None, expires: dt.date | None, auditor_status: str, as_of: dt.date, integrity: str | None
) -> str:
    """Why an item does or does not count at `as_of` (the first problem wins)."""
    if integrity:
        return integrity
    if auditor_status == "rejected":
        return REJECTED
    if collected is not None and collected > as_of:
        return NOT_YET_COLLECTED
    if expires is not None and expires < as_of:
        return EXPIRED
    return VALID
