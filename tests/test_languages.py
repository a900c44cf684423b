"""Every command speaks French by default and English with `--lang en` or RACCORD_LANG=en: its
`--help`, and its errors (an unknown option, a missing argument, a bad date once the dossier is
read). The commands are discovered from the group, so a command added later is covered too.

The check is a heuristic that can fail: the French output must contain none of a list of common
English words, and the English output no French word nor accented letter, once identifiers
(options, metavars in capitals, code-like tokens, quoted values, file paths) are set aside."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from raccord.cli.language import current_lang
from raccord.cli.main import cli, error_line
from raccord.engine import InputError


def wordset(text: str) -> set[str]:
    return set(text.split())


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "long_metrage" / "dossier.yaml"

ENGLISH = wordset("""
the and with of to for from is are be been not this that these those only when which without default
file files write writes show shows list lists evaluate error errors usage missing invalid such help exit
message value values try did you your mean its it each every by at on in as if instead also then
than what where who how bundle dossiers ruleset rulesets folder folders criterion criteria evidence
kind date dates today whose other same given give check checks verify import export grid grids
status statuses item items level levels score threshold aid schemes scheme plan target treat met
unknown option command commands argument arguments required choose one more most least none yes no
""")
ENGLISH -= {"dossier", "dossiers", "option", "options", "argument", "arguments", "plan", "date", "dates", "score", "grid"}
FRENCH = wordset("""
le la les des du une et est sont pour avec sans dans sur aux au ce cette ces qui que ou où par pas
fichier fichiers référentiel référentiels critère critères preuve preuves aide aides
écrire afficher lister valider vérifier évaluer erreur utilisation commande commandes inconnue
manquant manquante défaut aujourd'hui obligatoire seulement aussi chaque
""")

IDENTIFIER = re.compile(
    r"--?[\w-]+"  # options
    r"|\[[^\]]*\]"  # choices and [défaut : text]
    r"|'[^']*'|\"[^\"]*\"|“[^”]*”"  # quoted values
    r"|\S*[/_.:=<>@]\S*"  # paths, dotted ids, id=value, <placeholders>
    r"|\b[A-Z][A-Z0-9ÉÈÀÔ_\-\[\],.]+\b"  # metavars and acronyms (FICHIER, ID, VHSS, CNC)
    r"|\b[A-Z]+-[A-Z0-9-]+\b"  # criterion ids
    r"|\braccord\b"
)


def commands(group: click.Group = cli, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    ctx = click.Context(group)
    found = [path]
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found += commands(command, (*path, name))
        else:
            found.append((*path, name))
    return found


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        command = command.get_command(click.Context(command), name)  # type: ignore[attr-defined]
    return command


def words(output: str) -> list[str]:
    prose = IDENTIFIER.sub(" ", output)
    prose = re.sub(r"(?m)^  (\S+)  ", " ", prose)  # the command names of a group's list
    return [w for w in re.findall(r"[A-Za-zÀ-ÿœ']+", prose) if w not in COMMAND_NAMES]


def english_words(output: str) -> list[str]:
    return sorted({w for w in words(output) if w.lower() in ENGLISH})


def french_words(output: str) -> list[str]:
    return sorted({w for w in words(output)
                   if w.lower() in FRENCH or re.search(r"[éèêàçùôîœ«»]", w.lower())})


def run(args: list[str], env: dict[str, str] | None = None) -> str:
    """The command's output and errors, as `raccord` prints them (main() shows an InputError)."""
    result = CliRunner().invoke(cli, args, env={"RACCORD_LANG": "", **(env or {})})
    shown = result.output
    if isinstance(result.exception, InputError):
        shown += error_line(result.exception, current_lang())
    else:
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return shown


ALL = commands()
COMMAND_NAMES = {name for path in ALL for name in path}


def test_the_commands_are_discovered():
    names = {" ".join(p) for p in ALL}
    assert {"check", "validate", "evidence add", "rulesets show", "plan"} <= names
    assert len(ALL) > 15


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p) or "raccord")
def test_help_in_each_language(path):
    french = run([*path, "--help"])
    assert "Utilisation :" in french and "Afficher cette aide et quitter." in french, french
    assert english_words(french) == [], french
    for english in (run([*path, "--help", "--lang", "en"]), run([*path, "--help"], {"RACCORD_LANG": "en"})):
        assert "Usage:" in english and "Show this message and exit." in english, english
        assert french_words(english) == [], english


