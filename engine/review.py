"""The auditor's file: reviews of evidence, findings and sign-offs, kept beside the producer's dossier.

The producer's dossier is the producer's; the auditor writes only `<dossier stem>.audit.yaml` beside
it (`dossier.yaml` -> `dossier.audit.yaml`), format `raccord.audit/1`:

    format: raccord.audit/1
    dossier: long-metrage-les-rives      # the production id it is about (checked)
    reviews:                             # an append-only log: the latest decision per item wins
      - evidence: EV-069
        decision: rejected               # accepted | rejected | pending (reopened)
        reason: Menus non datés          # required when rejected
        by: Auditrice AFNOR              # a role or a pseudonymous reference
        date: 2026-12-01
        sha256: 3f1c...                  # the version reviewed (written by `raccord review`)
    findings:
      - id: F-01JEXQ5Z8R4K2M6N          # unique; raccord writes time-ordered random ids
        type: major                      # major | minor (non-conformities) | observation
        text: Les menus ne sont pas datés
        criteria: [ECO-DEP-03]
        evidence: [EV-069]
        by: Auditrice AFNOR
        date: 2026-12-01
        status: open                     # open | closed
    signoffs:
      - stage: intermediate              # intermediate | final
        decision: favorable_with_reservations   # favorable | favorable_with_reservations | unfavorable
        by: Auditrice AFNOR
        date: 2026-12-01
        note: Réserve levée à la clôture si les menus datés sont fournis
        dossier_sha256: 9ab2...          # the dossier version signed off (written by raccord)

Every list merges like text: two copies edited apart are merged by concatenating their lists
(git's `union` merge works), because nothing refers to a position and ids are random.

Which decision holds for an item: the latest entry of the auditor's file for it (latest `date`,
then the later in the file); where the file says nothing about an item, the `auditor:` record
written in the dossier itself (the format before this file existed) stands. The auditor's file
wins because it is the auditor's own record: a dossier's inline `auditor:` is written by whoever
edits the dossier. A review naming a `sha256` that is no longer the item's (the file was replaced
since) no longer applies: the item is pending again, and reports say the review was of an
earlier version.

Declared and validated: the declared evaluation counts every item as registered except rejected
ones (pending items count: they are the producer's declaration); the validated evaluation counts
only accepted items, so a criterion resting on pending evidence is `unknown` there (not `not_met`:
the auditor may still accept it). The validated figure is the one an attestation rests on. Both
are the same evaluation, the validated one with the items not accepted marked as not counting
(`Options.integrity`, state `pending_review`): nothing of the evaluator is duplicated.
Portfolio members (company-wide levels) are counted as declared in both: their auditors' files
are theirs; the validated figure of a company-wide level is therefore an upper bound.

No clock is read here: dates and ids come from the front end.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import field
from pathlib import Path
from typing import Any

from .dossier import Auditor, Dossier, EvidenceItem
from .errors import Bilingual, InputError
from .record import Record, record
from .source_files import Located, load_document

FORMAT = "raccord.audit/1"
DECISIONS = ("accepted", "rejected", "pending")
FINDING_TYPES = ("major", "minor", "observation")
FINDING_STATUSES = ("open", "closed")
STAGES = ("intermediate", "final")
SIGNOFF_DECISIONS = ("favorable", "favorable_with_reservations", "unfavorable")
PENDING_REVIEW = "pending_review"  # an item's state in the validated evaluation when not accepted
SUFFIX = ".audit.yaml"

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_SHA = re.compile(r"^[0-9a-f]{64}$")


@record(positional=True)
class Review(Record):
    """One decision of the auditor on one evidence item."""

    evidence: str
    decision: str  # accepted | rejected | pending
    by: str
    date: dt.date
    reason: str | None = None
    sha256: str | None = None  # the version of the file reviewed


@record(positional=True)
class Finding(Record):
    """A non-conformity (major, minor) or an observation, with the criteria and items it concerns."""

    id: str
    type: str  # major | minor | observation
    text: str
    by: str
    date: dt.date
    criteria: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    status: str = "open"  # open | closed


@record(positional=True)
class Signoff(Record):
    """The auditor's decision at the end of an audit stage."""

    stage: str  # intermediate | final
    decision: str  # favorable | favorable_with_reservations | unfavorable
    by: str
    date: dt.date
    note: str | None = None
    dossier_sha256: str | None = None  # the version of the dossier signed off


