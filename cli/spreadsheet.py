"""Spreadsheets as rows of cell values: read one sheet of an xlsx workbook or a CSV file, write both.

Knows nothing of grids or referentials; the grid importer locates its errors with `Sheet.place`
and `column_letter`. A merged range reads as its first cell's value in every cell it covers (a
chapter merged down its rows, a section title merged across), and each xlsx cell keeps its number
format, so that a number typed as a number (1.10 stored as 1.1 with format `0.00`) can be read back.
"""

from __future__ import annotations

import csv
import io
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from raccord.engine import InputError
from raccord.engine.errors import Bilingual
from raccord.engine.source_files import CHECK_PATH, IS_FOLDER, NOT_FOUND, NOT_REGULAR, NOT_REGULAR_HINT

MAX_ROWS = 5000


@dataclass
class Sheet:
    title: str  # "csv" for a CSV file
    place: str  # "grid.xlsx, sheet 'Grille'" or "grid.csv": the prefix of every location in it
    rows: list[list[Any]]
    formats: list[list[str | None]] = field(default_factory=list)  # xlsx number formats, like `rows`; [] for CSV

    def number_format(self, row: int, col: int) -> str | None:
        """The number format of a cell (0-based), None for CSV or a cell outside the sheet."""
        if row < len(self.formats) and col < len(self.formats[row]):
            return self.formats[row][col]
        return None


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


SAVE_AS = Bilingual("enregistrez la grille en .xlsx ou .csv", "save the grid as .xlsx or .csv")
TOO_MANY = Bilingual("plus de {n} lignes", "more than {n} rows")
IS_IT_THE_GRID = Bilingual("est-ce bien la grille des critères ?", "is this the grid of criteria?")


def _check_regular(path: Path) -> None:
    """Refuse a missing path, a folder, or a special file (a named pipe would block the reader)."""
    try:
        info = path.stat()
    except OSError:
        raise InputError(str(path), NOT_FOUND, CHECK_PATH) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(str(path), IS_FOLDER)
    if not stat.S_ISREG(info.st_mode):
        raise InputError(str(path), NOT_REGULAR, NOT_REGULAR_HINT)


def read_sheet(path: Path, prefer: str | None = None) -> Sheet:
    """The sheet named `prefer` of a workbook (the first sheet when it has none of that name), or a CSV
    file (`;` or `,` separated, UTF-8 or Windows-1252)."""
    _check_regular(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, prefer)
    if suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        if "\0" in text:
            raise InputError(path.name, Bilingual("ce n'est pas un fichier CSV (contenu binaire)",
                                                  "not a CSV file (binary content)"),
                             SAVE_AS)
        head = text.splitlines()[:30]  # title rows above the header may hold a comma and no separator
        delimiter = ";" if max((line.count(";") for line in head), default=0) >= max(
            (line.count(",") for line in head), default=0) else ","
        try:
            rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error as exc:
            raise InputError(path.name, Bilingual(f"fichier CSV illisible ({exc})",
                                                  f"unreadable CSV file ({exc})"), SAVE_AS) from None
        if len(rows) > MAX_ROWS:
            raise InputError(path.name, TOO_MANY.format(n=MAX_ROWS), IS_IT_THE_GRID)
        return Sheet("csv", path.name, rows)
    raise InputError(str(path), Bilingual(f"format de grille non pris en charge « {path.suffix} »",
                                          f"grid format not supported '{path.suffix}'"),
                     Bilingual("donnez un fichier .xlsx ou .csv", "give a .xlsx or .csv file"))


def _read_xlsx(path: Path, prefer: str | None) -> Sheet:
    import openpyxl

    try:  # not read_only: merged ranges are only known to a fully loaded sheet (grids are small)
        workbook = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a bad file
        raise InputError(str(path), Bilingual(f"classeur xlsx illisible ({exc.__class__.__name__})",
                                              f"unreadable xlsx workbook ({exc.__class__.__name__})"), SAVE_AS) from None
    try:
        sheet = next((s for s in workbook.worksheets if s.title == prefer), workbook.worksheets[0])
        place = f"{path.name}, sheet '{sheet.title}'"
        if sheet.max_row > MAX_ROWS:
            raise InputError(place, TOO_MANY.format(n=MAX_ROWS), IS_IT_THE_GRID)
        rows: list[list[Any]] = []
        formats: list[list[str | None]] = []
        for row in sheet.iter_rows():
            rows.append([cell.value for cell in row])
            formats.append([getattr(cell, "number_format", None) for cell in row])
        for merged in sheet.merged_cells.ranges:
            top, left = merged.min_row - 1, merged.min_col - 1
            if top >= len(rows) or left >= len(rows[top]):
                continue
            for r in range(top, min(merged.max_row, len(rows))):
                for c in range(left, min(merged.max_col, len(rows[r]))):
                    rows[r][c], formats[r][c] = rows[top][left], formats[top][left]
        return Sheet(sheet.title, place, rows, formats)
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
