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
import re
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from appeals.errors import OutputError
from appeals.schema import CLASSIFIED_COLUMNS, LIST_FIELDS, TEXT_FIELDS, claim_keys, conform

WORK_QUEUE = "Work queue"
DASHBOARD = "Dashboard"
REJECTED = "Rejected"

ACTIONABLE = ("denied", "needs_review")
SOON_DAYS = 14
EXCEL_MAX_CHARS = 32_767  # per cell, counted in UTF-16 units
_EXCEL_MAX_URLS = 65_530  # hyperlinks per worksheet
_EXCEL_MAX_URL_LEN = 2_079
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Serial 61 is 1900-03-01: Excel's phantom 1900-02-29 makes earlier serials wrong.
_MIN_SERIAL, _MAX_SERIAL = 61.0, 2_958_465.0

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
_CHUNK = 2_000  # rows turned into Python values at a time: bounds memory, not speed

# Characters an .xlsx cannot hold (XML 1.0 forbids them; Excel drops or mangles the rest).
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

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


def clean_text(value: str) -> str:
    """Drop characters Excel cannot store and cap at Excel's per-cell limit."""
    value = _BAD_CHARS.sub("", value)
    # Only strings longer than half the limit can exceed it in UTF-16 units.
    if len(value) > EXCEL_MAX_CHARS // 2:
        data = value.encode("utf-16-le")
        if len(data) > 2 * EXCEL_MAX_CHARS:
            data = data[: 2 * EXCEL_MAX_CHARS]
            if 0xD8 <= data[-1] <= 0xDB:  # do not split a surrogate pair
                data = data[:-2]
            value = data.decode("utf-16-le")
    return value


def _text_column(values: Sequence[Any]) -> list[str | None]:
    """Cleaned strings, ``None`` for empty cells (skipped: smaller file, faster write)."""
    out = ["" if v is None else str(v) for v in values]
    # Bad characters and huge cells are rare: look for them once per column, not per cell.
    if _BAD_CHARS.search("\n".join(out)) or max(map(len, out), default=0) > EXCEL_MAX_CHARS // 2:
        out = [clean_text(v) for v in out]
    return [v or None for v in out]


def _serials(dates: pd.Series) -> list[float | str | None]:
    """Excel date serials; dates Excel cannot show as dates become ISO text."""
    days = ((dates.dt.normalize() - _EXCEL_EPOCH) / pd.Timedelta(days=1)).to_numpy()
    out: list[Any] = [None if d != d else d for d in days.tolist()]
    for i in np.flatnonzero((days < _MIN_SERIAL) | (days > _MAX_SERIAL)):
        out[i] = dates.iloc[i].strftime("%Y-%m-%d")
    return out


def _numbers(values: pd.Series, as_int: bool = False) -> list[float | int | None]:
    arr = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    return [None if v != v else (int(v) if as_int else v) for v in arr.tolist()]


def _column_values(col: pd.Series, kind: str, linkable: list[bool]) -> list[Any]:
    if kind == "date":
        return _serials(col)
    if kind in ("int", "number", "money"):
        return _numbers(col, as_int=kind == "int")
    if kind == "link":
        # (target, shown text) on lines to work; other lines of the claim show the path only,
        # which keeps links (Excel allows 65,530 per sheet) for where they are needed.
        return [
            ((p, clean_text(p)) if ok else clean_text(p)) if p else None
            for p, ok in zip(col.tolist(), linkable, strict=True)
        ]
    return _text_column(col.tolist())


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
    classified: pd.DataFrame, documents: pd.DataFrame | None, today: dt.date
) -> tuple[pd.DataFrame, np.ndarray]:
    """The work-queue columns (input order) and the row order to write them in."""
    columns = {name: _canonical(classified, name).to_numpy() for name in _LINE_SOURCES}
    frame = pd.DataFrame(columns, copy=False)  # no copy of the caller's text columns
    docs = _documents(documents)
    # documents belong to a claim (id + payer + member), not to a claim id
    key = pd.Series(claim_keys(classified).to_numpy(), index=frame.index)
    for name in ("letter", "worksheet", "placeholders"):
        frame[name] = key.map(docs[name]).astype(object).fillna("")
    deadline = frame["deadline"].dt.normalize()
    frame["claim_code"] = pd.factorize(key)[0]  # ints: cheap to count per group
    frame["days_left"] = (deadline - pd.Timestamp(today)).dt.days
    frame["payer_display"] = frame["payer_name"].where(frame["payer_name"] != "", frame["payer"])
    stake = (frame["billed_amount"] - frame["paid_amount"].fillna(0.0)).clip(lower=0.0)
    frame["at_stake"] = stake.where(frame["status"].isin(ACTIONABLE), 0.0)
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


