"""The evidence register's lifecycle (`raccord evidence replace | remove | list | add --url`) and the
auditor's commands (`raccord review`, `raccord audit ...`), on copies of the feature-film example."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_evidence import UNREVIEWED, run

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "long_metrage"
AS_OF = "2025-09-01"  # every registered item is valid at this date in the example


def ok(capsys, *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return out


@pytest.fixture
def film(tmp_path: Path) -> Path:
    target = tmp_path / "film"
    shutil.copytree(EXAMPLE, target, ignore=UNREVIEWED)
    return target / "dossier.yaml"


def listed(capsys, dossier: Path) -> dict[str, dict]:
    return {i["id"]: i for i in json.loads(ok(capsys, "evidence", "list", str(dossier), "--format", "json"))}


def check(capsys, dossier: Path, as_of: str = AS_OF) -> dict:
    return json.loads(ok(capsys, "check", str(dossier), "--as-of", as_of, "--format", "json"))


def entry(doc: dict, cid: str) -> dict:
    return next(c for rs in doc["rulesets"] for c in rs["criteria"] if c["id"] == cid)


def test_replace_uses_the_new_version_keeps_the_old_in_history_and_verify_is_clean(film: Path, capsys) -> None:
    before = listed(capsys, film)["EV-004"]
    new = film.parent / "evidence" / "bilan_carbone_previsionnel_v2.txt"
    new.write_text("Bilan carbone prévisionnel v2 (Carbon'Clap), 398 t CO2e\n", encoding="utf-8")
    out = ok(capsys, "evidence", "replace", str(film), "EV-004", str(new), "--collected", "2025-06-02",
             "--author", "Coordinatrice écoprod")
    assert "version 2" in out
    assert sorted(p.name for p in film.parent.iterdir()) == ["dossier.yaml", "evidence"]  # no backup file
    after = listed(capsys, film)["EV-004"]
    assert after["path"] == "evidence/bilan_carbone_previsionnel_v2.txt"
    assert after["sha256"] == hashlib.sha256(new.read_bytes()).hexdigest() and after["size"] == len(new.read_bytes())
    assert after["collected"] == "2025-06-02" and after["versions"] == 2
    assert after["history"] == [{"sha256": before["sha256"], "size": before["size"], "path": before["path"],
                                 "collected": before["collected"], "author": before["author"],
                                 "replaced": after["history"][0]["replaced"], "replaced_by": "Coordinatrice écoprod"}]
    code, out, err = run(capsys, "verify", str(film), "--as-of", AS_OF)
    assert code == 0, out + err
    assert entry(check(capsys, film), "ECO-PROD-02")["evidence_used"] == ["EV-004"]  # the new file counts
    # The old file changes: nothing to do with the register any more; the new one changes: verify says so.
    (film.parent / "evidence" / "bilan_carbone_previsionnel.txt").write_text("ancien\n", encoding="utf-8")
    assert run(capsys, "verify", str(film), "--as-of", AS_OF)[0] == 0
    new.write_text("altéré\n", encoding="utf-8")
    assert run(capsys, "verify", str(film), "--as-of", AS_OF)[0] == 3


def test_replace_without_author_leaves_the_new_versions_author_unknown(film: Path, capsys) -> None:
    before = listed(capsys, film)["EV-004"]
    assert before["author"]
    new = film.parent / "evidence" / "bilan_v2.txt"
    new.write_text("Bilan carbone prévisionnel v2\n", encoding="utf-8")
    out = ok(capsys, "evidence", "replace", str(film), "EV-004", str(new), "--collected", "2025-06-02", "--lang", "en")
    assert "replaces evidence/bilan_carbone_previsionnel.txt" in out and "the new version's author is not given" in out
    after = listed(capsys, film)["EV-004"]
    assert "author" not in after and after["history"][0]["author"] == before["author"]
    assert "replaced_by" not in after["history"][0]
    assert run(capsys, "verify", str(film), "--as-of", AS_OF)[0] == 0


def test_replace_reopens_a_decision_and_a_review_of_the_old_version_goes_stale(film: Path, capsys) -> None:
    ok(capsys, "review", str(film), "EV-004", "--accept", "--by", "Auditrice", "--date", "2025-08-01")
    assert listed(capsys, film)["EV-004"]["review"]["status"] == "accepted"
    menus = film.parent / "evidence" / "menus_dates.txt"
    menus.write_text("Menus datés, semaine du 3 mars 2025\n", encoding="utf-8")
    ok(capsys, "evidence", "replace", str(film), "EV-069", str(menus), "--collected", "2025-06-01")
    new = film.parent / "evidence" / "bilan_v2.txt"
    new.write_text("v2\n", encoding="utf-8")
    ok(capsys, "evidence", "replace", str(film), "EV-004", str(new), "--collected", "2025-06-01")
    items = listed(capsys, film)
    assert items["EV-004"]["review"] == {"status": "pending", "source": "audit_file", "by": "Auditrice",
                                         "date": "2025-08-01", "stale": True}
    # EV-069 was rejected inline in the dossier: the new version is pending, the decision is in its history.
    assert items["EV-069"]["review"]["status"] == "pending"
    assert items["EV-069"]["history"][0]["auditor"]["status"] == "rejected"
    doc = check(capsys, film)
    assert doc["review"]["counts"]["stale"] == 1 and doc["review"]["counts"]["rejected"] == 0


def test_remove_and_list(film: Path, capsys) -> None:
    ok(capsys, "review", str(film), "EV-044", "--accept", "--by", "Auditrice")  # kept by the auditor after removal
    items = listed(capsys, film)
    assert len(items) == 173 and items["EV-069"]["review"]["reason"].startswith("Menus non datés")
    text = ok(capsys, "evidence", "list", str(film), "--kind", "menus_restauration")
    assert "EV-069 menus_restauration — evidence/menus_restauration.txt" in text and "Menus non datés" in text
    before = film.read_text(encoding="utf-8").splitlines()
    ok(capsys, "evidence", "remove", str(film), "EV-044")
    after = film.read_text(encoding="utf-8").splitlines()
    assert "- id: EV-044" not in after and len(before) - len(after) >= 7
    assert [line for line in before if line not in after and not line.startswith("  ")] == ["- id: EV-044"]
    assert "EV-044" not in listed(capsys, film) and len(listed(capsys, film)) == 172
    assert "evidence: EV-044" in film.with_name("dossier.audit.yaml").read_text(encoding="utf-8")
    assert check(capsys, film)["review"]["counts"]["accepted"] == 0
    assert (film.parent / "evidence").exists() and run(capsys, "verify", str(film), "--as-of", AS_OF)[0] == 0
    code, _, err = run(capsys, "evidence", "remove", str(film), "EV-044")
    assert code == 2 and "EV-044" in err and "absente du registre" in err


def test_two_registrations_in_parallel_merge_without_an_id_collision(film: Path, tmp_path: Path, capsys) -> None:
    """Two people add evidence on copies of one dossier; git merges the copies by concatenating
    both additions (`merge-file --union`, what a `merge=union` attribute does): ids do not collide."""
    base = film.read_bytes()
    copies = []
    for name, kind, cid in (("a", "note_intention_rse", "AFN-GOV-01"), ("b", "menus_restauration", "ECO-DEP-03")):
        folder = tmp_path / name
        shutil.copytree(film.parent, folder)
        (folder / "evidence" / f"{name}.txt").write_text(f"pièce {name}\n", encoding="utf-8")
        ok(capsys, "evidence", "add", str(folder / "dossier.yaml"), str(folder / "evidence" / f"{name}.txt"),
           "--kind", kind, "--criteria", cid, "--collected", "2025-06-01")
        copies.append(folder / "dossier.yaml")
    (tmp_path / "base.yaml").write_bytes(base)
    merged = subprocess.run(["git", "merge-file", "--union", "-p", str(copies[0]), str(tmp_path / "base.yaml"), str(copies[1])],
                            capture_output=True, check=True).stdout
    film.write_bytes(merged)
    for name in ("a", "b"):
        shutil.copy(tmp_path / name / "evidence" / f"{name}.txt", film.parent / "evidence")
    ok(capsys, "validate", str(film))
    items = listed(capsys, film)
    added = [i for i in items.values() if i.get("path") in ("evidence/a.txt", "evidence/b.txt")]
    assert len(added) == 2 and added[0]["id"] != added[1]["id"] and len(items) == 175
    assert all(re.fullmatch(r"EV-\w{18}", i["id"]) for i in added)
    assert run(capsys, "verify", str(film), "--as-of", AS_OF)[0] == 0


def test_add_url_records_what_was_seen_when_and_where_its_saved_copy_is(film: Path, tmp_path: Path, capsys) -> None:
    copy = film.parent / "evidence" / "charte_rse.html"
    copy.write_text("<h1>Charte RSE</h1>\n", encoding="utf-8")
    out = ok(capsys, "evidence", "add", str(film), "--url", "https://exemple.fr/charte-rse", "--seen",
             "Charte RSE publiée, version du 3 mars", "--copy", str(copy), "--kind", "note_intention_rse",
             "--criteria", "AFN-GOV-01", "--collected", "2025-06-03")
    eid = out.split(" ", 1)[0]
    assert "(copie : evidence/charte_rse.html)" in out
    item = listed(capsys, film)[eid]
    assert item["url"] == "https://exemple.fr/charte-rse" and item["seen"] == "Charte RSE publiée, version du 3 mars"
    assert item["copy"] == "evidence/charte_rse.html" and "path" not in item
    assert item["collected"] == "2025-06-03" and item["sha256"] == hashlib.sha256(copy.read_bytes()).hexdigest()
    # verify checks the copy and says the page itself is not checked
    code, out, _ = run(capsys, "verify", str(film), "--as-of", AS_OF)
    assert code == 0 and "copie enregistrée intacte (le document en ligne lui-même n'est pas vérifié)" in out
    code, out, _ = run(capsys, "verify", str(film), "--as-of", AS_OF, "--lang", "en")
    assert "saved copy unchanged (the online document itself is not checked)" in out
    assert eid in entry(check(capsys, film), "AFN-GOV-01")["evidence_used"]
    copy.write_text("<h1>Charte RSE modifiée</h1>\n", encoding="utf-8")
    code, out, _ = run(capsys, "verify", str(film), "--as-of", AS_OF)
    assert code == 3 and f"✘ {eid} note_intention_rse — https://exemple.fr/charte-rse (copie : evidence/charte_rse.html)" \
        f" : modifiée depuis l'enregistrement" in out
    assert eid not in entry(check(capsys, film), "AFN-GOV-01").get("evidence_used", [])  # a changed copy does not count
    # a copy outside the dossier folder cannot be checked later: refused, as a file is
    outside = tmp_path / "page.html"
    outside.write_text("<h1>Charte</h1>\n", encoding="utf-8")
    code, _, err = run(capsys, "evidence", "add", str(film), "--url", "https://exemple.fr/x", "--seen", "Charte",
                       "--copy", str(outside), "--kind", "note_intention_rse", "--criteria", "AFN-GOV-01")
    assert code == 2 and "fichier hors du dossier" in err
    code, _, err = run(capsys, "evidence", "add", str(film), "--url", "https://exemple.fr/x", "--kind",
                       "note_intention_rse", "--criteria", "AFN-GOV-01")
    assert code == 2 and "--seen" in err


def test_a_dossier_copy_needs_a_url_and_stays_inside_its_folder(film: Path, capsys) -> None:
    text = film.read_text(encoding="utf-8")
    items = ("- {id: EV-X1, kind: note_intention_rse, url: 'https://exemple.fr/p', seen: Charte, copy: ../page.html}\n"
             "- {id: EV-X2, kind: note_intention_rse, copy: evidence/p.html}\n")
    film.write_text(text.replace("\nnot_applicable:", "\n" + items + "not_applicable:", 1), encoding="utf-8")
    code, _, err = run(capsys, "validate", str(film))
    assert code == 2 and "« ../page.html » sort du dossier" in err and "donner aussi `url`" in err, err


def test_replace_in_a_json_dossier(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "court"
    folder.mkdir()
    (folder / "note.txt").write_text("v1\n", encoding="utf-8")
    dossier = folder / "dossier.json"
    dossier.write_text(json.dumps({"format": "raccord.dossier/1", "production": {"id": "court", "title": "Court"},
                                   "facts": {"work.type": "court_metrage"}}), encoding="utf-8")
    out = ok(capsys, "evidence", "add", str(dossier), str(folder / "note.txt"), "--kind", "note_intention_rse",
             "--criteria", "AFN-GOV-01", "--collected", "2025-01-02")
    eid = out.split(" ", 1)[0]
    (folder / "note2.txt").write_text("v2\n", encoding="utf-8")
    ok(capsys, "evidence", "replace", str(dossier), eid, str(folder / "note2.txt"), "--collected", "2025-02-01")
    item = json.loads(dossier.read_text(encoding="utf-8"))["evidence"][0]
    assert item["path"] == "note2.txt" and item["history"][0]["path"] == "note.txt"
    assert item["history"][0]["collected"] == "2025-01-02"


def test_review_leaves_the_producer_dossier_byte_identical_and_the_reason_is_everywhere(film: Path, capsys) -> None:
    before = film.read_bytes()
    reason = "Calculateur non homologué par le CNC"
    ok(capsys, "review", str(film), "EV-004", "--reject", reason, "--by", "Auditrice AFNOR", "--date", "2025-08-20")
    ok(capsys, "review", str(film), "EV-044", "--accept", "--by", "Auditrice AFNOR", "--date", "2025-08-20")
    assert film.read_bytes() == before
    audit = film.with_name("dossier.audit.yaml").read_text(encoding="utf-8")
    assert "evidence: EV-004" in audit and "decision: rejected" in audit and reason in audit
    doc = check(capsys, film)
    assert entry(doc, "ECO-PROD-02")["status"] == "unknown" and "validated_status" not in entry(doc, "ECO-PROD-02")
    assert entry(doc, "ECO-PROD-01")["status"] == "met" and "validated_status" not in entry(doc, "ECO-PROD-01")
    eco = next(rs for rs in doc["rulesets"] if rs["id"] == "ecoprod_label")
    assert eco["validated"]["counts"]["met"] >= 1
    outputs = {
        "check": ok(capsys, "check", str(film), "--as-of", AS_OF),
        "md": ok(capsys, "check", str(film), "--as-of", AS_OF, "--format", "md"),
        "explain": ok(capsys, "explain", str(film), "ECO-PROD-02", "--as-of", AS_OF),
        "missing": ok(capsys, "missing", str(film), "--as-of", AS_OF, "--all"),
        "verify": run(capsys, "verify", str(film), "--as-of", AS_OF)[1],
        "list": ok(capsys, "evidence", "list", str(film)),
    }
    for name, out in outputs.items():
        assert reason in out, name
    html = film.parent / "rapport.html"
    ok(capsys, "check", str(film), "--as-of", AS_OF, "--format", "html", "-o", str(html))
    assert reason in html.read_text(encoding="utf-8")
    csv = film.parent / "liste.csv"
    ok(capsys, "export", "checklist", str(film), "--ruleset", "ecoprod_label", "--as-of", AS_OF, "--format", "csv",
       "-o", str(csv))
    assert reason in csv.read_text(encoding="utf-8-sig")
    assert film.read_bytes() == before
    code, _, err = run(capsys, "review", str(film), "EV-004", "--accept", "--reject", "x", "--by", "A")
    assert code == 2 and "une décision" in err


def test_audit_findings_and_signoff_in_the_file_the_reports_and_the_json(film: Path, capsys) -> None:
    before = film.read_bytes()
    out = ok(capsys, "audit", "finding", "add", str(film), "--type", "major", "--text", "Menus non datés",
             "--criteria", "ECO-DEP-03", "--evidence", "EV-069", "--by", "Auditrice AFNOR", "--date", "2025-08-20")
    fid = out.split(" ", 1)[0]
    ok(capsys, "audit", "finding", "add", str(film), "--type", "observation", "--text", "Registre bien tenu",
       "--by", "Auditrice AFNOR", "--date", "2025-08-20")
    ok(capsys, "audit", "signoff", str(film), "--stage", "intermediate", "--decision", "favorable_with_reservations",
       "--note", "Réserve : menus datés", "--by", "Auditrice AFNOR", "--date", "2025-08-21")
    ok(capsys, "audit", "finding", "close", str(film), fid)
    assert film.read_bytes() == before
    review = check(capsys, film)["review"]
    assert [f["type"] for f in review["findings"]] == ["major", "observation"]
    assert review["findings"][0]["status"] == "closed" and review["findings"][0]["criteria"] == ["ECO-DEP-03"]
    assert review["signoffs"][0]["decision"] == "favorable_with_reservations"
    assert review["signoffs"][0]["dossier_sha256"] == hashlib.sha256(before).hexdigest()
    text = ok(capsys, "check", str(film), "--as-of", AS_OF)
    assert "non-conformité majeure (clos) : Menus non datés" in text
    assert "audit intermédiaire : avis favorable avec réserves, par Auditrice AFNOR, le 2025-08-21" in text
    html = film.parent / "rapport.html"
    ok(capsys, "check", str(film), "--as-of", AS_OF, "--format", "html", "-o", str(html))
    page = html.read_text(encoding="utf-8")
    assert "Menus non datés" in page and "avis favorable avec réserves" in page


def test_list_shows_each_earlier_version_with_its_hash_size_date_and_author(film: Path, capsys) -> None:
    folder = film.parent / "evidence"
    old = (folder / "bilan_carbone_previsionnel.txt").read_bytes()
    (folder / "bilan_v2.txt").write_text("Bilan carbone prévisionnel, version 2 : 412 t CO2e\n", encoding="utf-8")
    ok(capsys, "evidence", "replace", str(film), "EV-004", str(folder / "bilan_v2.txt"), "--collected", "2025-03-10",
       "--author", "Régie")
    text = ok(capsys, "evidence", "list", str(film), "--kind", "bilan_carbone_previsionnel")
    head, version, total = text.splitlines()
    assert head.startswith("EV-004 bilan_carbone_previsionnel — evidence/bilan_v2.txt (2025-03-10, 2 versions)")
    sha = hashlib.sha256(old).hexdigest()
    assert version.startswith(f"    version 1 : evidence/bilan_carbone_previsionnel.txt, sha256 {sha[:16]}…, {len(old)} octets, "
                              "recueillie le 2025-02-24, Coordinatrice écoproduction, remplacée le ")
    assert version.endswith("(Régie)") and total == "1 élément"
    english = ok(capsys, "evidence", "list", str(film), "--kind", "bilan_carbone_previsionnel", "--lang", "en")
    line = (f"    version 1: evidence/bilan_carbone_previsionnel.txt, sha256 {sha[:16]}…, {len(old)} bytes, "
            "collected on 2025-02-24")
    assert line in english and english.endswith("1 item\n")


def test_review_and_audit_answer_in_the_run_language_with_the_reason(film: Path, capsys) -> None:
    out = ok(capsys, "review", str(film), "EV-004", "--reject", "Calculateur non homologué", "--by", "Auditrice AFNOR",
             "--date", "2025-08-20", "--lang", "en")
    assert out.startswith("EV-004: evidence rejected by Auditrice AFNOR on 2025-08-20 — reason: Calculateur non homologué → ")
    out = ok(capsys, "review", str(film), "EV-044", "--accept", "--by", "Auditrice AFNOR", "--date", "2025-08-21")
    assert out.startswith("EV-044 : preuve acceptée par Auditrice AFNOR le 2025-08-21 → ")
    out = ok(capsys, "audit", "finding", "add", str(film), "--type", "minor", "--text", "Menus non datés",
             "--criteria", "ECO-DEP-03", "--evidence", "EV-069", "--by", "Auditrice AFNOR")
    assert re.match(r"F-\w+ : non-conformité mineure enregistrée \[critères ECO-DEP-03 ; preuves EV-069\] → ", out)
    out = ok(capsys, "audit", "signoff", str(film), "--stage", "final", "--decision", "favorable_with_reservations",
             "--by", "Auditrice AFNOR", "--date", "2025-08-22")
    assert out.startswith("audit final : avis favorable avec réserves, par Auditrice AFNOR, le 2025-08-22 → ")
    shown = ok(capsys, "audit", "show", str(film))
    assert "  EV-004 : rejetée (Auditrice AFNOR, 2025-08-20) — motif : Calculateur non homologué" in shown
    assert "  EV-044 : acceptée (Auditrice AFNOR, 2025-08-21)" in shown and "accepted" not in shown
    assert "  EV-004: rejected (Auditrice AFNOR, 2025-08-20) — reason: Calculateur non homologué" \
        in ok(capsys, "audit", "show", str(film), "--lang", "en")


def test_a_finding_is_shown_at_the_criteria_it_names_and_the_report_names_the_auditor_file(film: Path, capsys) -> None:
    ok(capsys, "audit", "finding", "add", str(film), "--type", "major", "--text", "Aucun menu daté sur la période",
       "--criteria", "ECO-DEP-03", "--by", "Auditrice AFNOR", "--date", "2025-08-20")
    ok(capsys, "audit", "finding", "add", str(film), "--type", "observation", "--text", "Factures bien classées",
       "--evidence", "EV-069", "--by", "Auditrice AFNOR", "--date", "2025-08-20")  # EV-069: a menu ECO-DEP-04 sets aside
    text = ok(capsys, "explain", str(film), "ECO-DEP-03", "--as-of", AS_OF)
    assert "Constats de l'auditeur :\n  F-" in text and "non-conformité majeure (ouvert) : Aucun menu daté sur la période" in text
    doc = json.loads(ok(capsys, "explain", str(film), "ECO-DEP-04", "--as-of", AS_OF, "--format", "json"))
    assert [f["text"] for f in doc["findings"]] == ["Factures bien classées"]  # through the item it names
    assert "findings" not in json.loads(ok(capsys, "explain", str(film), "ECO-PROD-01", "--as-of", AS_OF, "--format", "json"))
    html = film.parent / "rapport.html"
    ok(capsys, "check", str(film), "--as-of", AS_OF, "--format", "html", "-o", str(html))
    page = html.read_text(encoding="utf-8")
    row = page[page.index('id="crit-ECO-DEP-03"'):page.index('id="crit-ECO-DEP-04"')]
    assert "Constat de l&#39;auditeur : F-" in row and "Aucun menu daté sur la période" in row
    audit_sha = hashlib.sha256(film.with_name("dossier.audit.yaml").read_bytes()).hexdigest()
    assert f'id="audit-sha256">{audit_sha}<' in page


def test_eligibility_gives_the_validated_decision_of_every_scheme(film: Path, capsys) -> None:
    text = ok(capsys, "eligibility", str(film), "--as-of", AS_OF)
    rse = text[text.index("== Prime RSE+ du CNC"):].split("\n\n")[0]
    assert "Validé par l'auditeur : non éligible" in rse  # the same decision as declared, said all the same
    assert "c'est la décision sur laquelle repose une attestation" in text
    english = ok(capsys, "eligibility", str(film), "--as-of", AS_OF, "--lang", "en")
    assert "Validated by the auditor: not eligible" in english and "an attestation rests on that decision" in english


def test_the_report_gives_each_schemes_validated_decision(film: Path, capsys) -> None:
    # the JSON gives each scheme's validated decision beside the declared one; the HTML row shows it
    doc = check(capsys, film, "2025-10-15")
    aid = next(rs for rs in doc["rulesets"] if rs["id"] == "aid_schemes")
    results = aid["outcome"]["schemes"]
    assert all(r["validated_decision"] == aid["validated"]["outcome"]["schemes"][sid]["decision"] for sid, r in results.items())
    for lang, said, note in (("fr", "Validé par l'auditeur : ", "c'est la décision sur laquelle repose une attestation"),
                             ("en", "Validated by the auditor: ", "an attestation rests on that decision")):
        html = ok(capsys, "check", str(film), "--as-of", "2025-10-15", "--format", "html", "--lang", lang)
        row = re.sub(r"<[^>]+>", " ", html.split('id="scheme-prime_rse_plus"', 1)[1].split("</tr>", 1)[0])
        row = re.sub(r"\s+", " ", row).replace("&#39;", "'")
        expected = {"fr": "non éligible", "en": "not eligible"}[lang]
        assert f"{said}{expected}" in row, row
        assert note in html.split('id="aid"', 1)[1].split("</section>", 1)[0].replace("&#39;", "'").replace("&#34;", '"')


def test_verify_counts_its_problems_in_words(film: Path, capsys) -> None:
    for lang, one, two in (("fr", "1 problème", "2 problèmes"), ("en", "1 problem", "2 problems")):
        (film.parent / "evidence" / "menus_restauration.txt").write_text("autre\n", encoding="utf-8")
        assert run(capsys, "verify", str(film), "--as-of", AS_OF, "--lang", lang)[1].splitlines()[-1] == one
        (film.parent / "evidence" / "plan_gestion_donnees.txt").write_text("autre\n", encoding="utf-8")
        assert run(capsys, "verify", str(film), "--as-of", AS_OF, "--lang", lang)[1].splitlines()[-1] == two
        shutil.copy(EXAMPLE / "evidence" / "menus_restauration.txt", film.parent / "evidence")
        shutil.copy(EXAMPLE / "evidence" / "plan_gestion_donnees.txt", film.parent / "evidence")


def test_a_saved_copy_that_is_a_named_pipe_is_not_a_regular_file(film: Path, tmp_path: Path, capsys) -> None:
    pipe = film.parent / "evidence" / "copie.html"
    os.mkfifo(pipe)
    code, _, err = run(capsys, "evidence", "add", str(film), "--url", "https://exemple.fr/charte", "--seen", "Charte",
                       "--copy", str(pipe), "--kind", "note_intention_rse", "--criteria", "AFN-GOV-01")
    assert code == 2 and "ce n'est pas un fichier ordinaire" in err and "introuvable" not in err
