"""The `raccord` command line."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

from raccord import __version__
from raccord.engine import InputError
from raccord.engine.errors import Bilingual
from raccord.engine.source_files import load_document, track_inputs

from . import (
    help_texts,  # noqa: F401 (registers the English of older help texts)
    render_text,
)
from .context import (
    EXIT_INTERNAL,
    EXIT_INVALID_INPUT,
    EXIT_NOT_ELIGIBLE,
    EXIT_UNDETERMINED,
    common_as_of,
    common_lang,
    common_rulesets,
    document,
    library_from,
    library_options,
    output_option,
    run_evaluation,
    show_warnings,
)
from .i18n import count, t
from .language import LangGroup, bi, current_lang, localized, start
from .summary import fact_titles


class PluginGroup(LangGroup):
    """Commands living in `cli/commands_*.py` register themselves (one module per capability).
    They are imported only when a command not defined here is asked for, or the list is shown:
    `raccord check` does not pay for the HTML, spreadsheet or bundle code."""

    _loaded = False
    group_class = LangGroup  # its sub-groups do not load plugins

    def _load_plugins(self) -> None:
        if not self._loaded:
            self._loaded = True
            package = Path(__file__).parent
            import pkgutil  # only when a command is not a built-in one

            for info in pkgutil.iter_modules([str(package)]):
                if info.name.startswith("commands_"):
                    importlib.import_module(f"{__package__}.{info.name}").register(self)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None:
            self._load_plugins()
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugins()
        return super().list_commands(ctx)

    def main(self, args=None, *rest, **kwargs):  # click's signature
        start(args)  # the language of the run, before click parses anything (it may print help)
        return super().main(args, *rest, **kwargs)


@click.group(cls=PluginGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="raccord")
def cli() -> None:
    """raccord : où en est votre production face à ses référentiels (Ecoprod, AFNOR SPEC 2308, VHSS, aides CNC)."""
    track_inputs()  # an output is never written over one of this command's inputs (cli/output.py)


cli.help = bi("""raccord : où en est votre production face à ses référentiels (Ecoprod, AFNOR SPEC 2308, VHSS, aides CNC).

    Codes de sortie : 0 tout va bien ; 2 saisie invalide ; 3 vérification échouée ; 4 non éligible et
    5 indéterminé (seulement avec --exit-code) ; 70 erreur interne.
    """, """raccord: where your production stands against its referentials (Ecoprod, AFNOR SPEC 2308, VHSS, CNC aid).

    Exit codes: 0 ok; 2 invalid input; 3 verification failed; 4 not eligible and 5 undetermined
    (only with --exit-code); 70 internal error.
    """)


def emit(content: str, output: str | None) -> None:
    if output:
        from .output import write_atomic  # imported where used: most runs print

        write_atomic(Path(output), content)
    else:
        click.echo(content, nl=False)


def decision_exit_code(doc: dict) -> int:
    decisions = []
    for rs in doc["rulesets"]:
        outcome = rs["outcome"]
        decisions.append(outcome.get("decision"))
        decisions += [s["decision"] for s in outcome.get("schemes", {}).values()]
    if any(d in ("not_eligible", "not_compliant") for d in decisions):
        return EXIT_NOT_ELIGIBLE
    if "undetermined" in decisions:
        return EXIT_UNDETERMINED
    return 0


@cli.command(help=bi("Évaluer un dossier de production : décisions, scores, niveaux, éléments manquants.",
                    "Evaluate a production dossier: decisions, scores, levels, missing items."))
@click.argument("dossier", type=click.Path(dir_okay=False))
@common_rulesets
@common_as_of
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json", "html", "pdf"]), default="text", show_default=True)
@common_lang
@output_option
@click.option("-v", "--verbose", is_flag=True, help=bi("Lister chaque critère avec son statut (et les arbres complets).",
                                                       "List every criterion with its status (and the full trees)."))
@click.option("--portfolio", multiple=True, metavar=bi("CHEMIN", "PATH"),
              help=bi("Autres dossiers de la même société (fichiers ou dossiers), pour les niveaux d'entreprise.",
                      "Other dossiers of the same company (files or folders) for company-wide levels."))
@click.option("--exit-code", is_flag=True, help=bi("Sortir avec 4 si une décision est négative, 5 si elle est indéterminée.",
                                                   "Exit 4 when a decision is negative, 5 when undetermined."))
@library_options
def check(dossier, rulesets, as_of, fmt, lang, output, verbose, portfolio, exit_code, rulesets_dir, ruleset_files):
    library = library_from(rulesets_dir, ruleset_files)
    evaluation = run_evaluation(library, dossier, as_of, rulesets, portfolio)
    # the terminal report without --verbose shows the findings of its first missing items only
    explained = render_text.MISSING_LIMIT if fmt == "text" and not verbose else None
    doc = document(evaluation, complete=fmt in ("json", "html", "pdf"), explained=explained)
    if fmt == "json":
        import json  # imported where used: a text `raccord check` never loads it

        content = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    elif fmt == "md":
        from . import render_md

        content = render_md.render_check(doc, lang, aid_sentences(evaluation, lang), fact_titles(library, lang))
    elif fmt in ("html", "pdf"):
        from . import render_html

        content = render_html.render_for_check(evaluation, doc, lang, output)
        if fmt == "pdf":
            from .render_pdf import html_to_pdf

            content = html_to_pdf(content)
    else:
        content = render_text.render_check(doc, lang, verbose=verbose, why=aid_sentences(evaluation, lang),
                                           titles=fact_titles(library, lang))
    emit(content, output)
    if exit_code:
        sys.exit(decision_exit_code(doc))


@cli.command(help=bi("Expliquer un critère : l'arbre de conditions, les valeurs vues, les preuves, la source.",
                    "Explain a criterion: its condition tree, the values seen, the evidence, the source."))
@click.argument("dossier", type=click.Path(dir_okay=False))
@click.argument("criterion_id", metavar=bi("CRITÈRE", "CRITERION"))
@common_as_of
@common_lang
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--sources", is_flag=True, help=bi("Montrer aussi la provenance des mainteneurs (fichier source et lignes).",
                                                 "Also show the maintainers' provenance (seed file and lines)."))
@library_options
def explain(dossier, criterion_id, as_of, lang, fmt, sources, rulesets_dir, ruleset_files):
    import json  # imported where used: a text `raccord check` never loads it
    library = library_from(rulesets_dir, ruleset_files)
    if criterion_id not in library.criteria:
        from raccord.engine.suggest import suggested

        raise InputError(criterion_id, Bilingual("critère inconnu", "unknown criterion"),
                         suggested(criterion_id, library.criteria,
                                   Bilingual("`raccord rulesets show RÉFÉRENTIEL` liste ses critères",
                                             "`raccord rulesets show RULESET` lists its criteria")))
    rid = library.criteria[criterion_id].ruleset
    evaluation = run_evaluation(library, dossier, as_of, (rid,))
    from raccord.engine.report import explain_document

    doc = explain_document(evaluation, criterion_id)
    from raccord.engine import review

    validated = review.validated(evaluation).status(criterion_id)  # counting only the evidence the auditor accepted
    if validated != doc["status"]:
        doc["validated_status"] = validated
    seen = [*doc.get("evidence_used", []), *(p["id"] for p in doc.get("evidence_problems", []))]
    if findings := review.criterion_findings(evaluation.dossier, criterion_id, seen):  # the auditor's, on this criterion
        doc["findings"] = findings
    if fmt == "json":
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(f"{render_text.header(document_header(evaluation), lang)}\n")
        click.echo(render_text.render_explain(doc["trace"], doc, lang, sources=sources), nl=False)


def aid_sentences(evaluation, lang: str) -> dict[str, str]:
    """Per aid scheme of the evaluation, what blocks it in one sentence (none when no aid is evaluated)."""
    from raccord.engine.claims import eligibility_document

    from .aid_text import blocking_sentence

    if not any(evaluation.library.rulesets[rid].policy.makes_claims for rid in evaluation.selected):
        return {}
    doc = eligibility_document(evaluation, __version__)
    statuses = evaluation.ctx.statuses
    return {s["id"]: blocking_sentence(s, evaluation.library, statuses, lang) for s in doc["schemes"]}


def document_header(evaluation) -> dict:
    production = evaluation.dossier.file.production
    return {"dossier": {"title": production.title, "id": production.id}, "as_of": evaluation.as_of.isoformat()}


@cli.command(help=bi("Lister ce qui manque, les éléments bloquants d'abord.", "List what is missing, blocking items first."))
@click.argument("dossier", type=click.Path(dir_okay=False))
@common_rulesets
@common_as_of
@common_lang
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--limit", type=int, default=None, metavar="N", help=bi("Montrer au plus N éléments.", "Show at most N items."))
@click.option("--all", "show_all", is_flag=True,
              help=bi("Lister aussi les éléments qui ne peuvent plus changer une décision (recommandations…).",
                      "Also list items that can no longer change an outcome (recommendations...)."))
@library_options
def missing(dossier, rulesets, as_of, lang, fmt, limit, show_all, rulesets_dir, ruleset_files):
    import json  # imported where used: a text `raccord check` never loads it
    library = library_from(rulesets_dir, ruleset_files)
    evaluation = run_evaluation(library, dossier, as_of, rulesets)
    doc = document(evaluation)
    if show_all:
        from raccord.engine.report import missing_items

        doc["missing"] = missing_items(evaluation, {rs["id"]: rs for rs in doc["rulesets"]}, include_settled=True)
    if fmt == "json":
        click.echo(json.dumps({"as_of": doc["as_of"], "missing": doc["missing"]}, ensure_ascii=False, indent=2))
        return
    click.echo(render_text.header(doc, lang))
    click.echo("\n".join(render_text.missing_lines(doc["missing"], lang, limit, fact_titles(library, lang))
                          + render_text.awaiting_review_lines(doc, lang)))


@cli.group(invoke_without_command=True, help=bi("Lister les référentiels chargés.", "List the loaded referentials."))
@click.pass_context
@common_lang
@library_options
def rulesets(ctx, lang, rulesets_dir, ruleset_files):
    ctx.obj = (lang, rulesets_dir, ruleset_files)
    if ctx.invoked_subcommand:
        return
    library = library_from(rulesets_dir, ruleset_files)
    for rid, rs in library.rulesets.items():
        model = rs.model
        click.echo(f"{rid:<18} {model.version:<10} {model.policy.kind:<12} {len(model.criteria):>3} "
                   f"{model.title.get(lang)}")


@rulesets.command("show", help=bi("Détailler un référentiel : sources, groupes, critères avec provenance.",
                                   "Detail a referential: sources, groups, criteria with provenance."))
@click.argument("ruleset_id", metavar=bi("RÉFÉRENTIEL", "RULESET"))
@click.pass_obj
def rulesets_show(obj, ruleset_id):
    lang, rulesets_dir, ruleset_files = obj
    library = library_from(rulesets_dir, ruleset_files)
    if ruleset_id not in library.rulesets:
        known = ", ".join(library.rulesets)
        raise InputError(ruleset_id, Bilingual("référentiel inconnu", "unknown ruleset"),
                         Bilingual(f"référentiels connus : {known}", f"known: {known}"))
    model = library.rulesets[ruleset_id].model
    click.echo(f"{model.title.get(lang)} — {model.id} {model.version} ({model.policy.kind})")
    click.echo(f"valid_from: {model.valid_from or '-'}  valid_until: {model.valid_until or '-'}")
    from .citations import citation_text

    for doc in model.sources:  # the public citation (raccord explain --sources shows the seed files)
        click.echo(f"  source {doc.id}: {citation_text({'citation': doc.cite('')}, lang, with_url=True)}")
    for group in model.groups:
        click.echo(f"\n[{group.id}] {group.title.get(lang)}")
        for crit in model.criteria:
            if crit.group != group.id:
                continue
            extra = []
            if crit.mandatory:
                extra.append(t("mandatory_lower", lang))
            if crit.points is not None:
                extra.append(count(crit.points, "point", lang))
            if crit.level is not None:
                extra.append(f"{t('level_lower', lang)} {crit.level}")
            extra.append(crit.provenance)
            click.echo(f"  {crit.id:<20} {crit.title.get(lang)} ({', '.join(extra)})")


@cli.command(help=bi("Valider un fichier : référentiel, description de grille (grid.yaml), correspondance (migrate) ou dossier.",
                    "Validate a file: ruleset, grid description (grid.yaml), mapping (migrate) or dossier."))
@click.argument("file", type=click.Path(dir_okay=False), metavar=bi("FICHIER", "FILE"))
@library_options
def validate(file, rulesets_dir, ruleset_files):
    path = Path(file)
    located = load_document(path)
    data = located.data if isinstance(located.data, dict) else {}
    if data.get("format") == "raccord.grid/1":
        from .commands_grid import check_grid_file

        check_grid_file(file, library_from(rulesets_dir, ruleset_files))
        return
    if data.get("format") == "raccord.mapping/1":
        from .commands_migrate import check_mapping_file

        check_mapping_file(file, rulesets_dir, ruleset_files)
        return
    if "criteria" in data or "policy" in data:
        library = library_from(rulesets_dir, (*ruleset_files, file))
        rid = data.get("id")
        rs = library.rulesets.get(rid)
        n_criteria = len(rs.model.criteria) if rs else 0
        click.echo(VALIDATED_RULESET[current_lang()].format(file=file, rid=rid, n=n_criteria))
        return
    from raccord.engine import build_dossier
    from raccord.engine.evaluate import check_references

    library = library_from(rulesets_dir, ruleset_files)
    dossier = build_dossier(located, library.catalogue, path)
    check_references(library, dossier)
    show_warnings(dossier)
    lang = current_lang()
    n_evidence = len(dossier.file.evidence)
    if lang == "fr":
        click.echo(f"{file} : valide — dossier {dossier.label}, {count(len(dossier.facts), 'fact', lang)}, "
                   f"{count(n_evidence, 'evidence_item', lang)}")
    else:
        click.echo(f"{file}: ok — dossier {dossier.label}, {len(dossier.facts)} facts, {n_evidence} evidence items")


VALIDATED_RULESET = {"fr": "{file} : valide — référentiel {rid}, {n} critères", "en": "{file}: ok — ruleset {rid}, {n} criteria"}


@cli.command(help=bi("Afficher le JSON Schema des dossiers (complétion dans les éditeurs).",
                    "Print the JSON Schema of dossiers (completion in editors)."))
@click.option("-o", "--output", metavar=bi("FICHIER", "FILE"),
              help=bi("Écrire le schéma dans FICHIER.", "Write the schema to FILE."))
@library_options
def schema(output, rulesets_dir, ruleset_files):
    import json  # imported where used: a text `raccord check` never loads it
    library = library_from(rulesets_dir, ruleset_files)
    from .schema import dossier_schema

    emit(json.dumps(dossier_schema(library), ensure_ascii=False, indent=2) + "\n", output)


ERROR_PREFIX = {"fr": "raccord : erreur : ", "en": "raccord: error: "}


def error_line(exc: InputError, lang: str) -> str:
    """The error in the user's language; a message not yet translated keeps its English whole. A
    message the engine words in English (a ruleset file's, a --target's) gets its French from
    engine/messages_fr.py, at the same place."""
    if type(exc).render is InputError.render:  # not one that words itself (several problems at once)
        from raccord.engine.messages_fr import translated  # only when an error is shown

        exc = translated(exc)
    shown = lang if isinstance(exc.message, Bilingual) else "en"
    return ERROR_PREFIX[shown] + exc.render(shown)


def _param_name(param: click.Parameter | None, ctx: click.Context | None) -> str | None:
    """How the command line names a parameter: its longest option (`--format`), or an argument's metavar."""
    if param is None:
        return None
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return localized(param.metavar or (param.name or "").upper())


