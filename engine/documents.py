"""The shapes of the documents the engine returns, as TypedDicts: what a front end may read.

They are plain dicts at run time (JSON-ready, written as they are by `--format json`), so typing
them costs nothing and changes no output. A change of shape bumps the document's format version
(`raccord.result/1`, `raccord.plan/1`, `raccord.eligibility/1`, `raccord.verify/1`, `raccord.calendar/1`).
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

Text = dict[str, str]  # {"fr": ..., "en": ...}


class Citation(TypedDict, total=False):
    """A source as a reader finds it (engine/model.py Citation): the renderers show this, never the seed."""
    name: Text
    article: Text  # the section, our internal qualifiers replaced by the reader's words
    where: Text  # « Légifrance », « site du CNC »
    url: str
    reconstruction: Text  # what our wording was rebuilt from, when it is not the official text
    caveat: Text  # said once at the top of a report


class Source(TypedDict, total=False):
    citation: Citation
    document: str
    title: str
    edition: str
    section: str
    lines: str
    seed: str
    url: str
    quote: str


class EvidenceExpected(TypedDict):
    kind: str
    description: Text
    stage: NotRequired[str]


class EvidenceProblem(TypedDict):
    id: str
    kind: str
    state: str  # expired, rejected, not_yet_collected, too_old, missing_file, modified, outside_dossier, pending_review...
    reason: NotRequired[str]  # rejected: the auditor's reason
    by: NotRequired[str]  # who rejected it
    date: NotRequired[str]  # when


class CriterionEntry(TypedDict):
    id: str
    title: Text
    group: str
    status: str  # met, not_met, unknown, not_applicable
    mandatory: bool
    effort: float
    evidence_expected: list[EvidenceExpected]
    source: Source
    provenance: str  # official_text, published_summary, reconstructed
    points: NotRequired[float]
    level: NotRequired[int]
    scheme: NotRequired[str]
    stage: NotRequired[str]
    assumption: NotRequired[Text]
    not_applicable_reason: NotRequired[str]
    justification: NotRequired[str]
    justification_i18n: NotRequired[Text]
    amount_due: NotRequired[dict[str, Any]]
    evidence_used: NotRequired[list[str]]
    evidence_problems: NotRequired[list[EvidenceProblem]]
    missing_evidence: NotRequired[list[str]]
    missing_facts: NotRequired[list[str]]
    declined: NotRequired[str]
    assumed: NotRequired[bool]
    expired: NotRequired[bool]
    due: NotRequired[dict[str, Any]]  # deadlines.Window.as_dict(): window, due, start_by, days_left, fact, source
    status_reason: NotRequired[str]  # not_yet_due, deadline_passed, proof_only
    members: NotRequired[list[MembersEntry]]  # conditions over a roster that do not hold
    validated_status: NotRequired[str]  # counting only the evidence the auditor accepted, when it differs from `status`


class MembersEntry(TypedDict):
    """A condition over a roster (every, count) that does not hold, its members by internal reference."""

    collection: str  # the collection fact, e.g. roster.crew
    form: str  # every | count
    value: str  # false | unknown
    failing: list[str]  # members it fails for (every)
    undecided: list[str]  # members it cannot decide for yet
    complete: bool | None  # whether the roster names every person; None: no roster


class RulesetEntry(TypedDict):
    id: str
    title: Text
    version: str
    policy: str  # the policy kind: engine.policies.policy_class(kind) gives its summary
    outcome: dict[str, Any]  # decision, reasons, blocking, and the policy's own fields
    counts: dict[str, int]
    groups: list[dict[str, Any]]
    criteria: list[CriterionEntry]
    not_applicable_reason: NotRequired[Text]
    stage: NotRequired[str | None]
    stages: NotRequired[list[dict[str, Any]]]
    validated: NotRequired[ValidatedFigures]  # the same ruleset counting only the evidence the auditor accepted
    # and what the policy describes (Policy.describe): levels, schemes, stars_verified, stars_note...


class MissingItem(TypedDict):
    ruleset: str
    criterion: str
    title: Text
    status: str
    blocking: bool
    mandatory: bool
    points: float | None
    level: int | None
    effort: float | None
    gain_per_day: float
    evidence_expected: list[EvidenceExpected]
    missing_evidence: list[str]
    evidence_problems: list[EvidenceProblem]
    missing_facts: list[str]
    source: Source
    stage: str | None
    declined: NotRequired[str]
    follows_from: NotRequired[list[str]]
    due_now: NotRequired[bool]
    due: NotRequired[dict[str, Any]]
    piece_due: NotRequired[dict[str, dict[str, Any]]]  # missing evidence kind -> its own deadline's window
    members_due: NotRequired[list[dict[str, Any]]]  # a deadline over a list of persons: each member not done, most urgent first
    status_reason: NotRequired[str]
    members: NotRequired[list[MembersEntry]]
    validated_status: NotRequired[str]  # as CriterionEntry


class DossierHeader(TypedDict):
    id: str
    title: str
    company: NotRequired[str | None]
    path: NotRequired[str | None]


class ResultDocument(TypedDict):
    format: str  # raccord.result/1
    raccord_version: str
    as_of: str
    dossier: DossierHeader
    rulesets: list[RulesetEntry]
    missing: list[MissingItem]
    assumed: NotRequired[dict[str, str]]
    portfolio: NotRequired[list[dict[str, Any]]]
    review: NotRequired[ReviewSection]  # the auditor's decisions, findings and sign-offs (engine/review.py)


class ValidatedFigures(TypedDict):
    """A ruleset's outcome and counts when only the evidence the auditor accepted counts."""

    outcome: dict[str, Any]
    counts: dict[str, int]


