"""A received bundle that is broken or hostile (audit 2026-12-fuzz F5 and F14): `raccord verify` gives
a French verdict with exit 3 (exit 2 only for what is not a zip at all), never an internal error, and
writes nothing anywhere; `raccord check FILE.zip` refuses such a bundle the same way."""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import sys
import zipfile
from pathlib import Path
from unittest import mock

import pytest

from raccord.cli.main import main

try:  # tests/ may or may not be a package
    from tests.bounded import bounded
    from tests.test_html_report import EXAMPLE
    from tests.test_html_report import run as run_here
except ImportError:
    from bounded import bounded
    from test_html_report import EXAMPLE
    from test_html_report import run as run_here


def run(capsys, *args: str) -> tuple[int, str, str]:
    """The CLI under the fuzz audit's bounds (tests/bounded.py: 2 s of CPU, 200 MiB more memory)."""
    return bounded(run_here, capsys, *args)

AS_OF = "2025-09-01"
EV004 = "dossier/evidence/bilan_carbone_previsionnel.txt"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> bytes:
    """The example's bundle, built once (raccord's own output, stored entries)."""
    folder = tmp_path_factory.mktemp("base")
    out = folder / "base.zip"
    with mock.patch.object(sys, "argv", ["raccord", "dossier", str(EXAMPLE / "dossier.yaml"), "--out", str(out),
                                         "--as-of", AS_OF]):
        try:
            main()
        except SystemExit as exc:
            assert not exc.code
    return out.read_bytes()


def rewrite(base: bytes, target: Path, change=None, add=(), manifest_edit=None) -> Path:
    """Copy the bundle entry by entry: `change(name, data)` -> new data or None to drop; `add` more
    (ZipInfo, data); `manifest_edit(manifest)` edits the manifest (then written back)."""
    src_path = target.with_suffix(".src.zip")
    src_path.write_bytes(base)
    with zipfile.ZipFile(src_path) as src, zipfile.ZipFile(target, "w") as dst:
        manifest = json.loads(src.read("manifest.json"))
        if manifest_edit:
            manifest_edit(manifest)
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "manifest.json":
                data = json.dumps(manifest).encode() if manifest_edit else data
            elif change:
                data = change(info.filename, data)
                if data is None:
                    continue
            dst.writestr(info, data)
        for info, data in add:
            dst.writestr(info, data)
    src_path.unlink()
    return target


def listed(manifest: dict, name: str, data: bytes, role: str = "evidence") -> None:
    """List an entry in the manifest with its right sha256 and size (a forger's consistent edit)."""
    manifest["files"] = [f for f in manifest["files"] if f["path"] != name]
    manifest["files"].append({"path": name, "role": role, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})


def patch_headers(data: bytes, name: str, *, flags: int | None = None, method: int | None = None,
                  local_name: bytes | None = None) -> bytes:
    """Change an entry's flag bits or compression method (local header and central directory), or
    the file name written in its local header only."""
    out = bytearray(data)
    raw = name.encode()
    local = -1
    pos = 0
    while (pos := out.find(b"PK\x03\x04", pos)) >= 0:
        n = struct.unpack_from("<H", out, pos + 26)[0]
        if out[pos + 30:pos + 30 + n] == raw:
            local = pos
            break
        pos += 4
    central = out.find(b"PK\x01\x02")
    while central >= 0:
        n = struct.unpack_from("<H", out, central + 28)[0]
        if out[central + 46:central + 46 + n] == raw:
            break
        central = out.find(b"PK\x01\x02", central + 4)
    assert local >= 0 and central >= 0
    if flags is not None:
        struct.pack_into("<H", out, local + 6, flags)
        struct.pack_into("<H", out, central + 8, flags)
    if method is not None:
        struct.pack_into("<H", out, local + 8, method)
        struct.pack_into("<H", out, central + 10, method)
    if local_name is not None:
        assert len(local_name) == len(raw)
        out[local + 30:local + 30 + len(raw)] = local_name
    return bytes(out)


