"""`raccord verify FILE.zip`: a received audit bundle checked against its manifest, its signature,
an expected fingerprint, and the dossier's own evidence register.

Every problem is a line of the verdict (exit 3), never a crash: a broken zip entry, a manifest that
is not what raccord writes, a name a zip tool would write outside its target, a symlink, a folder
entry. Only a file that is not a zip at all, or has no manifest, is an input error (exit 2).
Nothing is extracted, except by `open_for_check`, into a temporary folder it owns.

Bounds: the manifest is read only up to MAX_MANIFEST bytes; an entry is read only if the manifest
lists it with the size the zip's directory declares, and never beyond that size, so a zip bomb
costs at most what its manifest admits to; entries stream through the hash one chunk at a time.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from raccord.engine import InputError
from raccord.engine.errors import Bilingual

from .bundle_zip import EntryError, digest, entry_kind, file_sha256, open_zip, read_small, unsafe_name
from .i18n import label, words

BUNDLE_FORMAT = "raccord.bundle/2"
OLD_FORMATS = ("raccord.bundle/1",)  # checked against their manifest only (no register to compare)
MANIFEST = "manifest.json"
SIGNATURE = "signature.json"
DOSSIER_DIR = "dossier"
MAX_MANIFEST = 64 * 1024 * 1024
MAX_SIGNATURE = 64 * 1024
MAX_DOSSIER = 5 * 1024 * 1024  # engine/source_files.py MAX_FILE_BYTES
HEX64 = re.compile(r"[0-9a-f]{64}")

WORDS = {
    "bundle_ok": {"fr": "Paquet conforme à son manifeste", "en": "Bundle matches its manifest"},
    "bundle_bad": {"fr": "Paquet NON conforme ({n} problème{s})", "en": "Bundle does NOT verify ({n} problem{s})"},
    "missing": {"fr": "absent du paquet", "en": "missing from the bundle"},
    "extra": {"fr": "en trop (absent du manifeste)", "en": "extra (not in the manifest)"},
    "modified": {"fr": "modifié", "en": "modified"},
    "unsafe": {"fr": "chemin refusé", "en": "unsafe path"},
    "duplicate": {"fr": "entrée en double", "en": "duplicate entry"},
    "symlink": {"fr": "lien symbolique refusé (un outil zip le créerait)", "en": "symlink refused (a zip tool would create it)"},
    "special": {"fr": "fichier spécial refusé (périphérique, tube)", "en": "special file refused (device, pipe)"},
    "directory": {"fr": "entrée de dossier refusée (raccord n'en écrit pas)",
                  "en": "folder entry refused (raccord writes none)"},
    "unreadable": {"fr": "entrée illisible", "en": "unreadable entry"},
    "too_large": {"fr": "trop grand", "en": "too large"},
    "bad_manifest": {"fr": "manifeste invalide", "en": "invalid manifest"},
    "register_mismatch": {"fr": "ne correspond pas au registre des preuves du dossier",
                          "en": "does not match the dossier's evidence register"},
    "register_missing": {"fr": "preuve du registre absente du manifeste", "en": "register item missing from the manifest"},
    "not_in_register": {"fr": "preuve absente du registre du dossier", "en": "evidence not in the dossier's register"},
    "declared_problem": {"fr": "preuve signalée non intacte à la construction du paquet",
                         "en": "evidence reported not intact when the bundle was built"},
    "register_unreadable": {"fr": "registre des preuves illisible", "en": "unreadable evidence register"},
    "signature_missing": {"fr": "signature absente alors qu'une clé est attendue (--key)",
                          "en": "no signature although a key is expected (--key)"},
    "signature_invalid": {"fr": "signature invalide : le manifeste a été modifié après la signature",
                          "en": "invalid signature: the manifest was changed after signing"},
    "signature_unreadable": {"fr": "signature illisible", "en": "unreadable signature"},
    "wrong_key": {"fr": "signé par une autre clé que celle attendue", "en": "signed by another key than the expected one"},
    "expected_hash": {"fr": "empreinte différente de celle attendue (--expect-sha256)",
                      "en": "fingerprint differs from the expected one (--expect-sha256)"},
    "manifest": {"fr": "empreinte du manifeste", "en": "manifest fingerprint"},
    "files": {"fr": "fichiers au manifeste", "en": "files in the manifest"},
    "signature": {"fr": "Signature", "en": "Signature"},
    "sig_valid_trusted": {"fr": "valide, clé {fp} (celle donnée par --key)", "en": "valid, key {fp} (the one given with --key)"},
    "sig_valid_untrusted": {"fr": "valide, clé {fp} — non authentifiée : passez --key CLÉ.pub pour vérifier "
                                  "l'auteur",
                            "en": "valid, key {fp} — not authenticated: pass --key KEY.pub to check the author"},
    "sig_absent": {"fr": "aucune — un manifeste modifié pour correspondre ne se détecte qu'avec une signature "
                         "(--key) ou l'empreinte attendue (--expect-sha256)",
                   "en": "none — a manifest edited to match is detected only with a signature (--key) or the "
                         "expected fingerprint (--expect-sha256)"},
    "sig_bad": {"fr": "refusée", "en": "refused"},
    "expected_ok": {"fr": "empreinte attendue retrouvée ({what})", "en": "expected fingerprint found ({what})"},
    "of_manifest": {"fr": "celle du manifeste", "en": "the manifest's"},
    "of_zip": {"fr": "celle du fichier .zip", "en": "the .zip file's"},
    "old_format": {"fr": "ancien format {format} : le registre des preuves n'est pas recoupé",
                   "en": "old format {format}: the evidence register is not cross-checked"},
}

_w = words(WORDS)


class _Problems(list):
    def add(self, path: str, state: str, detail: Bilingual | str | None = None) -> None:
        entry: dict[str, Any] = {"path": path, "state": state}
        if detail:
            entry["detail"] = detail.fr if isinstance(detail, Bilingual) else detail
            if isinstance(detail, Bilingual):
                entry["detail_en"] = detail.en
        self.append(entry)


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def parse_manifest(raw: bytes) -> dict[str, Any]:
    """The manifest as raccord writes it, or ValueError saying where it is not."""
    try:
        manifest = json.loads(raw.decode("utf-8"), object_pairs_hook=_refuse_duplicate_keys)
    except RecursionError:
        raise ValueError("JSON imbriqué trop profondément") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"pas du texte UTF-8 (octet {exc.start})") from None
    if not isinstance(manifest, dict):
        raise ValueError("un objet JSON est attendu")
    fmt = manifest.get("format")
    if fmt != BUNDLE_FORMAT and fmt not in OLD_FORMATS:
        raise ValueError(f"format inconnu {str(fmt)[:60]!r} (attendu : {BUNDLE_FORMAT})")
    for key in ("as_of", "raccord_version"):
        if not isinstance(manifest.get(key), str | None):
            raise ValueError(f"« {key} » : texte attendu")
    if not isinstance(manifest.get("dossier", {}), dict):
        raise ValueError("« dossier » : objet attendu")
    portfolio = manifest.get("portfolio", [])
    if not isinstance(portfolio, list) or not all(isinstance(member, str) for member in portfolio):
        raise ValueError("« portfolio » : liste de chemins attendue")
    files = manifest.get("files")
    if not isinstance(files, list):
        raise ValueError("« files » : liste attendue")
    seen: set[str] = set()
    for i, entry in enumerate(files):
        if not isinstance(entry, dict):
            raise ValueError(f"files[{i}] : objet attendu")
        path, sha, size = entry.get("path"), entry.get("sha256"), entry.get("size")
        if not isinstance(path, str) or not path:
            raise ValueError(f"files[{i}].path : chemin (texte) attendu, trouvé {json.dumps(path)[:40]}")
        if not isinstance(sha, str) or not HEX64.fullmatch(sha):
            raise ValueError(f"files[{i}].sha256 : 64 chiffres hexadécimaux attendus")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError(f"files[{i}].size : nombre entier positif attendu")
        if path in seen or path in (MANIFEST, SIGNATURE):
            raise ValueError(f"files[{i}].path : « {path[:80]} » listé deux fois ou réservé")
        seen.add(path)
        if not isinstance(entry.get("evidence", []), list):
            raise ValueError(f"files[{i}].evidence : liste attendue")
    return manifest


def _parse_register(raw: bytes, name: str) -> list[dict[str, Any]]:
    """The evidence items of the bundled dossier (YAML or JSON, read by the engine's bounded loaders)."""
    from raccord.engine.source_files import parse_json, parse_yaml

    text = raw.decode("utf-8")
    located = parse_json(text, name) if name.lower().endswith(".json") else parse_yaml(text, name)
    data = located.data if isinstance(located.data, dict) else {}
    items = data.get("evidence") or []
    if not isinstance(items, list):
        raise ValueError("« evidence » n'est pas une liste")
    return [item for item in items if isinstance(item, dict)]


def _cross_check_register(manifest: dict[str, Any], registers: dict[str, bytes | None], problems: _Problems) -> None:
    """The manifest against the registers of the bundled dossiers (the dossier, and the portfolio
    members it names): every registered file is in the manifest with the registered sha256, and the
    manifest holds no evidence that no register names."""
    from .commands_bundle import entry_for

    dossier_entry = str(manifest.get("dossier", {}).get("file") or "")
    listed = {f["path"]: f for f in manifest["files"]}
    named: set[str] = set()
    for register_entry, raw in registers.items():
        if raw is None:
            return  # its absence or damage is already a problem
        try:
            items = _parse_register(raw, register_entry)
        except (InputError, ValueError, UnicodeDecodeError) as exc:
            problems.add(register_entry, "register_unreadable", str(exc)[:300])
            return
        mine = None if register_entry == dossier_entry else register_entry  # the `dossier` a member's rows name
        folder = posixpath.dirname(register_entry)
        declared_missing = {str(m.get("evidence_id")) for m in manifest.get("missing_evidence", [])
                            if isinstance(m, dict) and m.get("dossier") == mine}
        for item in items:
            eid, path, sha = str(item.get("id")), item.get("path"), item.get("sha256")
            if path is None and item.get("url"):
                path = item.get("copy")  # an online item's saved copy travels and is checked like a file
            if not isinstance(path, str):
                continue  # a URL item without a saved copy, or no file
            try:
                entry = entry_for(path, folder)
            except ValueError as exc:
                problems.add(f"{register_entry}: {eid}", "register_mismatch", str(exc))
                continue
            named.add(entry)
            found = listed.get(entry)
            if found is None:
                if eid in declared_missing:
                    problems.add(entry, "declared_problem", Bilingual(f"{eid} : fichier absent", f"{eid}: missing file"))
                else:
                    problems.add(entry, "register_missing", Bilingual(f"{eid} : {path}", f"{eid}: {path}"))
                continue
            declared = [e for e in found.get("evidence", []) if isinstance(e, dict) and e.get("id") == eid
                        and e.get("dossier") == mine and e.get("problem")]
            if declared:
                state = declared[0]["problem"]
                problems.add(entry, "declared_problem", Bilingual(f"{eid} : {state}", f"{eid}: {state}"))
            elif isinstance(sha, str) and sha.lower() != found["sha256"]:
                problems.add(entry, "register_mismatch",
                             Bilingual(f"{eid} : le dossier enregistre {sha[:12]}…, le manifeste {found['sha256'][:12]}…",
                                       f"{eid}: the dossier registers {sha[:12]}…, the manifest {found['sha256'][:12]}…"))
    for entry in sorted(listed):
        if listed[entry].get("role") == "evidence" and entry not in named:
            problems.add(entry, "not_in_register")


def _expected(expect: str, manifest_sha: str, path: Path) -> str | None:
    """Which fingerprint matched `--expect-sha256` (the manifest's, as `raccord dossier` prints it,
    or the whole file's, as `sha256sum` prints it), or None."""
    if expect == manifest_sha:
        return "of_manifest"
    return "of_zip" if file_sha256(path) == expect else None


def verify_bundle(path: Path, key: Path | None = None, expect: str | None = None,
                  extract_to: Path | None = None) -> dict[str, Any]:
    """The verdict on a received bundle. With `extract_to`, the entries under `dossier/` are copied
    there as they are verified (what `raccord check FILE.zip` evaluates)."""
    trusted = None
    if key is not None:
        from .signing import load_public

        trusted = load_public(key)
    if expect is not None:
        expect = expect.strip().lower()
        if not HEX64.fullmatch(expect):
            raise InputError("--expect-sha256", Bilingual("une empreinte sha256 a 64 chiffres hexadécimaux",
                                                          "a sha256 fingerprint has 64 hexadecimal digits"))
    with open_zip(path) as zf:
        return _verify_open(zf, path, trusted, expect, extract_to)


def _verify_open(zf: zipfile.ZipFile, path: Path, trusted, expect: str | None, extract_to: Path | None) -> dict[str, Any]:
    infos = zf.infolist()
    problems = _Problems()
    by_name: dict[str, zipfile.ZipInfo] = {}
    refused: set[str] = set()
    for info in infos:
        name = info.filename
        if name in by_name:
            problems.add(name, "duplicate")
            refused.add(name)
        by_name[name] = info
        why = unsafe_name(name)
        kind = entry_kind(info)
        if why is not None:
            problems.add(name, "unsafe", why)
            refused.add(name)
        elif kind != "file":
            problems.add(name, kind)
            refused.add(name)
    if MANIFEST not in by_name:
        raise InputError(str(path), Bilingual("pas de manifest.json : ce n'est pas un paquet d'audit raccord",
                                              "no manifest.json: not a raccord audit bundle"))
    result: dict[str, Any] = {"format": "raccord.bundle-check/1", "bundle": str(path), "manifest_sha256": None,
                              "as_of": None, "dossier": {}, "files": 0, "ok": False, "problems": problems}
    try:
        raw = read_small(zf, by_name[MANIFEST], MAX_MANIFEST)
        result["manifest_sha256"] = hashlib.sha256(raw).hexdigest()
        manifest = parse_manifest(raw)
    except EntryError as exc:
        problems.add(MANIFEST, exc.state, exc.detail)
        return result
    except ValueError as exc:
        problems.add(MANIFEST, "bad_manifest", str(exc)[:300])
        return result
    result.update(as_of=manifest.get("as_of"), dossier=manifest.get("dossier", {}), files=len(manifest["files"]),
                  format_of_bundle=manifest["format"])
    _signature(zf, by_name, raw, trusted, problems, result)
    if expect is not None:
        which = _expected(expect, result["manifest_sha256"], path)
        result["expected"] = which
        if which is None:
            problems.add(str(path), "expected_hash", Bilingual(f"attendue {expect[:16]}…", f"expected {expect[:16]}…"))
    listed = {f["path"]: f for f in manifest["files"]}
    dossier_entry = str(result["dossier"].get("file") or "")
    # the dossier and its portfolio members: their registers are read to cross-check the manifest
    members = [m for m in manifest.get("portfolio", []) if m in listed]
    registers: dict[str, bytes | None] = {name: None for name in (dossier_entry, *members)}
    for name in sorted(listed):
        entry = listed[name]
        info = by_name.get(name)
        if info is None:
            problems.add(name, "missing")
            continue
        if name in refused:
            continue
        if info.file_size != entry["size"]:  # a bomb or a swap: refused before reading a byte
            problems.add(name, "modified", Bilingual(f"taille {info.file_size} au lieu de {entry['size']} (manifeste)",
                                                     f"size {info.file_size} instead of {entry['size']} (manifest)"))
            continue
        try:
            if name in registers and entry["size"] <= MAX_DOSSIER:
                registers[name] = read_small(zf, info, MAX_DOSSIER)
                sha, size = hashlib_sha(registers[name]), len(registers[name])
                _copy_bytes(extract_to, name, registers[name])
            else:
                sha, size = _digest_to(zf, info, extract_to, name)
        except EntryError as exc:
            problems.add(name, exc.state, exc.detail)
            if name in registers:
                registers[name] = None
            continue
        if sha != entry["sha256"] or size != entry["size"]:
            problems.add(name, "modified", Bilingual(f"sha256 {sha[:12]}… taille {size}, manifeste {entry['sha256'][:12]}… "
                                                     f"taille {entry['size']}",
                                                     f"sha256 {sha[:12]}… size {size}, manifest {entry['sha256'][:12]}… "
                                                     f"size {entry['size']}"))
            if name in registers:
                registers[name] = None
    for name in sorted(set(by_name) - set(listed) - {MANIFEST, SIGNATURE} - refused):
        problems.add(name, "extra")
    if manifest["format"] == BUNDLE_FORMAT:
        _cross_check_register(manifest, registers, problems)
    else:
        result["note"] = _w("old_format", "fr", format=manifest["format"])
    result["ok"] = not problems
    return result


def hashlib_sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _target(extract_to: Path | None, name: str) -> Path | None:
    if extract_to is None or not name.startswith(DOSSIER_DIR + "/"):
        return None
    target = extract_to.joinpath(*posixpath.normpath(name).split("/"))  # names were checked by unsafe_name
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _copy_bytes(extract_to: Path | None, name: str, data: bytes) -> None:
    target = _target(extract_to, name)
    if target is not None:
        target.write_bytes(data)


def _digest_to(zf: zipfile.ZipFile, info: zipfile.ZipInfo, extract_to: Path | None, name: str) -> tuple[str, int]:
    target = _target(extract_to, name)
    if target is None:
        return digest(zf, info)
    with open(target, "wb") as handle:
        return digest(zf, info, handle)


def _signature(zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], manifest_raw: bytes, trusted,
               problems: _Problems, result: dict[str, Any]) -> None:
    info = by_name.get(SIGNATURE)
    if info is None:
        result["signature"] = {"state": "absent"}
        if trusted is not None:
            problems.add(SIGNATURE, "signature_missing")
        return
    from .signing import check_signature

    try:
        raw = read_small(zf, info, MAX_SIGNATURE)
    except EntryError as exc:
        result["signature"] = {"state": "unreadable"}
        problems.add(SIGNATURE, exc.state, exc.detail)
        return
    state = check_signature(raw, manifest_raw, trusted)
    result["signature"] = state
    if state["state"] == "wrong_key":
        found, wanted = state["fingerprint"][:16], state["expected_fingerprint"][:16]
        problems.add(SIGNATURE, "wrong_key", Bilingual(f"clé {found}…, attendue {wanted}…", f"key {found}…, expected {wanted}…"))
    elif state["state"] != "valid":
        problems.add(SIGNATURE, f"signature_{state['state']}", state.get("detail"))


