"""Raw reading of spreadsheet exports: sniff the format, find the header, return text cells.

``read_raw`` turns a CSV/TSV/text or Excel file into a ``RawTable``: the header cells, the
data cells below them as text ("" when blank) and each row's number as the user sees it
(Excel row number; CSV physical line, first line = 1). Interpreting values is left to
``appeals.readers.table``. The format is told by the first bytes; ``excel.py`` and
``delimited.py`` read it, and every failure of the underlying readers becomes
``InputFileError``.
"""

from __future__ import annotations

from pathlib import Path

from appeals.errors import InputFileError
from appeals.readers.delimited import read_text
from appeals.readers.excel import is_encrypted, read_workbook, zip_kind
from appeals.readers.files import require_regular_file
from appeals.readers.raw_table import RawTable

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
        kind = zip_kind(path)
        table = read_workbook(path, kind, sheet, extra_headers)
    elif head.startswith(OLE2_MAGIC):
        if is_encrypted(path):
            raise InputFileError(
                "the workbook is password-protected (encrypted)",
                file=path,
                fix="remove the password in Excel (File > Info > Protect Workbook) and save again",
            )
        table = read_workbook(path, "xls", sheet, extra_headers)
    else:
        table = read_text(path, extra_headers)
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm", ".xls"):
            table.warnings.append(f"the file is named {suffix} but holds delimited text")
    return table

