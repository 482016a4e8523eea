"""A run started from the page: the library's ``run`` in a child process.

The child does the heavy work (pandas, forked document writers) away from the server's
threads, so the queue of an earlier run stays quick while a big upload is processed, and
reports progress over a pipe. A file the loader cannot read is set aside with the same
one-line message the CLI prints, and the run goes on with the others.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from appeals.classify.records import decode, encode
from appeals.errors import AppealsError, InputFileError
from appeals.jobs.manifest import file_sha256, write_manifest
from appeals.privacy import redact_rejected

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

Send = Callable[[tuple[str, Any]], None]

LINES = "lines.parquet"
DOCUMENTS = "documents.parquet"
REJECTED = "rejected.parquet"
RUN_JSON = "run.json"
OUT = "out"
LOCK = ".lock"
_THREAD_LOCK = threading.RLock()  # flock is per open file: threads of one process queue here


def load_lines(path: Path) -> pd.DataFrame:
    """The classified lines saved by ``execute``, added lines typed again."""
    lines = pd.read_parquet(path)
    if "add_lines" in lines:
        lines["add_lines"] = lines["add_lines"].map(decode).astype(object)
    return lines


def shown_message(exc: AppealsError, names: dict[str, str]) -> str:
    """The CLI's one-line message with the saved path replaced by the name the biller sent."""
    text = exc.describe()
    for path, name in sorted(names.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(path, name)
    return text


def _rename_sources(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    if "source_file" in frame.columns and len(frame):
        frame = frame.copy()
        frame["source_file"] = frame["source_file"].astype(str).map(lambda p: names.get(p, p))
    return frame


def _run_files(spec: dict[str, Any], send: Send) -> tuple[Any, dict[str, str]]:
    """``run`` on the files that can be read; returns (summary or None, errors by name)."""
    # in the run's child process only: the server itself never loads the run's stack
    from appeals.jobs.run import run

    names = {path: name for name, path in spec["files"]}
    remaining = [path for _, path in spec["files"]]
    errors: dict[str, str] = {}
    while remaining:
        try:
            summary = run(
                remaining, Path(spec["run_dir"]) / OUT, force=True,
                practice=spec.get("practice"), payers=spec.get("payers"),
                today=dt.date.fromisoformat(spec["today"]), workers=spec.get("workers", 1),
                on_total=lambda n: send(("total", n)), progress=lambda n: send(("step", n)),
                fills=spec.get("fills"), workbook=False,  # written on first download
                ledger=spec.get("ledger"),
            )
            return summary, errors
        except InputFileError as exc:
            bad = next((p for p in remaining if exc.file and Path(exc.file) == Path(p)), None)
            if bad is None:
                raise
            errors[names[bad]] = shown_message(exc, names)
            remaining.remove(bad)
            send(("file_error", (names[bad], errors[names[bad]])))
    return None, errors


def execute(spec: dict[str, Any], send: Send) -> dict[str, Any]:
    """Run the job described by ``spec`` and write its results into ``spec['run_dir']``.

    ``spec``: run_dir, files [(name as sent, saved path)], today (ISO), practice, payers,
    workers. Returns what ``run.json`` holds.
    """
    folder = Path(spec["run_dir"])
    names = {path: name for name, path in spec["files"]}
    summary, errors = _run_files(spec, send)
    files = [{"name": name, "error": errors.get(name, "")} for name, _ in spec["files"]]
    if summary is None:
        return {"ok": False, "files": files}
    send(("stage", "saving"))
    classified = _rename_sources(summary.classified, names)
    # Added lines are typed records; Parquet stores them as plain structs (store.py decodes).
    classified = classified.assign(add_lines=classified["add_lines"].map(encode))
    classified.to_parquet(folder / LINES, index=False)
    summary.documents.to_parquet(folder / DOCUMENTS, index=False)
    rejected = _rename_sources(redact_rejected(summary.rejected, summary.files), names)
    rejected.astype({"value": str}).to_parquet(folder / REJECTED, index=False)
    info = {
        "ok": True,
        "today": spec["today"],
        "files": files,
        "lines_read": summary.lines_read,
        "rows_rejected": summary.rows_rejected,
        "statuses": summary.statuses,
        "patterns": summary.patterns,
        "letters": summary.letters,
        "worksheets": summary.worksheets,
        "placeholders": summary.placeholders,
        "workbook_stale": True,
    }
    write_json(folder / RUN_JSON, info)
    return info


@contextlib.contextmanager
def run_lock(folder: Path) -> Iterator[None]:
    """One writer at a time on a run's files, across the server's threads and the run's child
    (which writes the workbook after the page already shows the run)."""
    with _THREAD_LOCK:
        if fcntl is None:  # no POSIX locks (Windows): the workbook is built on download only
            yield
            return
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock


def refresh_manifest(out: Path, changed: Callable[[Path], bool]) -> None:
    """Keep the manifest's checksums true of the files written after the run (a claim's
    documents again, the workbook)."""
    path = out / "manifest.json"
    if not path.is_file():
        return
    manifest = read_json(path)
    outputs = manifest.setdefault("outputs", [])
    listed = {entry["file"] for entry in outputs}
    for entry in outputs:
        target = out / entry["file"]
        if target.is_file() and changed(target):
            entry["sha256"] = file_sha256(target)
    for target in out.rglob("*"):
        name = target.relative_to(out).as_posix()
        if target.is_file() and name not in listed and name != "manifest.json" and changed(target):
            outputs.append({"file": name, "sha256": file_sha256(target)})
    outputs.sort(key=lambda e: e["file"])
    write_manifest(out, manifest)


def build_workbook(folder: Path) -> Path:
    """Write ``summary.xlsx`` from the run's saved frames when it is missing or stale."""
    # XlsxWriter loads only when a workbook is written, not with the server
    from appeals.workbooks.summary import write_summary

    path = folder / OUT / "summary.xlsx"
    with run_lock(folder):
        info = read_json(folder / RUN_JSON)
        if info.get("workbook_stale") or not path.is_file():
            lines = load_lines(folder / LINES)
            totals = {"lines_read": info["lines_read"], "lines_classified": len(lines),
                      "rows_rejected": info["rows_rejected"]}
            write_summary(path, lines, pd.read_parquet(folder / REJECTED),
                          pd.read_parquet(folder / DOCUMENTS),
                          today=dt.date.fromisoformat(info["today"]), totals=totals)
            os.chmod(path, 0o600)
            refresh_manifest(folder / OUT, lambda p: p == path)
            info["workbook_stale"] = False
            write_json(folder / RUN_JSON, info)
    return path


def mark_workbook_stale(folder: Path) -> None:
    """Call holding ``run_lock``: the next download writes the workbook again."""
    info = read_json(folder / RUN_JSON)
    info["workbook_stale"] = True
    write_json(folder / RUN_JSON, info)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (a reader never sees half a file), private to the user."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True, default=str)
    os.replace(tmp, path)


def child_main(spec: dict[str, Any], conn: Any) -> None:
    """Entry point of the child process: every outcome goes back over ``conn``.

    Once the page has the run, the child goes on to write the workbook (the slowest part at
    100k lines), so a download finds it ready or waits for it under the run's lock.
    """
    try:
        info = execute(spec, conn.send)
        conn.send(("done", info))
        if info.get("ok") and fcntl is not None:
            conn.close()
            build_workbook(Path(spec["run_dir"]))
    except AppealsError as exc:
        names = {path: name for name, path in spec["files"]}
        conn.send(("failed", shown_message(exc, names)))
    except Exception as exc:  # noqa: BLE001 - the page shows one line, never a traceback
        conn.send(("failed", f"unexpected {type(exc).__name__}; run `appeals run` on these "
                             "files with --debug and report the traceback"))
    finally:
        conn.close()
