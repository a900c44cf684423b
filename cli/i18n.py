"""User-facing words of the CLI, French first (the users are French), English with --lang en."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

try:
    from _string import formatter_parser  # CPython's; string.Formatter is built on it
except ImportError:  # pragma: no cover - another Python
    from string import Formatter

    formatter_parser = Formatter().parse

Words = dict[str, dict[str, str]]  # key -> {"fr": ..., "en": ...}; a `{name}` is filled by the caller
NNBSP = "\u202f"  # French sets a narrow no-break space before % and € and between thousands

MESSAGES: dict[str, dict[str, str]] = {
    "met": {"fr": "satisfait", "en": "met"},
    "not_met": {"fr": "non satisfait", "en": "not met"},
    "unknown": {"fr": "inconnu", "en": "unknown"},
    "not_applicable": {"fr": "non applicable", "en": "not applicable"},
    "eligible": {"fr": "éligible", "en": "eligible"},
    "not_eligible": {"fr": "non éligible", "en": "not eligible"},
    "undetermined": {"fr": "indéterminé", "en": "undetermined"},
    "compliant": {"fr": "conforme", "en": "compliant"},
    "not_compliant": {"fr": "non conforme", "en": "not compliant"},
    "as_of": {"fr": "Date d'évaluation", "en": "Evaluation date"},
    "dossier": {"fr": "Dossier", "en": "Dossier"},
    "decision": {"fr": "Décision", "en": "Decision"},
    "score": {"fr": "Score", "en": "Score"},
    "score_range": {"fr": "{cur} actuel, {best} au mieux", "en": "{cur} now, {best} at best"},
    "pass_mark": {"fr": "Seuil", "en": "Threshold"},
    "strict": {"fr": "strictement supérieur à", "en": "strictly above"},
    "inclusive": {"fr": "au moins", "en": "at least"},
    "level": {"fr": "Niveau", "en": "Level"},
    "amount_total": {"fr": "Montant total", "en": "Total amount"},
    "missing_fact": {"fr": "fait manquant", "en": "missing fact"},
    "level_out_of_reach": {"fr": "niveau {level} hors d'atteinte", "en": "level {level} out of reach"},
    "level_lower": {"fr": "niveau", "en": "level"},
    "mandatory_lower": {"fr": "obligatoire", "en": "mandatory"},
    "level_range": {"fr": "{cur} atteint, {best} au mieux", "en": "{cur} reached, {best} at best"},
    "stars": {"fr": "Étoiles", "en": "Stars"},
    "stars_unverified": {"fr": "correspondance non vérifiée", "en": "unverified mapping"},
    "reasons": {"fr": "Motifs", "en": "Reasons"},
    "criteria": {"fr": "Critères", "en": "Criteria"},
    "obligations_title": {"fr": "Obligations", "en": "Obligations"},
    "missing": {"fr": "Éléments manquants", "en": "Missing items"},
    "blocking": {"fr": "bloquant", "en": "blocking"},
    "none_missing": {"fr": "Rien ne manque.", "en": "Nothing is missing."},
    "evidence_expected": {"fr": "Preuve attendue", "en": "Expected evidence"},
    "evidence_used": {"fr": "Preuves retenues", "en": "Evidence used"},
    "follows_from": {"fr": "Découle de", "en": "Follows from"},
    "status": {"fr": "Statut", "en": "Status"},
    "op_all": {"fr": "toutes ces conditions", "en": "all of"},
    "op_any": {"fr": "l'une de ces conditions", "en": "any of"},
    "op_not": {"fr": "non", "en": "not"},
    "applies_if": {"fr": "S'applique si", "en": "Applies if"},
    "requires": {"fr": "Exige", "en": "Requires"},
    "source": {"fr": "Source", "en": "Source"},
    "provenance": {"fr": "Provenance", "en": "Provenance"},
    "maintainer_source": {"fr": "Provenance (mainteneurs)", "en": "Provenance (maintainers)"},
    "official_text": {"fr": "texte officiel", "en": "official text"},
    "published_summary": {"fr": "résumé publié", "en": "published summary"},
    "reconstructed": {"fr": "reconstitué (à vérifier sur le texte officiel)",
                      "en": "reconstructed (to check against the official text)"},
    "assumption": {"fr": "Hypothèse", "en": "Assumption"},
    "missing_facts": {"fr": "Faits manquants", "en": "Missing facts"},
    "effort": {"fr": "effort", "en": "effort"},
    "days": {"fr": "j", "en": "d"},
    "stage": {"fr": "Étape", "en": "Stage"},
    "due_now": {"fr": "exigible à ce stade", "en": "due at this stage"},
    "expired": {"fr": "preuve expirée", "en": "expired evidence"},
    "rejected": {"fr": "preuve rejetée", "en": "rejected evidence"},
    "pending_review": {"fr": "preuve non encore acceptée par l'auditeur", "en": "evidence not yet accepted by the auditor"},
    "not_yet_collected": {"fr": "preuve datée après l'évaluation", "en": "evidence dated after the evaluation"},
    "too_old": {"fr": "preuve trop ancienne", "en": "evidence too old"},
    "evidence_late": {"fr": "pièce datée après l'échéance", "en": "piece dated after its deadline"},
    "missing_file": {"fr": "fichier de preuve introuvable", "en": "evidence file missing"},
    "modified": {"fr": "fichier modifié depuis son enregistrement", "en": "file modified since registration"},
    "outside_dossier": {"fr": "fichier hors du dossier (refusé)", "en": "file outside the dossier (refused)"},
    "declined": {"fr": "écarté par la production", "en": "declined by the production"},
    "declared": {"fr": "déclaré non applicable", "en": "declared not applicable"},
    "condition": {"fr": "condition d'application non remplie", "en": "applicability condition false"},
    "not_in_force": {"fr": "pas en vigueur à cette date", "en": "not in force at this date"},
    "ruleset_not_applicable": {"fr": "référentiel non applicable", "en": "referential not applicable"},
    "assumed": {"fr": "supposé (simulation)", "en": "assumed (what-if)"},
    "portfolio": {"fr": "Portefeuille", "en": "Portfolio"},
    "portfolio_breaker": {"fr": "Le projet {project} n'atteint que le niveau {reached} : niveau {level} refusé à la société",
                          "en": "Project {project} only reaches level {reached}: company level {level} refused"},
    "condition_failed": {"fr": "Condition non remplie (voir raccord explain)", "en": "Condition not met (see raccord explain)"},
    "amount": {"fr": "Montant", "en": "Amount"},
    "true": {"fr": "vrai", "en": "true"},
    "false": {"fr": "faux", "en": "false"},
    "seen": {"fr": "vu", "en": "seen"},
    "expected": {"fr": "attendu", "en": "expected"},
    "absent": {"fr": "absent", "en": "missing"},
    "evidence": {"fr": "preuve", "en": "evidence"},
    "criterion": {"fr": "critère", "en": "criterion"},
    # rosters (conditions over the members of a collection, by internal reference)
    "members_failing": {"fr": "Personnes en défaut ({collection})", "en": "Persons failing ({collection})"},
    "members_undecided": {"fr": "Personnes à établir ({collection})", "en": "Persons still to establish ({collection})"},
    "roster_absent": {"fr": "Liste {collection} absente du dossier", "en": "List {collection} not in the dossier"},
    "roster_incomplete": {"fr": "Liste {collection} incomplète (complete: false)",
                          "en": "List {collection} incomplete (complete: false)"},
    "op_every": {"fr": "chaque personne de {collection}", "en": "every person of {collection}"},
    "op_count": {"fr": "nombre de personnes de {collection}", "en": "number of persons of {collection}"},
    "members_concerned": {"fr": "{concerned:visée|visées} sur {members}", "en": "{concerned} concerned of {members}"},
    "member_evidence": {"fr": "preuve de la personne", "en": "evidence of the person"},
    "field": {"fr": "champ", "en": "field"},
    "roster_seen": {"fr": "{members:personne|personnes}, liste complète", "en": "{members:person|people}, complete list"},
    "roster_seen_incomplete": {"fr": "{members:personne|personnes}, liste incomplète",
                               "en": "{members:person|people}, incomplete list"},
}

REASONS: dict[str, dict[str, str]] = {
    "deadline_passed": {"fr": "un délai est dépassé", "en": "a deadline has passed"},
    "mandatory_not_met": {"fr": "un critère obligatoire n'est pas satisfait", "en": "a mandatory criterion is not met"},
    "mandatory_unknown": {"fr": "un critère obligatoire n'est pas encore prouvé",
                          "en": "a mandatory criterion is not yet proven"},
    "score_below_threshold": {"fr": "le score ne peut pas atteindre le seuil", "en": "the score cannot reach the threshold"},
    "score_undetermined": {"fr": "le score atteint le seuil seulement si les preuves manquantes arrivent",
                           "en": "the score passes only if the missing evidence comes in"},
    "threshold_undetermined": {"fr": "le seuil applicable dépend d'un fait inconnu",
                               "en": "the applicable threshold depends on an unknown fact"},
    "level_undetermined": {"fr": "le niveau dépend de preuves manquantes", "en": "the level depends on missing evidence"},
    "portfolio_required": {"fr": "niveau d'entreprise : évaluer le portefeuille de la société",
                           "en": "company-wide level: evaluate the company's portfolio"},
    "portfolio_project_below_level": {"fr": "un projet du portefeuille n'atteint pas le niveau",
                                      "en": "a project of the portfolio does not reach the level"},
    "scheme_not_in_force": {"fr": "dispositif pas en vigueur à cette date", "en": "scheme not in force at this date"},
    "condition_not_met": {"fr": "une condition n'est pas remplie", "en": "a condition is not met"},
    "condition_unknown": {"fr": "une condition n'est pas encore établie", "en": "a condition is not yet established"},
    "no_applicable_condition": {"fr": "aucune de ses conditions ne s'applique à cette production",
                                "en": "none of its conditions applies to this production"},
    "ruleset_not_applicable": {"fr": "référentiel non applicable à cette production",
                               "en": "referential does not apply to this production"},
    "not_in_force": {"fr": "référentiel pas en vigueur à cette date", "en": "referential not in force at this date"},
    "scope_undetermined": {"fr": "l'applicabilité du référentiel dépend d'un fait inconnu",
                           "en": "whether the referential applies depends on an unknown fact"},
    "evidence_expired": {"fr": "une preuve a expiré", "en": "a piece of evidence has expired"},
    "evidence_late": {"fr": "une pièce est datée après son échéance", "en": "a piece is dated after its deadline"},
    "no_applicable_criteria": {"fr": "aucun critère applicable", "en": "no applicable criterion"},
}


def _agreed(text: str, lang: str, values: dict[str, Any]) -> str:
    """`text` filled with `values`, where `{n:revue|revues}` gives « 1 revue », « 2 revues »: a
    number with its word agreed (`singular`). The one place plurals are made, so no message writes
    « revue(s) ». Read with the parser string.Formatter uses (`_string`, in C): importing `string`
    compiles a pattern, 3 M instructions of every `check`; a field other than a plain name goes to
    string.Formatter."""
    out = []
    for literal, name, spec, conversion in formatter_parser(text):
        out.append(literal)
        if name is None:
            continue
        if name not in values or (spec and "{" in spec):
            return _agreed_by_formatter(text, lang, values)
        value = values[name]
        if conversion:
            value = {"r": repr, "s": str, "a": ascii}[conversion](value)
        if spec and "|" in spec:
            one, many = spec.split("|", 1)
            out.append(f"{value} {one if singular(value, lang) else many}")
        else:
            out.append(format(value, spec or ""))
    return "".join(out)


def _agreed_by_formatter(text: str, lang: str, values: dict[str, Any]) -> str:
    import string

    class Agreed(string.Formatter):
        def format_field(self, value: Any, spec: str) -> str:
            if "|" not in spec:
                return super().format_field(value, spec)
            one, many = spec.split("|", 1)
            return f"{value} {one if singular(value, lang) else many}"

    return Agreed().format(text, **values)


def lookup(tables: tuple[Words, ...], key: str, lang: str, **values: Any) -> str:
    """A word from the first table that has it, in `lang` (French when missing), filled with
    `values` (`{n:mot|mots}` agrees the word with the number); the key itself when no table has it
    (a code the user can still search for)."""
    for table in tables:
        entry = table.get(key)
        if entry:
            text = entry.get(lang, entry["fr"])
            if not values:
                return text
            return _agreed(text, lang, values) if "|" in text else text.format(**values)
    return key


def words(*tables: Words) -> Callable[..., str]:
    """A module's own vocabulary, looked up like the shared one: `w = words(WORDS)`, then
    `w(key, lang, **values)`; several tables are searched in order."""
    return partial(lookup, tables)


def t(key: str, lang: str, **values: Any) -> str:
    return lookup((MESSAGES,), key, lang, **values)


NOUNS: dict[str, dict[str, tuple[str, str]]] = {
    "criterion": {"fr": ("critère", "critères"), "en": ("criterion", "criteria")},
    "person_day": {"fr": ("jour-personne", "jours-personne"), "en": ("person-day", "person-days")},
    "point": {"fr": ("point", "points"), "en": ("point", "points")},
    "fact": {"fr": ("fait", "faits"), "en": ("fact", "facts")},
    "evidence_item": {"fr": ("preuve", "preuves"), "en": ("evidence item", "evidence items")},
}


def count(number: float, noun: str, lang: str) -> str:
    """`number noun`, agreed: French takes the singular below 2 (« 1,5 jour-personne »), English
    only for exactly 1."""
    one, many = NOUNS[noun].get(lang, NOUNS[noun]["fr"])
    return f"{decimal(number, lang)} {one if singular(number, lang) else many}"


def singular(number: float, lang: str) -> bool:
    return abs(number) < 2 if lang == "fr" else number == 1


def decimal(number: float, lang: str) -> str:
    """A short number: « 1,5 » in French, "1.5" in English."""
    shown = f"{number:g}"
    return shown.replace(".", ",") if lang == "fr" else shown


def quoted(words_: str, lang: str) -> str:
    """« guillemets » in French, “quotes” in English."""
    return f"« {words_} »" if lang == "fr" else f"“{words_}”"


def joined(parts: list[str], lang: str) -> str:
    """Items of a list of reasons: French sets a space before « ; » too."""
    return (" ; " if lang == "fr" else "; ").join(parts)


def colon(lang: str) -> str:
    """The colon after a label, typeset for the language (" : " in French, ": " in English)."""
    return " : " if lang == "fr" else ": "


def label(key: str, lang: str) -> str:
    """A label followed by its colon ("Score : " in French, "Score: " in English)."""
    return t(key, lang) + colon(lang)


def reason(code: str, lang: str) -> str:
    if code.startswith("missing_fact:"):
        return label("missing_fact", lang) + code.split(":", 1)[1]
    if code.startswith("level_below_"):
        level = code.rsplit("_", 1)[1]
        return t("level_out_of_reach", lang, level=level)
    entry = REASONS.get(code)
    return entry.get(lang, entry["fr"]) if entry else code


def text(value: Any, lang: str) -> str:
    """A {fr, en} mapping from the result document, in the wanted language."""
    if isinstance(value, dict):
        return value.get(lang) or value.get("fr") or ""
    return "" if value is None else str(value)


def percent(value: float | None, lang: str) -> str:
    if value is None:
        return "-"
    number = f"{value * 100:.1f}"
    return (number.replace(".", ",") + NNBSP + "%") if lang == "fr" else number + "%"


def money(value: float | None, lang: str, currency: str = "EUR") -> str:
    if value is None:
        return "-"
    whole = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    if lang != "fr":
        return f"{currency} {whole}"
    return whole.replace(",", NNBSP).replace(".", ",") + NNBSP + ("€" if currency == "EUR" else currency)


def agreed(text: str, lang: str, **values: Any) -> str:
    """`text` filled with `values`, each `{n:mot|mots}` agreed with its number (for messages kept
    outside a Words table, e.g. as Bilingual)."""
    return _agreed(text, lang, values)
