"""The auditor's file (engine/review.py): decisions beside the dossier, declared versus validated
figures, reasons shown, findings and sign-offs, located French errors. On a copy of the feature film."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from raccord.engine import Engine, InputError, Options
from raccord.engine import review as rv
from tests.test_evidence import UNREVIEWED, run

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "long_metrage"
AS_OF = "2025-10-15"


@pytest.fixture
def film(tmp_path: Path) -> Path:
    target = tmp_path / "film"
    shutil.copytree(EXAMPLE, target, ignore=UNREVIEWED)
    return target / "dossier.yaml"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def write_audit(dossier: Path, body: str) -> Path:
    path = dossier.with_name("dossier.audit.yaml")
    path.write_text("format: raccord.audit/1\ndossier: les-heures-claires\n" + body, encoding="utf-8")
    return path


def check_json(capsys, dossier: Path) -> dict:
    code, out, err = run(capsys, "check", str(dossier), "--as-of", AS_OF, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def entry(doc: dict, cid: str) -> dict:
    return next(c for rs in doc["rulesets"] for c in rs["criteria"] if c["id"] == cid)


def ruleset(doc: dict, rid: str) -> dict:
    return next(rs for rs in doc["rulesets"] if rs["id"] == rid)


def test_without_an_auditor_file_pending_evidence_counts_as_declared_only(film: Path, capsys) -> None:
    doc = check_json(capsys, film)
    eco = ruleset(doc, "ecoprod_label")
    assert eco["counts"]["met"] == 70 and eco["validated"]["counts"]["met"] == 0  # nothing accepted yet
    assert eco["outcome"]["score"][0] > 0.8 and eco["validated"]["outcome"]["score"][0] == 0
    assert entry(doc, "ECO-PROD-01")["status"] == "met" and entry(doc, "ECO-PROD-01")["validated_status"] == "unknown"
    assert doc["review"]["counts"] == {"accepted": 0, "rejected": 1, "pending": 172, "stale": 0}
    _, out, _ = run(capsys, "check", str(film), "--as-of", AS_OF)
    assert "Score actuel : 83,8\u202f% déclaré, 0,0\u202f% validé par l'auditeur" in out


def test_accepted_raises_the_validated_figure_and_rejected_turns_both_to_unknown(film: Path, capsys) -> None:
    write_audit(film, """reviews:
  - evidence: EV-044
    decision: accepted
    by: Auditrice AFNOR
    date: 2025-10-10
  - evidence: EV-004
    decision: rejected
    reason: Calculateur non homologué par le CNC
    by: Auditrice AFNOR
    date: 2025-10-10
""")
    before = film.read_bytes()
    doc = check_json(capsys, film)
    assert film.read_bytes() == before  # the producer's dossier is only read
    assert entry(doc, "ECO-PROD-01")["status"] == "met" and "validated_status" not in entry(doc, "ECO-PROD-01")
    prod02 = entry(doc, "ECO-PROD-02")
    assert prod02["status"] == "unknown" and "validated_status" not in prod02  # unknown in both figures
    problem = next(p for p in prod02["evidence_problems"] if p["id"] == "EV-004")
    assert problem == {"id": "EV-004", "kind": problem["kind"], "state": "rejected",
                       "reason": "Calculateur non homologué par le CNC", "by": "Auditrice AFNOR", "date": "2025-10-10"}
    eco = ruleset(doc, "ecoprod_label")
    assert eco["validated"]["counts"]["met"] >= 1 and eco["validated"]["outcome"]["score"][0] > 0
    assert doc["review"]["items"]["EV-044"]["status"] == "accepted"
    assert doc["review"]["items"]["EV-004"]["source"] == "audit_file"
    # The reason wherever the item is shown: check (text, md), explain, missing.
    for args in (("check",), ("check", "--format", "md"), ("explain",), ("missing",)):
        extra = ("ECO-PROD-02",) if args == ("explain",) else ()
        code, out, err = run(capsys, args[0], str(film), *extra, "--as-of", AS_OF, *args[1:])
        assert code == 0, err
        assert "Calculateur non homologué par le CNC" in out, args


def test_the_auditor_file_wins_over_the_dossier_inline_record(film: Path, capsys) -> None:
    """EV-069 is rejected inline in the dossier; the auditor's file accepts it: the file holds."""
    write_audit(film, "reviews:\n  - {evidence: EV-069, decision: accepted, by: Auditrice, date: 2025-10-01}\n")
    doc = check_json(capsys, film)
    assert doc["review"]["items"]["EV-069"] == {"status": "accepted", "source": "audit_file", "by": "Auditrice",
                                                "date": "2025-10-01"}
    assert doc["review"]["counts"]["rejected"] == 0


