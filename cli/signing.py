"""Ed25519 keys and the bundle's signature (the `cryptography` library).

Files:
  NAME.key   the private key, PEM PKCS#8, created with mode 0600 and never over an existing file
             (written to a temporary name, then hard-linked: the link fails if the target exists);
             unencrypted, or encrypted with a passphrase (`keys generate --passphrase`, or any PKCS#8
             key encrypted by another tool): the passphrase is read from RACCORD_KEY_PASSPHRASE,
             else asked at the terminal, never from a command-line argument (`ps` would show it)
  NAME.pub   the public key, PEM SubjectPublicKeyInfo, to hand to whoever verifies

The signature (`signature.json` in the bundle) is over the manifest's exact bytes, prefixed with a
context string so that a signature made for something else can never pass for a bundle's:
  {"format": "raccord.signature/1", "algorithm": "ed25519", "signed_entry": "manifest.json",
   "manifest_sha256": HEX, "public_key": BASE64 (32 raw bytes), "key_fingerprint": HEX,
   "signature": BASE64 (64 bytes)}
The manifest lists every other entry with its sha256, so the signature covers the whole bundle.
A key's fingerprint is the sha256 of its 32 raw public bytes (what a verifier compares by phone).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from raccord.engine import InputError
from raccord.engine.errors import Bilingual

SIGNATURE_FORMAT = "raccord.signature/1"
SIGNATURE_ENTRY = "signature.json"
CONTEXT = b"raccord.signature/1 manifest.json\n"
MAX_KEY_BYTES = 16 * 1024


def fingerprint(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def spaced(fp: str, groups: int = 8) -> str:
    """The first groups of a fingerprint, four hex digits each, for reading aloud."""
    return " ".join(fp[i:i + 4] for i in range(0, groups * 4, 4))


def _create_exclusive(path: Path, data: bytes, mode: int) -> None:
    """Write `path` with `mode`, never replacing anything: a temporary file in the same folder is
    written, flushed and then hard-linked to the target name (link() fails if the name exists)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)  # the umask cannot widen it, but a loose one could narrow it oddly
        os.write(fd, data)
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.link(tmp, path)
    finally:
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)


PASSPHRASE_ENV = "RACCORD_KEY_PASSPHRASE"


def passphrase(path: Path, confirm: bool = False) -> bytes:
    """The passphrase of the key at `path`: RACCORD_KEY_PASSPHRASE when set, else asked at the
    terminal (not echoed); a located error when there is neither (a script, a pipe)."""
    import sys

    import click

    from .language import current_lang

    given = os.environ.get(PASSPHRASE_ENV)
    if given is None:
        if not sys.stdin.isatty():
            raise InputError(str(path), Bilingual("clé protégée par une phrase secrète, et aucun terminal pour la demander",
                                                  "passphrase-protected key, and no terminal to ask for it"),
                             Bilingual(f"donnez-la dans la variable d'environnement {PASSPHRASE_ENV}",
                                       f"give it in the environment variable {PASSPHRASE_ENV}"))
        fr = current_lang() == "fr"
        given = click.prompt(f"Phrase secrète de la clé {path}" if fr else f"Passphrase of the key {path}",
                             hide_input=True, confirmation_prompt=confirm, err=True)
    if not given:
        raise InputError(str(path), Bilingual("phrase secrète vide", "empty passphrase"))
    return given.encode("utf-8")


def generate(prefix: Path, protect: bool = False) -> tuple[Path, Path, str]:
    """Create PREFIX.key (0600, encrypted with a passphrase when `protect`) and PREFIX.pub; refuses
    if either exists. Returns both paths and the fingerprint."""
    key_path, pub_path = prefix.with_name(prefix.name + ".key"), prefix.with_name(prefix.name + ".pub")
    for path in (key_path, pub_path):
        if os.path.lexists(path):
            raise InputError(str(path), Bilingual("ce fichier existe déjà : une clé n'est jamais écrasée",
                                                  "this file exists already: a key is never overwritten"),
                             Bilingual("choisissez un autre nom ou déplacez l'ancienne clé",
                                       "choose another name or move the old key away"))
    encryption = serialization.BestAvailableEncryption(passphrase(key_path, confirm=True)) if protect \
        else serialization.NoEncryption()
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    pub = private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        _create_exclusive(key_path, pem, 0o600)
        try:
            _create_exclusive(pub_path, pub, 0o644)
        except OSError:
            key_path.unlink(missing_ok=True)  # we just made it: no half pair left behind
            raise
    except FileExistsError:
        raise InputError(str(prefix), Bilingual("une clé de ce nom vient d'apparaître : rien n'a été écrasé",
                                                "a key of this name just appeared: nothing was overwritten")) from None
    except OSError as exc:
        raise InputError(str(prefix), Bilingual(f"impossible d'écrire la clé ({exc.strerror})",
                                                f"cannot write the key ({exc.strerror})")) from None
    return key_path, pub_path, fingerprint(private.public_key())


