"""Monitors: the live checks of a shooting day, as data beside the criteria they serve.

Each ruleset folder may hold a `monitors.yaml` (format `raccord.monitors/1`, docs/ruleset-format.md
§ "Monitors"). The engine knows six monitor kinds, not any referential: the file says which events
a monitor reads, its limit, its lead time, its wording and its source clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Bilingual, InputError
from ..source_files import Located, load_document
from .events import FIELDS

FORMAT = "raccord.monitors/1"
KINDS = ("continuous_work", "span", "rest", "on_event", "response", "allowed_list")
LIST_ALERTS = ("not_listed", "no_list")  # allowed_list: someone present not on the list / no list at all
SEVERITIES = ("high", "medium", "low")
PROVENANCES = ("official_text", "published_summary", "reconstructed")
DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")
TEST_OPS = ("eq", "ne", "in", "not_in")
# What each kind reads besides the common keys, and which of those are required.
PARAMS: dict[str, tuple[set[str], set[str]]] = {
    "continuous_work": ({"where", "limit", "reset_after", "lead"}, {"limit", "reset_after"}),
    "span": ({"where", "limit", "lead"}, {"limit"}),
    "rest": ({"where", "min_rest", "after_long"}, {"min_rest"}),
    "on_event": ({"events", "where", "key"}, {"events", "key"}),
    "response": ({"key", "opens", "closes", "within", "lead", "from"}, {"key", "opens", "closes", "within"}),
    "allowed_list": ({"key", "list", "check", "alert_when"}, {"key", "list", "check", "alert_when"}),
}
COMMON = {
    "id",
    "title",
    "kind",
    "serves",
    "severity",
    "alert",
    "warning",
    "action",
    "derives",
    "evidence",
    "source",
    "provenance",
    "assumption",
}
REQUIRED = {"id", "title", "kind", "severity", "alert", "action", "source", "provenance"}


@dataclass(frozen=True, slots=True)
class Test:
    field: str
    op: str
    value: Any

    def holds(self, data: dict[str, Any]) -> bool:
        actual = data.get(self.field)
        if self.op == "eq":
            return actual == self.value
        if self.op == "ne":
            return actual != self.value
        if self.op == "in":
            return actual in self.value
        return actual not in self.value


@dataclass(frozen=True, slots=True)
class Pattern:
    event: str
    where: tuple[Test, ...] = ()

    def matches(self, data: dict[str, Any]) -> bool:
        return data["type"] == self.event and all(test.holds(data) for test in self.where)


@dataclass(frozen=True, slots=True)
class Monitor:
    id: str
    kind: str
    title: Bilingual
    severity: str
    alert: Bilingual
    warning: Bilingual | None
    action: Bilingual
    source: dict[str, Any]
    provenance: str
    ruleset: str  # the folder it comes from
    serves: tuple[str, ...] = ()
    where: tuple[Test, ...] = ()  # on the work.start that opens a person's day (work kinds)
    limit_ms: int = 0  # continuous_work, span: the limit; rest: the minimum rest
    reset_ms: int = 0  # continuous_work: a pause this long is the break
    lead_ms: int | None = None
    long_span_ms: int | None = None  # rest: a day longer than this ...
    long_rest_ms: int | None = None  # ... needs only this much rest
    events: tuple[Pattern, ...] = ()  # on_event
    key: str = "person"
    opens: Pattern | None = None  # response
    closes: Pattern | None = None
    anchor: str | None = None  # response: the deadline counts from the first event of this type
    list_event: str | None = None  # allowed_list: the event that sets a key's list (the latest one holds) ...
    list_field: str = ""  # ... and its field holding the list of references
    check: Pattern | None = None  # allowed_list: the event whose references are checked against the list ...
    check_field: str = ""  # ... its field holding them
    alert_when: str = "not_listed"  # allowed_list: not_listed | no_list
    derives: str | None = None  # the boolean fact the journal gives this monitor's verdict to
    evidence: str | None = None  # the evidence kind the journal's record is for this monitor
    assumption: Bilingual | None = None


def duration_ms(text: Any, where: str) -> int:
    match = DURATION.match(text) if isinstance(text, str) else None
    if not match or text in ("P", "PT"):
        raise InputError(
            where,
            Bilingual(f"durée {text!r} invalide", f"invalid duration {text!r}"),
            Bilingual("durée ISO 8601 : PT4H30M, PT20M, P15D", "ISO 8601 duration: PT4H30M, PT20M, P15D"),
        )
    days, hours, minutes = (int(group or 0) for group in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60_000


class _Reader:
    def __init__(self, located: Located, folder: str) -> None:
        self.located = located
        self.folder = folder

    def fail(self, path: tuple, fr: str, en: str) -> InputError:
        return InputError(self.located.where(path), Bilingual(fr, en))

    def text(self, value: Any, path: tuple) -> Bilingual:
        if not (isinstance(value, dict) and set(value) == {"fr", "en"} and all(isinstance(v, str) and v for v in value.values())):
            raise self.fail(
                path,
                "texte attendu en français et en anglais ({fr: ..., en: ...})",
                "expected a text in French and English ({fr: ..., en: ...})",
            )
        return Bilingual(value["fr"], value["en"])

    def tests(self, value: Any, path: tuple) -> tuple[Test, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(
                path,
                "« where » est une liste de tests {field, eq|ne|in|not_in}",
                "`where` is a list of tests {field, eq|ne|in|not_in}",
            )
        out = []
        for i, item in enumerate(value):
            ops = [op for op in TEST_OPS if isinstance(item, dict) and op in item]
            if not isinstance(item, dict) or "field" not in item or len(ops) != 1 or len(item) != 2:
                raise self.fail(
                    path + (i,),
                    "un test est {field: NOM, eq|ne|in|not_in: VALEUR}",
                    "a test is {field: NAME, eq|ne|in|not_in: VALUE}",
                )
            op = ops[0]
            operand = item[op]
            if op in ("in", "not_in"):
                if not isinstance(operand, list):
                    raise self.fail(path + (i, op), f"« {op} » attend une liste", f"`{op}` expects a list")
                operand = tuple(operand)
            out.append(Test(str(item["field"]), op, operand))
        return tuple(out)

    def pattern(self, value: Any, path: tuple) -> Pattern:
        if not isinstance(value, dict) or value.get("event") not in FIELDS or set(value) - {"event", "where"}:
            raise self.fail(
                path,
                "un motif est {event: TYPE, where: [...]} avec un type d'événement connu",
                "a pattern is {event: TYPE, where: [...]} with a known event type",
            )
        return Pattern(value["event"], self.tests(value.get("where"), path + ("where",)))

    def list_field(self, value: Any, path: tuple, where: bool) -> tuple[Pattern, str]:
        """{event: TYPE, field: NAME[, where: [...]]}: an event type and its field holding a list of references."""
        keys = {"event", "field", "where"} if where else {"event", "field"}
        kind = value.get("event") if isinstance(value, dict) else None
        if not isinstance(value, dict) or set(value) - keys or FIELDS.get(kind, {}).get(value.get("field")) != "refs":
            raise self.fail(
                path,
                "{event: TYPE, field: CHAMP} : un type d'événement connu et son champ qui liste des références",
                "{event: TYPE, field: FIELD}: a known event type and its field that lists references",
            )
        return Pattern(kind, self.tests(value.get("where"), path + ("where",))), str(value["field"])

    def allowed_list(self, raw: dict, path: tuple) -> dict[str, Any]:
        listed, list_field = self.list_field(raw["list"], path + ("list",), where=False)
        check, check_field = self.list_field(raw["check"], path + ("check",), where=True)
        if raw["alert_when"] not in LIST_ALERTS:
            raise self.fail(
                path + ("alert_when",), f"alert_when : {', '.join(LIST_ALERTS)}", f"alert_when: {', '.join(LIST_ALERTS)}"
            )
        return {"list_event": listed.event, "list_field": list_field, "check": check, "check_field": check_field,
                "alert_when": raw["alert_when"]}

    def monitor(self, raw: Any, path: tuple, sources: set[str]) -> Monitor:
        if not isinstance(raw, dict):
            raise self.fail(path, "un moniteur est un objet", "a monitor is a mapping")
        kind = raw.get("kind")
        if kind not in PARAMS:
            raise self.fail(
                path + ("kind",),
                f"genre de moniteur inconnu {kind!r} ({', '.join(KINDS)})",
                f"unknown monitor kind {kind!r} ({', '.join(KINDS)})",
            )
        allowed, required = PARAMS[kind]
        for key in raw:
            if key not in allowed and key not in COMMON:
                raise self.fail(
                    path + (key,), f"clé « {key} » inconnue pour un moniteur {kind}", f"unknown key `{key}` for a {kind} monitor"
                )
        for key in sorted(REQUIRED | required):
            if key not in raw:
                raise self.fail(path, f"clé « {key} » manquante", f"missing key `{key}`")
        if raw["severity"] not in SEVERITIES:
            raise self.fail(path + ("severity",), f"gravité : {', '.join(SEVERITIES)}", f"severity: {', '.join(SEVERITIES)}")
        if raw["provenance"] not in PROVENANCES:
            raise self.fail(
                path + ("provenance",), f"provenance : {', '.join(PROVENANCES)}", f"provenance: {', '.join(PROVENANCES)}"
            )
        source = raw["source"]
        if not isinstance(source, dict) or source.get("document") not in sources or not source.get("section"):
            raise self.fail(
                path + ("source",),
                "source : {document: ID de « sources », section, lines, quote}",
                "source: {document: an id of `sources`, section, lines, quote}",
            )
        lead = duration_ms(raw["lead"], self.located.where(path + ("lead",))) if raw.get("lead") is not None else None
        if lead is not None and "warning" not in raw:
            raise self.fail(
                path, "un moniteur avec « lead » a un texte « warning »", "a monitor with `lead` has a `warning` text"
            )
        fields: dict[str, Any] = {}
        if kind in ("continuous_work", "span", "rest") and len(raw.get("where") or []) > 1:
            raise self.fail(
                path + ("where",),
                "un moniteur du temps de travail a un test au plus (sur la fonction)",
                "a working-time monitor has one test at most (on the role)",
            )
        if (
            lead is not None
            and kind in ("continuous_work", "span", "response")
            and lead >= duration_ms(raw.get("limit") or raw.get("within"), self.located.where(path))
        ):
            raise self.fail(
                path + ("lead",), "le préavis doit être plus court que la limite", "the lead time must be shorter than the limit"
            )
        if kind in ("continuous_work", "span"):
            fields["limit_ms"] = duration_ms(raw["limit"], self.located.where(path + ("limit",)))
        if kind == "continuous_work":
            fields["reset_ms"] = duration_ms(raw["reset_after"], self.located.where(path + ("reset_after",)))
        if kind == "rest":
            fields["limit_ms"] = duration_ms(raw["min_rest"], self.located.where(path + ("min_rest",)))
            long = raw.get("after_long")
            if long is not None:
                if not isinstance(long, dict) or set(long) != {"span_over", "min_rest"}:
                    raise self.fail(
                        path + ("after_long",),
                        "after_long : {span_over: DURÉE, min_rest: DURÉE}",
                        "after_long: {span_over: DURATION, min_rest: DURATION}",
                    )
                fields["long_span_ms"] = duration_ms(long["span_over"], self.located.where(path + ("after_long", "span_over")))
                fields["long_rest_ms"] = duration_ms(long["min_rest"], self.located.where(path + ("after_long", "min_rest")))
        if kind == "on_event":
            events = raw["events"]
            if not isinstance(events, list) or not events:
                raise self.fail(path + ("events",), "« events » : une liste de motifs", "`events`: a list of patterns")
            fields["events"] = tuple(self.pattern(item, path + ("events", i)) for i, item in enumerate(events))
        if kind == "response":
            fields["opens"] = self.pattern(raw["opens"], path + ("opens",))
            fields["closes"] = self.pattern(raw["closes"], path + ("closes",))
            fields["limit_ms"] = duration_ms(raw["within"], self.located.where(path + ("within",)))
            anchor = raw.get("from")
            if anchor is not None and anchor not in FIELDS:
                raise self.fail(path + ("from",), f"type d'événement inconnu {anchor!r}", f"unknown event type {anchor!r}")
            fields["anchor"] = anchor
        if kind == "allowed_list":
            fields.update(self.allowed_list(raw, path))
        if kind in ("on_event", "response", "allowed_list"):
            fields["key"] = str(raw["key"])
        derives = raw.get("derives")
        if derives is not None and not (isinstance(derives, dict) and set(derives) == {"fact"}):
            raise self.fail(path + ("derives",), "derives : {fact: NOM_DU_FAIT}", "derives: {fact: FACT_NAME}")
        evidence = raw.get("evidence")
        if evidence is not None and not (isinstance(evidence, dict) and set(evidence) == {"kind"}):
            raise self.fail(path + ("evidence",), "evidence : {kind: GENRE_DE_PIÈCE}", "evidence: {kind: EVIDENCE_KIND}")
        serves = raw.get("serves") or []
        return Monitor(
            id=str(raw["id"]),
            kind=kind,
            title=self.text(raw["title"], path + ("title",)),
            severity=raw["severity"],
            alert=self.text(raw["alert"], path + ("alert",)),
            warning=self.text(raw["warning"], path + ("warning",)) if "warning" in raw else None,
            action=self.text(raw["action"], path + ("action",)),
            source=dict(source),
            provenance=raw["provenance"],
            ruleset=self.folder,
            serves=tuple(serves),
            where=self.tests(raw.get("where"), path + ("where",)),
            lead_ms=lead,
            derives=derives["fact"] if derives else None,
            evidence=evidence["kind"] if evidence else None,
            assumption=self.text(raw["assumption"], path + ("assumption",)) if "assumption" in raw else None,
            **fields,
        )


@dataclass(frozen=True, slots=True)
class Count:
    """An integer fact the journal gives `check`: how many keys (reports) have a first event of the
    pattern's type that passes its tests (`counts:` of a monitor file, docs/journal.md § 6)."""

    fact: str
    key: str
    pattern: Pattern
    ruleset: str