def entry_data_offset(data: bytes, name: str) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    n, extra = struct.unpack_from("<HH", data, info.header_offset + 26)
    return info.header_offset + 30 + n + extra


def verify(capsys, path: Path, *extra: str) -> tuple[int, dict, str]:
    code, out, err = run(capsys, "verify", str(path), "--format", "json", *extra)
    assert code in (2, 3) and "internal error" not in err, (code, err)
    return code, json.loads(out) if code == 3 else {}, err


def states(result: dict) -> dict[str, str]:
    """path -> state (one problem per path expected)."""
    assert len({p["path"] for p in result["problems"]}) == len(result["problems"]), result["problems"]
    return {p["path"]: p["state"] for p in result["problems"]}


def pairs(result: dict) -> set[tuple[str, str]]:
    return {(p["path"], p["state"]) for p in result["problems"]}


def french_verdict(capsys, path: Path) -> str:
    code, out, err = run(capsys, "verify", str(path))
    assert code == 3 and "Paquet NON conforme" in out and "internal error" not in err
    return out


@pytest.fixture
def quiet_tmp(tmp_path: Path, monkeypatch) -> Path:
    """An empty working folder and temporary folder: both must still be empty afterwards."""
    cwd, tmp = tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir()
    tmp.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr("tempfile.tempdir", str(tmp))
    yield tmp_path
    assert list(cwd.iterdir()) == [] and list(tmp.iterdir()) == []
    assert not (tmp_path.parent / "evil_dir").exists() and not (tmp_path / "evil_dir").exists()


# --- F5: a damaged entry or a manifest that is not what raccord writes: verdict, exit 3 -----------------


def test_bad_crc_is_a_verdict(base: bytes, tmp_path: Path, capsys, quiet_tmp) -> None:
    data = bytearray(base)
    at = entry_data_offset(base, EV004)
    data[at] ^= 0x20  # a bit flipped in transit, CRC left as it was
    bad = tmp_path / "crc.zip"
    bad.write_bytes(bytes(data))
    code, result, _ = verify(capsys, bad)
    assert code == 3 and (EV004, "unreadable") in pairs(result)
    assert "CRC-32" in next(p["detail"] for p in result["problems"] if p["path"] == EV004)
    assert "somme de contrôle CRC-32 fausse" in french_verdict(capsys, bad)


@pytest.mark.parametrize(("patch", "words"), [
    ({"flags": 0x1}, "chiffrée"),
    ({"method": 99}, "méthode de compression 99 non prise en charge"),
    ({"local_name": b"dossier/evidence/xilan_carbone_previsionnel.txt"}, "en-tête local incohérent"),
])
def test_damaged_headers_are_a_verdict(base: bytes, tmp_path: Path, capsys, quiet_tmp, patch, words) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes(patch_headers(base, EV004, **patch))
    code, result, _ = verify(capsys, bad)
    assert code == 3 and states(result) == {EV004: "unreadable"}
    assert words in french_verdict(capsys, bad)


@pytest.mark.parametrize(("edit", "words"), [
    (lambda m: m["files"].append({"path": 1, "sha256": "0" * 64, "size": 1}), "].path : chemin (texte) attendu, trouvé 1"),
    (lambda m: m["files"].append({"path": None}), "chemin (texte) attendu"),
    (lambda m: m.update(dossier="x"), "« dossier » : objet attendu"),
    (lambda m: m.update(files={"a": 1}), "« files » : liste attendue"),
    (lambda m: m["files"][0].update(size=True), "nombre entier positif attendu"),
    (lambda m: m.update(format="autre/1"), "format inconnu"),
])
def test_manifest_not_as_raccord_writes_it(base: bytes, tmp_path: Path, capsys, quiet_tmp, edit, words) -> None:
    bad = rewrite(base, tmp_path / "m.zip", manifest_edit=edit)
    code, result, _ = verify(capsys, bad)
    assert code == 3 and states(result) == {"manifest.json": "bad_manifest"}
    out = french_verdict(capsys, bad)
    assert "manifeste invalide" in out and words in out


