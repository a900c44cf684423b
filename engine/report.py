"""The evaluation result as one versioned, language-neutral JSON document (renderers pick fr/en)."""

from __future__ import annotations

import marshal
import weakref
from typing import TYPE_CHECKING, Any

from . import status as st
from .compiled import CompiledCriterion, CompiledRuleset
from .conditions import All, AnyOf, CriterionTest, Not
from .deadlines import CLOSED, DEADLINE_PASSED, OVERDUE, member_done
from .evaluate import Evaluation
from .findings import criterion_findings, members_failing
from .model import to_data

if TYPE_CHECKING:  # TypedDicts cost a cold `raccord check` about 20 ms to define: only for annotations
    from .documents import CriterionEntry, ExplainDocument, MissingItem, ResultDocument, RulesetEntry

RESULT_FORMAT = "raccord.result/1"


_PLAIN = (str, int, bool, type(None))


def jsonable(value: Any) -> Any:
    if type(value) in _PLAIN:  # most values: returned as they are, before the checks below
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, float):
        return round(value, 6)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def source_of(rs: CompiledRuleset, crit: CompiledCriterion) -> dict[str, Any]:
    ref = crit.model.source
    doc = next(d for d in rs.model.sources if d.id == ref.document)
    out = {"document": doc.id, "title": doc.title, "edition": doc.edition, "section": ref.section,
           "lines": ref.lines, "seed": doc.seed, "url": ref.url or doc.url, "quote": ref.quote,
           "citation": doc.cite(ref.section, ref.url)}  # what a reader is shown; the rest is provenance
    return {k: v for k, v in out.items() if v is not None}


def criterion_entry(evaluation: Evaluation, rs: CompiledRuleset, crit: CompiledCriterion,
                    complete: bool = True, explained: bool = True) -> CriterionEntry:
    """One criterion of the result document; `complete=False` skips explaining a met criterion,
    `explained=False` any criterion (see `result_document`)."""
    model = crit.model
    status = evaluation.status(crit.id)
    entry: dict[str, Any] = {
        "id": crit.id,
        "title": to_data(model.title),
        "group": model.group,
        "status": status,
        "mandatory": model.mandatory,
        "points": model.points,
        "level": model.level,
        "scheme": model.scheme,
        "effort": model.effort,
        "stage": model.stage,
        "evidence_expected": [{"kind": e.kind, "description": to_data(e.description)} | ({"stage": e.stage} if e.stage else {})
                              for e in model.evidence],
        "source": source_of(rs, crit),
        "provenance": model.provenance,
    }
    if model.assumption:
        entry["assumption"] = to_data(model.assumption)
    if status == st.NOT_APPLICABLE:
        reason = evaluation.ctx.na_reasons.get(crit.id)
        entry["not_applicable_reason"] = reason
        if reason == st.NA_DECLARED:
            entry["justification"] = evaluation.dossier.file.not_applicable[crit.id]
        elif reason == st.NA_CONDITION and model.not_applicable_reason:
            entry["justification"] = model.not_applicable_reason.get("fr")
            entry["justification_i18n"] = to_data(model.not_applicable_reason)
        return {k: v for k, v in entry.items() if v is not None}
    _add_due(entry, evaluation, crit.id)
    if model.amount_due:
        due = model.amount_due
        count = evaluation.ctx.facts.get(due.per_fact)
        entry["amount_due"] = {"title": to_data(due.title), "rate": due.rate, "per_fact": due.per_fact,
                               "count": count, "value": None if count is None else due.rate * count, "unit": due.unit}
    if status != st.MET or complete:
        if explained:
            add_findings(entry, evaluation, crit.id)
        else:  # what only the findings give is left out: `missing_items` adds it to the items it shows
            _add_declared(entry, evaluation, crit.id)
    return {k: v for k, v in entry.items() if v is not None}


