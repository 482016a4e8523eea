"""Writing a table of typed columns to an XlsxWriter sheet, shared by the workbooks.

Text is cleaned of what an .xlsx cannot hold and capped at Excel's cell limit, dates become
serials (ISO text where Excel cannot show them), links stay within Excel's limits or show
as text. Every value from the input is written with ``write_string``: never a formula.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

EXCEL_MAX_CHARS = 32_767  # per cell, counted in UTF-16 units
_EXCEL_MAX_URLS = 65_530  # hyperlinks per worksheet
_EXCEL_MAX_URL_LEN = 2_079
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Serial 61 is 1900-03-01: Excel's phantom 1900-02-29 makes earlier serials wrong.
_MIN_SERIAL, _MAX_SERIAL = 61.0, 2_958_465.0
# Serial 61 is 1900-03-01: Excel's phantom 1900-02-29 makes earlier serials wrong.
_CHUNK = 2_000  # rows turned into Python values at a time: bounds memory, not speed

# Characters an .xlsx cannot hold (XML 1.0 forbids them; Excel drops or mangles the rest).
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


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
    days = ((dates.dt.normalize() - EXCEL_EPOCH) / pd.Timedelta(days=1)).to_numpy()
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




def _longest(values: list[Any], kind: str) -> int:
    if kind == "text":
        return max((len(v) for v in values if v), default=0)
    if kind == "link":
        return max((len(v if type(v) is str else v[1]) for v in values if v), default=0)
    return {"date": 10, "money": 10}.get(kind, 6)


FORMATS = {
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



def header(ws: Any, headers: Sequence[str], fmt: Formats, row: int = 0) -> None:
    for c, name in enumerate(headers):
        ws.write_string(row, c, name, fmt["header"])


def write_table(
    ws: Any,
    spec: Sequence[tuple[str, str, str, int]],
    frame: pd.DataFrame,
    order: np.ndarray,
    fmt: Formats,
    link_rows: str = "",
) -> dict[str, int]:
    """Header, rows in ``order``, frozen header, filter and widths fitted to the data.

    ``link_rows``: a boolean column of ``frame``, the rows whose links are live."""
    n = len(order)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, n, len(spec) - 1)
    header(ws, [h for h, *_ in spec], fmt)
    kinds = [kind for _, _, kind, _ in spec]
    formats = [fmt.get(kind) for kind in kinds]
    widths = [len(h) for h, *_ in spec]
    stats = {"links": 0, "as_text": 0}
    # Python values for a chunk of rows at a time, so memory does not grow with the rows.
    for start in range(0, n, _CHUNK):
        part = frame.take(order[start : start + _CHUNK])
        linkable = part[link_rows].tolist() if link_rows else []
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



def put(ws: Any, row: int, values: Sequence[Any], formats: Sequence[Any] = ()) -> None:
    """One dashboard row; strings cleaned, never formulas."""
    for c, value in enumerate(values):
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            ws.write_number(row, c, float(value), formats[c] if c < len(formats) else None)
        elif value is not None:
            ws.write_string(row, c, clean_text(str(value)))

