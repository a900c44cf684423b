"""Deadlines: when a criterion is due, and what its window says at the evaluation date.

A criterion may carry `due:` (model.Deadline): a due date counted from a date fact, a lead time,
and whether the step is lost or still possible once the date has passed. At the evaluation date
its window is one of:

- `unknown_date`: the date fact is missing; the due date is unknown, never taken as passed;
- `open`: there is time before the latest start (due date minus the lead time);
- `closing`: inside the lead time, the due date included (a step due today can still be done);
- `overdue`: past the due date, still possible late (`late: allowed`);
- `closed`: past the due date, lost (`late: closed`).

"Not yet" versus "never" (how a criterion known not done is read, docs/ruleset-format.md §4):
before its window has closed, a criterion that is not met is *pending*: not done yet, still
possible, so it counts as `unknown` (no score counts it, the best possible still may) with the
reason `not_yet_due`; `check` and `plan` then agree that it can still be done. Once the window has
closed it is final: `not_met` with `deadline_passed`, and every decision depending on it says so.
An `unknown` criterion whose window has closed can only be proved, not done (`proof_only`). A
criterion the dossier declines is final whatever its window.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from . import status as st
from .model import Deadline
from .record import Record, record

UNKNOWN_DATE = "unknown_date"
OPEN = "open"
CLOSING = "closing"
OVERDUE = "overdue"
CLOSED = "closed"

# Why a criterion with a deadline has the status it has (beside `not_applicable_reason`).
NOT_YET_DUE = "not_yet_due"  # not done, window still open: pending
DEADLINE_PASSED = "deadline_passed"  # not done and the window has closed: lost
PROOF_ONLY = "proof_only"  # unknown, window closed: it can still be proved, no longer done


@record(positional=True)
class Window(Record):
    criterion: str
    state: str  # UNKNOWN_DATE, OPEN, CLOSING, OVERDUE, CLOSED
    due: dt.date | None  # None while the date fact is unknown
    start_by: dt.date | None  # the due date minus the lead time
    days_left: int | None  # due - as_of: negative once past
    deadline: Deadline

    def as_dict(self) -> dict[str, Any]:
        """The window as the result document shows it (ISO dates)."""
        ref = self.deadline.source
        periodic = {"every_months": self.deadline.every_months, "evidence": self.deadline.evidence}
        out: dict[str, Any] = {"window": self.state, **({"fact": self.deadline.date} if self.deadline.date else periodic),
                               "offset_days": self.deadline.offset_days,
                               "lead_days": self.deadline.lead_days, "late": self.deadline.late,
                               "source": {k: v for k, v in (("document", ref.document), ("section", ref.section),
                                                            ("lines", ref.lines), ("quote", ref.quote)) if v}}
        if self.due is not None:
            out.update(due=self.due.isoformat(), start_by=self.start_by.isoformat(), days_left=self.days_left)
        return out


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


def window(cid: str, deadline: Deadline, ctx: Any) -> Window:
    """The window of a criterion's deadline on the evaluation context (facts, evidence, date)."""
    as_of = ctx.as_of
    if deadline.every_months is not None:
        last = last_collected(cid, deadline.evidence, ctx.evidence)
        base = as_of if last is None else add_months(last, deadline.every_months)
    else:
        base = ctx.facts.get(deadline.date)
    if base is None:
        return Window(cid, UNKNOWN_DATE, None, None, None, deadline)
    due = _shifted(base, deadline.offset_days)
    start_by = _shifted(due, -deadline.lead_days)
    if as_of < start_by:
        state = OPEN
    elif as_of <= due:
        state = CLOSING
    else:
        state = OVERDUE if deadline.late == "allowed" else CLOSED
    return Window(cid, state, due, start_by, (due - as_of).days, deadline)


def adjust(statuses: dict[str, str], windows: dict[str, Window], declined: dict[str, str],
           assumed: dict[str, str], first_pass: dict[str, str] | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """(criteria to re-evaluate as pending: id -> `unknown`, reason per criterion) for the statuses
    of one pass. A not-met criterion whose window is not closed is pending; the caller evaluates the
    ruleset again with those set `unknown`, so that what depends on them is pending too."""
    pending: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for cid, win in windows.items():
        status = statuses.get(cid)
        if cid in assumed or cid in declined:
            continue
        if status == st.NOT_MET:
            if win.state == CLOSED:
                reasons[cid] = DEADLINE_PASSED
            else:
                pending[cid] = st.UNKNOWN
                reasons[cid] = NOT_YET_DUE
        elif status == st.UNKNOWN and win.state == CLOSED and (first_pass or statuses).get(cid) == st.UNKNOWN:
            reasons[cid] = PROOF_ONLY  # unknown of its own, not because something it needs is pending
    return pending, reasons