def render(result: dict[str, Any], lang: str) -> str:
    from .signing import spaced

    dossier = result["dossier"] if isinstance(result.get("dossier"), dict) else {}
    out = [f"raccord — {dossier.get('title', '?')} ({dossier.get('id', '?')}) — {label('as_of', lang)}{result['as_of'] or '?'}",
           f"{result['bundle']} : {result['files']} {_w('files', lang)}, "
           f"{_w('manifest', lang)} {result['manifest_sha256'] or '?'}"]
    sig = result.get("signature")
    if sig:
        state = sig["state"]
        if state == "valid":
            text = _w("sig_valid_trusted" if sig.get("trusted") else "sig_valid_untrusted", lang, fp=spaced(sig["fingerprint"]))
        elif state == "absent":
            text = _w("sig_absent", lang)
        else:
            text = _w("sig_bad", lang)
        out.append(f"{label_of('signature', lang)}{text}")
    if result.get("expected"):
        out.append(_w("expected_ok", lang, what=_w(result["expected"], lang)))
    if result.get("note"):
        out.append(result["note"])
    for problem in result["problems"]:
        detail = problem.get("detail_en") if lang == "en" and problem.get("detail_en") else problem.get("detail")
        out.append(f"✘ {problem['path']} : {_w(problem['state'], lang)}" + (f" ({detail})" if detail else ""))
    n = len(result["problems"])
    out.append(_w("bundle_ok", lang) if result["ok"] else _w("bundle_bad", lang, n=n, s="s" if n > 1 else ""))
    return "\n".join(out) + "\n"


