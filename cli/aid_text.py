"""What blocks an aid scheme, in one sentence a producer can read: the actions not done, the facts to
give, the documents to provide, by their titles (no operator, no fact name, no evidence kind).

Read off the eligibility document's blockers (engine/claims.py, built on the typed findings):
for a scheme that is not eligible, its conditions that fail; for an undetermined one, those still
to establish, drilled down to the criterion that actually lacks something."""

from __future__ import annotations

from typing import Any

from raccord.engine import status as st

from .i18n import colon, joined, singular, t, text, words

WORDS = {
    "actions_level": {"fr": "{n} action{s} du niveau {levels} non réalisée{s}", "en": "{n} level-{levels} action{s} not done"},
    "actions_levels": {"fr": "{n} action{s} des niveaux {levels} non réalisée{s}",
                       "en": "{n} action{s} of levels {levels} not done"},
    "to_prove": {"fr": "{n} à prouver", "en": "{n} to prove"},
    "and": {"fr": "et", "en": "and"},
    "outcome_seen": {"fr": "{what} : {seen} (il faut : {expected})", "en": "{what}: {seen} (needed: {expected})"},
    "to_give": {"fr": "à renseigner", "en": "to give"},
    "to_provide": {"fr": "à fournir", "en": "to provide"},
    "not_met": {"fr": "condition non remplie", "en": "condition not met"},
    "declined": {"fr": "écarté par la production", "en": "declined by the production"},
    "more": {"fr": "et {n} autre{s}", "en": "and {n} more"},
    "level_field": {"fr": "niveau", "en": "level"},
    "decision_field": {"fr": "décision", "en": "decision"},
}
w = words(WORDS)
MAX_PARTS = 2


def plural(n: int, lang: str) -> str:
    return "" if singular(n, lang) else "s"  # the shared rule (cli/i18n.py)


def and_list(items: list[str], lang: str) -> str:
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {w('and', lang)} {items[-1]}"


def blocking_sentence(scheme: dict[str, Any], library: Any, statuses: dict[str, str], lang: str) -> str:
    """The failing (not eligible) or open (undetermined) conditions of one scheme, in one line."""
    if scheme["decision"] == st.NOT_ELIGIBLE:
        blockers = scheme["not_met"]
    elif scheme["decision"] == st.UNDETERMINED:
        blockers = scheme["not_met"] + scheme["unknown"]
    else:
        return ""
    parts: list[str] = []
    for blocker in blockers:
        for part in blocker_parts(blocker, library, statuses, lang):
            if part not in parts:
                parts.append(part)
    if len(parts) > MAX_PARTS:
        rest = len(parts) - MAX_PARTS
        parts = parts[:MAX_PARTS] + [w("more", lang, n=rest, s=plural(rest, lang))]
    return joined(parts, lang)


def blocker_parts(entry: dict[str, Any], library: Any, statuses: dict[str, str], lang: str) -> list[str]:
    if entry.get("declined"):
        return [f"{text(entry['title'], lang)}{colon(lang)}{w('declined', lang)}"]
    parts = [outcome_part(o, library, statuses, lang) for o in entry.get("outcomes", [])]
    for child in entry.get("because_of", []):
        parts += blocker_parts(child, library, statuses, lang)
    if parts:
        return parts
    if entry["missing_facts"]:
        titles = [fact_title(name, library, lang) for name in entry["missing_facts"]]
        return [f"{w('to_give', lang)}{colon(lang)}{and_list(titles, lang)}"]
    if entry["missing_evidence"]:
        return [f"{text(entry['title'], lang)}{colon(lang)}{evidence_words(entry, lang)}"]
    if entry["status"] == st.NOT_MET:
        return [f"{w('not_met', lang)}{colon(lang)}{text(entry['title'], lang)}"]
    return [text(entry["title"], lang)]


def evidence_words(entry: dict[str, Any], lang: str) -> str:
    count = len(entry["missing_evidence"])
    noun = t("evidence", lang) + ("s" if count > 1 else "")
    return f"{noun} {w('to_provide', lang)}"


def outcome_part(outcome: dict[str, Any], library: Any, statuses: dict[str, str], lang: str) -> str:
    gaps: dict[str, list[str]] = outcome.get("gaps") or {}
    if gaps:
        ids = [cid for level in sorted(gaps, key=int) for cid in gaps[level]]
        undone = [cid for cid in ids if statuses.get(cid) == st.NOT_MET]
        open_ = [cid for cid in ids if cid not in undone]
        shown = undone or ids
        levels = [level for level in sorted(gaps, key=int) if any(cid in shown for cid in gaps[level])]
        key = "actions_level" if len(levels) == 1 else "actions_levels"
        sentence = w(key, lang, n=len(shown), s=plural(len(shown), lang), levels=and_list(levels, lang))
        sentence += colon(lang) + ", ".join(shown)
        if undone and open_:
            sentence += f" ({w('to_prove', lang, n=len(open_))}{colon(lang)}{', '.join(open_)})"
        return sentence
    rid, _, field = outcome["outcome"].partition(".")
    rs = library.rulesets.get(rid)
    what = rs.model.title.get(lang) if rs else rid
    field_word = w(f"{field}_field", lang) if f"{field}_field" in WORDS else field
    return w("outcome_seen", lang, what=f"{what}, {field_word}", seen=value_words(outcome["seen"], lang),
             expected=expected_words(outcome["test"], outcome["expected"], lang))


def value_words(value: Any, lang: str) -> str:
    if isinstance(value, list) and len(value) == 2:
        low, high = value
        return str(low) if low == high else f"{low} " + ("à" if lang == "fr" else "to") + f" {high}"
    if value is None:
        return t("unknown", lang)
    return t(str(value), lang)


COMPARISONS = {"gte": {"fr": "au moins {v}", "en": "at least {v}"}, "gt": {"fr": "plus de {v}", "en": "more than {v}"},
               "lte": {"fr": "au plus {v}", "en": "at most {v}"}, "lt": {"fr": "moins de {v}", "en": "less than {v}"},
               "eq": {"fr": "{v}", "en": "{v}"}, "ne": {"fr": "autre que {v}", "en": "other than {v}"}}


def expected_words(test: str | None, expected: Any, lang: str) -> str:
    shown = ", ".join(value_words(v, lang) for v in expected) if isinstance(expected, list) else value_words(expected, lang)
    form = COMPARISONS.get(test or "eq", COMPARISONS["eq"])
    return form.get(lang, form["fr"]).format(v=shown)


def fact_title(name: str, library: Any, lang: str) -> str:
    fact = library.catalogue.get(name)
    if fact is None:
        return name
    title = fact.title
    return title.get(lang) if hasattr(title, "get") else str(title)