@dataclass(frozen=True, slots=True)
class MonitorSet:
    monitors: tuple[Monitor, ...]
    sources: dict[str, dict[str, Any]]  # "<folder>/<source id>" -> the source's entry
    counts: tuple[Count, ...] = ()

    def source_of(self, monitor: Monitor) -> dict[str, Any]:
        return self.sources.get(f"{monitor.ruleset}/{monitor.source['document']}", {})


def _counts(reader: _Reader, data: Any) -> list[Count]:
    if data is None:
        return []
    if not isinstance(data, list):
        raise reader.fail(("counts",), "« counts » : une liste", "`counts`: a list")
    out = []
    for i, item in enumerate(data):
        if not (isinstance(item, dict) and set(item) == {"fact", "key", "event"} and isinstance(item["fact"], str)
                and isinstance(item["key"], str)):
            raise reader.fail(
                ("counts", i),
                "un compte est {fact: NOM_DU_FAIT, key: CHAMP, event: {event: TYPE, where: [...]}}",
                "a count is {fact: FACT_NAME, key: FIELD, event: {event: TYPE, where: [...]}}",
            )
        pattern = reader.pattern(item["event"], ("counts", i, "event"))
        if item["key"] not in FIELDS[pattern.event]:
            raise reader.fail(
                ("counts", i, "key"),
                f"{pattern.event} n'a pas de champ « {item['key']} »",
                f"{pattern.event} has no field `{item['key']}`",
            )
        out.append(Count(item["fact"], item["key"], pattern, reader.folder))
    return out


