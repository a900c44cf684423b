"""The calendar document (raccord.calendar/1) as text and Markdown, French by default: dates as
02/03/2026, the time left, and for each deadline when it falls due, what it expects and its source."""

from __future__ import annotations

from typing import Any

from . import deadline_text
from .citations import citation_text
from .deadline_text import day_text, due_text
from .i18n import colon, label, t, text, words
from .render_text import header

WORDS = {
    "calendar": {"fr": "Calendrier", "en": "Calendar"},
    "deadline": {"fr": "Échéance", "en": "Deadline"},
    "piece": {"fr": "pièce", "en": "piece"},
    "milestone": {"fr": "Jalon", "en": "Milestone"},
    "evidence_expiry": {"fr": "Fin de validité de la preuve", "en": "Evidence expires"},
    "valid": {"fr": "valide", "en": "valid"},
    "today": {"fr": "aujourd'hui", "en": "today"},
    "in": {"fr": "dans {left}", "en": "in {left}"},
    "past": {"fr": "passé", "en": "past"},
    "as_of_line": {"fr": "── {day} : date d'évaluation ──", "en": "── {day}: evaluation date ──"},
    "declined": {"fr": "Écarté par la production", "en": "Declined by the production"},
    "supports": {"fr": "Justifie", "en": "Supports"},
    "undated": {"fr": "Date limite inconnue", "en": "Deadline unknown"},
    "nothing": {"fr": "Aucune date : ni échéance, ni jalon, ni preuve qui expire.",
                "en": "No dates: no deadline, milestone or expiring evidence."},
    "date": {"fr": "Date", "en": "Date"},
    "when": {"fr": "Délai", "en": "Time left"},
    "what": {"fr": "Quoi", "en": "What"},
    "state": {"fr": "Détail", "en": "Details"},
    "span": {"fr": "du {first} au {last}", "en": "from {first} to {last}"},
}
w = words(WORDS, deadline_text.WORDS)


def span(n: int, lang: str) -> str:
    """« 1 jour », « 21 jours »."""
    return w("day", lang) if abs(n) == 1 else w("days", lang, n=abs(n))


def relative(entry: dict[str, Any], lang: str) -> str:
    """« dans 21 jours », « aujourd'hui », « passé, il y a 3 jours »."""
    n = entry["days_left"]
    if n == 0:
        return w("today", lang)
    return w("in", lang, left=span(n, lang)) if n > 0 else f"{w('past', lang)}, {w('ago', lang, n=span(n, lang))}"


def _due(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry as the `due` of a missing item, for deadline_text.due_text."""
    return {"window": entry["window"], "fact": entry.get("fact"), "due": entry.get("date"), "start_by": entry.get("start_by"),
            "days_left": entry.get("days_left"), "lead_days": entry["lead_days"], "field": entry.get("field"),
            "member": entry.get("member")}


def headline(entry: dict[str, Any], lang: str) -> str:
    """What the entry is, on one line (the date apart)."""
    kind = entry["kind"]
    if kind == "milestone":
        return f"{w('milestone', lang)}{colon(lang)}{text(entry['title'], lang)}"
    if kind == "evidence_expiry":
        state = w("valid", lang) if entry["state"] == "valid" else t(entry["state"], lang)
        return f"{w('evidence_expiry', lang)} {entry['evidence']} ({entry['evidence_kind']}) — {state}"
    piece = f" ({w('piece', lang)}{colon(lang)}{entry['piece']})" if entry.get("piece") else ""
    who = f" — {entry['member']}" if entry.get("member") else ""  # a person's deadline: the reference, never a name
    return (f"{w('deadline', lang)} {entry['criterion']}{who} {text(entry['title'], lang)}{piece} — "
            f"{t(entry['status'], lang)}")


def detail(entry: dict[str, Any], lang: str) -> list[str]:
    """The lines under an entry: when a deadline falls due and what it expects, what an item justifies."""
    if entry["kind"] == "evidence_expiry":
        lines = [text(entry["description"], lang)] if entry.get("description") else []
        return lines + ([f"{w('supports', lang)}{colon(lang)}{', '.join(entry['criteria'])}"] if entry["criteria"] else [])
    if entry["kind"] != "deadline":
        return []
    lines = []
    if entry.get("declined"):
        lines.append(f"{w('declined', lang)}{colon(lang)}{entry['declined']}")
    elif entry["status"] != "met":
        when = due_text(_due(entry), entry.get("status_reason"), lang)
        if entry["window"] == "unknown_date":
            when += f" ({text(entry['fact_title'], lang)})"
        lines.append(when)
    wanted = [text(e["description"], lang) for e in entry["evidence_expected"]]
    if wanted:
        lines.append(f"{label('evidence_expected', lang)}{'; '.join(wanted)}")
    lines.append(f"{label('source', lang)}{citation_text(entry['source'], lang)}")
    return lines


def calendar_text(doc: dict[str, Any], lang: str) -> str:
    lines = [header(doc, lang), "", f"{w('calendar', lang)}{_span(doc, lang)}"]
    if not doc["entries"] and not doc["undated"]:
        lines.append(w("nothing", lang))
    marked = False
    for entry in doc["entries"]:
        if not marked and not entry["past"]:
            lines.append(w("as_of_line", lang, day=day_text(doc["as_of"], lang)))
            marked = True
        lines.append(f"- {day_text(entry['date'], lang)} ({relative(entry, lang)}) — {headline(entry, lang)}")
        lines += [f"    {line}" for line in detail(entry, lang)]
    if doc["entries"] and not marked:
        lines.append(w("as_of_line", lang, day=day_text(doc["as_of"], lang)))
    if doc["undated"]:
        lines += ["", f"{w('undated', lang)}{colon(lang).rstrip()}"]
        for entry in doc["undated"]:
            lines.append(f"- {headline(entry, lang)}")
            lines += [f"    {line}" for line in detail(entry, lang)]
    return "\n".join(lines) + "\n"


def _span(doc: dict[str, Any], lang: str) -> str:
    entries = doc["entries"]
    if not entries:
        return ""
    return " — " + w("span", lang, first=day_text(entries[0]["date"], lang), last=day_text(entries[-1]["date"], lang))


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def calendar_md(doc: dict[str, Any], lang: str) -> str:
    dossier = doc["dossier"]
    out = [f"# {w('calendar', lang)} — {dossier['title']}", "",
           f"*{label('as_of', lang)}{day_text(doc['as_of'], lang)}* — `{dossier['id']}`", ""]
    if not doc["entries"] and not doc["undated"]:
        out.append(w("nothing", lang))
    if doc["entries"]:
        out += [f"| {w('date', lang)} | {w('when', lang)} | {w('what', lang)} | {w('state', lang)} |", "|---|---|---|---|"]
        for entry in doc["entries"]:
            date = day_text(entry["date"], lang)
            out.append(f"| {f'~~{date}~~' if entry['past'] else f'**{date}**'} | {_cell(relative(entry, lang))} "
                       f"| {_cell(headline(entry, lang))} | {_cell(' — '.join(detail(entry, lang)))} |")
    if doc["undated"]:
        out += ["", f"## {w('undated', lang)}", ""]
        for entry in doc["undated"]:
            out.append(f"- {headline(entry, lang)} — {' — '.join(detail(entry, lang))}")
    return "\n".join(out) + "\n"
