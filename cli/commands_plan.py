"""`raccord plan`: the least-effort set of remaining criteria reaching a target, verified by re-evaluation."""

from __future__ import annotations

import json
from typing import Any

import click

from raccord.engine import Bilingual, InputError
from raccord.engine import status as st
from raccord.engine.plan import parse_target, plan_document

from .citations import library_notice
from .context import common_as_of, common_lang, library_from, library_options, run_evaluation
from .deadline_text import day_text, due_text
from .i18n import colon, count, joined, money, percent, quoted, t, text, words
from .language import bi
from .render_text import header
from .summary import fact_titles

WORDS = {
    "target": {"fr": "Cible", "en": "Target"},
    "now": {"fr": "Aujourd'hui", "en": "Now"},
    "plan": {"fr": "Plan de moindre effort ({criteria}, {effort}, calcul exact)",
             "en": "Least-effort plan ({criteria}, {effort}, exact)"},
    "empty": {"fr": "Rien à faire : la cible est déjà atteinte.", "en": "Nothing to do: the target is already reached."},
    "after": {"fr": "Après le plan (vérifié par réévaluation)", "en": "After the plan (verified by re-evaluation)"},
    "reached": {"fr": "cible atteinte", "en": "target reached"},
    "not_reached": {"fr": "cible NON atteinte", "en": "target NOT reached"},
    "unreachable": {"fr": "Cible hors d'atteinte par des actions", "en": "Target out of reach through actions"},
    "assumed": {"fr": "Hypothèses (--assume)", "en": "Assumptions (--assume)"},
    "effort": {"fr": "effort", "en": "effort"},
    "stage": {"fr": "étape", "en": "stage"},
    "at_stake": {"fr": "{amount} en jeu", "en": "{amount} at stake"},
    "work_done": {"fr": "déjà fait, reste la preuve : effort 0", "en": "already done, only the proof is missing: effort 0"},
    "do": {"fr": "À faire : {what}", "en": "To do: {what}"},
    "provide": {"fr": "À fournir : {what}", "en": "To provide: {what}"},
    "state": {"fr": "À renseigner dans le dossier : {what}", "en": "To state in the dossier: {what}"},
    "proof_only": {"fr": "ne peut plus être fait (délai passé le {due}) : fournir la preuve d'une démarche faite à temps",
                   "en": "can no longer be done (deadline {due}): provide proof of a step taken in time"},
}
BLOCKERS = {
    "declined": {"fr": "écarté par la production", "en": "declined by the production"},
    "declined_if_applicable": {"fr": "écarté par la production : la cible n'est atteignable que s'il ne s'applique pas",
                               "en": "declined by the production: the target is reachable only if it does not apply"},
    "not_actionable": {"fr": "propriété de l'œuvre, pas une action", "en": "a property of the work, not an action"},
    "company_level": {"fr": "niveau d'entreprise : tous les projets du portefeuille doivent l'atteindre",
                      "en": "company level: every project of the portfolio must reach it"},
    "scheme_not_in_force": {"fr": "dispositif hors de sa période de validité", "en": "scheme not in force"},
    "no_applicable_condition": {"fr": "aucune condition du dispositif ne s'applique à cette production",
                                "en": "none of the scheme's conditions applies to this production"},
    "score_unreachable": {"fr": "seuil inatteignable même avec tous les critères restants",
                          "en": "threshold out of reach even with every remaining criterion"},
    "deadline_passed": {"fr": "délai dépassé : ne peut plus être fait", "en": "deadline passed: can no longer be done"},
    "not_met": {"fr": "déclaré non fait, sans échéance encore ouverte : à corriger dans le dossier ou --assume ID=met",
                "en": "stated not done, with no deadline still open: correct the dossier or --assume ID=met"},
    "ruleset_not_applicable": {"fr": "référentiel non applicable à cette œuvre", "en": "referential not applicable to this work"},
}


w = words(WORDS)


def parse_assume(values: tuple[str, ...], library) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        cid, sep, status = value.partition("=")
        status = status or st.MET
        if cid not in library.criteria:
            raise InputError("--assume", Bilingual(f"critère inconnu : « {cid} »", f"unknown criterion '{cid}'"),
                             Bilingual("`raccord rulesets show ID` liste les critères",
                                       "`raccord rulesets show ID` lists criteria"))
        if (sep and not status) or status not in (st.MET, st.NOT_MET):
            raise InputError("--assume", Bilingual(f"« {value} » : écrivez ID=met ou ID=not_met",
                                                   f"'{value}': write ID=met or ID=not_met"))
        out[cid] = status
    return out


def _state(state: dict[str, Any], lang: str) -> str:
    parts = []
    if state.get("decision"):
        parts.append(t(state["decision"], lang))
    if state.get("level"):
        low, high = state["level"]
        shown = str(low) if low == high else t("level_range", lang, cur=low, best=high)
        parts.append(f"{t('level', lang)} {shown}")
    if state.get("score"):
        low, high = state["score"]
        parts.append(f"{t('score', lang)} {percent(low, lang)} – {percent(high, lang)}")
    if state.get("amount") is not None:
        amount = money(state["amount"], lang)
        # an amount is only obtained once eligible: before that it is what is at stake
        parts.append(amount if state.get("decision") == "eligible" else w("at_stake", lang, amount=amount))
    return ", ".join(parts) or "-"


