"""The ruleset file format as pydantic models (docs/ruleset-format.md §3-5).

Conditions (`applies_if`, `requires`, `when`) stay raw here: `conditions.py` parses and checks them
once every fact and criterion is known.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import InputError
from .source_files import Located

Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
CriterionId = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Za-z0-9.]+)+$")]
Provenance = Literal["official_text", "published_summary", "reconstructed"]
Condition = dict[str, Any]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Text(Strict):
    """A user-facing text in French (default) and English."""

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr


class SourceDocument(Strict):
    id: Ident
    title: str
    edition: str | None = None
    date: dt.date | None = None
    seed: str | None = None
    url: str | None = None
    note: str | None = None


class SourceRef(Strict):
    document: Ident
    section: str = Field(min_length=1)
    lines: Annotated[str, Field(pattern=r"^\d+(-\d+)?(, *\d+(-\d+)?)*$")] | None = None
    quote: str | None = None
    url: str | None = None


class FactDef(Strict):
    type: Literal["boolean", "integer", "number", "date", "enum", "set", "string"]
    title: Text
    help: Text | None = None
    values: list[str] | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None

    @model_validator(mode="after")
    def _values_for_enums(self) -> FactDef:
        if self.type in ("enum", "set") and not self.values:
            raise ValueError(f"a {self.type} fact needs `values`")
        if self.type not in ("enum", "set") and self.values:
            raise ValueError(f"`values` only goes with enum or set facts, not {self.type}")
        return self


class FactCatalogueFile(Strict):
    facts: dict[str, FactDef]


class EvidenceSpec(Strict):
    kind: Ident
    description: Text


class Group(Strict):
    id: Ident
    title: Text
    description: Text | None = None


class Stage(Strict):
    id: Ident
    title: Text
    reached_if: Condition | None = None


class Dated(Strict):
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Dated:
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            raise ValueError(f"valid_from {self.valid_from} is after valid_until {self.valid_until}")
        return self

    def in_force(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class AmountDue(Strict):
    """A sum the criterion makes due, computed as rate x a numeric fact (e.g. EUR 30 per week of mandate)."""

    title: Text
    rate: float = Field(gt=0)
    per_fact: str
    unit: str = "EUR"


class Criterion(Dated):
    id: CriterionId
    title: Text
    group: Ident
    description: Text | None = None
    applies_if: Condition | None = None
    not_applicable_reason: Text | None = None
    requires: Condition
    points: float | None = Field(default=None, gt=0)
    mandatory: bool = False
    level: int | None = Field(default=None, ge=1)
    scheme: Ident | None = None
    evidence: list[EvidenceSpec] = []
    effort: float = Field(default=1.0, ge=0)
    stage: Ident | None = None
    source: SourceRef
    provenance: Provenance
    assumption: Text | None = None
    strength_note: str | None = None
    tags: list[str] = []
    amount_due: AmountDue | None = None


class ThresholdRule(Strict):
    when: Condition | None = None
    value: float = Field(gt=0, le=1)
    inclusive: bool
    source: SourceRef
    note: Text | None = None


class StarBand(Strict):
    min: float = Field(ge=0, le=1)
    stars: int = Field(ge=1)


class Stars(Strict):
    verified: bool
    note: Text | None = None
    bands: list[StarBand] = Field(min_length=1)


class Scoped(Strict):
    """A referential's own scope: when false, every criterion is not applicable and no score is given."""

    applies_if: Condition | None = None
    not_applicable_reason: Text | None = None


class ThresholdPolicy(Scoped):
    kind: Literal["threshold"]
    threshold: list[ThresholdRule] = Field(min_length=1)
    stars: Stars | None = None


class LevelDef(Strict):
    level: int = Field(ge=1)
    title: Text
    scope: Literal["project", "company"] = "project"


class LevelsPolicy(Scoped):
    kind: Literal["levels"]
    levels: list[LevelDef] = Field(min_length=1)
    target: int | None = None


class ObligationsPolicy(Scoped):
    kind: Literal["obligations"]


class Amount(Strict):
    value: float | None = Field(default=None, ge=0)
    rate: float | None = Field(default=None, gt=0, le=1)
    base: str | None = None
    currency: str = "EUR"
    kind: Literal["flat", "rate", "prize", "variable"] = "flat"
    note: Text | None = None


class Scheme(Dated):
    id: Ident
    title: Text
    description: Text | None = None
    amount: Amount | None = None
    source: SourceRef
    provenance: Provenance
    paid_at: Text | None = None
    note: Text | None = None


class EligibilityPolicy(Scoped):
    kind: Literal["eligibility"]
    schemes: list[Scheme] = Field(min_length=1)


Policy = Annotated[
    ThresholdPolicy | LevelsPolicy | ObligationsPolicy | EligibilityPolicy, Field(discriminator="kind")
]


class Totals(Strict):
    criteria: int | None = None
    points: float | None = None
    groups: int | None = None


class Ruleset(Dated):
    id: Ident
    title: Text
    version: str
    description: Text | None = None
    sources: list[SourceDocument] = Field(min_length=1)
    groups: list[Group] = Field(min_length=1)
    stages: list[Stage] = []
    facts: dict[str, FactDef] = {}
    policy: Policy
    totals: Totals | None = None
    criteria: list[Criterion] = Field(min_length=1)


def validate_model(model: type[Strict], located: Located, path: tuple = ()) -> Any:
    """Validate `located.data` (or the value at `path`) into `model`, located one-line errors."""
    data = located.data
    for key in path:
        data = data[key]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise located_validation_error(exc, located, path) from None


def located_validation_error(exc: ValidationError, located: Located, path: tuple = ()) -> InputError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = tuple(first["loc"])
    if len(loc) > 1 and loc[0] == "policy" and loc[1] in _POLICY_KINDS:
        loc = loc[:1] + loc[2:]  # pydantic inserts the discriminator value; the file has no such key
    field_name = ".".join(str(p) for p in loc) or "(document)"
    message = _message(first)
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return InputError(located.where(path + loc), f"{field_name}: {message}{more}", _hint(first))


_POLICY_KINDS = {"threshold", "levels", "obligations", "eligibility"}


def _message(error: dict) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    msg = error["msg"]
    return msg.removeprefix("Value error, ")


def _hint(error: dict) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "see docs/ruleset-format.md for the keys allowed here"
    if kind == "missing" and error["loc"] and error["loc"][-1] in ("source", "provenance"):
        return "every criterion must cite its source and state its provenance"
    if kind.startswith("date"):
        return "dates are written YYYY-MM-DD"
    if kind == "string_pattern_mismatch":
        return "identifiers use lower_snake_case; criterion ids look like ECO-PROD-01"
    return ""
