"""Evidence register: `raccord evidence add`, `raccord verify`, and integrity applied by `raccord check`.

Every test works on a copy of examples/long_metrage in tmp_path; examples/ is never modified.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from pathlib import Path
from unittest import mock

import pytest

from raccord.cli.main import main

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "long_metrage"
AS_OF = "2025-09-01"  # every registered item is valid at this date in the example


def run(capsys, *args: str) -> tuple[int, str, str]:
    """Run the real entry point (error handling and exit codes included)."""
    with mock.patch.object(sys, "argv", ["raccord", *args]):
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out = capsys.readouterr()
    return code, out.out, out.err


# tests that record their own reviews copy the example without its auditor's file (its intermediate audit)
UNREVIEWED = shutil.ignore_patterns("dossier.audit.yaml")


@pytest.fixture
def film(tmp_path: Path) -> Path:
    target = tmp_path / "film"
    shutil.copytree(EXAMPLE, target, ignore=UNREVIEWED)  # these tests write inline `auditor:` records
    return target


def verify_json(capsys, dossier: Path, as_of: str = AS_OF) -> tuple[int, dict]:
    code, out, err = run(capsys, "verify", str(dossier), "--as-of", as_of, "--format", "json")
    assert err == "" or code == 3, err
    return code, json.loads(out)


def check_json(capsys, dossier: Path, as_of: str = AS_OF) -> dict:
    code, out, err = run(capsys, "check", str(dossier), "--as-of", as_of, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def criterion(doc: dict, cid: str) -> dict:
    return next(c for rs in doc["rulesets"] for c in rs["criteria"] if c["id"] == cid)


def item(result: dict, eid: str) -> dict:
    return next(i for i in result["items"] if i["id"] == eid)


# -- evidence add -------------------------------------------------------------------------------------


def test_add_registers_file_and_keeps_the_dossier_text(film: Path, capsys) -> None:
    dossier = film / "dossier.yaml"
    before = dossier.read_bytes()
    new = film / "evidence" / "bilan carbone v2.txt"
    new.write_text("Bilan carbone prévisionnel v2 (Carbon'Clap), 412 t CO2e\n", encoding="utf-8")
    payload = new.read_bytes()

    code, out, err = run(capsys, "evidence", "add", str(dossier), str(new), "--kind", "bilan_carbone_previsionnel",
                         "--criteria", "ECO-PROD-02,AFN-GOV-03", "--collected", "2025-03-01", "--expires", "2026-03-01",
                         "--author", "Coordinatrice écoprod")
    assert code == 0, err
    new_id = out.split(" ", 1)[0]
    assert re.fullmatch(r"EV-[0-9A-HJKMNP-TV-Z]{18}", new_id), out  # time-ordered and random: no collision

    # Written atomically in place: no backup file is left beside the dossier.
    assert sorted(p.name for p in film.iterdir()) == ["dossier.yaml", "evidence"]

    # Text edit: every original line is still there, in order, and the item sits at the end of `evidence:`.
    after = dossier.read_text(encoding="utf-8")
    old_lines = before.decode("utf-8").splitlines()
    new_lines = after.splitlines()
    start, end = new_lines.index(f"- id: {new_id}"), new_lines.index("not_applicable:")
    assert start < end and new_lines[:start] + new_lines[end:] == old_lines  # one block inserted, nothing else
    assert new_lines[start - 1] == old_lines[start - 1] == "    status: pending"  # after EV-113, the last item
    assert after.startswith("# Example dossier")

    from raccord.engine import load_dossier, load_library

    registered = load_dossier(dossier, load_library().catalogue).file.evidence[-1]
    assert registered.id == new_id
    assert registered.path == "evidence/bilan carbone v2.txt"
    assert registered.sha256 == hashlib.sha256(payload).hexdigest()
    assert registered.size == len(payload)
    assert registered.criteria == ["ECO-PROD-02", "AFN-GOV-03"]
    assert str(registered.collected) == "2025-03-01" and str(registered.expires) == "2026-03-01"
    assert registered.author == "Coordinatrice écoprod"
    assert registered.auditor.status == "pending"
    assert new.read_bytes() == payload  # the file itself is neither moved nor changed

    code, result = verify_json(capsys, dossier)
    assert code == 0
    assert item(result, new_id)["file"] == "ok"

    # A second add: another id, still no backup.
    other = film / "evidence" / "autre.txt"
    other.write_text("Note RSE\n", encoding="utf-8")
    code, _, err = run(capsys, "evidence", "add", str(dossier), str(other), "--kind", "note_intention_rse",
                       "--criteria", "AFN-GOV-01", "--collected", "2025-03-02")
    assert code == 0, err
    assert not list(film.glob("dossier.yaml.bak-*"))
    ids = [line for line in dossier.read_text(encoding="utf-8").splitlines() if re.fullmatch(r"- id: EV-\w{18}", line)]
    assert len(ids) == 2 and ids[0] == f"- id: {new_id}" and ids[1] > ids[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "bilan_carbon", "--criteria", "ECO-PROD-02"], "nature de preuve inconnue « bilan_carbon »"),
        (["--kind", "bilan_carbone_previsionnel", "--criteria", "ECO-PROD-99"], "critère inconnu : « ECO-PROD-99 »"),
        (["--kind", "bilan_carbone_previsionnel", "--criteria", "AFN-GOV-01"], "n'attend pas de preuve de nature"),
        (["--kind", "bilan_carbone_previsionnel", "--criteria", "ECO-PROD-02", "--collected", "2025-13-01"],
         "« 2025-13-01 » n'est pas une date"),
        (["--kind", "bilan_carbone_previsionnel", "--criteria", "ECO-PROD-02", "--collected", "2025-05-01",
          "--expires", "2025-01-01"], "précède la date de collecte"),
    ],
)
def test_add_refuses_bad_input_without_touching_the_dossier(film: Path, capsys, args, message) -> None:
    dossier = film / "dossier.yaml"
    before = dossier.read_bytes()
    new = film / "evidence" / "new.txt"
    new.write_text("x\n", encoding="utf-8")
    code, _out, err = run(capsys, "evidence", "add", str(dossier), str(new), *args)
    assert code == 2
    assert message in err and err.startswith(("raccord: error: ", "raccord : erreur : ")) and err.count("\n") == 1
    assert "Traceback" not in err
    assert dossier.read_bytes() == before
    assert not list(film.glob("dossier.yaml.bak-*"))


def test_add_refuses_files_outside_the_dossier_folder(film: Path, tmp_path: Path, capsys) -> None:
    dossier = film / "dossier.yaml"
    before = dossier.read_bytes()
    outside = tmp_path / "outside.txt"
    outside.write_text("secret\n", encoding="utf-8")
    link = film / "evidence" / "link.txt"
    link.symlink_to(outside)
    for target, message in [(outside, "fichier hors du dossier"), (link, "mène hors du dossier")]:
        code, _, err = run(capsys, "evidence", "add", str(dossier), str(target), "--kind", "bilan_carbone_previsionnel",
                           "--criteria", "ECO-PROD-02")
        assert code == 2 and message in err, err
    code, _, err = run(capsys, "evidence", "add", str(dossier), str(film / "evidence" / "bilan_carbone_previsionnel.txt"),
                       "--kind", "bilan_carbone_previsionnel", "--criteria", "ECO-PROD-02")
    assert code == 2 and "déjà enregistré comme EV-004" in err
    assert dossier.read_bytes() == before


def test_add_to_a_dossier_without_evidence(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "court"
    folder.mkdir()
    dossier = folder / "dossier.yaml"
    dossier.write_text("format: raccord.dossier/1\n# a comment\nproduction: {id: court, title: Court}\nevidence: []\n"
                       "facts: {work.type: court_metrage}\n", encoding="utf-8")
    (folder / "note.txt").write_text("note\n", encoding="utf-8")
    code, _out, err = run(capsys, "evidence", "add", str(dossier), str(folder / "note.txt"), "--kind", "note_intention_rse",
                         "--criteria", "AFN-GOV-01", "--collected", "2025-01-02")
    assert code == 0, err
    text = dossier.read_text(encoding="utf-8")
    assert "# a comment" in text and "- id: EV-" in text and "evidence: []" not in text
    assert "path: note.txt" in text


# -- verify ---------------------------------------------------------------------------------------------


def test_verify_intact_example_passes(film: Path, capsys) -> None:
    code, out, _ = run(capsys, "verify", str(film / "dossier.yaml"), "--as-of", AS_OF)
    assert code == 0
    assert "173 éléments" in out and "Toutes les preuves sont intactes" in out
    # The auditor's rejection is shown (it is part of the dossier, and a rejected item does not count).
    assert "EV-069" in out and "rejetée : Menus non datés" in out


def test_tampered_then_deleted_file(film: Path, capsys) -> None:
    dossier = film / "dossier.yaml"
    assert criterion(check_json(capsys, dossier), "ECO-PROD-02")["status"] == "met"

    evidence = film / "evidence" / "bilan_carbone_previsionnel.txt"
    evidence.write_bytes(evidence.read_bytes().replace(b"t", b"T", 1))  # same size, different content
    code, result = verify_json(capsys, dossier)
    assert code == 3 and result["ok"] is False
    ev = item(result, "EV-004")
    assert ev["file"] == "modified" and "sha256" in ev["detail"] and "size" not in ev["detail"]
    assert {"criterion": "ECO-PROD-02", "before": "met", "after": "unknown"} in ev["changes"]
    assert {"criterion": "ECO-PROD-02", "before": "met", "after": "unknown"} in result["changes"]
    assert result["counts"]["modified"] == 1 and result["counts"]["problems"] == 1
    # `check` applies integrity too: the modified item no longer counts.
    crit = criterion(check_json(capsys, dossier), "ECO-PROD-02")
    assert crit["status"] == "unknown"
    assert {"id": "EV-004", "kind": "bilan_carbone_previsionnel", "state": "modified"} in crit["evidence_problems"]

    code, out, _ = run(capsys, "verify", str(dossier), "--as-of", AS_OF)
    assert code == 3
    assert "EV-004" in out and "modifiée depuis l'enregistrement" in out and "ECO-PROD-02 satisfait → inconnu" in out
    code, out, _ = run(capsys, "verify", str(dossier), "--as-of", AS_OF, "--lang", "en")
    assert code == 3 and "modified since registration" in out and "ECO-PROD-02 met → unknown" in out

    evidence.unlink()
    code, result = verify_json(capsys, dossier)
    assert code == 3
    assert item(result, "EV-004")["file"] == "missing_file"
    assert result["counts"]["missing_file"] == 1
    crit = criterion(check_json(capsys, dossier), "ECO-PROD-02")
    assert crit["status"] == "unknown" and crit["evidence_problems"][0]["state"] == "missing_file"


def test_size_change_is_reported(film: Path, capsys) -> None:
    evidence = film / "evidence" / "bilan_carbone_previsionnel.txt"
    evidence.write_bytes(evidence.read_bytes() + b"\n")
    code, result = verify_json(capsys, film / "dossier.yaml")
    assert code == 3
    assert "size 225 instead of 224" in item(result, "EV-004")["detail"]


def test_expired_evidence_changes_the_criterion(film: Path, capsys) -> None:
    dossier = film / "dossier.yaml"
    text = dossier.read_text(encoding="utf-8")
    anchor = "  path: evidence/bilan_carbone_previsionnel.txt\n"
    dossier.write_text(text.replace(anchor, anchor + "  expires: 2025-06-30\n"), encoding="utf-8")

    code, result = verify_json(capsys, dossier, "2025-06-01")
    assert code == 0 and item(result, "EV-004")["dates"] == "valid"

    code, result = verify_json(capsys, dossier, AS_OF)
    assert code == 3
    ev = item(result, "EV-004")
    assert ev["file"] == "ok" and ev["dates"] == "expired" and ev["expires"] == "2025-06-30"
    assert {"criterion": "ECO-PROD-02", "before": "met", "after": "unknown"} in ev["changes"]
    crit = criterion(check_json(capsys, dossier), "ECO-PROD-02")
    assert crit["status"] == "unknown" and crit.get("expired") is True
    assert "ECO-PROD-02" in [m["criterion"] for m in check_json(capsys, dossier)["missing"]]


def test_dotdot_path_in_dossier_is_refused(film: Path, capsys) -> None:
    dossier = film / "dossier.yaml"
    text = dossier.read_text(encoding="utf-8")
    dossier.write_text(text.replace("path: evidence/bilan_carbone_previsionnel.txt", "path: ../../etc/passwd"),
                       encoding="utf-8")
    for command in ("verify", "check"):
        code, _, err = run(capsys, command, str(dossier), "--as-of", AS_OF)
        assert code == 2
        assert "sort du dossier" in err and "dossier.yaml:" in err  # located: file:line:col (French by default)
    dossier.write_text(text.replace("path: evidence/bilan_carbone_previsionnel.txt", "path: /etc/passwd"),
                       encoding="utf-8")
    code, _, err = run(capsys, "verify", str(dossier), "--as-of", AS_OF)
    assert code == 2 and "est absolu" in err


def test_symlink_leaving_the_dossier_does_not_count(film: Path, tmp_path: Path, capsys) -> None:
    dossier = film / "dossier.yaml"
    evidence = film / "evidence" / "bilan_carbone_previsionnel.txt"
    outside = tmp_path / "elsewhere.txt"
    outside.write_bytes(evidence.read_bytes())  # same bytes: only the location is wrong
    evidence.unlink()
    os.symlink(outside, evidence)
    code, result = verify_json(capsys, dossier)
    assert code == 3
    ev = item(result, "EV-004")
    assert ev["file"] == "outside_dossier" and "resolves outside the dossier folder" in ev["detail"]
    assert "sha256" not in ev  # the file outside is never read
    crit = criterion(check_json(capsys, dossier), "ECO-PROD-02")
    assert crit["status"] == "unknown" and crit["evidence_problems"][0]["state"] == "outside_dossier"
    # A symlink that stays inside the folder is fine.
    evidence.unlink()
    inside = film / "evidence" / "real.txt"
    inside.write_bytes(outside.read_bytes())
    os.symlink("real.txt", evidence)
    code, result = verify_json(capsys, dossier)
    assert code == 0 and item(result, "EV-004")["file"] == "ok"


def test_symlinked_folder_leaving_the_dossier_is_refused_for_every_file_in_it(film: Path, tmp_path: Path,
                                                                            capsys) -> None:
    outside = tmp_path / "elsewhere"
    shutil.move(film / "evidence", outside)
    os.symlink(outside, film / "evidence")  # the same files, reached through a folder that leaves the dossier
    code, result = verify_json(capsys, film / "dossier.yaml")
    assert code == 3
    states = {i["file"] for i in result["items"] if i.get("path", "").startswith("evidence/")}
    assert states == {"outside_dossier"}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_or_a_folder_in_place_of_an_evidence_file_is_reported_not_read(film: Path, capsys) -> None:
    evidence = film / "evidence" / "bilan_carbone_previsionnel.txt"
    evidence.unlink()
    os.mkfifo(evidence)  # opening it for reading would wait for a writer forever
    code, result = verify_json(capsys, film / "dossier.yaml")
    ev = item(result, "EV-004")
    assert code == 3 and ev["file"] == "missing_file" and "not a regular file" in ev["detail"]
    evidence.unlink()
    evidence.mkdir()
    code, result = verify_json(capsys, film / "dossier.yaml")
    ev = item(result, "EV-004")
    assert code == 3 and ev["file"] == "missing_file" and "is a folder" in ev["detail"]


def test_portfolio_members_evidence_files_are_checked_too(film: Path, tmp_path: Path, capsys) -> None:
    """A company-wide level rests on every project of the portfolio: a member's modified evidence
    file must not count, as for the dossier being checked."""
    member = tmp_path / "projet_soeur"
    shutil.copytree(EXAMPLE, member)

    def member_afnor() -> dict:
        code, out, err = run(capsys, "check", str(film / "dossier.yaml"), "--as-of", AS_OF, "--format", "json",
                             "--portfolio", str(member / "dossier.yaml"))
        assert code == 0, err
        (entry,) = json.loads(out)["portfolio"]
        return entry["outcomes"]["afnor_spec_2308"]

    assert "AFN-GOV-01" not in member_afnor()["gaps"]["1"]
    # EV-074 is the only evidence of AFN-GOV-01, a level-1 criterion of the member
    text = (member / "dossier.yaml").read_text(encoding="utf-8")
    start = text.index("- id: EV-074")
    path = text[text.index("path: ", start) + 6:text.index("\n", text.index("path: ", start))].strip()
    with (member / path).open("ab") as handle:
        handle.write(b"\nligne ajoutee apres l'enregistrement\n")
    assert "AFN-GOV-01" in member_afnor()["gaps"]["1"]  # no longer proven: the member's level 1 has a new gap


def test_rejected_item_does_not_count_and_is_reported(film: Path, capsys) -> None:
    dossier = film / "dossier.yaml"
    text = dossier.read_text(encoding="utf-8")
    start = text.index("- id: EV-004")
    status = text.index("    status: pending", start)
    dossier.write_text(text[:status] + "    status: rejected\n    reason: Calculateur non homologué\n    by: Afnor\n"
                       + text[status + len("    status: pending\n"):], encoding="utf-8")
    code, result = verify_json(capsys, dossier)
    assert code == 0  # an auditor's decision is not an integrity failure
    assert item(result, "EV-004")["auditor"] == {"status": "rejected", "reason": "Calculateur non homologué", "by": "Afnor"}
    crit = criterion(check_json(capsys, dossier), "ECO-PROD-02")
    assert crit["status"] == "unknown" and crit["evidence_problems"][0]["state"] == "rejected"
