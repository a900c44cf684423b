"""Shared CLI plumbing: loading the library and dossiers, evaluating, the date option."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from raccord import __version__
from raccord.engine import Dossier, Evaluation, InputError, Library, evaluate, load_dossier, load_library
from raccord.engine.errors import Bilingual
from raccord.engine.ranges import check_as_of
from raccord.engine.report import result_document

from .entry import inputs_loaded
from .language import LANG_HELP, LANGS, bi, current_lang

EXIT_OK = 0
EXIT_INVALID_INPUT = 2
EXIT_VERIFY_FAILED = 3
EXIT_NOT_ELIGIBLE = 4
EXIT_UNDETERMINED = 5
EXIT_INTERNAL = 70


def parse_date(value: str | None, option: str = "--as-of") -> dt.date:
    if value is None:
        return dt.date.today()  # the CLI reads the clock, the engine never does
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(option, Bilingual(f"« {value} » n'est pas une date", f"'{value}' is not a date"),
                         Bilingual("écrivez-la AAAA-MM-JJ, par exemple 2026-03-02", "write it YYYY-MM-DD")) from None
    check_as_of(day, option)
    return day


def library_from(rulesets_dir: str | None, ruleset_files: tuple[str, ...]) -> Library:
    if rulesets_dir is not None and not Path(rulesets_dir).is_dir():
        raise InputError("--rulesets-dir", Bilingual(f"dossier introuvable : {rulesets_dir!r}",
                                                     f"folder not found: {rulesets_dir!r}"),
                         Bilingual("donnez un dossier qui contient facts.yaml et un sous-dossier par référentiel",
                                   "give a folder holding facts.yaml and one subfolder per ruleset"))
    return load_library(Path(rulesets_dir) if rulesets_dir else None, [Path(p) for p in ruleset_files])


DOSSIER_SUFFIXES = (".yaml", ".yml", ".json")
PORTFOLIO_HINT = Bilingual("un dossier ne désigne que des fichiers de son propre dossier ; pour une autre production, "
                           "donnez-la en ligne de commande (--portfolio CHEMIN)",
                           "a dossier names only files of its own folder; for another production, give it on the "
                           "command line (--portfolio PATH)")


def portfolio_paths(dossier: Dossier, extra: tuple[str, ...]) -> list[Path] | None:
    """The other dossiers of a company-wide evaluation. Those the dossier names (`portfolio:`) are
    confined to its folder like its evidence: a dossier received from someone else must not make
    raccord open `/etc/passwd` or a device. Those given with `--portfolio` are the user's own choice.
    A file not found is reported where it was named."""
    from .integrity import Confinement

    out: list[Path] = []
    if dossier.file.portfolio:
        folder = Confinement(dossier.base_dir)
        for i, entry in enumerate(dossier.file.portfolio):
            where = dossier.located.where(("portfolio", i))
            try:
                target = Path(folder.resolve(entry))
            except ValueError:
                raise InputError(where, Bilingual(f"l'entrée de portefeuille {entry!r} sort du dossier de la production",
                                                  f"portfolio entry {entry!r} leaves the production's folder"),
                                 PORTFOLIO_HINT) from None
            out += _dossier_files(target, where, entry)
    for entry in extra:
        out += _dossier_files(Path(entry), "--portfolio", entry)
    main = dossier.path.resolve() if dossier.path else None
    out = [p for p in out if p.resolve() != main]
    return out if (extra or dossier.file.portfolio) else None


def _dossier_files(path: Path, where: str, entry: str) -> list[Path]:
    """A dossier file, or the dossier files of a folder (a pipe or a device is refused when read)."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in DOSSIER_SUFFIXES and not p.is_dir())
    if not os.path.lexists(path):
        raise InputError(where, Bilingual(f"fichier introuvable : {entry!r}", f"file not found: {entry!r}"),
                         Bilingual("vérifiez le chemin", "check the path"))
    return [path]


