"""The production dossier: facts, evidence register and declarations (docs/ruleset-format.md §7)."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from dataclasses import field
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

from . import fact_values
from .consistency import disagreements, warnings
from .errors import Bilingual, InputError, Message
from .fact_values import coerce_fact, shown
from .model import Check, FactDef, Ident, NonEmpty, Strict, located_validation_errors
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
    copy: str | None = None  # an online item: where its saved copy is (confined like `path`; `sha256` is the copy's)
    member: str | None = None  # the internal reference of the roster member it concerns (P-014)
    history: list[PreviousVersion] = field(default_factory=list)  # earlier versions, oldest first

    def __post_init__(self) -> None:
        if self.path and self.url:
            raise ValueError("give either `path` or `url`, not both")
        if self.path is not None:
            confined_relative_path(self.path)
        if self.copy is not None:
            if not self.url:
                raise ValueError("`copy` is the saved copy of an online item: give `url` too")
            confined_relative_path(self.copy)
        if self.collected and self.expires and self.expires < self.collected:
            raise ValueError(f"expires {self.expires} is before collected {self.collected}")


@functools.lru_cache(maxsize=4096)  # each path is checked when loaded and again when its file is (cli/integrity.py)
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
    # fact -> the day the user answered « je ne sais pas » (raccord interview): not asked again unless
    # --reask (Engine.questions(reask=True)); the evaluation never reads it
    unanswered: dict[str, dt.date] = field(default_factory=dict)


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
    # Suspicious combinations of facts (engine/consistency.py): said when loading, never an error.
    warnings: list[InputError] = field(default_factory=list, repr=False, compare=False)

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    @property
    def label(self) -> str:
        return self.file.production.id


def flatten_facts(raw: dict[str, Any], catalogue: dict[str, FactDef], located: Located,
                  path: tuple = ("facts",), errors: list[InputError] | None = None) -> dict[str, tuple[Any, tuple]]:
    """Nested or dotted fact names -> {name: (value, location path)}. With `errors`, a problem is
    added there and the rest read on; without, it is raised."""
    def fail(error: InputError) -> None:
        if errors is None:
            raise error
        errors.append(error)

    if not isinstance(raw, dict):
        fail(InputError(located.where(path), Bilingual("`facts` doit être une table des noms de faits et de leurs valeurs",
                                                       "`facts` must be a mapping of fact names to values")))
        return {}
    out: dict[str, tuple[Any, tuple]] = {}
    # A loop, not a recursive closure: a closure that calls itself is a reference cycle, which would
    # keep the whole parsed document alive until the cyclic collector runs.
    pending = [(str(key), value, path + (key,)) for key, value in reversed(raw.items())]
    while pending:
        prefix, node, where = pending.pop()
        if prefix in catalogue or not isinstance(node, dict):
            if prefix not in catalogue:
                fail(InputError(located.where(where), Bilingual(f"fait inconnu {shown(prefix)}", f"unknown fact {prefix!r}"),
                                _hint(prefix, catalogue)))
            elif prefix in out:
                fail(InputError(located.where(where), Bilingual(f"le fait « {prefix} » est donné deux fois",
                                                                f"fact '{prefix}' is given twice")))
            else:
                out[sys.intern(prefix)] = (node, where)  # one name object for every dossier
            continue
        pending += [(f"{prefix}.{key}", value, where + (key,)) for key, value in reversed(node.items())]
    return out


def _hint(name: str, catalogue: dict[str, FactDef]) -> Bilingual:
    import difflib

    for new, fact in catalogue.items():
        if name in fact.replaces:
            return Bilingual(f"renommé : écrivez « {new} » ({fact.title.fr.lower()})",
                             f"renamed: write '{new}' instead ({fact.title.en.lower()})")

    close = difflib.get_close_matches(name, list(catalogue), n=1, cutoff=0.7)
    if close:
        return Bilingual(f"vouliez-vous dire « {close[0]} » ?", f"did you mean '{close[0]}'?")
    return Bilingual("`raccord schema` liste tous les faits", "`raccord schema` lists every fact")


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


MAX_ERRORS = 20  # shown at once; the rest are counted


class ManyInputError(InputError):
    """Several problems of one file, in file order: `errors` (each an InputError, located)."""

    __match_args__ = ("where", "message", "hint", "errors")
    _compared = __match_args__

    def __init__(self, where: str, message: Message, hint: Message = "", errors: list[InputError] | None = None) -> None:
        super().__init__(where, message, hint)
        self.errors = [] if errors is None else errors

    def render(self, lang: str = "fr") -> str:
        shown = self.errors[:MAX_ERRORS]
        more = len(self.errors) - len(shown)
        head = (f"{self.where}: {len(self.errors)} problems, in file order:" if lang == "en"
                else f"{self.where} : {len(self.errors)} problèmes, dans l'ordre du fichier :")
        lines = [head, *(f"  {error.render(lang)}" for error in shown)]
        if more:
            lines.append(f"  … and {more} more" if lang == "en" else f"  … et {more} autre{'s' if more > 1 else ''}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render("fr")


def raise_all(errors: list[InputError], located: Located) -> None:
    """Nothing if no error; the error itself if one; else every one, in the order of the file."""
    if not errors:
        return
    if len(errors) == 1:
        raise errors[0]
    order = {id(error): i for i, error in enumerate(errors)}
    errors = sorted(errors, key=lambda e: (_position(e.where, located.file), order[id(e)]))
    raise ManyInputError(located.file, Bilingual(f"{len(errors)} problèmes", f"{len(errors)} problems"), "", errors)


def _position(where: str, file: str) -> tuple[int, int]:
    """(line, column) of a `file:line:col` location; unlocated ones after the located ones."""
    rest = where[len(file) + 1:] if where.startswith(file + ":") else ""
    parts = rest.split(":")
    try:
        return int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        return (1 << 30, 0)


def build_dossier(located: Located, catalogue: dict[str, FactDef], path: Path | None) -> Dossier:
    """The dossier of a parsed document, every problem found at once (ManyInputError, in file order)."""
    if not isinstance(located.data, dict):
        raise InputError(located.where(), Bilingual("un dossier est une table avec `format`, `production`, `facts`, `evidence`",
                                                    "a dossier is a mapping with `format`, `production`, `facts`, `evidence`"))
    from pydantic_core import ValidationError

    from .validation import validator

    errors: list[InputError] = []
    model: DossierFile | None = None
    try:
        model = validator(DossierFile).validate_python(located.data)
    except ValidationError as exc:
        errors += located_validation_errors(exc, located)
    raw_facts = model.facts if model is not None else located.data.get("facts", {})
    facts: dict[str, Any] = {}
    where_of: dict[str, str] = {}
    failed: set[str] = set()
    for name, (value, where) in flatten_facts(raw_facts if raw_facts is not None else {}, catalogue, located,
                                              errors=errors).items():
        try:
            if catalogue[name].type == "collection":
                coerced = None if value is None else coerce_roster(name, value, catalogue[name], located, where)
            else:
                coerced = _coerced(name, value, catalogue[name], located, where)
        except InputError as exc:
            errors.append(exc)
            failed.add(name)
            continue
        if coerced is not None:
            facts[name] = coerced
            where_of[name] = where

    def fact_at(name: str) -> str:  # where a fact was given, looked up only for a message
        return located.where(where_of[name]) if name in where_of else located.file

    errors += disagreements(facts, catalogue, fact_at)
    if model is not None:
        seen: set[str] = set()
        for i, item in enumerate(model.evidence):
            if item.id in seen:
                errors.append(InputError(located.where(("evidence", i, "id")),
                                         Bilingual(f"l'identifiant de pièce « {item.id} » est employé deux fois",
                                                   f"evidence id '{item.id}' is used twice")))
            seen.add(item.id)
        if not any(catalogue[name].type == "collection" for name in failed):  # else its members are unknown
            errors += _check_members(model.evidence, facts, located)
        errors += [InputError(located.where(("unanswered", name)),
                              Bilingual(f"fait inconnu : « {name} »", f"unknown fact '{name}'"),
                              Bilingual("`unanswered:` liste des faits du catalogue (raccord schema)",
                                        "`unanswered:` lists facts of the catalogue (raccord schema)"))
                   for name in model.unanswered if name not in catalogue]
    raise_all(errors, located)
    assert model is not None  # no error: the model was validated
    _share_equal_values(model.evidence)
    # The file's facts as typed above (the nested form as written is not kept), and the document
    # without its data and positions: a dossier kept for evaluation costs a fifth of the memory.
    _set(model, "facts", facts)
    found = warnings(facts, catalogue, fact_at)
    return Dossier(model, facts, path, located.detached(), warnings=found)


def _coerced(name: str, value: Any, fact: FactDef, located: Located, where: tuple) -> Any:
    """`coerce_fact`, with the fact's position looked up only for its message: a dossier is read
    without positions (load_dossier), found again from the file when one is needed."""
    try:
        return coerce_fact(name, value, fact, located.file)
    except InputError:
        return coerce_fact(name, value, fact, located.where(where))


def _check_members(evidence: list[EvidenceItem], facts: dict[str, Any], located: Located) -> list[InputError]:
    """An item naming a member names one of the dossier's rosters."""
    named = [(i, item) for i, item in enumerate(evidence) if item.member is not None]
    if not named:
        return []
    refs = frozenset().union(*(value.refs for value in facts.values() if isinstance(value, Roster)))
    return [InputError(located.where(("evidence", i, "member")),
                       Bilingual(f"la pièce {item.id} concerne le membre « {item.member} », "
                                 "absent des listes de personnes du dossier",
                                 f"evidence {item.id} concerns member '{item.member}', "
                                 "who is in none of the dossier's lists of persons"),
                       Bilingual("une référence interne d'un membre (par exemple P-014), listée sous les faits "
                                 "de type collection",
                                 "a member's internal reference (e.g. P-014), listed under the facts of type collection"))
            for i, item in named if item.member not in refs]


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
    # Without positions: read again from the file for the first located message, if there is one.
    located = load_document(path, positions=False)
    dossier = build_dossier(located, catalogue, path)
    # Derived facts: the shooting journal beside the dossier (`<name>.journal.jsonl`) gives facts and
    # evidence (engine/live/derived.py, docs/journal.md), so that `check` and `watch` read one truth.
    journal = path.with_name(path.stem + ".journal.jsonl")
    if journal.is_file():
        from .live.derived import add_journal

        add_journal(dossier, journal, catalogue)
    return dossier
