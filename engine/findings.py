"""What the evaluator found for one criterion, as typed records read off its condition traces.

The trace (`CriterionTrace`) is the interpreter's record of every node of the criterion's
conditions (template.py): the same values the status was computed from. `Findings` reads it once:
evidence used, evidence that does not count and why, evidence kinds or facts still missing, counted
evidence with too few items, references to other criteria or outcomes that do not hold. What is
missing is only reported where it can still matter (`_matters`): below a true node (an `any`
already satisfied by another alternative) nothing is needed, and in an `all` already false only
the false children are.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from . import tri
from .conditions import All, Count, CriterionTest, EvidenceTest, MemberEvidenceTest, OutcomeTest, Quantifier, _jsonable
from .context import EVIDENCE_LATE, EXPIRED, REJECTED
from .record import Record, record
from .template import Trace, trace

if TYPE_CHECKING:
    from .evaluate import Evaluation

PARTS = ("applies_if", "requires")


@record(positional=True, slots=False)  # few objects: a cheaper class to define
class CriterionTrace(Record):
    """One criterion's status and the traces of its conditions (`applies_if` only when it has one)."""

    criterion: str
    status: str
    not_applicable_reason: str | None
    assumed: bool
    declined: str | None  # the dossier's justification, when it declines the criterion
    declared_not_applicable: str | None  # likewise, when it declares it not applicable
    due: Any  # its deadline's window at the evaluation date (deadlines.Window), for a criterion with `due`
    status_reason: str | None  # why its status differs from its requirement (deadlines: not yet due, passed...)
    applies_if: Trace | None
    requires: Trace

    def parts(self):
        """(part name, trace) for `applies_if` (when there is one), then `requires`."""
        if self.applies_if is not None:
            yield "applies_if", self.applies_if
        yield "requires", self.requires

    def as_dict(self) -> dict[str, Any]:
        """The explanation document of `raccord explain` (and `Evaluation.explain`)."""
        return _explanation(*self.__getstate__())


def _explanation(cid: str, status: str, na_reason: str | None, assumed: bool, declined: str | None,
                 declared_na: str | None, due: Any, status_reason: str | None, applies_if: Trace | None,
                 requires: Trace) -> dict[str, Any]:
    out: dict[str, Any] = {"criterion": cid, "status": status}
    if na_reason:
        out["not_applicable_reason"] = na_reason
    if assumed:
        out["assumed"] = True
    if declined is not None:
        out["declined"] = declined
    if declared_na is not None:
        out["declared_not_applicable"] = declared_na
    if due is not None:  # a deadline: why a requirement not met yet may still be pending
        out["due"] = due.as_dict()
    if status_reason is not None:
        out["status_reason"] = status_reason
    if applies_if is not None:
        out["applies_if"] = applies_if.as_dict()
    out["requires"] = requires.as_dict()
    return out


@record(positional=True, slots=False)  # few objects: a cheaper class to define
class EvidenceProblem(Record):
    """An item of an expected kind that does not count: its state is `expired`, `rejected`,
    `not_yet_collected`, `too_old` (older than the test's `max_age_days`), `evidence_late` (collected
    after its piece's own due date, `date`, where the source takes no late piece) or an integrity
    problem named by the caller of `evaluate` (`missing_file`, `modified`, `outside_dossier`)."""

    id: str
    kind: str
    state: str
    reason: str | None = None  # rejected: the auditor's reason, who decided and when (shown wherever the item is)
    by: str | None = None
    date: Any = None

    def as_dict(self) -> dict[str, str]:
        out = {"id": self.id, "kind": self.kind, "state": self.state}
        if self.state == EVIDENCE_LATE and self.date is not None:
            out["due"] = self.date.isoformat()  # the piece's due date it came after
        if self.reason is not None:
            out["reason"] = self.reason
            if self.by:
                out["by"] = self.by
            if self.date:
                out["date"] = self.date.isoformat()
        return out


@record(positional=True, slots=False)  # few objects: a cheaper class to define
class TooFew(Record):
    """Counted evidence (`count_gte`) with fewer valid items than wanted (`wanted` is known)."""

    kind: str
    found: int
    wanted: int