def _longest(values: list[Any], kind: str) -> int:
    if kind == "text":
        return max((len(v) for v in values if v), default=0)
    if kind == "link":
        return max((len(v if type(v) is str else v[1]) for v in values if v), default=0)
    return {"date": 10, "money": 10}.get(kind, 6)


_FORMATS = {
    "header": {"bold": True, "bg_color": "#D9E1F2", "border": 1},
    "title": {"bold": True, "font_size": 14},
    "bold": {"bold": True},
    "date": {"num_format": "mm/dd/yyyy"},
    "money": {"num_format": "#,##0.00"},
    "int": {"num_format": "0"},
    "number": {"num_format": "0.##"},
    "link": {"font_color": "blue", "underline": 1},
    "overdue": {"bg_color": "#F8CBAD", "font_color": "#9C0006"},
    "soon": {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
}
Formats = dict[str, Any]


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
    frame, order = _prepare(classified, documents, today)
    book = _open_book(path, dt.datetime.combine(today, dt.time()))
    fmt: Formats = {name: book.add_format(spec) for name, spec in _FORMATS.items()}
    # Excel stops at 1,048,576 rows: a longer queue continues on "Work queue (2)", ...
    parts = [order[i:i + QUEUE_ROWS] for i in range(0, len(order), QUEUE_ROWS)] or [order]
    queues = [book.add_worksheet(WORK_QUEUE if k == 0 else f"{WORK_QUEUE} ({k + 1})")
              for k in range(len(parts))]
    dash = book.add_worksheet(DASHBOARD)
    rej = book.add_worksheet(REJECTED)
    queues[0].activate()
    for sheet in (*queues, rej):  # printed: landscape, one page wide, the header on every page
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
    links = {"links": 0, "as_text": 0}
    for queue, part in zip(queues, parts, strict=True):
        stats = _write_table(queue, _QUEUE_COLUMNS, frame, part, fmt)
        links = {k: links[k] + stats[k] for k in links}
        if len(part):
            _highlight(queue, len(part), len(_QUEUE_COLUMNS) - 1, fmt)
    rejected_rows = _write_rejected(rej, rejected, fmt)
    read_totals = _run_totals(totals, len(frame), len(rejected))
    if payer_names is None:
        from appeals.rules.payers import load_payer_rules

        payer_names = {k: r.display_name for k, r in load_payer_rules().rules.items()}
    frame["payer_label"] = frame["payer"].map(lambda k: payer_names.get(k, k) or "(unknown)")
    dash_rows, chart = _write_dashboard(book, dash, frame, documents, read_totals, today, fmt)
    try:
        book.close()
    except (OSError, XlsxWriterException) as exc:
        raise OutputError(
            f"cannot write the work-queue workbook: {exc}",
            file=path,
            fix="check that the folder exists, is writable and the file is not open in Excel",
        ) from exc
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


def _header(ws: Any, headers: Sequence[str], fmt: Formats, row: int = 0) -> None:
    for c, name in enumerate(headers):
        ws.write_string(row, c, name, fmt["header"])


def _write_table(
    ws: Any,
    spec: Sequence[tuple[str, str, str, int]],
    frame: pd.DataFrame,
    order: np.ndarray,
    fmt: Formats,
) -> dict[str, int]:
    """Header, rows in ``order``, frozen header, filter and widths fitted to the data."""
    n = len(order)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, n, len(spec) - 1)
    _header(ws, [h for h, *_ in spec], fmt)
    kinds = [kind for _, _, kind, _ in spec]
    formats = [fmt.get(kind) for kind in kinds]
    widths = [len(h) for h, *_ in spec]
    stats = {"links": 0, "as_text": 0}
    # Python values for a chunk of rows at a time, so memory does not grow with the rows.
    for start in range(0, n, _CHUNK):
        part = frame.take(order[start : start + _CHUNK])
        linkable = part["status"].isin(ACTIONABLE).tolist() if "status" in part else []
        columns = [_column_values(part[src], k, linkable) for _, src, k, _ in spec]
        widths = [max(w, _longest(v, k)) for w, v, k in zip(widths, columns, kinds, strict=True)]
        _write_rows(ws, start + 1, columns, formats, fmt, stats)
    # Column widths may be set after the rows: XlsxWriter writes <cols> when it closes.
    for c, (_, _, _, cap) in enumerate(spec):
        ws.set_column(c, c, min(widths[c] + 2, cap))
    return stats


