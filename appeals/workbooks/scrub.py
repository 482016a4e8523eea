"""The scrub workbook: the claims to fix first, then every line, the log join, rejected rows."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import xlsxwriter

from appeals.classify.records import added_text
from appeals.errors import OutputError
from appeals.workbooks.xlsx_table import clean_text

if TYPE_CHECKING:
    from appeals.jobs.scrub import ScrubResult

# (header, column, width); the worksheet link is added per claim.
_FIX_COLUMNS = (
    ("Claim", "claim_id", 12), ("Patient", "patient_name", 22), ("Payer", "payer_name", 22),
    ("DOS", "service_date", 11), ("POS", "place_of_service", 5), ("Code", "procedure_code", 8),
    ("Modifiers", "modifiers", 10), ("Units", "units", 6), ("Problem", "pattern", 22),
    ("Why", "evidence", 70), ("Fix", "correction", 45),
    ("Corrected code", "corrected_procedure_code", 10),
    ("Corrected modifiers", "corrected_modifiers", 10), ("Corrected units", "corrected_units", 9),
    ("Remove line", "remove_line", 8), ("Add lines", "add_lines", 16),
    ("Start", "infusion_start", 7), ("Stop", "infusion_stop", 7), ("Sites", "sites", 6),
)  # fmt: skip
_ALL_COLUMNS = (
    ("Source", "source_file", 18), ("Row", "source_row", 6), ("Claim", "claim_id", 12),
    ("DOS", "service_date", 11), ("Code", "procedure_code", 8), ("Modifiers", "modifiers", 10),
    ("Units", "units", 6), ("Status", "status", 8), ("Problem", "pattern", 22),
    ("Start", "infusion_start", 7), ("Stop", "infusion_stop", 7), ("Sites", "sites", 6),
    ("Route", "admin_route", 6), ("Product", "product", 12),
)  # fmt: skip


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%m/%d/%Y")
    if isinstance(value, float) and value == int(value):
        return int(value)
    if isinstance(value, tuple):  # added lines: typed records, shown in words
        return clean_text(added_text(value))
    return clean_text(value) if isinstance(value, str) else value


def _table(ws: Any, frame: pd.DataFrame, columns: tuple, bold: Any) -> None:
    for c, (header, _, width) in enumerate(columns):
        ws.write(0, c, header, bold)
        ws.set_column(c, c, width)
    for r, row in enumerate(frame[[col for _, col, _ in columns]].itertuples(index=False), 1):
        for c, value in enumerate(row):
            ws.write(r, c, _cell(value))
    ws.freeze_panes(1, 0)
    if len(frame):
        ws.autofilter(0, 0, len(frame), len(columns) - 1)


def write_scrub_workbook(path: Path, result: ScrubResult, documents: pd.DataFrame) -> None:
    """Write ``path``: Fix before sending, All lines, Infusion log, Rejected rows."""
    try:
        # temporary files stay beside the workbook (the staging folder), never in $TMPDIR
        book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                               "strings_to_urls": False,
                                               "tmpdir": str(Path(path).parent)})  # fmt: skip
    except OSError as exc:
        raise OutputError(f"cannot write the workbook ({exc.strerror})", file=path) from None
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    fix = book.add_worksheet("Fix before sending")
    flagged = result.flagged.sort_values(["claim_id", "source_row"], kind="stable")
    _table(fix, flagged, _FIX_COLUMNS, bold)
    links = dict(zip(documents["claim_id"], documents["worksheet"], strict=True))
    last = len(_FIX_COLUMNS)
    fix.write(0, last, "Worksheet", bold)
    fix.set_column(last, last, 30)
    fix.set_column(9, 10, None, wrap)
    for r, claim in enumerate(flagged["claim_id"], 1):
        if links.get(claim):
            fix.write_url(r, last, "external:" + links[claim], string=links[claim])
    if flagged.empty:
        fix.write(1, 0, "No claim needs fixing: every charge line passed the scrub.")

    _table(book.add_worksheet("All lines"), result.lines, _ALL_COLUMNS, bold)

    log = book.add_worksheet("Infusion log")
    log.set_column(0, 0, 100)
    if result.log is None:
        log.write(0, 0, "No infusion log given: units were checked against the times and "
                        "sites on the charge lines only.")  # fmt: skip
    else:
        row = 0
        for line in result.log.summary():
            log.write(row, 0, clean_text(line))
            row += 1
        unmatched = result.log.unmatched_log
        if len(unmatched):
            row += 1
            log.write(row, 0, "Log rows that matched no claim", bold)
            for item in unmatched.itertuples(index=False):
                row += 1
                log.write(row, 0, f"row {item.source_row} ({item.claim_id or item.member_id}, "
                                  f"{_cell(item.service_date)}): {item.reason}")  # fmt: skip

    rejected = book.add_worksheet("Rejected rows")
    columns = tuple((name.replace("_", " ").capitalize(), name, 20) for name in result.rejected)
    _table(rejected, result.rejected, columns, bold)
    try:
        book.close()
    except OSError as exc:
        raise OutputError(f"cannot write the workbook ({exc.strerror})", file=path) from None
