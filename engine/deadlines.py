"""Deadlines: when a criterion is due, and what its window says at the evaluation date.

A criterion may carry `due:` (model.Deadline): a due date counted from a date fact, a lead time,
and whether the step is lost or still possible once the date has passed. At the evaluation date
its window is one of:

- `unknown_date`: the date fact is missing; the due date is unknown, never taken as passed;
- `open`: there is time before the latest start (due date minus the lead time);
- `closing`: inside the lead time, the due date included (a step due today can still be done);
- `overdue`: past the due date, still possible late (`late: allowed`);
- `closed`: past the due date, lost (`late: closed`).

A criterion's deadline is its own `due:`, else the `due:` of its stage (a stage's due date is the
implicit deadline of its criteria); `due: {stage: ID}` is due by the end of that stage. An
evidence piece may have a deadline of its own the same way (its `due:`, else its `stage`'s).

"Not yet" versus "never" (how a criterion known not done is read, docs/ruleset-format.md §4):
`not_met` is final, what is still possible is `unknown`. A criterion with a deadline that is not
met is *pending* while its window has not closed (not done yet, still possible: `unknown`, reason
`not_yet_due`; no score counts it, the best possible still may), unless the dossier declines it or
it is a property of the work (`not_actionable`). Once its window has closed it is final
(`deadline_passed`). A criterion without any deadline that is not met is final: what the dossier
states `false` is a fact about the production (a casting held in a hotel room), not a step still
to come; a ruleset that means "not yet" gives the criterion or its stage a deadline. A criterion
that reads other criteria or outcomes is pending only when what makes it not met is its own part;
otherwise its status follows from theirs in the next pass (a lost dependency keeps it lost).
`check` and `plan` thus agree: the plan counts only on what is unknown or pending and blocks on
what is final. An `unknown` criterion whose window has closed can only be proved, not done
(`proof_only`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, NamedTuple

from .model import Deadline
from .status import NOT_MET, UNKNOWN

UNKNOWN_DATE = "unknown_date"
OPEN = "open"
CLOSING = "closing"
OVERDUE = "overdue"
CLOSED = "closed"

# Why a criterion with a deadline has the status it has (beside `not_applicable_reason`).
NOT_YET_DUE = "not_yet_due"  # not done, window still open: pending
DEADLINE_PASSED = "deadline_passed"  # not done and the window has closed: lost
PROOF_ONLY = "proof_only"  # unknown, window closed: it can still be proved, no longer done


class Due(NamedTuple):
    """The deadline a criterion (or one of its evidence pieces, `kind`) has, resolved to a date fact
    or a period: its own, or the end of its stage (`stage`; `implicit` when it gave none). `key` is
    where its window is kept in `ctx.windows`: the criterion id, `ID#kind` for a piece."""

    key: str
    criterion: Any  # compiled.CompiledCriterion
    deadline: Deadline  # a `date` or `every_months` deadline
    stage: str | None = None
    implicit: bool = False
    kind: str | None = None  # an evidence piece's deadline


def resolve(deadline: Deadline, stages: dict[str, Any]) -> Deadline:
    """A `stage` deadline as the date its stage's `due` gives (offsets added), the rest its own."""
    if deadline.stage is None:
        return deadline
    end = stages[deadline.stage].due
    return Deadline(date=end.date, offset_days=end.offset_days + deadline.offset_days, lead_days=deadline.lead_days,
                    late=deadline.late, source=deadline.source)


def resolved(criteria: list[Any], stages: list[Any]) -> tuple[list[Due], list[Due]]:
    """(criterion deadlines, evidence-piece deadlines) of a ruleset's compiled criteria, in their order."""
    by_id = {s.id: s for s in stages}

    def of(own: Deadline | None, stage: str | None) -> tuple[Deadline, str | None, bool] | None:
        if own is not None:
            return resolve(own, by_id), own.stage, False
        if stage is not None and by_id[stage].due is not None:
            return by_id[stage].due, stage, True
        return None

    criteria_due: list[Due] = []
    pieces: list[Due] = []
    for crit in criteria:
        found = of(crit.model.due, crit.model.stage)
        if found:
            criteria_due.append(Due(crit.id, crit, *found))
        for spec in crit.model.evidence:
            if spec.due is not None or spec.stage is not None:
                piece = of(spec.due, spec.stage)
                if piece:
                    pieces.append(Due(f"{crit.id}#{spec.kind}", crit, *piece, spec.kind))
    return criteria_due, pieces