@record(positional=True)
class AuditFile(Record):
    dossier: str | None  # the production id
    reviews: tuple[Review, ...] = ()
    findings: tuple[Finding, ...] = ()
    signoffs: tuple[Signoff, ...] = ()
    file: str | None = None  # where it was read from (for messages and reports)
    located: Located | None = field(default=None, repr=False, compare=False)  # its positions, for located messages


@record(positional=True)
class ItemReview(Record):
    """The decision that holds for one item, and where it comes from."""

    status: str  # accepted | rejected | pending
    source: str  # "audit_file" | "dossier" | "none"
    reason: str | None = None
    by: str | None = None
    date: dt.date | None = None
    stale: bool = False  # a review of an earlier version of the file: no longer applies

    def as_dict(self) -> dict[str, Any]:
        out = {"status": self.status, "source": self.source, "reason": self.reason, "by": self.by,
               "date": self.date.isoformat() if self.date else None, "stale": self.stale or None}
        return {k: v for k, v in out.items() if v is not None}


# ---------------------------------------------------------------------------------------------------
# reading


def audit_path(dossier_path: Path) -> Path:
    """`dossier.yaml` -> `dossier.audit.yaml` (beside it, whatever the dossier's extension)."""
    return dossier_path.with_name(dossier_path.stem + SUFFIX)


def load_audit(path: Path) -> AuditFile | None:
    """The auditor's file at `path`, or None when there is none."""
    if not path.exists():
        return None
    # Without positions, as a dossier is read: found again from the file for a located message.
    return parse_audit(load_document(path, positions=False))


def _error(located: Located, where: tuple, fr: str, en: str, hint_fr: str = "", hint_en: str = "") -> InputError:
    return InputError(located.where(where), Bilingual(fr, en), Bilingual(hint_fr, hint_en) if hint_fr else "")


class _Reader:
    """Checks one entry's keys and values, with French (and English) located messages."""

    def __init__(self, located: Located, where: tuple, data: Any, what: Bilingual, keys: dict[str, bool]) -> None:
        self.located, self.where, self.what = located, where, what
        if not isinstance(data, dict):
            raise _error(located, where, f"{what.fr} : une table de clés et de valeurs est attendue ici",
                         f"{what.en}: expected a mapping of keys to values here")
        for key in data:
            if key not in keys:
                raise _error(located, where + (key,), f"clé inconnue « {key} » dans {what.fr}",
                             f"unknown key '{key}' in {what.en}", "clés possibles : " + ", ".join(keys),
                             "possible keys: " + ", ".join(keys))
        for key, required in keys.items():
            if required and data.get(key) in (None, ""):
                raise _error(located, where, f"{what.fr} : la clé « {key} » est obligatoire",
                             f"{what.en}: the key '{key}' is required")
        self.data = data

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise _error(self.located, self.where + (key,), f"« {key} » : un texte est attendu", f"'{key}': text expected")
        return str(value)

    def choice(self, key: str, allowed: tuple[str, ...]) -> str | None:
        value = self.data.get(key)
        if value is not None and value not in allowed:
            raise _error(self.located, self.where + (key,), f"« {key} » : valeur « {value} » non reconnue",
                         f"'{key}': '{value}' is not allowed", "valeurs possibles : " + ", ".join(allowed),
                         "allowed: " + ", ".join(allowed))
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise _error(self.located, self.where + (key,), f"« {key} » : une date AAAA-MM-JJ est attendue, lu {value!r}",
                     f"'{key}': a date YYYY-MM-DD is expected, got {value!r}")

    def ident(self, key: str) -> str | None:
        value = self.text(key)
        if value is not None and not _ID.match(value):
            raise _error(self.located, self.where + (key,), f"« {key} » : identifiant « {value} » invalide",
                         f"'{key}': invalid identifier '{value}'", "lettres, chiffres, « _ . - »",
                         "letters, digits, '_ . -'")
        return value

    def sha(self, key: str) -> str | None:
        value = self.text(key)
        if value is not None and not _SHA.match(value):
            raise _error(self.located, self.where + (key,),
                         f"« {key} » : une empreinte sha256 (64 caractères hexadécimaux) est attendue",
                         f"'{key}': a sha256 (64 hexadecimal characters) is expected")
        return value

    def idents(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and _ID.match(v) for v in value):
            raise _error(self.located, self.where + (key,), f"« {key} » : une liste d'identifiants est attendue",
                         f"'{key}': a list of identifiers is expected")
        return tuple(value)


