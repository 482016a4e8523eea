"""The main job: load → classify → render, written atomically into one output folder."""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from appeals.classify.classifier import classify
from appeals.errors import OutputError
from appeals.jobs.manifest import build_manifest, write_manifest
from appeals.readers.loader import LoadResult, load_files
from appeals.resources import data_path, denial_map_path, templates_dir
from appeals.rules.denial_map import load_denial_map
from appeals.rules.payers import PayerRules, load_payer_rules
from appeals.schema import conform_rejected, empty_rejected

Progress = Callable[[int], None]


@dataclass
class RunSummary:
    out_dir: Path
    lines_read: int
    rows_rejected: int
    statuses: dict[str, int]
    patterns: dict[str, int]
    letters: int
    worksheets: int
    placeholders: int
    files: list[dict[str, Any]] = field(default_factory=list)
    log: dict[str, Any] = field(default_factory=dict)
    rejected: pd.DataFrame = field(default_factory=empty_rejected)  # export rows, with reasons


def classify_files(
    paths: Iterable[str | Path],
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    denial_map: str | Path | None = None,
    payers: str | Path | None = None,
    infusion_log: str | Path | None = None,
    payer_rules: PayerRules | None = None,
) -> tuple[pd.DataFrame, LoadResult, dict[str, Any]]:
    """Load and classify; returns (classified lines, the load result, infusion-log report)."""
    payer_rules = payer_rules or load_payer_rules(payers)
    rules = load_denial_map(denial_map)
    loaded = load_files(paths, sheet=sheet, columns=columns, payer_rules=payer_rules)
    log_report: dict[str, Any] = {}
    lines = loaded.lines
    if infusion_log is not None:
        from appeals.readers.infusion_log import join_infusion_log, read_infusion_log

        log = read_infusion_log(infusion_log)
        lines, join = join_infusion_log(lines, log)
        log_report = {"summary": join.summary(), "rejected": log.rejected, "join": join}
    classified = classify(lines, rules=rules, payer_rules=payer_rules)
    return classified, loaded, log_report


def documents_needed(classified: pd.DataFrame) -> int:
    """How many DOCX files a run will write (for a truthful progress bar)."""
    from appeals.render.documents import count_documents

    return count_documents(classified)


def run(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    denial_map: str | Path | None = None,
    payers: str | Path | None = None,
    templates: str | Path | None = None,
    practice: str | Path | None = None,
    letterhead: str | Path | None = None,
    infusion_log: str | Path | None = None,
    force: bool = False,
    today: dt.date | None = None,
    workers: int = 1,
    on_total: Callable[[int], None] | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Write letters/, worksheets/ and summary.xlsx into ``out_dir``.

    Everything is written into a temporary sibling folder first and moved into place at
    the end, so an interrupted run leaves any previous output untouched and no half files.
    """
    from appeals.render.documents import write_documents
    from appeals.rules.practice import load_practice
    from appeals.workbooks.summary import write_summary

    out_dir = Path(out_dir)
    today = today or dt.date.today()
    if out_dir.exists() and not force and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise OutputError(
            "the output folder already exists and is not empty", file=out_dir,
            fix="choose another folder with -o, or pass --force to replace it",
        )
    practice_info = load_practice(practice)
    payer_rules = load_payer_rules(payers)
    classified, loaded, log_report = classify_files(
        paths, sheet=sheet, columns=columns, denial_map=denial_map, payer_rules=payer_rules,
        infusion_log=infusion_log,
    )
    if on_total is not None:
        on_total(documents_needed(classified))
    target = out_dir.resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise _output_error(exc, out_dir) from None
    try:
        documents = write_documents(
            classified, staging, templates_dir=templates, practice=practice_info,
            letterhead=letterhead, today=today, workers=workers, progress=progress,
            payer_rules=payer_rules,
        )
        totals = {
            "lines_read": loaded.rows_read,
            "lines_classified": len(classified),
            "rows_rejected": len(loaded.rejected),
        }
        rejected = loaded.rejected
        log_rejected = log_report.get("rejected")
        if log_rejected is not None and len(log_rejected):
            totals["infusion_log_rows_rejected"] = len(log_rejected)
            # Infusion-log rows are not export lines: listed with the rejected rows, but kept
            # out of the lines-read count.
            rejected = pd.concat(
                [rejected, conform_rejected(log_report["rejected"])], ignore_index=True
            )
        write_summary(
            staging / "summary.xlsx", classified, rejected, documents,
            today=today, totals=totals,
        )
        counts = dict(totals, statuses=classified["status"].value_counts().sort_index().to_dict())
        write_manifest(staging, build_manifest(
            today=today, inputs=loaded.reports, counts=counts, out_dir=staging,
            rules={
                "denial_map": denial_map_path(denial_map),
                "payers": Path(payers) if payers else data_path("payers.csv"),
                "templates": templates_dir(templates),
                "practice": Path(practice) if practice else None,
                "letterhead": Path(letterhead) if letterhead else None,
                "infusion_log": Path(infusion_log) if infusion_log else None,
            },
        ))
        _replace(staging, target)
    except OutputError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        # render and report name the staging folder, which is gone: name the real one
        if exc.file and exc.file.startswith(str(staging)):
            exc.file = str(out_dir) + exc.file[len(str(staging)):]
        raise
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise _output_error(exc, out_dir) from None
    except BaseException:
        # Ctrl-C, a crash: the previous output stays as it was and no half files are left
        shutil.rmtree(staging, ignore_errors=True)
        raise
    letters = int((documents["letter"] != "").sum()) if len(documents) else 0
    worksheets = int((documents["worksheet"] != "").sum()) if len(documents) else 0
    placeholders = (
        int(documents["placeholders"].map(lambda s: len([p for p in s.split(";") if p])).sum())
        if len(documents) else 0
    )
    denied = classified[classified["status"] == "denied"]
    return RunSummary(
        out_dir=out_dir,
        lines_read=loaded.rows_read,
        rows_rejected=len(loaded.rejected),
        statuses={k: int(v) for k, v in classified["status"].value_counts().items()},
        patterns={k: int(v) for k, v in denied["pattern"].value_counts().items()},
        letters=letters,
        worksheets=worksheets,
        placeholders=placeholders,
        files=loaded.reports,
        log=log_report,
        rejected=loaded.rejected,
    )


def _output_error(exc: OSError, out_dir: Path) -> OutputError:
    """An OSError met while writing the output, as one message naming the folder."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        what, fix = "the disk is full", "free some space (or choose another disk with -o) and run again"
    else:
        what = f"cannot write the output ({exc.strerror or exc})"
        fix = "check that the folder's parent exists and is writable, or choose another with -o"
    return OutputError(f"{what}; nothing was changed in the folder", file=out_dir, fix=fix)


def _replace(staging: Path, out_dir: Path) -> None:
    """Move the finished folder into place; the old one goes only once the new one is ready."""
    old = None
    if out_dir.exists() or out_dir.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        old.rmdir()  # a free, unique name beside the output
        os.replace(out_dir, old)
    try:
        os.replace(staging, out_dir)
    except BaseException:
        if old is not None:
            os.replace(old, out_dir)  # put the previous output back
        raise
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
