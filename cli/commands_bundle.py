"""`raccord dossier DOSSIER --out FILE.zip`: the audit bundle, and checking a received one.

Bundle layout (every path below is a zip entry):
  index.html                  the report (French by default), evidence links relative to the bundle
  evaluation.json             the result document (raccord.result/1)
  manifest.json               every other entry with its sha256, size, role, and for evidence the
                              criteria it supports; the evaluation date and how it was chosen
  dossier/<dossier file>      the dossier as evaluated
  evidence/<ID>/<file name>   each registered evidence file, unchanged

Reproducible: the same inputs give the same bytes. Entries are sorted, timestamps fixed
(1980-01-01 00:00), permissions fixed (0644), no compression (ZIP_STORED: deflate output differs
between zlib builds, e.g. zlib-ng, and evidence is mostly PDF/JPEG, compressed already), and
nothing depends on the clock except a default `--as-of`, which is recorded in the manifest.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import click

from raccord import __version__
from raccord.engine import InputError

from .commands_evidence import expected_kinds
from .context import common_as_of, common_lang, common_rulesets, document, library_from, library_options, run_evaluation
from .i18n import label, words
from .integrity import MISSING_FILE, MODIFIED, OUTSIDE_DOSSIER, check_files
from .output import write_atomic_with
from .render_html import evidence_register, href_for, render_report

BUNDLE_FORMAT = "raccord.bundle/1"
MANIFEST = "manifest.json"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)

WORDS = {
    "bundle_ok": {"fr": "Paquet conforme à son manifeste", "en": "Bundle matches its manifest"},
    "bundle_bad": {"fr": "Paquet NON conforme à son manifeste", "en": "Bundle does NOT match its manifest"},
    "missing": {"fr": "absent du paquet", "en": "missing from the bundle"},
    "extra": {"fr": "en trop (absent du manifeste)", "en": "extra (not in the manifest)"},
    "modified": {"fr": "modifié", "en": "modified"},
    "unsafe": {"fr": "chemin refusé", "en": "unsafe path"},
    "duplicate": {"fr": "entrée en double", "en": "duplicate entry"},
    "manifest": {"fr": "empreinte du manifeste", "en": "manifest fingerprint"},
    "files": {"fr": "fichiers", "en": "files"},
}


_w = words(WORDS)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def build_bundle(library, dossier_path: str, as_of: str | None, lang: str, rulesets: tuple[str, ...],
                 allow_problems: bool = False) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Every entry of the bundle (path -> bytes) and the manifest."""
    evaluation = run_evaluation(library, dossier_path, as_of, rulesets)
    dossier = evaluation.dossier
    checks = check_files(dossier)
    for i, item in enumerate(dossier.file.evidence):
        check = checks[item.id]
        where = dossier.located.where(("evidence", i, "path"))
        if check.state == OUTSIDE_DOSSIER:
            raise InputError(where, f"evidence {item.id}: {check.detail}", "evidence files must live in the dossier folder")
        if check.state in (MISSING_FILE, MODIFIED) and not allow_problems:
            raise InputError(where, f"evidence {item.id} is {check.state.replace('_', ' ')}: {check.detail}",
                             "run `raccord verify` and fix the register, or pass --allow-problems to bundle it as is")

    entries: dict[str, bytes] = {}
    files: list[dict[str, Any]] = []
    dossier_name = dossier.path.name if dossier.path else "dossier.yaml"
    dossier_entry = f"dossier/{dossier_name}"
    doc = document(evaluation)
    doc["dossier"]["path"] = dossier_entry  # not the local path: same bytes on any machine

    links: dict[str, str] = {}
    evidence_entries: dict[str, str] = {}
    for item in dossier.file.evidence:
        check = checks[item.id]
        if item.path is None or check.state == MISSING_FILE:
            continue
        name = PurePosixPath(item.path).name
        entry = f"evidence/{item.id}/{name}"
        evidence_entries[item.id] = entry
        links[item.id] = href_for(entry)
    register = evidence_register(dossier, checks, evaluation.as_of, doc, links)
    by_id = {e["id"]: e for e in register}

    entries[dossier_entry] = Path(dossier.path).read_bytes() if dossier.path else b""
    files.append({"path": dossier_entry, "role": "dossier"})
    entries["evaluation.json"] = _json_bytes(doc)
    files.append({"path": "evaluation.json", "role": "evaluation"})
    entries["index.html"] = render_report(doc, lang, register).encode("utf-8")
    files.append({"path": "index.html", "role": "report"})
    missing = []
    expecting = expected_kinds(library)
    evaluated = {c.id for rid in evaluation.rulesets for c in library.rulesets[rid].criteria}
    for item in dossier.file.evidence:
        check = checks[item.id]
        if item.id not in evidence_entries:
            if check.state == MISSING_FILE:
                missing.append({"evidence_id": item.id, "source_path": item.path, "problem": MISSING_FILE})
            continue
        data = check.path.read_bytes()
        if _sha(data) != check.sha256:
            raise InputError(str(check.path), "file changed while the bundle was being built", "run the command again")
        supports = item.criteria or sorted(c for c in expecting.get(item.kind, ()) if c in evaluated)
        entry = {"path": evidence_entries[item.id], "role": "evidence", "evidence_id": item.id, "kind": item.kind,
                 "source_path": item.path, "criteria": supports, "used_by": by_id[item.id]["used_by"],
                 "registered_sha256": item.sha256, "collected": by_id[item.id]["collected"],
                 "expires": by_id[item.id]["expires"], "auditor": by_id[item.id]["auditor"]}
        if check.problem:
            entry["problem"] = check.state
        entries[evidence_entries[item.id]] = data
        files.append({k: v for k, v in entry.items() if v is not None})
    for f in files:
        f["sha256"] = _sha(entries[f["path"]])
        f["size"] = len(entries[f["path"]])
    manifest: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "raccord_version": __version__,
        "as_of": evaluation.as_of.isoformat(),
        "as_of_given": as_of is not None,
        "lang": lang,
        "dossier": {"id": dossier.label, "title": dossier.file.production.title, "file": dossier_entry},
        "rulesets": [{"id": rid, "version": library.rulesets[rid].model.version} for rid in evaluation.selected],
        "files": sorted(files, key=lambda f: f["path"]),
    }
    if missing:
        manifest["missing_evidence"] = missing
    entries[MANIFEST] = _json_bytes(manifest)
    return entries, manifest


