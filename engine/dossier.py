"""The production dossier: facts, evidence register and declarations (docs/ruleset-format.md §7)."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import field
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

from . import fact_values
from .errors import InputError
from .fact_values import coerce_fact
from .model import Check, FactDef, Ident, NonEmpty, Strict, validate_model
from .record import Record, record
from .roster import Roster, coerce_roster
from .source_files import Located, load_document

FORMAT = "raccord.dossier/1"


@record
class Auditor(Strict):
    status: Literal["pending", "accepted", "rejected"] = "pending"
    reason: str | None = None
    by: str | None = None
    date: dt.date | None = None

    def __post_init__(self) -> None:
        if self.status == "rejected" and not self.reason:
            raise ValueError("a rejected item needs a `reason`")


@record
class PreviousVersion(Strict):
    """A version of an evidence item's file that a newer one replaced (`raccord evidence replace`):
    nothing registered is lost, and a review of that version stays traceable to its hash."""

    sha256: Annotated[str, Check(pattern=r"^[0-9a-f]{64}$")] | None = None
    size: Annotated[int, Check(ge=0)] | None = None
    path: str | None = None
    url: str | None = None
    collected: dt.date | None = None
    author: str | None = None
    replaced: dt.date | None = None  # the day it was replaced
    replaced_by: str | None = None  # who replaced it (a role)
    auditor: Auditor | None = None  # the auditor's inline decision on that version, if any


@record
class EvidenceItem(Strict):
    id: Annotated[str, Check(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    kind: Ident
    criteria: list[str] = field(default_factory=list)
    path: str | None = None
    url: str | None = None
    sha256: Annotated[str, Check(pattern=r"^[0-9a-f]{64}$")] | None = None
    size: Annotated[int, Check(ge=0)] | None = None
    collected: dt.date | None = None
    expires: dt.date | None = None
    author: str | None = None
    auditor: Auditor = field(default_factory=Auditor)
    note: str | None = None
    seen: str | None = None  # an online item (`url`): what was seen there on `collected`
    member: str | None = None  # the internal reference of the roster member it concerns (P-014)
    history: list[PreviousVersion] = field(default_factory=list)  # earlier versions, oldest first

    def __post_init__(self) -> None:
        if self.path and self.url:
            raise ValueError("give either `path` or `url`, not both")
        if self.path is not None:
            confined_relative_path(self.path)
        if self.collected and self.expires and self.expires < self.collected:
            raise ValueError(f"expires {self.expires} is before collected {self.collected}")


def confined_relative_path(text: str) -> PurePosixPath:
    """A path written in a dossier: relative, inside the dossier folder. Symlinks are checked on disk later."""
    if "\0" in text:  # no file name holds one: the system would refuse the path, not find no file
        raise ValueError("path contains a NUL character (\\0), which no file name can")
    if "\\" in text:
        raise ValueError(f"path '{text}' uses backslashes; write it with /")
    path = PurePosixPath(text)
    if path.is_absolute() or (path.parts and path.parts[0].endswith(":")):
        raise ValueError(f"path '{text}' is absolute; evidence paths are relative to the dossier folder")
    depth = 0
    for part in path.parts:
        depth += -1 if part == ".." else (0 if part == "." else 1)
        if depth < 0:
            raise ValueError(f"path '{text}' leaves the dossier folder")
    if not path.parts:
        raise ValueError("empty path")
    return path


@record
class Production(Strict):
    id: Annotated[str, Check(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: NonEmpty
    company: str | None = None
    description: str | None = None


@record
class Tracking(Strict):
    """The coordinator's follow-up of one criterion (`raccord import checklist`): progress, owner (a
    role, never a name), due date, comment. The evaluation never reads it."""

    status: Literal["todo", "in_progress", "done"] | None = None
    owner: str | None = None
    due: dt.date | None = None
    comment: str | None = None


@record
class DossierFile(Strict):
    format: Literal["raccord.dossier/1"]
    production: Production
    facts: dict[str, Any] = field(default_factory=dict)
    evidence: list[EvidenceItem] = field(default_factory=list)
    not_applicable: dict[str, Annotated[str, Check(min_length=3)]] = field(default_factory=dict)
    declined: dict[str, Annotated[str, Check(min_length=3)]] = field(default_factory=dict)
    portfolio: list[str] = field(default_factory=list)
    tracking: dict[str, Tracking] = field(default_factory=dict)  # criterion id -> follow-up (cli/checklist.py)


@record(positional=True, frozen=False)
class Dossier(Record):
    """A validated dossier: the file model plus its facts, typed and flattened."""

    file: DossierFile
    facts: dict[str, Any]
    path: Path | None
    located: Located
    # Derived once per evaluation date (the dossier never changes after loading): see evaluate.py.
    prepared: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    # The auditor's file applied to it (engine/review.py `with_reviews`), if any.
    audit: Any = field(default=None, repr=False, compare=False)

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    @property
    def label(self) -> str:
        return self.file.production.id


def flatten_facts(raw: dict[str, Any], catalogue: dict[str, FactDef], located: Located,
                  path: tuple = ("facts",)) -> dict[str, tuple[Any, tuple]]:
    """Nested or dotted fact names -> {name: (value, location path)}."""
    if not isinstance(raw, dict):
        raise InputError(located.where(path), "`facts` must be a mapping of fact names to values")
    out: dict[str, tuple[Any, tuple]] = {}
    # A loop, not a recursive closure: a closure that calls itself is a reference cycle, which would
    # keep the whole parsed document alive until the cyclic collector runs.
    pending = [(str(key), value, path + (key,)) for key, value in reversed(raw.items())]
    while pending:
        prefix, node, where = pending.pop()
        if prefix in catalogue or not isinstance(node, dict):
            if prefix not in catalogue:
                raise InputError(located.where(where), f"unknown fact '{prefix}'", _hint(prefix, catalogue))
            if prefix in out:
                raise InputError(located.where(where), f"fact '{prefix}' is given twice")
            out[sys.intern(prefix)] = (node, where)  # one name object for every dossier
            continue
        pending += [(f"{prefix}.{key}", value, where + (key,)) for key, value in reversed(node.items())]
    return out


def _hint(name: str, catalogue: dict[str, FactDef]) -> str:
    import difflib

    for new, fact in catalogue.items():
        if name in fact.replaces:
            return f"renamed: write '{new}' instead ({fact.title.en.lower()})"

    close = difflib.get_close_matches(name, list(catalogue), n=1, cutoff=0.7)
    return f"did you mean '{close[0]}'?" if close else "`raccord schema` lists every fact"


def as_date(value: Any) -> dt.date | None:
    """A YAML date or an ISO `YYYY-MM-DD` string as a date; None for anything else (datetimes too)."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def build_dossier(located: Located, catalogue: dict[str, FactDef], path: Path | None) -> Dossier:
    if not isinstance(located.data, dict):
        raise InputError(located.where(), "a dossier is a mapping with `format`, `production`, `facts`, `evidence`")
    model: DossierFile = validate_model(DossierFile, located)
    facts = {}
    for name, (value, where) in flatten_facts(model.facts, catalogue, located).items():
        if catalogue[name].type == "collection":
            coerced = None if value is None else coerce_roster(name, value, catalogue[name], located, where)
        else:
            coerced = coerce_fact(name, value, catalogue[name], located.where(where))
        if coerced is not None:
            facts[name] = coerced
    seen: set[str] = set()
    for i, item in enumerate(model.evidence):
        if item.id in seen:
            raise InputError(located.where(("evidence", i, "id")), f"evidence id '{item.id}' is used twice")
        seen.add(item.id)
    _check_members(model.evidence, facts, located)
    _share_equal_values(model.evidence)
    # The file's facts as typed above (the nested form as written is not kept), and the document
    # without its data and positions: a dossier kept for evaluation costs a fifth of the memory.
    _set(model, "facts", facts)
    return Dossier(model, facts, path, located.detached())