def test_latest_review_holds_and_a_review_of_a_replaced_version_is_stale(film: Path, engine: Engine) -> None:
    digest = hashlib.sha256(b"an earlier version").hexdigest()
    write_audit(film, f"""reviews:
  - {{evidence: EV-044, decision: rejected, reason: illisible, by: A, date: 2025-10-02}}
  - {{evidence: EV-044, decision: accepted, by: A, date: 2025-10-03}}
  - {{evidence: EV-004, decision: accepted, by: A, date: 2025-10-03, sha256: {digest}}}
""")
    dossier = engine.reviewed(engine.dossier(film))
    held = rv.item_reviews(dossier)
    assert held["EV-044"].status == "accepted"
    assert held["EV-004"].status == "pending" and held["EV-004"].stale
    validated = engine.validated(engine.evaluate(dossier, Options(dt.date(2025, 10, 15))))
    assert validated.status("ECO-PROD-01") == "met" and validated.status("ECO-PROD-02") == "unknown"


def test_findings_and_signoffs_in_the_reports_and_the_json(film: Path, capsys) -> None:
    write_audit(film, """findings:
  - id: F-01
    type: major
    text: Les menus ne sont pas datés
    criteria: [ECO-DEP-03]
    evidence: [EV-069]
    by: Auditrice AFNOR
    date: 2025-10-12
  - {id: F-02, type: observation, text: Registre tenu à jour, by: Auditrice AFNOR, date: 2025-10-12}
signoffs:
  - stage: intermediate
    decision: favorable_with_reservations
    by: Auditrice AFNOR
    date: 2025-10-12
    note: Réserve levée si les menus datés sont fournis
""")
    doc = check_json(capsys, film)
    assert [f["id"] for f in doc["review"]["findings"]] == ["F-01", "F-02"]
    assert doc["review"]["findings"][0]["type"] == "major" and doc["review"]["findings"][0]["criteria"] == ["ECO-DEP-03"]
    assert doc["review"]["signoffs"] == [{"stage": "intermediate", "decision": "favorable_with_reservations",
                                          "by": "Auditrice AFNOR", "date": "2025-10-12",
                                          "note": "Réserve levée si les menus datés sont fournis"}]
    _, text, _ = run(capsys, "check", str(film), "--as-of", AS_OF)
    assert "non-conformité majeure (ouvert) : Les menus ne sont pas datés [critères ECO-DEP-03 ; preuves EV-069]" in text
    assert "audit intermédiaire : avis favorable avec réserves, par Auditrice AFNOR, le 2025-10-12" in text


@pytest.mark.parametrize("body, where, message", [
    ("reviews:\n  - {evidence: EV-044, decision: maybe, by: A, date: 2025-10-01}\n", ":4:", "valeur « maybe » non reconnue"),
    ("reviews:\n  - {evidence: EV-044, decision: rejected, by: A, date: 2025-10-01}\n", ":4:", "demande un motif"),
    ("reviews:\n  - {evidence: EV-044, decision: accepted, by: A, date: 1 oct}\n", ":4:", "une date AAAA-MM-JJ"),
    ("reviews:\n  - {evidence: EV-044, decison: accepted, by: A, date: 2025-10-01}\n", ":4:", "clé inconnue « decison »"),
    ("findings:\n  - {id: F-1, type: grave, text: x, by: A, date: 2025-10-01}\n", ":4:", "valeur « grave » non reconnue"),
    ("findings:\n  - {id: F-1, type: minor, text: x, by: A, date: 2025-10-01, criteria: [NOPE-1]}\n", ":4:",
     "critère inconnu « NOPE-1 »"),
    ("signoffs:\n  - {stage: final, decision: ok, by: A, date: 2025-10-01}\n", ":4:", "valeur « ok » non reconnue"),
    ("reviews: oui\n", ":3:", "une liste est attendue"),
])
def test_a_bad_auditor_file_is_a_located_french_error(film: Path, capsys, body: str, where: str, message: str) -> None:
    write_audit(film, body)
    code, out, err = run(capsys, "check", str(film), "--as-of", AS_OF)
    assert code == 2 and out == ""
    assert "dossier.audit.yaml" + where in err and message in err, err
    assert "Traceback" not in err


