"""A referential's grid description, `rulesets/<id>/grid.yaml` (format in docs/grid-import.md).

It says which ruleset a spreadsheet grid produces, which columns the grid has and the headers
accepted for each, how criterion numbers are written, and the keywords its cells may use. The
file is validated when read and checked against its ruleset (groups, stages, boolean facts, the
criterion attributes the policy reads), with `file:line:col` errors. The importer and the export
hold no referential's data: all of it comes from here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from raccord.engine import InputError, Library, load_library
from raccord.engine.errors import Bilingual
from raccord.engine.loader import bundled_rulesets_dir
from raccord.engine.model import Check, Ident, NonEmpty, Provenance, Strict, Text, located_validation_error
from raccord.engine.record import record
from raccord.engine.source_files import Located, load_document

FORMAT = "raccord.grid/1"
GRID_FILE = "grid.yaml"
# The fields a column can fill: criterion keys of the ruleset format, plus title_en (title.en) and
# evidence / evidence_kind (the description and kinds of the evidence list).
Field = Literal["group", "id", "title", "title_en", "points", "mandatory", "level", "evidence", "evidence_kind",
                "requires", "applies_if", "stage", "effort", "provenance"]
ALWAYS_REQUIRED = ("group", "id", "title")  # declared by every grid; required in the header unless `required: false`
LEVEL_MARK = "level:"  # header field of a level column: `level:2` is the column marked for level 2
SCORING = ("points", "mandatory", "level")  # the criterion attributes a policy may read that a column can fill
KIND = re.compile(r"^[a-z][a-z0-9_]*$")


def norm(text: Any) -> str:
    """Lower case, accents removed, only letters and digits: 'Impératif ?' -> 'imperatif'."""
    decomposed = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", decomposed.lower())


@record
class Column(Strict):
    label: NonEmpty  # the export's header, accepted on import too
    names: list[NonEmpty] = field(default_factory=list)  # other headers accepted
    required: bool | None = None  # default: true for group, id and title, false otherwise
    width: Annotated[int, Check(ge=4, le=120)] = 18  # export column width
    yes_words: list[NonEmpty] = field(default_factory=list)  # mandatory column: more words meaning yes


@record
class IdRule(Strict):
    prefix: Annotated[str, Check(pattern=r"^[A-Z][A-Z0-9]*-$")]  # added to a bare number: 4.2 -> <prefix>4.2
    example: NonEmpty  # for the hint of a bad number


@record
class SourceTemplate(Strict):
    id: Ident
    title: NonEmpty  # {file}, {date}


@record
class EvidenceDefaults(Strict):
    kind: NonEmpty  # when the row names no kind: {number} is the id without its prefix, in lower_snake_case
    description: Text  # when the row describes none: {id} as written in the grid, {number}


@record
class Words(Strict):
    group: NonEmpty = "group"  # what the referential calls a group ("post"), in error messages
    criterion: NonEmpty = "criterion"
    criteria: NonEmpty = "criteria"


@record
class GridFile(Strict):
    format: Literal["raccord.grid/1"]
    ruleset: Ident
    name: NonEmpty  # short name, in the imported file's header comment
    title: Text  # the imported ruleset's title
    description: Text  # {file}, {date}, {ruleset}
    source: SourceTemplate
    sheet: Annotated[str, Check(min_length=1, max_length=31)]
    ids: IdRule
    evidence: EvidenceDefaults
    columns: dict[Field, Column]
    words: Words = field(default_factory=Words)
    provenance: Provenance = "official_text"
    groups: dict[str, Ident] = field(default_factory=dict)  # other group names -> group id
    applies_if: dict[str, str] = field(default_factory=dict)  # keyword -> boolean fact
    stages: dict[str, Ident] = field(default_factory=dict)  # keyword -> stage id
    level_columns: dict[Annotated[int, Check(ge=1)], list[NonEmpty]] = field(default_factory=dict)  # level -> headers
    # words of the evidence column (« Justificatifs à fournir ») -> evidence kind, when the row names no kind
    evidence_kinds: dict[str, Annotated[str, Check(pattern=KIND.pattern)]] = field(default_factory=dict)


@dataclass
class GridFormat:
    """A checked grid description with its lookups (every key normalised with `norm`)."""

    file: GridFile
    path: Path
    headers: dict[str, str]  # accepted header -> field (`level:N` for the column marked for level N)
    required: list[str]  # fields, in column order
    group_names: dict[str, str]  # group id, titles and other names -> group id
    applies_keywords: dict[str, str]  # keyword -> fact
    stage_keywords: dict[str, str]  # keyword -> stage id
    yes_words: set[str]
    evidence_keywords: list[tuple[str, str]] = field(default_factory=list)  # (words, kind), words as `words_of` gives

    def kinds_in(self, text: str) -> list[str]:
        """The evidence kinds whose keywords the text holds, in the order of the grid description."""
        found = words_of(text)
        return list(dict.fromkeys(kind for key, kind in self.evidence_keywords if key in found))

    @property
    def ruleset(self) -> str:
        return self.file.ruleset

    def label(self, name: str) -> str:
        return self.file.columns[name].label

    def applies_keyword(self, fact: str) -> str | None:
        """The keyword the export writes for a fact: the first one listed for it."""
        return first_keywords(self.file.applies_if).get(fact)


def words_of(text: Any) -> str:
    """' bilan carbone definitif ': lower case, accents removed, words separated by one space and
    padded, so that a keyword matches whole words only."""
    decomposed = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " " + " ".join(re.findall(r"[a-z0-9]+", decomposed.lower())) + " "


def first_keywords(mapping: dict[str, str]) -> dict[str, str]:
    """target -> the first keyword listed for it, in the order of the mapping."""
    out: dict[str, str] = {}
    for keyword, target in mapping.items():
        out.setdefault(target, keyword)
    return out


_validator: Any = None


def load_grid(ruleset_id: str, rulesets_dir: Path | None = None, library: Library | None = None) -> GridFormat:
    """The grid description of a bundled (or `rulesets_dir`) ruleset, checked against that ruleset."""
    base = rulesets_dir or bundled_rulesets_dir()
    library = library or load_library(rulesets_dir)
    if ruleset_id not in library.rulesets:
        known = ", ".join(grid_rulesets(base))
        raise InputError(ruleset_id, Bilingual(f"référentiel inconnu « {ruleset_id} »", f"unknown ruleset '{ruleset_id}'"),
                         Bilingual("référentiels ayant une description de grille : " + (known or "aucun"),
                                   "rulesets with a grid description: " + (known or "none")))
    path = base / ruleset_id / GRID_FILE
    if not path.is_file():
        known = ", ".join(grid_rulesets(base))
        raise InputError(str(path), Bilingual(f"le référentiel « {ruleset_id} » n'a pas de description de grille",
                                              f"ruleset '{ruleset_id}' has no grid description"),
                         Bilingual(f"écrivez {ruleset_id}/{GRID_FILE} (docs/grid-import.md) ; en ont une : " + (known or "aucun"),
                                   f"write {ruleset_id}/{GRID_FILE} (docs/grid-import.md); with one: " + (known or "none")))
    grid, located = read_grid_file(path, library)
    if grid.ruleset != ruleset_id:
        raise InputError(located.where(("ruleset",)),
                         Bilingual(f"le référentiel « {grid.ruleset} » diffère de son répertoire « {ruleset_id} »",
                                   f"ruleset '{grid.ruleset}' differs from its folder '{ruleset_id}'"))
    return grid


def grid_rulesets(base: Path) -> list[str]:
    return sorted(p.parent.name for p in base.glob(f"*/{GRID_FILE}"))


def read_grid_file(path: Path, library: Library) -> tuple[GridFormat, Located]:
    """Validate a grid description file and check it against the ruleset it names in `library`."""
    located = load_document(path)
    if not isinstance(located.data, dict):
        raise InputError(located.where(), Bilingual("une description de grille est une table avec format, ruleset, columns…",
                                                    "a grid description is a mapping with format, ruleset, columns..."),
                         Bilingual("voir docs/grid-import.md", "see docs/grid-import.md"))
    if located.data.get("format") != FORMAT:
        raise InputError(located.where(("format",)), Bilingual(f"format : « {FORMAT} » attendu", f"format: expected '{FORMAT}'"),
                         Bilingual("la première clé d'un grid.yaml", "the first key of a grid.yaml"))
    from pydantic_core import ValidationError

    global _validator
    if _validator is None:  # built here, not cached on disk: the engine's cache keys know only engine code
        from raccord.engine.validation import build

        _validator = build(GridFile)
    try:
        grid_file: GridFile = _validator.validate_python(located.data)
    except ValidationError as exc:
        error = located_validation_error(exc, located)
        hint = "see docs/grid-import.md for the keys allowed here" if "ruleset-format" in error.hint else error.hint
        raise InputError(error.where, error.message, hint) from None
    return _Checker(grid_file, located, library).grid(path), located


WHAT_FR = {"group": ("groupe inconnu", "groupes"), "stage": ("étape inconnue", "étapes"), "fact": ("fait inconnu", "faits")}
ONE_COLUMN = Bilingual("chaque en-tête nomme une seule colonne", "each header names one column")


def no_letter(text: str) -> Bilingual:
    return Bilingual(f"« {text} » n'a ni lettre ni chiffre", f"'{text}' has no letter or digit")


def also_named(header: str, column: str | None) -> Bilingual:
    return Bilingual(f"l'en-tête « {header} » est aussi un nom de la colonne `{column}`",
                     f"header '{header}' is also a name of column `{column}`")


class _Checker:
    def __init__(self, grid_file: GridFile, located: Located, library: Library) -> None:
        self.file = grid_file
        self.located = located
        self.library = library

    def fail(self, where: tuple, message: Bilingual, hint: Bilingual | str = "") -> InputError:
        return InputError(self.located.where(where), message, hint)

    def grid(self, path: Path) -> GridFormat:
        f = self.file
        rs = self.library.rulesets.get(f.ruleset)
        if rs is None:
            names = ", ".join(self.library.rulesets)
            raise self.fail(("ruleset",), Bilingual(f"référentiel inconnu « {f.ruleset} »", f"unknown ruleset '{f.ruleset}'"),
                            Bilingual(f"référentiels : {names}", f"rulesets: {names}"))
        self._templates()
        headers = self._columns()
        self._scoring(rs.policy)
        groups = {norm(key): g.id for g in rs.model.groups for key in (g.id, g.title.fr, g.title.en)}
        group_names = dict(groups)
        for key, gid in self._keywords("groups", f.groups, {g.id for g in rs.model.groups}, "group").items():
            if groups.get(key, gid) != gid:
                raw = self._raw(f.groups, key)
                raise self.fail(("groups", raw), Bilingual(f"« {raw} » nomme le groupe « {groups[key]} » dans le référentiel",
                                                           f"'{raw}' names group '{groups[key]}' in the ruleset"),
                                Bilingual("retirez-le ou renommez le groupe", "remove it or rename the group"))
            group_names[key] = gid
        stage_ids = {s.id for s in rs.model.stages}
        stage_keywords = self._keywords("stages", f.stages, stage_ids, "stage")
        applies = self._keywords("applies_if", f.applies_if, set(self.library.catalogue), "fact")
        for key, fact in applies.items():
            if self.library.catalogue[fact].type != "boolean":
                raise self.fail(("applies_if", self._raw(f.applies_if, key)),
                                Bilingual(f"le fait « {fact} » n'est pas booléen", f"fact '{fact}' is not a boolean fact"),
                                Bilingual("un mot d'applicabilité tient lieu d'un fait oui/non",
                                          "an applicability keyword stands for a yes/no fact"))
        required = [name for name, col in f.columns.items()
                    if col.required or (col.required is None and name in ALWAYS_REQUIRED)]
        yes_words = {norm(w) for w in f.columns["mandatory"].yes_words} if "mandatory" in f.columns else set()
        evidence = []
        for keyword, kind in f.evidence_kinds.items():
            if words_of(keyword).strip() == "":
                raise self.fail(("evidence_kinds", keyword), no_letter(keyword))
            evidence.append((words_of(keyword), kind))
        return GridFormat(f, path, headers, required, group_names, applies, stage_keywords, yes_words, evidence)

    def _templates(self) -> None:
        f = self.file
        values = {"file": "grille.xlsx", "date": "2025-01-01", "ruleset": f.ruleset, "id": "4.2", "number": "4_2"}
        for where, text, allowed in [(("description", "fr"), f.description.fr, ("file", "date", "ruleset")),
                                     (("description", "en"), f.description.en, ("file", "date", "ruleset")),
                                     (("source", "title"), f.source.title, ("file", "date")),
                                     (("evidence", "kind"), f.evidence.kind, ("number",)),
                                     (("evidence", "description", "fr"), f.evidence.description.fr, ("id", "number")),
                                     (("evidence", "description", "en"), f.evidence.description.en, ("id", "number"))]:
            try:
                out = text.format(**{k: values[k] for k in allowed})
            except (KeyError, IndexError, ValueError) as exc:
                allowed_text = ", ".join("{" + k + "}" for k in allowed)
                raise self.fail(where, Bilingual(f"paramètre {exc} incorrect dans « {text} »",
                                                 f"bad placeholder in '{text}' ({exc})"),
                                Bilingual(f"paramètres possibles ici : {allowed_text}",
                                          f"placeholders here: {allowed_text}")) from None
            if where == ("evidence", "kind") and not KIND.match(out):
                raise self.fail(where, Bilingual(f"« {text} » ne donne pas une nature de preuve",
                                                 f"'{text}' does not give an evidence kind"),
                                Bilingual("minuscules et soulignés, par exemple preuve_{number}",
                                          "lower_snake_case, e.g. preuve_{number}"))

    def _columns(self) -> dict[str, str]:
        columns = self.file.columns
        for name in ALWAYS_REQUIRED:
            if name not in columns:
                raise self.fail(("columns",), Bilingual(f"la grille a besoin d'une colonne `{name}`",
                                                        f"the grid needs a `{name}` column"),
                                Bilingual("group, id et title sont toujours requises", "group, id and title are always required"))
        headers: dict[str, str] = {}
        for name, col in columns.items():
            for i, header in enumerate([col.label, *col.names]):
                where = ("columns", name, "label") if i == 0 else ("columns", name, "names", i - 1)
                key = norm(header)
                if not key:
                    raise self.fail(where, no_letter(header), Bilingual("les en-têtes se comparent sur leurs lettres et chiffres",
                                                                        "headers are matched on letters and digits"))
                if headers.get(key, name) != name:
                    raise self.fail(where, also_named(header, headers[key]), ONE_COLUMN)
                headers[key] = name
            if col.yes_words and name != "mandatory":
                raise self.fail(("columns", name, "yes_words"), Bilingual("`yes_words` appartient à la colonne mandatory",
                                                                          "`yes_words` belong to the mandatory column"))
            if col.required is False and name in ALWAYS_REQUIRED[1:]:
                raise self.fail(("columns", name, "required"), Bilingual(f"la colonne `{name}` est toujours requise",
                                                                         f"column `{name}` is always required"),
                                Bilingual("seul le groupe peut être laissé aux lignes de section",
                                          "only the group may be left to section rows"))
        if self.file.level_columns and "level" not in columns:
            raise self.fail(("level_columns",), Bilingual("les colonnes de niveau demandent une colonne `level` déclarée",
                                                          "level columns need a `level` column declared"),
                            Bilingual("déclarez `level` (l'export l'écrit ; une grille peut aussi donner le niveau "
                                      "par des marques)",
                                      "declare `level` (the export writes it; a grid may give the level by marks instead)"))
        for level, names in self.file.level_columns.items():
            for i, header in enumerate(names):
                key = norm(header)
                if not key or headers.get(key, f"{LEVEL_MARK}{level}") != f"{LEVEL_MARK}{level}":
                    problem = also_named(header, headers.get(key)) if key else no_letter(header)
                    raise self.fail(("level_columns", level, i), problem, ONE_COLUMN)
                headers[key] = f"{LEVEL_MARK}{level}"
        return headers

    def _scoring(self, policy: Any) -> None:
        """Columns that fill a scoring attribute must be the ones the ruleset's policy reads."""
        attributes: dict[str, bool] = policy.criterion_attributes
        for name in SCORING:
            if name in self.file.columns and name not in attributes:
                read = ", ".join(attributes)
                raise self.fail(("columns", name),
                                Bilingual(f"la colonne `{name}` n'a pas de sens pour la politique {policy.kind} du référentiel",
                                          f"column `{name}` has no meaning under the ruleset's {policy.kind} policy"),
                                Bilingual("sa politique lit : " + (read or "aucun attribut de critère"),
                                          "its policy reads: " + (read or "no criterion attribute")))
        for name, needed in attributes.items():
            if not needed:
                continue
            if name not in SCORING:
                raise self.fail(("columns",), Bilingual(f"la politique du référentiel demande `{name}` sur chaque critère, "
                                                        "ce qu'aucune colonne de grille ne peut remplir",
                                                        f"the ruleset's policy needs `{name}` on every criterion, "
                                                        "which no grid column can fill"),
                                Bilingual("importez dans un référentiel d'une autre politique",
                                          "import into a ruleset of another policy"))
            if name not in self.file.columns or not self.file.columns[name].required:
                raise self.fail(("columns", name) if name in self.file.columns else ("columns",),
                                Bilingual(f"la politique {policy.kind} du référentiel demande `{name}` sur chaque critère",
                                          f"the ruleset's {policy.kind} policy needs `{name}` on every criterion"),
                                Bilingual(f"déclarez une colonne `{name}` avec required: true",
                                          f"declare a `{name}` column with required: true"))

    def _keywords(self, section: str, mapping: dict[str, str], targets: set[str], what: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for keyword, target in mapping.items():
            key = norm(keyword)
            if not key:
                raise self.fail((section, keyword), no_letter(keyword))
            if key in out:
                same = self._raw(mapping, key)
                raise self.fail((section, keyword), Bilingual(f"« {keyword} » est le même mot-clé que « {same} »",
                                                              f"'{keyword}' is the same keyword as '{same}'"),
                                Bilingual("les mots-clés se comparent sans casse, accents ni ponctuation",
                                          "keywords are matched without case, accents or punctuation"))
            if target not in targets:
                shown = ", ".join(sorted(targets)[:12]) + ("…" if len(targets) > 12 else "")
                raise self.fail((section, keyword), Bilingual(f"{WHAT_FR[what][0]} : « {target} »", f"unknown {what} '{target}'"),
                                Bilingual(f"{WHAT_FR[what][1]} : {shown}", f"{what}s: {shown}"))
            out[key] = target
        return out

    @staticmethod
    def _raw(mapping: dict[str, str], key: str) -> str:
        return next(k for k in mapping if norm(k) == key)
