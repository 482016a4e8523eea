"""The main job: load → classify → render, written atomically into one output folder."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from appeals.classify.classifier import classify
from appeals.jobs.manifest import build_manifest, write_manifest
from appeals.jobs.output import check_out_dir, resolve_out_dir, staged_output
from appeals.readers.base import FileReport
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
    files: list[FileReport] = field(default_factory=list)
    log: dict[str, Any] = field(default_factory=dict)
    rejected: pd.DataFrame = field(default_factory=empty_rejected)  # export rows, with reasons
    notes: list[str] = field(default_factory=list)  # e.g. stale staging that was removed
    warnings: list[str] = field(default_factory=list)  # across files: repeats, shared claim ids
    ledger: dict[str, Any] | None = None  # what --ledger recorded (appeals.ledger.hook)
    # The classified lines and the documents written (claim_id, letter, worksheet,
    # placeholders): what the web page serves its queue from and re-renders a claim with.
    classified: pd.DataFrame | None = None
    documents: pd.DataFrame | None = None
    routes: dict[str, int] = field(default_factory=dict)  # open lines per route
    past_due: int = 0  # open lines whose route's deadline has passed


def classify_files(
    paths: Iterable[str | Path],
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    denial_map: str | Path | None = None,
    payers: str | Path | None = None,
    infusion_log: str | Path | None = None,
    payer_rules: PayerRules | None = None,
    today: dt.date | None = None,
    claim_type: str = "",
) -> tuple[pd.DataFrame, LoadResult, dict[str, Any]]:
    """Load and classify; returns (classified lines, the load result, infusion-log report)."""
    payer_rules = payer_rules or load_payer_rules(payers)
    rules = load_denial_map(denial_map)
    loaded = load_files(paths, sheet=sheet, columns=columns, payer_rules=payer_rules)
    log_report: dict[str, Any] = {}
    lines = loaded.lines
    if infusion_log is not None:
        # deferred, as the render imports below: classify and check load this module too
        from appeals.readers.infusion_join import join_infusion_log
        from appeals.readers.infusion_log import read_infusion_log

        log = read_infusion_log(infusion_log)
        lines, join = join_infusion_log(lines, log)
        log_report = {"summary": join.summary(), "rejected": log.rejected, "join": join}
    classified = classify(lines, rules=rules, payer_rules=payer_rules, today=today,
                          claim_type=claim_type)
    return classified, loaded, log_report


def documents_needed(classified: pd.DataFrame) -> int:
    """How many DOCX files a run will write (for a truthful progress bar)."""
    from appeals.render.documents import count_documents  # jinja2/lxml only when rendering

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
    ledger: str | Path | None = None,
    redraft: bool = False,
    fills: Mapping[str, Mapping[str, str]] | None = None,
    workbook: bool = True,
) -> RunSummary:
    """Write letters/, worksheets/ and summary.xlsx into ``out_dir``.

    Everything is written into a private staging folder first and moved into place at the
    end (see ``appeals.jobs.output``), so an interrupted run leaves any previous output
    untouched and no half files; ``force`` replaces only an earlier run's output.
    """
    # deferred: `appeals classify` and `check` import this module and never write documents
    from appeals.render.documents import write_documents
    from appeals.rules.practice import load_practice

    out_dir, today, paths = Path(out_dir), today or dt.date.today(), list(paths)
    target = resolve_out_dir(out_dir)
    rule_files = {"denial_map": denial_map, "payers": payers, "templates": templates,
                  "practice": practice, "letterhead": letterhead, "infusion_log": infusion_log}
    # A bad ledger (not one, newer, locked, unreachable) stops the run before any output;
    # its transaction commits only once the output folder is in place.
    with staged_output(target, out_dir) as stage, _ledger_run(ledger, paths, redraft) as book:
        _check_out_dir(out_dir, target, paths, rule_files, ledger, force)
        practice_info, payer_rules = load_practice(practice), load_payer_rules(payers)
        classified, loaded, log_report = classify_files(
            paths, sheet=sheet, columns=columns, denial_map=denial_map, payer_rules=payer_rules,
            infusion_log=infusion_log, today=today, claim_type=practice_info.claim_type,
        )
        if on_total is not None:
            on_total(documents_needed(classified))
        staging = stage.path
        documents = write_documents(
            book.to_draft(classified) if book else classified, staging, templates_dir=templates,
            practice=practice_info, letterhead=letterhead, today=today, workers=workers,
            progress=progress, payer_rules=payer_rules, fills=fills,
        )
        rejected, totals = _rejected_and_totals(loaded, classified, log_report)
        recorded = book.record(classified, documents, staging, out_dir=out_dir, today=today,
                               payer_rules=payer_rules) if book else None
        if workbook:  # the web page writes it when first downloaded instead
            _write_workbook(staging, classified, rejected, documents, today, totals, payer_rules)
        _write_run_manifest(staging, today, loaded, classified, totals, rule_files)
        stage.commit()
    return _run_summary(out_dir, loaded, classified, documents, log_report, stage.notes, recorded)


def _check_out_dir(out_dir: Path, target: Path, paths: list[Any],
                   rule_files: dict[str, str | Path | None], ledger: str | Path | None,
                   force: bool) -> None:
    """Refuse an output folder that holds an input, or another program's files."""
    ledger_file = ledger if ledger and "://" not in str(ledger) else None  # never inside -o
    given = [*paths, *(p for p in (*rule_files.values(), ledger_file) if p is not None)]
    check_out_dir(out_dir, target, given, force=force, job="run")


