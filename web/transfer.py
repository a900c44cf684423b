"""Import and export in the CLI's format: a dossier folder (dossier.yaml and its evidence files) as a
zip, or an audit bundle (`raccord dossier --out`); the HTML report and the bundle by the CLI's renderers."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from raccord.engine import InputError
from raccord.engine.errors import Bilingual
from raccord.engine.live.events import parse_lines
from raccord.engine.review import parse_audit
from raccord.engine.source_files import parse_yaml

from . import journal, live, uploads
from .evaluation import AUDIT_FILE

MAX_ENTRIES = 2000
MAX_TOTAL = 500 * 1024 * 1024  # uncompressed bytes an imported archive may expand to


def _problem(fr: str, en: str) -> InputError:
    return InputError("import", Bilingual(fr, en))


def export_files(ws, state: dict[str, Any]) -> dict[str, bytes]:
    """dossier.yaml (facts nested as the CLI writes them) and each evidence file at its path."""
    data = journal.dossier_data(state)
    data["facts"] = journal.nest(data["facts"], ws.evaluator.catalogue)
    files: dict[str, bytes] = {}
    for item in data["evidence"]:
        if item.get("path") and item.get("sha256"):
            blob = uploads.blob_path(ws.settings.blobs, item["sha256"])
            if blob.exists():
                files[item["path"]] = blob.read_bytes()
    files["dossier.yaml"] = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")
    audit = journal.audit_data(state)
    if audit:  # the auditor's records in their own file beside the dossier, as the CLI keeps them
        files[AUDIT_FILE] = yaml.safe_dump(audit, allow_unicode=True, sort_keys=False).encode("utf-8")
    if state.get("live"):  # the shooting journal beside the dossier, where `raccord check` and `watch` read it
        files[live.JOURNAL_FILE] = live.journal_bytes(state)
    return files


def export_zip(ws, state: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(export_files(ws, state).items()):
            archive.writestr(name, data)
    return out.getvalue()


def write_folder(ws, state: dict[str, Any], folder: Path) -> Path:
    for name, data in export_files(ws, state).items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder / "dossier.yaml"


def bundle_zip(ws, state: dict[str, Any], as_of: dt.date, lang: str) -> bytes:
    from raccord.cli.commands_bundle import build_bundle, zip_bytes_to

    with tempfile.TemporaryDirectory() as temp:
        path = write_folder(ws, state, Path(temp) / "dossier")
        entries, _ = build_bundle(ws.engine.library, str(path), as_of.isoformat(), lang, ())
        target = Path(temp) / "audit.zip"
        zip_bytes_to(target, entries)
        return target.read_bytes()


def report_html(ws, evaluation, result: dict[str, Any], lang: str) -> str:
    from raccord.cli.render_html import evidence_register, render_report

    return render_report(result, lang, evidence_register(evaluation.dossier, {}, evaluation.as_of, result, {}))


def report_pdf(ws, key: tuple, evaluation, lang: str) -> bytes:
    """The same report as PDF, laid out by the CLI's `--format pdf` (cli/render_pdf.py); it costs
    seconds of CPU, so each version's PDF is made once per date and language (a version never changes)."""
    from raccord.cli.render_pdf import html_to_pdf

    def make() -> bytes:
        return html_to_pdf(report_html(ws, evaluation, ws.engine.result(evaluation), lang))

    return ws.evaluator.cached(("pdf", *key, evaluation.as_of, lang), make)


def import_zip(ws, data: bytes) -> dict[str, Any]:
    """The journal state of a zipped dossier folder or audit bundle (evidence files stored by hash)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _problem("l'archive n'est pas un fichier zip", "the archive is not a zip file") from None
    names = [i for i in archive.infolist() if not i.is_dir()]
    if len(names) > MAX_ENTRIES or sum(i.file_size for i in names) > MAX_TOTAL:
        raise _problem("archive trop volumineuse", "archive too large")
    files: dict[str, zipfile.ZipInfo] = {}
    for info in names:
        path = PurePosixPath(info.filename)
        if path.is_absolute() or ".." in path.parts or "\\" in info.filename:
            raise _problem(f"chemin refusé dans l'archive : {info.filename}", f"unsafe path in the archive: {info.filename}")
        files[str(path)] = info
    dossiers = sorted((n for n in files if PurePosixPath(n).name in ("dossier.yaml", "dossier.yml")), key=len)
    if not dossiers:
        raise _problem("aucun dossier.yaml dans l'archive", "no dossier.yaml in the archive")
    dossier_name = dossiers[0]
    base = PurePosixPath(dossier_name).parent
    text = archive.read(files[dossier_name]).decode("utf-8")
    ws.engine.dossier_from_text(text, "dossier.yaml")  # the engine's own checks, located in the file
    raw = yaml.safe_load(text)
    bundle = "manifest.json" in files
    evidence = {}
    for item in raw.get("evidence") or []:
        item = journal.jsonable(item)
        member = None
        if item.get("path"):  # a folder, or a bundle keeping the dossier's folder (dossier/evidence/...)
            member = str(base / item["path"]) if str(base) != "." else item["path"]
        if bundle and member not in files:  # bundles of the first layout: evidence/<id>/<name>
            member = next((n for n in files if n.startswith(f"evidence/{item['id']}/")), None)
        if member and member in files:
            content = archive.read(files[member])
            item["sha256_stored"] = uploads.store_bytes(ws.settings.blobs, content)
            if not item.get("sha256"):
                item["sha256"], item["size"] = item["sha256_stored"], len(content)
        evidence[item["id"]] = {k: v for k, v in item.items() if k != "sha256_stored"}
    audit_name = str(base / AUDIT_FILE) if str(base) != "." else AUDIT_FILE
    audit = {}
    if audit_name in files:  # the auditor's file beside the dossier: checked by the engine, kept as the journal's
        audit_text = archive.read(files[audit_name]).decode("utf-8")
        located = parse_yaml(audit_text, AUDIT_FILE)
        parse_audit(located)
        audit = journal.audit_state(located.data)
    journal_name = str(base / live.JOURNAL_FILE) if str(base) != "." else live.JOURNAL_FILE
    events = []
    if journal_name in files:  # the shooting journal beside the dossier: every line checked as `journal add` does
        try:
            journal_text = archive.read(files[journal_name]).decode("utf-8")
        except UnicodeDecodeError:
            raise _problem(f"{live.JOURNAL_FILE} : texte non UTF-8", f"{live.JOURNAL_FILE}: not UTF-8 text") from None
        events = [e.data for e in parse_lines(journal_text.splitlines(), live.JOURNAL_FILE)]
    return {"production": journal.jsonable(raw.get("production") or {}),
            "facts": journal.flatten(raw.get("facts") or {}, ws.evaluator.catalogue),
            "evidence": evidence, "not_applicable": dict(raw.get("not_applicable") or {}),
            "declined": dict(raw.get("declined") or {}), **audit, "live": events}


def import_folder(ws, folder: Path) -> dict[str, Any]:
    """A dossier folder as a zip in memory, then imported like an upload (one code path)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return import_zip(ws, out.getvalue())
