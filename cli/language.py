"""The language of the command line: French by default, English with `--lang en` or `RACCORD_LANG=en`.

Click prints `--help` and usage errors before a command runs, so the language is read from the
arguments (a pre-parse of `--lang`) and the environment when the group starts (`start`), and the
help is translated when it is formatted:

- help texts, epilogs and metavars are written in French; their English is registered with
  `bi(fr, en)`, which returns the French (so `help=bi("Écrire dans FICHIER.", "Write to FILE.")`
  works in any click decorator, and `bi(docstring, english)` translates a docstring);
- `LangCommand` / `LangGroup` (the classes the `raccord` group gives its commands and sub-groups)
  show every registered text in the current language, and give every command a `--lang` option;
- click's own words (« Usage: », « Options », « Show this message and exit. », « No such
  option »...) go through click's gettext calls, which `install()` points at `CLICK_FR`.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import click

LANGS = ("fr", "en")
_current: str | None = None
_TO_EN: dict[str, str] = {}  # French text (cleaned) -> English
_TO_FR: dict[str, str] = {}  # English text -> French (click's own words, texts shown before a language was known)


def bi(fr: str, en: str) -> str:
    """Register the English of a French help text, metavar or docstring; returns the French."""
    fr_clean, en_clean = inspect.cleandoc(fr), inspect.cleandoc(en)
    _TO_EN[fr_clean] = en_clean
    _TO_FR[en_clean] = fr_clean
    return fr


def known(source: str, fr: str, en: str) -> None:
    """Translate a text written elsewhere in neither language alone (a French docstring with an
    English paragraph): shown as `fr` in French and `en` in English."""
    clean = inspect.cleandoc(source)
    _TO_FR[clean] = inspect.cleandoc(fr)
    _TO_EN[clean] = inspect.cleandoc(en)
    bi(fr, en)


def localized(text: str | None, lang: str | None = None) -> str | None:
    """A registered text in `lang` (the current language by default); any other text unchanged."""
    if not text:
        return text
    lang = lang or current_lang()
    clean = inspect.cleandoc(text)
    table = _TO_EN if lang == "en" else _TO_FR
    return table.get(clean, text)


def env_lang() -> str:
    value = os.environ.get("RACCORD_LANG", "").strip().lower()[:2]
    return value if value in LANGS else "fr"


def argv_lang(args: Sequence[str]) -> str | None:
    """The value of the last `--lang X` / `--lang=X` before a `--`, if it is a known language."""
    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith("--lang="):
            found = arg.split("=", 1)[1]
    return found if found in LANGS else None


def start(args: Sequence[str] | None) -> str:
    """Fix the language of this run from its arguments, else RACCORD_LANG, else French."""
    global _current
    _current = argv_lang(list(sys.argv[1:] if args is None else args)) or env_lang()
    return _current


def current_lang() -> str:
    return _current or env_lang()


# -- click's own words -----------------------------------------------------------------------------

CLICK_FR: dict[str, str] = {
    "Usage:": "Utilisation :",
    "Options": "Options ",  # click adds the colon of a heading: « Options : »
    "Commands": "Commandes ",
    "Positional arguments": "Arguments ",
    "Show this message and exit.": "Afficher cette aide et quitter.",
    "Show the version and exit.": "Afficher la version et quitter.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Essayez « {command} {option} » pour l'aide.",
    "No such option {name!r}.": "Option inconnue : {name!r}.",
    "No such option: {name}": "Option inconnue : {name}",
    "No such command {name!r}.": "Commande inconnue : {name!r}.",
    "Did you mean {possibility}?": "Vouliez-vous dire {possibility} ?",
    "(Did you mean one of: {possibilities}?)": "(Vouliez-vous dire l'une de celles-ci : {possibilities} ?)",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Missing {param_type}": "{param_type} manquant",
    "Missing {param_type} {param_hint}.": "{param_type} manquant : {param_hint}.",
    "Missing command.": "Commande manquante.",
    "argument": "Argument",
    "option": "Option",
    "parameter": "Paramètre",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Option {name!r} does not take a value.": "L'option {name!r} ne prend pas de valeur.",
    "Option {name!r} requires an argument.": "L'option {name!r} demande une valeur.",
    "Option {name!r} requires {nargs} arguments.": "L'option {name!r} demande {nargs} valeurs.",
    "Got unexpected extra argument ({args})": "Argument en trop : {args}",
    "Got unexpected extra arguments ({args})": "Arguments en trop : {args}",
    "{value!r} is not {choice}.": "{value!r} n'est pas {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} n'est pas l'une des valeurs {choices}.",
    "{value!r} is not a valid {number_type}.": "{value!r} n'est pas un {number_type} valide.",
    "integer": "nombre entier",
    "float": "nombre",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    # click names the path's kind at import time ("file"...), before the language is known: not used
    "{name} {filename!r} does not exist.": "introuvable : {filename!r}.",
    "{name} {filename!r} is a directory.": "{filename!r} est un dossier.",
    "{name} {filename!r} is a file.": "{filename!r} est un fichier.",
    "{name} {filename!r} is not readable.": "{filename!r} n'est pas lisible.",
    "{name} {filename!r} is not writable.": "{filename!r} n'est pas accessible en écriture.",
    "Could not open file {filename!r}: {message}": "Impossible d'ouvrir le fichier {filename!r} : {message}",
    "default: {default}": "défaut : {default}",
    "required": "obligatoire",
    "env var: {var}": "variable d'environnement : {var}",
    "(dynamic)": "(selon le contexte)",
    "deprecated": "obsolète",
    "Aborted!": "Interrompu.",
    "Do you want to continue?": "Voulez-vous continuer ?",
    "Confirm the action without prompting.": "Confirmer sans poser la question.",
    "Repeat for confirmation": "Répétez pour confirmer",
    "Error: The two entered values do not match.": "Erreur : les deux valeurs saisies diffèrent.",
    "Error: invalid input": "Erreur : saisie invalide",
    "Value must be an iterable.": "La valeur doit être une liste.",
    "Choose from:\n\t{choices}": "Choisissez parmi :\n\t{choices}",
    "unknown error": "erreur inconnue",
}


def _gettext(message: str) -> str:
    return CLICK_FR.get(message, message) if current_lang() == "fr" else message


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


def install() -> None:
    """Point click's gettext calls at CLICK_FR (once; click reads its module-level `_` at call time)."""
    for name in ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils"):
        module = sys.modules.get(f"click.{name}")
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = _gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext
    for english, french in CLICK_FR.items():
        _TO_FR.setdefault(english, french)
        _TO_EN.setdefault(french, english)


