"""Words of the shooting-journal pages (web/live_pages.py), French first; the alerts' own words
(stage, « depuis », « À faire », the source) are `raccord watch`'s (cli/commands_watch.py)."""

from __future__ import annotations

from typing import Any

from raccord.cli.commands_watch import WORDS as WATCH_WORDS
from raccord.cli.i18n import Words, lookup

WORDS: Words = {
    "live": {"fr": "Tournage", "en": "Set"},
    "live_title": {"fr": "Journal de tournage", "en": "Shooting journal"},
    "live_intro": {"fr": "Ce qui se passe sur le plateau, noté au moment où cela arrive : les moniteurs des référentiels "
                         "préviennent avant que la limite soit atteinte. Des références internes (P-014, E-01), jamais de noms.",
                   "en": "What happens on set, logged as it happens: the referentials' monitors warn before a limit is "
                         "reached. Internal references (P-014, E-01), never names."},
    "alerts": {"fr": "Alertes du tournage", "en": "Set alerts"},
    "alerts_as_of": {"fr": "Au {at} (heure du serveur), moteur {engine}, actualisé toutes les {poll} s.",
                     "en": "As of {at} (server time), {engine} engine, refreshed every {poll} s."},
    "alerts_past": {"fr": "Telles qu'au {at}, quand cette version a été enregistrée (moteur {engine}).",
                    "en": "As they stood on {at}, when this version was recorded ({engine} engine)."},
    "no_alert": {"fr": "Aucune alerte.", "en": "No alert."},
    "no_journal": {"fr": "Aucun événement de tournage pour l'instant.", "en": "No set event yet."},
    "add_event": {"fr": "Noter un événement", "en": "Log an event"},
    "choose_type": {"fr": "Quel événement ?", "en": "Which event?"},
    "at": {"fr": "Date et heure (vide : maintenant)", "en": "Date and time (empty: now)"},
    "zone": {"fr": "Fuseau horaire", "en": "Time zone"},
    "log": {"fr": "Noter", "en": "Log"},
    "logged": {"fr": "{n:événement noté|événements notés}.", "en": "{n:event|events} logged."},
    "imported": {"fr": "a importé {n:événement|événements} de tournage ({name})",
                 "en": "imported {n:set event|set events} ({name})"},
    "import_journal": {"fr": "Importer un journal (JSON Lines)", "en": "Import a journal (JSON Lines)"},
    "import_help": {"fr": "Un fichier .jsonl, un événement par ligne (docs/journal.md) ; un seul événement invalide "
                          "et rien n'est importé.",
                    "en": "A .jsonl file, one event per line (docs/journal.md); one invalid event and nothing is imported."},
    "import": {"fr": "Importer", "en": "Import"},
    "recent": {"fr": "Derniers événements", "en": "Latest events"},
    "set_time": {"fr": "Heure sur le plateau", "en": "Time on set"},
    "event": {"fr": "Événement", "en": "Event"},
    "logged_by": {"fr": "Noté par", "en": "Logged by"},
    "acknowledge": {"fr": "Acquitter", "en": "Acknowledge"},
    "ack_comment": {"fr": "Commentaire (ce qui a été fait)", "en": "Comment (what was done)"},
    "ack_by": {"fr": "Votre fonction", "en": "Your function"},
    "acknowledged": {"fr": "Acquittée le {at} ({by}) : « {comment} »", "en": "Acknowledged on {at} ({by}): “{comment}”"},
    "ack_evidence": {"fr": "au registre des preuves : {id}", "en": "in the evidence register: {id}"},
    "who": {"fr": "Qui", "en": "Who"},
    "since": {"fr": "Depuis", "en": "Since"},
    "fired": {"fr": "Déclenchée", "en": "Fired"},
    "high": {"fr": "gravité haute", "en": "high severity"},
    "medium": {"fr": "gravité moyenne", "en": "medium severity"},
    "low": {"fr": "gravité basse", "en": "low severity"},
    "note": {"fr": "Note", "en": "Note"},
    "closed_set": {"fr": "plateau fermé", "en": "closed set"},
    "open_set": {"fr": "plateau non fermé", "en": "set not closed"},
    "unsupervised": {"fr": "sans le responsable enfants", "en": "without the children's supervisor"},
    "yes": {"fr": "oui", "en": "yes"},
    "no": {"fr": "non", "en": "no"},
    "none_chosen": {"fr": "—", "en": "—"},
    "refs_help": {"fr": "Références séparées par des virgules : P-021, P-022",
                  "en": "References separated by commas: P-021, P-022"},
    "ref_help": {"fr": "Référence interne, jamais un nom : P-014, E-01", "en": "Internal reference, never a name: P-014, E-01"},
}

