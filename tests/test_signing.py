"""Signed bundles: `raccord keys generate`, `raccord dossier … --sign KEY`, `raccord verify BUNDLE --key PUB
[--expect-sha256 HASH]`. Each forgery an auditor must catch is refused in French with exit 3."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

try:  # tests/ may or may not be a package
    from tests.test_html_report import EXAMPLE, run
except ImportError:
    from test_html_report import EXAMPLE, run

AS_OF = "2025-09-01"
EV004 = "dossier/evidence/bilan_carbone_previsionnel.txt"


@pytest.fixture(scope="module")
def signed(tmp_path_factory) -> dict[str, Path]:
    """A producer's key pair, an auditor's unrelated one, and the example's bundle signed by the producer."""
    import sys
    from unittest import mock

    from raccord.cli.main import main

    folder = tmp_path_factory.mktemp("signed")

    def call(*args: str) -> None:
        with mock.patch.object(sys, "argv", ["raccord", *args]):
            try:
                main()
            except SystemExit as exc:
                assert not exc.code
    call("keys", "generate", str(folder / "production"))
    call("keys", "generate", str(folder / "autre"))
    call("dossier", str(EXAMPLE / "dossier.yaml"), "--out", str(folder / "audit.zip"), "--as-of", AS_OF,
         "--sign", str(folder / "production.key"))
    return {"zip": folder / "audit.zip", "key": folder / "production.key", "pub": folder / "production.pub",
            "other": folder / "autre.pub"}


def rewrite(source: Path, target: Path, change) -> Path:
    """Copy a bundle; `change(name, data, entries)` returns the new data (None drops the entry)."""
    with zipfile.ZipFile(source) as src:
        entries = {i.filename: (i, src.read(i.filename)) for i in src.infolist()}
    with zipfile.ZipFile(target, "w") as dst:
        for name, (info, data) in entries.items():
            new = change(name, data)
            if new is not None:
                dst.writestr(info, new)
    return target


def tamper_file_and_manifest(source: Path, target: Path, also_register: bool = False) -> Path:
    """The forgery of the UX test: one evidence file changed and the manifest edited to match it (and,
    with `also_register`, the dossier's registered sha256 too, and the dossier's manifest entry)."""
    with zipfile.ZipFile(source) as zf:
        evidence = zf.read(EV004).replace(b"t", b"T", 1)
        manifest = json.loads(zf.read("manifest.json"))
        dossier = zf.read("dossier/dossier.yaml")
    old_sha, new_sha = hashlib.sha256(zf_read(source, EV004)).hexdigest(), hashlib.sha256(evidence).hexdigest()
    if also_register:
        dossier = dossier.replace(old_sha.encode(), new_sha.encode())
    for entry in manifest["files"]:
        if entry["path"] == EV004:
            entry["sha256"] = new_sha
        if also_register and entry["path"] == "dossier/dossier.yaml":
            entry["sha256"], entry["size"] = hashlib.sha256(dossier).hexdigest(), len(dossier)
    replaced = {EV004: evidence, "manifest.json": json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n",
                "dossier/dossier.yaml": dossier}
    return rewrite(source, target, lambda name, data: replaced.get(name, data))


