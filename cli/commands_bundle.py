"""`raccord dossier DOSSIER --out FILE.zip [--sign KEY]`: the audit bundle, and checking a received one.

Bundle layout (format raccord.bundle/2; every path below is a zip entry):
  index.html                  the report (French by default), evidence links relative to the bundle
  rapport.pdf                 with --pdf: the same report laid out for print (cli/render_pdf.py)
  evaluation.json             the result document (raccord.result/1)
  manifest.json               every other entry with its sha256, size and role, and for evidence the
                              items it is registered as; the evaluation date and how it was chosen
  signature.json              optional: an Ed25519 signature of manifest.json (cli/signing.py)
  dossier/<dossier file>      the dossier, byte for byte as evaluated
  dossier/<auditor's file>    the auditor's review file beside it, when there is one
  dossier/<evidence path>     each registered file at the path the dossier gives it, and the saved
                              copy of an online item (`copy:`) at its path (manifest row `copy_of`: the URL)
  dossier/<portfolio entry>   each dossier its `portfolio:` names (inside its folder), with its own
                              evidence files beside it (role portfolio_member; listed in the
                              manifest's `portfolio`, their evidence rows naming their `dossier`)

The `dossier/` folder is the dossier folder again: unzipped, `raccord check dossier/<file>` finds
every file where the dossier says it is and gives the same result; `raccord check FILE.zip` does the
same in a temporary folder after verifying the bundle.

Reproducible: the same inputs give the same bytes. Entries are sorted, timestamps fixed
(1980-01-01 00:00), permissions fixed (0644), no compression (ZIP_STORED: deflate output differs
between zlib builds, e.g. zlib-ng, and evidence is mostly PDF/JPEG, compressed already), and
nothing depends on the clock except a default `--as-of`, which is recorded in the manifest.
Ed25519 signatures are deterministic too.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from pathlib import Path
from typing import Any, NamedTuple

import click

from raccord import __version__
from raccord.engine import InputError
from raccord.engine.dossier import confined_relative_path
from raccord.engine.errors import Bilingual

from .bundle_check import BUNDLE_FORMAT, DOSSIER_DIR, MANIFEST, paths_in_bundle, verify_bundle
from .bundle_check import render as render_bundle_check
from .bundle_zip import unsafe_name
from .commands_evidence import expected_kinds
from .context import common_as_of, common_lang, common_rulesets, document, library_from, library_options, run_evaluation
from .integrity import MISSING_FILE, MODIFIED, OUTSIDE_DOSSIER, check_files, file_of
from .integrity import WORDS as STATE_WORDS
from .language import bi
from .output import write_atomic_with
from .render_html import evidence_register, href_for, render_report

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
AUDIT_SUFFIX = ".audit.yaml"  # the auditor's file beside the dossier (helper "evidence", review-api)

__all__ = ["build_bundle", "is_bundle", "render_bundle_check", "verify_bundle", "zip_bytes_to"]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileEntry(NamedTuple):
    """An entry copied from a file as the zip is written, in chunks (an evidence file of 1.5 GiB is
    never held in memory), with the sha256 and size the integrity check found: the manifest lists
    them, and the copy is hashed again as it streams to prove it is the file that was checked."""

    path: Path
    sha256: str
    size: int


Entry = bytes | FileEntry


def _size(entry: Entry) -> int:
    return entry.size if isinstance(entry, FileEntry) else len(entry)


def _entry_sha(entry: Entry) -> str:
    return entry.sha256 if isinstance(entry, FileEntry) else _sha(entry)


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def entry_for(relative: str, folder: str = DOSSIER_DIR) -> str:
    """The zip entry of a path a dossier names relative to its folder, `folder` the entry of that
    folder (`dossier/`, or a portfolio member's folder below it); normalised: `a/./b` and `a/x/../b`
    are `a/b`, which is what the unzipped folder resolves them to."""
    return f"{folder}/{posixpath.normpath(confined_relative_path(relative).as_posix())}"


def audit_file_of(dossier_path: Path) -> Path | None:
    """The auditor's review file beside the dossier, if there is one (`dossier.audit.yaml` for
    `dossier.yaml`)."""
    try:
        from raccord.engine.review import audit_path  # helper "evidence" (notes/review-api.md)
    except ImportError:
        candidate = dossier_path.with_name(dossier_path.stem + AUDIT_SUFFIX)
    else:
        candidate = audit_path(dossier_path)
    return candidate if candidate.is_file() else None


def _refuse_unsafe(name: str, where: str) -> None:
    why = unsafe_name(name)
    if why is not None:
        raise InputError(where, Bilingual(f"le nom « {name} » ne peut pas entrer dans un paquet : {why.fr}",
                                          f"the name '{name}' cannot go into a bundle: {why.en}"),
                         Bilingual("renommez le fichier", "rename the file"))


def build_bundle(library, dossier_path: str, as_of: str | None, lang: str, rulesets: tuple[str, ...],
                 allow_problems: bool = False, pdf: bool = False) -> tuple[dict[str, Entry], dict[str, Any]]:
    """Every entry of the bundle (path -> bytes, or the evidence file to copy) and the manifest; with
    `pdf`, the report as `rapport.pdf` too (cli/render_pdf.py: the same bytes for the same report)."""
    evaluation = run_evaluation(library, dossier_path, as_of, rulesets)
    dossier = evaluation.dossier
    checks = _checked_files(dossier, allow_problems)

    dossier_file = Path(dossier.path) if dossier.path else Path("dossier.yaml")
    dossier_entry = f"{DOSSIER_DIR}/{dossier_file.name}"
    _refuse_unsafe(dossier_entry, str(dossier_file))
    dossier_bytes = dossier_file.read_bytes() if dossier.path else b""
    doc = document(evaluation)
    paths_in_bundle(doc, dossier_entry)  # not the local paths: same bytes on any machine

    entries: dict[str, Entry] = {dossier_entry: dossier_bytes}
    roles: dict[str, str] = {dossier_entry: "dossier"}
    audit = audit_file_of(dossier_file) if dossier.path else None
    if audit is not None:
        audit_entry = f"{DOSSIER_DIR}/{audit.name}"
        _refuse_unsafe(audit_entry, str(audit))
        entries[audit_entry], roles[audit_entry] = audit.read_bytes(), "audit"

    links: dict[str, str] = {}
    evidence_entries: dict[str, str] = {}
    for i, item in enumerate(dossier.file.evidence):
        source, key = file_of(item)
        if source is None or checks[item.id].state == MISSING_FILE:
            continue
        entry = entry_for(source)
        _refuse_unsafe(entry, dossier.located.where(("evidence", i, key)))
        if roles.get(entry, "evidence") != "evidence":
            raise InputError(dossier.located.where(("evidence", i, key)),
                             Bilingual(f"la preuve {item.id} désigne le fichier du dossier lui-même",
                                       f"evidence {item.id} names the dossier's own file"))
        evidence_entries[item.id] = entry
        links[item.id] = href_for(entry)
    portfolio, member_rows, member_missing = _portfolio_entries(evaluation, entries, roles, allow_problems)
    register = evidence_register(dossier, checks, evaluation.as_of, doc, links)
    by_id = {e["id"]: e for e in register}
    dossier_sha = _sha(dossier_bytes)
    entries["evaluation.json"], roles["evaluation.json"] = _json_bytes(doc), "evaluation"
    audit_sha = _sha(entries[audit_entry]) if audit is not None else None
    entries["index.html"] = render_report(doc, lang, register, dossier_sha, audit_sha).encode("utf-8")
    roles["index.html"] = "report"
    if pdf:
        from .render_pdf import html_to_pdf

        entries["rapport.pdf"], roles["rapport.pdf"] = html_to_pdf(entries["index.html"].decode("utf-8")), "report_pdf"  # type: ignore[union-attr]

    missing = []
    expecting = expected_kinds(library)
    evaluated = {c.id for rid in evaluation.rulesets for c in library.rulesets[rid].criteria}
    evidence_of: dict[str, list[dict[str, Any]]] = {}
    for item in dossier.file.evidence:
        check = checks[item.id]
        source = file_of(item)[0]
        if item.id not in evidence_entries:
            if check.state == MISSING_FILE:
                missing.append({"evidence_id": item.id, "source_path": source, "problem": MISSING_FILE})
            continue
        entry = evidence_entries[item.id]
        if entry not in entries:
            entries[entry], roles[entry] = FileEntry(check.path, check.sha256, check.size), "evidence"
        supports = item.criteria or sorted(c for c in expecting.get(item.kind, ()) if c in evaluated)
        info = {"id": item.id, "kind": item.kind, "source_path": source, "copy_of": item.url if item.path is None else None,
                "criteria": supports,
                "used_by": by_id[item.id]["used_by"], "registered_sha256": item.sha256,
                "collected": by_id[item.id]["collected"], "expires": by_id[item.id]["expires"],
                "auditor": by_id[item.id]["auditor"], "problem": check.state if check.problem else None}
        evidence_of.setdefault(entry, []).append({k: v for k, v in info.items() if v is not None})
    for entry, rows in member_rows.items():
        evidence_of.setdefault(entry, []).extend(rows)
    missing += member_missing
    files = []
    for name in sorted(entries):
        row: dict[str, Any] = {"path": name, "role": roles[name], "sha256": _entry_sha(entries[name]),
                               "size": _size(entries[name])}
        if name in evidence_of:
            row["evidence"] = evidence_of[name]
        files.append(row)
    manifest: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "raccord_version": __version__,
        "as_of": evaluation.as_of.isoformat(),
        "as_of_given": as_of is not None,
        "lang": lang,
        "dossier": {"id": dossier.label, "title": dossier.file.production.title, "file": dossier_entry,
                    "sha256": dossier_sha},
        "selection": list(rulesets),
        "rulesets": [{"id": rid, "version": library.rulesets[rid].model.version} for rid in evaluation.rulesets],
        "files": files,
    }
    if audit is not None:
        manifest["dossier"]["audit_file"] = f"{DOSSIER_DIR}/{audit.name}"
    if portfolio:
        manifest["portfolio"] = portfolio
    if missing:
        manifest["missing_evidence"] = missing
    entries[MANIFEST] = _json_bytes(manifest)
    return entries, manifest


def _checked_files(dossier, allow_problems: bool) -> dict:
    """The integrity of the dossier's evidence files; a file outside its folder is refused, and so
    is a missing or modified one unless `allow_problems`."""
    checks = check_files(dossier)
    for i, item in enumerate(dossier.file.evidence):
        check = checks[item.id]
        source, key = file_of(item)
        where = dossier.located.where(("evidence", i, key))
        state = STATE_WORDS.get(check.state, {})
        if check.state == OUTSIDE_DOSSIER:
            from raccord.engine.messages_fr import french

            reason = french(check.detail) or f"hors du répertoire du dossier (« {source} »)"
            raise InputError(where, Bilingual(f"la preuve {item.id} : {reason}", f"evidence {item.id}: {check.detail}"),
                             Bilingual("les fichiers de preuve doivent être dans le répertoire du dossier",
                                       "evidence files must live in the dossier folder"))
        if check.state in (MISSING_FILE, MODIFIED) and not allow_problems:
            raise InputError(where, Bilingual(f"la preuve {item.id} : {state['fr']} (« {source} »)",
                                              f"evidence {item.id} is {check.state.replace('_', ' ')}: {check.detail}"),
                             Bilingual("lancez `raccord verify` et corrigez le registre, ou passez --allow-problems "
                                       "pour l'empaqueter tel quel",
                                       "run `raccord verify` and fix the register, or pass --allow-problems to bundle it as is"))
    return checks


def _portfolio_entries(evaluation, entries: dict[str, Entry], roles: dict[str, str],
                       allow_problems: bool) -> tuple[list[str], dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """The dossiers the dossier names in `portfolio:` (confined to its folder, cli/context.py) and
    their evidence files, at their paths under `dossier/`: unzipped, or read by `check FILE.zip`,
    the company-wide evaluation finds them again. Returns the members' entries, the manifest rows
    of their evidence (each naming its dossier) and their missing files."""
    root = os.path.realpath(evaluation.dossier.base_dir)
    members: list[str] = []
    rows: dict[str, list[dict[str, Any]]] = {}
    missing: list[dict[str, Any]] = []
    for member in evaluation.portfolio:
        dossier = member.dossier
        entry = entry_for(Path(os.path.relpath(os.path.realpath(dossier.path), root)).as_posix())
        _refuse_unsafe(entry, str(dossier.path))
        if entry in entries:
            continue
        entries[entry], roles[entry] = Path(dossier.path).read_bytes(), "portfolio_member"
        members.append(entry)
        folder = posixpath.dirname(entry)
        checks = _checked_files(dossier, allow_problems)
        for i, item in enumerate(dossier.file.evidence):
            check = checks[item.id]
            source, key = file_of(item)
            if source is None:
                continue
            if check.state == MISSING_FILE:
                missing.append({"evidence_id": item.id, "dossier": entry, "source_path": source, "problem": MISSING_FILE})
                continue
            target = entry_for(source, folder)
            _refuse_unsafe(target, dossier.located.where(("evidence", i, key)))
            if roles.setdefault(target, "evidence") != "evidence":
                raise InputError(dossier.located.where(("evidence", i, key)),
                                 Bilingual(f"la preuve {item.id} désigne un fichier de dossier",
                                           f"evidence {item.id} names a dossier file"))
            entries.setdefault(target, FileEntry(check.path, check.sha256, check.size))
            info = {"id": item.id, "kind": item.kind, "dossier": entry, "source_path": source,
                    "criteria": list(item.criteria), "registered_sha256": item.sha256,
                    "problem": check.state if check.problem else None}
            rows.setdefault(target, []).append({k: v for k, v in info.items() if v is not None})
    return members, rows, missing


def zip_bytes_to(path: Path, entries: dict[str, Entry]) -> None:
    """Write a reproducible zip atomically (cli/output.py: a located error if it cannot be written).
    A file entry streams from its file in chunks, hashed on the way: the same bytes as `writestr`
    (the size is set before the header is written), at the memory of one chunk."""
    import zipfile

    from .bundle_zip import CHUNK

    def write(handle) -> None:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as zf:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
                info.compress_type = zipfile.ZIP_STORED
                info.create_system = 3
                info.external_attr = 0o100644 << 16
                entry = entries[name]
                if not isinstance(entry, FileEntry):
                    zf.writestr(info, entry)
                    continue
                info.file_size = entry.size
                hasher, size = hashlib.sha256(), 0
                with open(entry.path, "rb") as source, zf.open(info, "w") as target:
                    while size <= entry.size and (chunk := source.read(CHUNK)):
                        hasher.update(chunk)
                        target.write(chunk)
                        size += len(chunk)
                    if size != entry.size or hasher.hexdigest() != entry.sha256:
                        raise InputError(str(entry.path), Bilingual("le fichier a changé pendant la construction du paquet",
                                                                    "the file changed while the bundle was being built"),
                                         Bilingual("relancez la commande", "run the command again"))

    write_atomic_with(path, write)


def is_bundle(path: Path) -> bool:
    """A .zip name is enough (a FIFO named x.zip must not be opened to find out)."""
    if path.suffix.lower() == ".zip":
        return True
    try:
        import zipfile

        return path.is_file() and zipfile.is_zipfile(path)
    except OSError:
        return False


def register(cli: click.Group) -> None:
    @cli.command("dossier", help=bi(
        """Construire le paquet d'audit (.zip) : rapport HTML, dossier et preuves, manifeste avec empreintes,
        évaluation JSON, signature facultative (--sign).

        Reproductible : les mêmes entrées et la même date --as-of donnent les mêmes octets. Sans --as-of,
        la date du jour est utilisée et inscrite dans le manifeste. Décompressé, ou lu tel quel par
        `raccord check PAQUET.zip`, le paquet redonne la même évaluation.""",
        """Build the audit bundle (.zip): HTML report, dossier and evidence, manifest with hashes, JSON
        evaluation, optional signature (--sign).

        Reproducible: the same inputs and --as-of give the same bytes. Without --as-of, today's date is
        used and recorded in the manifest. Unzipped, or read as is by `raccord check BUNDLE.zip`, the
        bundle gives the same evaluation again."""))
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @click.option("--out", "out", required=True, metavar="FICHIER.zip", help="Où écrire le paquet (atomiquement).")
    @common_rulesets
    @common_as_of
    @common_lang
    @click.option("--allow-problems", is_flag=True,
                  help="Construire le paquet même si des fichiers de preuve manquent ou ont changé (inscrit au manifeste).")
    @click.option("--pdf", "with_pdf", is_flag=True,
                  help=bi("Joindre aussi le rapport en PDF (rapport.pdf, A4).",
                          "Also include the report as PDF (rapport.pdf, A4)."))
    @click.option("--sign", "sign_key", metavar=bi("CLÉ.key", "KEY.key"),
                  help=bi("Signer le manifeste avec cette clé privée Ed25519 (`raccord keys generate`).",
                          "Sign the manifest with this Ed25519 private key (`raccord keys generate`)."))
    @library_options
    def dossier_bundle(dossier, out, rulesets, as_of, lang, allow_problems, with_pdf, sign_key, rulesets_dir, ruleset_files):
        private = None
        if sign_key:
            from .signing import load_private, loose_permissions

            private = load_private(Path(sign_key))  # before the work: a wrong key fails at once
            if loose_permissions(Path(sign_key)):
                click.echo(f"raccord: attention : {sign_key} est lisible par d'autres utilisateurs (chmod 600 {sign_key})",
                           err=True)
        library = library_from(rulesets_dir, ruleset_files)
        entries, manifest = build_bundle(library, dossier, as_of, lang, rulesets, allow_problems, with_pdf)
        fp = None
        if private is not None:
            from .signing import SIGNATURE_ENTRY, fingerprint, sign_manifest, spaced

            entries[SIGNATURE_ENTRY] = sign_manifest(private, entries[MANIFEST])
            fp = spaced(fingerprint(private.public_key()))
        zip_bytes_to(Path(out), entries)
        evidence = sum(1 for f in manifest["files"] if f["role"] == "evidence")
        click.echo(f"{out} : {len(manifest['files'])} fichiers au manifeste dont {evidence} preuves, "
                   f"date d'évaluation {manifest['as_of']}"
                   + ("" if manifest["as_of_given"] else " (aujourd'hui, enregistrée dans le manifeste)"))
        click.echo(f"empreinte du dossier (sha256) : {manifest['dossier']['sha256']}")
        click.echo(f"empreinte du manifeste (sha256) : {_sha(entries[MANIFEST])}")
        if fp:
            click.echo(f"signé avec la clé {fp}")
