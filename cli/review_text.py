"""The auditor's part of the reports, shared by the text, Markdown and HTML renderers: declared
versus validated figures, the reason of a rejected item, findings and sign-offs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .deadline_text import day_text
from .i18n import MESSAGES, colon, joined, label, percent, words
from .summary import STATUS_MARK, counts_text, decision_line, statement_text, statements

WORDS = {
    "of_due": {"fr": "du {due}", "en": "of {due}"},
    "declared": {"fr": "déclaré", "en": "declared"},
    "validated_by_auditor": {"fr": "validé par l'auditeur", "en": "validated by the auditor"},
    "validated_line": {"fr": "Validé par l'auditeur (seules les preuves acceptées comptent)",
                       "en": "Validated by the auditor (only accepted evidence counts)"},
    "score_now": {"fr": "Score actuel", "en": "Current score"},
    "review": {"fr": "Revue de l'auditeur", "en": "Auditor's review"},
    "review_counts": {"fr": "preuves : {accepted:acceptée|acceptées}, {rejected:rejetée|rejetées}, {pending} en attente",
                      "en": "evidence: {accepted} accepted, {rejected} rejected, {pending} pending"},
    "stale_reviews": {"fr": "{stale:revue portant|revues portant} sur une version remplacée depuis",
                      "en": "{stale:review|reviews} of a version since replaced"},
    "review_file": {"fr": "fichier de l'auditeur", "en": "auditor's file"},
    "no_review_file": {"fr": "aucun fichier de l'auditeur", "en": "no auditor's file"},
    "findings": {"fr": "Constats de l'auditeur", "en": "Auditor's findings"},
    "finding": {"fr": "Constat de l'auditeur", "en": "Auditor's finding"},
    "signoffs": {"fr": "Clôtures d'étape", "en": "Stage sign-offs"},
    "major": {"fr": "non-conformité majeure", "en": "major non-conformity"},
    "minor": {"fr": "non-conformité mineure", "en": "minor non-conformity"},
    "observation": {"fr": "observation", "en": "observation"},
    "open": {"fr": "ouvert", "en": "open"},
    "closed": {"fr": "clos", "en": "closed"},
    "intermediate": {"fr": "audit intermédiaire", "en": "intermediate audit"},
    "final": {"fr": "audit final", "en": "final audit"},
    "favorable": {"fr": "avis favorable", "en": "favourable"},
    "favorable_with_reservations": {"fr": "avis favorable avec réserves", "en": "favourable with reservations"},
    "unfavorable": {"fr": "avis défavorable", "en": "unfavourable"},
    "by_on": {"fr": "par {by}, le {date}", "en": "by {by} on {date}"},
    "criteria_of": {"fr": "critères", "en": "criteria"},
    "evidence_of": {"fr": "preuves", "en": "evidence"},
    "reason": {"fr": "motif", "en": "reason"},
    "validated_status": {"fr": "validé par l'auditeur", "en": "validated by the auditor"},
    "attestation_note": {
        "fr": "« Validé par l'auditeur » ne compte que les preuves qu'il a acceptées : c'est la décision sur laquelle repose "
              "une attestation. La décision déclarée compte aussi les preuves en attente de sa revue.",
        "en": "\"Validated by the auditor\" counts only the evidence the auditor accepted: an attestation rests on that "
              "decision. The declared one also counts evidence awaiting review."},
    # the confirmations of `raccord review` and `raccord audit`, and the items of `audit show`
    "item_accepted": {"fr": "acceptée", "en": "accepted"},
    "item_rejected": {"fr": "rejetée", "en": "rejected"},
    "item_pending": {"fr": "en attente", "en": "pending"},
    "item_reopened": {"fr": "remise en attente", "en": "back to pending"},
    "item_stale": {"fr": "revue d'une version remplacée depuis", "en": "review of a version since replaced"},
    "reviewed": {"fr": "{id} : preuve {decision} par {by} le {date}", "en": "{id}: evidence {decision} by {by} on {date}"},
    "finding_recorded": {"fr": "{id} : {type} enregistrée", "en": "{id}: {type} recorded"},
    "observation_recorded": {"fr": "{id} : observation enregistrée", "en": "{id}: observation recorded"},
    "finding_closed": {"fr": "{id} : constat clos", "en": "{id}: finding closed"},
}
w = words(WORDS, MESSAGES)


def figures_line(rs: dict[str, Any], lang: str) -> str | None:
    """« Score actuel : 83,8 % déclaré, 41,2 % validé par l'auditeur » (or the level), when the
    ruleset has a score or a level; None otherwise."""
    validated = rs.get("validated")
    if not validated or rs["outcome"].get("decision") == "not_applicable":
        return None
    mine = {item["kind"]: item for item in statements(rs)}
    theirs = {item["kind"]: item for item in statements({**rs, **validated})}
    if "score" in mine and "score" in theirs:
        shown = (percent(mine["score"]["low"], lang), percent(theirs["score"]["low"], lang))
        head = w("score_now", lang)
    elif "level" in mine and "level" in theirs:
        shown = (_level(mine["level"]), _level(theirs["level"]))
        head = w("level", lang)
    else:
        return None
    return f"{head}{colon(lang)}{shown[0]} {w('declared', lang)}, {shown[1]} {w('validated_by_auditor', lang)}"


def _level(item: dict[str, Any]) -> str:
    return str(item["low"]) if item["low"] == item["high"] else f"{item['low']}–{item['high']}"


def validated_line(rs: dict[str, Any], lang: str) -> str | None:
    """The validated decision and counts of a ruleset, on one line."""
    validated = rs.get("validated")
    if not validated or rs["outcome"].get("decision") == "not_applicable":
        return None
    other = {**rs, **validated}
    counts = validated["counts"]
    decision = decision_line(other, lang)
    parts = [decision] if decision != "-" else []  # "-": a policy deciding per scheme, not as a whole
    parts += [statement_text(item, lang) for item in statements(other) if item["kind"] in ("score", "level")]
    parts.append(label("criteria", lang) + counts_text({s: counts.get(s, 0) for s in STATUS_MARK}, lang))
    return f"{w('validated_line', lang)}{colon(lang)}" + " — ".join(parts)


def problem_text(problem: dict[str, Any], lang: str) -> str:
    """`EV-069 : preuve rejetée — motif : … (par X, le 2025-05-20)`."""
    out = f"{problem['id']}{colon(lang)}{w(problem['state'], lang)}"
    if problem.get("due"):  # evidence_late: « pièce datée après l'échéance du 12/12/2025 »
        out += f" {w('of_due', lang, due=day_text(problem['due'], lang))}"
    if problem.get("reason"):
        out += f" — {w('reason', lang)}{colon(lang)}{problem['reason']}"
        if problem.get("by") and problem.get("date"):
            out += f" ({w('by_on', lang, by=problem['by'], date=problem['date'])})"
    return out


def review_lines(doc: dict[str, Any], lang: str) -> list[str]:
    """The auditor's section of a text report: counts, findings, sign-offs."""
    review = doc.get("review")
    if not review:
        return []
    counts = review["counts"]
    # its name only: it is always beside the dossier, and the text must not depend on where it is run from
    where = f"{w('review_file', lang)} {Path(review['file']).name}" if review.get("file") else w("no_review_file", lang)
    lines = [f"{w('review', lang)}{colon(lang)}{w('review_counts', lang, **counts)} ({where})"]
    if counts.get("stale"):
        lines.append(f"  {w('stale_reviews', lang, stale=counts['stale'])}")
    if review["findings"]:
        lines.append(f"{w('findings', lang)}{colon(lang).rstrip()}")
        lines += [f"- {finding_text(f, lang)}" for f in review["findings"]]
    if review["signoffs"]:
        lines.append(f"{w('signoffs', lang)}{colon(lang).rstrip()}")
        lines += [f"- {signoff_text(s, lang)}" for s in review["signoffs"]]
    return lines