def zf_read(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def refused(capsys, bundle: Path, *extra: str) -> str:
    code, out, err = run(capsys, "verify", str(bundle), *extra)
    assert code == 3, (code, out, err)
    assert "Paquet NON conforme" in out and "internal error" not in err
    return out


def test_keys_generate_owner_only_and_never_overwrites(tmp_path: Path, capsys) -> None:
    prefix = tmp_path / "auditrice"
    code, out, err = run(capsys, "keys", "generate", str(prefix))
    assert code == 0, err
    key, pub = tmp_path / "auditrice.key", tmp_path / "auditrice.pub"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and b"PRIVATE KEY" in key.read_bytes()
    assert b"PUBLIC KEY" in pub.read_bytes() and b"PRIVATE" not in pub.read_bytes()
    fp = re.search(r"empreinte de la clé : ([0-9a-f ]+)", out).group(1).strip()
    assert len(fp.replace(" ", "")) == 64
    assert run(capsys, "keys", "fingerprint", str(pub))[1].strip() == fp
    before = key.read_bytes(), pub.read_bytes()
    code, _, err = run(capsys, "keys", "generate", str(prefix))
    assert code == 2 and "existe déjà" in err and "jamais écrasée" in err
    assert (key.read_bytes(), pub.read_bytes()) == before
    # only the public half there: still refused, and no lone private key made
    other = tmp_path / "seule"
    (tmp_path / "seule.pub").write_bytes(before[1])
    code, _, err = run(capsys, "keys", "generate", str(other))
    assert code == 2 and not (tmp_path / "seule.key").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_signed_bundle_verifies_with_its_key(signed, capsys) -> None:
    code, out, err = run(capsys, "verify", str(signed["zip"]), "--key", str(signed["pub"]))
    assert code == 0, out + err
    assert "Signature : valide" in out and "celle donnée par --key" in out and "Paquet conforme" in out
    names = zipfile.ZipFile(signed["zip"]).namelist()
    assert "signature.json" in names
    code, out, _ = run(capsys, "verify", str(signed["zip"]), "--format", "json", "--key", str(signed["pub"]))
    result = json.loads(out)
    assert result["ok"] and result["signature"]["state"] == "valid" and result["signature"]["trusted"]


def test_one_byte_changed_in_a_file_is_refused(signed, tmp_path: Path, capsys) -> None:
    bad = rewrite(signed["zip"], tmp_path / "b.zip", lambda n, d: d.replace(b"t", b"T", 1) if n == EV004 else d)
    out = refused(capsys, bad, "--key", str(signed["pub"]))
    assert f"✘ {EV004} : modifié" in out


def test_manifest_edited_to_match_is_refused(signed, tmp_path: Path, capsys) -> None:
    bad = tamper_file_and_manifest(signed["zip"], tmp_path / "forged.zip")
    out = refused(capsys, bad, "--key", str(signed["pub"]))
    assert "signature invalide : le manifeste a été modifié après la signature" in out
    assert "ne correspond pas au registre des preuves du dossier" in out  # the dossier still says the old sha256
    refused(capsys, bad)  # even without --key: the signature it carries no longer matches


def test_forgery_of_an_unsigned_bundle(tmp_path: Path, capsys) -> None:
    """Without a signature, editing file + manifest is caught by the dossier's own register; editing the
    register too is caught only by the expected fingerprint, and `verify` says so."""
    film = tmp_path / "film"
    shutil.copytree(EXAMPLE, film)
    plain = tmp_path / "plain.zip"
    code, out, _ = run(capsys, "dossier", str(film / "dossier.yaml"), "--out", str(plain), "--as-of", AS_OF)
    manifest_sha = re.search(r"empreinte du manifeste \(sha256\) : ([0-9a-f]{64})", out).group(1)
    forged = tamper_file_and_manifest(plain, tmp_path / "f1.zip")
    assert "ne correspond pas au registre" in refused(capsys, forged)
    deeper = tamper_file_and_manifest(plain, tmp_path / "f2.zip", also_register=True)
    code, out, _ = run(capsys, "verify", str(deeper))
    assert code == 0 and "Signature : aucune" in out and "--expect-sha256" in out
    out = refused(capsys, deeper, "--expect-sha256", manifest_sha)
    assert "empreinte différente de celle attendue" in out
    # the right fingerprint, the manifest's or the whole file's, passes
    code, out, _ = run(capsys, "verify", str(plain), "--expect-sha256", manifest_sha)
    assert code == 0 and "empreinte attendue retrouvée (celle du manifeste)" in out
    code, out, _ = run(capsys, "verify", str(plain), "--expect-sha256", hashlib.sha256(plain.read_bytes()).hexdigest().upper())
    assert code == 0 and "(celle du fichier .zip)" in out
    code, _, err = run(capsys, "verify", str(plain), "--expect-sha256", "abc")
    assert code == 2 and "64 chiffres hexadécimaux" in err


def test_signature_removed_is_refused(signed, tmp_path: Path, capsys) -> None:
    bad = rewrite(signed["zip"], tmp_path / "nosig.zip", lambda n, d: None if n == "signature.json" else d)
    out = refused(capsys, bad, "--key", str(signed["pub"]))
    assert "signature absente alors qu'une clé est attendue" in out


def test_another_key_is_refused(signed, tmp_path: Path, capsys) -> None:
    out = refused(capsys, signed["zip"], "--key", str(signed["other"]))
    assert "signé par une autre clé que celle attendue" in out
    # re-signed by a forger with their own key: valid for that key, refused for the producer's
    from raccord.cli.signing import load_private, sign_manifest

    forged = tamper_file_and_manifest(signed["zip"], tmp_path / "f.zip")
    assert run(capsys, "keys", "generate", str(tmp_path / "faussaire"))[0] == 0
    private = load_private(tmp_path / "faussaire.key")
    manifest = zf_read(forged, "manifest.json")
    resigned = rewrite(forged, tmp_path / "resigned.zip",
                       lambda n, d: sign_manifest(private, manifest) if n == "signature.json" else d)
    out = refused(capsys, resigned, "--key", str(signed["pub"]))
    assert "signé par une autre clé" in out


def test_wrong_key_files_are_input_errors(signed, tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "dossier", str(EXAMPLE / "dossier.yaml"), "--out", str(tmp_path / "x.zip"),
                       "--sign", str(signed["pub"]))
    assert code == 2 and "c'est une clé publique" in err and not (tmp_path / "x.zip").exists()
    code, _, err = run(capsys, "verify", str(signed["zip"]), "--key", str(signed["key"]))
    assert code == 2 and "c'est une clé privée" in err
    junk = tmp_path / "junk.pub"
    junk.write_text("pas une clé\n")
    code, _, err = run(capsys, "verify", str(signed["zip"]), "--key", str(junk))
    assert code == 2 and "pas une clé publique PEM lisible" in err
    code, _, err = run(capsys, "verify", str(signed["zip"]), "--key", str(tmp_path / "absente.pub"))
    assert code == 2 and "introuvable" in err


def test_signing_is_reproducible(signed, tmp_path: Path, capsys) -> None:
    again = tmp_path / "again.zip"
    code, _, err = run(capsys, "dossier", str(EXAMPLE / "dossier.yaml"), "--out", str(again), "--as-of", AS_OF,
                       "--sign", str(signed["key"]))
    assert code == 0, err
    assert again.read_bytes() == signed["zip"].read_bytes()  # Ed25519 is deterministic


# --- passphrase-protected keys (RACCORD_KEY_PASSPHRASE, or asked at the terminal) -------------------

SMALL = "format: raccord.dossier/1\nproduction: {id: essai, title: Essai}\nfacts: {work.type: court_metrage}\n"


def test_a_passphrase_protected_key_signs_with_the_passphrase(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("RACCORD_KEY_PASSPHRASE", "trois petits chats")
    code, out, err = run(capsys, "keys", "generate", str(tmp_path / "prod"), "--passphrase")
    assert code == 0 and "chiffrée" in out, err
    key = tmp_path / "prod.key"
    assert b"BEGIN ENCRYPTED PRIVATE KEY" in key.read_bytes() and stat.S_IMODE(key.stat().st_mode) == 0o600
    dossier = tmp_path / "dossier.yaml"
    dossier.write_text(SMALL, encoding="utf-8")
    code, _, err = run(capsys, "dossier", str(dossier), "--out", str(tmp_path / "a.zip"), "--as-of", AS_OF, "--sign", str(key))
    assert code == 0, err
    code, out, err = run(capsys, "verify", str(tmp_path / "a.zip"), "--key", str(tmp_path / "prod.pub"))
    assert code == 0 and "conforme" in out, (out, err)

    monkeypatch.setenv("RACCORD_KEY_PASSPHRASE", "quatre petits chats")
    code, _, err = run(capsys, "dossier", str(dossier), "--out", str(tmp_path / "b.zip"), "--sign", str(key))
    assert code == 2 and err.startswith(f"raccord : erreur : {key}: phrase secrète incorrecte"), err
    monkeypatch.delenv("RACCORD_KEY_PASSPHRASE")
    code, _, err = run(capsys, "dossier", str(dossier), "--out", str(tmp_path / "b.zip"), "--sign", str(key), "--lang", "en")
    assert code == 2 and "no terminal to ask for it" in err and "RACCORD_KEY_PASSPHRASE" in err, err
    assert not (tmp_path / "b.zip").exists() and len(err.splitlines()) == 1


def test_the_passphrase_is_asked_at_the_terminal(tmp_path: Path) -> None:
    """Through the executable with a real terminal (a pty) as standard input: the prompt on stderr,
    the passphrase typed, not echoed."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import time

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = tmp_path / "autre-outil.key"  # encrypted by another tool than raccord
    key.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"s3cret")))
    dossier = tmp_path / "dossier.yaml"
    dossier.write_text(SMALL, encoding="utf-8")
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "RACCORD_KEY_PASSPHRASE"}
    process = subprocess.Popen([sys.executable, "-m", "raccord", "dossier", str(dossier), "--out", str(tmp_path / "a.zip"),
                                "--as-of", AS_OF, "--sign", str(key)], stdin=slave, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, start_new_session=True)
    os.close(slave)
    prompt, deadline = b"", time.monotonic() + 60
    while not prompt.endswith(b": ") and time.monotonic() < deadline:  # getpass writes its space once echo is off
        if select.select([process.stderr], [], [], 1)[0]:
            prompt += os.read(process.stderr.fileno(), 1000)
    assert prompt.decode().startswith(f"Phrase secrète de la clé {key}"), prompt
    os.write(master, b"s3cret\n")
    out, err = process.communicate(timeout=60)
    os.close(master)
    assert process.returncode == 0, err
    assert "signé avec la clé" in out.decode() and b"s3cret" not in out + err
    assert zipfile.ZipFile(tmp_path / "a.zip").read("signature.json")