def run_evaluation(library: Library, dossier_path: str, as_of: str | None, rulesets: tuple[str, ...],
                   portfolio: tuple[str, ...] = (), assume: dict[str, str] | None = None,
                   check_files: bool = True) -> Evaluation:
    """Load and evaluate a dossier. An evidence file that is missing, modified since it was registered
    or outside the dossier folder does not count (cli/integrity.py); `check_files=False` skips that."""
    from .integrity import compute_integrity

    bundle = None
    if str(dossier_path).lower().endswith(".zip"):  # an audit bundle: verified, read in a temporary folder
        from .bundle_check import opened_bundle

        bundle = opened_bundle(Path(dossier_path))
        dossier_path, as_of, rulesets = bundle["dossier"], as_of or bundle["as_of"], rulesets or bundle["selection"]
    dossier = reviewed(library, load_dossier(Path(dossier_path), library.catalogue))
    if bundle:
        _BUNDLES[str(dossier.path)] = bundle
    show_warnings(dossier)
    others = portfolio_paths(dossier, portfolio)
    members = [load_dossier(p, library.catalogue) for p in others] if others is not None else None
    integrity = compute_integrity(dossier) if check_files else None
    # A member's evidence counts towards a company-wide level only if its files check out too.
    member_integrity = [compute_integrity(m) for m in members] if check_files and members else None
    inputs_loaded()
    return evaluate(library, dossier, parse_date(as_of), list(rulesets) or None, members, assume=assume,
                    integrity=integrity, portfolio_integrity=member_integrity)


def reviewed(library: Library, dossier: Dossier) -> Dossier:
    """The dossier with the auditor's file beside it applied (engine/review.py), if there is one."""
    from raccord.engine import review

    path = review.audit_path(dossier.path) if dossier.path else None
    audit = review.load_audit(path) if path is not None else None
    if audit is None:
        return dossier
    review.check_audit(audit, dossier, library.criteria)
    return review.with_reviews(dossier, audit)


_BUNDLES: dict[str, dict] = {}  # dossier path in its temporary folder -> the bundle it came from


def show_warnings(dossier: Dossier) -> None:
    """The dossier's suspicious combinations of facts (engine/consistency.py), on stderr."""
    if not dossier.warnings:
        return
    try:
        from .language import current_lang

        lang = current_lang()
    except ImportError:  # before the language module
        import os

        lang = "en" if os.environ.get("RACCORD_LANG") == "en" else "fr"
    for warning in dossier.warnings:
        click.echo(("raccord: warning: " if lang == "en" else "raccord : attention : ") + warning.render(lang), err=True)


def document(evaluation: Evaluation, complete: bool = True, explained: int | None = None) -> dict:
    """The result document, with the validated figures (only evidence the auditor accepted) beside
    the declared ones; `complete`, `explained`: see report.result_document."""
    from raccord.engine import review

    doc = review.add_validated(result_document(evaluation, __version__, complete, explained), evaluation,
                               review.validated(evaluation))
    bundle = _BUNDLES.get(str(evaluation.dossier.path))
    if bundle:  # the dossier's path inside the bundle, as in its evaluation.json, and the bundle's own fields
        from .bundle_check import paths_in_bundle

        paths_in_bundle(doc, bundle["path"])
        doc["bundle"] = bundle["fields"]
    return doc


common_as_of = click.option("--as-of", "as_of", metavar="DATE",
                            help=bi("Date d'évaluation AAAA-MM-JJ (par défaut : aujourd'hui).",
                                    "Evaluation date YYYY-MM-DD (default: today)."))
common_lang = click.option("--lang", type=click.Choice(LANGS), default=current_lang, show_default=False, help=LANG_HELP)
common_rulesets = click.option("--ruleset", "rulesets", multiple=True, metavar="ID",
                               help=bi("N'évaluer que ce référentiel (répétable ; ses dépendances sont évaluées aussi).",
                                       "Evaluate only this ruleset (repeatable; dependencies are evaluated too)."))
common_library = [
    click.option("--rulesets-dir", metavar=bi("RÉPERTOIRE", "DIR"),
                 help=bi("Dossier de référentiels à utiliser à la place de ceux fournis.",
                         "Folder of rulesets to use instead of the bundled ones.")),
    click.option("--ruleset-file", "ruleset_files", multiple=True, metavar=bi("FICHIER", "FILE"),
                 help=bi("Un fichier de référentiel qui remplace celui de même id fourni (par exemple une grille importée).",
                         "A ruleset file that replaces the bundled ruleset of the same id (e.g. an imported grid).")),
]
output_option = click.option("-o", "--output", metavar=bi("FICHIER", "FILE"),
                             help=bi("Écrire dans FICHIER (atomiquement) au lieu de la sortie standard.",
                                     "Write to FILE (atomically) instead of standard output."))


def library_options(func):
    for option in reversed(common_library):
        func = option(func)
    return func
