"""Raw reading of spreadsheet exports: sniff the format, find the header, return text cells.

``read_raw`` turns a CSV/TSV/text or Excel file into a ``RawTable``: the header cells, the
data cells below them as text ("" when blank) and each row's number as the user sees it
(Excel row number; CSV physical line, first line = 1). Interpreting values is left to
``appeals.readers.table``. Every failure of the underlying readers becomes ``InputFileError``.
"""

from __future__ import annotations

import collections
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from appeals.errors import InputFileError
from appeals.readers.aliases import HEADER_SCAN_ROWS, find_header_row
from appeals.readers.files import require_regular_file
from appeals.readers.zip_limits import check_zip_parts

DELIMITERS = (",", "\t", ";", "|")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
# A workbook's parts are refused by their declared size before anything is inflated.
SNIFF_CHARS = 256 * 1024
# ``RawTable.extra`` of a record whose cell holds line breaks followed by what reads as
# further records: a quote opened and never closed swallowed the next lines.
UNCLOSED_QUOTE = "\x00unclosed quote"
EXCEL_ERRORS = {
    "NA": "#N/A", "Ref": "#REF!", "Div0": "#DIV/0!", "Value": "#VALUE!", "Name": "#NAME?",
    "Null": "#NULL!", "Num": "#NUM!", "GettingData": "#GETTING_DATA",
}
_OTHER_FORMATS = (
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)
_STR = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default "str", Arrow-backed
EXPORT_FIX = "export the report from your billing system as CSV or Excel (.xlsx)"


@dataclass
class RawTable:
    """The header and the text cells of one table, with user-visible row numbers."""

    format: str
    headers: list[str]
    cells: pd.DataFrame  # columns 0..n-1 in header order, every cell str, "" when blank
    rows: np.ndarray  # int64, the user's row number of each cells row
    header_row: int
    sheet: str = ""
    encoding: str = ""
    delimiter: str = ""
    extra: pd.Series | None = None  # CSV: text beyond the header's last column, else ""
    warnings: list[str] = field(default_factory=list)