class Window(NamedTuple):
    """A deadline's window at the evaluation date (a tuple: built for every dated criterion of
    every evaluation)."""

    criterion: str
    state: str  # UNKNOWN_DATE, OPEN, CLOSING, OVERDUE, CLOSED
    due: dt.date | None  # None while the date fact is unknown
    start_by: dt.date | None  # the due date minus the lead time
    days_left: int | None  # due - as_of: negative once past
    deadline: Deadline
    stage: str | None = None  # due by the end of this stage
    implicit: bool = False  # the stage's deadline: the criterion gives none
    kind: str | None = None  # the deadline of this evidence piece of the criterion
    member: str | None = None  # a deadline over a list of persons: this member's (its most urgent one for the criterion)

    def as_dict(self) -> dict[str, Any]:
        """The window as the result document shows it (ISO dates)."""
        ref = self.deadline.source
        periodic = {"every_months": self.deadline.every_months, "evidence": self.deadline.evidence}
        out: dict[str, Any] = {"window": self.state, **({"fact": self.deadline.date} if self.deadline.date else periodic),
                               "offset_days": self.deadline.offset_days,
                               "lead_days": self.deadline.lead_days, "late": self.deadline.late,
                               "source": {k: v for k, v in (("document", ref.document), ("section", ref.section),
                                                            ("lines", ref.lines), ("quote", ref.quote)) if v}}
        if self.stage is not None:
            out["stage"] = self.stage
            if self.implicit:
                out["implicit"] = True
        if self.kind is not None:
            out["piece"] = self.kind
        if self.deadline.field is not None:  # counted from each member's date field
            out["field"] = self.deadline.field
        if self.member is not None:
            out["member"] = self.member
        if self.due is not None:
            out.update(due=self.due.isoformat(), start_by=self.start_by.isoformat(), days_left=self.days_left)
        return out


class Windows:
    """`ctx.windows`: the window of every deadline of the evaluated rulesets, by key (a mapping).

    A window depends only on the dossier's facts, its evidence and the evaluation date, all fixed
    for an evidence index (evaluate.py keeps one per dossier, date and integrity problems): each is
    computed the first time any evaluation of that index reads it and kept in the index's memo,
    under a token of its ruleset (a dossier evaluated with two libraries keeps their windows
    apart), with the facts they were computed from (a what-if that changes a date fact shares the
    index, not the windows). Most criteria are met, so most windows are only ever computed for the result document
    or the calendar."""

    __slots__ = ("as_of", "evidence_index", "facts", "parts")

    def __init__(self, facts: dict[str, Any], as_of: dt.date, evidence_index: Any) -> None:
        # what a window reads, not the context: the context holds this mapping, and a reference
        # back would make every evaluation a cycle, freed only by the cyclic collector
        self.facts, self.as_of, self.evidence_index = facts, as_of, evidence_index
        self.parts: list[tuple[dict[str, Due], dict[str, Window]]] = []  # per evaluated ruleset: deadlines, windows

    @property
    def evidence(self) -> dict[str, tuple]:
        """Every evidence item by kind with its state (as `Context.evidence`)."""
        return self.evidence_index.items

    def add(self, due_by_key: dict[str, Due], token: object) -> dict[str, Window]:
        """Make a ruleset's deadlines readable; its windows computed so far (filled as they are read)."""
        memo, facts = self.evidence_index.memo, self.facts
        kept = memo.get(token)
        if kept is None or kept[0] is not facts:  # a what-if on the facts (questions.with_facts) shares the index
            kept = memo[token] = (facts, {})
        self.parts.append((due_by_key, kept[1]))
        return kept[1]

    def __getitem__(self, key: str) -> Window:
        for known, cache in self.parts:
            win = cache.get(key)
            if win is not None:
                return win
            due = known.get(key)
            if due is not None:
                return computed(due, self, cache)
        base, at, _ = key.partition("@")  # a member's window, `ID@REF`: computed with its criterion's
        if at and base in self and self[base] and key in self.keys_of(base):
            return next(cache[key] for _, cache in self.parts if key in cache)
        raise KeyError(key)  # no deadline there

    def members(self, key: str) -> list[Window]:
        """The member windows of a deadline over a list of persons (`ID@REF`, in the list's order);
        [] for any other deadline, and when the dossier gives no list."""
        self[key]  # computes them
        return [self[member] for member in self.keys_of(key)]

    def keys_of(self, key: str) -> list[str]:
        """The member keys of deadline `key` (`ID@REF`); [] unless it counts from a list of persons."""
        due = next((known[key] for known, _ in self.parts if key in known), None)
        roster = self.facts.get(due.deadline.date) if due is not None and due.deadline.field else None
        return [f"{key}@{member.ref}" for member in roster.members] if roster is not None else []

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return any(key in known for known, _ in self.parts)

    def __iter__(self):
        return iter(self.keys())

    def __len__(self) -> int:
        return sum(len(known) for known, _ in self.parts)

    def keys(self) -> list[str]:
        return [key for known, _ in self.parts for key in known]

    def items(self) -> list[tuple[str, Window]]:  # every window, computed
        return [(key, self[key]) for key in self.keys()]

    def values(self) -> list[Window]:
        return [self[key] for key in self.keys()]


