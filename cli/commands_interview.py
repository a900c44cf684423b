"""`raccord interview DOSSIER`: a guided questionnaire in the terminal that asks only the next
question whose answer can change a decision (engine/questions.py), and writes each answer into
the dossier at once, atomically, keeping its comments and layout (cli/dossier_edit.py)."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import click

from raccord.engine import InputError
from raccord.engine.api import Engine
from raccord.engine.errors import Bilingual, in_language
from raccord.engine.fact_values import answer_error, expected, fold
from raccord.engine.questions import Question
from raccord.engine.source_files import read_text

from .context import common_as_of, common_lang, common_rulesets, library_from, library_options, parse_date
from .dossier_edit import set_facts
from .i18n import agreed
from .language import bi
from .output import write_atomic
from .yaml_edit import set_entries

DONT_KNOW = frozenset({"je_ne_sais_pas", "jsp", "ne_sais_pas", "sais_pas", "je_sais_pas", "inconnu", "passer", "?",
                       "dont_know", "i_don_t_know", "skip", "unknown"})
BACK = frozenset({"retour", "precedent", "back"})
STOP = frozenset({"stop", "quitter", "fin", "q", "quit"})

WORDS = {
    "question": Bilingual("Question {n}", "Question {n}"),
    "changes": Bilingual("Peut changer : {what}", "Can change: {what}"),
    "answer": Bilingual("Réponse : {form}", "Answer: {form}"),
    "keys": Bilingual("(« je ne sais pas » pour passer, « retour » pour revenir à la question précédente, « stop » pour "
                      "arrêter ; chaque réponse est enregistrée aussitôt)",
                      "(« je ne sais pas » / « I don't know » to skip, « retour » / « back » for the previous question, "
                      "« stop » to stop; each answer is saved at once)"),
    "together": Bilingual("À donner avec : {names}", "To give with: {names}"),
    "saved": Bilingual("  → enregistré : {name} = {value}", "  → saved: {name} = {value}"),
    "skipped": Bilingual("  → laissé inconnu", "  → left unknown"),
    "undone": Bilingual("  → réponse à « {name} » annulée", "  → answer to '{name}' undone"),
    "nothing_back": Bilingual("  → aucune réponse à annuler", "  → no answer to undo"),
    "again": Bilingual("  ✘ {error}", "  ✘ {error}"),
    "done": Bilingual("Plus aucune réponse ne peut changer une décision. {asked:question posée|questions posées}, "
                      "{answered:réponse enregistrée|réponses enregistrées} dans {file} ; le catalogue compte "
                      "{facts:fait|faits}.",
                      "No answer can change a decision any more. {asked:question|questions} asked, "
                      "{answered:answer|answers} saved in {file}; the catalogue has {facts:fact|facts}."),
    "left": Bilingual("Restent inconnus à votre demande : {names}.", "Left unknown as you asked: {names}."),
    "remembered": Bilingual("Non reposées (« je ne sais pas » déjà répondu, section `unanswered:` du dossier ; "
                            "--reask pour les reposer) : {names}.",
                            "Not asked again (« I don't know » answered before, the dossier's `unanswered:` section; "
                            "--reask asks them again): {names}."),
    "stopped": Bilingual("Arrêt : {answered:réponse enregistrée|réponses enregistrées} dans {file}. Relancez "
                         "`raccord interview {file}` pour reprendre.",
                         "Stopped: {answered:answer|answers} saved in {file}. Run `raccord interview {file}` again to go on."),
    "yes_no": Bilingual("oui ou non", "oui / non (yes or no)"),
}


def say(key: str, lang: str, **values: object) -> str:
    return agreed(in_language(WORDS[key], lang), lang, **values)


def decision_title(engine: Engine, key: str, lang: str) -> str:
    """A decision id (`RID`, `RID.scheme.SID`, `RID.level`) in words: the ruleset's or the scheme's title."""
    rid, _, field = key.partition(".")
    rs = engine.library.rulesets.get(rid)
    if rs is None:
        return key
    title = rs.model.title.get(lang)
    if field.startswith("scheme."):
        sid = field.removeprefix("scheme.")
        for scheme in getattr(rs.model.policy, "schemes", None) or []:
            if scheme.id == sid:
                return scheme.title.get(lang)
        return sid
    if field == "level":
        return f"{title} ({'niveau' if lang == 'fr' else 'level'})"
    return title


def show(engine: Engine, question: Question, n: int, lang: str) -> None:
    fact = question.definition
    unit = f" ({fact.unit})" if fact.unit else ""
    click.echo("")
    click.echo(f"{say('question', lang, n=n)} — {fact.title.get(lang)}{unit} [{question.fact}]")
    if fact.help:
        click.echo(f"  {fact.help.get(lang)}")
    form = say("yes_no", lang) if fact.type == "boolean" else in_language(expected(fact), lang)
    click.echo("  " + say("answer", lang, form=form))
    titles = list(dict.fromkeys(decision_title(engine, key, lang) for key in question.decisions))
    click.echo("  " + say("changes", lang, what=" ; ".join(titles) if lang == "fr" else "; ".join(titles)))
    if question.partners:
        names = ", ".join(engine.library.catalogue[p].title.get(lang) for p in question.partners)
        click.echo("  " + say("together", lang, names=names))
    click.echo("  " + say("keys", lang))


def ask() -> str | None:
    """One line typed (None at the end of the input: stop)."""
    click.echo("> ", nl=False)
    sys.stdout.flush()
    line = sys.stdin.readline()
    if line and not sys.stdin.isatty():
        click.echo(line.strip())  # scripted answers: the transcript shows them
    return None if line == "" else line.strip()


def _shown(value: object) -> str:
    if isinstance(value, frozenset):
        return "[" + ", ".join(sorted(value)) + "]"
    if isinstance(value, bool):
        return "oui" if value else "non"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def run(engine: Engine, path: Path, as_of: dt.date, rulesets: tuple[str, ...], lang: str,
        reask: bool = False, today: dt.date | None = None) -> int:
    """The questionnaire; returns the number of questions asked. « je ne sais pas » is recorded in
    the dossier's `unanswered:` section with the day (`today`), so that the next run does not ask it
    again (unless `reask`); an answer given later removes it from there."""
    today = today or dt.date.today()  # the front end's clock: the day of the answer, not an evaluation date
    from raccord.engine.evaluate import Options

    options = Options(as_of, tuple(rulesets) or None)
    text = read_text(path)
    dossier = engine.dossier_from_text(text, str(path.name), path.parent)
    remembered = [] if reask else [name for name in dossier.file.unanswered if name not in dossier.facts]
    skipped: list[str] = []
    history: list[tuple[str, bool]] = []  # (fact, answered?) of each question, for « retour »
    again: str | None = None  # the fact « retour » goes back to
    asked = answered = 0
    while True:
        question = _next(engine, dossier, options, skipped, again, reask)
        again = None
        if question is None:
            click.echo("")
            click.echo(say("done", lang, asked=asked, answered=answered, file=path, facts=len(engine.library.catalogue)))
            if skipped:
                click.echo(say("left", lang, names=", ".join(skipped)))
            if remembered:
                click.echo(say("remembered", lang, names=", ".join(remembered)))
            return asked
        asked += 1
        show(engine, question, asked, lang)
        while True:
            answer = ask()
            word = "stop" if answer is None else "?" if answer == "?" else fold(answer)
            if word in STOP:
                click.echo(say("stopped", lang, answered=answered, file=path))
                return asked
            if word in DONT_KNOW:
                skipped.append(question.fact)
                history.append((question.fact, False))
                text, dossier = _write(engine, path, text, {}, {question.fact: today.isoformat()})
                click.echo(say("skipped", lang))
                break
            if word in BACK:
                if not history:
                    click.echo(say("nothing_back", lang))
                    continue
                again, was_answered = history.pop()
                if was_answered:  # only unknown facts are asked: going back makes it unknown again
                    text, dossier = _write(engine, path, text, {again: None})
                    answered -= 1
                    click.echo(say("undone", lang, name=again))
                elif again in skipped:
                    skipped.remove(again)
                    text, dossier = _write(engine, path, text, {}, {again: None})
                break
            if not answer:
                continue
            try:
                value = engine.fact_value(question.fact, answer)
                known = {question.fact: None} if question.fact in dossier.file.unanswered else {}
                text, dossier = _write(engine, path, text, {question.fact: value}, known)
            except InputError as exc:
                click.echo(say("again", lang, error=answer_error(exc, lang)))
                continue
            history.append((question.fact, True))
            answered += 1
            click.echo(say("saved", lang, name=question.fact, value=_shown(value)))
            break


def _next(engine: Engine, dossier, options, skipped: list[str], again: str | None, reask: bool) -> Question | None:
    """The most decisive question, or the one « retour » went back to if it can still change something."""
    found = engine.questions(dossier, options, skipped, reask=reask)
    if again is not None:
        for question in found:
            if question.fact == again:
                return question
    return found[0] if found else None


def _write(engine: Engine, path: Path, text: str, values: dict,
           unanswered: dict[str, str | None] | None = None) -> tuple[str, object]:
    """The dossier text with `values` set (and `unanswered:` entries set or removed), checked by
    loading it, then written atomically."""
    new = set_facts(text, values, str(path)) if values else text
    if unanswered:
        new = set_entries(new, "unanswered", unanswered)
        new = re.sub(r"(?m)^unanswered:[ \t]*(\n|\Z)(?![ \t])", "", new)  # its last entry gone: no empty section
    dossier = engine.dossier_from_text(new, str(path.name), path.parent)  # an answer that breaks the file is refused
    write_atomic(path, new, replaces_input=True)  # the interview edits the dossier it reads, on purpose
    return new, dossier


def register(group: click.Group) -> None:
    @group.command("interview", help=bi(
        "Questionnaire guidé : pose une à une les seules questions dont la réponse peut changer une décision "
        "(aide, label, conformité), et enregistre chaque réponse dans le dossier aussitôt, sans toucher à ses "
        "commentaires. « je ne sais pas » laisse le fait inconnu, « retour » revient en arrière, « stop » arrête ; "
        "relancer la commande reprend où vous en étiez.",
        "Guided questionnaire: asks one by one only the questions whose answer can change a decision (aid, label, "
        "compliance), and saves each answer in the dossier at once, keeping its comments. \"I don't know\" (or skip) "
        "leaves the fact unknown, \"back\" goes back, \"stop\" stops; running the command again resumes."))
    @click.argument("dossier", type=click.Path(dir_okay=False, exists=True))
    @common_as_of
    @common_rulesets
    @common_lang
    @click.option("--reask", is_flag=True,
                  help=bi("Reposer aussi les questions déjà répondues « je ne sais pas » (section `unanswered:` du dossier).",
                          "Also ask again the questions answered « I don't know » before (the dossier's `unanswered:` section)."))
    @library_options
    def interview(dossier, as_of, rulesets, lang, reask, rulesets_dir, ruleset_files):
        engine = Engine(library_from(rulesets_dir, ruleset_files))
        run(engine, Path(dossier), parse_date(as_of), rulesets, lang, reask=reask)