def _command_path(args: list[str]) -> str:
    """The command the arguments name (`raccord audit finding add`), for an error click raised
    without its context (an option missing its value)."""
    words, group = ["raccord"], cli
    ctx = click.Context(cli, info_name="raccord")
    for arg in args:
        if arg.startswith("-") or not isinstance(group, click.Group):
            continue
        command = group.get_command(ctx, arg)
        if command is None:
            break
        words.append(arg)
        group = command
    return " ".join(words)


def _sentence(message: str) -> str:
    """click's message as a part of our line: no capital, no full stop."""
    message = message.strip().rstrip(".")
    return message[:1].lower() + message[1:]


def usage_error(exc: click.ClickException) -> InputError:
    """A click error (unknown option, missing argument, bad option value...) as one located line like
    every other error: where the command line is at fault (the option or argument, else the command)
    and, as the hint, where to read the command's usage. click's own message is already in the run's
    language (cli/language.py points its gettext at French)."""
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else _command_path(sys.argv[1:])
    usage = Bilingual(f"« {command} --help » montre son utilisation", f"'{command} --help' shows its usage")
    if isinstance(exc, click.exceptions.NoSuchOption):
        close = ", ".join(sorted(exc.possibilities or []))
        return InputError(exc.option_name, Bilingual(f"option inconnue de « {command} »", f"no such option for '{command}'"),
                          Bilingual(f"vouliez-vous dire {close} ? {usage.fr}", f"did you mean {close}? {usage.en}")
                          if close else usage)
    if isinstance(exc, click.exceptions.MissingParameter):
        name = _param_name(exc.param, ctx) or command
        if isinstance(exc.param, click.Option):
            return InputError(name, Bilingual(f"option obligatoire manquante de « {command} »",
                                              f"missing required option of '{command}'"), usage)
        return InputError(name, Bilingual(f"argument manquant de « {command} »", f"missing argument of '{command}'"), usage)
    if isinstance(exc, click.BadParameter):
        name = _param_name(exc.param, ctx) or command
        message = _sentence(exc.message)
        return InputError(name, Bilingual(f"valeur invalide : {message}", f"invalid value: {message}"), usage)
    if isinstance(exc, click.exceptions.BadOptionUsage):
        message = _sentence(exc.message)
        return InputError(exc.option_name, Bilingual(message, message), usage)
    if isinstance(exc, click.exceptions.FileError):
        message = _sentence(exc.message)
        return InputError(exc.ui_filename, Bilingual(message, message), usage)
    message = _sentence(exc.format_message())
    return InputError(command, Bilingual(message, message), usage if isinstance(exc, click.UsageError) else "")