def _check_members(evidence: list[EvidenceItem], facts: dict[str, Any], located: Located) -> None:
    """An item naming a member names one of the dossier's rosters."""
    named = [(i, item) for i, item in enumerate(evidence) if item.member is not None]
    if not named:
        return
    refs = frozenset().union(*(value.refs for value in facts.values() if isinstance(value, Roster)))
    for i, item in named:
        if item.member not in refs:
            raise InputError(located.where(("evidence", i, "member")),
                             f"la pièce {item.id} concerne le membre « {item.member} », "
                             "absent des listes de personnes du dossier",
                             "une référence interne d'un membre (par exemple P-014), listée sous les faits de type collection")


class _NoCriteria(list):
    """The empty `criteria` list shared by every evidence item that names no criterion (most do
    not): a list, equal to `[]`, that refuses to change."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("an evidence item's criteria do not change")

    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse


_NO_CRITERIA = _NoCriteria()
_PENDING = Auditor()
# Dates are values like small numbers: a portfolio's dossiers share one object per day (a few
# thousand days at most, against a date object per fact and per evidence item of every dossier).
_DATES: dict[dt.date, dt.date] = fact_values._DATES
_set = object.__setattr__


def _share_equal_values(evidence: list[EvidenceItem]) -> None:
    """A portfolio holds thousands of dossiers: the same small value in each costs memory for
    nothing. Evidence kinds and criterion ids (the rulesets' vocabulary), evidence ids (raccord
    numbers them EV-001, EV-002... in every dossier) and dates are shared; an item naming no
    criterion gets the shared empty list, a `pending` auditor record with nothing else (most are)
    the shared one. Done on the records just validated, before anything else sees them; they are
    immutable from then on."""
    intern = sys.intern
    for item in evidence:
        _set(item, "id", intern(item.id))
        _set(item, "kind", intern(item.kind))
        if item.criteria:
            _set(item, "criteria", [intern(cid) for cid in item.criteria])
        else:
            _set(item, "criteria", _NO_CRITERIA)
        if item.collected is not None:
            _set(item, "collected", _DATES.setdefault(item.collected, item.collected))
        if item.expires is not None:
            _set(item, "expires", _DATES.setdefault(item.expires, item.expires))
        auditor = item.auditor
        if auditor.status == "pending" and auditor.reason is None and auditor.by is None and auditor.date is None:
            _set(item, "auditor", _PENDING)


def load_dossier(path: Path, catalogue: dict[str, FactDef]) -> Dossier:
    located = load_document(path)
    dossier = build_dossier(located, catalogue, path)
    # Derived facts: the shooting journal beside the dossier (`<name>.journal.jsonl`) gives facts and
    # evidence (engine/live/derived.py, docs/journal.md), so that `check` and `watch` read one truth.
    journal = path.with_name(path.stem + ".journal.jsonl")
    if journal.is_file():
        from .live.derived import add_journal

        add_journal(dossier, journal, catalogue)
    return dossier
