"""A bundle re-runs: `raccord check FILE.zip` (read in a temporary folder) and `raccord check` on the
unzipped folder give the original evaluation on the same date, and `verify` on the unzipped dossier
finds every file (audit 2026-12-ux: « 112 fichier absent », AFNOR « non satisfait 3, inconnu 25 »)."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

try:  # tests/ may or may not be a package
    from tests.test_html_report import EXAMPLE, run
except ImportError:
    from test_html_report import EXAMPLE, run

AS_OF = "2025-10-15"  # an evidence item has expired, another was rejected: not a trivially clean dossier


@pytest.fixture
def film(tmp_path: Path) -> Path:
    target = tmp_path / "film"
    shutil.copytree(EXAMPLE, target)
    return target


def check_json(capsys, target: Path | str, *extra: str) -> dict:
    code, out, err = run(capsys, "check", str(target), "--format", "json", *extra)
    assert code == 0, err
    return json.loads(out)


def without_paths(doc: dict) -> dict:
    doc = json.loads(json.dumps(doc))
    doc["dossier"].pop("path")
    doc.pop("bundle", None)
    if doc.get("review", {}).get("file"):
        assert doc["review"].pop("file").endswith("dossier.audit.yaml")
    return doc


def test_bundle_reevaluates_like_the_original(film: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    # an evidence file gone missing, bundled with --allow-problems: the re-run must see it missing too
    (film / "evidence" / "attestation_formation.txt").unlink()
    bundle = tmp_path / "audit.zip"
    code, _, err = run(capsys, "dossier", str(film / "dossier.yaml"), "--out", str(bundle), "--as-of", AS_OF,
                       "--allow-problems")
    assert code == 0, err
    original = check_json(capsys, film / "dossier.yaml", "--as-of", AS_OF)

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    in_place = check_json(capsys, bundle)  # the date is the bundle's own
    assert list(temp.iterdir()) == []  # the temporary folder is gone once the command is done
    assert in_place["as_of"] == AS_OF and in_place["dossier"]["path"] == "dossier/dossier.yaml"
    assert in_place["bundle"]["file"] == str(bundle) and in_place["bundle"]["format"] == "raccord.bundle/2"
    assert in_place["bundle"]["signature"] == "absent"
    assert without_paths(in_place) == without_paths(original)
    # the evaluation the bundle carries is the same document
    bundled = json.loads(zipfile.ZipFile(bundle).read("evaluation.json"))
    assert without_paths(bundled) == without_paths(original)

    unpacked = tmp_path / "reçu"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(unpacked)
    shutil.rmtree(film)  # nothing may reach back to the producer's folder
    unzipped = check_json(capsys, unpacked / "dossier" / "dossier.yaml", "--as-of", AS_OF)
    assert without_paths(unzipped) == without_paths(original)
    afnor = next(rs for rs in unzipped["rulesets"] if rs["id"] == "afnor_spec_2308")
    assert afnor["counts"]["met"] >= 20

    # verify on the unzipped dossier: the missing file and the expired one, nothing else
    code, out, _ = run(capsys, "verify", str(unpacked / "dossier" / "dossier.yaml"), "--as-of", AS_OF, "--format", "json")
    result = json.loads(out)
    assert code == 3 and result["counts"]["missing_file"] == 1 and result["counts"]["modified"] == 0
    assert [i["id"] for i in result["items"] if i["file"] == "missing_file"] == ["EV-002"]
    # and the text commands read the bundle too
    code, out, err = run(capsys, "check", str(bundle))
    assert code == 0 and "Les Heures claires" in out, err
    code, out, err = run(capsys, "missing", str(bundle), "--format", "json")
    assert code == 0 and json.loads(out)["missing"] == original["missing"]


def test_check_bundle_at_another_date_and_selection(film: Path, tmp_path: Path, capsys) -> None:
    bundle = tmp_path / "audit.zip"
    code, _, err = run(capsys, "dossier", str(film / "dossier.yaml"), "--out", str(bundle), "--as-of", AS_OF,
                       "--ruleset", "ecoprod_label")
    assert code == 0, err
    in_place = check_json(capsys, bundle)
    assert [rs["id"] for rs in in_place["rulesets"]] == ["ecoprod_label"]  # the selection it was built with
    later = check_json(capsys, bundle, "--as-of", "2026-01-01")
    assert later["as_of"] == "2026-01-01"
    assert without_paths(later) == without_paths(check_json(capsys, film / "dossier.yaml", "--as-of", "2026-01-01",
                                                            "--ruleset", "ecoprod_label"))


def test_auditor_file_travels_with_the_bundle(film: Path, tmp_path: Path, capsys) -> None:
    audit = film / "dossier.audit.yaml"
    audit.write_text("format: raccord.audit/1\ndossier: les-heures-claires\nreviews:\n"
                     "  - evidence: EV-004\n    decision: rejected\n    reason: Bilan non signé\n"
                     "    by: Auditrice AFNOR\n    date: 2025-10-01\n", encoding="utf-8")
    bundle = tmp_path / "audit.zip"
    assert run(capsys, "dossier", str(film / "dossier.yaml"), "--out", str(bundle), "--as-of", AS_OF)[0] == 0
    original = check_json(capsys, film / "dossier.yaml", "--as-of", AS_OF)
    assert original["review"]["items"]["EV-004"]["status"] == "rejected"  # the review counts...
    in_place = check_json(capsys, bundle)
    assert in_place["review"]["file"] == "dossier/dossier.audit.yaml"
    assert without_paths(in_place) == without_paths(original)  # ...in the bundle's re-run too
    assert json.loads(zipfile.ZipFile(bundle).read("evaluation.json"))["review"]["file"] == "dossier/dossier.audit.yaml"
    with zipfile.ZipFile(bundle) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert zf.read("dossier/dossier.audit.yaml") == audit.read_bytes()
    assert manifest["dossier"]["audit_file"] == "dossier/dossier.audit.yaml"
    assert {"path": "dossier/dossier.audit.yaml", "role": "audit"}.items() <= next(
        f for f in manifest["files"] if f["path"] == "dossier/dossier.audit.yaml").items()
    code, out, _ = run(capsys, "verify", str(bundle))
    assert code == 0, out


def test_the_saved_copy_of_an_online_item_travels_and_is_checked_again(film: Path, tmp_path: Path, capsys) -> None:
    copy = film / "evidence" / "charte_rse.html"
    copy.write_text("<h1>Charte RSE des Heures claires</h1>\n", encoding="utf-8")
    code, out, err = run(capsys, "evidence", "add", str(film / "dossier.yaml"), "--url", "https://exemple.fr/charte",
                         "--seen", "Charte RSE publiée", "--copy", str(copy), "--kind", "note_intention_rse",
                         "--criteria", "AFN-GOV-01", "--collected", "2025-06-03")
    assert code == 0, err
    eid = out.split(" ", 1)[0]
    bundle = tmp_path / "audit.zip"
    assert run(capsys, "dossier", str(film / "dossier.yaml"), "--out", str(bundle), "--as-of", AS_OF)[0] == 0
    name = "dossier/evidence/charte_rse.html"
    with zipfile.ZipFile(bundle) as zf:
        assert zf.read(name) == copy.read_bytes()
        row = next(f for f in json.loads(zf.read("manifest.json"))["files"] if f["path"] == name)
    assert row["role"] == "evidence" and row["evidence"][0]["id"] == eid
    assert row["evidence"][0]["copy_of"] == "https://exemple.fr/charte"
    assert run(capsys, "verify", str(bundle))[0] == 0
    in_place = check_json(capsys, bundle)
    assert without_paths(in_place) == without_paths(check_json(capsys, film / "dossier.yaml", "--as-of", AS_OF))
    assert eid in next(c for rs in in_place["rulesets"] for c in rs["criteria"] if c["id"] == "AFN-GOV-01")["evidence_used"]
    # the copy changed in the bundle and the manifest edited to match: the dossier's register says otherwise
    with zipfile.ZipFile(bundle) as zf:
        entries = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    forged = entries[name].replace(b"Charte", b"Chartr")
    manifest = json.loads(entries["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == name:
            entry["sha256"] = hashlib.sha256(forged).hexdigest()
    entries.update({name: forged, "manifest.json": json.dumps(manifest).encode()})
    tampered = tmp_path / "falsifié.zip"
    with zipfile.ZipFile(tampered, "w") as zf:
        for key, data in entries.items():
            zf.writestr(key, data)
    code, out, _ = run(capsys, "verify", str(tampered))
    assert code == 3 and f"✘ {name} : ne correspond pas au registre des preuves du dossier ({eid} : le dossier enregistre" in out


def test_the_html_report_of_a_bundle_links_nothing_that_is_gone(film: Path, tmp_path: Path, capsys) -> None:
    """`check FILE.zip --format html` reads the bundle in a temporary folder removed at the end: its
    evidence is named in plain text, where the report of the dossier itself links each file."""
    import re
    from urllib.parse import unquote

    bundle = tmp_path / "audit.zip"
    assert run(capsys, "dossier", str(film / "dossier.yaml"), "--out", str(bundle), "--as-of", AS_OF)[0] == 0
    pattern = re.compile(r'class="evidence-link" href="([^"]+)"')
    for source, report in ((film / "dossier.yaml", tmp_path / "dossier.html"), (bundle, tmp_path / "paquet.html")):
        code, _, err = run(capsys, "check", str(source), "--as-of", AS_OF, "--format", "html", "-o", str(report))
        assert code == 0, err
        html = report.read_text(encoding="utf-8")
        links = [unquote(h) for h in pattern.findall(html) if not h.startswith(("http://", "https://"))]
        assert all((report.parent / link).is_file() for link in links), links
        if source == bundle:
            assert links == [] and "<code>evidence/bilan_carbone_previsionnel.txt</code>" in html
        else:
            assert len(links) > 20


def test_portfolio_members_travel_with_the_bundle(film: Path, tmp_path: Path, capsys) -> None:
    """A dossier naming another production in `portfolio:` (inside its folder): the member and its
    evidence are bundled at their paths, so the company-wide evaluation re-runs from the bundle, and
    the member's register is cross-checked like the dossier's."""
    shutil.copytree(EXAMPLE.parent / "serie_tv", film / "soeur")
    with (film / "dossier.yaml").open("a", encoding="utf-8") as handle:
        handle.write("portfolio: [soeur/dossier.yaml]\n")
    bundle = tmp_path / "audit.zip"
    code, _, err = run(capsys, "dossier", str(film / "dossier.yaml"), "--out", str(bundle), "--as-of", AS_OF)
    assert code == 0, err
    with zipfile.ZipFile(bundle) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = set(zf.namelist())
    assert manifest["portfolio"] == ["dossier/soeur/dossier.yaml"]
    member_files = {f["path"] for f in manifest["files"] if any(e.get("dossier") == "dossier/soeur/dossier.yaml"
                                                                for e in f.get("evidence", []))}
    assert len(member_files) > 20 and all(p.startswith("dossier/soeur/evidence/") for p in member_files) and member_files <= names
    code, out, err = run(capsys, "verify", str(bundle), "--format", "json")
    assert code == 0 and json.loads(out)["ok"], (out, err)

    original = check_json(capsys, film / "dossier.yaml", "--as-of", AS_OF)
    assert len(original["portfolio"]) == 1
    assert without_paths(check_json(capsys, bundle))["portfolio"] == without_paths(original)["portfolio"]

    # a member's evidence file swapped and the manifest edited to match: its own register says otherwise
    target = sorted(member_files)[0]
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(forged, "w") as dst:
        edited = json.loads(src.read("manifest.json"))
        data = src.read(target) + b"\najout\n"
        for row in edited["files"]:
            if row["path"] == target:
                row["sha256"], row["size"] = hashlib.sha256(data).hexdigest(), len(data)
        for info in src.infolist():
            dst.writestr(info, json.dumps(edited).encode() if info.filename == "manifest.json"
                         else data if info.filename == target else src.read(info.filename))
    code, out, _ = run(capsys, "verify", str(forged), "--format", "json")
    assert code == 3 and {(p["path"], p["state"]) for p in json.loads(out)["problems"]} == {(target, "register_mismatch")}
