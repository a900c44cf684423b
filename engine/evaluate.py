"""Evaluate a dossier against loaded rulesets at a given date. No I/O, no clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import field
from itertools import chain
from operator import attrgetter
from typing import Any

from . import deadlines, tri
from . import status as st
from .compiled import CompiledRuleset, Library
from .context import EVIDENCE_LATE, Context, EvidenceIndex, EvidenceItems, EvidenceState, evidence_state
from .dossier import Dossier
from .errors import EvaluationError, InputError
from .ranges import check_as_of, check_facts, fact_where
from .record import Record, record
from .suggest import did_you_mean


@record(positional=True)
class Options(Record):
    """What an evaluation depends on besides the library and the dossier.

    `integrity` names the evidence items whose file is missing, modified or outside the dossier
    (they do not count); `portfolio_integrity` does the same for each portfolio member, in order;
    `assume` sets criteria met or not met for a what-if (a plan's verification)."""

    as_of: dt.date
    rulesets: tuple[str, ...] | None = None
    portfolio: tuple[Dossier, ...] | None = None
    integrity: dict[str, str] | None = None
    portfolio_integrity: tuple[dict[str, str] | None, ...] | None = None
    assume: dict[str, str] | None = None


@record(positional=True, frozen=False)
class Evaluation(Record):
    library: Library
    dossier: Dossier
    as_of: dt.date
    ctx: Context
    rulesets: list[str]  # evaluated, in order (dependencies included)
    selected: list[str]  # what the user asked for
    portfolio: list[Evaluation] = field(default_factory=list)
    assumed: dict[str, str] = field(default_factory=dict)
    options: Options | None = None
    _completed: set[str] = field(default_factory=set)

    def status(self, cid: str) -> str:
        return self.ctx.statuses[cid]

    def outcome(self, rid: str) -> dict[str, Any]:
        """A ruleset's outcome with its complete reasons: when undetermined, the facts whose absence
        leaves a blocking criterion unknown (`missing_fact:NAME`) and `evidence_expired` when expired
        evidence is why (`evidence_late`: a piece came after its own deadline). They need the
        criteria's findings, so they are added on first request rather than in every evaluation;
        conditions of other rulesets never read reasons."""
        outcome = self.ctx.outcomes[rid]
        if rid not in self._completed:
            self._completed.add(rid)
            outcome["reasons"] = list(dict.fromkeys(outcome.get("reasons", []) + self._unknown_reasons(rid, outcome)))
        return outcome

    def _unknown_reasons(self, rid: str, outcome: dict[str, Any]) -> list[str]:
        if outcome.get("decision") != st.UNDETERMINED and "level_undetermined" not in outcome.get("reasons", []):
            return []
        from .findings import criterion_findings

        blocking = set(outcome.get("blocking", []))
        reasons: list[str] = []
        for crit in self.library.rulesets[rid].display_order:
            if self.ctx.statuses[crit.id] != st.UNKNOWN or (blocking and crit.id not in blocking):
                continue
            found = criterion_findings(self, crit.id)
            reasons += [f"missing_fact:{name}" for name in found.missing_facts]
            if found.expired:
                reasons.append("evidence_expired")
            if found.late:
                reasons.append("evidence_late")
        return reasons

    def explain(self, cid: str) -> dict[str, Any]:
        """The condition trees of one criterion with what they looked at (built on demand; typed:
        `findings.criterion_trace`)."""
        from .findings import explanation

        return explanation(self, cid)

    def current_stage(self, rid: str) -> str | None:
        reached = None
        for stage in self.library.rulesets[rid].stages:
            if stage.reached is None or stage.reached(self.ctx) == tri.TRUE:
                reached = stage.model.id
        return reached


def build_context(dossier: Dossier, as_of: dt.date, integrity: dict[str, str] | None = None,
                  late: tuple[tuple[str, str, dt.date], ...] = ()) -> Context:
    """`late`: the pieces whose items collected after their due date do not count
    (deadlines.late_pieces; they depend on the facts, so a what-if on a date gets its own index)."""
    key = (as_of, tuple(sorted((integrity or {}).items())), *late)
    evidence = dossier.prepared.get(key)
    if evidence is None:
        evidence = dossier.prepared[key] = _evidence_index(dossier, as_of, integrity, late)
    return Context(dossier.facts, as_of, evidence)  # read-only for conditions: no copy


_new_state = tuple.__new__  # an EvidenceState without its Python-level __new__ (one per item read)
_EMPTY: frozenset[str] = frozenset()
_criteria = attrgetter("criteria")


def _late_after(item: Any, late: tuple[tuple[str, str, dt.date], ...]) -> dt.date | None:
    """The earliest due date of a piece the item stands for that takes no late piece."""
    dues = [due for kind, cid, due in late if kind == item.kind and (not item.criteria or cid in item.criteria)]
    return min(dues, default=None)


def _evidence_index(dossier: Dossier, as_of: dt.date, integrity: dict[str, str] | None,
                    late: tuple[tuple[str, str, dt.date], ...] = ()) -> EvidenceIndex:
    problems = integrity or {}
    evidence = dossier.file.evidence
    late_kinds = {kind for kind, _, _ in late}
    valid: dict[str, bool | frozenset[str]] = {}
    members: dict[tuple[str, str], bool | frozenset[str]] = {}  # the same, per (kind, member) for items naming one
    for item in evidence:
        # evidence_state(...) == VALID, tested inline (a dossier's first evaluation does it for every
        # item): none of its problems, whichever it would name first
        collected = item.collected
        if collected is not None and collected > as_of:
            continue
        expires = item.expires
        if (expires is not None and expires < as_of) or item.auditor.status == "rejected" \
                or (problems and problems.get(item.id)):
            continue
        # kinds are interned when the dossier is built (dossier._share_equal_values), as the generated
        # code's names are (codegen.GeneratedCode.load): its look-ups then compare identities
        kind, criteria, member = item.kind, item.criteria, item.member
        if late_kinds and kind in late_kinds and collected is not None \
                and (after := _late_after(item, late)) is not None and collected > after:
            continue
        if not criteria:  # most items: they support every criterion of their kind
            valid[kind] = True
            if member is not None:
                members[kind, member] = True
            continue
        now = valid.get(kind)
        if now is not True:
            valid[kind] = (now or _EMPTY) | frozenset(criteria)
        if member is not None and (had := members.get((kind, member))) is not True:
            members[kind, member] = (had or _EMPTY) | frozenset(criteria)

    def state_of(item: Any) -> EvidenceState:
        late_after = _late_after(item, late) if item.kind in late_kinds else None
        state = evidence_state(item.collected, item.expires, item.auditor.status, as_of, problems.get(item.id), late_after)
        return _new_state(EvidenceState, (item.id, item.kind, frozenset(item.criteria) if item.criteria else _EMPTY, state,
                                          item.collected, item.expires, item.member,
                                          late_after if state == EVIDENCE_LATE else None))

    return EvidenceIndex(valid, lambda: EvidenceItems(evidence, state_of), members)


def check_references(library: Library, dossier: Dossier) -> None:
    """Criterion ids named by the dossier must exist in the library, and its facts be in the ranges
    evaluation computes in (engine/ranges.py)."""
    if dossier.prepared.get("references_checked") is library:
        return
    if "ranges_checked" not in dossier.prepared:
        check_facts(dossier.facts, lambda name, *inner: fact_where(dossier.located, name, *inner))
        dossier.prepared["ranges_checked"] = True
    known = library.criteria.keys()
    file = dossier.file
    # set operations in C, not a loop over the register: most items name no criterion
    if (known >= file.not_applicable.keys() and known >= file.declined.keys()
            and (not any(map(_criteria, file.evidence)) or known >= set(chain.from_iterable(map(_criteria, file.evidence))))):
        dossier.prepared["references_checked"] = library
        return
    located = dossier.located
    named = [(("not_applicable", cid), cid) for cid in dossier.file.not_applicable]
    named += [(("declined", cid), cid) for cid in dossier.file.declined]
    for i, item in enumerate(dossier.file.evidence):
        named += [(("evidence", i, "criteria", j), cid) for j, cid in enumerate(item.criteria)]
    for where, cid in named:
        if cid not in library.criteria:
            raise InputError(located.where(where), f"unknown criterion '{cid}'",
                             did_you_mean(cid, library.criteria, "`raccord rulesets show ID` lists criteria"))
    dossier.prepared["references_checked"] = library


def evaluate(
    library: Library,
    dossier: Dossier,
    as_of: dt.date,
    rulesets: list[str] | None = None,
    portfolio: list[Dossier] | None = None,
    integrity: dict[str, str] | None = None,
    assume: dict[str, str] | None = None,
    portfolio_integrity: list[dict[str, str] | None] | None = None,
) -> Evaluation:
    """Statuses and outcomes of `dossier` at `as_of` (the arguments of `Options`, kept for callers
    of the first API; `evaluate_with` takes the options themselves)."""
    return evaluate_with(library, dossier, Options(
        as_of, tuple(rulesets) if rulesets else None, tuple(portfolio) if portfolio is not None else None, integrity,
        tuple(portfolio_integrity) if portfolio_integrity is not None else None, assume))


def evaluate_with(library: Library, dossier: Dossier, options: Options) -> Evaluation:
    """Statuses and outcomes of `dossier` under `options`."""
    check_as_of(options.as_of)
    rulesets = list(options.rulesets or [])
    for rid in rulesets:
        if rid not in library.rulesets:
            raise EvaluationError("--ruleset", f"unknown ruleset '{rid}'", "known: " + ", ".join(library.rulesets))
    check_references(library, dossier)
    order = library.closure(rulesets or None)
    as_of, assume, portfolio = options.as_of, options.assume or {}, options.portfolio
    late = deadlines.late_pieces(library.rulesets.values(), dossier.facts)
    ctx = build_context(dossier, as_of, options.integrity, late)
    ctx.declined = dossier.file.declined
    ctx.windows = deadlines.Windows(ctx.facts, as_of, ctx.evidence_index)
    checks = options.portfolio_integrity or [None] * len(portfolio or ())
    members = [evaluate_with(library, other, Options(as_of, options.rulesets, None, problems))
               for other, problems in zip(portfolio or (), checks, strict=True)]
    if portfolio is not None:
        for rid in order:
            ctx.portfolio[rid] = [(m.dossier.label, m.ctx.outcomes[rid]) for m in members]
    for rid in order:
        _evaluate_ruleset(library.rulesets[rid], dossier, ctx, assume)
    # every field given, in order: the record's fast path
    return Evaluation(library, dossier, as_of, ctx, order, rulesets or order, members, dict(assume), options, set())


def _apply_deadlines(rs: CompiledRuleset, ctx: Context, opened: list[str], marked: frozenset[str], declared_na: dict,
                     declined: dict, assume: dict[str, str]) -> None:
    """Windows at the evaluation date; a not-met criterion that is not final is pending
    (engine/deadlines.py): the ruleset is evaluated again with it unknown, so that whatever
    depends on it is pending too (Kleene: a value made unknown never turns another definite), and
    again while that makes more criteria pending for their own part. `opened` are the criteria with
    a deadline the runner left not met or unknown (most are met): only those need their window."""
    due_by_key = rs.due_by_key
    if not due_by_key:
        return  # no deadline in this ruleset (then `opened` is empty)
    windows = ctx.windows.add(due_by_key, rs.window_token)
    if not opened:
        return
    statuses = ctx.statuses
    final = rs.final_by_nature if not declined else rs.final_by_nature | frozenset(declined)
    first_pass: dict[str, str] | None = None
    pending: dict[str, str] = {}
    new, reasons = deadlines.adjust(statuses, opened, windows, due_by_key, ctx, final, assume, rs.pendable)
    while new:
        if first_pass is None:  # only when something is pending (most evaluations: nothing)
            first_pass = {cid: statuses[cid] for cid in rs.dated}
        pending.update(new)
        opened = rs.runner(ctx, marked | frozenset(pending), declared_na, declined, {**pending, **assume})
        new, reasons = deadlines.adjust(statuses, opened, windows, due_by_key, ctx, final, {**assume, **pending},
                                        rs.pendable, first_pass)
    reasons.update(dict.fromkeys(pending, deadlines.NOT_YET_DUE))
    ctx.status_reasons.update(reasons)


def _lost(rs: CompiledRuleset, ctx: Context) -> set[str]:
    """Criteria of the ruleset that can no longer be met because a deadline has passed: their own,
    or one of the criteria or outcomes they require (so the decisions depending on them say so)."""
    reasons, statuses = ctx.status_reasons, ctx.statuses
    lost: set[str] = set()
    if deadlines.DEADLINE_PASSED not in reasons.values():
        return lost  # nothing anywhere is lost yet (an outcome is lost only through a criterion): nothing can be
    outcomes = ctx.outcomes  # only those the ruleset reads: the others may not be built yet (context.Outcomes)
    lost_rulesets = {rid for rid in rs.losable_rulesets
                     if rid in outcomes and deadlines.DEADLINE_PASSED in outcomes[rid].get("reasons", ())}
    for cid, criteria, rulesets in rs.losable:  # dependencies first
        if statuses[cid] != st.NOT_MET:
            continue
        if (reasons.get(cid) == deadlines.DEADLINE_PASSED or rulesets & lost_rulesets
                or any(reasons.get(c) == deadlines.DEADLINE_PASSED or c in lost for c in criteria)):
            lost.add(cid)
            reasons.setdefault(cid, deadlines.DEADLINE_PASSED)
    return lost


def _evaluate_ruleset(rs: CompiledRuleset, dossier: Dossier, ctx: Context, assume: dict[str, str]) -> None:
    statuses, na_reasons = ctx.statuses, ctx.na_reasons
    scope = rs.scope(ctx) if rs.scope else tri.TRUE
    if scope == tri.FALSE or not rs.model.in_force(ctx.as_of):
        reason = st.NA_RULESET if scope == tri.FALSE else st.NA_NOT_IN_FORCE
        for crit in rs.criteria:
            statuses[crit.id] = st.NOT_APPLICABLE
            na_reasons[crit.id] = reason
        ctx.outcomes[rs.id] = {"decision": st.NOT_APPLICABLE, "reasons": [reason], "blocking": []}
        return
    declared_na = dossier.file.not_applicable
    declined = dossier.file.declined
    marked = dossier.prepared.get("marked")
    if marked is None:
        marked = dossier.prepared["marked"] = frozenset(declared_na) | frozenset(declined)
    if assume:
        marked = marked | frozenset(assume)
    opened = rs.runner(ctx, marked, declared_na, declined, assume)
    _apply_deadlines(rs, ctx, opened, marked, declared_na, declined, assume)
    # the lost criteria now (their reasons are read by the criteria entries and by later rulesets), the
    # outcome when first read: its statuses and what it reads are final (context.Outcomes)
    ctx.outcomes.defer(rs.id, _outcome, (rs, scope, _lost(rs, ctx) if ctx.status_reasons else None), ctx)


def _outcome(ctx: Context, rs: CompiledRuleset, scope: int, lost: set[str] | None) -> dict[str, Any]:
    """A ruleset's outcome from its final statuses (`lost`: its criteria lost to a deadline)."""
    outcome = rs.policy.outcome(rs, ctx)
    if lost:
        rs.policy.note_lost(outcome, lost)
    if scope == tri.UNKNOWN:
        outcome["reasons"].append("scope_undetermined")
        if outcome.get("decision") in (st.ELIGIBLE, st.COMPLIANT):
            outcome["decision"] = st.UNDETERMINED
    return outcome
