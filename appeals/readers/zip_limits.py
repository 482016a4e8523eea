"""Limits a workbook must meet before the reader touches it: what its parts really inflate
to, and how many cells a sheet spans.

Declared sizes can lie (a part declaring 1,000 bytes for 3 GB) or wrap past 4 GB without
ZIP64, so every part is inflated once here, counting real bytes and stopping at the cap. A
sheet's span is read from its own XML on the way (a lone cell at XFD1048576 made the reader
allocate 512 GB and abort).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from appeals.errors import InputFileError

MAX_UNZIPPED_BYTES = 4 * 1024**3
MAX_RATIO = 250
MIN_BOMB_BYTES = 64 * 1024**2  # small parts may compress well; only big ones are suspect
MAX_CELLS = 50_000_000  # rows x columns a sheet may span: the reader allocates that grid
_BOMB_FIX = "open it in Excel, check it, and save the denial table alone"
_ROW = re.compile(rb'<row [^>]*?r="(\d+)"')
_WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})\d')
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]*\d*:?([A-Z]+)(\d+)"')


def check_zip_parts(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Inflate every part once, counting the bytes it really gives (declared sizes can lie,
    or wrap past 4 GB without ZIP64), and stop at the cap; a worksheet may not span more
    than ``MAX_CELLS`` (a lone cell at XFD1048576 would make the reader allocate 512 GB)."""
    total = 0
    with path.open("rb") as raw:
        for info in infos:
            sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            size, cells = _inflate_counting(raw, info, path, total, sheet)
            total += size
            if size != info.file_size:
                raise InputFileError(
                    f"the workbook's part {info.filename!r} declares {info.file_size} bytes "
                    f"but holds {size}; refused as unsafe", file=path, fix=_BOMB_FIX,
                )
            if cells > MAX_CELLS:
                raise InputFileError(
                    f"sheet part {info.filename!r} spans {cells:,} cells (more than "
                    f"{MAX_CELLS:,}); refused before reading", file=path,
                    fix="delete the stray cells far below or right of the table in Excel "
                        "(Ctrl+End shows the last one), or save the table alone",
                )


def _inflate_counting(raw, info: zipfile.ZipInfo, path: Path, before: int,
                      sheet: bool) -> tuple[int, int]:
    """(bytes inflated, rows x columns spanned for a worksheet part)."""
    raw.seek(info.header_offset)
    local = raw.read(30)
    if len(local) < 30 or not local.startswith(b"PK\x03\x04"):
        raise InputFileError("the workbook is corrupt (a part's header is missing)", file=path,
                             fix="open it in Excel and save it again")
    name_len, extra_len = int.from_bytes(local[26:28], "little"), int.from_bytes(local[28:30], "little")
    raw.seek(info.header_offset + 30 + name_len + extra_len)
    if info.compress_type == zipfile.ZIP_STORED:
        inflate = None
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflate = zlib.decompressobj(-15)
    else:
        return info.file_size, 0  # the reader refuses other methods itself
    left, size, consumed, rows, cols, tail = info.compress_size, 0, 0, 0, 0, b""
    while left > 0:
        chunk = raw.read(min(1 << 20, left))
        if not chunk:
            break
        left -= len(chunk)
        consumed += len(chunk)
        pending = chunk
        while pending:
            out = inflate.decompress(pending, 1 << 22) if inflate else pending
            pending = inflate.unconsumed_tail if inflate else b""
            size += len(out)
            if before + size > MAX_UNZIPPED_BYTES:
                raise InputFileError(
                    f"the workbook inflates past {MAX_UNZIPPED_BYTES // 1024**3} GB (at part "
                    f"{info.filename!r}); refused as unsafe", file=path, fix=_BOMB_FIX,
                )
            if size > MIN_BOMB_BYTES and size / consumed > MAX_RATIO:
                raise InputFileError(
                    f"the workbook's part {info.filename!r} inflates more than {MAX_RATIO}x "
                    f"(past {MIN_BOMB_BYTES // 1024**2} MB); refused as unsafe",
                    file=path, fix=_BOMB_FIX,
                )
            if sheet and out:
                rows, cols = _span(tail + out, rows, cols)
                tail = out[-64:]
            if sheet and rows * cols > MAX_CELLS:
                return size, rows * cols
            if not inflate:
                break
    return size, rows * cols


def _span(data: bytes, rows: int, cols: int) -> tuple[int, int]:
    """The furthest row and column a worksheet's XML names so far (1 when a row has cells)."""
    for match in _DIMENSION.finditer(data):
        cols = max(cols, _column_number(match.group(1)))
        rows = max(rows, int(match.group(2)))
    for match in _ROW.finditer(data):
        rows = max(rows, int(match.group(1)))
    for letters in set(_WIDE_CELL.findall(data)):
        cols = max(cols, _column_number(letters))
    return rows, max(cols, 1 if rows else 0)


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number


