"""The frozen inputs of one evaluation, shaped for fast reads by compiled conditions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NamedTuple

VALID = "valid"
EXPIRED = "expired"
NOT_YET_COLLECTED = "not_yet_collected"
REJECTED = "rejected"
EVIDENCE_LATE = "evidence_late"  # dated after its piece's own deadline, where the source takes no late piece


class EvidenceState(NamedTuple):
    """One evidence item as seen at the evaluation date (a tuple: built for every item of every dossier)."""

    id: str
    kind: str
    criteria: frozenset[str]
    state: str  # VALID, EXPIRED, NOT_YET_COLLECTED, REJECTED, or an integrity problem
    collected: dt.date | None
    expires: dt.date | None
    member: str | None = None  # the roster member it concerns (internal reference), if any
    late_after: dt.date | None = None  # EVIDENCE_LATE: the piece's due date it was collected after


class EvidenceIndex:
    """A dossier's register as seen at one date, built once and shared by every evaluation.

    `valid` is what the generated code reads: kind -> True when a valid item supports every
    criterion, else the criteria valid items support. `items` (every item with its state, sorted by
    id so the register's order never shows) serves explanations and age limits; it is built on
    first use, because most evaluations never need it.
    """

    __slots__ = ("_build", "_items", "member_valid", "memo", "valid")

    def __init__(self, valid: dict[str, bool | frozenset[str]], build_items: Callable[[], dict],
                 member_valid: dict[tuple[str, str], bool | frozenset[str]] | None = None) -> None:
        self.valid = valid
        self.member_valid = member_valid or {}  # (kind, member ref) -> as `valid`, for the items naming a member
        self.memo: dict[object, int] = {}  # generated code: a roster condition's value, computed once (codegen._memo)
        self._build = build_items
        self._items: dict[str, tuple[EvidenceState, ...]] | None = None

    @property
    def items(self) -> dict[str, tuple[EvidenceState, ...]]:
        if self._items is None:
            self._items = self._build()
        return self._items


class Context:
    """Facts, evidence and the results computed so far. Conditions only read it."""

    __slots__ = ("as_of", "declined", "evidence_index", "facts", "na_reasons", "outcomes", "portfolio", "status_reasons",
                 "statuses", "valid_evidence", "windows")

    def __init__(self, facts: dict[str, Any], as_of: dt.date, evidence: EvidenceIndex):
        self.facts = facts
        self.as_of = as_of
        self.evidence_index = evidence
        self.valid_evidence = evidence.valid
        self.statuses: dict[str, str] = {}
        self.na_reasons: dict[str, str] = {}
        self.outcomes: dict[str, Any] = {}
        self.portfolio: dict[str, list[tuple[str, Any]]] = {}
        self.declined: dict[str, str] = {}
        self.windows: dict[str, Any] = {}  # criterion id -> deadlines.Window, for criteria with a deadline
        self.status_reasons: dict[str, str] = {}  # criterion id -> deadlines.NOT_YET_DUE / DEADLINE_PASSED / PROOF_ONLY

    @property
    def evidence(self) -> dict[str, tuple[EvidenceState, ...]]:
        """Every evidence item by kind, with its state at the evaluation date."""
        return self.evidence_index.items


def evidence_state(
    collected: dt.date | None, expires: dt.date | None, auditor_status: str, as_of: dt.date, integrity: str | None,
    late_after: dt.date | None = None,
) -> str:
    """Why an item does or does not count at `as_of` (the first problem wins). `late_after`: the
    due date of a piece it stands for whose source takes no late piece (`late: closed`): an item
    collected after it is `evidence_late` (the due date itself is still on time)."""
    if integrity:
        return integrity
    if auditor_status == "rejected":
        return REJECTED
    if collected is not None and collected > as_of:
        return NOT_YET_COLLECTED
    if expires is not None and expires < as_of:
        return EXPIRED
    if late_after is not None and collected is not None and collected > late_after:
        return EVIDENCE_LATE
    return VALID
