"""The ruleset file format as immutable records (docs/ruleset-format.md §3-5), validated by pydantic.

The classes are stdlib dataclasses (`record.py`: frozen, slotted, with methods shared rather than
generated per class) so that importing them (and unpickling a cached library, see cache.py) never
imports pydantic: that import and its validator build are most of a cold
start. pydantic validates them all the same (`validation.py` builds the validators on demand):
`__pydantic_config__` forbids unknown keys, `Check` carries field constraints, `__post_init__`
holds the cross-field rules. Conditions (`applies_if`, `requires`, `when`) stay raw here:
`conditions.py` parses and checks them once every fact and criterion is known.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import field
from typing import Annotated, Any, Literal

from .errors import Bilingual, InputError
from .record import Record, record
from .source_files import Located


class Check:
    """Constraints on one value (pattern, min_length, gt, ge, le), applied by pydantic when validating."""

    __slots__ = ("constraints",)

    def __init__(self, **constraints: Any) -> None:
        self.constraints = constraints

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        return {**handler(source), **self.constraints}


Ident = Annotated[str, Check(pattern=r"^[a-z][a-z0-9_]*$")]
CriterionId = Annotated[str, Check(pattern=r"^[A-Z][A-Z0-9]*(-[A-Za-z0-9.]+)+$")]
NonEmpty = Annotated[str, Check(min_length=1)]
Provenance = Literal["official_text", "published_summary", "reconstructed"]
Condition = dict[str, Any]

class Strict(Record):
    """Base of every file model: unknown keys are errors."""

    __slots__ = ()
    __pydantic_config__ = {"extra": "forbid"}


@record
class Text(Strict):
    """A user-facing text in French (default) and English."""

    fr: NonEmpty
    en: NonEmpty

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr


@record
class Citation(Strict):
    """How a reader finds a source document (docs/ruleset-format.md §3): the text's public name,
    where to read it and, when our wording is rebuilt rather than copied, what it was rebuilt from.
    The document's `title`, `seed` and lines stay the maintainers' provenance."""

    name: Text
    where: Text | None = None  # « Légifrance », « site du CNC »
    url: Annotated[str, Check(pattern=r"^https?://\S+$")] | None = None  # a web page: reports link to it
    reconstruction: Text | None = None  # plain words: « grille reconstituée par raccord à partir de … »
    caveat: Text | None = None  # said once, at the top of every report that cites the document
    wording: dict[str, Text] = field(default_factory=dict)  # our qualifiers in a section → the reader's words


@record
class SourceDocument(Strict):
    id: Ident
    title: str
    edition: str | None = None
    date: dt.date | None = None
    seed: str | None = None
    url: str | None = None
    note: str | None = None
    citation: Citation | None = None

    def cite(self, section: str, url: str | None = None) -> dict[str, Any]:
        """The public citation of `section` of this document, as plain data: name, article, where
        to read it (no seed file, no line numbers, no internal id)."""
        cit = self.citation
        name = to_data(cit.name) if cit else {"fr": self.title, "en": self.title}
        article = {"fr": section, "en": section}
        for ours, theirs in (cit.wording.items() if cit else ()):
            article = {lang: value.replace(ours, theirs.get(lang)) for lang, value in article.items()}
        out: dict[str, Any] = {"name": name, "article": article, "url": url or (cit and cit.url) or self.url}
        if cit:
            out |= {"where": to_data(cit.where), "reconstruction": to_data(cit.reconstruction), "caveat": to_data(cit.caveat)}
        return {k: v for k, v in out.items() if v is not None}


@record
class SourceRef(Strict):
    document: Ident
    section: NonEmpty
    lines: Annotated[str, Check(pattern=r"^\d+(-\d+)?(, *\d+(-\d+)?)*$")] | None = None
    quote: str | None = None
    url: str | None = None


FIELD_NAME = r"^[a-z][a-z0-9_]*$"
MEMBER_REF = r"^[A-Z][A-Z0-9]*-[0-9A-Z]+$"  # pseudonymous internal references: P-014, E-02


COMPARED = ("lt", "lte", "gt", "gte")


@record
class Agreement(Strict):
    """This fact compared with another fact of the same dossier (docs/ruleset-format.md §2.1): a
    dossier giving both where the comparison fails is refused, located. `plus_days` shifts the other
    date (`{gte: dates.wrap, plus_days: 0}`)."""

    lt: str | None = None
    lte: str | None = None
    gt: str | None = None
    gte: str | None = None
    plus_days: Annotated[int, Check(ge=-3660, le=3660)] = 0
    message: Text | None = None  # else one is written from the two facts' titles

    def __post_init__(self) -> None:
        if sum(getattr(self, op) is not None for op in COMPARED) != 1:
            raise ValueError("an agreement compares with one fact: give one of lt, lte, gt, gte")

    @property
    def op(self) -> str:
        return next(op for op in COMPARED if getattr(self, op) is not None)

    @property
    def other(self) -> str:
        return getattr(self, self.op)


@record
class FactWarning(Strict):
    """A legally suspicious combination of facts (docs/ruleset-format.md §2.1): when every test of
    `when` holds, the dossier loads with a warning citing `rule`. A test is a value (equal), a list
    of values (one of them; null is « unknown »), or one comparison {gte: 11}, which an unknown
    value never satisfies."""

    when: Annotated[dict[str, Any], Check(min_length=1)]
    message: Text
    rule: Text  # the rule it rests on, as a reader finds it (« Code du travail, art. L. 2311-2 »)


@record
class FactDef(Strict):
    """A fact of the catalogue. A `collection` fact is a list of pseudonymous members (docs/ruleset-format.md
    §6.1): each has a `ref` matching `ref_pattern` and the `fields` declared, typed like facts."""

    type: Literal["boolean", "integer", "number", "date", "enum", "set", "string", "collection"]
    title: Text
    help: Text | None = None
    values: list[str] | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    replaces: list[str] = field(default_factory=list)  # former names: a dossier using one is told the new one
    fields: dict[Annotated[str, Check(pattern=FIELD_NAME)], FactDef] | None = None  # collection only
    ref_pattern: str = MEMBER_REF  # collection only: what a member's internal reference looks like
    agrees: list[Agreement] = field(default_factory=list)  # comparisons with other facts that must hold
    warns: list[FactWarning] = field(default_factory=list)  # suspicious combinations, said when loading

    def __post_init__(self) -> None:
        if self.agrees and self.type not in ("integer", "number", "date"):
            raise ValueError("only number and date facts declare `agrees`")
        if self.type in ("enum", "set") and not self.values:
            raise ValueError(f"a {self.type} fact needs `values`")
        if self.type not in ("enum", "set") and self.values:
            raise ValueError(f"`values` only goes with enum or set facts, not {self.type}")
        if (self.type == "collection") != (self.fields is not None):
            raise ValueError("a collection fact, and only one, declares its members' `fields`")
        for name, member_field in (self.fields or {}).items():
            if member_field.type == "collection" or name == "ref":
                raise ValueError(f"field '{name}': a member's field is a plain value (`ref` is its reference)")


@record
class FactCatalogueFile(Strict):
    facts: dict[str, FactDef]


@record
class Deadline(Strict):
    """When a criterion is due, counted from a date fact of the dossier (docs/ruleset-format.md §4).

    due date = `date` + `offset_days` (negative: that many days before; « avant le premier jour de
    tournage » is -1, « au plus tard 15 jours après » is +15); calendar days, as the CCNPC and the
    RGA count them. The step should start `lead_days` before (a prefect's authorisation takes a
    month). After the due date the step is lost (`late: closed`, the default) or still possible,
    late (`late: allowed`).

    A periodic duty (the yearly DUERP update) gives `every_months` instead of `date`: it is due that
    many calendar months after the last piece of evidence of kind `evidence` was collected (due
    at once when there is none).

    `stage` instead of `date`: due by the end of that stage of the ruleset, the date its own `due`
    gives (`offset_days` then moves it). A stage's `due` is the implicit deadline of its criteria
    and evidence pieces that give none.

    `field` with a collection fact as `date`: due person by person, counted from that date field of
    each member (a child's hiring date); `otherwise_date`, a date fact, when the dossier gives no
    list."""

    date: str | None = None
    field: Annotated[str, Check(pattern=FIELD_NAME)] | None = None
    otherwise_date: str | None = None
    stage: Ident | None = None
    every_months: Annotated[int, Check(ge=1, le=120)] | None = None
    evidence: Ident | None = None
    offset_days: Annotated[int, Check(ge=-3660, le=3660)] = 0
    lead_days: Annotated[int, Check(ge=0, le=3660)] = 0
    late: Literal["closed", "allowed"] = "closed"
    source: SourceRef

    def __post_init__(self) -> None:
        if sum(x is not None for x in (self.date, self.every_months, self.stage)) != 1:
            raise ValueError("a deadline counts from a date fact (`date`), the end of a stage (`stage`) or repeats "
                             "(`every_months`): give one")
        if self.every_months is not None and self.evidence is None:
            raise ValueError("a periodic deadline names the evidence kind whose collection date it counts from")
        if (self.field is not None or self.otherwise_date is not None) and self.date is None:
            raise ValueError("`field` and `otherwise_date` go with `date`, a collection fact")
        if self.otherwise_date is not None and self.field is None:
            raise ValueError("`otherwise_date` is the date of a deadline over a list of persons (`field`)")


@record
class EvidenceSpec(Strict):
    kind: Ident
    description: Text
    stage: Ident | None = None  # when this piece is due, if earlier or later than its criterion's stage
    due: Deadline | None = None  # its own deadline (docs/ruleset-format.md §4), else its stage's


@record
class Group(Strict):
    id: Ident
    title: Text
    description: Text | None = None


@record
class Stage(Strict):
    id: Ident
    title: Text
    reached_if: Condition | None = None
    due: Deadline | None = None  # when its criteria are due, unless they say otherwise (a `date` deadline)


@record
class Dated(Strict):
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    def __post_init__(self) -> None:
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            raise ValueError(f"valid_from {self.valid_from} is after valid_until {self.valid_until}")

    def in_force(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


@record
class AmountDue(Strict):
    """A sum the criterion makes due, computed as rate x a numeric fact (e.g. EUR 30 per week of mandate)."""

    title: Text
    rate: Annotated[float, Check(gt=0)]
    per_fact: str
    unit: str = "EUR"


@record
class Criterion(Dated):
    id: CriterionId
    title: Text
    group: Ident
    description: Text | None = None
    applies_if: Condition | None = None
    not_applicable_reason: Text | None = None
    requires: Condition
    points: Annotated[float, Check(gt=0)] | None = None
    mandatory: bool = False
    level: Annotated[int, Check(ge=1)] | None = None
    scheme: Ident | None = None
    evidence: list[EvidenceSpec] = field(default_factory=list)
    effort: Annotated[float, Check(ge=0)] = 1.0
    stage: Ident | None = None
    source: SourceRef
    provenance: Provenance
    assumption: Text | None = None
    strength_note: str | None = None
    tags: list[str] = field(default_factory=list)
    amount_due: AmountDue | None = None
    due: Deadline | None = None


@record
class PolicyParams(Strict):
    """What every scoring policy accepts under `policy:`: its kind and the referential's own scope
    (when false, every criterion is not applicable and no score is given). Each policy module
    extends it with its own parameters (`Policy.Params`), validated once the kind is known."""

    kind: Ident
    applies_if: Condition | None = None
    not_applicable_reason: Text | None = None


@record
class Totals(Strict):
    criteria: int | None = None
    points: float | None = None
    groups: int | None = None


@record
class Ruleset(Dated):
    id: Ident
    title: Text
    version: str
    description: Text | None = None
    sources: Annotated[list[SourceDocument], Check(min_length=1)]
    groups: Annotated[list[Group], Check(min_length=1)]
    stages: list[Stage] = field(default_factory=list)
    facts: dict[str, FactDef] = field(default_factory=dict)
    policy: Any  # a dict when read, the policy's validated Params once loaded (loader.py)
    totals: Totals | None = None
    criteria: Annotated[list[Criterion], Check(min_length=1)]


def to_data(value: Any, exclude_none: bool = False, json: bool = False) -> Any:
    """A model as plain dicts and lists (dates kept, or ISO strings with `json`)."""
    if hasattr(value, "__dataclass_fields__"):
        out = {}
        for name in value.__dataclass_fields__:
            item = getattr(value, name)
            if not (exclude_none and item is None):
                out[name] = to_data(item, exclude_none, json)
        return out
    if isinstance(value, (list, tuple)):
        return [to_data(v, exclude_none, json) for v in value]
    if isinstance(value, dict):
        return {k: to_data(v, exclude_none, json) for k, v in value.items()}
    if json and isinstance(value, dt.date):
        return value.isoformat()
    return value


def validate_model(model: type, located: Located, path: tuple = ()) -> Any:
    """Validate `located.data` (or the value at `path`) into `model`, located one-line errors."""
    from pydantic_core import ValidationError

    from .validation import validator

    data = located.data
    for key in path:
        data = data[key]
    try:
        return validator(model).validate_python(data)
    except ValidationError as exc:
        raise located_validation_error(exc, located, path) from None


def located_validation_errors(exc: Any, located: Located, path: tuple = ()) -> list[InputError]:
    """Every problem pydantic found, each located, in French and English (dossiers)."""
    out = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        field_name = ".".join(str(p) for p in loc) or "(document)"
        fr, en = _message_fr(error), _message(error)
        out.append(InputError(located.where(path + loc), Bilingual(f"{field_name} : {fr}", f"{field_name}: {en}"),
                              _hint_both(error)))
    return out


def located_validation_error(exc: Any, located: Located, path: tuple = ()) -> InputError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = tuple(first["loc"])
    field_name = ".".join(str(p) for p in loc) or "(document)"
    message = _message(first)
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return InputError(located.where(path + loc), f"{field_name}: {message}{more}", _hint(first))



_KIND_MESSAGES = {  # pydantic error kinds -> what to tell the user (fr, en)
    **dict.fromkeys(("extra_forbidden", "unexpected_keyword_argument"), Bilingual("clé inconnue", "unknown key")),
    **dict.fromkeys(("missing", "missing_argument"), Bilingual("clé obligatoire absente", "required key is missing")),
    **dict.fromkeys(("dataclass_type", "dataclass_args_type", "model_type", "dict_type"),
                    Bilingual("une table de clés et de valeurs est attendue ici", "expected a mapping of keys to values here")),
}


def _message(error: dict) -> str:
    known = _KIND_MESSAGES.get(error["type"])
    return known.en if known else error["msg"].removeprefix("Value error, ")


def _hint(error: dict) -> str:
    kind = error["type"]
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        return "see docs/ruleset-format.md for the keys allowed here"
    if kind in ("missing", "missing_argument") and error["loc"] and error["loc"][-1] in ("source", "provenance"):
        return "every criterion must cite its source and state its provenance"
    if kind.startswith("date"):
        return "dates are written YYYY-MM-DD"
    if kind == "string_pattern_mismatch" and error["loc"] and error["loc"][-1] == "url":
        return "a citation's url is a web page: https://..."
    if kind == "string_pattern_mismatch":
        found = _pattern_hint(error)
        return found.en if found else "identifiers use lower_snake_case; criterion ids look like ECO-PROD-01"
    return ""


# What a pattern of the file models means, said as the hint of a value that does not match it.
_PATTERN_HINTS = {
    r"^[a-z0-9][a-z0-9-]*$": Bilingual("minuscules, chiffres et tirets (pas de tiret bas), par exemple la-nuit-des-lucioles",
                                       "lowercase letters, digits and hyphens (no underscore), e.g. la-nuit-des-lucioles"),
    r"^[a-z][a-z0-9_]*$": Bilingual("minuscules, chiffres et tirets bas, par exemple menus_restauration",
                                    "lower_snake_case, e.g. menus_restauration"),
    r"^[A-Z][A-Z0-9]*(-[A-Za-z0-9.]+)+$": Bilingual("un identifiant de critère ressemble à ECO-PROD-01",
                                                    "criterion ids look like ECO-PROD-01"),
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$": Bilingual("lettres, chiffres, « . », « _ » et « - », par exemple EV-001",
                                               "letters, digits, '.', '_' and '-', e.g. EV-001"),
    r"^[0-9a-f]{64}$": Bilingual("64 chiffres hexadécimaux en minuscules (le SHA-256 du fichier)",
                                 "64 lowercase hexadecimal digits (the file's SHA-256)"),
}
_HINTS_FR = {  # the other hints of `_hint`, in French
    "see docs/ruleset-format.md for the keys allowed here": "voir docs/ruleset-format.md pour les clés permises ici",
    "dates are written YYYY-MM-DD": "attendu : une date AAAA-MM-JJ, par exemple 2026-03-02",
}


def _pattern_hint(error: dict) -> Bilingual | None:
    return _PATTERN_HINTS.get((error.get("ctx") or {}).get("pattern", "")) if error["type"] == "string_pattern_mismatch" else None


def _hint_both(error: dict) -> Bilingual | str:
    found = _pattern_hint(error)
    if found is not None:
        return found
    hint = _hint(error)
    return Bilingual(_HINTS_FR.get(hint, hint), hint) if hint else ""


def _message_fr(error: dict) -> str:
    kind = error["type"]
    if kind in _KIND_MESSAGES:
        return _KIND_MESSAGES[kind].fr
    if kind == "string_pattern_mismatch":
        return f"« {error.get('input')} » n'a pas la forme attendue"
    if kind.startswith("date"):
        return f"« {error.get('input')} » n'est pas une date"
    if kind in ("string_type", "string_too_short"):
        return "un texte non vide est attendu"
    if kind == "literal_error":
        return f"valeur non permise (attendu : {(error.get('ctx') or {}).get('expected', '')})"
    if kind == "list_type":
        return "une liste est attendue"
    ctx = error.get("ctx") or {}
    simple = {"int_type": "un nombre entier est attendu", "int_parsing": "un nombre entier est attendu",
              "int_from_float": "un nombre entier est attendu", "float_type": "un nombre est attendu",
              "float_parsing": "un nombre est attendu", "bool_type": "true ou false est attendu",
              "bool_parsing": "true ou false est attendu", "string_too_long": "texte trop long"}
    if kind in simple:
        return simple[kind]
    bounds = {"greater_than": ("supérieur à", "gt"), "greater_than_equal": ("au moins", "ge"),
              "less_than": ("inférieur à", "lt"), "less_than_equal": ("au plus", "le")}
    if kind in bounds:
        words, key = bounds[kind]
        bound = ctx.get(key)
        shown = f"{bound:g}".replace(".", ",") if isinstance(bound, (int, float)) else bound
        return f"attendu : {words} {shown}"
    if kind == "enum":
        return f"valeur non permise (attendu : {ctx.get('expected', '')})"
    from .messages_fr import french  # a model check's own words (value_error), when known

    return french(_message(error)) or _message(error)