def load_monitor_file(path: Path) -> tuple[list[Monitor], dict[str, dict[str, Any]]]:
    monitors, sources, _ = load_monitor_document(path)
    return monitors, sources


def load_monitor_document(path: Path) -> tuple[list[Monitor], dict[str, dict[str, Any]], list[Count]]:
    located = load_document(path)
    data = located.data
    reader = _Reader(located, path.parent.name)
    if not isinstance(data, dict) or data.get("format") != FORMAT or set(data) - {"format", "sources", "monitors", "counts"}:
        raise reader.fail(
            (),
            f"un fichier de moniteurs a format: {FORMAT}, sources, monitors et counts (facultatif)",
            f"a monitor file has format: {FORMAT}, sources, monitors and counts (optional)",
        )
    sources = {}
    for i, item in enumerate(data.get("sources") or []):
        if not isinstance(item, dict) or not item.get("id") or not item.get("title"):
            raise reader.fail(("sources", i), "une source a au moins id et title", "a source has at least id and title")
        sources[f"{path.parent.name}/{item['id']}"] = dict(item)
    ids = {key.split("/", 1)[1] for key in sources}
    monitors = [reader.monitor(raw, ("monitors", i), ids) for i, raw in enumerate(data.get("monitors") or [])]
    return monitors, sources, _counts(reader, data.get("counts"))


def load_monitors(rulesets_dir: Path | None = None) -> MonitorSet:
    """Every `*/monitors.yaml` below the rulesets folder (the bundled one by default)."""
    from ..loader import bundled_rulesets_dir

    base = rulesets_dir or bundled_rulesets_dir()
    monitors: list[Monitor] = []
    sources: dict[str, dict[str, Any]] = {}
    counts: list[Count] = []
    seen: dict[str, str] = {}
    for path in sorted(base.glob("*/monitors.yaml")):
        found, more, counted = load_monitor_document(path)
        counts += counted
        for monitor in found:
            if monitor.id in seen:
                raise InputError(
                    str(path),
                    Bilingual(
                        f"moniteur {monitor.id} déjà défini dans {seen[monitor.id]}",
                        f"monitor {monitor.id} already defined in {seen[monitor.id]}",
                    ),
                )
            seen[monitor.id] = str(path)
        monitors += found
        sources.update(more)
    return MonitorSet(tuple(monitors), sources, tuple(counts))
