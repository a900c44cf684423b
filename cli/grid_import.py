"""Spreadsheet grid -> ruleset: the actions (criteria) come from the grid, everything else (policy,
stages, facts, known groups) from the ruleset the grid description names (grid_spec.py).

Every error names the file, the sheet, the row and the column of the offending cell; errors the
loader finds in the built ruleset are traced back to the grid cell that produced them.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from raccord.engine import InputError, Library, load_library
from raccord.engine.errors import Bilingual
from raccord.engine.source_files import parse_yaml

from .grid_inherit import inherit_conditions, read_import_mapping
from .grid_rows import Cell, GridRow, RowNote, cell_condition, cell_float, cell_text, grid_rows, section_names
from .grid_spec import GridFormat, first_keywords, load_grid, norm
from .spreadsheet import cell_number

CRITERION_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Za-z0-9.]+)+$")
PROVENANCES = ("official_text", "published_summary", "reconstructed")
TRUE_WORDS = {"oui", "o", "x", "yes", "y", "true", "vrai", "1"}
FALSE_WORDS = {"non", "n", "no", "false", "faux", "0", ""}
EVIDENCE_ITEM = re.compile(r"^([a-z][a-z0-9_]*)\s*(?:\((.+)\))?$")  # kind, or kind (stage)


# ------------------------------------------------------------------------------------ a criterion


class _Criteria:
    """Turns grid rows into criteria for one grid description and its template ruleset."""

    def __init__(self, grid: GridFormat, template: dict[str, Any], library: Library) -> None:
        self.grid = grid
        self.words = grid.file.words
        self.catalogue = library.catalogue
        self.stage_ids = {s["id"] for s in template.get("stages", [])}
        self.groups = {g["id"]: g for g in template["groups"]}
        self.group_names = dict(grid.group_names)
        self.used_groups: list[dict[str, Any]] = []
        self.seen_ids: dict[str, GridRow] = {}

    def criterion(self, row: GridRow, source_id: str) -> dict[str, Any]:
        c = row.cells
        # cells are checked left to right in the usual column order, so a row's first error is reported
        group = self._group(row)
        cid, raw_id = self._id(row)
        title_fr = row.text("title")
        if not title_fr:
            raise InputError(c["title"].where, Bilingual(f"{_fr(self.words.criterion).capitalize()} sans libellé",
                                                         f"the {self.words.criterion} wording is empty"))
        scoring = {"points": self._points(c["points"])} if "points" in c else {}
        if "level" in c:
            scoring["level"] = self._level(c["level"])
        if self._mandatory(row):
            scoring["mandatory"] = True
        items = self._kinds(row, cid)
        kinds = [kind for kind, _ in items]
        if row.filled("requires"):
            requires = cell_condition(c["requires"])
        else:
            requires = {"evidence": kinds[0]} if len(kinds) == 1 else {"all": [{"evidence": k} for k in kinds]}
        crit: dict[str, Any] = {"id": cid, "title": {"fr": title_fr, "en": row.text("title_en") or title_fr},
                                "group": group}
        if row.filled("applies_if"):
            crit["applies_if"] = self._applies(c["applies_if"])
        crit["requires"] = requires
        crit.update(scoring)
        number = self._number_of(cid)
        templates = self.grid.file.evidence.description
        description = row.text("evidence")
        crit["evidence"] = [{"kind": kind, "description": {
            "fr": description or templates.fr.format(id=raw_id, number=number),
            "en": description or templates.en.format(id=raw_id, number=number)}} | ({"stage": stage} if stage else {})
            for kind, stage in items]
        if row.filled("effort"):
            effort = cell_float(c["effort"])
            if effort is None or effort < 0:
                raise InputError(c["effort"].where, Bilingual(f"l'effort est un nombre de jours ≥ 0, pas « {c['effort'].value} »",
                                                              f"effort must be a number of days ≥ 0, got '{c['effort'].value}'"))
            crit["effort"] = effort
        if row.filled("stage"):
            crit["stage"] = self._stage(c["stage"], cell_text(c["stage"]))
        crit["source"] = {"document": source_id, "section": f"{row.place}, ligne {row.number}"}
        crit["provenance"] = self._provenance(row)
        return crit

    def _group(self, row: GridRow) -> str:
        name = row.text("group")
        if not name and row.section:  # no group cell: the section row above says it
            names = section_names(row.section)
            name = next((n for n in names if norm(n) in self.group_names), names[1] if len(names) > 1 else names[0])
            if name.upper() == name:  # « 8. DÉPLACEMENTS » -> a post named « Déplacements »
                name = name[:1] + name[1:].lower()
        if not name:
            where = row.cells["group"].where if "group" in row.cells else row.where
            label = self.grid.label("group")
            raise InputError(where, Bilingual(f"{_fr(self.words.group).capitalize()} non renseigné (colonne « {label} »)",
                                              f"the {self.words.group} ({self.grid.label('group')}) is empty"),
                             Bilingual("remplissez la colonne, ou mettez une ligne de section au-dessus des critères",
                                       "fill the column, or put a section row above the criteria"))
        gid = self.group_names.get(norm(name))
        if gid is None:  # a group the ruleset does not have: named after the grid
            base = norm(self.grid.label("group")) or "group"
            gid = _slug(name) or base
            if not gid[0].isalpha():
                gid = f"{base}_{gid}"
            self.groups[gid] = {"id": gid, "title": {"fr": name, "en": name}}
            self.group_names[norm(name)] = gid
        group = self.groups[gid]
        if group not in self.used_groups:
            self.used_groups.append(group)
        return gid

    def _id(self, row: GridRow) -> tuple[str, str]:
        cell = row.cells["id"]
        word = self.words.criterion
        raw_id = cell_text(cell)
        if not raw_id:
            raise InputError(cell.where, Bilingual(f"{_fr(word).capitalize()} sans numéro (colonne « {self.grid.label('id')} »)",
                                                   f"the {word} number ({self.grid.label('id')}) is empty"))
        prefix = self.grid.file.ids.prefix
        cid = raw_id.upper() if raw_id.upper().startswith(prefix) else prefix + re.sub(r"[^A-Za-z0-9.]+", "-", raw_id)
        cid = re.sub(r"-+", "-", cid).strip("-")
        if not CRITERION_ID.match(cid):
            example = self.grid.file.ids.example
            raise InputError(cell.where, Bilingual(f"« {raw_id} » ne peut pas servir de numéro",
                                                   f"'{raw_id}' cannot be used as {_a(word)} number"),
                             Bilingual(f"lettres, chiffres, points et tirets, par exemple {example.replace(' or ', ' ou ')}",
                                       f"use letters, digits, dots and dashes, e.g. {example}"))
        if cid in self.seen_ids:
            first = self.seen_ids[cid].where
            raise InputError(cell.where, Bilingual(f"le numéro « {raw_id} » sert deux fois",
                                                   f"{word} number '{raw_id}' is used twice"),
                             Bilingual(f"la première fois en {first}", f"first at {first}"))
        self.seen_ids[cid] = row
        return cid, raw_id

    def _number_of(self, cid: str) -> str:
        """The id without its prefix, in lower_snake_case: XYZ-DEP-01 -> dep_01."""
        return re.sub(r"[^a-z0-9]+", "_", cid.lower().removeprefix(self.grid.file.ids.prefix.lower())).strip("_")

    def _kinds(self, row: GridRow, cid: str) -> list[tuple[str, str | None]]:
        """The evidence kinds of a row, each with the stage it is due at when the cell says one:
        `bilan_carbone_previsionnel (avant); bilan_carbone_definitif`."""
        kinds: list[tuple[str, str | None]] = []
        if row.filled("evidence_kind"):
            cell = row.cells["evidence_kind"]
            for part in re.split(r"[;,\n]", cell_text(cell)):
                part = part.strip()
                if not part:
                    continue
                match = EVIDENCE_ITEM.match(part)
                if not match:
                    raise InputError(cell.where, Bilingual(f"« {part} » n'est pas une nature de preuve",
                                                           f"'{part}' is not an evidence kind"),
                                     Bilingual("minuscules et soulignés, par exemple bilan_carbone_definitif ; "
                                               "séparez les natures par ;",
                                               "lower_snake_case, e.g. bilan_carbone_definitif; separate kinds with ;"))
                stage = match.group(2)
                kinds.append((match.group(1), self._stage(cell, stage.strip()) if stage else None))
        if not kinds and row.filled("evidence"):  # « Justificatifs à fournir » naming a known document
            kinds = [(kind, None) for kind in self.grid.kinds_in(row.text("evidence"))]
        return kinds or [(self.grid.file.evidence.kind.format(number=self._number_of(cid)), None)]

    @staticmethod
    def _points(cell: Cell) -> float | int:
        points = cell_float(cell)
        if points is None or points <= 0:
            raise InputError(cell.where, Bilingual(f"les points sont un nombre supérieur à 0, pas « {cell.value} »",
                                                   f"points must be a number above 0, got '{cell.value}'"))
        return cell_number(points)

    @staticmethod
    def _level(cell: Cell) -> int:
        level = cell_float(cell)
        if level is None or level < 1 or not float(level).is_integer():
            raise InputError(cell.where, Bilingual(f"le niveau est un nombre entier ≥ 1, pas « {cell.value} »",
                                                   f"the level must be a whole number ≥ 1, got '{cell.value}'"))
        return int(level)

    def _mandatory(self, row: GridRow) -> bool:
        if "mandatory" not in row.cells:
            return False
        cell = row.cells["mandatory"]
        word = norm(cell.value if cell.value is not None else "")
        if word in TRUE_WORDS or word in self.grid.yes_words:
            return True
        if word not in FALSE_WORDS:
            raise InputError(cell.where, Bilingual(f"« {cell.value} » n'est ni oui ni non", f"'{cell.value}' is not yes or no"),
                             Bilingual("écrivez oui / non (ou x, 1 / 0)", "write oui / non (or x, yes / no, 1 / 0)"))
        return False

    def _applies(self, cell: Cell) -> dict[str, Any]:
        text = cell_text(cell)
        if text.startswith("{"):
            return cell_condition(cell)
        fact = self.grid.applies_keywords.get(norm(text), text)
        if fact not in self.catalogue:
            keywords = list(first_keywords(self.grid.file.applies_if).values())
            raise InputError(cell.where, Bilingual(f"applicabilité inconnue « {text} »", f"unknown applicability '{text}'"),
                             Bilingual(", ".join([*keywords, "le nom d'un fait booléen, ou une {condition}"]),
                                       ", ".join([*keywords, "a boolean fact name, or a {condition}"])))
        if self.catalogue[fact].type != "boolean":
            raise InputError(cell.where, Bilingual(f"le fait « {fact} » n'est pas booléen",
                                                   f"fact '{fact}' is not a boolean fact"),
                             Bilingual("donnez plutôt une {condition}", "give a {condition} instead"))
        return {"fact": fact}

    def _stage(self, cell: Cell, word: str) -> str:
        stage = word if word in self.stage_ids else self.grid.stage_keywords.get(norm(word))
        if stage not in self.stage_ids:
            keywords = " / ".join(first_keywords(self.grid.file.stages).values())
            ids = ", ".join(sorted(self.stage_ids))
            raise InputError(cell.where, Bilingual(f"étape inconnue « {word} »", f"unknown stage '{word}'"),
                             Bilingual((f"{keywords}, ou " if keywords else "") + ids,
                                       (f"{keywords}, or " if keywords else "") + ids))
        return stage

    def _provenance(self, row: GridRow) -> str:
        if not row.filled("provenance"):
            return self.grid.file.provenance
        provenance = row.text("provenance")
        if provenance not in PROVENANCES:
            raise InputError(row.cells["provenance"].where, Bilingual(f"provenance inconnue « {provenance} »",
                                                                      f"unknown provenance '{provenance}'"),
                             Bilingual("official_text, published_summary ou reconstructed",
                                       "official_text, published_summary or reconstructed"))
        return provenance


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]", "_", ascii_text)).strip("_")


# The grid's words for its groups and criteria (grid.yaml `words:`, in English) as a French sentence says them.
_FR_WORDS = {"chapter": "chapitre", "criterion": "critère", "post": "poste", "action": "action", "group": "groupe"}


def _fr(word: str) -> str:
    return _FR_WORDS.get(word, word)


def _a(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


# ------------------------------------------------------------------------------------ the ruleset


def grid_to_ruleset(path: Path, grid: GridFormat, library: Library, warnings: list[str] | None = None,
                    notes: list[RowNote] | None = None) -> tuple[dict[str, Any], dict[int, GridRow]]:
    """Build the ruleset data from a grid. Returns the data and criterion index -> grid row; `notes`
    receives the rows not imported and why, in French."""
    rs = library.rulesets[grid.ruleset]
    template = yaml.safe_load(Path(rs.path).read_text(encoding="utf-8"))
    rows = grid_rows(path, grid, warnings, notes)
    spec = grid.file
    builder = _Criteria(grid, template, library)
    criteria = [builder.criterion(row, spec.source.id) for row in rows]
    imported = dt.date.today().isoformat()
    names = {"file": path.name, "date": imported, "ruleset": grid.ruleset}
    totals: dict[str, Any] = {"criteria": len(criteria), "groups": len(builder.used_groups)}
    if "points" in spec.columns:
        totals["points"] = sum(c["points"] for c in criteria)
    data: dict[str, Any] = {
        "id": grid.ruleset,
        "title": {"fr": spec.title.fr, "en": spec.title.en},
        "version": f"{template['version'].split('-')[0]}-grid",
        "valid_from": template.get("valid_from"),
        "description": {"fr": spec.description.fr.format(**names), "en": spec.description.en.format(**names)},
        "sources": [{"id": spec.source.id, "title": spec.source.title.format(**names), "note": f"imported {imported}"}]
                   + [s for s in template["sources"] if s["id"] != spec.source.id],
        "groups": builder.used_groups,
        "stages": template.get("stages", []),
        "facts": template.get("facts", {}),
        "policy": template["policy"],
        "totals": totals,
        "criteria": criteria,
    }
    return {k: v for k, v in data.items() if v is not None}, dict(enumerate(rows))


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def dump_ruleset(data: dict[str, Any], grid: GridFormat, command: str) -> str:
    header = (f"# {grid.file.name} grid imported by `{command}` (see rulesets/{grid.ruleset}/README.md).\n"
              "# Use it with: raccord check DOSSIER --ruleset-file THIS_FILE\n")
    return header + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)


def import_grid(path: Path, ruleset_id: str, rulesets_dir: Path | None = None, warnings: list[str] | None = None,
                command: str | None = None, notes: list[RowNote] | None = None,
                mapping: Path | None = None) -> tuple[str, dict[str, Any]]:
    """Grid -> validated ruleset YAML text, with the grid description of `ruleset_id`. Loader errors
    are traced back to the grid cell; `notes` receives every row not imported and why, in French.
    With a `mapping` from the reconstructed grid, criteria that state no condition take those of the
    criteria mapped to them (grid_inherit.py)."""
    library = load_library(rulesets_dir)
    grid = load_grid(ruleset_id, rulesets_dir, library)
    loaded = read_import_mapping(mapping, library, ruleset_id) if mapping else None
    data, index_to_row = grid_to_ruleset(path, grid, library, warnings, notes)
    if loaded:
        inherit_conditions(data["criteria"], index_to_row, *loaded, notes)
    text = dump_ruleset(data, grid, command or f"raccord grid import --ruleset {ruleset_id}")
    with tempfile.TemporaryDirectory() as tmp:
        candidate = Path(tmp) / "ruleset.yaml"
        candidate.write_text(text, encoding="utf-8")
        try:
            load_library(rulesets_dir, [candidate])
        except InputError as exc:
            raise _locate_in_grid(exc, text, str(candidate), index_to_row) from None
    return text, data


# A criterion key of the built ruleset -> the column that produced it.
_KEY_COLUMN = {"evidence": "evidence_kind"}


def _locate_in_grid(exc: InputError, text: str, file: str, index_to_row: dict[int, GridRow]) -> InputError:
    match = re.match(rf"^{re.escape(file)}:(\d+):(\d+)$", exc.where or "")
    if not match:
        return exc
    at = (int(match.group(1)), int(match.group(2)))
    positions = parse_yaml(text, file).positions
    owner = None
    for i in index_to_row:
        start = positions.get(("criteria", i))
        if start and start <= at:
            owner = i
    if owner is None:
        return InputError("imported grid", exc.message, exc.hint)
    row = index_to_row[owner]
    if positions[("criteria", owner)] == at:
        return InputError(row.where, exc.message, exc.hint)
    # the criterion key whose value holds the error tells which column produced it
    keys = sorted((pos, path[2]) for path, pos in positions.items()
                  if len(path) == 3 and path[:2] == ("criteria", owner) and pos <= at)
    key = keys[-1][1] if keys else None
    column = _KEY_COLUMN.get(key, key)
    return InputError(row.cells[column].where if column in row.cells else row.where, exc.message, exc.hint)