def _write_rows(
    ws: Any,
    first: int,
    columns: list[list[Any]],
    formats: list[Any],
    fmt: Formats,
    stats: dict[str, int],
) -> None:
    write_string, write_number = ws.write_string, ws.write_number
    for r, row in enumerate(zip(*columns, strict=True), start=first):
        for c, value in enumerate(row):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                write_string(r, c, value)
            elif kind is tuple:
                _write_link(ws, r, c, value, fmt, stats)
            else:
                write_number(r, c, value, formats[c])


def _write_link(
    ws: Any, r: int, c: int, value: tuple[str, str], fmt: Formats, stats: dict[str, int]
) -> None:
    target, text = value
    # Over Excel's limits (or with '#', which XlsxWriter reads as an anchor) the path stays
    # visible as text instead of being silently dropped.
    ok = (
        stats["links"] < _EXCEL_MAX_URLS
        and "#" not in target
        and len(target) < _EXCEL_MAX_URL_LEN - 10
        and not _BAD_CHARS.search(target)
    )
    if ok and ws.write_url(r, c, "external:" + target, fmt["link"], text) == 0:
        stats["links"] += 1
        return
    stats["as_text"] += 1
    ws.write_string(r, c, text)


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
    _write_table(ws, _REJECTED_COLUMNS, frame, np.arange(len(frame)), fmt)
    if len(frame) == 0:
        ws.write_string(1, 0, "No rows were rejected")
    return len(frame)


def _run_totals(
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


def _put(ws: Any, row: int, values: Sequence[Any], formats: Sequence[Any] = ()) -> None:
    """One dashboard row; strings cleaned, never formulas."""
    for c, value in enumerate(values):
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            ws.write_number(row, c, float(value), formats[c] if c < len(formats) else None)
        elif value is not None:
            ws.write_string(row, c, clean_text(str(value)))


def _write_dashboard(
    book: Any,
    ws: Any,
    frame: pd.DataFrame,
    documents: pd.DataFrame | None,
    run_totals: list[tuple[str, Any]],
    today: dt.date,
    fmt: Formats,
) -> tuple[int, bool]:
    ws.set_column(0, 0, 34)
    ws.set_column(1, 3, 14)
    ws.write_string(0, 0, "Appeals work queue", fmt["title"])
    _put(ws, 1, ["As of", (pd.Timestamp(today) - _EXCEL_EPOCH).days], [None, fmt["date"]])
    ws.write_string(3, 0, "Run totals", fmt["bold"])
    docs = _documents(documents)
    run_totals = run_totals + [
        ("Letters", int((docs["letter"] != "").sum())),
        ("Worksheets", int((docs["worksheet"] != "").sum())),
        ("Claims with placeholders to fill", int((docs["placeholders"] != "").sum())),
    ]
    for row, pair in enumerate(run_totals, start=4):
        _put(ws, row, pair)
    row = 5 + len(run_totals)

    work = frame[frame["status"].isin(ACTIONABLE)]
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
        _header(ws, [label, "Lines", "Claims", "At stake"], fmt, row + 1)
        row += 2
        for values in table or [["(none)"]]:
            _put(ws, row, values, [None, None, None, fmt["money"]])
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
