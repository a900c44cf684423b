"""The auditor's part of the reports, shared by the text, Markdown and HTML renderers: declared
versus validated figures, the reason of a rejected item, findings and sign-offs."""

from __future__ import annotations

from typing import Any

from .deadline_text import day_text
from .i18n import MESSAGES, colon, label, percent, words
from .summary import STATUS_MARK, counts_text, decision_line, statement_text, statements

WORDS = {
    "of_due": {"fr": "du {due}", "en": "of {due}"},
    "declared": {"fr": "déclaré", "en": "declared"},
    "validated_by_auditor": {"fr": "validé par l'auditeur", "en": "validated by the auditor"},
    "validated_line": {"fr": "Validé par l'auditeur (seules les preuves acceptées comptent)",
                       "en": "Validated by the auditor (only accepted evidence counts)"},
    "score_now": {"fr": "Score actuel", "en": "Current score"},
    "review": {"fr": "Revue de l'auditeur", "en": "Auditor's review"},
    "review_counts": {"fr": "preuves : {accepted} acceptée(s), {rejected} rejetée(s), {pending} en attente",
                      "en": "evidence: {accepted} accepted, {rejected} rejected, {pending} pending"},
    "stale_reviews": {"fr": "{stale} revue(s) portant sur une version remplacée depuis",
                      "en": "{stale} review(s) of a version since replaced"},
    "review_file": {"fr": "fichier de l'auditeur", "en": "auditor's file"},
    "no_review_file": {"fr": "aucun fichier de l'auditeur", "en": "no auditor's file"},
    "findings": {"fr": "Constats de l'auditeur", "en": "Auditor's findings"},
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
    where = f"{w('review_file', lang)} {review['file']}" if review.get("file") else w("no_review_file", lang)
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
    ref = f" [{'; '.join(refs)}]" if refs else ""
    return (f"{finding['id']} — {w(finding['type'], lang)} ({w(finding['status'], lang)}){colon(lang)}{finding['text']}{ref} "
            f"— {w('by_on', lang, by=finding['by'], date=finding['date'])}")


def signoff_text(signoff: dict[str, Any], lang: str) -> str:
    note = f" — {signoff['note']}" if signoff.get("note") else ""
    return (f"{w(signoff['stage'], lang)}{colon(lang)}{w(signoff['decision'], lang)}, "
            f"{w('by_on', lang, by=signoff['by'], date=signoff['date'])}{note}")