TYPES: Words = {
    "day.open": {"fr": "Ouverture de la journée", "en": "Day opens"},
    "day.close": {"fr": "Fin de la journée", "en": "Day closes"},
    "work.start": {"fr": "Début de travail", "en": "Work starts"},
    "work.pause": {"fr": "Début de pause", "en": "Break starts"},
    "work.resume": {"fr": "Reprise", "en": "Work resumes"},
    "work.end": {"fr": "Fin de travail", "en": "Work ends"},
    "child.arrive": {"fr": "Arrivée d'un enfant", "en": "A child arrives"},
    "child.supervision": {"fr": "Responsable enfants présent / absent", "en": "Children's supervisor joins / leaves"},
    "child.leave": {"fr": "Départ d'un enfant", "en": "A child leaves"},
    "intimacy.agreed": {"fr": "Liste des personnes indispensables (scène d'intimité)",
                        "en": "Indispensable people (intimacy scene)"},
    "intimacy.start": {"fr": "Début d'une scène d'intimité", "en": "Intimacy scene starts"},
    "intimacy.end": {"fr": "Fin d'une scène d'intimité", "en": "Intimacy scene ends"},
    "training.recorded": {"fr": "Attestation de formation", "en": "Training certificate"},
    "report.received": {"fr": "Signalement VHSS reçu", "en": "VHSS report received"},
    "report.forwarded": {"fr": "Signalement transmis à l'employeur", "en": "Report passed on to the employer"},
    "report.handled": {"fr": "Signalement traité", "en": "Report handled"},
    "alert.ack": {"fr": "Acquittement d'une alerte", "en": "Alert acknowledged"},
}

FIELD_TITLES: Words = {
    "person": {"fr": "Personne (référence)", "en": "Person (reference)"},
    "role": {"fr": "Fonction", "en": "Function"},
    "supervised": {"fr": "Avec le responsable enfants ?", "en": "With the children's supervisor?"},
    "scene": {"fr": "Scène", "en": "Scene"},
    "present": {"fr": "Présents (références)", "en": "Present (references)"},
    "closed_set": {"fr": "Plateau fermé ?", "en": "Closed set?"},
    "agreed": {"fr": "Personnes indispensables (références)", "en": "Indispensable people (references)"},
    "module": {"fr": "Module de formation", "en": "Training module"},
    "report": {"fr": "Signalement (référence)", "en": "Report (reference)"},
    "by": {"fr": "Reçu par (fonction)", "en": "Received by (function)"},
    "day": {"fr": "Jour (facultatif)", "en": "Day (optional)"},
    "alert": {"fr": "Alerte", "en": "Alert"},
    "comment": {"fr": "Commentaire", "en": "Comment"},
    "source": {"fr": "Poste de saisie (facultatif : regie, tablette-2)", "en": "Logged from (optional: regie, tablette-2)"},
    "at": WORDS["at"],
    "type": {"fr": "Événement", "en": "Event"},
    "v": {"fr": "Version", "en": "Version"},
}

# Types offered on the form (an acknowledgement is made from its alert, not typed in)
FORM_TYPES = tuple(t for t in TYPES if t != "alert.ack")


def w(key: str, lang: str, **values: Any) -> str:
    return lookup((WORDS, WATCH_WORDS), key, lang, **values)


def type_title(kind: str, lang: str) -> str:
    return lookup((TYPES,), kind, lang)


def field_title(name: str, lang: str) -> str:
    return lookup((FIELD_TITLES,), name, lang)


def imported(payload: dict[str, Any], lang: str) -> str:
    return w("imported", lang, n=len(payload["events"]), name=payload.get("file", ""))


def describe(event: dict[str, Any], lang: str) -> str:
    """A journal event in the history's words: « a noté : Début de travail — P-021 (interprete), 12/11 08:00 »."""
    who = event.get("person") or event.get("scene") or event.get("report") or event.get("alert") or ""
    if event.get("role"):
        who += f" ({event['role']})"
    at = str(event.get("at", ""))[:16].replace("T", " ")
    title = type_title(event.get("type", ""), lang)
    text = f"a noté : {title}" if lang == "fr" else f"logged: {title}"
    text += f" — {who}" if who else ""
    text += f", {at}"
    if event.get("comment"):
        text += f" — {event['comment']}"
    return text
