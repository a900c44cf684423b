"""`raccord watch`: replay the production's journal through its monitors and print the alerts; with
`--follow`, keep reading the lines appended to it and print each alert as it fires (docs/journal.md).

The CLI reads the clock (the default `--as-of`, and the time that passes while following); the
engine does not. Acknowledging (`--ack ALERT-ID --comment ...`) appends an `alert.ack` event.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

import click

from raccord.engine import InputError
from raccord.engine.errors import Bilingual

from .commands_journal import append_events, journal_of
from .context import common_lang
from .i18n import words
from .language import bi

WORDS = {
    "install": {
        "fr": "raccord watch a besoin de durable-rules, l'extra optionnel « live » : pip install 'raccord[live]' "
        "(Python 3.11 ou 3.12, avec gcc ; dans ce dépôt, make l'installe). Le reste de raccord fonctionne sans.",
        "en": "raccord watch needs durable-rules, the optional 'live' extra: pip install 'raccord[live]' "
        "(Python 3.11 or 3.12, with gcc; in this repository, make installs it). The rest of raccord works without it.",
    },
    "header": {
        "fr": "Journal {path} relu jusqu'au {until} : {events:événement|événements}, {n:alerte|alertes}, "
        "dont {acked:acquittée|acquittées}.",
        "en": "Journal {path} replayed up to {until}: {events:event|events}, {n:alert|alerts}, {acked} acknowledged.",
    },
    "none": {"fr": "Aucune alerte.", "en": "No alert."},
    "warning": {"fr": "AVERTISSEMENT", "en": "WARNING"},
    "breach": {"fr": "ALERTE", "en": "ALERT"},
    "since": {"fr": "depuis", "en": "since"},
    "todo": {"fr": "À faire", "en": "To do"},
    "source": {"fr": "Source", "en": "Source"},
    "acked": {"fr": "Acquittée le {at} ({by}) : {comment}", "en": "Acknowledged on {at} ({by}): {comment}"},
    "following": {"fr": "Suivi du journal {path} (Ctrl-C pour arrêter)…", "en": "Following journal {path} (Ctrl-C to stop)…"},
    "ack_done": {"fr": "Alerte {alert} acquittée dans {path}.", "en": "Alert {alert} acknowledged in {path}."},
    "lines": {"fr": "l.", "en": "l."},
}
w = words(WORDS)


def parse_moment(value: str, option: str = "--as-of") -> dt.datetime:
    """A date and time with its zone; a date alone is the end of that day (UTC)."""
    try:
        if "T" in value:
            moment = dt.datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise ValueError
            return moment
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(
            option,
            Bilingual(
                f"« {value} » n'est pas une date AAAA-MM-JJ ni une date et heure avec fuseau",
                f"'{value}' is not a date YYYY-MM-DD nor a date and time with a zone",
            ),
            Bilingual("écrivez-la AAAA-MM-JJ, par exemple 2025-11-12, ou 2025-11-12T18:00:00+01:00",
                      "write it YYYY-MM-DD, for example 2025-11-12, or 2025-11-12T18:00:00+01:00"),
        ) from None
    return dt.datetime.combine(day, dt.time(23, 59, 59, 999000), dt.UTC)


def render_alert(doc: dict, lang: str) -> str:
    at = doc["at"][:16].replace("T", " ")
    since = doc["since"][:16].replace("T", " ")
    source = doc["source"]
    cite = source.get("section", "")
    if source.get("lines"):
        cite += f", {w('lines', lang)} {source['lines']}"
    if source.get("seed"):
        cite += f" ({source['seed']})"
    lines = [
        f"[{w(doc['stage'], lang)}] {at}  {doc['who']}  {doc['monitor']} ({doc['id']}, {doc['severity']})",
        f"  {doc['message']}",
        f"  {w('since', lang)} {since}",
        f"  {w('todo', lang)} : {doc['action']}" if lang == "fr" else f"  {w('todo', lang)}: {doc['action']}",
        f"  {w('source', lang)} : {source.get('title', source['document'])}, {cite}"
        if lang == "fr"
        else f"  {w('source', lang)}: {source.get('title', source['document'])}, {cite}",
    ]
    if source.get("quote"):
        lines.append(f"    « {source['quote']} »")
    ack = doc.get("acknowledged")
    if ack:
        lines.append(
            "  " + w("acked", lang, at=ack["at"][:16].replace("T", " "), by=ack.get("by") or "-", comment=ack["comment"])
        )
    return "\n".join(lines)


def _unavailable(lang: str) -> None:
    click.echo(("raccord : " if lang == "fr" else "raccord: ") + w("install", lang), err=True)
    sys.exit(2)


def register(cli: click.Group) -> None:
    @cli.command(help=bi("Surveille les journées de tournage : rejoue le journal de la production et affiche les alertes des "
                         "moniteurs (pauses, amplitude, repos, mineurs, scènes d'intimité, signalements).",
                         "Watch the shooting days: replay the production's journal and print the monitors' alerts "
                         "(breaks, amplitude, rest, minors, intimacy scenes, reports)."))
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @click.option("--journal", "journal_file", metavar=bi("FICHIER", "FILE"),
                  help=bi("Journal à lire (par défaut : <dossier>.journal.jsonl).",
                          "Journal to read (default: <dossier>.journal.jsonl)."))
    @click.option("--follow", is_flag=True,
                  help=bi("Continuer à lire les lignes ajoutées et afficher chaque alerte dès qu'elle tombe.",
                                                    "Keep reading the lines appended and print each alert as it fires."))
    @click.option("--as-of", "as_of", metavar=bi("MOMENT", "DATETIME"),
                  help=bi("Rejouer jusqu'à ce moment : AAAA-MM-JJ (fin du jour) ou date et heure avec fuseau "
                          "(par défaut : maintenant).",
                          "Replay up to this moment: YYYY-MM-DD (end of day) or a date and time with a zone (default: now)."))
    @common_lang
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
                  help=bi("Format de sortie.", "Output format."))
    @click.option("--ack", "ack", metavar=bi("ALERTE", "ALERT-ID"),
                  help=bi("Acquitter cette alerte (avec --comment) au lieu de rejouer.",
                          "Acknowledge this alert (with --comment) instead of replaying."))
    @click.option("--comment", metavar=bi("TEXTE", "TEXT"),
                  help=bi("Commentaire de l'acquittement : ce qui a été fait, jamais un nom.",
                                       "Comment of the acknowledgement: what was done, never a name."))
    @click.option("--by", "by", metavar=bi("FONCTION", "ROLE"),
                  help=bi("Fonction de qui acquitte (par exemple regisseur_general).",
                          "Role of who acknowledges (for example regisseur_general)."))
    @click.option("--poll", type=float, default=0.5, show_default=True, hidden=True)
    @click.option("--stop-after", "stop_after", type=float, hidden=True)  # tests: stop following after N seconds
    def watch(dossier, journal_file, follow, as_of, lang, fmt, ack, comment, by, poll, stop_after):
        from raccord.engine.live import (
            LiveUnavailableError,
            acknowledgements,
            alert_document,
            durable_available,
            load_monitors,
            read_journal,
            replay,
        )

        path = journal_of(dossier, journal_file)
        if not Path(dossier).is_file() and journal_file is None:
            raise InputError(dossier, Bilingual("dossier introuvable", "dossier not found"))
        if ack:
            _acknowledge(path, ack, comment, by, lang)
            return
        until = parse_moment(as_of) if as_of else dt.datetime.now(dt.UTC)
        if not durable_available():
            _unavailable(lang)
        events = read_journal(path)
        monitors = load_monitors()
        try:
            alerts = replay(events, monitors, until)
        except LiveUnavailableError:
            _unavailable(lang)
        acks = acknowledgements(events)
        docs = [alert_document(alert, monitors, lang, acks) for alert in alerts]
        if fmt == "json":
            click.echo(
                json.dumps(
                    {"format": "raccord.alerts/1", "journal": str(path), "until": until.isoformat(), "alerts": docs},
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            click.echo(
                w(
                    "header",
                    lang,
                    path=path,
                    until=until.isoformat(timespec="minutes"),
                    events=len(events),
                    n=len(docs),
                    acked=sum(1 for d in docs if "acknowledged" in d),
                )
            )
            for doc in docs:
                click.echo("")
                click.echo(render_alert(doc, lang))
            if not docs:
                click.echo(w("none", lang))
        if follow:
            _follow(path, events, monitors, until, lang, fmt, poll, stop_after, alert_document)


def _acknowledge(path: Path, alert_id: str, comment: str | None, by: str | None, lang: str) -> None:
    from raccord.engine.live.events import VERSION, check_event

    if not comment:
        raise click.UsageError("--ack a besoin de --comment" if lang == "fr" else "--ack needs --comment")
    data = {
        "v": VERSION,
        "at": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
        "type": "alert.ack",
        "alert": alert_id,
        "comment": comment,
    }
    if by:
        data["by"] = by
    append_events(path, [check_event(data, "--ack")])
    click.echo(w("ack_done", lang, alert=alert_id, path=path))


def _follow(
    path: Path, events: list, monitors, until: dt.datetime, lang: str, fmt: str, poll: float, stop_after: float | None,
    alert_document,
) -> None:
    """Feed the lines appended since the replay, in the order they arrive, and the passing time."""
    from raccord.engine.live.events import canonical, ordered, parse_line, to_ms
    from raccord.engine.live.stream import Watcher

    def show(alert) -> None:  # type: ignore[no-untyped-def]
        doc = alert_document(alert, monitors, lang)
        click.echo(json.dumps(doc, ensure_ascii=False) if fmt == "json" else "\n" + render_alert(doc, lang), nl=True)
        sys.stdout.flush()

    watcher = Watcher(monitors)
    replayed = ordered(events)
    for event in replayed:  # the state of the replay, alerts already printed
        watcher.feed(event)
    watcher.advance(to_ms(until))
    seen = {canonical(e.data) for e in replayed}  # an event logged twice counts once, as in a replay
    watcher.on_alert = show
    watcher.advance(to_ms(dt.datetime.now(dt.UTC)))
    click.echo(w("following", lang, path=path), err=True)
    offset = path.stat().st_size if path.exists() else 0
    number = sum(1 for _ in path.open(encoding="utf-8")) if path.exists() else 0
    pending = b""
    started = time.monotonic()
    try:
        while stop_after is None or time.monotonic() - started < stop_after:
            time.sleep(poll)
            if path.exists() and path.stat().st_size > offset:
                with path.open("rb") as handle:
                    handle.seek(offset)
                    chunk = handle.read()
                offset += len(chunk)
                pending += chunk
                *complete, pending = pending.split(b"\n")
                for raw in complete:
                    number += 1
                    if not raw.strip():
                        continue
                    try:
                        event = parse_line(raw.decode("utf-8"), f"{path}:{number}")
                    except (InputError, UnicodeDecodeError) as exc:
                        click.echo(f"raccord: {exc}", err=True)
                        continue
                    if canonical(event.data) not in seen:
                        seen.add(canonical(event.data))
                        watcher.feed(event)
            watcher.advance(to_ms(dt.datetime.now(dt.UTC)))
    except KeyboardInterrupt:
        pass
    finally:
        watcher.close()