def label_of(key: str, lang: str) -> str:
    return _w(key, lang) + (" : " if lang == "fr" else ": ")


def open_for_check(path: Path) -> tuple[tempfile.TemporaryDirectory, dict[str, Any], dict[str, Any]]:
    """Verify a bundle and copy its `dossier/` folder into a new temporary folder (removed when the
    returned object is cleaned up or the process ends). Refuses a bundle that does not verify."""
    tmp = tempfile.TemporaryDirectory(prefix="raccord-bundle-")
    try:
        result = verify_bundle(path, extract_to=Path(tmp.name))
        # evidence reported missing or modified when it was built is part of the evaluation, not a fault
        faults = [p for p in result["problems"] if p["state"] != "declared_problem"]
        if faults:
            first, n = faults[0], len(faults)
            raise BundleRefusedError(str(path), Bilingual(
                f"paquet non conforme ({n} problème{'s' if n > 1 else ''}, dont {first['path']} : "
                f"{_w(first['state'], 'fr')}) : il n'est pas évalué",
                f"bundle does not verify ({n} problem{'s' if n > 1 else ''}, e.g. {first['path']}: "
                f"{_w(first['state'], 'en')}): not evaluated"),
                Bilingual(f"`raccord verify {path}` détaille les problèmes", f"`raccord verify {path}` lists them"))
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read(MANIFEST))
        if manifest["format"] != BUNDLE_FORMAT:  # raccord.bundle/1 kept evidence outside dossier/
            raise InputError(str(path), Bilingual(f"paquet au format {manifest['format']} : il ne peut pas être "
                                                  "réévalué (ses preuves ne sont pas là où le dossier les cherche)",
                                                  f"bundle in format {manifest['format']}: it cannot be re-evaluated "
                                                  "(its evidence is not where the dossier looks for it)"),
                             Bilingual("`raccord verify` le vérifie toujours ; demandez un paquet refait avec cette version",
                                       "`raccord verify` still checks it; ask for a bundle built with this version"))
    except BaseException:
        tmp.cleanup()
        raise
    return tmp, result, manifest