@record(positional=True, slots=False)  # few objects: a cheaper class to define
class Unmet(Record):
    """A reference to another criterion or to an outcome that does not hold (false or unknown)."""

    part: str  # "applies_if" | "requires"
    kind: str  # "criterion" | "outcome"
    ref: str  # the criterion id, or RULESET.FIELD
    test: str | None  # outcome: the comparison; criterion: None
    expected: Any  # outcome: the value compared with (a tuple for in / not_in); criterion: the status wanted, None for met
    seen: Any  # the criterion's status, or the outcome's value (a (low, high) range, a decision, None)
    value: int  # tri.FALSE or tri.UNKNOWN
    needed: bool  # False where it cannot change the result: below a true node, beside the false child of an `all`

    def as_dict(self) -> dict[str, Any]:
        """An outcome test as the eligibility document shows it (the explanation's values)."""
        return {"outcome": self.ref, "test": self.test, "expected": _jsonable(self.expected), "seen": _jsonable(self.seen)}


@record(positional=True, slots=False)  # few objects: a cheaper class to define
class Findings(Record):
    trace: CriterionTrace
    evidence_used: tuple[str, ...]  # valid items of true evidence tests, sorted, once each
    evidence_problems: tuple[EvidenceProblem, ...]  # in trace order, items by id
    missing_evidence: tuple[str, ...]  # kinds, in trace order
    too_few: tuple[TooFew, ...]
    missing_facts: tuple[str, ...]  # in trace order
    unmet: tuple[Unmet, ...]  # in trace order (applies_if, then requires; depth first)

    @property
    def expired(self) -> bool:
        """Whether an item of an expected kind does not count because it has expired."""
        return any(p.state == EXPIRED for p in self.evidence_problems)

    @property
    def late(self) -> bool:
        """Whether an item of an expected kind does not count because it came after its piece's deadline."""
        return any(p.state == EVIDENCE_LATE for p in self.evidence_problems)

    def as_dict(self) -> dict[str, Any]:
        """The findings keys of a criterion in the result document (raccord.result/1)."""
        return {"evidence_used": list(self.evidence_used),
                "evidence_problems": [p.as_dict() for p in self.evidence_problems],
                "missing_evidence": list(self.missing_evidence), "missing_facts": list(self.missing_facts)}


def criterion_trace(evaluation: Evaluation, cid: str) -> CriterionTrace:
    """The traces of one criterion's conditions over the evaluation's context (built on demand)."""
    return CriterionTrace(*_traced(evaluation, cid))


def explanation(evaluation: Evaluation, cid: str) -> dict[str, Any]:
    """`criterion_trace(evaluation, cid).as_dict()`, without the record."""
    return _explanation(*_traced(evaluation, cid))


def _traced(evaluation: Evaluation, cid: str) -> tuple:
    crit = evaluation.library.criteria[cid]
    ctx, file = evaluation.ctx, evaluation.dossier.file
    return (cid, ctx.statuses[cid], ctx.na_reasons.get(cid), cid in evaluation.assumed, file.declined.get(cid),
            file.not_applicable.get(cid), ctx.windows.get(cid), ctx.status_reasons.get(cid),
            trace(crit.applies_node, ctx) if crit.applies_node is not None else None,
            trace(crit.requires_node, ctx))


def criterion_findings(evaluation: Evaluation, cid: str) -> Findings:
    found = findings_of(criterion_trace(evaluation, cid))
    if any(p.state == REJECTED for p in found.evidence_problems):
        found = _with_reasons(found, evaluation)
    return found


def _with_reasons(found: Findings, evaluation: Evaluation) -> Findings:
    """The auditor's reason on each rejected item (the trace knows states, the dossier the reasons)."""
    items = {item.id: item.auditor for item in evaluation.dossier.file.evidence}
    problems = []
    for p in found.evidence_problems:
        auditor = items.get(p.id)
        if p.state == REJECTED and auditor is not None and auditor.reason:
            p = EvidenceProblem(p.id, p.kind, p.state, auditor.reason, auditor.by, auditor.date)
        problems.append(p)
    return dataclasses.replace(found, evidence_problems=tuple(problems))