def test_an_auditor_file_about_another_dossier_is_refused(film: Path, engine: Engine) -> None:
    path = film.with_name("dossier.audit.yaml")
    path.write_text("format: raccord.audit/1\ndossier: autre-film\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        engine.reviewed(engine.dossier(film))
    assert "concerne le dossier « autre-film »" in caught.value.render("fr") and ":2:" in caught.value.where


def test_explain_and_the_checklist_give_the_validated_status_and_the_decision(film: Path, capsys) -> None:
    write_audit(film, "reviews:\n  - {evidence: EV-004, decision: rejected, reason: Calculateur non homologué, by: A, "
                      "date: 2025-10-10}\n")
    code, out, err = run(capsys, "explain", str(film), "ECO-PROD-01", "--as-of", AS_OF, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["status"] == "met" and json.loads(out)["validated_status"] == "unknown"  # EV-044 pending
    code, out, _ = run(capsys, "explain", str(film), "ECO-PROD-01", "--as-of", AS_OF)
    assert "Statut : satisfait\nValidé par l'auditeur : inconnu\n" in out
    csv = film.with_name("liste.csv")
    code, _, err = run(capsys, "export", "checklist", str(film), "--ruleset", "ecoprod_label", "--as-of", AS_OF,
                       "--format", "csv", "-o", str(csv))
    assert code == 0, err
    import csv as csv_module

    rows = list(csv_module.reader(csv.read_text(encoding="utf-8-sig").splitlines(keepends=True), delimiter=";"))
    header, by_id = rows[0], {r[1]: r for r in rows[1:]}
    assert header[-2:] == ["Statut validé par l'auditeur", "Décision de l'auditeur"]
    assert by_id["ECO-PROD-01"][5] == "satisfait" and by_id["ECO-PROD-01"][-2] == "inconnu"
    assert by_id["ECO-PROD-02"][-1] == "EV-004 : rejetée — Calculateur non homologué (A, 2025-10-10)"


def test_a_workspace_builds_the_auditor_file_itself(engine: Engine) -> None:
    """The web workspace keeps reviews in its database: it builds the records and gets the same figures."""
    dossier = engine.dossier(EXAMPLE / "dossier.yaml")
    audit = rv.AuditFile("les-heures-claires", reviews=(
        rv.Review("EV-044", "accepted", "Auditrice", dt.date(2025, 10, 1)),
        rv.Review("EV-004", "rejected", "Auditrice", dt.date(2025, 10, 1), "Calculateur non homologué")))
    reviewed = engine.reviewed(dossier, audit)
    assert dossier.file.evidence[3].auditor.status == "pending"  # the loaded dossier is not changed
    evaluation = engine.evaluate(reviewed, Options(dt.date(2025, 10, 15)))
    doc = engine.result(evaluation, complete=False)
    assert doc["review"]["counts"]["accepted"] == 1 and doc["review"]["items"]["EV-004"]["reason"] == "Calculateur non homologué"
    assert evaluation.status("ECO-PROD-02") == "unknown" and engine.validated(evaluation).status("ECO-PROD-01") == "met"
    assert "validated" not in engine.result(evaluation, complete=False, validated=False)["rulesets"][0]


def test_when_the_auditor_accepts_everything_validated_equals_declared(film: Path, capsys, engine: Engine) -> None:
    ids = [item.id for item in engine.dossier(film).file.evidence if item.id != "EV-069"]
    write_audit(film, "reviews:\n" + "".join(f"  - {{evidence: {eid}, decision: accepted, by: A, date: 2025-10-01}}\n"
                                             for eid in ids))
    doc = check_json(capsys, film)
    for rs in doc["rulesets"]:
        assert rs["validated"]["counts"] == rs["counts"] and rs["validated"]["outcome"].get("score") == rs["outcome"].get("score")
        assert not any("validated_status" in c for c in rs["criteria"])
    code, out, err = run(capsys, "eligibility", str(film), "--as-of", AS_OF, "--format", "json")
    assert code == 0, err
    assert all(s["validated_decision"] == s["decision"] for s in json.loads(out)["schemes"])
    film.with_name("dossier.audit.yaml").unlink()
    declared = json.loads(run(capsys, "eligibility", str(film), "--as-of", AS_OF, "--format", "json")[1])
    assert {s["id"]: s["decision"] for s in declared["schemes"]} == {s["id"]: s["decision"] for s in json.loads(out)["schemes"]}
