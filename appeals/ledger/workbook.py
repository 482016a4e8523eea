"""``ledger_queue.xlsx``: the ledger's open items by deadline and a Dashboard of what denials cost."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

import xlsxwriter

from appeals.ledger.queue import QUEUE_FIELDS

_MONEY = ("billed_amount", "denied_amount", "recovered_amount", "written_off_amount")
_DATES = ("service_date", "deadline", "submitted_on")


def write_queue_workbook(
    path: Path, queue_rows: list[dict[str, Any]], figures: dict[str, Any], *, today: dt.date
) -> None:
    """Write the workbook beside the run's output (a temporary file renamed into place)."""
    handle, tmp = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(handle)
    try:
        book = xlsxwriter.Workbook(tmp, {"remove_timezone": True})
        formats = {
            "head": book.add_format({"bold": True, "bg_color": "#DDEBF7"}),
            "date": book.add_format({"num_format": "yyyy-mm-dd"}),
            "money": book.add_format({"num_format": "#,##0.00"}),
            "late": book.add_format({"font_color": "#C00000", "bold": True}),
        }
        _queue_sheet(book, queue_rows, formats, today)
        _dashboard(book, figures, formats)
        book.close()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _queue_sheet(book: Any, rows: list[dict[str, Any]], f: dict[str, Any], today: dt.date) -> None:
    sheet = book.add_worksheet("Queue")
    columns = [c for c in QUEUE_FIELDS if c != "id"] + ["days_left", "past_due"]
    sheet.write_row(0, 0, columns, f["head"])
    for r, row in enumerate(rows, start=1):
        for c, name in enumerate(columns):
            value = row.get(name)
            if name in _DATES and value:
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), f["date"])
            elif name in _MONEY and value is not None:
                sheet.write_number(r, c, value, f["money"])
            elif name == "past_due":
                sheet.write(r, c, "PAST DUE" if value else "", f["late"] if value else None)
            elif value is not None:
                sheet.write(r, c, value)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    sheet.set_column(0, len(columns) - 1, 14)
    sheet.write(len(rows) + 2, 0, f"Open items as of {today.isoformat()}: {len(rows)}")


def _dashboard(book: Any, figures: dict[str, Any], f: dict[str, Any]) -> None:
    sheet = book.add_worksheet("Dashboard")
    row = 0
    for dim in ("payer", "pattern", "route", "month"):
        table = figures.get(f"by_{dim}", [])
        names = [dim, "lines", "denied", "denial_rate", "denied_amount", "recovered_amount",
                 "written_off_amount"] + (["overturn_rate", "days_to_resolution"] if dim != "month" else [])
        sheet.write_row(row, 0, names, f["head"])
        for i, entry in enumerate(table, start=1):
            sheet.write_row(row + i, 0, [entry.get(n) if entry.get(n) is not None else "" for n in names])
        if table:
            chart = book.add_chart({"type": "column"})
            for col, label in ((4, "Denied $"), (5, "Recovered $")):
                chart.add_series({
                    "name": label,
                    "categories": ["Dashboard", row + 1, 0, row + len(table), 0],
                    "values": ["Dashboard", row + 1, col, row + len(table), col],
                })
            chart.set_title({"name": f"Denied and recovered by {dim}"})
            sheet.insert_chart(row, len(names) + 1, chart, {"x_scale": 0.9, "y_scale": 0.8})
        row += max(len(table) + 3, 17)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 8, 14)
