"""The action checklist of one evaluated ruleset: what a coordinator ticks off (status, evidence
expected and found). A working document, not the grid format: it is never imported back."""

from __future__ import annotations

from typing import Any

from raccord.engine import Evaluation, review
from raccord.engine.report import criterion_entry

from .i18n import t
from .integrity import w as rw
from .review_text import problem_text
from .spreadsheet import cell_number

HEADERS = {
    "fr": ["Poste", "N°", "Action", "Points", "Impératif", "Statut", "Étape", "Justificatifs attendus",
           "Justificatifs trouvés", "Commentaire", "Provenance", "Statut validé par l'auditeur", "Décision de l'auditeur"],
    "en": ["Post", "No.", "Action", "Points", "Mandatory", "Status", "Stage", "Evidence expected",
           "Evidence found", "Comment", "Provenance", "Status validated by the auditor", "Auditor's decision"],
}
WIDTHS = {1: 28, 2: 14, 3: 60, 6: 16, 7: 28, 8: 50, 9: 40, 10: 40, 11: 24, 12: 16, 13: 50}


def checklist_rows(evaluation: Evaluation, ruleset_id: str, lang: str = "fr") -> list[list[Any]]:
    """The checklist rows (header first)."""
    rs = evaluation.library.rulesets[ruleset_id]
    groups = {g.id: g for g in rs.model.groups}
    evidence_by_id = {item.id: item for item in evaluation.dossier.file.evidence}
    stages = {s.id: s.title.get(lang) for s in rs.model.stages}
    yes, no = ("yes", "no") if lang == "en" else ("oui", "non")
    rows: list[list[Any]] = [HEADERS["en" if lang == "en" else "fr"]]
    validated = review.validated(evaluation).ctx.statuses  # only the evidence the auditor accepted counts
    held = review.item_reviews(evaluation.dossier)
    for crit in rs.display_order:
        entry = criterion_entry(evaluation, rs, crit)
        found = []
        for item_id in entry.get("evidence_used", []):
            item = evidence_by_id.get(item_id)
            found.append(item_id + (f" ({item.path or item.url})" if item and (item.path or item.url) else ""))
        for problem in entry.get("evidence_problems", []):
            found.append(problem_text(problem, lang))  # a rejected item with the auditor's reason
        comment = entry.get("declined") or entry.get("justification") or ""
        if entry.get("missing_facts"):
            comment = (comment + " " if comment else "") + t("missing_facts", lang) + " : " + ", ".join(
                entry["missing_facts"])
        rows.append([
            groups[crit.model.group].title.get(lang),
            crit.id,
            crit.model.title.get(lang),
            cell_number(crit.model.points),
            yes if crit.model.mandatory else no,
            t(entry["status"], lang),
            stages.get(crit.model.stage or "", ""),
            "\n".join(e.description.get(lang) for e in crit.model.evidence),
            "\n".join(found),
            comment,
            t(crit.model.provenance, lang),
            t(validated.get(crit.id, entry["status"]), lang),
            "\n".join(_decision(eid, held[eid], lang) for eid in _items_of(entry) if held[eid].source != "none"),
        ])
    return rows


def _items_of(entry: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys([*entry.get("evidence_used", []), *(p["id"] for p in entry.get("evidence_problems", []))]))


def _decision(eid: str, held: review.ItemReview, lang: str) -> str:
    """`EV-069 : rejetée — Menus non datés (Auditrice, 2025-05-20)`: the auditor's decision on one item."""
    out = f"{eid} : {rw(held.status, lang)}" if lang == "fr" else f"{eid}: {rw(held.status, lang)}"
    if held.reason:
        out += f" — {held.reason}"
    if held.by:
        out += f" ({held.by}" + (f", {held.date}" if held.date else "") + ")"
    return out
