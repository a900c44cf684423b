"""The frozen inputs of one evaluation, shaped for fast reads by compiled conditions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from operator import attrgetter
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


_by_id = attrgetter("id")


class EvidenceItems(Mapping):
    """`EvidenceIndex.items`: every evidence item by kind with its state at the index's date, sorted
    by id (the register's order never shows in a trace), kinds in the order of their first id.

    A kind's tuple is built the first time it is read: during an evaluation only age limits, counts
    and periodic deadlines read items, a few kinds each, and building all of a register's states
    cost more than the rest of a dossier's first evaluation."""

    __slots__ = ("_built", "_by_kind", "_state")

    def __init__(self, evidence: Iterable[Any], state: Callable[[Any], EvidenceState]) -> None:
        by_kind: dict[str, list[Any]] = {}
        for item in sorted(evidence, key=_by_id):
            by_kind.setdefault(item.kind, []).append(item)
        self._by_kind = by_kind
        self._built: dict[str, tuple[EvidenceState, ...]] = {}
        self._state = state

    def __getitem__(self, kind: str) -> tuple[EvidenceState, ...]:
        built = self._built.get(kind)
        if built is None:
            built = self._built[kind] = tuple(map(self._state, self._by_kind[kind]))
        return built

    def get(self, kind: str, default: Any = None) -> Any:
        built = self._built.get(kind)
        if built is not None:
            return built
        return self[kind] if kind in self._by_kind else default

    def __contains__(self, kind: object) -> bool:
        return kind in self._by_kind

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_kind)

    def __len__(self) -> int:
        return len(self._by_kind)

    def __repr__(self) -> str:
        return repr(dict(self.items()))


class EvidenceIndex:
    """A dossier's register as seen at one date, built once and shared by every evaluation.

    `valid` is what the generated code reads: kind -> True when a valid item supports every
    criterion, else the criteria valid items support. `items` (every item with its state, sorted by
    id so the register's order never shows) serves explanations and age limits; it is built on
    first use, because most evaluations never need it.
    """

    __slots__ = ("_build", "_items", "member_valid", "memo", "valid")

    def __init__(self, valid: dict[str, bool | frozenset[str]], build_items: Callable[[], Mapping],
                 member_valid: dict[tuple[str, str], bool | frozenset[str]] | None = None) -> None:
        self.valid = valid
        self.member_valid = member_valid or {}  # (kind, member ref) -> as `valid`, for the items naming a member
        self.memo: dict[object, int] = {}  # generated code: a roster condition's value, computed once (codegen._memo)
        self._build = build_items
        self._items: Mapping[str, tuple[EvidenceState, ...]] | None = None

    @property
    def items(self) -> Mapping[str, tuple[EvidenceState, ...]]:
        if self._items is None:
            self._items = self._build()
        return self._items


_PENDING = object()  # an outcome not built yet (Outcomes)


class Outcomes(MutableMapping):
    """`ctx.outcomes`: each evaluated ruleset's outcome by id, in evaluation order (a mapping).

    evaluate.py defers an outcome (`defer`) once its ruleset's statuses are final: it is built
    the first time anything reads it (a later ruleset's condition, a renderer, a plan), from the
    statuses, facts and outcomes it depends on, none of which change after its ruleset has been
    evaluated (a ruleset reads only the outcomes of the rulesets it depends on, evaluated before
    it). An evaluation whose caller reads two outcomes builds two documents, not four. The
    builder gets a context of its own over the same objects (`_inputs`): a reference back to the
    evaluation's context would make every evaluation a reference cycle."""

    __slots__ = ("_build", "_inputs", "_pending", "_values")

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self._pending: dict[str, tuple] = {}
        self._inputs: tuple | None = None
        self._build: Callable[..., Any] | None = None

    def defer(self, rid: str, build: Callable[..., Any], args: tuple, ctx: Context) -> None:
        """Ruleset `rid`'s outcome will be `build(context, *args)` (`ctx`'s inputs, read when built)."""
        if self._inputs is None:
            self._inputs, self._build = ctx.inputs(), build
        self._values[rid] = _PENDING
        self._pending[rid] = args

    def _built(self, rid: str) -> Any:
        ctx = Context.__new__(Context)
        ctx.restore(self._inputs, self)
        value = self._values[rid] = self._build(ctx, *self._pending.pop(rid))
        if not self._pending:
            self._inputs = self._build = None  # nothing left to build: let the inputs go
        return value

    def __getitem__(self, rid: str) -> Any:
        value = self._values[rid]
        return self._built(rid) if value is _PENDING else value

    def get(self, rid: str, default: Any = None) -> Any:
        value = self._values.get(rid, default)
        return self._built(rid) if value is _PENDING else value

    def __setitem__(self, rid: str, value: Any) -> None:
        self._pending.pop(rid, None)
        self._values[rid] = value

    def __delitem__(self, rid: str) -> None:
        self._pending.pop(rid, None)
        del self._values[rid]

    def __contains__(self, rid: object) -> bool:
        return rid in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return repr(dict(self.items()))


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
        self.outcomes: Outcomes = Outcomes()
        self.portfolio: dict[str, list[tuple[str, Any]]] = {}
        self.declined: dict[str, str] = {}
        self.windows: dict[str, Any] = {}  # criterion id -> deadlines.Window, for criteria with a deadline
        self.status_reasons: dict[str, str] = {}  # criterion id -> deadlines.NOT_YET_DUE / DEADLINE_PASSED / PROOF_ONLY

    @property
    def evidence(self) -> Mapping[str, tuple[EvidenceState, ...]]:
        """Every evidence item by kind, with its state at the evaluation date."""
        return self.evidence_index.items

    def inputs(self) -> tuple:
        """Everything but the outcomes (Outcomes builds a deferred outcome on a context over them)."""
        return (self.as_of, self.declined, self.evidence_index, self.facts, self.na_reasons, self.portfolio,
                self.status_reasons, self.statuses, self.valid_evidence, self.windows)

    def restore(self, inputs: tuple, outcomes: Outcomes) -> None:
        (self.as_of, self.declined, self.evidence_index, self.facts, self.na_reasons, self.portfolio,
         self.status_reasons, self.statuses, self.valid_evidence, self.windows) = inputs
        self.outcomes = outcomes


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
