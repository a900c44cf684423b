"""A grid's action rows as cells located by field: the header row found by the grid description's
column names, each cell with its file, sheet, row and column for error messages.

Official grids are not tables: title rows above the header, section rows (« 1. PRODUCTION ET
ENGAGEMENT ») that give the group of the rows below them, sub-total and TOTAL rows, blank rows,
legends. Every row of the sheet is either an action row or reported in French with its number and
why it was not imported (`notes`); a criterion number typed as a number is read back (grid_numbers.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from raccord.engine import InputError
from raccord.engine.errors import Bilingual

from .grid_numbers import number_text
from .grid_spec import LEVEL_MARK, GridFormat, norm
from .spreadsheet import Sheet, blank, column_letter, read_sheet

HEADER_SCAN_ROWS = 30
TOTAL = re.compile(r"^\s*(sous[\s-]*)?total\b", re.IGNORECASE)
NUMBERED = re.compile(r"^\s*((chapitre|chap\.|poste|section|partie|th[eè]me)\s+)?(\d+|[IVX]+)\s*[.)\-–:]?\s+\S", re.IGNORECASE)
BARE_NUMBER = re.compile(r"^\s*(\d+|[IVX]+)\s*[.)]?\s*$")
NO_MARK = {"", "non", "no", "n", "0", "faux", "false"}  # a level column cell that does not mark the level


@dataclass(frozen=True)
class RowNote:
    """What became of a row that was not imported as it stands, in French."""

    row: int  # 1-based, as the spreadsheet shows it
    why: str
    skipped: bool = True  # False: imported, with something to say (a number read back, conditions taken over)

    def __str__(self) -> str:
        return f"ligne {self.row} : {self.why}"


@dataclass
class Cell:
    value: Any
    where: str  # "grid.xlsx, sheet 'Grille', row 4, column D (Points)"


@dataclass
class GridRow:
    number: int
    cells: dict[str, Cell]  # field -> cell, for the columns the grid has
    where: str  # the row, for errors that concern the whole row
    place: str  # the sheet
    section: str | None = None  # the title of the section row above it (its group when the grid has no group column)

    def text(self, name: str) -> str | None:
        return cell_text(self.cells[name]) if name in self.cells else None

    def filled(self, name: str) -> bool:
        return name in self.cells and self.cells[name].value is not None


def grid_rows(path: Path, grid: GridFormat, warnings: list[str] | None = None,
              notes: list[RowNote] | None = None) -> list[GridRow]:
    """The action rows of a grid. The header row is the first of the first 30 rows that names every
    required column; unknown columns are ignored and reported in `warnings`. `notes` receives one
    French line per row not imported (and per number read back), « ligne 14 : ligne de section … »."""
    sheet = read_sheet(path, grid.file.sheet)
    table = sheet.rows
    if not any(not blank(v) for row in table for v in row):
        raise InputError(sheet.place, Bilingual("la grille est vide", "the grid is empty"),
                         Bilingual("une ligne d'en-têtes de colonnes, puis un critère par ligne",
                                   "a row of column headers, then one criterion per row"))
    header_index, header, depth = _header_row(sheet, grid)
    columns: dict[str, int] = {}
    for col, name in enumerate(header):
        if blank(name):
            continue
        field = grid.headers.get(norm(name))
        where = f"{sheet.place}, row {header_index + 1}, column {column_letter(col)}"
        if field is None:
            if warnings is not None:
                warnings.append(f"{where}: column '{name}' ignored (not part of the grid format)")
            continue
        if field in columns:
            raise InputError(where, Bilingual(f"la colonne « {name} » répète la colonne {column_letter(columns[field])}",
                                              f"column '{name}' repeats column {column_letter(columns[field])}"),
                             Bilingual("gardez une seule colonne par champ", "keep one column per field"))
        columns[field] = col
    reader = _Rows(sheet, grid, columns, header, notes if notes is not None else [])
    for r in range(header_index):
        reader.note(r, "ligne vide, avant l'en-tête" if _blank_row(table[r]) else f"avant l'en-tête ({_quote(table[r])})")
    for r in range(header_index, header_index + depth):
        reader.note(r, "ligne d'en-tête des colonnes")
    for r in range(header_index + depth, len(table)):
        reader.read(r)
    if not reader.rows:
        raise InputError(sheet.place, Bilingual("la grille a des en-têtes mais aucune ligne de critère",
                                                "the grid has headers but no criterion row"),
                         Bilingual(f"chaque critère a son numéro dans la colonne « {grid.label('id')} »",
                                   f"each criterion has its number in column '{grid.label('id')}'"))
    return reader.rows


class _Rows:
    """Sorts the rows below the header: action rows, section rows, totals, blank rows, notes."""

    def __init__(self, sheet: Sheet, grid: GridFormat, columns: dict[str, int], header: list[Any], notes: list[RowNote]):
        self.sheet, self.grid, self.columns, self.header, self.notes = sheet, grid, columns, header, notes
        self.rows: list[GridRow] = []
        self.section: str | None = None
        self.previous: str | None = None  # the last criterion number of the current section
        self.scoring = any(f in columns for f in ("points", "level")) or any(f.startswith(LEVEL_MARK) for f in columns)
        self.levels = sorted((int(f.removeprefix(LEVEL_MARK)), c) for f, c in columns.items() if f.startswith(LEVEL_MARK))

    def note(self, r: int, why: str, skipped: bool = True) -> None:
        self.notes.append(RowNote(r + 1, why, skipped))

    def value(self, values: list[Any], field: str) -> Any:
        col = self.columns.get(field)
        value = values[col] if col is not None and col < len(values) else None
        return None if blank(value) else value

    def read(self, r: int) -> None:
        values = self.sheet.rows[r]
        mapped = [values[c] if c < len(values) else None for c in self.columns.values()]
        texts = [str(v).strip() for v in mapped if not blank(v)]
        if not texts:
            self.note(r, "ligne vide" if _blank_row(values) else f"hors des colonnes de la grille ({_quote(values)})")
            return
        total = TOTAL.match(texts[0]) or TOTAL.match(str(self.value(values, "title") or ""))
        if total:
            self.note(r, "ligne de sous-total" if total.group(1) else "ligne TOTAL")
            return
        distinct = list(dict.fromkeys(texts))
        marks = self._marks(values)
        scored = any(self.value(values, f) is not None for f in ("points", "level")) or bool(marks)
        if not self.scoring:  # a grid without scoring columns: a number is enough to make an action
            scored = self.value(values, "id") is not None and _looks_like_number(self.value(values, "id"))
        number = self.value(values, "id")
        title = self.value(values, "title")
        if len(distinct) == 1 and (number is None or not scored or str(number).strip() == distinct[0]):
            if self._is_section(distinct[0]):  # one text across the row: a (merged) section title
                return self._start_section(r, distinct[0])
            if number is None or not _looks_like_number(number):
                self.note(r, f"ni numéro ni {self._scoring_word()} : ligne ignorée ({_quote(values)})")
                return
        if number is not None and not scored and title is not None and BARE_NUMBER.match(str(number)):
            return self._start_section(r, f"{str(number).strip().rstrip('.)')}. {str(title).strip()}")
        if number is None and not scored:
            self.note(r, f"ni numéro ni {self._scoring_word()} : ligne ignorée ({_quote(values)})")
            return
        self.rows.append(self._action_row(r, values, marks))

    def _action_row(self, r: int, values: list[Any], marks: list[tuple[int, int]]) -> GridRow:
        cells: dict[str, Cell] = {}
        for field, col in self.columns.items():
            if field.startswith(LEVEL_MARK):
                continue
            value = values[col] if col < len(values) else None
            cells[field] = Cell(None if blank(value) else value, self._where(r, col))
        number = cells["id"].value
        if number is not None:
            text, how = number_text(number, self.sheet.number_format(r, self.columns["id"]), self.previous)
            cells["id"].value = text
            self.previous = text
            if how:
                self.note(r, how, skipped=False)
        if marks and ("level" not in cells or cells["level"].value is None):
            level, col = marks[0]  # the lowest level marked is the criterion's level
            cells["level"] = Cell(level, self._where(r, col))
        return GridRow(r + 1, cells, f"{self.sheet.place}, row {r + 1}", self.sheet.place, self.section)

    def _marks(self, values: list[Any]) -> list[tuple[int, int]]:
        return [(level, col) for level, col in self.levels
                if col < len(values) and not blank(values[col]) and norm(values[col]) not in NO_MARK
                and str(values[col]).strip() != "-"]

    def _is_section(self, text: str) -> bool:
        if NUMBERED.match(text) or _group_key(text, self.grid) is not None:
            return True
        letters = [c for c in text if c.isalpha()]
        return len(letters) >= 3 and text.upper() == text

    def _start_section(self, r: int, text: str) -> None:
        self.section, self.previous = text, None
        self.note(r, f"ligne de section « {text} »")

    def _where(self, r: int, col: int) -> str:
        return f"{self.sheet.place}, row {r + 1}, column {column_letter(col)} ({self.header[col]})"

    def _scoring_word(self) -> str:
        if not self.scoring:
            return "intitulé"
        return "niveau" if "level" in self.grid.file.columns else "points"


def section_names(text: str) -> list[str]:
    """The names a section title may be known by: `1. PRODUCTION` -> itself, `PRODUCTION`, `1`."""
    match = re.match(r"^\s*((?:chapitre|chap\.|poste|section|partie|th[eè]me)\s+)?(\d+|[IVX]+)\s*[.)\-–:]?\s*(.*)$",
                     text, re.IGNORECASE)
    if not match:
        return [text]
    return [n for n in (text, match.group(3), match.group(2)) if n and n.strip()]


def _group_key(text: str, grid: GridFormat) -> str | None:
    return next((grid.group_names[norm(n)] for n in section_names(text) if norm(n) in grid.group_names), None)


def _looks_like_number(value: Any) -> bool:
    return isinstance(value, (int, float)) or (bool(re.search(r"\d", str(value))) and " " not in str(value).strip())


def _blank_row(values: list[Any]) -> bool:
    return all(blank(v) for v in values)


def _quote(values: list[Any], limit: int = 60) -> str:
    text = " | ".join(dict.fromkeys(str(v).strip() for v in values if not blank(v)))
    return f"« {text[:limit]}{'…' if len(text) > limit else ''} »"


def _header_row(sheet: Sheet, grid: GridFormat) -> tuple[int, list[Any], int]:
    """The header's first row, its cells and how many rows it takes: one, or two when a heading is
    merged above its sub-columns (« Niveaux » above « 1 | 2 | 3 » reads « Niveaux 1 »…)."""
    table = sheet.rows

    def names_all(row: list[Any]) -> bool:
        fields = {grid.headers.get(norm(v)) for v in row if not blank(v)}
        if any(f and f.startswith(LEVEL_MARK) for f in fields):
            fields.add("level")  # levels given by one column per level
        return all(f in fields for f in grid.required)

    for i, row in enumerate(table[:HEADER_SCAN_ROWS]):
        if names_all(row):
            return i, row, 1
        below = table[i + 1] if i + 1 < len(table) else []
        if any(not blank(v) for v in row) and not names_all(below):
            joined = [_joined(row[c] if c < len(row) else None, below[c] if c < len(below) else None)
                      for c in range(max(len(row), len(below)))]
            if names_all(joined):
                return i, joined, 2
    first = next(i for i, row in enumerate(table) if any(not blank(v) for v in row))
    found = {grid.headers.get(norm(v)) for v in table[first] if not blank(v)}
    missing = [grid.label(f) for f in grid.required if f not in found]
    several = len(missing) > 1
    raise InputError(f"{sheet.place}, row {first + 1}",
                     Bilingual("aucune ligne d'en-tête trouvée : colonne" + ("s " if several else " ")
                               + ", ".join(f"« {m} »" for m in missing) + (" absentes" if several else " absente"),
                               "no header row found: missing column" + ("s " if several else " ")
                               + ", ".join(f"'{m}'" for m in missing)),
                     Bilingual(f"la ligne d'en-tête (dans les {HEADER_SCAN_ROWS} premières lignes) doit nommer "
                               + ", ".join(grid.label(f) for f in grid.required),
                               f"the header row (within the first {HEADER_SCAN_ROWS} rows) must name "
                               + ", ".join(grid.label(f) for f in grid.required)))


def _joined(top: Any, below: Any) -> Any:
    """One header cell of a two-row header: the heading and its sub-heading, or whichever is there."""
    if blank(below) or str(below).strip() == str(top).strip():
        return top
    return below if blank(top) else f"{str(top).strip()} {str(below).strip()}"


def cell_text(cell: Cell) -> str | None:
    if cell.value is None:
        return None
    if isinstance(cell.value, float) and cell.value.is_integer():
        return str(int(cell.value))
    return str(cell.value).strip()


CONDITION_EXAMPLE = Bilingual("par exemple {evidence: bilan_carbone_definitif}", "e.g. {evidence: bilan_carbone_definitif}")


def not_a_number(value: Any) -> Bilingual:
    return Bilingual(f"« {value} » n'est pas un nombre", f"'{value}' is not a number")


def cell_float(cell: Cell) -> float | None:
    value = cell.value
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError(cell.where, not_a_number(value))
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip().replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        raise InputError(cell.where, not_a_number(value)) from None


def cell_condition(cell: Cell) -> dict[str, Any]:
    try:
        value = yaml.safe_load(str(cell.value))
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "syntax error"
        raise InputError(cell.where, Bilingual("la condition n'est pas du YAML valide",
                                               f"the condition is not valid YAML ({problem})"), CONDITION_EXAMPLE) from None
    if not isinstance(value, dict):
        raise InputError(cell.where, Bilingual("une condition est une table", "a condition is a mapping"), CONDITION_EXAMPLE)
    return value