def finding_text(finding: dict[str, Any], lang: str) -> str:
    refs = []
    if finding["criteria"]:
        refs.append(f"{w('criteria_of', lang)} {', '.join(finding['criteria'])}")
    if finding["evidence"]:
        refs.append(f"{w('evidence_of', lang)} {', '.join(finding['evidence'])}")
    ref = f" [{joined(refs, lang)}]" if refs else ""
    return (f"{finding['id']} — {w(finding['type'], lang)} ({w(finding['status'], lang)}){colon(lang)}{finding['text']}{ref} "
            f"— {w('by_on', lang, by=finding['by'], date=finding['date'])}")


def signoff_text(signoff: dict[str, Any], lang: str) -> str:
    note = f" — {signoff['note']}" if signoff.get("note") else ""
    return (f"{w(signoff['stage'], lang)}{colon(lang)}{w(signoff['decision'], lang)}, "
            f"{w('by_on', lang, by=signoff['by'], date=signoff['date'])}{note}")


def review_confirmation(entry: dict[str, Any], lang: str) -> str:
    """`EV-004 : preuve rejetée par Auditrice le 2025-08-20 — motif : …`: what `raccord review` wrote."""
    decision = {"accepted": "item_accepted", "rejected": "item_rejected", "pending": "item_reopened"}[entry["decision"]]
    out = w("reviewed", lang, id=entry["evidence"], decision=w(decision, lang), by=entry["by"], date=entry["date"])
    if entry.get("reason"):
        out += f" — {w('reason', lang)}{colon(lang)}{entry['reason']}"
    return out


def finding_confirmation(entry: dict[str, Any], lang: str) -> str:
    """`F-… : non-conformité mineure enregistrée [critères ECO-DEP-03]`: what `audit finding add` wrote."""
    if entry["type"] == "observation":
        out = w("observation_recorded", lang, id=entry["id"])
    else:
        out = w("finding_recorded", lang, id=entry["id"], type=w(entry["type"], lang))
    refs = [f"{w(key, lang)} {', '.join(entry[field])}"
            for key, field in (("criteria_of", "criteria"), ("evidence_of", "evidence")) if entry.get(field)]
    return out + (f" [{joined(refs, lang)}]" if refs else "")


def item_line(eid: str, held: dict[str, Any], lang: str) -> str:
    """One item of `raccord audit show`: its decision in words, who, when, why."""
    status = w(f"item_{held['status']}", lang)
    if held.get("stale"):
        status += f" ({w('item_stale', lang)})"
    who = ", ".join(str(held[k]) for k in ("by", "date") if held.get(k))
    why = f" — {w('reason', lang)}{colon(lang)}{held['reason']}" if held.get("reason") else ""
    return f"  {eid}{colon(lang)}{status}{f' ({who})' if who else ''}{why}"


def findings_by_criterion(doc: dict[str, Any], lang: str) -> Callable[[dict[str, Any]], list[str]]:
    """For a report: a criterion entry -> its findings in short (« F-… — non-conformité majeure
    (ouvert) : … »), those naming it or one of the items it used or set aside."""
    findings = (doc.get("review") or {}).get("findings") or []

    def of(entry: dict[str, Any]) -> list[str]:
        items = {*entry.get("evidence_used", []), *(p["id"] for p in entry.get("evidence_problems", []))}
        return [f"{f['id']} — {w(f['type'], lang)} ({w(f['status'], lang)}){colon(lang)}{f['text']}" for f in findings
                if entry.get("id") in f["criteria"] or items.intersection(f["evidence"])]
    return of