def _entries(located: Located, data: dict, key: str) -> list[tuple[tuple, Any]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _error(located, (key,), f"« {key} » : une liste est attendue", f"'{key}': a list is expected")
    return [((key, i), entry) for i, entry in enumerate(value)]


def parse_audit(located: Located) -> AuditFile:
    """The auditor's file as records; any problem is a located InputError (French and English)."""
    data = located.data
    if data is None:
        data = {"format": FORMAT}
    top = _Reader(located, (), data, Bilingual("le fichier de l'auditeur", "the auditor's file"),
                  {"format": True, "dossier": False, "reviews": False, "findings": False, "signoffs": False})
    if data["format"] != FORMAT:
        raise _error(located, ("format",), f"format « {data['format']} » non reconnu pour un fichier d'auditeur",
                     f"unknown format '{data['format']}' for an auditor's file", f"écrire « format: {FORMAT} »",
                     f"write 'format: {FORMAT}'")
    reviews = []
    for where, entry in _entries(located, data, "reviews"):
        r = _Reader(located, where, entry, Bilingual("une revue", "a review"),
                    {"evidence": True, "decision": True, "by": True, "date": True, "reason": False, "sha256": False})
        decision = r.choice("decision", DECISIONS)
        reason = r.text("reason")
        if decision == "rejected" and not reason:
            raise _error(located, where, "une preuve rejetée demande un motif (« reason »)", "a rejected item needs a `reason`")
        reviews.append(Review(r.ident("evidence"), decision, r.text("by"), r.date("date"), reason, r.sha("sha256")))
    findings, seen = [], set()
    for where, entry in _entries(located, data, "findings"):
        r = _Reader(located, where, entry, Bilingual("un constat", "a finding"),
                    {"id": True, "type": True, "text": True, "by": True, "date": True, "criteria": False,
                     "evidence": False, "status": False})
        fid = r.ident("id")
        if fid in seen:
            raise _error(located, where + ("id",), f"le constat « {fid} » est présent deux fois",
                         f"finding '{fid}' is given twice")
        seen.add(fid)
        findings.append(Finding(fid, r.choice("type", FINDING_TYPES), r.text("text"), r.text("by"), r.date("date"),
                                r.idents("criteria"), r.idents("evidence"), r.choice("status", FINDING_STATUSES) or "open"))
    signoffs = []
    for where, entry in _entries(located, data, "signoffs"):
        r = _Reader(located, where, entry, Bilingual("une clôture d'étape", "a sign-off"),
                    {"stage": True, "decision": True, "by": True, "date": True, "note": False, "dossier_sha256": False})
        signoffs.append(Signoff(r.choice("stage", STAGES), r.choice("decision", SIGNOFF_DECISIONS), r.text("by"),
                                r.date("date"), r.text("note"), r.sha("dossier_sha256")))
    dossier = top.text("dossier")
    return AuditFile(dossier, tuple(reviews), tuple(findings), tuple(signoffs), located.file, located)


def check_audit(audit: AuditFile, dossier: Dossier, criteria: Any) -> None:
    """The file is about this dossier and names criteria that exist. Evidence ids are not checked
    against the register: an item the producer removed keeps the auditor's record of it (it then
    applies to nothing); `raccord review` refuses an id not in the register when it writes."""
    located = audit.located

    def where(path: tuple) -> str:
        return located.where(path) if located is not None else (audit.file or "audit")

    if audit.dossier is not None and audit.dossier != dossier.label:
        raise InputError(where(("dossier",)), Bilingual(
            f"ce fichier d'auditeur concerne le dossier « {audit.dossier} », pas « {dossier.label} »",
            f"this auditor's file is about dossier '{audit.dossier}', not '{dossier.label}'"))
    for i, finding in enumerate(audit.findings):
        for j, cid in enumerate(finding.criteria):
            if cid not in criteria:
                raise InputError(where(("findings", i, "criteria", j)), Bilingual(
                    f"critère inconnu « {cid} »", f"unknown criterion '{cid}'"))


# ---------------------------------------------------------------------------------------------------
# applying


def latest_reviews(audit: AuditFile | None) -> dict[str, Review]:
    """Item id -> the review that holds: the latest date, then the later in the file."""
    out: dict[str, Review] = {}
    for review in audit.reviews if audit else ():
        held = out.get(review.evidence)
        if held is None or review.date >= held.date:
            out[review.evidence] = review
    return out


def item_review(item: EvidenceItem, review: Review | None) -> ItemReview:
    """The decision that holds for `item` given the auditor's latest review of it (or none)."""
    if review is not None:
        if review.sha256 is not None and item.sha256 is not None and review.sha256 != item.sha256:
            return ItemReview("pending", "audit_file", review.reason, review.by, review.date, True)
        return ItemReview(review.decision, "audit_file", review.reason, review.by, review.date)
    inline = item.auditor
    if inline.status == "pending" and inline.by is None and inline.reason is None and inline.date is None:
        return ItemReview("pending", "none")
    return ItemReview(inline.status, "dossier", inline.reason, inline.by, inline.date)


def item_reviews(dossier: Dossier) -> dict[str, ItemReview]:
    """Every item's decision, from the auditor's file applied to the dossier (`with_reviews`) or its inline records."""
    latest = latest_reviews(dossier.audit)
    return {item.id: item_review(item, latest.get(item.id)) for item in dossier.file.evidence}


def with_reviews(dossier: Dossier, audit: AuditFile | None) -> Dossier:
    """The dossier as the auditor's file says its evidence stands: a new Dossier whose items carry the
    decisions that hold (their `auditor` record), and `audit` set. The original is not changed."""
    if audit is None:
        return dossier
    latest = latest_reviews(audit)
    evidence = []
    for item in dossier.file.evidence:
        review = latest.get(item.id)
        if review is not None:
            held = item_review(item, review)
            auditor = Auditor(status=held.status, reason=held.reason if held.status == "rejected" else None,
                              by=held.by, date=held.date)
            item = dataclasses.replace(item, auditor=auditor)
        evidence.append(item)
    file = dataclasses.replace(dossier.file, evidence=evidence)
    return Dossier(dossier.file if not latest else file, dossier.facts, dossier.path, dossier.located, {}, audit)


def not_accepted(dossier: Dossier) -> dict[str, str]:
    """Items whose file may count but that the auditor has not accepted: id -> `pending_review`."""
    return {item.id: PENDING_REVIEW for item in dossier.file.evidence if item.auditor.status == "pending"}


@record(positional=True, slots=False)
class Summary(Record):
    """How many items stand accepted, rejected, pending, and with a stale review."""

    accepted: int = 0
    rejected: int = 0
    pending: int = 0
    stale: int = 0
    items: dict = field(default_factory=dict)  # id -> ItemReview

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "rejected": self.rejected, "pending": self.pending, "stale": self.stale}


