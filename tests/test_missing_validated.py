"""`raccord missing` in text gives the validated status too (issue 15): a missing item whose status
differs once only accepted evidence counts says so, and the criteria met as declared but not yet
validated by the auditor (what an attestation still lacks) are named at the end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from raccord.cli.render_text import missing_lines

from .test_evidence import UNREVIEWED
from .test_hardening import run_here

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "long_metrage"
AS_OF = "2025-10-15"


@pytest.fixture
def film(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "film", ignore=UNREVIEWED)
    return tmp_path / "film" / "dossier.yaml"


def awaiting(dossier: Path, lang: str = "fr") -> list[str]:
    code, out, err = run_here("missing", dossier, "--as-of", AS_OF, "--lang", lang)
    assert code == 0, err
    return [line for line in out.splitlines() if line.startswith(("En attente de l'auditeur", "Awaiting the auditor"))]


def test_criteria_met_as_declared_await_the_auditor(film: Path) -> None:
    code, out, err = run_here("check", film, "--as-of", AS_OF, "--format", "json")
    assert code == 0, err
    pending = [c["id"] for rs in json.loads(out)["rulesets"] for c in rs["criteria"]
               if c["status"] == "met" and c.get("validated_status") == "unknown"]
    assert "ECO-PROD-01" in pending and len(pending) > 10  # every item of the example is still pending
    (line,) = awaiting(film)
    assert line.startswith(f"En attente de l'auditeur : {len(pending)} critères satisfaits sur déclaration")
    assert ", ".join(pending[:10]) in line and f"… et {len(pending) - 10} autres" in line
    (english,) = awaiting(film, "en")
    assert english.startswith(f"Awaiting the auditor: {len(pending)} criteria met as declared")


def test_nothing_awaits_once_the_auditor_accepted_everything(film: Path) -> None:
    text = film.read_text(encoding="utf-8")
    ids = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("- id: EV-")]
    film.with_name("dossier.audit.yaml").write_text(
        "format: raccord.audit/1\ndossier: les-heures-claires\nreviews:\n"
        + "".join(f"  - {{evidence: {eid}, decision: accepted, by: A, date: 2025-10-01}}\n" for eid in ids if eid != "EV-069"),
        encoding="utf-8")
    assert awaiting(film) == []


def test_a_missing_item_shows_its_validated_status_when_it_differs(film: Path) -> None:
    code, out, err = run_here("missing", film, "--as-of", AS_OF, "--format", "json")
    assert code == 0, err
    item = next(i for i in json.loads(out)["missing"] if i["status"] == "not_met")
    plain = missing_lines([item], "fr", None)[1]
    assert "validé par l'auditeur" not in plain
    shown = missing_lines([{**item, "validated_status": "unknown"}], "fr", None)[1]
    assert shown == plain.replace(" — non satisfait", " — non satisfait (validé par l'auditeur : inconnu)"), shown
    english = missing_lines([{**item, "validated_status": "unknown"}], "en", None)[1]
    assert "(validated by the auditor: unknown)" in english
