"""The fact forms, generated from the fact catalogue: one field per fact (French title, help, unit),
grouped by the first part of the name; French-style input read (« 3 200 000 », « 12,5 », « 15/03/2025 »,
« oui »). The engine then checks the value and its message is shown beside the field."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .words import w

GROUP_TITLES = {
    "work": {"fr": "L'œuvre", "en": "The work"}, "dates": {"fr": "Dates", "en": "Dates"},
    "company": {"fr": "La société", "en": "The company"}, "team": {"fr": "L'équipe", "en": "The team"},
    "cnc": {"fr": "Aides du CNC", "en": "CNC aid"}, "carbon": {"fr": "Bilan carbone", "en": "Carbon footprint"},
    "vhss": {"fr": "VHSS", "en": "VHSS"}, "afnor": {"fr": "AFNOR SPEC 2308", "en": "AFNOR SPEC 2308"},
    "ecoprod": {"fr": "Ecoprod", "en": "Ecoprod"},
}


def groups(catalogue) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, fact in catalogue.items():
        if fact.type != "collection":  # rosters are imported with the dossier, not edited field by field
            out.setdefault(name.split(".")[0], []).append(name)
    return out


def group_title(group: str, lang: str) -> str:
    return GROUP_TITLES.get(group, {}).get(lang, group)


def field_of(name: str, fact, value: Any, lang: str, error: str | None = None, raw: Any = None) -> dict[str, Any]:
    """What the template needs to draw one fact's field."""
    shown = raw if raw is not None else _display(fact, value, lang)
    return {"name": name, "id": "f-" + re.sub(r"[^a-z0-9]+", "-", name), "type": fact.type,
            "title": fact.title.get(lang), "help": fact.help.get(lang) if fact.help else None, "unit": fact.unit,
            "choices": fact.values or [], "value": shown, "selected": set(value or []) if fact.type == "set" else None,
            "error": error}


def _display(fact, value: Any, lang: str) -> str:
    if value is None:
        return ""
    if fact.type == "boolean":
        return "true" if value else "false"
    if fact.type == "date" and lang == "fr":
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if fact.type in ("integer", "number"):
        text = f"{value:.12g}" if isinstance(value, float) else str(value)
        return text.replace(".", ",") if lang == "fr" else text
    return str(value)


class FieldError(Exception):
    pass


def parse(fact, form_values: list[str], lang: str) -> Any:
    """A submitted field as the JSON value the journal keeps (None: unknown). FieldError: unreadable."""
    if fact.type == "set":
        return sorted(v for v in form_values if v) or None
    text = (form_values[-1] if form_values else "").strip()
    if text == "":
        return None
    if fact.type == "boolean":
        lowered = text.lower()
        if lowered in ("true", "oui", "vrai", "yes", "1"):
            return True
        if lowered in ("false", "non", "faux", "no", "0"):
            return False
        raise FieldError(w("unknown_value", lang))
    if fact.type in ("integer", "number"):
        cleaned = re.sub(r"[\s\u00a0\u202f_']", "", text).replace("€", "").replace("%", "")
        if cleaned.count(",") == 1 and "." not in cleaned:
            cleaned = cleaned.replace(",", ".")
        try:
            number = float(cleaned)
        except ValueError:
            raise FieldError(w("bad_number", lang)) from None
        if fact.type == "integer" and number.is_integer():
            return int(number)
        return number
    if fact.type == "date":
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        try:
            day = dt.date(int(match[3]), int(match[2]), int(match[1])) if match else dt.date.fromisoformat(text)
        except ValueError:
            raise FieldError(w("bad_date", lang)) from None
        return day.isoformat()
    return text
