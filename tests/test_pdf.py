"""`raccord check --format pdf`: the feature-film example prints in at most 30 A4 pages, renders
(pdftoppm), shows the dossier's sha256 on the first page and in the footers, page numbers, the
contents with page numbers, short source references and the texts cited once in the appendix."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

try:  # tests/ may or may not be a package
    from tests.support import requires
    from tests.test_html_report import EXAMPLE, run
except ImportError:
    from support import requires
    from test_html_report import EXAMPLE, run

AS_OF = "2025-10-15"
requires_poppler = requires(shutil.which("pdftoppm") and shutil.which("pdftotext"), "pdftoppm and pdftotext",
                            "apt-get install poppler-utils")


def weasyprint_ready() -> bool:
    try:
        import weasyprint  # noqa: F401  (needs the system's Pango)
    except (ImportError, OSError):
        return False
    return True


requires_weasyprint = requires(weasyprint_ready(), "WeasyPrint with Pango", "apt-get install libpango-1.0-0 libpangoft2-1.0-0")


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    """The example's report as PDF, rendered once for the module (about 20 s of CPU)."""
    import sys
    from unittest import mock

    from raccord.cli.main import main

    out = tmp_path_factory.mktemp("pdf") / "rapport.pdf"
    with mock.patch.object(sys, "argv", ["raccord", "check", str(EXAMPLE / "dossier.yaml"), "--format", "pdf",
                                         "-o", str(out), "--as-of", AS_OF]):
        try:
            main()
        except SystemExit as exc:
            assert not exc.code
    return out


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    pages = ([] if first is None else ["-f", str(first)]) + ([] if last is None else ["-l", str(last)])
    return subprocess.run(["pdftotext", "-layout", *pages, str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@requires_weasyprint
@requires_poppler
def test_feature_film_report_prints_in_at_most_30_pages(pdf: Path, tmp_path: Path) -> None:
    assert pdf.read_bytes().startswith(b"%PDF-")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True, capture_output=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert 10 <= len(pages) <= 30, len(pages)
    assert all(p.stat().st_size > 3000 for p in pages)  # every page has something drawn on it
    sha = hashlib.sha256((EXAMPLE / "dossier.yaml").read_bytes()).hexdigest()
    text = pdf_text(pdf)
    assert text.count(sha) >= len(pages)  # every footer, and the first page
    first = pdf_text(pdf, 1, 1)
    assert "Empreinte du dossier (SHA-256)" in first and sha in first
    assert "Date d'évaluation" in first and AS_OF in first and "raccord 0.1.0" in first
    assert "ecoprod_label 2025.2-reconstructed" in first  # ruleset versions
    assert re.search(r"Page 1 / (\d+)", first).group(1) == str(len(pages))
    # the contents, with page numbers
    assert re.search(r"Registre des preuves\s*\.{3,}\s*\d+", first)
    # short references in the tables, the texts themselves once in the appendix
    assert re.search(r"\[\d+\] Titre I art\. 32\.2", text)
    appendix = text[text.rindex("Annexe : textes cités"):]
    name = "Convention collective nationale de la production cinématographique du 19 janvier 2012"
    assert name in appendix and text.count(name) <= 2  # the appendix, and at most the notice on page 1
    # declared versus validated, and the auditor's reason at the rejected item (EV-069, rejected in the example)
    assert "Validé par l'auditeur (seules les preuves acceptées comptent) : Niveau 0 atteint" in text
    assert re.search(r"preuve rejetée — Menus non\s+datés", re.sub(r"\s+", " ", text))
    links = subprocess.run(["pdfinfo", "-url", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "file:" not in links and "https://www.legifrance.gouv.fr" in links  # no local path, web sources kept


@requires_weasyprint
def test_pdf_goes_to_standard_output_or_file(tmp_path: Path, capsys) -> None:
    film = tmp_path / "film"
    film.mkdir()
    (film / "dossier.yaml").write_text(
        "format: raccord.dossier/1\nproduction:\n  id: court\n  title: Un court\nfacts:\n  work.type: court_metrage\n",
        encoding="utf-8")
    out = tmp_path / "court.pdf"
    code, _, err = run(capsys, "check", str(film / "dossier.yaml"), "--format", "pdf", "-o", str(out), "--as-of", AS_OF)
    assert code == 0, err
    assert out.read_bytes().startswith(b"%PDF-")
    again = tmp_path / "again.pdf"
    assert run(capsys, "check", str(film / "dossier.yaml"), "--format", "pdf", "-o", str(again), "--as-of", AS_OF)[0] == 0
    assert again.read_bytes() == out.read_bytes()  # no creation date: the same report, the same bytes


@requires_weasyprint
def test_bundle_can_carry_the_pdf(tmp_path: Path, capsys) -> None:
    import zipfile

    film = tmp_path / "film"
    film.mkdir()
    (film / "dossier.yaml").write_text(
        "format: raccord.dossier/1\nproduction:\n  id: court\n  title: Un court\nfacts:\n  work.type: court_metrage\n",
        encoding="utf-8")
    out = tmp_path / "audit.zip"
    code, _, err = run(capsys, "dossier", str(film / "dossier.yaml"), "--out", str(out), "--as-of", AS_OF, "--pdf")
    assert code == 0, err
    with zipfile.ZipFile(out) as zf:
        assert zf.read("rapport.pdf").startswith(b"%PDF-")
    code, stdout, _ = run(capsys, "verify", str(out))
    assert code == 0 and "Paquet conforme" in stdout
