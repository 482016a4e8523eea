"""Receive a multipart upload straight into a private folder, within a size limit.

The body is parsed as it arrives and each file part is written to its final place in the
run's ``uploads/`` folder (0700, files 0600): no copy passes through the system's temporary
folder, where another user of a shared office machine might find it. Byte counts are
checked while reading, so a body larger than the limit stops at the limit, whatever the
``Content-Length`` said.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header

FILE_FIELD = "files"
_MAX_FIELD = 10_000  # bytes of a plain (non-file) form field
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


class UploadError(Exception):
    """The upload cannot be accepted; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Received:
    files: list[tuple[str, Path]] = field(default_factory=list)  # (name as sent, saved path)
    fields: dict[str, str] = field(default_factory=dict)
    size: int = 0


def safe_name(name: str) -> str:
    """A file name from a browser's: its last path part, plain characters, bounded."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    clean = _UNSAFE.sub("_", base).strip(" .")[:120]
    return clean or "upload"


def _unique(folder: Path, name: str) -> Path:
    path, n = folder / name, 1
    stem, dot, suffix = name.rpartition(".")
    while path.exists():
        n += 1
        path = folder / (f"{stem}-{n}.{suffix}" if dot else f"{name}-{n}")
    return path


def limit_message(limit: int) -> str:
    return (f"the upload is larger than the limit of {limit // 1_000_000} MB; nothing was "
            "saved. Upload fewer files at a time, or start the server with a larger "
            "--max-upload-mb")


class _Parts:
    """Callbacks for python-multipart's streaming parser."""

    def __init__(self, folder: Path, limit: int) -> None:
        self.folder, self.limit = folder, limit
        self.out = Received()
        self.headers: dict[str, str] = {}
        self._field = self._value = b""
        self._handle: IO[bytes] | None = None
        self._name = ""
        self._text = bytearray()
        self._is_file = False

    def on_part_begin(self) -> None:
        self.headers, self._field, self._value = {}, b"", b""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self._field.decode("latin-1").lower()] = self._value.decode("utf-8", "replace")
        self._field, self._value = b"", b""

    def on_headers_finished(self) -> None:
        _, params = parse_options_header(self.headers.get("content-disposition", ""))
        self._name = params.get(b"name", b"").decode("utf-8", "replace")
        filename = params.get(b"filename")
        self._is_file = filename is not None
        self._text = bytearray()
        if self._is_file and self._name == FILE_FIELD and filename:
            sent = filename.decode("utf-8", "replace")
            path = _unique(self.folder, safe_name(sent))
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            self._handle = os.fdopen(fd, "wb")
            self.out.files.append((sent, path))

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._handle is not None:
            self._handle.write(data[start:end])
        elif not self._is_file:
            self._text += data[start:end]
            if len(self._text) > _MAX_FIELD:
                raise UploadError(f"the form field {self._name!r} is too long", 413)

    def on_part_end(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        elif not self._is_file and self._name:
            self.out.fields[self._name] = self._text.decode("utf-8", "replace")

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


async def receive_files(
    content_type: str, stream: AsyncIterator[bytes], folder: Path, *, limit: int
) -> Received:
    """Save the ``files`` parts of a multipart body into ``folder`` (made 0700)."""
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadError("send the files as multipart/form-data in the field 'files'", 415)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    parts = _Parts(folder, limit)
    callbacks = {name: getattr(parts, name) for name in (
        "on_part_begin", "on_part_data", "on_part_end", "on_header_field", "on_header_value",
        "on_header_end", "on_headers_finished")}
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    try:
        async for chunk in stream:
            parts.out.size += len(chunk)
            if parts.out.size > limit:
                raise UploadError(limit_message(limit), 413)
            parser.write(chunk)
        parser.finalize()
    finally:
        parts.close()
    if not parts.out.files:
        raise UploadError("no files received: choose one or more exports or 835 files "
                          "(multipart field 'files')", 400)
    return parts.out