def zip_bytes_to(path: Path, entries: dict[str, bytes]) -> None:
    """Write a reproducible zip atomically (cli/output.py: a located error if it cannot be written)."""

    def write(handle) -> None:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as zf:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
                info.compress_type = zipfile.ZIP_STORED
                info.create_system = 3
                info.external_attr = 0o100644 << 16
                zf.writestr(info, entries[name])

    write_atomic_with(path, write)


# ---------------------------------------------------------------------------------------------------
# checking a received bundle


def is_bundle(path: Path) -> bool:
    return path.suffix.lower() == ".zip" or (path.is_file() and zipfile.is_zipfile(path))


def _unsafe(name: str) -> bool:
    pure = PurePosixPath(name)
    return "\\" in name or pure.is_absolute() or ".." in pure.parts or (pure.parts and pure.parts[0].endswith(":"))


def verify_bundle(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(str(path), "file not found", "check the path")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(str(path), f"not a readable zip file ({exc})") from None
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos if not i.is_dir()]
        if MANIFEST not in names:
            raise InputError(str(path), "no manifest.json: not a raccord audit bundle")
        raw = zf.read(MANIFEST)
        try:
            manifest = json.loads(raw)
            listed = {f["path"]: f for f in manifest["files"]}
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}:{MANIFEST}", f"unreadable manifest ({exc})") from None
        if manifest.get("format") != BUNDLE_FORMAT:
            raise InputError(f"{path}:{MANIFEST}", f"unknown bundle format {manifest.get('format')!r}",
                             f"expected {BUNDLE_FORMAT}")
        problems: list[dict[str, str]] = []
        seen: set[str] = set()
        for name in names:
            if name in seen:
                problems.append({"path": name, "state": "duplicate"})
            seen.add(name)
            if _unsafe(name):
                problems.append({"path": name, "state": "unsafe"})
        for name in sorted(listed):
            entry = listed[name]
            if name not in seen:
                problems.append({"path": name, "state": "missing"})
                continue
            digest, size = hashlib.sha256(), 0
            with zf.open(name) as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
                    size += len(chunk)
            if digest.hexdigest() != entry.get("sha256") or size != entry.get("size"):
                problems.append({"path": name, "state": "modified",
                                 "detail": f"sha256 {digest.hexdigest()[:12]}… size {size}, "
                                           f"manifest {str(entry.get('sha256'))[:12]}… size {entry.get('size')}"})
        for name in sorted(seen - set(listed) - {MANIFEST}):
            problems.append({"path": name, "state": "extra"})
    return {
        "format": "raccord.bundle-check/1",
        "bundle": str(path),
        "manifest_sha256": _sha(raw),
        "as_of": manifest.get("as_of"),
        "dossier": manifest.get("dossier", {}),
        "files": len(listed),
        "ok": not problems,
        "problems": problems,
    }


def render_bundle_check(result: dict[str, Any], lang: str) -> str:
    dossier = result["dossier"]
    out = [f"raccord — {dossier.get('title', '?')} ({dossier.get('id', '?')}) — {label('as_of', lang)}{result['as_of']}",
           f"{result['bundle']} : {result['files']} {_w('files', lang)}, {_w('manifest', lang)} {result['manifest_sha256']}"]
    for problem in result["problems"]:
        out.append(f"✘ {problem['path']} : {_w(problem['state'], lang)}"
                   + (f" ({problem['detail']})" if problem.get("detail") else ""))
    out.append(_w("bundle_ok" if result["ok"] else "bundle_bad", lang))
    return "\n".join(out) + "\n"


def register(cli: click.Group) -> None:
    @cli.command("dossier")
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @click.option("--out", "out", required=True, metavar="FILE.zip", help="Where to write the bundle (atomically).")
    @common_rulesets
    @common_as_of
    @common_lang
    @click.option("--allow-problems", is_flag=True,
                  help="Bundle even if evidence files are missing or modified (recorded in the manifest).")
    @library_options
    def dossier_bundle(dossier, out, rulesets, as_of, lang, allow_problems, rulesets_dir, ruleset_files):
        """Construire le paquet d'audit (.zip) : rapport HTML, preuves, manifeste avec empreintes, évaluation JSON.

        Reproducible: the same inputs and --as-of give the same bytes. Without --as-of, today's date is
        used and recorded in the manifest.
        """
        library = library_from(rulesets_dir, ruleset_files)
        entries, manifest = build_bundle(library, dossier, as_of, lang, rulesets, allow_problems)
        zip_bytes_to(Path(out), entries)
        evidence = sum(1 for f in manifest["files"] if f["role"] == "evidence")
        click.echo(f"{out} : {len(entries)} fichiers dont {evidence} preuves, date d'évaluation {manifest['as_of']}"
                   + ("" if manifest["as_of_given"] else " (aujourd'hui, enregistrée dans le manifeste)"))
        click.echo(f"empreinte du manifeste (sha256) : {_sha(entries[MANIFEST])}")



