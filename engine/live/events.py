"""The shooting journal: one JSON event per line (format `raccord.journal/2`, docs/journal.md; the events
of version 1 stay valid, version 2 adds `intimacy.agreed`).

Persons appear only as a pseudonymous reference and a role, reports only as a reference with dates:
the format has no field where a name or the content of a report could go (unknown keys are refused).
Reading never stops half-way: every line is checked and the first bad one is reported as
`file:line` with a French and an English message.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Bilingual, InputError

VERSION = 2  # what `journal add` writes; version 1 events stay valid (docs/journal.md §2)
VERSIONS = (1, 2)
MAX_LINE_BYTES = 4096
MAX_EVENTS = 2_000_000

REF = re.compile(r"^[A-Z]{1,3}-[0-9]{1,4}$")  # P-014, E-01: never a name
SCENE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
ALERT_ID = re.compile(r"^A-[0-9a-f]{10}$")
ROLES = frozenset(
    {
        # the crew list's functions (rulesets/facts.yaml roster.crew) and the people the events name
        "directeur_production",
        "realisateur",
        "directeur_photo",
        "chef_operateur_son",
        "createur_costumes",
        "chef_decorateur",
        "regisseur_general",
        "premier_assistant_realisateur",
        "interprete",
        "technicien",
        "figurant",
        "enfant",
        "responsable_enfants",
        "coordinateur_intimite",
        "referent_vhss",
        "employeur",
        "representant_employeur",
        "chef_de_poste",
        "cpphsct",
        "autre",
    }
)
MODULES = frozenset({"vhss_module1", "vhss_module2", "vhss_referent", "vhss_employeur"})

# type -> {field: kind}; every field listed is required except those in OPTIONAL.
COMMON = {"v": "version", "at": "datetime", "type": "type"}
FIELDS: dict[str, dict[str, str]] = {
    "day.open": {"day": "date"},
    "day.close": {"day": "date"},
    "work.start": {"person": "ref", "role": "role"},
    "work.pause": {"person": "ref"},
    "work.resume": {"person": "ref"},
    "work.end": {"person": "ref"},
    "child.arrive": {"person": "ref", "supervised": "bool"},
    "child.supervision": {"person": "ref", "supervised": "bool"},
    "child.leave": {"person": "ref"},
    "intimacy.start": {"scene": "scene", "present": "refs", "closed_set": "bool"},
    "intimacy.end": {"scene": "scene"},
    "intimacy.agreed": {"scene": "scene", "agreed": "refs"},
    "training.recorded": {"person": "ref", "module": "module"},
    "report.received": {"report": "ref", "by": "role"},
    "report.forwarded": {"report": "ref"},
    "report.handled": {"report": "ref"},
    "alert.ack": {"alert": "alert", "comment": "comment", "by": "role"},
}
OPTIONAL = {"day", "by", "source"}
SINCE = {"intimacy.agreed": 2}  # event types a later version of the format added: their first version
EXTRA = {"source": "source"}  # allowed on every event: which device or person (role) logged it


@dataclass(frozen=True, slots=True)
class Event:
    """One valid journal event: `data` as written, `ms` its instant (UTC milliseconds), `line` its line."""

    data: dict[str, Any]
    ms: int
    line: int
    tz: dt.tzinfo

    @property
    def type(self) -> str:
        return self.data["type"]

    def get(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)


def _fail(where: str, fr: str, en: str, hint_fr: str = "", hint_en: str = "") -> InputError:
    return InputError(where, Bilingual(fr, en), Bilingual(hint_fr, hint_en) if hint_fr else "")


def parse_instant(text: Any, where: str) -> tuple[int, dt.tzinfo]:
    """An ISO 8601 date and time with its time zone -> (UTC milliseconds, tz)."""
    if not isinstance(text, str):
        raise _fail(
            where,
            "« at » doit être une date et heure ISO 8601 (texte)",
            "`at` must be an ISO 8601 date and time (text)",
            "par exemple 2025-11-12T08:00:00+01:00",
            "for example 2025-11-12T08:00:00+01:00",
        )
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or "T" not in text:
        raise _fail(
            where,
            f"« {text} » n'est pas une date et heure ISO 8601",
            f"'{text}' is not an ISO 8601 date and time",
            "par exemple 2025-11-12T08:00:00+01:00",
            "for example 2025-11-12T08:00:00+01:00",
        )
    if moment.tzinfo is None:
        raise _fail(
            where,
            f"« {text} » n'a pas de fuseau horaire",
            f"'{text}' has no time zone",
            "ajoutez le décalage, par exemple +01:00 ou Z",
            "add the offset, for example +01:00 or Z",
        )
    return to_ms(moment), moment.tzinfo


def to_ms(moment: dt.datetime) -> int:
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_ms(ms: int, tz: dt.tzinfo = dt.UTC) -> dt.datetime:
    return (EPOCH + dt.timedelta(milliseconds=ms)).astimezone(tz)


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _check_value(kind: str, name: str, value: Any, where: str) -> None:
    def bad(fr: str, en: str, hint_fr: str = "", hint_en: str = "") -> InputError:
        return _fail(where, f"champ « {name} » : {fr}", f"field `{name}`: {en}", hint_fr, hint_en)

    if kind == "ref":
        if not isinstance(value, str) or not REF.match(value):
            raise bad(
                f"{value!r} n'est pas une référence interne",
                f"{value!r} is not an internal reference",
                "une référence pseudonyme comme P-014 ou E-01, jamais un nom",
                "a pseudonymous reference such as P-014 or E-01, never a name",
            )
    elif kind == "refs":
        if not isinstance(value, list) or len(value) > 64:
            raise bad("une liste de références internes (64 au plus)", "a list of internal references (64 at most)")
        for item in value:
            _check_value("ref", name, item, where)
    elif kind == "role":
        if value not in ROLES:
            raise bad(
                f"fonction inconnue {value!r}",
                f"unknown role {value!r}",
                "fonctions : " + ", ".join(sorted(ROLES)),
                "roles: " + ", ".join(sorted(ROLES)),
            )
    elif kind == "module":
        if value not in MODULES:
            raise bad(
                f"module inconnu {value!r}", f"unknown module {value!r}", ", ".join(sorted(MODULES)), ", ".join(sorted(MODULES))
            )
    elif kind == "bool":
        if not isinstance(value, bool):
            raise bad("true ou false attendu", "expected true or false")
    elif kind == "scene":
        if not isinstance(value, str) or not SCENE.match(value):
            raise bad(
                f"{value!r} n'est pas un numéro de scène",
                f"{value!r} is not a scene number",
                "par exemple S-12",
                "for example S-12",
            )
    elif kind == "alert":
        if not isinstance(value, str) or not ALERT_ID.match(value):
            raise bad(
                f"{value!r} n'est pas un identifiant d'alerte",
                f"{value!r} is not an alert id",
                "celui que raccord watch affiche, par exemple A-3f09c2d17e",
                "the one raccord watch prints, for example A-3f09c2d17e",
            )
    elif kind == "date":
        try:
            dt.date.fromisoformat(value)
        except (ValueError, TypeError):
            raise bad(f"{value!r} n'est pas une date AAAA-MM-JJ", f"{value!r} is not a date YYYY-MM-DD") from None
    elif kind in ("comment", "source"):
        limit = 500 if kind == "comment" else 64
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise bad(f"un texte non vide de {limit} caractères au plus", f"a non-empty text of at most {limit} characters")


def check_event(data: Any, where: str) -> Event:
    """A decoded JSON value -> a valid Event, or a located InputError whose `field` names the event's
    field it is about (None for the whole event), so a form can show it beside that field."""
    try:
        return _check_event(data, where)
    except InputError as error:
        error.field = getattr(error, "field", None)  # type: ignore[attr-defined]
        raise


def _about(name: str, error: InputError) -> InputError:
    error.field = name  # type: ignore[attr-defined]
    return error


def _check_event(data: Any, where: str) -> Event:
    if not isinstance(data, dict):
        raise _fail(
            where,
            "un événement est un objet JSON",
            "an event is a JSON object",
            'par exemple {"v": 1, "at": "2025-11-12T08:00:00+01:00", "type": "day.open"}',
            'for example {"v": 1, "at": "2025-11-12T08:00:00+01:00", "type": "day.open"}',
        )
    version = data.get("v")
    if version not in VERSIONS or isinstance(version, bool):
        raise _about("v", _fail(
            where,
            f"version d'événement {version!r} inconnue (« v » : 1 ou 2 attendu)",
            f"unknown event version {version!r} (`v`: 1 or 2 expected)",
            "format raccord.journal/2, docs/journal.md",
            "format raccord.journal/2, docs/journal.md",
        ))
    kind = data.get("type")
    if kind not in FIELDS:
        raise _about("type", _fail(
            where,
            f"type d'événement inconnu {kind!r}",
            f"unknown event type {kind!r}",
            "types : " + ", ".join(FIELDS),
            "types: " + ", ".join(FIELDS),
        ))
    if SINCE.get(kind, 1) > version:
        raise _fail(
            where,
            f"{kind} est un événement de la version {SINCE[kind]} du format (« v » : {version} lu)",
            f"{kind} is an event of version {SINCE[kind]} of the format (`v`: {version} given)",
            f"écrivez « \"v\": {SINCE[kind]} » (raccord journal add l'écrit quand il manque)",
            f"write `\"v\": {SINCE[kind]}` (raccord journal add writes it when left out)",
        )
    try:
        ms, tz = parse_instant(data.get("at"), where)
    except InputError as error:
        raise _about("at", error) from None
    allowed = FIELDS[kind] | EXTRA
    for name in data:
        if name not in allowed and name not in COMMON:
            raise _about(name, _fail(
                where,
                f"champ « {name} » inconnu pour {kind}",
                f"unknown field `{name}` for {kind}",
                "champs : " + ", ".join(allowed) if allowed else "aucun autre champ",
                "fields: " + ", ".join(allowed) if allowed else "no other field",
            ))
    for name, field_kind in allowed.items():
        if name not in data:
            if name in OPTIONAL:
                continue
            raise _about(name, _fail(where, f"champ « {name} » manquant pour {kind}", f"missing field `{name}` for {kind}"))
        try:
            _check_value(field_kind, name, data[name], where)
        except InputError as error:
            raise _about(name, error) from None
    return Event(data, ms, 0, tz)


def parse_line(text: str, where: str) -> Event:
    if len(text.encode("utf-8")) > MAX_LINE_BYTES:
        raise _fail(where, f"ligne trop longue (plus de {MAX_LINE_BYTES} octets)", f"line too long (over {MAX_LINE_BYTES} bytes)")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _fail(
            where,
            f"JSON invalide ({exc.msg}, colonne {exc.colno})",
            f"invalid JSON ({exc.msg}, column {exc.colno})",
            "un objet JSON par ligne",
            "one JSON object per line",
        ) from None
    return check_event(data, where)


def parse_lines(lines: Iterable[str], name: str, first_line: int = 1) -> list[Event]:
    out: list[Event] = []
    for number, text in enumerate(lines, first_line):
        if not text.strip():
            continue
        event = parse_line(text, f"{name}:{number}")
        out.append(Event(event.data, event.ms, number, event.tz))
        if len(out) > MAX_EVENTS:
            raise _fail(
                f"{name}:{number}",
                f"journal trop long (plus de {MAX_EVENTS} événements)",
                f"journal too long (over {MAX_EVENTS} events)",
            )
    return out


def read_journal(path: Path) -> list[Event]:
    """Every event of a journal file, in file order (a missing file is an empty journal)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise _fail(str(path), f"lecture impossible ({exc.strerror})", f"cannot read it ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(f"{path}:{line}", "texte non UTF-8", "not UTF-8 text") from None
    return parse_lines(text.splitlines(), str(path))


def canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def ordered(events: Iterable[Event], until_ms: int | None = None) -> list[Event]:
    """The journal as the monitors read it: identical events once (the first), up to `until_ms`
    included, in time order (ties in file order). Time zones differ between devices: instants compare."""
    seen: set[str] = set()
    out: list[Event] = []
    for event in events:
        if until_ms is not None and event.ms > until_ms:
            continue
        key = canonical(event.data)
        if key in seen:
            continue
        seen.add(key)
        out.append(event)
    out.sort(key=lambda event: event.ms)  # stable: ties stay in file order
    return out


def journal_path(dossier: Path) -> Path:
    """The production's journal beside its dossier: `dossier.yaml` -> `dossier.journal.jsonl`."""
    return dossier.with_name(dossier.stem + ".journal.jsonl")