def summary(dossier: Dossier) -> Summary:
    items = item_reviews(dossier)
    counts = {s: 0 for s in DECISIONS}
    for held in items.values():
        counts[held.status] += 1
    return Summary(counts["accepted"], counts["rejected"], counts["pending"], sum(h.stale for h in items.values()), items)


def criterion_findings(dossier: Dossier, criterion: str, evidence: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The findings of the dossier's auditor's file that name `criterion`, or one of the items in
    `evidence` (those the criterion used or set aside): shown where the criterion is explained."""
    audit = dossier.audit
    items = set(evidence)
    return [_finding_json(f) for f in (audit.findings if audit else ())
            if criterion in f.criteria or items.intersection(f.evidence)]


def review_document(dossier: Dossier) -> dict[str, Any]:
    """The auditor's part of the result document (`review`): the file, counts per decision, the
    decision on each reviewed item, findings and sign-offs."""
    audit = dossier.audit
    found = summary(dossier)
    out: dict[str, Any] = {
        "file": audit.file if audit else None,
        "counts": found.as_dict(),
        "items": {eid: held.as_dict() for eid, held in found.items.items() if held.source != "none"},
        "findings": [_finding_json(f) for f in (audit.findings if audit else ())],
        "signoffs": [_signoff_json(s) for s in (audit.signoffs if audit else ())],
    }
    return out


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {"id": finding.id, "type": finding.type, "text": finding.text, "criteria": list(finding.criteria),
            "evidence": list(finding.evidence), "by": finding.by, "date": finding.date.isoformat(), "status": finding.status}


def _signoff_json(signoff: Signoff) -> dict[str, Any]:
    out = {"stage": signoff.stage, "decision": signoff.decision, "by": signoff.by, "date": signoff.date.isoformat(),
           "note": signoff.note, "dossier_sha256": signoff.dossier_sha256}
    return {k: v for k, v in out.items() if v is not None}


# ---------------------------------------------------------------------------------------------------
# declared versus validated


def validated(evaluation: Any) -> Any:
    """The same evaluation counting only the evidence the auditor accepted (the validated figure):
    every item still pending is marked `pending_review` and does not count; file problems keep
    their own state. The dossier's evidence index is cached per set of marks, so this costs one
    more pass of the generated code, not a second loading."""
    from .evaluate import Options, evaluate_with

    marks = not_accepted(evaluation.dossier)
    options = evaluation.options or Options(evaluation.as_of)
    if not marks:  # every item is accepted or rejected: the two figures are the same
        return evaluation
    integrity = {**marks, **(options.integrity or {})}
    return evaluate_with(evaluation.library, evaluation.dossier, dataclasses.replace(options, integrity=integrity))


def add_validated(doc: dict[str, Any], declared: Any, checked: Any) -> dict[str, Any]:
    """Add the validated figures of `checked` (= `validated(declared)`) to the result document of
    `declared`: per ruleset `validated` {outcome, counts}, per scheme of an aid ruleset
    `validated_decision` (in `outcome.schemes`), per criterion `validated_status` when it differs
    from `status`, and the document's `review` section. Returns `doc`."""
    from .report import jsonable

    statuses = checked.ctx.statuses
    for rs in doc["rulesets"]:
        counts = {s: 0 for s in rs["counts"]}
        for entry in rs["criteria"]:
            status = statuses.get(entry["id"], entry["status"])
            counts[status] = counts.get(status, 0) + 1
            if status != entry["status"]:
                entry["validated_status"] = status
        # The policy's outcome as computed: completing its reasons (missing facts) would explain every
        # criterion left unknown, most of them here; the declared outcome gives them.
        rs["validated"] = {"outcome": jsonable(checked.ctx.outcomes[rs["id"]]), "counts": counts}
        # a scheme's validated decision beside its declared one, as the eligibility document gives it
        held = rs["validated"]["outcome"].get("schemes")
        for sid, result in (rs["outcome"].get("schemes") or {}).items():
            if isinstance(result, dict) and isinstance(held, dict) and sid in held:
                result["validated_decision"] = held[sid]["decision"]
    for item in doc.get("missing", []):
        status = statuses.get(item["criterion"])
        if status is not None and status != item["status"]:
            item["validated_status"] = status
    doc["review"] = review_document(declared.dossier)
    return doc



def add_validated_eligibility(doc: dict[str, Any], checked: Any) -> dict[str, Any]:
    """Each scheme of an eligibility document (`raccord.eligibility/1`) gets `validated_decision`:
    its decision when only the evidence the auditor accepted counts (`checked` = `validated(...)`)."""
    outcomes = checked.ctx.outcomes
    for scheme in doc["schemes"]:
        held = outcomes.get(scheme.get("ruleset"), {}).get("schemes", {}).get(scheme["id"])
        if held is not None:
            scheme["validated_decision"] = held["decision"]
    return doc
