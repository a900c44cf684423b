"""How a deadline reads: « à faire avant le 02/03/2026 — dans 21 jours », « délai dépassé le … »."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .i18n import words

WORDS = {
    "unknown_date": {"fr": "date limite inconnue : renseigner {fact}", "en": "deadline unknown: give {fact}"},
    "of_member": {"fr": " de {member}", "en": " of {member}"},
    "lost": {"fr": "délai dépassé le {due} ({ago}) : ne peut plus être fait",
             "en": "deadline passed on {due} ({ago}): can no longer be done"},
    "proof_only": {"fr": "délai passé le {due} : seule la preuve d'une démarche faite à temps peut encore compter",
                   "en": "deadline passed on {due}: only proof of a step taken in time can still count"},
    "overdue": {"fr": "en retard depuis le {due} ({ago}) : encore possible", "en": "overdue since {due} ({ago}): still possible"},
    "due_today": {"fr": "à faire au plus tard aujourd'hui ({due})", "en": "due today ({due})"},
    "due": {"fr": "à faire avant le {due} — dans {left}", "en": "due by {due} — in {left}"},
    # a plan step: the plan counts on it, so say on what condition it still holds
    "plan_due": {"fr": "encore possible si c'est fait avant le {due} — dans {left}",
                 "en": "still possible if done by {due} — in {left}"},
    "plan_due_today": {"fr": "encore possible si c'est fait aujourd'hui ({due}) au plus tard",
                       "en": "still possible if done today ({due}) at the latest"},
    "start_by": {"fr": "à commencer au plus tard le {start}", "en": "to start by {start} at the latest"},
    "start_now": {"fr": "à commencer sans attendre ({lead} de délai)", "en": "start now ({lead} needed)"},
    "days": {"fr": "{n} jours", "en": "{n} days"},
    "day": {"fr": "1 jour", "en": "1 day"},
    "ago": {"fr": "il y a {n}", "en": "{n} ago"},
}
w = words(WORDS)


def day_text(iso: str, lang: str) -> str:
    """02/03/2026 in French, the ISO date in English."""
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y") if lang == "fr" else iso


def _days(n: int, lang: str) -> str:
    return w("day", lang) if abs(n) == 1 else w("days", lang, n=abs(n))


def due_text(due: dict[str, Any] | None, status_reason: str | None, lang: str, step: bool = False) -> str:
    """The line under a missing item, or under a plan step (`step`: « encore possible si … avant
    le … », since the plan counts on it), with a deadline ("" without one)."""
    if not due:
        return ""
    if due["window"] == "unknown_date":
        fact = f"{due['fact']}.{due['field']}" if due.get("field") else due["fact"]
        return w("unknown_date", lang, fact=fact) + (w("of_member", lang, member=due["member"]) if due.get("member") else "")
    when, left = day_text(due["due"], lang), due["days_left"]
    if status_reason == "deadline_passed":
        return w("lost", lang, due=when, ago=w("ago", lang, n=_days(left, lang)))
    if status_reason == "proof_only" or due["window"] == "closed":
        return w("proof_only", lang, due=when)
    if due["window"] == "overdue":
        return w("overdue", lang, due=when, ago=_days(left, lang))
    today, ahead = ("plan_due_today", "plan_due") if step else ("due_today", "due")
    out = w(today, lang, due=when) if left == 0 else w(ahead, lang, due=when, left=_days(left, lang))
    if due["lead_days"]:
        start = dt.date.fromisoformat(due["start_by"])
        lead = _days(due["lead_days"], lang)
        out += ", " + (w("start_now", lang, lead=lead) if due["window"] == "closing"
                       else w("start_by", lang, start=day_text(start.isoformat(), lang)))
    return out


def same_date(one: dict[str, Any], other: dict[str, Any] | None) -> bool:
    """Whether two windows say the same thing (a piece due with its criterion needs no line of its own)."""
    return other is not None and one["window"] == other["window"] and one.get("due") == other.get("due")