def main() -> None:
    try:
        cli.main(prog_name="raccord", standalone_mode=False)
    except InputError as exc:
        click.echo(error_line(exc, current_lang()), err=True)
        sys.exit(EXIT_INVALID_INPUT)
    except click.exceptions.Abort:
        click.echo("raccord : interrompu" if current_lang() == "fr" else "raccord: aborted", err=True)
        sys.exit(EXIT_INVALID_INPUT)
    except click.exceptions.NoArgsIsHelpError as exc:  # `raccord` or a group alone: its help
        exc.show()
        sys.exit(EXIT_INVALID_INPUT)
    except click.ClickException as exc:
        click.echo(error_line(usage_error(exc), current_lang()), err=True)
        sys.exit(EXIT_INVALID_INPUT if exc.exit_code in (0, 1, 2) else exc.exit_code)
    except SystemExit:
        raise
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("RACCORD_DEBUG"):
            raise
        if current_lang() == "fr":
            click.echo(f"raccord : erreur interne : {type(exc).__name__} : {exc} (relancez avec RACCORD_DEBUG=1 pour le détail)",
                       err=True)
        else:
            click.echo(f"raccord: internal error: {type(exc).__name__}: {exc} (set RACCORD_DEBUG=1 for details)", err=True)
        sys.exit(EXIT_INTERNAL)