class BundleRefusedError(InputError):
    """A bundle that does not verify, given to a command that evaluates it: exit 3, like `verify`."""

    exit_code = 3


def paths_in_bundle(doc: dict[str, Any], dossier_entry: str) -> None:
    """A result document's file paths as the bundle's entries (the same on every machine): the
    dossier's, and the auditor's file beside it."""
    doc["dossier"]["path"] = dossier_entry
    review = doc.get("review")
    if isinstance(review, dict) and review.get("file"):
        review["file"] = posixpath.join(posixpath.dirname(dossier_entry), Path(review["file"]).name)


_OPEN: list[tempfile.TemporaryDirectory] = []  # kept until the process ends (reports read evidence late)


def opened_bundle(path: Path) -> dict[str, Any]:
    """For `raccord check FILE.zip` (cli/context.py): the verified bundle's dossier in a temporary
    folder, the date and selection it was evaluated with, and the fields describing the bundle.
    A bundle that does not verify stops the command with exit 3, like `raccord verify`."""
    import click

    try:
        tmp, result, manifest = open_for_check(path)
    except BundleRefusedError as exc:
        from .language import current_lang
        from .main import error_line

        click.echo(error_line(exc, current_lang()), err=True)
        raise SystemExit(BundleRefusedError.exit_code) from None
    _OPEN.append(tmp)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:  # removed as soon as the command is done, not only at exit
        ctx.call_on_close(tmp.cleanup)
    entry = str(manifest["dossier"]["file"])
    return {
        "dossier": str(Path(tmp.name).joinpath(*entry.split("/"))),
        "as_of": manifest.get("as_of"),
        "selection": tuple(s for s in manifest.get("selection", []) if isinstance(s, str)),
        "rulesets": {r.get("id"): r.get("version") for r in manifest.get("rulesets", []) if isinstance(r, dict)},
        "path": entry,
        "fields": {"file": str(path), "format": manifest["format"], "manifest_sha256": result["manifest_sha256"],
                   "as_of": manifest.get("as_of"), "raccord_version": manifest.get("raccord_version"),
                   "signature": result.get("signature", {}).get("state", "absent")},
    }