def _read_key_file(path: Path) -> bytes:
    try:
        # Opened without blocking, then checked: a named pipe would wait for a writer forever.
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise InputError(str(path), Bilingual("ce n'est pas un fichier ordinaire", "not a regular file"))
            data = handle.read(MAX_KEY_BYTES + 1)
    except FileNotFoundError:
        raise InputError(str(path), Bilingual("fichier de clé introuvable", "key file not found"),
                         Bilingual("`raccord keys generate NOM` crée une paire de clés",
                                   "`raccord keys generate NAME` creates a key pair")) from None
    except OSError as exc:
        raise InputError(str(path), Bilingual(f"lecture impossible ({exc.strerror})", f"cannot read ({exc.strerror})")) from None
    if len(data) > MAX_KEY_BYTES:
        raise InputError(str(path), Bilingual("trop grand pour une clé", "too large for a key"))
    return data


def load_private(path: Path) -> Ed25519PrivateKey:
    data = _read_key_file(path)
    if b"PUBLIC KEY" in data:
        raise InputError(str(path), Bilingual("c'est une clé publique : --sign demande la clé privée (.key)",
                                              "this is a public key: --sign needs the private key (.key)"))
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:  # encrypted: its passphrase is needed
        key = _decrypt(path, data)
    except (ValueError, UnsupportedAlgorithm):
        raise _unreadable_private(path) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(str(path), Bilingual("clé d'un autre type : raccord signe en Ed25519",
                                              "another type of key: raccord signs with Ed25519"))
    return key


def _decrypt(path: Path, data: bytes) -> object:
    try:
        return serialization.load_pem_private_key(data, password=passphrase(path))
    except ValueError:  # cryptography: "Bad decrypt. Incorrect password?"
        raise InputError(str(path), Bilingual("phrase secrète incorrecte pour cette clé", "wrong passphrase for this key"),
                         Bilingual(f"vérifiez {PASSPHRASE_ENV} ou la saisie",
                                   f"check {PASSPHRASE_ENV} or what was typed")) from None
    except (TypeError, UnsupportedAlgorithm):
        raise _unreadable_private(path) from None


def _unreadable_private(path: Path) -> InputError:
    return InputError(str(path), Bilingual("pas une clé privée PEM lisible", "not a readable PEM private key"),
                      Bilingual("`raccord keys generate NOM` crée une paire de clés",
                                "`raccord keys generate NAME` creates a key pair"))


def load_public(path: Path) -> Ed25519PublicKey:
    data = _read_key_file(path)
    if b"PRIVATE KEY" in data:
        raise InputError(str(path), Bilingual("c'est une clé privée : --key demande la clé publique (.pub), "
                                              "qui seule doit circuler",
                                              "this is a private key: --key needs the public key (.pub), "
                                              "the only one to hand around"))
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise InputError(str(path), Bilingual("pas une clé publique PEM lisible", "not a readable PEM public key")) from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(str(path), Bilingual("clé d'un autre type : raccord vérifie des signatures Ed25519",
                                              "another type of key: raccord verifies Ed25519 signatures"))
    return key


def loose_permissions(path: Path) -> bool:
    """A private key readable by the group or others (worth a warning)."""
    try:
        return bool(os.stat(path).st_mode & 0o077)
    except OSError:
        return False


def sign_manifest(private: Ed25519PrivateKey, manifest: bytes) -> bytes:
    public = private.public_key()
    document = {
        "format": SIGNATURE_FORMAT,
        "algorithm": "ed25519",
        "signed_entry": "manifest.json",
        "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
        "public_key": base64.b64encode(public.public_bytes(serialization.Encoding.Raw,
                                                           serialization.PublicFormat.Raw)).decode("ascii"),
        "key_fingerprint": fingerprint(public),
        "signature": base64.b64encode(private.sign(CONTEXT + manifest)).decode("ascii"),
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def check_signature(raw: bytes, manifest: bytes, trusted: Ed25519PublicKey | None) -> dict[str, Any]:
    """{state, fingerprint?, detail?}: state is `valid` (by the trusted key, or by the key it names
    when none is given), `invalid`, `wrong_key` or `unreadable`."""
    try:
        document = json.loads(raw)
        if not isinstance(document, dict) or document.get("format") != SIGNATURE_FORMAT \
                or document.get("algorithm") != "ed25519":
            raise ValueError("not a raccord.signature/1 ed25519 document")
        public_raw = base64.b64decode(str(document["public_key"]), validate=True)
        signature = base64.b64decode(str(document["signature"]), validate=True)
        public = Ed25519PublicKey.from_public_bytes(public_raw)
    except (ValueError, KeyError, TypeError, RecursionError, binascii.Error, UnsupportedAlgorithm) as exc:
        return {"state": "unreadable", "detail": str(exc)[:200]}
    found = fingerprint(public)
    if trusted is not None and found != fingerprint(trusted):
        return {"state": "wrong_key", "fingerprint": found, "expected_fingerprint": fingerprint(trusted)}
    try:
        public.verify(signature, CONTEXT + manifest)
    except InvalidSignature:
        return {"state": "invalid", "fingerprint": found}
    return {"state": "valid", "fingerprint": found, "trusted": trusted is not None}
