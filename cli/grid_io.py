"""Label Ecoprod grid spreadsheets: import an official grid as a ruleset, export grids and checklists.

The grid format (columns, values) is documented in rulesets/ecoprod_label/README.md. Every error
names the file, the sheet, the row and the column of the offending cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from raccord.engine import Evaluation, InputError, Library, load_library
from raccord.engine.loader import bundled_rulesets_dir
from raccord.engine.model import Ruleset
from raccord.engine.report import criterion_entry
from raccord.engine.source_files import parse_yaml

RULESET_ID = "ecoprod_label"
CRITERION_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Za-z0-9.]+)+$")
KIND = re.compile(r"^[a-z][a-z0-9_]*$")
PROVENANCES = ("official_text", "published_summary", "reconstructed")
MAX_ROWS = 5000

# Column name (normalised: lower case, no accents, letters and digits only) -> field.
COLUMNS: dict[str, str] = {}
for _field, _names in {
    "post": ["poste", "post", "groupe", "group", "thematique"],
    "id": ["id", "n", "no", "numero", "num", "ref", "reference", "code"],
    "action": ["action", "intitule", "libelle", "critere", "title", "titre"],
    "action_en": ["actionen", "intituleen", "titleen"],
    "points": ["points", "point", "pts", "nombredepoints"],
    "mandatory": ["imperatif", "obligatoire", "mandatory", "bleu", "critereimperatif"],
    "evidence": ["preuves", "preuve", "justificatifs", "justificatif", "evidence", "preuvesattendues",
                 "justificatifsattendus"],
    "evidence_kind": ["typepreuve", "typedepreuve", "typesdepreuve", "evidencekind", "evidencekinds", "kind"],
    "condition": ["condition", "requires"],
    "applies_if": ["applicabilite", "appliesif", "applicable", "sapplique"],
    "stage": ["etape", "stage", "phase"],
    "effort": ["effort", "effortjours", "jours"],
    "provenance": ["provenance"],
}.items():
    for _name in _names:
        COLUMNS[_name] = _field
REQUIRED = ("post", "id", "action", "points")

# Export order and headers (the import accepts them back).
EXPORT_COLUMNS = [("post", "Poste"), ("id", "N°"), ("action", "Action"), ("action_en", "Action (EN)"),
                  ("points", "Points"), ("mandatory", "Impératif"), ("evidence", "Justificatifs"),
                  ("evidence_kind", "Type de preuve"), ("condition", "Condition"),
                  ("applies_if", "Applicabilité"), ("stage", "Étape"), ("effort", "Effort"),
                  ("provenance", "Provenance")]

APPLIES_KEYWORDS = {
    "decors": "work.has_set_construction",
    "constructiondedecors": "work.has_set_construction",
    "milieunaturel": "work.has_natural_sites",
    "sitesnaturels": "work.has_natural_sites",
    "animaux": "work.has_animals",
    "postproduction": "work.has_post_production",
}
STAGE_KEYWORDS = {
    "avant": "before_shooting", "avantletournage": "before_shooting", "preparation": "before_shooting",
    "pendant": "during_shooting", "pendantletournage": "during_shooting", "tournage": "during_shooting",
    "apres": "after_shooting", "apresletournage": "after_shooting",
    "attribution": "award",
}
TRUE_WORDS = {"oui", "o", "x", "yes", "y", "true", "vrai", "1", "imperatif", "obligatoire", "bleu"}
FALSE_WORDS = {"non", "n", "no", "false", "faux", "0", ""}


def norm(text: Any) -> str:
    """Lower case, accents removed, only letters and digits: 'Impératif ?' -> 'imperatif'."""
    decomposed = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", decomposed.lower())


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Cell:
    value: Any
    where: str  # "grid.xlsx, sheet 'Grille', row 4, column D (Points)"


@dataclass
class GridRow:
    number: int
    cells: dict[str, Cell]
    where: str  # the row, for errors that concern the whole row


# --------------------------------------------------------------------------------------- reading


def read_table(path: Path) -> tuple[str, list[list[Any]]]:
    """The first sheet of a workbook, or a CSV file, as (sheet name, rows of cell values)."""
    if not path.is_file():
        raise InputError(str(path), "file not found", "check the path")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several unrelated types for a bad file
            raise InputError(str(path), f"not a readable xlsx workbook ({exc.__class__.__name__})",
                             "save the grid as .xlsx or .csv") from None
        try:
            sheet = workbook.worksheets[0]
            rows = []
            for row in sheet.iter_rows(values_only=True):
                rows.append(list(row))
                if len(rows) > MAX_ROWS:
                    raise InputError(f"{path}, sheet '{sheet.title}'", f"more than {MAX_ROWS} rows",
                                     "is this the action grid?")
            return sheet.title, rows
        finally:
            workbook.close()
    if suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        first = text.splitlines()[0] if text else ""
        delimiter = ";" if first.count(";") >= first.count(",") else ","
        return "csv", [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    raise InputError(str(path), f"unsupported grid format '{path.suffix}'", "give a .xlsx or .csv file")


HEADER_SCAN_ROWS = 30


def grid_rows(path: Path, warnings: list[str] | None = None) -> list[GridRow]:
    """The action rows of a grid. The header row is the first of the first 30 rows that names the
    four required columns (title rows above it are skipped); unknown columns are ignored and
    reported in `warnings`."""
    sheet, table = read_table(path)
    place = f"{path.name}, sheet '{sheet}'" if sheet != "csv" else path.name
    if not any(not _blank(v) for row in table for v in row):
        raise InputError(place, "the grid is empty", "one row of column headers, then one action per row")
    header_index = None
    for i, row in enumerate(table[:HEADER_SCAN_ROWS]):
        fields = {COLUMNS.get(norm(v)) for v in row if not _blank(v)}
        if all(f in fields for f in REQUIRED):
            header_index = i
            break
    if header_index is None:
        first = next(i for i, row in enumerate(table) if any(not _blank(v) for v in row))
        found = {COLUMNS.get(norm(v)) for v in table[first] if not _blank(v)}
        labels = dict(EXPORT_COLUMNS)
        missing = [labels[f] for f in REQUIRED if f not in found]
        raise InputError(f"{place}, row {first + 1}",
                         "no header row found: required column" + ("s " if len(missing) > 1 else " ")
                         + ", ".join(f"'{m}'" for m in missing) + " missing",
                         f"the header row (within the first {HEADER_SCAN_ROWS} rows) must name Poste, N°, Action, Points")
    header = table[header_index]
    columns: dict[str, int] = {}
    for col, name in enumerate(header):
        if _blank(name):
            continue
        field = COLUMNS.get(norm(name))
        where = f"{place}, row {header_index + 1}, column {column_letter(col)}"
        if field is None:
            if warnings is not None:
                warnings.append(f"{where}: column '{name}' ignored (not part of the grid format)")
            continue
        if field in columns:
            raise InputError(where, f"column '{name}' repeats column {column_letter(columns[field])}",
                             "keep one column per field")
        columns[field] = col
    rows: list[GridRow] = []
    for r in range(header_index + 1, len(table)):
        values = table[r]
        if all(_blank(values[col]) if col < len(values) else True for col in columns.values()):
            continue
        cells = {}
        for field, col in columns.items():
            value = values[col] if col < len(values) else None
            cells[field] = Cell(None if _blank(value) else value,
                                f"{place}, row {r + 1}, column {column_letter(col)} ({header[col]})")
        rows.append(GridRow(r + 1, cells, f"{place}, row {r + 1}"))
    if not rows:
        raise InputError(place, "the grid has headers but no action rows")
    return rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(cell: Cell) -> str | None:
    if cell.value is None:
        return None
    if isinstance(cell.value, float) and cell.value.is_integer():
        return str(int(cell.value))
    return str(cell.value).strip()


# ------------------------------------------------------------------------------------- importing


def template_ruleset(rulesets_dir: Path | None = None) -> tuple[dict[str, Any], Library]:
    """The bundled ecoprod_label ruleset (raw data) and the bundled library."""
    library = load_library(rulesets_dir)
    rs = library.rulesets[RULESET_ID]
    data = yaml.safe_load(Path(rs.path).read_text(encoding="utf-8"))
    return data, library


def grid_to_ruleset(path: Path, rulesets_dir: Path | None = None,
                    warnings: list[str] | None = None) -> tuple[dict[str, Any], dict[int, GridRow]]:
    """Build the ruleset data from a grid. Returns the data and criterion index -> grid row."""
    template, library = template_ruleset(rulesets_dir)
    rows = grid_rows(path, warnings)
    groups_by_key: dict[str, dict[str, Any]] = {}
    for group in template["groups"]:
        for key in (group["id"], group["title"]["fr"], group["title"]["en"]):
            groups_by_key[norm(key)] = group
    for alias, gid in {"habillageetmaquillage": "hmc", "habillagemaquillagecoiffure": "hmc",
                       "inclusionparite": "inclusion_parite", "qualitedevieautravail": "qvt",
                       "decorsetconstruction": "decors", "lieuxdetournage": "lieux_de_tournage"}.items():
        groups_by_key.setdefault(alias, next(g for g in template["groups"] if g["id"] == gid))
    stage_ids = {s["id"] for s in template.get("stages", [])}
    catalogue = library.catalogue
    used_groups: list[dict[str, Any]] = []
    criteria: list[dict[str, Any]] = []
    index_to_row: dict[int, GridRow] = {}
    seen_ids: dict[str, GridRow] = {}
    source_id = "ecoprod_grid"
    for row in rows:
        c = row.cells
        post = _text(c["post"])
        if not post:
            raise InputError(c["post"].where, "the post (Poste) is empty")
        group = groups_by_key.get(norm(post))
        if group is None:
            gid = re.sub(r"_+", "_", re.sub(r"[^a-z0-9]", "_", unicodedata.normalize("NFKD", post).encode(
                "ascii", "ignore").decode().lower())).strip("_") or "poste"
            if not gid[0].isalpha():
                gid = "poste_" + gid
            group = {"id": gid, "title": {"fr": post, "en": post}}
            groups_by_key[norm(post)] = group
        if group not in used_groups:
            used_groups.append(group)

        raw_id = _text(c["id"])
        if not raw_id:
            raise InputError(c["id"].where, "the action number (N°) is empty")
        cid = raw_id.upper() if raw_id.upper().startswith("ECO-") else "ECO-" + re.sub(r"[^A-Za-z0-9.]+", "-", raw_id)
        cid = re.sub(r"-+", "-", cid).strip("-")
        if not CRITERION_ID.match(cid):
            raise InputError(c["id"].where, f"'{raw_id}' cannot be used as an action number",
                             "use letters, digits, dots and dashes, e.g. ECO-DEP-01 or 4.2")
        if cid in seen_ids:
            raise InputError(c["id"].where, f"action number '{raw_id}' is used twice",
                             f"first at {seen_ids[cid].where}")
        seen_ids[cid] = row

        title_fr = _text(c["action"])
        if not title_fr:
            raise InputError(c["action"].where, "the action wording is empty")
        title_en = _text(c["action_en"]) if "action_en" in c else None

        points_cell = c["points"]
        points = _number(points_cell, "points")
        if points is None or points <= 0:
            raise InputError(points_cell.where, f"points must be a number above 0, got '{points_cell.value}'")

        mandatory = False
        if "mandatory" in c:
            word = norm(c["mandatory"].value if c["mandatory"].value is not None else "")
            if word in TRUE_WORDS:
                mandatory = True
            elif word not in FALSE_WORDS:
                raise InputError(c["mandatory"].where, f"'{c['mandatory'].value}' is not yes or no",
                                 "write oui / non (or x, yes / no, 1 / 0)")

        kinds: list[str] = []
        if "evidence_kind" in c and c["evidence_kind"].value is not None:
            for part in re.split(r"[;,\n]", _text(c["evidence_kind"])):
                part = part.strip()
                if not part:
                    continue
                if not KIND.match(part):
                    raise InputError(c["evidence_kind"].where, f"'{part}' is not an evidence kind",
                                     "lower_snake_case, e.g. bilan_carbone_definitif; separate kinds with ;")
                kinds.append(part)
        if not kinds:
            kinds = ["preuve_" + re.sub(r"[^a-z0-9]+", "_", cid.lower().removeprefix("eco-")).strip("_")]
        description = _text(c["evidence"]) if "evidence" in c else None
        evidence = [{"kind": k, "description": {
            "fr": description or f"Justificatif de l'action {raw_id}",
            "en": description or f"Supporting document for action {raw_id}"}} for k in kinds]

        if "condition" in c and c["condition"].value is not None:
            requires = _condition(c["condition"])
        elif len(kinds) == 1:
            requires = {"evidence": kinds[0]}
        else:
            requires = {"all": [{"evidence": k} for k in kinds]}

        crit: dict[str, Any] = {"id": cid, "title": {"fr": title_fr, "en": title_en or title_fr},
                                "group": group["id"]}
        if "applies_if" in c and c["applies_if"].value is not None:
            crit["applies_if"] = _applies(c["applies_if"], catalogue)
        crit["requires"] = requires
        crit["points"] = int(points) if float(points).is_integer() else points
        if mandatory:
            crit["mandatory"] = True
        crit["evidence"] = evidence
        if "effort" in c and c["effort"].value is not None:
            effort = _number(c["effort"], "effort")
            if effort is None or effort < 0:
                raise InputError(c["effort"].where, f"effort must be a number of days ≥ 0, got '{c['effort'].value}'")
            crit["effort"] = effort
        if "stage" in c and c["stage"].value is not None:
            word = _text(c["stage"])
            stage = word if word in stage_ids else STAGE_KEYWORDS.get(norm(word))
            if stage not in stage_ids:
                raise InputError(c["stage"].where, f"unknown stage '{word}'",
                                 "avant / pendant / apres / attribution, or " + ", ".join(sorted(stage_ids)))
            crit["stage"] = stage
        crit["source"] = {"document": source_id, "section": f"{_sheet_label(row)}, ligne {row.number}"}
        provenance = "official_text"
        if "provenance" in c and c["provenance"].value is not None:
            provenance = _text(c["provenance"])
            if provenance not in PROVENANCES:
                raise InputError(c["provenance"].where, f"unknown provenance '{provenance}'",
                                 "official_text, published_summary or reconstructed")
        crit["provenance"] = provenance
        index_to_row[len(criteria)] = row
        criteria.append(crit)

    imported = dt.date.today().isoformat()
    total = sum(c["points"] for c in criteria)
    data: dict[str, Any] = {
        "id": RULESET_ID,
        "title": {"fr": "Label Ecoprod (grille importée)", "en": "Ecoprod label (imported grid)"},
        "version": f"{template['version'].split('-')[0]}-grid",
        "valid_from": template.get("valid_from"),
        "description": {
            "fr": f"Grille importée de {path.name} le {imported} ; politique (seuils, étoiles), étapes et faits repris "
                  "du référentiel raccord ecoprod_label.",
            "en": f"Grid imported from {path.name} on {imported}; policy (thresholds, stars), stages and facts taken "
                  "from raccord's ecoprod_label ruleset."},
        "sources": [{"id": source_id, "title": f"Grille Label Ecoprod : {path.name}", "note": f"imported {imported}"}]
                   + [s for s in template["sources"] if s["id"] != source_id],
        "groups": used_groups,
        "stages": template.get("stages", []),
        "facts": template.get("facts", {}),
        "policy": template["policy"],
        "totals": {"criteria": len(criteria), "groups": len(used_groups), "points": total},
        "criteria": criteria,
    }
    return {k: v for k, v in data.items() if v is not None}, index_to_row


def _sheet_label(row: GridRow) -> str:
    return row.where.rsplit(", row", 1)[0]


def _number(cell: Cell, what: str) -> float | None:
    value = cell.value
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError(cell.where, f"'{value}' is not a number")
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip().replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        raise InputError(cell.where, f"'{value}' is not a number") from None


def _condition(cell: Cell) -> dict[str, Any]:
    try:
        value = yaml.safe_load(str(cell.value))
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "syntax error"
        raise InputError(cell.where, f"the condition is not valid YAML ({problem})",
                         "e.g. {evidence: bilan_carbone_definitif}") from None
    if not isinstance(value, dict):
        raise InputError(cell.where, "a condition is a mapping, e.g. {evidence: bilan_carbone_definitif}")
    return value


def _applies(cell: Cell, catalogue: dict) -> dict[str, Any]:
    text = _text(cell)
    if text.startswith("{"):
        return _condition(cell)
    fact = APPLIES_KEYWORDS.get(norm(text), text)
    if fact not in catalogue:
        raise InputError(cell.where, f"unknown applicability '{text}'",
                         "decors, milieu_naturel, animaux, post_production, a boolean fact name, or a {condition}")
    if catalogue[fact].type != "boolean":
        raise InputError(cell.where, f"fact '{fact}' is not a boolean fact", "give a {condition} instead")
    return {"fact": fact}


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def dump_ruleset(data: dict[str, Any]) -> str:
    header = ("# Label Ecoprod grid imported by `raccord ecoprod import` (see rulesets/ecoprod_label/README.md).\n"
              "# Use it with: raccord check DOSSIER --ruleset-file THIS_FILE\n")
    return header + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)


def import_grid(path: Path, rulesets_dir: Path | None = None,
                warnings: list[str] | None = None) -> tuple[str, dict[str, Any]]:
    """Grid -> validated ruleset YAML text. Loader errors are traced back to the grid row."""
    data, index_to_row = grid_to_ruleset(path, rulesets_dir, warnings)
    text = dump_ruleset(data)
    with tempfile.TemporaryDirectory() as tmp:
        candidate = Path(tmp) / "ruleset.yaml"
        candidate.write_text(text, encoding="utf-8")
        try:
            load_library(rulesets_dir, [candidate])
        except InputError as exc:
            raise _locate_in_grid(exc, text, str(candidate), index_to_row) from None
    return text, data


def _locate_in_grid(exc: InputError, text: str, file: str, index_to_row: dict[int, GridRow]) -> InputError:
    match = re.match(rf"^{re.escape(file)}:(\d+):\d+$", exc.where or "")
    if not match:
        return exc
    line = int(match.group(1))
    located = parse_yaml(text, file)
    starts = sorted((located.positions[("criteria", i)][0], i) for i in index_to_row
                    if ("criteria", i) in located.positions)
    owner = None
    for start, i in starts:
        if start <= line:
            owner = i
    if owner is None:
        return InputError("imported grid", exc.message, exc.hint)
    row = index_to_row[owner]
    # the YAML key at the error line tells which column produced it
    key_line = text.splitlines()[line - 1].strip()
    column = next((row.cells[f].where for key, f in (("applies_if", "applies_if"), ("requires", "condition"),
                                                     ("evidence", "condition"))
                   if key_line.startswith(f"{key}:") and f in row.cells), None)
    if column is None and "fact" in exc.message and "applies_if" in row.cells and row.cells["applies_if"].value:
        column = row.cells["applies_if"].where
    if column is None and "condition" in row.cells and row.cells["condition"].value:
        column = row.cells["condition"].where
    return InputError(column or row.where, exc.message, exc.hint)


# ------------------------------------------------------------------------------------- exporting


def ruleset_grid_rows(library: Library, ruleset_id: str = RULESET_ID) -> list[list[Any]]:
    """A ruleset as grid rows (header first), in the import format."""
    rs = library.rulesets[ruleset_id]
    model: Ruleset = rs.model
    groups = {g.id: g for g in model.groups}
    inverse_applies = {fact: key for key, fact in (("decors", "work.has_set_construction"),
                                                   ("milieu_naturel", "work.has_natural_sites"),
                                                   ("animaux", "work.has_animals"),
                                                   ("post_production", "work.has_post_production"))}
    rows: list[list[Any]] = [[label for _, label in EXPORT_COLUMNS]]
    for crit in model.criteria:
        kinds = [e.kind for e in crit.evidence]
        default_requires = ({"evidence": kinds[0]} if len(kinds) == 1 else {"all": [{"evidence": k} for k in kinds]})
        descriptions = list(dict.fromkeys(e.description.fr for e in crit.evidence))
        applies = ""
        if crit.applies_if is not None:
            fact = crit.applies_if.get("fact") if set(crit.applies_if) == {"fact"} else None
            applies = inverse_applies.get(fact, fact) if fact else _flow(crit.applies_if)
        values = {
            "post": groups[crit.group].title.fr,
            "id": crit.id,
            "action": crit.title.fr,
            "action_en": crit.title.en,
            "points": _points(crit.points),
            "mandatory": "oui" if crit.mandatory else "non",
            "evidence": " / ".join(descriptions) if len(descriptions) > 1 else (descriptions[0] if descriptions else ""),
            "evidence_kind": "; ".join(kinds),
            "condition": "" if crit.requires == default_requires else _flow(crit.requires),
            "applies_if": applies,
            "stage": crit.stage or "",
            "effort": crit.effort,
            "provenance": crit.provenance,
        }
        rows.append([values[field] for field, _ in EXPORT_COLUMNS])
    return rows


def _flow(condition: dict[str, Any]) -> str:
    return yaml.safe_dump(condition, default_flow_style=True, allow_unicode=True, width=10_000).strip()


def checklist_rows(evaluation: Evaluation, ruleset_id: str, lang: str = "fr") -> list[list[Any]]:
    """The action checklist of one evaluated ruleset (header first)."""
    from .i18n import t

    rs = evaluation.library.rulesets[ruleset_id]
    groups = {g.id: g for g in rs.model.groups}
    evidence_by_id = {item.id: item for item in evaluation.dossier.file.evidence}
    fr = lang != "en"
    header = (["Poste", "N°", "Action", "Points", "Impératif", "Statut", "Étape", "Justificatifs attendus",
               "Justificatifs trouvés", "Commentaire", "Provenance"] if fr else
              ["Post", "No.", "Action", "Points", "Mandatory", "Status", "Stage", "Evidence expected",
               "Evidence found", "Comment", "Provenance"])
    stages = {s.id: s.title.get(lang) for s in rs.model.stages}
    rows: list[list[Any]] = [header]
    for crit in rs.display_order:
        entry = criterion_entry(evaluation, rs, crit)
        found = []
        for item_id in entry.get("evidence_used", []):
            item = evidence_by_id.get(item_id)
            label = item_id + (f" ({item.path or item.url})" if item and (item.path or item.url) else "")
            found.append(label)
        for problem in entry.get("evidence_problems", []):
            found.append(f"{problem['id']} : {t(problem['state'], lang)}")
        comment = entry.get("declined") or entry.get("justification") or ""
        if entry.get("missing_facts"):
            comment = (comment + " " if comment else "") + t("missing_facts", lang) + " : " + ", ".join(
                entry["missing_facts"])
        rows.append([
            groups[crit.model.group].title.get(lang),
            crit.id,
            crit.model.title.get(lang),
            _points(crit.model.points),
            ("oui" if fr else "yes") if crit.model.mandatory else ("non" if fr else "no"),
            t(entry["status"], lang),
            stages.get(crit.model.stage or "", ""),
            "\n".join(e.description.get(lang) for e in crit.model.evidence),
            "\n".join(found),
            comment,
            t(crit.model.provenance, lang),
        ])
    return rows


def _points(value: float | None) -> float | int | None:
    return int(value) if value is not None and float(value).is_integer() else value


def write_xlsx(rows: list[list[Any]], sheet_title: str, widths: dict[int, int] | None = None) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    for row in rows:
        sheet.append(["" if v is None else v for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for col in range(1, len(rows[0]) + 1):
        letter = column_letter(col - 1)
        sheet.column_dimensions[letter].width = (widths or {}).get(col, 18)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


__all__ = ["bundled_rulesets_dir", "checklist_rows", "grid_rows", "grid_to_ruleset", "import_grid",
           "ruleset_grid_rows", "write_csv", "write_xlsx"]