def step_lines(item: dict[str, Any], lang: str, titles: dict[str, str]) -> list[str]:
    """What the step asks, in words: the action (its title) unless already done, the documents
    still missing by their description, the facts to state by their title."""
    lines = []
    if not item.get("work_done") and not item.get("proof_only"):
        title = text(item["title"], lang)
        lowered = title[:1].lower() + title[1:] if title[1:2].islower() else title  # not an acronym (CSE, VHSS)
        lines.append(w("do", lang, what=lowered))
    documents = [text(p["description"], lang) or p["kind"] for p in item.get("provide", [])]
    if documents:
        lines.append(w("provide", lang, what=joined(documents, lang)))
    facts = [titles.get(name) or name for name in item.get("facts_to_state", [])]
    if facts:
        lines.append(w("state", lang, what=joined(facts, lang)))
    return lines


def render(doc: dict[str, Any], lang: str, notice: list[str] | None = None, titles: dict[str, str] | None = None) -> str:
    lines = [header({"dossier": doc["dossier"], "as_of": doc["as_of"]}, lang), *(notice or []),
             f"{w('target', lang)}{colon(lang)}{doc['target']}"]
    if doc["assumed"]:
        lines.append(f"{w('assumed', lang)}{colon(lang)}" + ", ".join(f"{k}={v}" for k, v in doc["assumed"].items()))
    lines.append(f"{w('now', lang)}{colon(lang)}{_state(doc['before'], lang)}")
    if not doc["feasible"]:
        lines.append(f"{w('unreachable', lang)}{colon(lang).rstrip()}")
        for blocker in doc["blockers"]:
            what = blocker.get("criterion") or blocker.get("scheme") or blocker.get("ruleset") or ""
            reason = BLOCKERS.get(blocker["reason"], {}).get(lang, blocker["reason"])
            if blocker.get("due"):
                reason += f" ({day_text(blocker['due'], lang)})"
            lines.append(f"  - {what}{colon(lang)}{reason}")
    if not doc["items"]:
        if doc["before"]["reached"]:
            lines.append(w("empty", lang))
    else:
        lines.append(w("plan", lang, criteria=count(len(doc["items"]), "criterion", lang),
                       effort=count(doc["effort"], "person_day", lang)) + colon(lang).rstrip())
        for item in doc["items"]:
            extra = [w("work_done", lang) if item.get("work_done")
                     else f"{w('effort', lang)} {count(item['effort'], 'person_day', lang)}"]
            if item.get("points"):
                extra.append(count(item["points"], "point", lang))
            if item.get("level"):
                extra.append(f"{t('level', lang).lower()} {item['level']}")
            if item.get("stage"):
                stage = text(item["stage_title"], lang) if item.get("stage_title") else item["stage"]
                extra.append(f"{w('stage', lang)} {quoted(stage, lang)}")
            lines.append(f"  - {item['criterion']} {text(item['title'], lang)} — {t(item['status'], lang)} "
                         f"({', '.join(extra)})")
            lines += [f"      {line}" for line in step_lines(item, lang, titles or {})]
            if item.get("proof_only"):
                lines.append(f"      {w('proof_only', lang, due=day_text(item['due']['due'], lang))}")
            elif item.get("due"):
                lines.append(f"      {due_text(item['due'], None, lang, step=True)}")
    for note in doc["notes"]:
        lines.append(f"  ! {note}")
    after = doc["after"]
    verdict = w("reached", lang) if after["reached"] else w("not_reached", lang)
    lines.append(f"{w('after', lang)}{colon(lang)}{_state(after, lang)} — {verdict}")
    return "\n".join(lines) + "\n"


def register(cli: click.Group) -> None:
    @cli.command(help=bi("Plan de moindre effort pour atteindre une cible (label, niveau, aide), vérifié par réévaluation.",
                         "Least-effort plan to reach a target (label, level, aid), checked by evaluating again."))
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @click.option("--target", required=True, metavar=bi("CIBLE", "TARGET"),
                  help=bi("RID (seuil, obligations), RID:NIVEAU (niveaux), RID:DISPOSITIF ou aid:DISPOSITIF (aides).",
                          "RID (threshold, obligations), RID:LEVEL (levels), RID:SCHEME or aid:SCHEME (eligibility)."))
    @click.option("--assume", "assume", multiple=True, metavar="ID=met",
                  help=bi("Simulation : tenir ce critère pour satisfait (ou not_met) sans toucher au dossier (répétable).",
                          "What-if: treat this criterion as met (or not_met) without touching the dossier (repeatable)."))
    @common_as_of
    @common_lang
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @library_options
    def plan(dossier, target, assume, as_of, lang, fmt, rulesets_dir, ruleset_files):
        library = library_from(rulesets_dir, ruleset_files)
        goal = parse_target(library, target)
        evaluation = run_evaluation(library, dossier, as_of, (), assume=parse_assume(assume, library) or None)
        doc = plan_document(evaluation, goal)
        if fmt == "json":
            click.echo(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
        else:
            touched = [goal.ruleset] + [item["ruleset"] for item in doc["items"]]
            click.echo(render(doc, lang, library_notice(library, touched, lang), fact_titles(library, lang)), nl=False)