def add_findings(entry: dict[str, Any], evaluation: Evaluation, cid: str) -> None:
    """The keys of a criterion entry read off its findings: evidence used and problems, what is
    missing, the persons of a roster it fails for, whether expired evidence is why."""
    found = criterion_findings(evaluation, cid)
    entry.update({k: v for k, v in found.as_dict().items() if v})
    members = [m.as_dict() for m in members_failing(found.trace) if m.needed]
    if members:  # the persons of a roster it fails for or cannot decide, by internal reference
        entry["members"] = members
    _add_declared(entry, evaluation, cid)
    if found.expired and entry["status"] != st.MET:
        entry["expired"] = True


def _add_due(entry: dict[str, Any], evaluation: Evaluation, cid: str) -> None:
    window = evaluation.ctx.windows.get(cid)
    if window is not None:
        entry["due"] = window.as_dict()
    reason = evaluation.ctx.status_reasons.get(cid)
    if reason is not None:
        entry["status_reason"] = reason


def _add_declared(entry: dict[str, Any], evaluation: Evaluation, cid: str) -> None:
    if cid in evaluation.dossier.file.declined:
        entry["declined"] = evaluation.dossier.file.declined[cid]
    if cid in evaluation.assumed:
        entry["assumed"] = True


def brief_entry(evaluation: Evaluation, crit: CompiledCriterion, citations: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What a text report reads of a criterion it does not show (`result_document(explained=N)`): its
    status, the notice's provenance and caveats (`source.citation`, one per source document, shared),
    and what ranks a missing item. `missing_items` makes the full entry of the items it shows."""
    model = crit.model
    status = evaluation.status(crit.id)
    entry: dict[str, Any] = {"id": crit.id, "status": status, "provenance": model.provenance,
                             "source": citations[model.source.document]}
    if status == st.NOT_APPLICABLE or status == st.MET:
        return entry
    entry["points"], entry["effort"] = model.points, model.effort
    _add_due(entry, evaluation, crit.id)
    _add_declared(entry, evaluation, crit.id)
    return {k: v for k, v in entry.items() if v is not None}


def _notice_citations(rs: CompiledRuleset) -> dict[str, dict[str, Any]]:
    """Per source document, the part of its citations the notice reads (the same for every section)."""
    out = {}
    for doc in rs.model.sources:
        cit = doc.citation
        said = {"reconstruction": to_data(cit.reconstruction), "caveat": to_data(cit.caveat)} if cit else {}
        out[doc.id] = {"citation": {k: v for k, v in said.items() if v is not None}}
    return out


def ruleset_entry(evaluation: Evaluation, rid: str, complete: bool = True, explained: bool = True,
                  brief: bool = False) -> RulesetEntry:
    """`brief`: criteria as `brief_entry` (a text report's, see `result_document`)."""
    rs = evaluation.library.rulesets[rid]
    if brief:
        citations = _notice_citations(rs)
        criteria = [brief_entry(evaluation, crit, citations) for crit in rs.display_order]
    else:
        criteria = [criterion_entry(evaluation, rs, crit, complete, explained) for crit in rs.display_order]
    summary = ruleset_summary(evaluation, rid)
    head = ("id", "title", "version", "policy", "outcome", "counts")  # the document's key order, as before
    return {**{key: summary[key] for key in head}, "groups": [{"id": g.id, "title": to_data(g.title)} for g in rs.model.groups],
            "criteria": criteria, **{key: value for key, value in summary.items() if key not in head}}


# The reasons Evaluation.outcome adds on request (each needs the findings of unknown criteria).
COMPLETED_REASONS = ("missing_fact:", "evidence_expired", "evidence_late")


def ruleset_summary(evaluation: Evaluation, rid: str, reasons: bool = True) -> dict[str, Any]:
    """A ruleset entry without its groups and criteria: what a summary line needs (decision,
    outcome, counts, the policy's own fields), at a fraction of the entry's cost (no criterion is
    explained). Same values as in `ruleset_entry`; `reasons=False`: the outcome's reasons are the
    policy's own, without COMPLETED_REASONS (a decision line does not show them)."""
    rs = evaluation.library.rulesets[rid]
    # with its complete reasons (Evaluation.outcome), or as the evaluation left it
    outcome = evaluation.outcome(rid) if reasons else evaluation.ctx.outcomes[rid]
    counts = {s: 0 for s in st.STATUSES}
    for crit in rs.display_order:
        counts[evaluation.status(crit.id)] += 1
    model = rs.model
    out = {
        "id": rid,
        "title": to_data(model.title),
        "version": model.version,
        "policy": rs.policy.kind,
        "outcome": jsonable(outcome),
        "counts": counts,
    }
    if not reasons and "reasons" in outcome:  # the same whether or not another caller completed them
        out["outcome"]["reasons"] = [r for r in outcome["reasons"] if not r.startswith(COMPLETED_REASONS)]
    reason = not_applicable_reason(evaluation, rs, outcome) if outcome.get("decision") == st.NOT_APPLICABLE else None
    if reason:
        out["not_applicable_reason"] = reason
    out.update(policy_fields(rs))
    if rs.stages:
        out["stage"] = evaluation.current_stage(rid)
        out["stages"] = [{"id": s.model.id, "title": to_data(s.model.title)} for s in rs.stages]
    return out


_POLICY_FIELDS: dict[int, tuple[weakref.ref, str]] = {}


def policy_fields(rs: CompiledRuleset) -> dict[str, Any]:
    """`rs.policy.describe()` as JSON values. They are the policy's parameters, the same for every
    evaluation: made once per compiled ruleset (a workspace makes a summary at every edit), kept
    serialised and read back, so that each entry has its own values to change. marshal, not json:
    a text `raccord check` never imports json; version 2 writes no shared references, so no two
    places of the values read back are one object."""
    kept = _POLICY_FIELDS.get(id(rs))
    if kept is None or kept[0]() is not rs:
        kept = (weakref.ref(rs), marshal.dumps(jsonable(rs.policy.describe()), 2))
        _POLICY_FIELDS[id(rs)] = kept
    return marshal.loads(kept[1])


def not_applicable_reason(evaluation: Evaluation, rs: CompiledRuleset, outcome: dict[str, Any]) -> dict[str, str] | None:
    """The text of the rule that made a ruleset not applicable: its scope's reason when the scope
    is false; none when it is not in force (the reason code says so); when the policy found no
    criterion applicable, the reasons of the criteria's own conditions."""
    reasons = outcome.get("reasons", ())
    if st.NA_RULESET in reasons:
        scope = rs.model.policy.not_applicable_reason
        return to_data(scope) if scope else None
    if st.NA_NOT_IN_FORCE in reasons:
        return None
    na_reasons = evaluation.ctx.na_reasons
    texts = [crit.model.not_applicable_reason for crit in rs.display_order
             if na_reasons.get(crit.id) == st.NA_CONDITION and crit.model.not_applicable_reason]
    texts = list(dict.fromkeys((t.fr, t.en) for t in texts))
    return {"fr": " ".join(fr for fr, _ in texts), "en": " ".join(en for _, en in texts)} if texts else None


def missing_items(evaluation: Evaluation, documents: dict[str, RulesetEntry] | None = None,
                  include_settled: bool = False, explained: int | None = None) -> list[MissingItem]:
    """What remains, blocking items first, then by points gained per day of effort.

    Items that can no longer change an outcome (a policy's `settled` set: recommendations, optional
    actions once the top band is reached, conditions of a closed scheme...) are left out unless
    `include_settled`. `explained`: the `documents` were made with `brief=True` (`brief_entry`):
    only the first `explained` items are made from their criterion's full entry, explained (a text
    report shows no more); the others are in the list for their number only (ruleset, criterion,
    status, blocking).
    """
    ranked = []
    for rank, rid in enumerate(evaluation.selected):
        doc = (documents or {}).get(rid) or ruleset_entry(evaluation, rid)
        rs = evaluation.library.rulesets[rid]
        settled = set() if include_settled else rs.policy.settled(rs, evaluation.outcome(rid), evaluation.ctx)
        blocking = set(doc["outcome"].get("blocking", []))
        for entry in doc["criteria"]:
            if entry["status"] not in (st.UNKNOWN, st.NOT_MET) or entry["id"] in settled:
                continue
            derived = follows_from(evaluation.library.criteria[entry["id"]], evaluation.ctx.statuses)
            gain = (entry.get("points") or 1) / max(entry.get("effort", 1), 0.1)
            is_blocking = entry["id"] in blocking
            # what can be done comes before what follows from it: a derived item has no action of its own
            ranked.append((*urgency(entry), 0 if is_blocking else 1, derived is not None, -gain, rank, entry["id"],
                           (rid, doc, entry, is_blocking, derived, gain)))
    ranked.sort(key=lambda t: t[:-1])
    items = []
    for position, key in enumerate(ranked):
        rid, doc, entry, is_blocking, derived, gain = key[-1]
        if explained is not None and position >= explained:  # counted, not shown: what add_validated reads
            items.append({"ruleset": rid, "criterion": entry["id"], "status": entry["status"], "blocking": is_blocking})
            continue
        if explained is not None:  # a brief entry (result_document): the full one, explained
            rs = evaluation.library.rulesets[rid]
            entry = criterion_entry(evaluation, rs, evaluation.library.criteria[entry["id"]], complete=False)
        items.append(missing_item(evaluation, rid, doc, entry, is_blocking, derived, gain))
    return items


def missing_item(evaluation: Evaluation, rid: str, doc: RulesetEntry, entry: dict[str, Any], blocking: bool,
                 derived: list[str] | None, gain: float) -> MissingItem:
    """One item of `missing_items`, from its criterion's entry."""
    stage_order = [s["id"] for s in doc.get("stages", [])]
    current = doc.get("stage")
    item = {
        "ruleset": rid,
        "criterion": entry["id"],
        "title": entry["title"],
        "status": entry["status"],
        "blocking": blocking,
        "mandatory": entry.get("mandatory", False),
        "points": entry.get("points"),
        "level": entry.get("level"),
        "effort": entry.get("effort"),
        "gain_per_day": round(gain, 4),
        "evidence_expected": entry["evidence_expected"],
        "missing_evidence": entry.get("missing_evidence", []),
        "evidence_problems": entry.get("evidence_problems", []),
        "missing_facts": entry.get("missing_facts", []),
        **({"members": entry["members"]} if entry.get("members") else {}),
        "source": entry["source"],
        "stage": next_stage_due(entry, stage_order),
    }
    if entry.get("declined"):
        item["declined"] = entry["declined"]
    if derived is not None:
        item["follows_from"] = derived
    if item["stage"] and current in stage_order and item["stage"] in stage_order:
        item["due_now"] = stage_order.index(item["stage"]) <= stage_order.index(current)
    for key in ("due", "status_reason"):
        if key in entry and not entry.get("declined"):  # declined: nothing is due any more
            item[key] = entry[key]
    piece_due = pieces_due(evaluation, entry) if not entry.get("declined") else None
    if piece_due:
        item["piece_due"] = piece_due
    members_due = persons_due(evaluation, evaluation.library.rulesets[rid], entry["id"]) if "due" in item else None
    if members_due:
        item["members_due"] = members_due
    return item


def pieces_due(evaluation: Evaluation, entry: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The own deadlines of the evidence pieces a criterion still lacks (kind -> window, as `due`):
    a forecast footprint due with the budget while its criterion is due later."""
    windows, cid = evaluation.ctx.windows, entry["id"]
    found = ((kind, windows.get(f"{cid}#{kind}")) for kind in entry.get("missing_evidence", ()))
    return {kind: window.as_dict() for kind, window in found if window is not None}


def persons_due(evaluation: Evaluation, rs: CompiledRuleset, cid: str) -> list[dict[str, Any]]:
    """A deadline over a list of persons: the window of each member not yet done (`member`: the
    reference), most urgent first (by latest start; unknown dates last)."""
    due = rs.due_by_key.get(cid)
    if due is None or due.deadline.field is None:
        return []
    index = evaluation.ctx.evidence_index
    pending = [w for w in evaluation.ctx.windows.members(cid) if not member_done(due, w.member, index)]
    pending.sort(key=lambda w: (w.start_by is None, w.start_by or w.due, w.member))
    return [w.as_dict() for w in pending]


def urgency(entry: dict[str, Any]) -> tuple[int, str]:
    """Lost items first (what a passed deadline costs, and what only proof of a step taken in time
    can still settle), then overdue ones still possible, then by latest start date; items without a
    deadline after those with one."""
    due = None if entry.get("declined") else entry.get("due")
    if entry.get("status_reason") == DEADLINE_PASSED:  # its own deadline, or one of what it requires
        return 0, (due or {}).get("start_by", "9999-12-31")
    if due is None:
        return 4, ""
    if due["window"] == CLOSED:
        return 1, due["start_by"]
    if due["window"] == OVERDUE:
        return 2, due["start_by"]
    return 3, due.get("start_by", "9999-12-31")  # an unknown due date after the known ones


def follows_from(crit: CompiledCriterion, statuses: dict[str, str]) -> list[str] | None:
    """For a criterion that only combines other criteria (no fact or evidence of its own), those of
    them not yet met: what completing it takes. None for a criterion with conditions of its own."""
    leaves = [n for n in crit.requires_node.walk() if not isinstance(n, (All, AnyOf, Not))]
    if not all(isinstance(n, CriterionTest) for n in leaves):
        return None
    return [n.criterion for n in leaves if statuses.get(n.criterion) != st.MET]


def next_stage_due(entry: dict[str, Any], stage_order: list[str]) -> str | None:
    """When what a criterion still lacks is due: the earliest stage of its missing evidence (a piece
    may be due before its criterion, like a forecast footprint), else the criterion's own stage."""
    own = entry.get("stage")
    stages = [e.get("stage") or own for e in entry["evidence_expected"] if e["kind"] in entry.get("missing_evidence", [])]
    known = [s for s in stages if s in stage_order]
    return min(known, key=stage_order.index) if known else own


def result_document(evaluation: Evaluation, version: str, complete: bool = True,
                    explained: int | None = None) -> ResultDocument:
    """The result document. `complete=False` leaves out what only the explanation of a met criterion
    adds (the evidence it used, problems with its other items): the terminal and Markdown reports
    never show it, and explaining the met criteria is most of the document's cost. Such a document
    is for rendering only; `--format json` always writes the complete one. `explained=N` (with
    `complete=False`) explains no criterion but those of the first N missing items: what the
    terminal report shows without `--verbose` (render_text.render_check's `missing_limit`); its
    criteria are then `brief_entry`s and its missing items past the first N numbered only: a document
    for that report alone."""
    dossier = evaluation.dossier
    explain_all = complete or explained is None
    rulesets = {rid: ruleset_entry(evaluation, rid, complete, explain_all, brief=not explain_all)
                for rid in evaluation.selected}
    doc: dict[str, Any] = {
        "format": RESULT_FORMAT,
        "raccord_version": version,
        "as_of": evaluation.as_of.isoformat(),
        "dossier": {
            "id": dossier.file.production.id,
            "title": dossier.file.production.title,
            "company": dossier.file.production.company,
            "path": str(dossier.path) if dossier.path else None,
        },
        "rulesets": list(rulesets.values()),
        "missing": missing_items(evaluation, rulesets, explained=None if explain_all else explained),
    }
    if evaluation.assumed:
        doc["assumed"] = evaluation.assumed
    if evaluation.portfolio:
        doc["portfolio"] = [
            {"id": m.dossier.label, "title": m.dossier.file.production.title,
             "outcomes": {rid: jsonable(m.outcome(rid)) for rid in evaluation.selected}}
            for m in evaluation.portfolio
        ]
    return doc


def explain_document(evaluation: Evaluation, cid: str) -> ExplainDocument:
    """One criterion of the result document with its explanation trace (`raccord explain`)."""
    crit = evaluation.library.criteria[cid]
    entry = criterion_entry(evaluation, evaluation.library.rulesets[crit.ruleset], crit)
    return {"as_of": evaluation.as_of.isoformat(), **entry, "trace": evaluation.explain(cid)}
