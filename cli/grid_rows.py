"""A grid's action rows as cells located by field: the header row found by the grid description's
column names, each cell with its file, sheet, row and column for error messages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from raccord.engine import InputError

from .grid_spec import GridFormat, norm
from .spreadsheet import Sheet, blank, column_letter, read_sheet

HEADER_SCAN_ROWS = 30


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

    def text(self, name: str) -> str | None:
        return cell_text(self.cells[name]) if name in self.cells else None

    def filled(self, name: str) -> bool:
        return name in self.cells and self.cells[name].value is not None


def grid_rows(path: Path, grid: GridFormat, warnings: list[str] | None = None) -> list[GridRow]:
    """The action rows of a grid. The header row is the first of the first 30 rows that names every
    required column (title rows above it are skipped); unknown columns are ignored and reported in
    `warnings`."""
    sheet = read_sheet(path, grid.file.sheet)
    table = sheet.rows
    if not any(not blank(v) for row in table for v in row):
        raise InputError(sheet.place, "the grid is empty", "one row of column headers, then one action per row")
    header_index = _header_row(sheet, grid)
    header = table[header_index]
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
            raise InputError(where, f"column '{name}' repeats column {column_letter(columns[field])}",
                             "keep one column per field")
        columns[field] = col
    rows: list[GridRow] = []
    for r in range(header_index + 1, len(table)):
        values = table[r]
        if all(blank(values[col]) if col < len(values) else True for col in columns.values()):
            continue
        cells = {}
        for field, col in columns.items():
            value = values[col] if col < len(values) else None
            cells[field] = Cell(None if blank(value) else value,
                                f"{sheet.place}, row {r + 1}, column {column_letter(col)} ({header[col]})")
        rows.append(GridRow(r + 1, cells, f"{sheet.place}, row {r + 1}", sheet.place))
    if not rows:
        raise InputError(sheet.place, "the grid has headers but no action rows")
    return rows


def _header_row(sheet: Sheet, grid: GridFormat) -> int:
    table = sheet.rows
    for i, row in enumerate(table[:HEADER_SCAN_ROWS]):
        fields = {grid.headers.get(norm(v)) for v in row if not blank(v)}
        if all(f in fields for f in grid.required):
            return i
    first = next(i for i, row in enumerate(table) if any(not blank(v) for v in row))
    found = {grid.headers.get(norm(v)) for v in table[first] if not blank(v)}
    missing = [grid.label(f) for f in grid.required if f not in found]
    raise InputError(f"{sheet.place}, row {first + 1}",
                     "no header row found: required column" + ("s " if len(missing) > 1 else " ")
                     + ", ".join(f"'{m}'" for m in missing) + " missing",
                     f"the header row (within the first {HEADER_SCAN_ROWS} rows) must name "
                     + ", ".join(grid.label(f) for f in grid.required))


def cell_text(cell: Cell) -> str | None:
    if cell.value is None:
        return None
    if isinstance(cell.value, float) and cell.value.is_integer():
        return str(int(cell.value))
    return str(cell.value).strip()


def cell_float(cell: Cell) -> float | None:
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


def cell_condition(cell: Cell) -> dict[str, Any]:
    try:
        value = yaml.safe_load(str(cell.value))
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "syntax error"
        raise InputError(cell.where, f"the condition is not valid YAML ({problem})",
                         "e.g. {evidence: bilan_carbone_definitif}") from None
    if not isinstance(value, dict):
        raise InputError(cell.where, "a condition is a mapping, e.g. {evidence: bilan_carbone_definitif}")
    return value