class ItemReviewEntry(TypedDict):
    status: str  # accepted | rejected | pending
    source: str  # audit_file | dossier
    reason: NotRequired[str]
    by: NotRequired[str]
    date: NotRequired[str]
    stale: NotRequired[bool]  # the review was of a version of the file since replaced: pending again


class FindingEntry(TypedDict):
    id: str
    type: str  # major | minor | observation
    text: str
    criteria: list[str]
    evidence: list[str]
    by: str
    date: str
    status: str  # open | closed


class SignoffEntry(TypedDict):
    stage: str  # intermediate | final
    decision: str  # favorable | favorable_with_reservations | unfavorable
    by: str
    date: str
    note: NotRequired[str]
    dossier_sha256: NotRequired[str]


class ReviewSection(TypedDict):
    file: str | None  # the auditor's file read, if any
    counts: dict[str, int]  # accepted, rejected, pending, stale
    items: dict[str, ItemReviewEntry]  # the items with a decision (not those never reviewed)
    findings: list[FindingEntry]
    signoffs: list[SignoffEntry]


class ExplainDocument(CriterionEntry):
    as_of: str
    trace: dict[str, Any]  # the condition trees with what they looked at (docs/api.md)


class PlanItem(TypedDict):
    criterion: str
    ruleset: str
    title: Text
    status: str
    effort: float  # what the step costs: 0 when the work is done and only its proof is missing (work_done)
    points: float | None
    level: int | None
    scheme: str | None
    stage: str | None
    evidence_expected: list[dict[str, Any]]
    work_done: bool  # every part of its condition but its evidence already holds
    provide: list[dict[str, Any]]  # the evidence still to provide: kind, description (those already valid left out)
    facts_to_state: list[str]  # facts its remaining work reads that the dossier does not state
    stage_title: NotRequired[Text | None]
    due: NotRequired[dict[str, Any]]  # its deadline's window (deadlines.Window.as_dict)
    proof_only: NotRequired[bool]  # its window has closed: it can be proved, no longer done


class PlanDocument(TypedDict):
    format: str  # raccord.plan/1
    as_of: str
    dossier: DossierHeader
    target: str
    method: str
    assumed: dict[str, str]
    before: dict[str, Any]  # reached, decision / level / score / stars / amount, blocking
    feasible: bool
    blockers: list[dict[str, Any]]
    notes: list[str]
    items: list[PlanItem]
    effort: float
    after: dict[str, Any]