def computed(due: Due, inputs: Any, cache: dict[str, Window]) -> Window:
    """The window of `due` on `inputs` (a `Windows` or a context: facts, date, evidence), kept in
    `cache` (its ruleset's windows for this evidence index)."""
    if due.deadline.field is not None:
        win = cache[due.key] = roster_window(due, inputs, cache)
    else:
        win = cache[due.key] = window(due.criterion.id, due.deadline, inputs, due.stage, due.implicit, due.kind)
    return win


def roster_window(due: Due, inputs: Any, cache: dict[str, Window]) -> Window:
    """A deadline over a list of persons: one window per member (`ID@REF`, counted from the member's
    date field; unknown without it, never closed), kept in `cache`; the criterion's own is the most
    urgent window of a member not yet done (the earliest latest start; an unknown one only when no
    member's date is known), of any member once all are done. A member is done when a valid item
    of each evidence kind the criterion (or the piece) expects names them. Without the list, the
    window counts from `otherwise_date` when the deadline gives one, else its date is unknown."""
    deadline, cid = due.deadline, due.criterion.id
    roster = inputs.facts.get(deadline.date)
    if roster is None or not roster.members:
        if roster is None and deadline.otherwise_date is not None:
            fallback = dataclasses.replace(deadline, date=deadline.otherwise_date, field=None, otherwise_date=None)
            return window(cid, fallback, inputs, due.stage, due.implicit, due.kind)
        return Window(cid, UNKNOWN_DATE, None, None, None, deadline, due.stage, due.implicit, due.kind)
    wins, pending = [], []
    for member in roster.members:
        win = cache[f"{due.key}@{member.ref}"] = at_date(cid, deadline, member.get(deadline.field), inputs.as_of,
                                                          due.stage, due.implicit, due.kind, member.ref)
        wins.append(win)
        if not member_done(due, member.ref, inputs.evidence_index):
            pending.append(win)
    candidates = pending or wins
    known = [w for w in candidates if w.due is not None]
    return min(known, key=lambda w: (w.start_by, w.due)) if known else candidates[0]


def member_done(due: Due, ref: str, evidence_index: Any) -> bool:
    """Whether a member's step of a deadline over a list of persons is done: a valid item of each
    evidence kind the criterion (or the piece) expects names the member and supports the criterion."""
    cid, member_valid = due.criterion.id, evidence_index.member_valid
    kinds = [due.kind] if due.kind else [spec.kind for spec in due.criterion.model.evidence]
    return all((v := member_valid.get((kind, ref))) is True or bool(v and cid in v) for kind in kinds)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = _days_in_month(year, month) if 1 <= year <= 9999 else 28
    return dt.date(min(max(year, 1), 9999), month, min(day.day, last))


