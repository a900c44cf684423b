"""`raccord journal add`: append shooting-day events to the production's journal (docs/journal.md).

The journal is `<dossier>.journal.jsonl` beside the dossier (or `--journal FILE`). Every new event is
checked first, and the journal already there too: one bad event and nothing is written. The new file
(old bytes plus the new lines) replaces the old one atomically, so a reader never sees half a line.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from raccord.engine import InputError
from raccord.engine.atomic import replace_file
from raccord.engine.errors import Bilingual
from raccord.engine.live.events import VERSION, Event, check_event, journal_path, parse_lines, read_journal

from .context import common_lang
from .i18n import words
from .language import bi

WORDS = {
    "added": {"fr": "{n:événement ajouté|événements ajoutés} à {path}", "en": "{n:event|events} added to {path}"},
    "nothing": {"fr": "aucun événement à ajouter (donnez EVENT… ou --file)", "en": "no event to add (give EVENT… or --file)"},
}
w = words(WORDS)


def journal_of(dossier: str, journal: str | None) -> Path:
    return Path(journal) if journal else journal_path(Path(dossier))


def parse_arguments(texts: tuple[str, ...]) -> list[Event]:
    out = []
    for n, text in enumerate(texts, 1):
        where = f"argument {n}"
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InputError(
                where,
                Bilingual(f"JSON invalide ({exc.msg}, colonne {exc.colno})", f"invalid JSON ({exc.msg}, column {exc.colno})"),
                Bilingual("un objet JSON entre apostrophes", "one JSON object in single quotes"),
            ) from None
        if isinstance(data, dict) and "v" not in data:
            data = {"v": VERSION, **data}  # on the command line the version may be left out; it is written
        out.append(check_event(data, where))
    return out


def append_events(path: Path, new: list[Event]) -> None:
    """Check the journal there, then write it back with the new lines, atomically."""
    read_journal(path)  # a damaged journal is reported, not appended to
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = b""
    if old and not old.endswith(b"\n"):
        old += b"\n"
    lines = "".join(json.dumps(event.data, ensure_ascii=False) + "\n" for event in new).encode("utf-8")

    def write(handle) -> None:  # type: ignore[no-untyped-def]
        handle.write(old)
        handle.write(lines)

    try:
        replace_file(path, write)
    except OSError as exc:
        raise InputError(
            str(path), Bilingual(f"écriture impossible ({exc.strerror})", f"cannot write it ({exc.strerror})")
        ) from None


def register(cli: click.Group) -> None:
    @cli.group(help=bi("Journal des journées de tournage (événements JSON Lines, docs/journal.md).",
                       "Journal of the shooting days (JSON Lines events, docs/journal.md)."))
    def journal() -> None:
        pass

    @journal.command("add", help=bi("Ajoute des événements (un objet JSON par argument, ou --file) au journal de la production ; "
                                    "un seul événement invalide et rien n'est écrit.",
                                    "Append events (one JSON object per argument, or --file) to the production's journal; "
                                    "one invalid event and nothing is written."))
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @click.argument("events", nargs=-1, metavar=bi("ÉVÉNEMENT…", "EVENT…"))
    @click.option("--file", "events_file", type=click.Path(dir_okay=False), metavar=bi("FICHIER", "FILE"),
                  help=bi("Fichier JSON Lines d'événements à ajouter.", "JSON Lines file of events to append."))
    @click.option("--journal", "journal_file", metavar=bi("FICHIER", "FILE"),
                  help=bi("Journal à compléter (par défaut : <dossier>.journal.jsonl).",
                          "Journal to append to (default: <dossier>.journal.jsonl)."))
    @common_lang
    def add(dossier, events, events_file, journal_file, lang):
        new = parse_arguments(events)
        if events_file:
            new += parse_lines(Path(events_file).read_text(encoding="utf-8").splitlines(), events_file)
        if not new:
            raise click.UsageError(w("nothing", lang))
        path = journal_of(dossier, journal_file)
        append_events(path, new)
        click.echo(w("added", lang, n=len(new), path=path))
