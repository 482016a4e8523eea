"""The run manifest: what went in, with which rules, and what came out, with checksums.

It lets a billing office show later exactly which files and which rule versions produced a
letter. It holds file names, counts and hashes only: no patient data. Nothing in it
depends on the clock or the machine (the run date is the ``today`` the run was given), so
the same input still gives the same files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from appeals import __version__
from appeals.readers.base import FileReport

_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def tree_sha256(folder: Path) -> str:
    """One hash over every file of a folder (names and contents), in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(bytes.fromhex(file_sha256(path)))
    return digest.hexdigest()


def build_manifest(
    *,
    today: dt.date,
    inputs: Iterable[FileReport],
    rules: Mapping[str, Path | None],
    counts: Mapping[str, Any],
    out_dir: Path,
    job: str = "run",
) -> dict[str, Any]:
    """``inputs``: the loader's per-file reports; ``rules``: name → file or folder used."""
    files = []
    for report in inputs:
        path = Path(report.file)
        entry: dict[str, Any] = {
            "file": path.name,
            "format": report.format,
            "sheet": report.sheet,
            "rows_read": report.rows_read,
            "warnings": len(report.warnings),
        }
        if path.is_file():
            entry["sha256"] = file_sha256(path)
        files.append(entry)
    used = {}
    for name, rule_file in rules.items():
        if rule_file is None:
            continue
        used[name] = {
            "file": rule_file.name,
            "sha256": tree_sha256(rule_file) if rule_file.is_dir() else file_sha256(rule_file),
        }
    outputs = [
        {"file": p.relative_to(out_dir).as_posix(), "sha256": file_sha256(p)}
        for p in sorted(out_dir.rglob("*"))
        # the staging marker is the job's own bookkeeping, gone once the output is in place
        if p.is_file() and p.name not in ("manifest.json", ".appeals-staging")
    ]
    return {
        "tool": "appeals",
        "job": job,
        "version": __version__,
        "run_date": today.isoformat(),
        "inputs": files,
        "rules": used,
        "counts": dict(counts),
        "outputs": outputs,
    }


def write_manifest(out_dir: Path, manifest: Mapping[str, Any]) -> Path:
    path = out_dir / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