def _days_in_month(year: int, month: int) -> int:
    """`calendar.monthrange(year, month)[1]`, without importing calendar (and locale) for one call."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def last_collected(cid: str, kind: str, evidence: dict[str, tuple]) -> dt.date | None:
    """When evidence of `kind` supporting `cid` was last collected (rejected or tampered items do not count)."""
    dates = [item.collected for item in evidence.get(kind, ()) if item.collected is not None
             and item.state in ("valid", "expired") and (not item.criteria or cid in item.criteria)]
    return max(dates, default=None)


_DELTAS: dict[int, dt.timedelta] = {}  # offsets and lead times of the rulesets (at most 2 x 3660 + 1 values)


def _shifted(day: dt.date, days: int) -> dt.date:
    """`day` moved by `days`, stopping at the first or last representable date (a date near year 1
    or 9999 keeps its deadline as far as dates go)."""
    delta = _DELTAS.get(days)
    if delta is None:  # timedelta(days=N) costs more than the rest of a window: one object per offset
        delta = _DELTAS[days] = dt.timedelta(days=days)
    try:
        return day + delta
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def late_pieces(rulesets: Any, facts: dict[str, Any]) -> tuple[tuple[str, str, dt.date], ...]:
    """(kind, criterion, due date) of every evidence piece with a deadline of its own (not its
    stage's) whose source takes no late piece (`late: closed`) and whose date is known: an item of
    that kind collected after it does not count for the criterion (context.EVIDENCE_LATE)."""
    out = []
    for rs in rulesets:
        for due in rs.piece_deadlines:
            deadline = due.deadline
            if due.implicit or deadline.late != "closed" or deadline.date is None or deadline.field is not None:
                continue
            base = facts.get(deadline.date)
            if base is not None:
                out.append((due.kind, due.criterion.id, _shifted(base, deadline.offset_days)))
    return tuple(out)


def window(cid: str, deadline: Deadline, inputs: Any, stage: str | None = None, implicit: bool = False,
           kind: str | None = None) -> Window:
    """The window of a criterion's deadline on the evaluation's inputs (facts, evidence, date: a
    `Windows` or a context)."""
    as_of = inputs.as_of
    if deadline.every_months is not None:
        last = last_collected(cid, deadline.evidence, inputs.evidence)
        base = as_of if last is None else add_months(last, deadline.every_months)
    else:
        base = inputs.facts.get(deadline.date)
    return at_date(cid, deadline, base, as_of, stage, implicit, kind)


_new_window = tuple.__new__  # a Window without its Python-level __new__ (a dossier's first evaluation makes dozens)


def at_date(cid: str, deadline: Deadline, base: dt.date | None, as_of: dt.date, stage: str | None = None,
            implicit: bool = False, kind: str | None = None, member: str | None = None) -> Window:
    """The window of a deadline counted from `base` (None: unknown) at `as_of`."""
    if base is None:
        return _new_window(Window, (cid, UNKNOWN_DATE, None, None, None, deadline, stage, implicit, kind, member))
    due = _shifted(base, deadline.offset_days) if deadline.offset_days else base
    start_by = _shifted(due, -deadline.lead_days) if deadline.lead_days else due
    if as_of < start_by:
        state = OPEN
    elif as_of <= due:
        state = CLOSING
    else:
        state = OVERDUE if deadline.late == "allowed" else CLOSED
    return _new_window(Window, (cid, state, due, start_by, (due - as_of).days, deadline, stage, implicit, kind, member))


def adjust(statuses: dict[str, str], opened: list[str], windows: dict[str, Window], due_by_key: dict[str, Due],
           ctx: Any, final: Any, assumed: dict[str, str], pendable: dict[str, tuple[str, ...] | None],
           first_pass: dict[str, str] | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """(criteria to re-evaluate as pending: id -> `unknown`, reason per criterion) for the statuses
    of one pass. A not-met criterion with a deadline is pending while its window has not closed,
    unless it is in `final` (declined, a property of the work) or what makes it not met is a
    criterion or an outcome it reads (`pendable` maps the criteria that may be pending to the
    criteria they read; None: they read an outcome). The caller evaluates the ruleset again with
    the pending ones `unknown`, so that what depends on them is pending too. `opened` are the
    criteria with a deadline that are not met or unknown (the others need no window); `windows`
    holds the ruleset's windows computed so far, `due_by_key` its deadlines."""
    pending: dict[str, str] = {}
    reasons: dict[str, str] = {}
    skip = final.union(assumed) if assumed else final
    earlier = first_pass or statuses
    for cid in opened:
        if cid in skip:
            continue
        closed = (windows.get(cid) or computed(due_by_key[cid], ctx, windows)).state == CLOSED
        if statuses[cid] == NOT_MET:
            if closed:
                reasons[cid] = DEADLINE_PASSED
                continue
            reads = pendable.get(cid, ())
            if reads is None or any(statuses.get(other) == NOT_MET for other in reads):
                continue  # not met because of what it reads: its status follows from theirs
            pending[cid] = UNKNOWN
            reasons[cid] = NOT_YET_DUE
        elif closed and earlier.get(cid) == UNKNOWN:
            reasons[cid] = PROOF_ONLY  # unknown of its own, not because something it needs is pending
    return pending, reasons