@pytest.mark.parametrize("path", [p for p in ALL if p], ids=" ".join)
def test_usage_errors_in_each_language(path):
    french = run([*path, "--no-such-option"])
    assert "Erreur : Option inconnue" in french, french
    english = run([*path, "--no-such-option", "--lang", "en"])
    assert "Error: No such option" in english, english
    assert english_words(french) == [] and french_words(english) == [], (french, english)


def required_arguments(path: tuple[str, ...]) -> list[click.Argument]:
    return [p for p in command_at(path).params if isinstance(p, click.Argument) and p.required]


@pytest.mark.parametrize("path", [p for p in ALL if p and required_arguments(p)], ids=" ".join)
def test_missing_argument_in_each_language(path):
    french = run([*path])
    english = run([*path, "--lang", "en"])
    assert "Erreur : Argument manquant" in french or "Erreur : Option manquante" in french, french
    assert "Error: Missing argument" in english or "Error: Missing option" in english, english
    assert english_words(french) == [] and french_words(english) == [], (french, english)


# Realistic values for the required options of commands that read a dossier and a date.
ROOT = EXAMPLE.parent.parent.parent
REQUIRED = {"target": ["--target", "afnor_spec_2308:2"], "out": ["--out", "{tmp}/audit.zip"],
            "mapping_file": ["--mapping", str(ROOT / "rulesets" / "afnor_spec_2308" / "migration.yaml")],
            "output": ["-o", "{tmp}/out.yaml"]}
ARGUMENTS = {"criterion_id": "AFN-GOV-01", "sheet": "{tmp}/actions.xlsx"}


def dated_commands() -> list[tuple[str, ...]]:
    return [p for p in ALL if p and any(q.name == "as_of" for q in command_at(p).params)
            and any(a.name == "dossier" for a in required_arguments(p))]


@pytest.mark.parametrize("path", dated_commands(), ids=" ".join)
def test_a_bad_date_in_each_language(path, tmp_path):
    positional: list[str] = []
    extra: list[str] = []
    for param in command_at(path).params:
        if isinstance(param, click.Argument):
            if param.name == "dossier":
                positional.append(str(EXAMPLE))
                continue
            assert param.name in ARGUMENTS, f"add a realistic value for {param.name} of {' '.join(path)} to ARGUMENTS"
            positional.append(ARGUMENTS[param.name].format(tmp=tmp_path))
        if isinstance(param, click.Option) and param.required:
            assert param.name in REQUIRED, f"add a realistic value for {param.name} of {' '.join(path)} to REQUIRED"
            extra += [v.format(tmp=tmp_path) for v in REQUIRED[param.name]]
    args = [*path, *positional, *extra, "--as-of", "2026-02-30"]
    french = run(args)
    english = run(args, {"RACCORD_LANG": "en"})
    assert "« 2026-02-30 » n'est pas une date" in french and "AAAA-MM-JJ" in french, french
    assert "'2026-02-30' is not a date" in english, english
    assert english_words(french) == [] and french_words(english) == [], (french, english)


def test_the_heuristic_can_fail():
    assert english_words("Show this message and exit.") and french_words("Afficher cette aide et quitter.")
    assert english_words("--as-of DATE  Date d'évaluation AAAA-MM-JJ (défaut : text)") == []


def bad_input_args(path: tuple[str, ...], tmp_path) -> list[str]:
    """The command with a file that does not exist for its first argument (realistic values for the
    others and for its required options): the first failing input a user meets."""
    args: list[str] = []
    first = True
    for param in command_at(path).params:
        if isinstance(param, click.Argument) and param.required:
            if first:
                args.append(str(tmp_path / "absent" / "dossier.yaml"))
                first = False
            elif param.name == "dossier":
                args.append(str(EXAMPLE))
            else:
                args.append(ARGUMENTS.get(param.name, "{tmp}/x").format(tmp=tmp_path))
        if isinstance(param, click.Option) and param.required:
            args += [v.format(tmp=tmp_path) for v in REQUIRED.get(param.name, [f"--{param.name}", "x"])]
    return [*path, *args]


@pytest.mark.parametrize("path", [p for p in ALL if p and required_arguments(p)], ids=" ".join)
def test_a_missing_file_in_each_language(path, tmp_path):
    """Every command given a file that does not exist answers in the user's language (issue 16:
    « a failing input per command in both languages »)."""
    args = bad_input_args(path, tmp_path)
    french = run(args)
    english = run(args, {"RACCORD_LANG": "en"})
    assert french.strip() and english.strip()
    assert english_words(french) == [], french
    assert french_words(english) == [], english