def replace_manifest(base: bytes, target: Path, raw: bytes) -> Path:
    target.write_bytes(base)
    with zipfile.ZipFile(target) as src:
        entries = [(i, src.read(i.filename)) for i in src.infolist() if i.filename != "manifest.json"]
    with zipfile.ZipFile(target, "w") as zf:
        for info, data in entries:
            zf.writestr(info, data)
        zf.writestr("manifest.json", raw)
    return target


def test_deeply_nested_manifest(base: bytes, tmp_path: Path, capsys, quiet_tmp) -> None:
    deep = b'{"format": "raccord.bundle/2", "files": [], "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    bad = replace_manifest(base, tmp_path / "deep.zip", deep)
    code, result, _ = verify(capsys, bad)
    assert code == 3 and states(result) == {"manifest.json": "bad_manifest"}
    assert "imbriqué trop profondément" in french_verdict(capsys, bad)


def test_huge_manifest_is_refused_before_reading(base: bytes, tmp_path: Path, capsys, quiet_tmp) -> None:
    bad = tmp_path / "huge.zip"
    with zipfile.ZipFile(bad, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", b" " * (65 * 1024 * 1024))  # 65 MiB of spaces, 64 KiB compressed
    code, result, _ = verify(capsys, bad)
    assert code == 3 and states(result) == {"manifest.json": "too_large"}
    assert "limite" in french_verdict(capsys, bad)


# --- F14: entries a zip tool would create somewhere else, or as something else ---------------------------


def symlink_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = 0o120777 << 16
    return info


def test_symlink_entry_listed_with_the_right_hash_is_refused(base: bytes, tmp_path: Path, capsys, quiet_tmp) -> None:
    target = b"../../../../etc/passwd"
    name = "dossier/evidence/lien.txt"
    bad = rewrite(base, tmp_path / "link.zip", add=[(symlink_info(name), target)],
                  manifest_edit=lambda m: listed(m, name, target))
    code, result, _ = verify(capsys, bad)
    assert code == 3 and (name, "symlink") in pairs(result)
    assert "lien symbolique refusé" in french_verdict(capsys, bad)


def test_real_evidence_replaced_by_a_symlink_is_refused(base: bytes, tmp_path: Path, capsys, quiet_tmp) -> None:
    target = b"/etc/passwd"
    bad = rewrite(base, tmp_path / "swap.zip", change=lambda n, d: None if n == EV004 else d,
                  add=[(symlink_info(EV004), target)], manifest_edit=lambda m: listed(m, EV004, target))
    code, result, _ = verify(capsys, bad)
    assert code == 3 and (EV004, "symlink") in pairs(result)


@pytest.mark.parametrize("name", ["../../evil_dir/", "dossier/sous-dossier/"])
def test_directory_entries_are_refused(base: bytes, tmp_path: Path, capsys, quiet_tmp, name) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = (0o40755 << 16) | 0x10
    bad = rewrite(base, tmp_path / "dir.zip", add=[(info, b"")])
    code, result, _ = verify(capsys, bad)
    assert code == 3 and (name, "unsafe" if name.startswith("..") else "directory") in pairs(result)
    french_verdict(capsys, bad)


@pytest.mark.parametrize("name", ["../../evil.txt", "dossier/../../evil.txt", "/etc/evil.txt", "C:/evil.txt",
                                  "dossier\\..\\..\\evil.txt", "dossier/evi\x1bl.txt"])
def test_names_written_outside_the_target_are_refused(base: bytes, tmp_path: Path, capsys, quiet_tmp, name) -> None:
    bad = rewrite(base, tmp_path / "slip.zip", add=[(zipfile.ZipInfo(name), b"x")],
                  manifest_edit=lambda m: listed(m, name, b"x"))
    code, result, _ = verify(capsys, bad)
    assert code == 3 and (name, "unsafe") in pairs(result)


def test_zip_bomb_is_refused_without_inflating_it(base: bytes, tmp_path: Path, capsys, quiet_tmp) -> None:
    """128 MiB of zeros deflated to about 130 KiB, in place of an evidence file whose manifest entry
    says 6 bytes: refused from the zip's directory, before a byte is inflated."""
    size = 128 * 1024 * 1024
    bomb = rewrite(base, tmp_path / "bomb.zip", change=lambda n, d: None if n == EV004 else d,
                   manifest_edit=lambda m: listed(m, EV004, b"small\n"))
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(bomb, "a") as zf:
        info = zipfile.ZipInfo(EV004, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as handle:
            for _ in range(size >> 20):
                handle.write(chunk)
    assert bomb.stat().st_size < 10 * 1024 * 1024
    code, result, _ = verify(capsys, bomb)
    assert code == 3 and (EV004, "modified") in pairs(result)
    detail = next(p["detail"] for p in result["problems"] if p["path"] == EV004)
    assert f"taille {size} au lieu de 6" in detail
    code, _, err = run(capsys, "check", str(bomb))
    assert code == 3 and "paquet non conforme" in err


def test_truncated_zip_is_a_located_refusal(base: bytes, tmp_path: Path, capsys, quiet_tmp) -> None:
    cut = tmp_path / "cut.zip"
    cut.write_bytes(base[: len(base) // 2])
    code, _, err = verify(capsys, cut)
    assert code == 2 and err.startswith(f"raccord : erreur : {cut}: archive zip illisible") and "tronqué" in err
    assert len(err.strip().splitlines()) == 1


def test_special_files_named_zip_are_refused_at_once(tmp_path: Path, capsys, quiet_tmp) -> None:
    fifo = tmp_path / "tube.zip"
    os.mkfifo(fifo)
    code, _, err = verify(capsys, fifo)
    assert code == 2 and "pas un fichier ordinaire" in err
    code, _, err = run(capsys, "check", str(fifo))
    assert code == 2 and "pas un fichier ordinaire" in err


def test_check_refuses_a_bundle_that_does_not_verify(base: bytes, tmp_path: Path, capsys, quiet_tmp) -> None:
    name = "dossier/evidence/lien.txt"
    bad = rewrite(base, tmp_path / "link.zip", add=[(symlink_info(name), b"/etc/passwd")],
                  manifest_edit=lambda m: listed(m, name, b"/etc/passwd"))
    code, out, err = run(capsys, "check", str(bad))
    assert code == 3 and out == "" and "paquet non conforme" in err and "lien.txt" in err and "raccord verify" in err


def test_a_name_verify_would_refuse_is_refused_when_building(tmp_path: Path, capsys) -> None:
    """Audit F14: raccord bundled `dossier\\x.yaml`, then its own verify refused it. Now the build says so."""
    film = tmp_path / "film"
    film.mkdir()
    odd = film / "dos\\sier.yaml"
    odd.write_text("format: raccord.dossier/1\nproduction:\n  id: court\n  title: Un court\n", encoding="utf-8")
    out = tmp_path / "audit.zip"
    code, _, err = run(capsys, "dossier", str(odd), "--out", str(out), "--as-of", AS_OF)
    assert code == 2 and "ne peut pas entrer dans un paquet" in err and "barre oblique inverse" in err
    assert not out.exists()


def test_an_old_format_bundle_verifies_but_is_not_reevaluated(base: bytes, tmp_path: Path, capsys) -> None:
    old = rewrite(base, tmp_path / "old.zip", manifest_edit=lambda m: m.update(format="raccord.bundle/1"))
    code, out, _ = run(capsys, "verify", str(old))
    assert code == 0 and "ancien format raccord.bundle/1" in out and "Paquet conforme" in out
    code, _, err = run(capsys, "check", str(old))
    assert code == 2 and "ne peut pas être réévalué" in err
