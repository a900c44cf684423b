"""Spreadsheets as rows of cell values: read one sheet of an xlsx workbook or a CSV file, write both.

Knows nothing of grids or referentials; the grid importer locates its errors with `Sheet.place`
and `column_letter`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from raccord.engine import InputError

MAX_ROWS = 5000


@dataclass
class Sheet:
    title: str  # "csv" for a CSV file
    place: str  # "grid.xlsx, sheet 'Grille'" or "grid.csv": the prefix of every location in it
    rows: list[list[Any]]


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_number(value: float | None) -> float | int | None:
    """A number as a cell shows it: 2.0 -> 2."""
    return int(value) if value is not None and float(value).is_integer() else value


def read_sheet(path: Path, prefer: str | None = None) -> Sheet:
    """The sheet named `prefer` of a workbook (the first sheet when it has none of that name), or a CSV
    file (`;` or `,` separated, UTF-8 or Windows-1252)."""
    if not path.is_file():
        raise InputError(str(path), "file not found", "check the path")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, prefer)
    if suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        first = text.splitlines()[0] if text else ""
        delimiter = ";" if first.count(";") >= first.count(",") else ","
        return Sheet("csv", path.name, list(csv.reader(io.StringIO(text), delimiter=delimiter)))
    raise InputError(str(path), f"unsupported grid format '{path.suffix}'", "give a .xlsx or .csv file")


def _read_xlsx(path: Path, prefer: str | None) -> Sheet:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a bad file
        raise InputError(str(path), f"not a readable xlsx workbook ({exc.__class__.__name__})",
                         "save the grid as .xlsx or .csv") from None
    try:
        sheet = next((s for s in workbook.worksheets if s.title == prefer), workbook.worksheets[0])
        place = f"{path.name}, sheet '{sheet.title}'"
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS:
                raise InputError(place, f"more than {MAX_ROWS} rows", "is this the action grid?")
        return Sheet(sheet.title, place, rows)
    finally:
        workbook.close()


def write_xlsx(rows: list[list[Any]], sheet_title: str, widths: dict[int, int] | None = None) -> bytes:
    """One sheet, bold frozen header, wrapped cells; `widths` by 1-based column (default 18)."""
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
        sheet.column_dimensions[column_letter(col - 1)].width = (widths or {}).get(col, 18)
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