# -- commands and groups that show their help in the current language -------------------------------

_SWAPPED = ("help", "short_help", "epilog", "options_metavar", "subcommand_metavar")


@contextlib.contextmanager
def in_language(command: click.Command, ctx: click.Context | None = None) -> Iterator[None]:
    """Show `command` (its texts, its parameters' help and metavars) in the current language while
    the block runs; the originals are restored after, so the next run may use the other language."""
    saved: list[tuple[Any, str, Any]] = []

    def swap(obj: Any, attr: str) -> None:
        value = getattr(obj, attr, None)
        if isinstance(value, str):
            shown = localized(value)
            if shown != value:
                saved.append((obj, attr, value))
                setattr(obj, attr, shown)

    for attr in _SWAPPED:
        swap(command, attr)
    params = command.get_params(ctx) if ctx is not None else command.params
    for param in params:
        swap(param, "help")
        swap(param, "metavar")
        if isinstance(param, click.Argument) and param.metavar is None and param.name:
            shown = localized(param.name.upper())  # click shows an argument by its name: FILE
            if shown != param.name.upper():
                saved.append((param, "metavar", None))
                param.metavar = shown
    try:
        yield
    finally:
        for obj, attr, value in reversed(saved):
            setattr(obj, attr, value)


def lang_option(expose: bool) -> click.Option:
    return click.Option(["--lang"], type=click.Choice(LANGS), default=current_lang, show_default=False,
                        expose_value=expose, is_eager=True, help=LANG_HELP)


LANG_HELP = bi("Langue de la sortie : fr (par défaut) ou en ; aussi RACCORD_LANG=en.",
               "Language of the output: fr (default) or en; also RACCORD_LANG=en.")
bi("[OPTIONS]", "[OPTIONS]")
bi("COMMANDE [ARGUMENTS]...", "COMMAND [ARGS]...")


class LangCommand(click.Command):
    """A command whose help follows the language of the run, and that always accepts `--lang`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not any(p.name == "lang" for p in self.params):
            self.params.append(lang_option(expose=False))

    def get_help(self, ctx: click.Context) -> str:
        with in_language(self, ctx):
            return super().get_help(ctx)

    def get_usage(self, ctx: click.Context) -> str:
        with in_language(self, ctx):
            return super().get_usage(ctx)

    def get_short_help_str(self, limit: int = 45) -> str:
        with in_language(self):
            return super().get_short_help_str(limit)


class LangGroup(LangCommand, click.Group):
    """A group of LangCommands (its sub-groups are LangGroups too)."""

    command_class = LangCommand
    group_class = type

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "COMMANDE [ARGUMENTS]...")
        super().__init__(*args, **kwargs)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        super().add_command(adopt(cmd), name)


def adopt(command: click.Command) -> click.Command:
    """A command made with plain `@click.command` / `@click.group` and added to a LangGroup becomes
    a LangCommand / LangGroup (same attributes, so the class can change in place), sub-commands too."""
    if isinstance(command, LangCommand) or type(command) not in (click.Command, click.Group):
        return command
    if isinstance(command, click.Group):
        command.__class__ = LangGroup
        if command.subcommand_metavar == "COMMAND [ARGS]...":
            command.subcommand_metavar = "COMMANDE [ARGUMENTS]..."
        for sub in command.commands.values():
            adopt(sub)
    else:
        command.__class__ = LangCommand
    if not any(p.name == "lang" for p in command.params):
        command.params.append(lang_option(expose=False))
    return command


install()
