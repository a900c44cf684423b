"""`raccord init`: a new dossier, commented in French, with only the facts that apply to the kind of
work, grouped as a producer thinks, every one unknown until given."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from pathlib import Path

import click

from raccord.engine import InputError
from raccord.engine.api import Engine
from raccord.engine.errors import Bilingual, in_language
from raccord.engine.fact_values import expected
from raccord.engine.model import FactDef

from .context import common_lang, library_options
from .language import bi
from .output import write_atomic

# How a producer thinks of the facts: (title fr, title en, name prefixes). First match wins; the
# facts of no group go under « Autres faits », by referential prefix order.
GROUPS: list[tuple[str, str, tuple[str, ...]]] = [
    ("L'œuvre", "The work", ("work.",)),
    ("Les dates", "The dates", ("dates.",)),
    ("La société", "The company", ("company.",)),
    ("L'équipe", "The team", ("team.", "roster.crew", "afnor.team.")),
    ("Les scènes et les castings", "Scenes and castings", ("scenes.", "castings.")),
    ("Les mineurs", "Minors", ("minors.", "roster.children")),
    ("Les aides demandées", "Aid applied for", ("cnc.", "aid.")),
    ("L'écoproduction (bilans carbone, Ecoprod, AFNOR)", "Eco-production (carbon footprints, Ecoprod, AFNOR)",
     ("carbon.", "ecoprod.", "afnor.")),
    ("La prévention des violences et harcèlements (VHSS)", "Preventing violence and harassment (VHSS)", ("vhss.",)),
]
WIDTH = 100
ROSTER_NOTE = Bilingual("Liste de personnes, par référence interne (jamais un nom) : docs/ruleset-format.md §6.1.",
                        "A list of people by internal reference (never a name): docs/ruleset-format.md §6.1.")


def group_of(name: str) -> int:
    for i, (_, _, prefixes) in enumerate(GROUPS):
        if name.startswith(prefixes):
            return i
    return len(GROUPS)


def _comment(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(text, WIDTH - len(indent) - 2, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}# ",
                         break_on_hyphens=False)


def fact_lines(name: str, fact: FactDef, value: object = None, lang: str = "fr") -> list[str]:
    """A fact as the template writes it: its title, help, unit and expected form in comments, then
    `name: value` (null: unknown)."""
    title = fact.title.get(lang)
    unit = f" ({fact.unit})" if fact.unit else ""
    lines = _comment(f"{title}{unit}")
    if fact.help:
        lines += _comment(fact.help.get(lang))
    form = expected(fact)
    if fact.type == "collection":
        lines += _comment(in_language(ROSTER_NOTE, lang))
    else:
        lines += _comment(("Réponse : " if lang == "fr" else "Answer: ") + in_language(form, lang))
    shown = "null" if value is None else value if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9_]*", value) \
        else json.dumps(value, ensure_ascii=False)
    lines.append(f"  {name}: {shown}")
    return lines


def template(engine: Engine, work_type: str, genre: str | None, production_id: str, title: str, as_of: dt.date,
             lang: str = "fr") -> str:
    """The commented dossier: the facts that apply to this kind of work (engine/questions.py
    `applicable_facts`), grouped, every one null but the type and genre given."""
    known = {"work.type": work_type} | ({"work.genre": genre} if genre else {})
    head = "format: raccord.dossier/1\nproduction: {id: x, title: x}\nfacts: " + json.dumps(known) + "\n"
    seed = engine.dossier_from_text(head, "init.yaml")
    names = engine.applicable_facts(seed, as_of)
    catalogue = engine.library.catalogue
    type_title = work_type.replace("_", " ")
    fr = lang == "fr"
    lines = [
        f"# Dossier raccord : {type_title}" + (f", {genre}" if genre else ""),
        *_comment(("Écrit par `raccord init`. Chaque fait vaut null (inconnu) tant que vous ne le donnez pas : un fait "
                   "inconnu n'est jamais compté comme faux. Remplacez null par la valeur, ou lancez `raccord interview "
                   "DOSSIER` qui ne pose que les questions dont la réponse peut changer une décision. Valeurs acceptées : "
                   "oui / non, 02/03/2026, 3 200 000, 3,5, Île-de-France, long-métrage. Laissez null ce qui n'est pas "
                   "encore fait (false veut dire « ne sera pas fait »).") if fr else
                  ("Written by `raccord init`. Every fact is null (unknown) until you give it: an unknown fact is never "
                   "counted as false. Replace null by the value, or run `raccord interview DOSSIER`, which asks only the "
                   "questions whose answer can change a decision. Leave null what is not done yet (false means "
                   "« will not be done »)."), indent=""),
        f"# {len(names)} faits sur {len(catalogue)} s'appliquent à ce type d'œuvre." if fr else
        f"# {len(names)} facts of {len(catalogue)} apply to this kind of work.",
        "format: raccord.dossier/1",
        "production:",
        *_comment("Identifiant : minuscules, chiffres et tirets, par exemple la-nuit-des-lucioles" if fr else
                  "Id: lowercase letters, digits and hyphens, e.g. la-nuit-des-lucioles"),
        f"  id: {production_id}",
        f"  title: {json.dumps(title, ensure_ascii=False)}",
        "  company: null",
        "facts:",
    ]
    by_group: dict[int, list[str]] = {}
    for name in names:
        by_group.setdefault(group_of(name), []).append(name)
    for index in sorted(by_group):
        group_title = GROUPS[index][0 if fr else 1] if index < len(GROUPS) else ("Autres faits" if fr else "Other facts")
        lines += ["", f"  # ── {group_title} " + "─" * max(3, WIDTH - 10 - len(group_title))]
        for name in by_group[index]:
            lines += fact_lines(name, catalogue[name], known.get(name), lang)
    lines += ["", *_comment("Les preuves : `raccord evidence add DOSSIER FICHIER --kind NATURE`" if fr else
                            "Evidence: `raccord evidence add DOSSIER FILE --kind KIND`", indent=""),
              "evidence: []", ""]
    return "\n".join(lines)


def register(group: click.Group) -> None:
    @group.command("init", help=bi(
        "Écrire un nouveau dossier commenté en français, avec les seuls faits qui s'appliquent à ce type d'œuvre, "
        "tous inconnus (null) : à remplir à la main ou avec `raccord interview`.",
        "Write a new dossier, commented, with only the facts that apply to this kind of work, all unknown (null): "
        "fill it in by hand or with `raccord interview`."))
    @click.option("--type", "work_type", default="long_metrage", show_default=True, metavar="TYPE",
                  help=bi("Type d'œuvre : long_metrage, court_metrage, serie, unitaire, film_publicitaire, "
                          "programme_de_flux, clip.",
                          "Kind of work: long_metrage, court_metrage, serie, unitaire, film_publicitaire, "
                          "programme_de_flux, clip."))
    @click.option("--genre", metavar="GENRE", help=bi("Genre : fiction, documentaire, animation, publicite, flux.",
                                                      "Genre: fiction, documentaire, animation, publicite, flux."))
    @click.option("--id", "production_id", default="ma-production", show_default=True, metavar="ID",
                  help=bi("Identifiant de la production (minuscules, chiffres, tirets).",
                          "Production id (lowercase letters, digits, hyphens)."))
    @click.option("--title", default="Ma production", show_default=True, metavar=bi("TITRE", "TITLE"),
                  help=bi("Titre de l'œuvre.", "Title of the work."))
    @click.option("-o", "--output", metavar=bi("FICHIER", "FILE"),
                  help=bi("Écrire le dossier dans FICHIER (sinon : à l'écran).", "Write the dossier to FILE (else: on screen)."))
    @click.option("--force", is_flag=True, help=bi("Remplacer FICHIER s'il existe.", "Replace FILE if it exists."))
    @common_lang
    @library_options
    def init(work_type, genre, production_id, title, output, force, lang, rulesets_dir, ruleset_files):
        from .context import library_from

        engine = Engine(library_from(rulesets_dir, ruleset_files))
        work_type = engine.fact_value("work.type", work_type, "--type")
        genre = engine.fact_value("work.genre", genre, "--genre") if genre else None
        text = template(engine, work_type, genre, production_id, title, dt.date.today(), lang)
        engine.dossier_from_text(text, output or "dossier.yaml")  # the file loads: an id refused says so here
        if not output:
            click.echo(text, nl=False)
            return
        path = Path(output)
        if path.exists() and not force:
            raise InputError(output, Bilingual("le fichier existe déjà", "the file already exists"),
                             Bilingual("choisissez un autre nom, ou --force pour le remplacer",
                                       "choose another name, or --force to replace it"))
        write_atomic(path, text)
        click.echo(f"{output} : {'dossier écrit' if lang == 'fr' else 'dossier written'}", err=True)