def findings_of(trace: CriterionTrace) -> Findings:
    used: set[str] = set()
    problems: list[EvidenceProblem] = []
    missing_evidence: list[str] = []
    too_few: list[TooFew] = []
    missing_facts: list[str] = []
    unmet: list[Unmet] = []
    for part, root in trace.parts():
        stack = [(root, True)]
        while stack:  # depth first, in the order of the conditions
            node, needed = stack.pop()
            test, value, children = node.node, node.value, node.children
            if isinstance(test, Quantifier):  # what each member it does not hold for lacks, member by member
                stack += [(member, needed and value != tri.TRUE) for member in reversed(test.member_traces(node))]
                used.update(_used_by_satisfied_members(node))
            if children:
                stack += [(child, needed and _matters(test, value, child.value)) for child in reversed(children)]
                continue
            kind = type(test)
            if kind is EvidenceTest or kind is MemberEvidenceTest:
                seen = node.seen
                for item in seen.items:
                    if item.state != "valid":
                        problems.append(EvidenceProblem(item.id, test.kind, item.state, date=item.late_after))
                    elif value == tri.TRUE:
                        used.add(item.id)
                if needed and value != tri.TRUE:
                    if test.kind not in missing_evidence:
                        missing_evidence.append(test.kind)
                    if seen.wanted is not None and seen.found is not None and seen.found < seen.wanted:
                        too_few.append(TooFew(test.kind, seen.found, seen.wanted))
            elif value != tri.TRUE and kind is CriterionTest:
                unmet.append(Unmet(part, "criterion", test.criterion, None, test.want, node.inputs["s"], value, needed))
            elif value != tri.TRUE and kind is OutcomeTest:
                unmet.append(Unmet(part, "outcome", f"{test.ruleset}.{test.field_name}", test.op, test.target,
                                   test.seen(node), value, needed))
            for name in test.missing_facts(node) if needed else ():
                if name not in missing_facts:
                    missing_facts.append(name)
    return Findings(trace, tuple(sorted(used)), tuple(problems), tuple(missing_evidence), tuple(too_few),
                    tuple(missing_facts), tuple(unmet))


def _used_by_satisfied_members(trace: Any) -> set[str]:
    """The valid items each member an `every` holds for was met with (`member_traces` gives the
    others): a crew whose badges are all valid shows those badges. Only what was used: an older
    badge beside a valid one is no problem to look at."""
    used: set[str] = set()
    stack = [got for _, _, _, value, got in getattr(trace.seen, "rows", None) or () if got is not None and value == tri.TRUE]
    while stack:
        node = stack.pop()
        if node.value != tri.TRUE:
            continue
        if node.children:
            stack += node.children
        elif type(node.node) is EvidenceTest or type(node.node) is MemberEvidenceTest:
            used.update(item.id for item in node.seen.items if item.state == "valid")
    return used


def _matters(node: Any, value: int, child: int) -> bool:
    """Whether a child can still change its parent's value (Kleene): nothing below a true node (an
    `any` satisfied by one alternative), and in an `all` already false only the false children (the
    others cannot make it true)."""
    if value == tri.TRUE:
        return False
    return child == tri.FALSE if value == tri.FALSE and type(node) is All else True


@record(positional=True, slots=False)  # few objects: a cheaper class to define
class MembersFailing(Record):
    """A condition over a roster (`every`, `count`) that does not hold: the members it fails for
    (`failing`: their own value is false; for a count, none) and those still undecided, by
    internal reference; `missing_collection` when the dossier gives no roster."""

    part: str  # "applies_if" | "requires"
    collection: str
    form: str  # "every" | "count"
    value: int  # tri.FALSE or tri.UNKNOWN
    failing: tuple[str, ...]
    undecided: tuple[str, ...]
    complete: bool | None  # None: no roster
    needed: bool

    def as_dict(self) -> dict[str, Any]:
        return {"collection": self.collection, "form": self.form, "value": tri.NAMES[self.value],
                "failing": list(self.failing), "undecided": list(self.undecided), "complete": self.complete}


def members_failing(trace: CriterionTrace) -> tuple[MembersFailing, ...]:
    """The roster conditions of a criterion that do not hold, in trace order (depth first), with
    whether they can still matter (not below a true node)."""
    out = []
    for part, root in trace.parts():
        for node, needed in root.walk():
            test = node.node
            if isinstance(test, Quantifier) and node.value != tri.TRUE:
                seen = node.seen
                if seen.members is None and test.otherwise is not None:
                    continue  # no roster: its `otherwise` condition says what is missing
                failing = () if isinstance(test, Count) else tuple(seen.refs(tri.FALSE))
                out.append(MembersFailing(part, test.collection, test.op_name, node.value, failing,
                                          tuple(seen.refs(tri.UNKNOWN)), seen.complete, needed))
    return tuple(out)
