"""The work-queue workbook (``summary.xlsx``): one row per input line, sorted by deadline.

Written with XlsxWriter in ``constant_memory`` mode: rows go out in order and are flushed as
they are written, so memory stays flat at 100,000+ lines (see shared measurements, table C).

Dollars at stake: for ``denied`` and ``needs_review`` lines, billed minus paid (paid absent
counts as 0, never below 0); blank when the billed amount is unknown; 0 for every other
status. Allowed is not used because denied lines usually carry an allowed amount of 0 or
none at all, which would understate exactly the lines the queue is about.

Every value that comes from the input is written with ``write_string``: a patient named
``=HYPERLINK(...)`` stays text, never a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from appeals.errors import OutputError
from appeals.rules.payers import load_payer_rules
from appeals.schema import CLASSIFIED_COLUMNS, LIST_FIELDS, TEXT_FIELDS, claim_keys, conform
from appeals.workbooks.dashboard import DASHBOARD, totals_rows, write_dashboard
from appeals.workbooks.xlsx_table import FORMATS, Formats, write_table

WORK_QUEUE = "Work queue"
REJECTED = "Rejected"

ACTIONABLE = ("denied", "needs_review")
SOON_DAYS = 14


_TEXT = frozenset(TEXT_FIELDS + LIST_FIELDS + CLASSIFIED_COLUMNS) - {
    "corrected_units",
    "deadline",
    "past_due",
    "add_lines",
}
# Who does what, per route: the queue row is the only document for the last four.
NEXT_STEPS = {
    "reopening": "Ask the MAC to reopen the claim (portal or IVR): key in the worksheet's fields",
    "redetermination": "Send the redetermination letter, signed, with its enclosures",
    "reconsideration": "Send the reconsideration letter to the plan's appeals address",
    "corrected_claim": "Send a replacement claim (frequency 7 with the payer's claim number) "
    "from the worksheet",
    "new_claim": "Send a new claim (frequency 1) with only the worksheet's lines",
    "other_supplier": "Nothing to send from this office: another supplier bills it (see "
    "evidence); tell them",
    "patient_responsibility": "Bill the patient per plan rules (Medicare medical necessity: "
    "only with a valid ABN)",
    "no_action": "Adjust the line off; nothing to send",
    "review": "Review: no documented pattern explains the denial",
}
QUEUE_ROWS = 1_048_575  # rows per work-queue sheet: Excel's limit, less the header


# (header, source, kind, max width). Kinds: text, date, int, number, money, link.
_QUEUE_COLUMNS: tuple[tuple[str, str, str, int], ...] = (
    ("Past due", "past_due_text", "text", 9),
    ("Deadline", "deadline", "date", 11),
    ("Days left", "days_left", "int", 9),
    ("Deadline basis", "deadline_basis", "text", 34),
    ("Status", "status", "text", 13),
    ("Route", "route", "text", 16),
    ("Next step", "next_step", "text", 40),
    ("Pattern", "pattern", "text", 22),
    ("All patterns", "patterns", "text", 24),
    ("Fix", "action", "text", 12),
    ("Payer type", "payer_type", "text", 14),
    ("Claim type", "claim_type", "text", 12),
    ("Claim ID", "claim_id", "text", 18),
    ("Payer claim #", "payer_claim_number", "text", 18),
    ("Patient", "patient_name", "text", 24),
    ("Member ID", "member_id", "text", 16),
    ("Payer", "payer_display", "text", 24),
    ("DOS", "service_date", "date", 11),
    ("POS", "place_of_service", "text", 5),
    ("Code", "procedure_code", "text", 8),
    ("Modifiers", "modifiers", "text", 10),
    ("Units", "units", "number", 7),
    ("Billed", "billed_amount", "money", 12),
    ("Paid", "paid_amount", "money", 12),
    ("At stake", "at_stake", "money", 12),
    ("CARCs", "carcs", "text", 12),
    ("RARCs", "rarcs", "text", 12),
    ("Evidence", "evidence", "text", 60),
    ("Proposed correction", "correction", "text", 40),
    ("Placeholders to fill", "placeholders", "text", 30),
    ("Letter", "letter", "link", 30),
    ("Worksheet", "worksheet", "link", 30),
    ("Source file", "source_file", "text", 30),
    ("Source sheet", "source_sheet", "text", 14),
    ("Source row", "source_row", "int", 10),
)

_DERIVED = ("days_left", "payer_display", "at_stake", "letter", "worksheet", "placeholders",
            "past_due_text", "next_step")
_LINE_SOURCES = tuple(
    [src for _, src, _, _ in _QUEUE_COLUMNS if src not in _DERIVED]
    + ["payer_name", "payer", "past_due"]
)

_REJECTED_COLUMNS: tuple[tuple[str, str, str, int], ...] = (
    ("File", "source_file", "text", 30),
    ("Sheet", "source_sheet", "text", 14),
    ("Row", "source_row", "int", 8),
    ("Column", "column", "text", 18),
    ("Value", "value", "text", 30),
    ("Code", "code", "text", 18),
    ("Reason", "reason", "text", 70),
)



def _canonical(classified: pd.DataFrame, name: str) -> pd.Series:
    """One input column with its schema dtype, reusing text that is already ``str``."""
    if name in classified.columns:
        col = classified[name]
        # Text must be object dtype already; pandas' "str" dtype may hold NA and gets conformed.
        if col.dtype == object if name in _TEXT else col.dtype.kind in "Mfi":
            return col
    # Conform only what needs it: a str->object round trip would copy every string.
    source = classified.loc[:, [name]] if name in classified.columns else classified.iloc[:, :0]
    return conform(source, [name])[name]


def _prepare(
    classified: pd.DataFrame, docs: pd.DataFrame, today: dt.date
) -> tuple[pd.DataFrame, np.ndarray]:
    """The work-queue columns (input order) and the row order to write them in."""
    columns = {name: _canonical(classified, name).to_numpy() for name in _LINE_SOURCES}
    frame = pd.DataFrame(columns, copy=False)  # no copy of the caller's text columns
    # documents belong to a claim (id + payer + member), not to a claim id
    key = pd.Series(claim_keys(classified).to_numpy(), index=frame.index)
    for name in ("letter", "worksheet", "placeholders"):
        frame[name] = key.map(docs[name]).astype(object).fillna("")
    deadline = frame["deadline"].dt.normalize()
    frame["claim_code"] = pd.factorize(key)[0]  # ints: cheap to count per group
    frame["days_left"] = (deadline - pd.Timestamp(today)).dt.days
    frame["payer_display"] = frame["payer_name"].where(frame["payer_name"] != "", frame["payer"])
    stake = (frame["billed_amount"] - frame["paid_amount"].fillna(0.0)).clip(lower=0.0)
    frame["open_line"] = frame["status"].isin(ACTIONABLE)  # the lines to work: live links
    frame["at_stake"] = stake.where(frame["open_line"], 0.0)
    frame["past_due_text"] = np.where(frame["past_due"].astype(bool), "PAST DUE", "")
    frame["next_step"] = frame["route"].map(NEXT_STEPS).astype(object).fillna("")
    frame["on_time"] = ~frame["past_due"].astype(bool)
    # Past-due items first, then by deadline; NaT last; ties broken so the output is
    # deterministic.
    keys = ["on_time", "deadline", "claim_id", "source_file", "source_row"]
    order = frame[keys].sort_values(keys, kind="stable", na_position="last").index.to_numpy()
    return frame, order


def _documents(documents: pd.DataFrame | None) -> pd.DataFrame:
    cols = ["letter", "worksheet", "placeholders"]
    if documents is None or len(documents) == 0:
        return pd.DataFrame(columns=cols, dtype=object)
    docs = documents.copy()
    for name in ["claim_id", "claim_key", *cols]:
        docs[name] = docs[name].fillna("").astype(str) if name in docs else ""
    docs["key"] = claim_keys(docs)
    docs = docs[docs["key"] != ""].drop_duplicates("key", keep="first")
    return docs.set_index("key")[cols]



def write_summary(
    path: str | PathLike[str],
    classified: pd.DataFrame,
    rejected: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    *,
    today: dt.date,
    totals: dict[str, Any] | None = None,
    payer_names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Write ``summary.xlsx``: sheets "Work queue", "Dashboard" and "Rejected".

    ``documents`` has one row per claim with a document: ``claim_id``, ``letter`` and
    ``worksheet`` (paths relative to the workbook's folder, or ""), ``placeholders``
    (``;``-joined). ``today`` fixes "days left" and the file's created date, so the same
    input gives the same bytes. Returns what was written.
    """
    path = Path(path)
    if isinstance(today, dt.datetime):  # a time of day would shift "days left"
        today = today.date()
    docs = _documents(documents)
    frame, order = _prepare(classified, docs, today)
    book = _open_book(path, dt.datetime.combine(today, dt.time()))
    fmt: Formats = {name: book.add_format(spec) for name, spec in FORMATS.items()}
    # Excel stops at 1,048,576 rows: a longer queue continues on "Work queue (2)", ...
    parts = [order[i:i + QUEUE_ROWS] for i in range(0, len(order), QUEUE_ROWS)] or [order]
    queues, dash, rej = _add_sheets(book, len(parts))
    links = _write_queues(queues, parts, frame, fmt)
    rejected_rows = _write_rejected(rej, rejected, fmt)
    read_totals = totals_rows(totals, len(frame), len(rejected))
    frame["payer_label"] = _payer_labels(frame["payer"], payer_names)
    dash_rows, chart = write_dashboard(book, dash, frame, docs, read_totals, today, fmt)
    _close(book, path)
    return {
        "path": str(path),
        "work_queue_rows": len(frame),
        "work_queue_sheets": len(queues),
        "rejected_rows": rejected_rows,
        "dashboard_rows": dash_rows,
        "chart": chart,
        "links": links["links"],
        "links_as_text": links["as_text"],
    }


