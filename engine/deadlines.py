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

import calendar
import datetime as dt
from typing import Any, NamedTuple

from . import status as st
from .model import Deadline

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
        if self.due is not None:
            out.update(due=self.due.isoformat(), start_by=self.start_by.isoformat(), days_left=self.days_left)
        return out


class Windows(dict):
    """`ctx.windows`: every deadline's window, computed when first read (most criteria are met
    and their window is only shown, in the result document or the calendar)."""

    __slots__ = ("ctx", "known")

    def __init__(self, ctx: Any) -> None:
        super().__init__()
        self.ctx = ctx
        self.known: dict[str, Due] = {}  # key -> its resolved deadline

    def __missing__(self, key: str) -> Window:
        due = self.known[key]  # KeyError: no deadline there
        win = self[key] = window(due.criterion.id, due.deadline, self.ctx, due.stage, due.implicit, due.kind)
        return win

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self.known or dict.__contains__(self, key) else default

    def __contains__(self, key: object) -> bool:
        return key in self.known or dict.__contains__(self, key)

    def __iter__(self):
        return iter(list(self.known))

    def __len__(self) -> int:
        return len(self.known)

    def items(self):  # every window, computed
        return [(key, self[key]) for key in self.known]

    def values(self):
        return [self[key] for key in self.known]

    def keys(self):
        return list(self.known)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1] if 1 <= year <= 9999 else 28
    return dt.date(min(max(year, 1), 9999), month, min(day.day, last))


def last_collected(cid: str, kind: str, evidence: dict[str, tuple]) -> dt.date | None:
    """When evidence of `kind` supporting `cid` was last collected (rejected or tampered items do not count)."""
    dates = [item.collected for item in evidence.get(kind, ()) if item.collected is not None
             and item.state in ("valid", "expired") and (not item.criteria or cid in item.criteria)]
    return max(dates, default=None)


def _shifted(day: dt.date, days: int) -> dt.date:
    """`day` moved by `days`, stopping at the first or last representable date (a date near year 1
    or 9999 keeps its deadline as far as dates go)."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def window(cid: str, deadline: Deadline, ctx: Any, stage: str | None = None, implicit: bool = False,
           kind: str | None = None) -> Window:
    """The window of a criterion's deadline on the evaluation context (facts, evidence, date)."""
    as_of = ctx.as_of
    if deadline.every_months is not None:
        last = last_collected(cid, deadline.evidence, ctx.evidence)
        base = as_of if last is None else add_months(last, deadline.every_months)
    else:
        base = ctx.facts.get(deadline.date)
    if base is None:
        return Window(cid, UNKNOWN_DATE, None, None, None, deadline, stage, implicit, kind)
    due = _shifted(base, deadline.offset_days) if deadline.offset_days else base
    start_by = _shifted(due, -deadline.lead_days) if deadline.lead_days else due
    if as_of < start_by:
        state = OPEN
    elif as_of <= due:
        state = CLOSING
    else:
        state = OVERDUE if deadline.late == "allowed" else CLOSED
    return Window(cid, state, due, start_by, (due - as_of).days, deadline, stage, implicit, kind)


def adjust(statuses: dict[str, str], windows: Any, dated: list[str], final: Any, assumed: dict[str, str],
           pendable: dict[str, tuple[str, ...] | None], first_pass: dict[str, str] | None = None
           ) -> tuple[dict[str, str], dict[str, str]]:
    """(criteria to re-evaluate as pending: id -> `unknown`, reason per criterion) for the statuses
    of one pass. A not-met criterion with a deadline is pending while its window has not closed,
    unless it is in `final` (declined, a property of the work) or what makes it not met is a
    criterion or an outcome it reads (`pendable` maps the criteria that may be pending to the
    criteria they read; None: they read an outcome). The caller evaluates the ruleset again with
    the pending ones `unknown`, so that what depends on them is pending too. `dated` are the
    criteria with a deadline; a window is only computed for those not met or unknown."""
    pending: dict[str, str] = {}
    reasons: dict[str, str] = {}
    open_ = (st.NOT_MET, st.UNKNOWN)
    for cid in [c for c in dated if statuses.get(c) in open_]:  # most are met: filtered in one comprehension
        if cid in assumed or cid in final:
            continue
        status = statuses[cid]
        win = windows[cid]
        if status == st.NOT_MET:
            if win.state == CLOSED:
                reasons[cid] = DEADLINE_PASSED
                continue
            reads = pendable.get(cid, ())
            if reads is None or any(statuses.get(other) == st.NOT_MET for other in reads):
                continue  # not met because of what it reads: its status follows from theirs
            pending[cid] = st.UNKNOWN
            reasons[cid] = NOT_YET_DUE
        elif status == st.UNKNOWN and win.state == CLOSED and (first_pass or statuses).get(cid) == st.UNKNOWN:
            reasons[cid] = PROOF_ONLY  # unknown of its own, not because something it needs is pending
    return pending, reasons
