"""The Dashboard sheet of ``summary.xlsx``: run totals, then lines, claims and dollars at
stake by status, by pattern and by payer, with a chart of dollars by pattern."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from appeals.workbooks.xlsx_table import EXCEL_EPOCH, Formats, header, put

DASHBOARD = "Dashboard"


def totals_rows(
    totals: dict[str, Any] | None, classified: int, rejected: int
) -> list[tuple[str, Any]]:
    given = dict(totals or {})
    merged = {
        "lines_read": given.pop("lines_read", classified + rejected),
        "lines_classified": given.pop("lines_classified", classified),
        "rows_rejected": given.pop("rows_rejected", rejected),
        **given,
    }
    return [(str(k).replace("_", " ").capitalize(), v) for k, v in merged.items()]


def _breakdown(frame: pd.DataFrame, key: pd.Series) -> list[list[Any]]:
    """[label, lines, claims, dollars at stake] rows, largest dollars first."""
    if len(frame) == 0:
        return []
    table = (
        pd.DataFrame(
            {
                "key": key.to_numpy(),
                "claim": frame["claim_code"].to_numpy(),
                "stake": frame["at_stake"].to_numpy(),
            }
        )
        .groupby("key", sort=True)
        .agg(lines=("claim", "size"), claims=("claim", "nunique"), stake=("stake", "sum"))
        .reset_index()
        .sort_values(["stake", "lines", "key"], ascending=[False, False, True], kind="stable")
    )
    return [
        [str(k), int(a), int(b), round(float(s), 2)] for k, a, b, s in table.itertuples(index=False)
    ]


def write_dashboard(
    book: Any,
    ws: Any,
    frame: pd.DataFrame,
    docs: pd.DataFrame,
    run_totals: list[tuple[str, Any]],
    today: dt.date,
    fmt: Formats,
) -> tuple[int, bool]:
    ws.set_column(0, 0, 34)
    ws.set_column(1, 3, 14)
    ws.write_string(0, 0, "Appeals work queue", fmt["title"])
    put(ws, 1, ["As of", (pd.Timestamp(today) - EXCEL_EPOCH).days], [None, fmt["date"]])
    ws.write_string(3, 0, "Run totals", fmt["bold"])
    run_totals = run_totals + [
        ("Letters", int((docs["letter"] != "").sum())),
        ("Worksheets", int((docs["worksheet"] != "").sum())),
        ("Claims with placeholders to fill", int((docs["placeholders"] != "").sum())),
    ]
    for row, pair in enumerate(run_totals, start=4):
        put(ws, row, pair)
    row = 5 + len(run_totals)

    work = frame[frame["open_line"]]
    tables = [
        ("Status", "all lines", _breakdown(frame, frame["status"].replace("", "(none)"))),
        (
            "Pattern",
            "denied and needs review",
            _breakdown(work, work["pattern"].replace("", "(no pattern)")),
        ),
        (
            "Payer",
            "denied and needs review",
            _breakdown(work, work["payer_label"]),  # "Medicare Part B", not "medicare"
        ),
    ]
    span: tuple[int, int] | None = None
    for label, scope, table in tables:
        ws.write_string(row, 0, f"By {label.lower()} ({scope})", fmt["bold"])
        header(ws, [label, "Lines", "Claims", "At stake"], fmt, row + 1)
        row += 2
        for values in table or [["(none)"]]:
            put(ws, row, values, [None, None, None, fmt["money"]])
            row += 1
        if label == "Pattern" and table:
            span = (row - len(table), row - 1)
        row += 1
    if span is None:
        return row, False
    ws.insert_chart(3, 5, _pattern_chart(book, span))
    return row, True


def _pattern_chart(book: Any, span: tuple[int, int]) -> Any:
    """Dollars at stake per pattern, from the dashboard's pattern table rows ``span``."""
    chart = book.add_chart({"type": "bar"})
    chart.add_series({
        "name": "Dollars at stake",
        "categories": [DASHBOARD, span[0], 0, span[1], 0],
        "values": [DASHBOARD, span[0], 3, span[1], 3],
        "data_labels": {"value": True, "num_format": "#,##0"},
    })  # fmt: skip
    chart.set_title({"name": "Dollars at stake by pattern"})
    chart.set_legend({"none": True})
    chart.set_y_axis({"reverse": True})  # largest first, reading down as in the table
    chart.set_size({"width": 640, "height": 80 + 28 * (span[1] - span[0] + 1)})
    return chart