def _add_sheets(book: Any, queues: int) -> tuple[list[Any], Any, Any]:
    """The work-queue sheet(s), Dashboard and Rejected in this order; all but the Dashboard
    print landscape, one page wide, with the header on every page."""
    sheets = [book.add_worksheet(WORK_QUEUE if k == 0 else f"{WORK_QUEUE} ({k + 1})")
              for k in range(queues)]
    dash = book.add_worksheet(DASHBOARD)
    rej = book.add_worksheet(REJECTED)
    sheets[0].activate()
    for sheet in (*sheets, rej):
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
    return sheets, dash, rej


def _write_queues(queues: list[Any], parts: list[np.ndarray], frame: pd.DataFrame,
                  fmt: Formats) -> dict[str, int]:
    links = {"links": 0, "as_text": 0}
    for queue, part in zip(queues, parts, strict=True):
        stats = write_table(queue, _QUEUE_COLUMNS, frame, part, fmt, link_rows="open_line")
        links = {k: links[k] + stats[k] for k in links}
        if len(part):
            _highlight(queue, len(part), len(_QUEUE_COLUMNS) - 1, fmt)
    return links


def _payer_labels(payers: pd.Series, payer_names: Mapping[str, str] | None) -> pd.Series:
    """"Medicare Part B", not "medicare"; "(unknown)" when the payer was not resolved."""
    if payer_names is None:
        payer_names = {k: r.display_name for k, r in load_payer_rules().rules.items()}
    names = payer_names
    return payers.map(lambda k: names.get(k, k) or "(unknown)")


