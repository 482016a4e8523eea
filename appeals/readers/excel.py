"""Excel workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) read by fastexcel: the sheet that holds
the denial table (or the one named), as text cells with Excel's row numbers."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from appeals.errors import InputFileError
from appeals.readers.aliases import HEADER_SCAN_ROWS, find_header_row
from appeals.readers.raw_table import _STR, EXPORT_FIX, RawTable, no_header
from appeals.readers.zip_limits import check_zip_parts

ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
EXCEL_ERRORS = {
    "NA": "#N/A", "Ref": "#REF!", "Div0": "#DIV/0!", "Value": "#VALUE!", "Name": "#NAME?",
    "Null": "#NULL!", "Num": "#NUM!", "GettingData": "#GETTING_DATA",
}


def zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputFileError(
            "the workbook is corrupt or truncated (not a readable .xlsx)",
            file=path,
            fix="open it in Excel and save it again, or export it again",
        ) from exc
    check_zip_parts(path, infos)
    names = {i.filename for i in infos}
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "content.xml" in names:
        return "ods"
    if "word/document.xml" in names:
        raise InputFileError(
            "a Word document, not an Excel workbook", file=path,
            fix=f"name the Excel export instead; {EXPORT_FIX}",
        )
    raise InputFileError(
        "a zip file, but not an Excel workbook",
        file=path,
        fix=f"unzip it and load the export inside, or {EXPORT_FIX}",
    )


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as handle:
        data = handle.read(64 * 1024**2)
    return ENCRYPTED_MARK in data


def _open_workbook(path: Path, kind: str):  # -> fastexcel.ExcelReader
    # deferred, as pyarrow in delimited.py: a CSV run that stops at its header check then exits
    # without loading them (loaded eagerly, a process could abort at exit under load)
    import fastexcel

    try:
        return fastexcel.read_excel(path)
    except Exception as exc:  # noqa: BLE001 - calamine raises its own zoo; all mean "unreadable"
        fix = "open it in Excel and save it again as .xlsx"
        if kind == "xls":
            fix = "if it has a password, remove it in Excel; then " + fix
        raise InputFileError(
            f"cannot read the workbook; it is damaged or not really {kind} ({_detail(exc)})",
            file=path,
            fix=fix,
        ) from exc


def _load(reader, name: str, path: Path, n_rows: int | None = None) -> pd.DataFrame:
    """One sheet as text cells; row i is Excel row i + 1; error cells show as ``#N/A``…"""
    try:
        sheet = reader.load_sheet(
            name, header_row=None, dtypes="string", skip_rows=0, n_rows=n_rows
        )
        batch, errors = sheet.to_arrow_with_errors()
        frame = _text_frame(batch)
    except Exception as exc:  # noqa: BLE001 - see _open_workbook
        raise InputFileError(
            f"cannot read the sheet; it is damaged ({_detail(exc)})",
            file=path,
            sheet=name,
            fix="open it in Excel and save it again as .xlsx",
        ) from exc
    if errors is not None:
        for error in errors.errors:
            row, col = error.position
            kind = re.search(r"Error\((\w+)\)", error.detail)
            marker = EXCEL_ERRORS.get(kind.group(1), "#ERROR") if kind else "#ERROR"
            frame.iat[row, col] = marker
    return frame


def _text_frame(batch) -> pd.DataFrame:  # batch: pyarrow.RecordBatch
    """Arrow string columns → a str DataFrame with "" for empty cells, columns 0..n-1."""
    # pyarrow loads with the first workbook read, not when the CLI starts
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = {}
    for i in range(batch.num_columns):
        column = batch.column(i)
        if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            column = column.cast(pa.string())  # an all-empty column arrives as null type
        columns[i] = pd.Series(pc.fill_null(column, ""), dtype=_STR)
    return pd.DataFrame(columns, index=pd.RangeIndex(batch.num_rows))


def _detail(exc: Exception) -> str:
    """The useful part of a calamine message, without its context dump."""
    text = re.sub(r"\s+", " ", str(exc)).split(" Context:")[0]
    text = re.sub(r"^(calamine error: )+", "", text, flags=re.I)
    return text[:120]


def read_workbook(
    path: Path, kind: str, sheet: str | None, extra_headers: tuple[str, ...]
) -> RawTable:
    reader = _open_workbook(path, kind)
    names = list(reader.sheet_names)
    if not names:
        raise InputFileError("the workbook has no sheets", file=path, fix=EXPORT_FIX)
    if sheet is not None:
        chosen = _pick_sheet(sheet, names, path)
        frame = _load(reader, chosen, path)
        rows = frame.head(HEADER_SCAN_ROWS).values.tolist()
        index, _ = find_header_row(rows, extra_headers)
        if index < 0:
            raise no_header(path, chosen, rows)
    else:
        # calamine parses a whole sheet even for a preview, so each sheet is loaded once
        best: tuple[int, int, str, pd.DataFrame] | None = None
        empty = True
        for name in names:
            candidate = _load(reader, name, path)
            rows = candidate.head(HEADER_SCAN_ROWS).values.tolist()
            empty = empty and not any(any(c.strip() for c in r) for r in rows)
            index, score = find_header_row(rows, extra_headers)
            if index >= 0 and (best is None or score > best[0]):
                best = (score, index, name, candidate)
            del candidate
        if best is None:
            if empty:
                raise InputFileError(
                    f"the workbook has no data (sheets: {', '.join(names)})",
                    file=path,
                    fix=EXPORT_FIX,
                )
            raise InputFileError(
                "no sheet holds a recognisable denial table "
                f"(sheets: {', '.join(repr(n) for n in names)}; no row with headers such as "
                "'Claim #', 'CPT', 'Adj Reason' in the first "
                f"{HEADER_SCAN_ROWS} rows)",
                file=path,
                fix="name the sheet with --sheet and map columns with --columns FIELD=HEADER",
            )
        _, index, chosen, frame = best
    headers = [str(h).strip() for h in frame.iloc[index].tolist()] if len(frame) else []
    data = frame.iloc[index + 1 :]
    return RawTable(
        format=kind,
        headers=headers,
        cells=data.reset_index(drop=True),
        rows=np.arange(index + 2, index + 2 + len(data), dtype=np.int64),
        header_row=index + 1,
        sheet=chosen,
    )


def _pick_sheet(sheet: str, names: list[str], path: Path) -> str:
    for rule in (lambda n: n == sheet, lambda n: n.strip().lower() == sheet.strip().lower()):
        for name in names:
            if rule(name):
                return name
    raise InputFileError(
        f"no sheet named {sheet!r}; the workbook has {', '.join(repr(n) for n in names)}",
        file=path,
        fix="pass one of those names with --sheet",
    )