class Blocker(TypedDict):
    criterion: str
    ruleset: str
    title: Text
    status: str
    source: Source
    provenance: str
    missing_facts: list[str]
    missing_evidence: list[str]
    evidence_expected: list[EvidenceExpected]
    declined: NotRequired[str]
    assumption: NotRequired[Text]
    outcomes: NotRequired[list[dict[str, Any]]]
    because_of: NotRequired[list[Blocker]]


class SchemeEntry(TypedDict):
    ruleset: str
    id: str
    title: Text
    decision: str
    reasons: list[str]
    amount: dict[str, Any] | None
    valid_from: str | None
    valid_until: str | None
    paid_at: Text | None
    note: Text | None
    source: dict[str, Any]
    provenance: str
    not_met: list[Blocker]
    unknown: list[Blocker]
    settle: dict[str, list[str]]  # facts, evidence


class EligibilityDocument(TypedDict):
    format: str  # raccord.eligibility/1
    raccord_version: str
    as_of: str
    dossier: DossierHeader
    schemes: list[SchemeEntry]
    amount: list[float]  # [obtained, possible]
    assumed: NotRequired[dict[str, str]]


class CalendarEntry(TypedDict):
    """One dated entry of the calendar (engine/calendar.py); its fields beyond the first four depend on `kind`."""

    kind: str  # deadline, milestone, evidence_expiry
    date: str  # ISO: the due date, the fact's date, the expiry date
    past: bool  # strictly before the evaluation date
    days_left: int  # date - as_of: negative once past
    # deadline: ruleset, criterion, title, status, status_reason?, window, start_by, fact, fact_title,
    #           offset_days, lead_days, late, evidence_expected, source
    ruleset: NotRequired[str]
    criterion: NotRequired[str]
    title: NotRequired[Text]  # the criterion's title, or the milestone fact's
    status: NotRequired[str]
    status_reason: NotRequired[str]  # not_yet_due, deadline_passed, proof_only
    window: NotRequired[str]  # open, closing, overdue, closed
    start_by: NotRequired[str]  # the due date minus the lead time
    fact: NotRequired[str]  # the date fact: the milestone's, or the one the deadline counts from
    fact_title: NotRequired[Text]
    every_months: NotRequired[int]  # a periodic deadline: its period and the evidence kind it counts from
    evidence: NotRequired[str]
    offset_days: NotRequired[int]
    lead_days: NotRequired[int]
    late: NotRequired[str]  # closed, allowed
    evidence_expected: NotRequired[list[EvidenceExpected]]
    source: NotRequired[Source]  # the clause that sets the date: document title and section, no seed file
    declined: NotRequired[str]  # the production will not do it (its justification): no reminder
    member: NotRequired[str]  # a deadline over a list of persons: the member's pseudonymous reference
    field: NotRequired[str]  # and the member's date field it counts from
    # evidence_expiry: evidence, evidence_kind, state, criteria, description?
    evidence: NotRequired[str]
    evidence_kind: NotRequired[str]
    state: NotRequired[str]  # the item's state at the evaluation date (valid, expired, rejected...)
    criteria: NotRequired[list[str]]  # the criteria of the selected rulesets it supports
    description: NotRequired[Text]  # what a criterion expects of that kind


class UndatedDeadline(TypedDict):
    """A deadline whose date fact the dossier does not give: its due date is unknown, never passed."""

    kind: str  # deadline
    ruleset: str
    criterion: str
    title: Text
    status: str
    window: str  # unknown_date
    fact: str  # the date fact to give
    fact_title: Text
    offset_days: int
    lead_days: int
    late: str
    evidence_expected: list[EvidenceExpected]
    source: Source
    status_reason: NotRequired[str]
    declined: NotRequired[str]
    member: NotRequired[str]  # as CalendarEntry: the member whose date field is not given
    field: NotRequired[str]


class CalendarDocument(TypedDict):
    format: str  # raccord.calendar/1
    raccord_version: str
    as_of: str
    dossier: DossierHeader
    rulesets: list[str]  # the rulesets whose deadlines are listed
    entries: list[CalendarEntry]  # by date, then milestone, deadline, expiry, then id
    undated: list[UndatedDeadline]