def _close(book: Any, path: Path) -> None:
    try:
        book.close()
    except (OSError, XlsxWriterException) as exc:
        raise OutputError(
            f"cannot write the work-queue workbook: {exc}",
            file=path,
            fix="check that the folder exists, is writable and the file is not open in Excel",
        ) from exc


def _open_book(path: Path, created: dt.datetime) -> Any:
    if not path.parent.is_dir():  # XlsxWriter's temporary files go there from the start
        raise OutputError(
            "cannot write the work-queue workbook: its folder does not exist", file=path,
            fix="create the folder first, or choose another with -o",
        )
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            # Its temporary files hold patient data: keep them in the (staging) folder the
            # workbook goes to, never in $TMPDIR where an interrupted run would leave them.
            "tmpdir": str(path.parent),
            # Input text is data: never let XlsxWriter turn it into formulas, URLs or numbers.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    book.set_properties({"title": "Appeals work queue", "created": created})
    return book


def _highlight(ws: Any, n: int, last_col: int, fmt: Formats) -> None:
    """Overdue and due-soon denials, by rule: one rule, not 100,000 cell fills."""
    sources = [src for _, src, _, _ in _QUEUE_COLUMNS]
    status = chr(ord("A") + sources.index("status"))
    days = chr(ord("A") + sources.index("days_left"))
    open_line = f'OR(${status}2="denied",${status}2="needs_review"),ISNUMBER(${days}2)'
    for criteria, cell_format in (
        (f"=AND({open_line},${days}2<0)", fmt["overdue"]),
        (f"=AND({open_line},${days}2<={SOON_DAYS})", fmt["soon"]),
    ):
        rule = {"type": "formula", "criteria": criteria, "format": cell_format}
        ws.conditional_format(1, 0, n, last_col, {**rule, "stop_if_true": True})


def _write_rejected(ws: Any, rejected: pd.DataFrame, fmt: Formats) -> int:
    frame = pd.DataFrame(index=range(len(rejected)))
    for _, src, kind, _ in _REJECTED_COLUMNS:
        col = rejected[src].to_numpy() if src in rejected else ""
        frame[src] = col if kind == "int" else pd.Series(col, dtype=object).fillna("")
    write_table(ws, _REJECTED_COLUMNS, frame, np.arange(len(frame)), fmt)
    if len(frame) == 0:
        ws.write_string(1, 0, "No rows were rejected")
    return len(frame)

