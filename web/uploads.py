"""Uploads read as a stream: the file part is hashed (SHA-256) and written to a temporary file in the
evidence store while it arrives, and the request is cut off as soon as it passes the size limit, so a
200 MB upload costs neither memory nor disk beyond the limit. The file is then stored under its hash
(`store_blob`): the name the browser sent never touches the file system."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header


class TooLargeError(Exception):
    pass


class BadUploadError(Exception):
    pass


@dataclass
class Upload:
    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    temp: Path | None = None
    sha256: str | None = None
    size: int = 0

    def discard(self) -> None:
        if self.temp and self.temp.exists():
            self.temp.unlink()


def safe_name(name: str | None) -> str:
    """The last component of a browser-sent file name, reduced to safe characters ('../x', '/etc/passwd',
    'C:\\x' and names starting with a dot all become plain names inside the dossier's evidence folder)."""
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip("._-")[:100]
    return cleaned or "piece"


async def read_upload(request, folder: Path, limit: int) -> Upload:
    """Parse a multipart request: text fields (at most 64 KiB each) and one file part streamed to `folder`."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise BadUploadError("multipart/form-data expected")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 65536:
        raise TooLargeError()
    folder.mkdir(parents=True, exist_ok=True)
    upload = Upload()
    state: dict = {"headers": {}, "header": b"", "value": b"", "name": None, "is_file": False, "handle": None,
                   "hash": None}

    def on_header_field(data, start, end):
        state["header"] += data[start:end]

    def on_header_value(data, start, end):
        state["value"] += data[start:end]

    def on_header_end():
        state["headers"][state["header"].lower()] = state["value"]
        state["header"], state["value"] = b"", b""

    def on_headers_finished():
        _, disposition = parse_options_header(state["headers"].get(b"content-disposition", b""))
        state["name"] = disposition.get(b"name", b"").decode("utf-8", "replace")
        state["is_file"] = b"filename" in disposition
        state["buffer"] = bytearray()
        if state["is_file"]:
            if upload.temp is not None:
                raise BadUploadError("one file per upload")
            upload.filename = disposition[b"filename"].decode("utf-8", "replace")
            fd, path = tempfile.mkstemp(dir=folder, prefix=".upload-")
            upload.temp = Path(path)
            state["handle"] = os.fdopen(fd, "wb")
            state["hash"] = hashlib.sha256()

    def on_part_data(data, start, end):
        chunk = data[start:end]
        if state["is_file"]:
            upload.size += len(chunk)
            if upload.size > limit:
                raise TooLargeError()
            state["hash"].update(chunk)
            state["handle"].write(chunk)
        else:
            state["buffer"] += chunk
            if len(state["buffer"]) > 65536:
                raise BadUploadError("field too long")

    def on_part_end():
        if state["is_file"]:
            state["handle"].flush()
            os.fsync(state["handle"].fileno())
            state["handle"].close()
            state["handle"] = None
            upload.sha256 = state["hash"].hexdigest()
        else:
            upload.fields[state["name"]] = state["buffer"].decode("utf-8", "replace")
        state["headers"] = {}

    parser = MultipartParser(params[b"boundary"], {
        "on_header_field": on_header_field, "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished, "on_part_data": on_part_data, "on_part_end": on_part_end})
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except BaseException:
        if state["handle"] is not None:
            state["handle"].close()
        upload.discard()
        raise
    return upload


def blob_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


def store_blob(root: Path, upload: Upload) -> Path:
    """Move the streamed file to its place by hash (atomic rename; an identical file is kept once)."""
    target = blob_path(root, upload.sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        upload.discard()
    else:
        os.replace(upload.temp, target)
        os.chmod(target, 0o600)
    upload.temp = None
    return target


def store_bytes(root: Path, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    target = blob_path(root, sha)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".import-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    return sha
