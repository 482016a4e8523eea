"""A run started from the page: the library's ``run`` in a child process.

The child does the heavy work (pandas, forked document writers) away from the server's
threads, so the queue of an earlier run stays quick while a big upload is processed, and
reports progress over a pipe. A file the loader cannot read is set aside with the same
one-line message the CLI prints, and the run goes on with the others.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from appeals.classify.records import added_from_json, added_to_json
from appeals.errors import AppealsError, InputFileError

Send = Callable[[tuple[str, Any]], None]

LINES = "lines.parquet"
DOCUMENTS = "documents.parquet"
REJECTED = "rejected.parquet"
RUN_JSON = "run.json"
OUT = "out"


def save_lines(classified: pd.DataFrame, path: Path) -> None:
    """The classified lines as Parquet; typed added lines travel as JSON text."""
    if "add_lines" in classified.columns:
        classified = classified.assign(add_lines=classified["add_lines"].map(added_to_json))
    classified.to_parquet(path, index=False)


def load_lines(path: Path) -> pd.DataFrame:
    lines = pd.read_parquet(path)
    if "add_lines" in lines.columns:
        lines["add_lines"] = pd.Series(
            [added_from_json(t) for t in lines["add_lines"]], index=lines.index, dtype=object)
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
    from appeals.privacy import redact_rejected

    folder = Path(spec["run_dir"])
    names = {path: name for name, path in spec["files"]}
    summary, errors = _run_files(spec, send)
    files = [{"name": name, "error": errors.get(name, "")} for name, _ in spec["files"]]
    if summary is None:
        return {"ok": False, "files": files}
    send(("stage", "saving"))
    classified = _rename_sources(summary.classified, names)
    save_lines(classified, folder / LINES)
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
    """Entry point of the child process: every outcome goes back over ``conn``."""
    try:
        conn.send(("done", execute(spec, conn.send)))
    except AppealsError as exc:
        names = {path: name for name, path in spec["files"]}
        conn.send(("failed", shown_message(exc, names)))
    except Exception as exc:  # noqa: BLE001 - the page shows one line, never a traceback
        conn.send(("failed", f"unexpected {type(exc).__name__}; run `appeals run` on these "
                             "files with --debug and report the traceback"))
    finally:
        conn.close()