def read_raw(
    path: str | Path, *, sheet: str | None = None, extra_headers: tuple[str, ...] = ()
) -> RawTable:
    """Read ``path`` (any supported format, sniffed from its content) into a ``RawTable``."""
    path = Path(path)
    require_regular_file(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except FileNotFoundError as exc:
        raise InputFileError("file not found", file=path, fix="check the path") from exc
    except IsADirectoryError as exc:
        raise InputFileError("is a folder, not a file", file=path, fix="name a file") from exc
    except OSError as exc:
        raise InputFileError(f"cannot open the file ({exc.strerror})", file=path,
                             fix="check the path and permissions") from exc
    if head.startswith(ZIP_MAGIC):
        kind = _zip_kind(path)
        table = _read_workbook(path, kind, sheet, extra_headers)
    elif head.startswith(OLE2_MAGIC):
        if _is_encrypted(path):
            raise InputFileError(
                "the workbook is password-protected (encrypted)",
                file=path,
                fix="remove the password in Excel (File > Info > Protect Workbook) and save again",
            )
        table = _read_workbook(path, "xls", sheet, extra_headers)
    else:
        table = _read_text(path, extra_headers)
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm", ".xls"):
            table.warnings.append(f"the file is named {suffix} but holds delimited text")
    return table


# --- workbooks -----------------------------------------------------------------------


def _zip_kind(path: Path) -> str:
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


def _is_encrypted(path: Path) -> bool:
    with path.open("rb") as handle:
        data = handle.read(64 * 1024**2)
    return ENCRYPTED_MARK in data


def _open_workbook(path: Path, kind: str):  # -> fastexcel.ExcelReader
    # deferred, as pyarrow below: a CSV run that stops at its header check then exits
    # without loading them (loaded eagerly, a process could abort at exit under load)
    import fastexcel

    # deferred, as pyarrow below: a CSV run that stops at its header check then exits
    # without loading them (loaded eagerly, a process could abort at exit under load)

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


def _read_workbook(
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
            raise _no_header(path, chosen, rows)
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


def _no_header(path: Path, sheet: str | None, rows: list[list[str]]) -> InputFileError:
    first = next((r for r in rows if any(str(c).strip() for c in r)), None)
    seen = None
    if first is not None:
        # a file without a header may start with a service line: its cells are patient data
        seen = "first row with text: " + ", ".join(repr(str(c)) for c in first if str(c).strip())
    return InputFileError(
        f"no header row found in the first {HEADER_SCAN_ROWS} rows (looked for headers "
        "such as 'Claim #', 'CPT', 'DOS', 'Adj Reason')",
        file=path,
        sheet=sheet,
        fix="check this is the denial export, or map columns with --columns FIELD=HEADER",
        private=seen[:300] if seen else None,
    )


# --- delimited text ------------------------------------------------------------------


def _decode(data: bytes, path: Path) -> tuple[str, str, list[str]]:
    """(text, encoding, warnings): UTF-8 with or without BOM, UTF-16 with BOM, else cp1252."""
    warnings: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8-sig", data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", warnings
        except UnicodeDecodeError as exc:
            raise InputFileError("the UTF-16 text is damaged", file=path, fix=EXPORT_FIX) from exc
    else:
        encoding, body = "utf-8", data
    try:
        return body.decode("utf-8"), encoding, warnings
    except UnicodeDecodeError:
        pass
    lines = body.split(b"\n")
    decoded, kinds = [], set()
    for line in lines:
        try:
            decoded.append(line.decode("utf-8"))
            if not line.isascii():
                kinds.add("utf-8")
        except UnicodeDecodeError:
            decoded.append(line.decode("cp1252", errors="replace"))
            kinds.add("cp1252")
    if kinds == {"cp1252"}:
        return "\n".join(decoded), "cp1252", warnings
    warnings.append("the file mixes UTF-8 and Windows-1252 text; each line was read in its own")
    return "\n".join(decoded), "mixed utf-8/cp1252", warnings


def _check_binary(data: bytes, text: str, path: Path) -> None:
    for magic, what in _OTHER_FORMATS:
        if data.startswith(magic):
            raise InputFileError(f"this is {what}, not a spreadsheet", file=path, fix=EXPORT_FIX)
    sample = text[:SNIFF_CHARS]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n\f" or ch == "\ufffd")
    if sample and controls > max(8, len(sample) // 50):
        raise InputFileError(
            "binary data, not a spreadsheet or delimited text", file=path, fix=EXPORT_FIX
        )


def _sniff(text: str, extra_headers: tuple[str, ...]) -> tuple[str, int, list[list[str]]]:
    """(delimiter, header index among records, first records) chosen by header score."""
    sample = text[:SNIFF_CHARS]
    best: tuple[int, int, int, int, list[list[str]]] | None = None
    for rank, delimiter in enumerate(DELIMITERS):
        records = _first_records(sample, delimiter)
        index, score = find_header_row(records, extra_headers)
        width = len(records[index]) if index >= 0 else 0
        key = (score, width, -rank)
        if best is None or key > best[:3]:
            best = (score, width, -rank, index, records)
            best_delimiter = delimiter
    assert best is not None
    return best_delimiter, best[3], best[4]


MAX_COLUMNS = 2_000  # a denial export has dozens; millions of header cells are an attack


def _first_records(sample: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
    records = []
    try:
        for record in reader:
            records.append(record[: MAX_COLUMNS + 1])
            if len(records) >= HEADER_SCAN_ROWS:
                break
    except csv.Error:
        pass  # a sample cut mid-quote; the records so far are enough to sniff
    return records


def _read_text(path: Path, extra_headers: tuple[str, ...]) -> RawTable:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"cannot read the file ({exc.strerror})", file=path,
                             fix="check the path and permissions") from exc
    if not data or data.isspace():
        raise InputFileError("the file is empty", file=path, fix=EXPORT_FIX)
    text, encoding, warnings = _decode(data, path)
    _check_binary(data, text, path)
    # UTF-8 bytes go to the CSV parser as they are; the decoded text is then needed only
    # to find the header, so it is not held while the body is parsed
    start = 3 if encoding == "utf-8-sig" else 0
    as_bytes = encoding in ("utf-8", "utf-8-sig") and "\x00" not in text and "\n" in text
    if "\x00" in text:
        text = text.replace("\x00", "")
        warnings.append("the file contains NUL bytes; they were removed")
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")  # classic Mac line ends
    delimiter, index, records = _sniff(text, extra_headers)
    if index < 0:
        raise _no_header(path, None, records)
    if len(records[index]) > MAX_COLUMNS:
        raise InputFileError(
            f"the header row has more than {MAX_COLUMNS:,} cells; refused before reading",
            file=path, fix=f"check the file is a denial export; {EXPORT_FIX}",
        )
    header_end = _header_end_line(text, delimiter, index)
    headers = [h.strip() for h in records[index]]
    if as_bytes:
        del text
        offset = _offset_after_lines(data, header_end, b"\n", start)
        body = _Body(data, offset)
    else:
        body = _Body(text[_offset_after_lines(text, header_end, "\n"):])
        del text
    first_line = header_end + 1
    try:
        cells, rows, extra = _parse_body(body, delimiter, len(headers), first_line)
    except csv.Error as exc:
        raise InputFileError(
            f"the text cannot be split into cells ({exc})",
            file=path,
            fix="re-export the file; look for an unclosed quote",
        ) from exc
    fmt = {"\t": "tsv"}.get(delimiter, "csv")
    return RawTable(
        format=fmt,
        headers=headers,
        cells=cells,
        rows=rows,
        header_row=header_end - _lines_in(records[index]),
        encoding=encoding,
        delimiter=delimiter,
        extra=extra,
        warnings=warnings,
    )


class _Body:
    """The text below the header: UTF-8 bytes of the file from ``offset`` (no copy), or
    decoded text; each reader takes the form it needs."""

    def __init__(self, source: bytes | str, offset: int = 0) -> None:
        self.source, self.offset = source, offset

    def utf8(self):  # -> pyarrow.Buffer
        import pyarrow as pa


        if isinstance(self.source, str):
            return pa.py_buffer(self.source.encode("utf-8"))
        return pa.py_buffer(self.source).slice(self.offset)

    def text(self) -> str:
        if isinstance(self.source, str):
            return self.source
        return bytes(memoryview(self.source)[self.offset:]).decode("utf-8")

    def blank(self) -> bool:
        if isinstance(self.source, str):
            return not self.source.strip("\r\n")
        return re.search(rb"[^\r\n]", memoryview(self.source)[self.offset:]) is None

    def newlines(self) -> int:
        if isinstance(self.source, str):
            return self.source.count("\n")
        return self.source.count(b"\n", self.offset)


def _lines_in(record: list[str]) -> int:
    return sum(cell.count("\n") for cell in record)


def _header_end_line(text: str, delimiter: str, index: int) -> int:
    """Physical line (1-based) on which the header record ends."""
    reader = csv.reader(io.StringIO(text[:SNIFF_CHARS]), delimiter=delimiter)
    for _ in range(index + 1):
        next(reader)
    return reader.line_num


def _offset_after_lines(text: str | bytes, lines: int, newline: str | bytes,
                        offset: int = 0) -> int:
    for _ in range(lines):
        found = text.find(newline, offset)  # type: ignore[arg-type]
        if found < 0:
            return len(text)
        offset = found + 1
    return offset


def _parse_body(
    body: _Body, delimiter: str, width: int, first_line: int
) -> tuple[pd.DataFrame, np.ndarray, pd.Series]:
    names = list(range(width))
    if body.blank():
        empty = pd.DataFrame({i: pd.Series([], dtype="str") for i in names})
        return empty, np.zeros(0, dtype=np.int64), pd.Series([], dtype="str")
    try:
        frame = _read_arrow(body, delimiter, width)
    except Exception:  # noqa: BLE001 - ragged or odd files: read them record by record
        return _parse_records(body.text(), delimiter, width, first_line)
    n = len(frame)
    newlines = body.newlines()
    if newlines in (n, n - 1):
        rows = np.arange(first_line, first_line + n, dtype=np.int64)
    else:  # quoted cells span lines: shift later rows by the line breaks inside cells
        inside = sum(frame[c].str.count("\n").to_numpy(dtype=np.int64) for c in names)
        shift = np.concatenate(([0], np.cumsum(inside)[:-1]))
        rows = first_line + np.arange(n, dtype=np.int64) + shift
        swallowed = _swallowed(frame, delimiter, width)
        if swallowed.any():
            extra = np.where(swallowed, UNCLOSED_QUOTE, "")
            return frame, rows, pd.Series(extra, index=frame.index, dtype="str")
    return frame, rows, pd.Series("", index=frame.index, dtype="str")


def _swallowed(frame: pd.DataFrame, delimiter: str, width: int) -> np.ndarray:
    """Records with a cell that spans lines and holds as many delimiters as half a record:
    the next rows of the file, swallowed by an unclosed quote (a note's line breaks are not)."""
    need = max(2, width // 2)
    hit = np.zeros(len(frame), dtype=bool)
    for column in frame.columns:
        cells = frame[column]
        multi = cells.str.contains("\n", regex=False).to_numpy(dtype=bool)
        if multi.any():
            counts = cells[multi].str.count(re.escape(delimiter)).to_numpy(dtype=np.int64)
            hit[multi] |= counts >= need
    return hit


def _read_arrow(body: _Body, delimiter: str, width: int) -> pd.DataFrame:
    """Every cell as text ("" when empty) by Arrow's multi-threaded CSV reader, with the
    options ``pandas.read_csv(engine="pyarrow", dtype=str, keep_default_na=False)`` uses.
    Raises when a record's cell count differs from the header's."""
    import pyarrow as pa
    from pyarrow import csv as pa_csv


    table = pa_csv.read_csv(
        pa.BufferReader(body.utf8()),
        read_options=pa_csv.ReadOptions(autogenerate_column_names=True),
        parse_options=pa_csv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False),
        convert_options=pa_csv.ConvertOptions(
            default_column_type=pa.large_string(), null_values=[], strings_can_be_null=False,
        ),
    )
    if table.num_columns != width:
        raise ValueError(f"{table.num_columns} cells per record, {width} headers")
    columns = {}
    for i in range(width):
        column = table.column(i)
        if column.null_count:
            column = column.fill_null("")
        columns[i] = pd.Series(column, dtype=_STR)
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))


def _parse_records(
    body: str, delimiter: str, width: int, first_line: int
) -> tuple[pd.DataFrame, np.ndarray, pd.Series]:
    csv.field_size_limit(max(csv.field_size_limit(), 256 * 1024**2))
    reader = csv.reader(io.StringIO(body), delimiter=delimiter)
    records, rows, extra, lengths = [], [], [], []
    line = 0
    for record in reader:
        rows.append(first_line + line)
        line = reader.line_num
        lengths.append(len(record))
        extra.append(delimiter.join(record[width:]) if len(record) > width else "")
        record = record[:width]
        records.append(record + [""] * (width - len(record)))
    # Empty cells past the header are a trailing delimiter when most records have them;
    # on a record of its own they are an unquoted "$1,240.00" whose last cell was empty.
    typical = collections.Counter(lengths).most_common(1)[0][0] if lengths else width
    for i, length in enumerate(lengths):
        if length > width and not extra[i].strip(delimiter + " ") and length == typical:
            extra[i] = ""
        elif length > width and not extra[i].strip(delimiter + " "):
            extra[i] = f"({length - width} empty cell(s) beyond the header)"
    frame = pd.DataFrame(records, columns=range(width), dtype="str") if records else (
        pd.DataFrame({i: pd.Series([], dtype="str") for i in range(width)})
    )
    swallowed = _swallowed(frame, delimiter, width) if len(frame) else np.zeros(0, bool)
    extra = [UNCLOSED_QUOTE if hit else e for e, hit in zip(extra, swallowed, strict=True)]
    return frame, np.asarray(rows, dtype=np.int64), pd.Series(extra, dtype="str")
