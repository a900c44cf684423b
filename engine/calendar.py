"""The production calendar (`raccord calendar`): every dated obligation, milestone and expiring
piece of evidence of a dossier evaluated at a date, in date order (the `raccord.calendar/1` document).

Three kinds of entries, each with its date, whether it is past at the evaluation date (strictly
before it: a deadline due on the evaluation date is still on time, evidence expiring that day
still counts) and the days left:

- `deadline`: a criterion with a `due:` whose date is known (its window, status, latest start,
  expected evidence and the clause that sets the date); those whose date fact is missing are listed
  apart, under `undated`, with the fact to give; a deadline over a list of persons gives one entry
  per member (`member`: the pseudonymous reference, `field`: the member's date it counts from);
- `milestone`: each date fact the dossier gives (first shooting day, wrap...);
- `evidence_expiry`: each evidence item with an `expires` date, with the criteria it supports.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import status as st
from .compiled import CompiledCriterion, CompiledRuleset
from .deadlines import Window, member_done
from .documents import CalendarDocument, CalendarEntry, Source, UndatedDeadline
from .dossier import EvidenceItem
from .evaluate import Evaluation
from .model import SourceRef, to_data

CALENDAR_FORMAT = "raccord.calendar/1"
DEADLINE = "deadline"
MILESTONE = "milestone"
EVIDENCE_EXPIRY = "evidence_expiry"
_KIND_ORDER = {MILESTONE: 0, DEADLINE: 1, EVIDENCE_EXPIRY: 2}  # on one day: the milestone gives the context


def calendar_document(evaluation: Evaluation, version: str) -> CalendarDocument:
    """The calendar of the evaluated dossier: the deadlines of the selected rulesets, the dossier's
    date facts and its expiring evidence, sorted by date; unknown due dates last, apart."""
    entries: list[dict[str, Any]] = []
    undated: list[dict[str, Any]] = []
    for rid in evaluation.selected:
        rs = evaluation.library.rulesets[rid]
        for due in (*rs.deadlines, *rs.piece_deadlines):
            window = evaluation.ctx.windows.get(due.key)
            status = evaluation.status(due.criterion.id)
            if window is None or status == st.NOT_APPLICABLE:
                continue  # the referential does not cover the production, or the criterion does not apply
            if (due.implicit or due.kind) and status == st.MET:
                continue  # a stage's deadline (or a piece's) already honoured: nothing left to date
            # person by person: one entry per member of the list (its reference only, never a name)
            members = evaluation.ctx.windows.members(due.key) if due.deadline.field else []
            for one in members or [window]:
                done = one.member is not None and member_done(due, one.member, evaluation.ctx.evidence_index)
                entry = _deadline(evaluation, rs, due.criterion, one, st.MET if done else status)
                (entries if one.due is not None else undated).append(entry)
    entries += _milestones(evaluation)
    entries += _expiries(evaluation)
    entries.sort(key=lambda e: (e["date"], _KIND_ORDER[e["kind"]], e.get("criterion") or e.get("fact") or e["evidence"],
                                e.get("piece", ""), e.get("member", "")))
    production = evaluation.dossier.file.production
    return {
        "format": CALENDAR_FORMAT,
        "raccord_version": version,
        "as_of": evaluation.as_of.isoformat(),
        "dossier": {"id": production.id, "title": production.title, "company": production.company},
        "rulesets": list(evaluation.selected),
        "entries": entries,
        "undated": undated,
    }


def _when(day: dt.date, as_of: dt.date) -> dict[str, Any]:
    return {"date": day.isoformat(), "past": day < as_of, "days_left": (day - as_of).days}


def public_source(rs: CompiledRuleset, ref: SourceRef) -> Source:
    """A clause as a reader finds it: the document's title (and edition, link) and the section, not
    the seed file and its lines, which are ours."""
    doc = next(d for d in rs.model.sources if d.id == ref.document)
    out = {"document": doc.id, "title": doc.title, "edition": doc.edition, "section": ref.section,
           "quote": ref.quote, "url": ref.url or doc.url, "citation": doc.cite(ref.section, ref.url)}
    return {k: v for k, v in out.items() if v}


def _deadline(evaluation: Evaluation, rs: CompiledRuleset, crit: CompiledCriterion,
              window: Window, status: str) -> CalendarEntry | UndatedDeadline:
    """A deadline's entry; a member's (`member`: its reference) has the member's status: met once
    the member's evidence is in, else the criterion's."""
    model, deadline = crit.model, window.deadline
    entry: dict[str, Any] = {"kind": DEADLINE}
    if window.due is not None:
        entry |= _when(window.due, evaluation.as_of)
        entry["start_by"] = window.start_by.isoformat()
    entry |= {
        "ruleset": rs.id,
        "criterion": crit.id,
        "title": to_data(model.title),
        "status": status,
        "window": window.state,
        **_counted_from(evaluation, deadline),
        "offset_days": deadline.offset_days,
        "lead_days": deadline.lead_days,
        "late": deadline.late,
        "evidence_expected": [{"kind": e.kind, "description": to_data(e.description)} for e in model.evidence
                              if window.kind in (None, e.kind)],
        "source": public_source(rs, deadline.source),
    }
    if window.stage is not None:  # due by the end of this stage (`implicit`: the stage's own due date)
        entry["stage"] = window.stage
        entry["implicit"] = window.implicit
    if window.kind is not None:  # one evidence piece's deadline
        entry["piece"] = window.kind
    if window.member is not None:  # one person's deadline: counted from their date field
        entry["member"] = window.member
        entry["field"] = deadline.field
    reason = evaluation.ctx.status_reasons.get(crit.id) if window.kind is None and status != st.MET else None
    if reason is not None:
        entry["status_reason"] = reason
    declined = evaluation.dossier.file.declined.get(crit.id)
    if declined is not None:  # final whatever its window: nothing to do by that date
        entry["declined"] = declined
    return entry


def _counted_from(evaluation: Evaluation, deadline) -> dict[str, Any]:
    """The date fact a deadline counts from, or for a periodic one the evidence and its period."""
    if deadline.date is None:
        return {"every_months": deadline.every_months, "evidence": deadline.evidence}
    return {"fact": deadline.date, "fact_title": to_data(evaluation.library.catalogue[deadline.date].title)}


def _milestones(evaluation: Evaluation) -> list[CalendarEntry]:
    catalogue = evaluation.library.catalogue
    return [{"kind": MILESTONE, **_when(value, evaluation.as_of), "fact": name, "title": to_data(catalogue[name].title)}
            for name, value in evaluation.dossier.facts.items() if catalogue[name].type == "date"]


def _expiries(evaluation: Evaluation) -> list[CalendarEntry]:
    states = {item.id: item.state for items in evaluation.ctx.evidence.values() for item in items}
    out = []
    for item in evaluation.dossier.file.evidence:
        if item.expires is None:
            continue
        supported = _supported(evaluation, item)
        entry = {"kind": EVIDENCE_EXPIRY, **_when(item.expires, evaluation.as_of), "evidence": item.id,
                 "evidence_kind": item.kind, "state": states.get(item.id, "valid"), "criteria": [c.id for c, _ in supported]}
        description = next((spec.description for _, spec in supported), None)
        if description is not None:
            entry["description"] = to_data(description)
        out.append(entry)
    return out


def _supported(evaluation: Evaluation, item: EvidenceItem) -> list[tuple[CompiledCriterion, Any]]:
    """The criteria of the selected rulesets the item supports, as the engine matches evidence: the
    kind is one the criterion expects, and the item names no criteria or names this one."""
    out = []
    for rid in evaluation.selected:
        for crit in evaluation.library.rulesets[rid].criteria:
            spec = next((e for e in crit.model.evidence if e.kind == item.kind), None)
            if spec is not None and (not item.criteria or crit.id in item.criteria):
                out.append((crit, spec))
    return out