def _rejected_and_totals(loaded: LoadResult, classified: pd.DataFrame,
                         log_report: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The rejected rows the work queue lists and the run's totals."""
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
    return rejected, totals


def _write_workbook(staging: Path, classified: pd.DataFrame, rejected: pd.DataFrame,
                    documents: pd.DataFrame, today: dt.date, totals: dict[str, Any],
                    payer_rules: PayerRules) -> None:
    from appeals.workbooks.summary import write_summary  # deferred, as write_documents

    write_summary(
        staging / "summary.xlsx", classified, rejected, documents,
        today=today, totals=totals,
        payer_names={k: r.display_name for k, r in payer_rules.rules.items()},
    )


def _write_run_manifest(staging: Path, today: dt.date, loaded: LoadResult,
                        classified: pd.DataFrame, totals: dict[str, Any],
                        rule_files: dict[str, str | Path | None]) -> None:
    counts = dict(totals, statuses=classified["status"].value_counts().sort_index().to_dict())
    given = {k: Path(v) if v else None for k, v in rule_files.items()}
    write_manifest(staging, build_manifest(
        today=today, inputs=loaded.reports, counts=counts, out_dir=staging,
        rules={
            "denial_map": denial_map_path(rule_files["denial_map"]),
            "payers": given["payers"] or data_path("payers.csv"),
            "templates": templates_dir(rule_files["templates"]),
            "practice": given["practice"],
            "letterhead": given["letterhead"],
            "infusion_log": given["infusion_log"],
        },
    ))


def _run_summary(out_dir: Path, loaded: LoadResult, classified: pd.DataFrame,
                 documents: pd.DataFrame, log_report: dict[str, Any], notes: list[str],
                 recorded: dict[str, Any] | None) -> RunSummary:
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
        notes=notes,
        warnings=loaded.warnings,
        ledger=recorded,
        classified=classified,
        documents=documents,
        routes={k: int(v) for k, v in classified.loc[classified["route"] != "", "route"]
                .value_counts().items()},
        past_due=int(classified["past_due"].sum()),
    )


def _ledger_run(target: str | Path | None, paths: list[Any], redraft: bool) -> Any:
    if target is None:
        return contextlib.nullcontext()
    # SQLAlchemy and the migrations load only for a run that keeps a ledger
    from appeals.ledger.hook import LedgerRun

    return LedgerRun.open(target, paths, redraft=redraft)

