"""The action list as a working document: export, edit in a spreadsheet, import back.

Export the feature film's Ecoprod list, change two follow-ups and an owner with openpyxl as a
coordinator would, import: the dossier changes exactly there (and nowhere else: every other line,
comments included, is kept), the evaluation sees the declined action. The exported workbook
printed by LibreOffice fits one page wide, in landscape."""

from __future__ import annotations

import difflib
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from raccord.cli.main import cli
from tests.support import requires

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "long_metrage"
AS_OF = "2025-10-15"


@pytest.fixture
def film(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "film")
    return tmp_path / "film" / "dossier.yaml"


def raccord(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def exported(dossier: Path) -> Path:
    raccord("export", "checklist", str(dossier), "--as-of", AS_OF)
    path = dossier.with_name("les-heures-claires-ecoprod_label-actions.xlsx")  # named after the production
    assert path.is_file()
    return path


def test_the_workbook_is_a_working_document(film):
    sheet = openpyxl.load_workbook(exported(film)).active
    title = [sheet.cell(row=r, column=1).value for r in range(1, 5)]
    assert title[0].startswith("Liste d'actions — Label Ecoprod")
    assert "Les Heures claires (les-heures-claires)" in title[1] and "2025-10-15" in title[1]
    assert "Score : 83,8" in title[2] and "Seuil : au moins 65,0" in title[2]
    header = [c.value for c in sheet[6]]
    assert header[:10] == ["Poste", "N°", "Action", "Points", "Impératif", "Statut", "Suivi", "Responsable", "Échéance",
                           "Commentaire"]
    assert sheet.auto_filter.ref == "A6:Q91" and sheet.print_title_rows == "$6:$6"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    lists = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert lists["G7:G91"].type == "list" and "écarté" in lists["G7:G91"].formula1
    assert lists["I7:I91"].type == "date"
    rows = {sheet.cell(row=r, column=2).value: r for r in range(7, 92)}
    met, unknown = rows["ECO-PROD-02"], rows["ECO-PROD-03"]
    assert sheet.cell(row=met, column=6).fill.fgColor.rgb.endswith("C6EFCE")  # green: met
    assert sheet.cell(row=unknown, column=6).fill.fgColor.rgb.endswith("FFEB9C")  # yellow: not proven yet
    assert sheet.row_dimensions[met].height > 15  # wrapped text gets the height it needs
    assert sheet.cell(row=met, column=9).value is not None  # the calendar's due date, until the coordinator sets one


def test_export_edit_import_changes_the_dossier_exactly_there(film):
    before = film.read_text(encoding="utf-8")
    path = exported(film)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    rows = {sheet.cell(row=r, column=2).value: r for r in range(7, sheet.max_row + 1)}
    sheet.cell(row=rows["ECO-PROD-03"], column=7).value = "en cours"
    sheet.cell(row=rows["ECO-PROD-03"], column=8).value = "Coordinatrice écoprod"
    sheet.cell(row=rows["ECO-DEP-05"], column=7).value = "écarté"
    sheet.cell(row=rows["ECO-DEP-05"], column=10).value = "Pas de cantine sur ce tournage"
    workbook.save(path)

    shown = raccord("import", "checklist", str(path), str(film), "--as-of", AS_OF)
    assert "3 changements dans" in shown and "ECO-PROD-03 responsable : (vide) → Coordinatrice écoprod" in shown
    assert film.read_text(encoding="utf-8") == before  # nothing written without --yes
    raccord("import", "checklist", str(path), str(film), "--as-of", AS_OF, "--yes")
    after = film.read_text(encoding="utf-8")
    added = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:2] in ("+ ", "- ")]
    assert added == ["+ tracking:", '+   ECO-PROD-03: {status: in_progress, owner: "Coordinatrice écoprod"}',
                     "+ declined:", "+   ECO-DEP-05: Pas de cantine sur ce tournage"]
    assert "Rien à changer" in raccord("import", "checklist", str(path), str(film), "--as-of", AS_OF)
    check = raccord("explain", str(film), "ECO-DEP-05", "--as-of", AS_OF)
    assert "Pas de cantine sur ce tournage" in check
    again = openpyxl.load_workbook(exported(film)).active  # the next export shows what was imported
    row = next(r for r in range(7, again.max_row + 1) if again.cell(row=r, column=2).value == "ECO-PROD-03")
    assert (again.cell(row=row, column=7).value, again.cell(row=row, column=8).value) == ("en cours", "Coordinatrice écoprod")


def test_a_bad_follow_up_is_a_located_error(film):
    path = exported(film)
    workbook = openpyxl.load_workbook(path)
    workbook.active.cell(row=7, column=7).value = "presque"
    workbook.save(path)
    result = CliRunner().invoke(cli, ["import", "checklist", str(path), str(film), "--as-of", AS_OF])
    assert result.exit_code != 0
    assert "ligne 7" in result.exception.render("fr") and "suivi « presque » inconnu" in result.exception.render("fr")


def test_the_csv_has_a_bom(film):
    raccord("export", "checklist", str(film), "--as-of", AS_OF, "--format", "csv")
    raw = film.with_name("les-heures-claires-ecoprod_label-actions.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfPoste;N\xc2\xb0;Action")


HAS_OFFICE = shutil.which("libreoffice") is not None and shutil.which("pdftotext") is not None


@requires(HAS_OFFICE, "LibreOffice and poppler", "apt-get install libreoffice-calc-nogui poppler-utils")
def test_the_printed_list_fits_one_page_wide(film, tmp_path):
    path = exported(film)
    subprocess.run(["libreoffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=300)
    pdf = tmp_path / (path.stem + ".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    width, height = (float(v) for v in info.split("Page size:")[1].split("pts")[0].split(" x "))
    assert width > height  # landscape
    pages = int(info.split("Pages:")[1].split()[0])
    assert pages < 14  # was 14 portrait pages with the columns split
    for page in range(1, pages + 1):  # every page holds the first and the last column: one page wide
        text = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                              check=True, capture_output=True, text=True).stdout
        assert "Poste" in text and "Provenance" in text, (page, text[:500])
