"""The audit bundle (`raccord dossier DOSSIER --out FILE.zip`) and `raccord verify FILE.zip`."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

try:  # tests/ may or may not be a package
    from tests.test_html_report import EXAMPLE, check_page, follow_first_evidence_link, open_webdriver, requires_chromium, run
except ImportError:
    from test_html_report import EXAMPLE, check_page, follow_first_evidence_link, open_webdriver, requires_chromium, run

AS_OF = "2025-09-01"


@pytest.fixture
def film(tmp_path: Path) -> Path:
    target = tmp_path / "film"
    shutil.copytree(EXAMPLE, target)
    return target


def build(capsys, film: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    return run(capsys, "dossier", str(film / "dossier.yaml"), "--out", str(out), "--as-of", AS_OF, *extra)


EV004 = "dossier/evidence/bilan_carbone_previsionnel.txt"


def evidence_rows(manifest: dict) -> dict[str, dict]:
    """Evidence id -> its manifest row (file fields and the item's own)."""
    return {item["id"]: {**f, **item} for f in manifest["files"] for item in f.get("evidence", [])}


def test_bundle_contents_and_manifest(film: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "audit.zip"
    code, stdout, err = build(capsys, film, out)
    assert code == 0, err
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert {"index.html", "manifest.json", "evaluation.json", "dossier/dossier.yaml"} <= set(names)
        assert zf.read("dossier/dossier.yaml") == (film / "dossier.yaml").read_bytes()  # byte for byte
        # the files sit where the dossier says they are, relative to it
        assert EV004 in names and not any(n.startswith("evidence/") for n in names)
        for info in zf.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert (info.external_attr >> 16) & 0o777 == 0o644
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["format"] == "raccord.bundle/2" and manifest["as_of"] == AS_OF and manifest["as_of_given"]
        assert manifest["dossier"]["sha256"] == hashlib.sha256((film / "dossier.yaml").read_bytes()).hexdigest()
        listed = {f["path"]: f for f in manifest["files"]}
        assert set(listed) == set(names) - {"manifest.json"}
        for name, entry in listed.items():
            data = zf.read(name)
            assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["size"] == len(data)
        ev = evidence_rows(manifest)["EV-004"]
        original = (film / "evidence" / "bilan_carbone_previsionnel.txt").read_bytes()
        assert ev["path"] == EV004 and zf.read(EV004) == original and ev["registered_sha256"] == ev["sha256"]
        assert ev["source_path"] == "evidence/bilan_carbone_previsionnel.txt" and ev["kind"] == "bilan_carbone_previsionnel"
        assert "ECO-PROD-02" in ev["criteria"] and "ECO-PROD-02" in ev["used_by"]
        assert len(evidence_rows(manifest)) == 173
        evaluation = json.loads(zf.read("evaluation.json"))
        assert evaluation["format"] == "raccord.result/1" and evaluation["as_of"] == AS_OF
        assert evaluation["dossier"]["path"] == "dossier/dossier.yaml"
        html = zf.read("index.html").decode("utf-8")
        assert f'href="{EV004}"' in html
    assert hashlib.sha256(json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n").hexdigest() in stdout
    assert f"{len(manifest['files'])} fichiers au manifeste" in stdout


def test_bundle_is_reproducible(film: Path, tmp_path: Path, capsys) -> None:
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    assert build(capsys, film, first)[0] == 0
    # Another copy of the same dossier elsewhere, with other file times: same bytes.
    moved = tmp_path / "elsewhere" / "film"
    shutil.copytree(film, moved)
    for path in moved.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    assert build(capsys, moved, second)[0] == 0
    assert first.read_bytes() == second.read_bytes()
    # A different date is a different input, and says so.
    third = tmp_path / "c.zip"
    assert run(capsys, "dossier", str(film / "dossier.yaml"), "--out", str(third), "--as-of", "2025-09-02")[0] == 0
    assert third.read_bytes() != first.read_bytes()


def test_bundle_refuses_paths_leaving_the_dossier(film: Path, tmp_path: Path, capsys) -> None:
    dossier = film / "dossier.yaml"
    text = dossier.read_text(encoding="utf-8")
    dossier.write_text(text.replace("path: evidence/bilan_carbone_previsionnel.txt", "path: ../../etc/passwd"),
                       encoding="utf-8")
    out = tmp_path / "audit.zip"
    code, _, err = build(capsys, film, out)
    assert code == 2 and "sort du dossier" in err and not out.exists()

    dossier.write_text(text, encoding="utf-8")
    evidence = film / "evidence" / "bilan_carbone_previsionnel.txt"
    outside = tmp_path / "outside.txt"
    outside.write_bytes(evidence.read_bytes())
    evidence.unlink()
    evidence.symlink_to(outside)
    code, _, err = build(capsys, film, out, "--allow-problems")
    assert code == 2 and "EV-004" in err and "mène hors du dossier" in err and not out.exists()
    assert "dossier.yaml:" in err  # located at the item's path in the dossier


def test_bundle_refuses_missing_or_modified_evidence_unless_allowed(film: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "audit.zip"
    (film / "evidence" / "bilan_carbone_previsionnel.txt").write_text("autre\n", encoding="utf-8")
    (film / "evidence" / "attestation_formation.txt").unlink()
    code, _, err = build(capsys, film, out)
    assert code == 2 and "--allow-problems" in err and not out.exists()
    code, _, err = build(capsys, film, out, "--allow-problems")
    assert code == 0, err
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        html = zf.read("index.html").decode("utf-8")
    listed = evidence_rows(manifest)
    assert listed["EV-004"]["problem"] == "modified" and listed["EV-004"]["sha256"] != listed["EV-004"]["registered_sha256"]
    assert "EV-002" not in listed
    assert manifest["missing_evidence"] == [{"evidence_id": "EV-002", "source_path": "evidence/attestation_formation.txt",
                                             "problem": "missing_file"}]
    assert 'id="integrity-alert"' in html


def test_verify_bundle_finds_missing_extra_and_modified(film: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "audit.zip"
    assert build(capsys, film, out)[0] == 0
    code, stdout, _ = run(capsys, "verify", str(out))
    assert code == 0 and "Paquet conforme à son manifeste" in stdout

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            if info.filename == "dossier/evidence/attestation_formation.txt":
                continue  # missing
            data = src.read(info.filename)
            if info.filename == EV004:
                data = data.replace(b"t", b"T", 1)  # modified, same size
            dst.writestr(info, data)
        dst.writestr("dossier/evidence/ajout.txt", b"ajout\n")  # extra
    code, stdout, _ = run(capsys, "verify", str(tampered), "--format", "json")
    assert code == 3
    result = json.loads(stdout)
    assert result["ok"] is False
    states = {p["path"]: p["state"] for p in result["problems"]}
    assert states == {"dossier/evidence/attestation_formation.txt": "missing", EV004: "modified",
                      "dossier/evidence/ajout.txt": "extra"}
    code, stdout, _ = run(capsys, "verify", str(tampered))
    assert code == 3 and "NON conforme" in stdout and "absent du paquet" in stdout and "en trop" in stdout

    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    code, _, err = run(capsys, "verify", str(junk))
    assert code == 2 and "archive zip illisible" in err and "junk.zip" in err


@requires_chromium
def test_bundle_index_opens_in_chromium_with_working_evidence_links(film: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "audit.zip"
    assert build(capsys, film, out)[0] == 0
    unpacked = tmp_path / "received"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(unpacked)
    shutil.rmtree(film)  # the report must not reach back to the dossier folder
    wd = open_webdriver(tmp_path)
    try:
        check_page(wd, (unpacked / "index.html").as_uri(), "Les Heures claires", "indéterminé", "ECO-PROD-02",
                   tmp_path / "bundle.png")
        follow_first_evidence_link(wd, unpacked)
    finally:
        wd.close()
