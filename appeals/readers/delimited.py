"""Delimited text (CSV, TSV, ``;`` or ``|``): encoding and delimiter sniffed, the header
found, the body read by Arrow's CSV reader (record by record when it cannot)."""

from __future__ import annotations

import collections
import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from appeals.errors import InputFileError
from appeals.readers.aliases import HEADER_SCAN_ROWS, find_header_row
from appeals.readers.raw_table import _STR, EXPORT_FIX, UNCLOSED_QUOTE, RawTable, no_header

DELIMITERS = (",", "\t", ";", "|")
SNIFF_CHARS = 256 * 1024
_OTHER_FORMATS = (
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)


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


def read_text(path: Path, extra_headers: tuple[str, ...]) -> RawTable:
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
        raise no_header(path, None, records)
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
        # pyarrow loads with the first file read, not when the CLI starts
        import pyarrow as pa

        data = (self.source.encode("utf-8") if isinstance(self.source, str)
                else memoryview(self.source)[self.offset:])
        # A copy Arrow owns, not pa.py_buffer over Python bytes: Arrow's CSV workers may drop
        # the last reference after the read returned, and freeing a Python-owned buffer then
        # takes the GIL, which at interpreter exit aborted the process (issue #12 item 15:
        # exit 134 in 1.5% of runs under load; bench/stress_exit.py --finalise shows 0 now).
        stream = pa.BufferOutputStream()
        stream.write(data)
        return stream.getvalue()

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
    Raises when a record's cell count differs from the header's.

    Arrow rather than the csv module: a 300k-line load is 1.53x faster (bench/tricks.py
    arrow_csv, 9.4 s vs 12.5 s). Called directly rather than through pandas.read_csv: 1.09x
    (arrow_direct), under 1.3x; kept because pandas' result has other dtypes and nulls, so
    the swap needs its own equivalence tests first."""
    # pyarrow loads with the first file read, not when the CLI starts
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
