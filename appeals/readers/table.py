"""Load a biller's CSV/TSV/Excel denial export into canonical service lines.

``read_spreadsheet`` returns ``(lines, rejected, report)``. Every non-blank row below the
header becomes exactly one line or one rejected row (``rows_read = lines + rejected``);
wholly blank rows are not data and are skipped. A row is rejected when its claim id is
blank, it has neither procedure nor revenue code, a date does not exist, an amount or the
units cannot be read (units must be whole and not negative), a cell shows an Excel error,
it spills past the header's last column, or it is a total / repeated header row. Values
that only describe the chart (times, sites, route) and codes that are merely unusual never
reject a row: they are kept or left blank and reported in ``FileReport.warnings``.
``payer`` is left "" (resolved by the payer module); nothing is classified here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from appeals.errors import ConfigError
from appeals.readers.aliases import known_fields, map_columns, require_columns
from appeals.readers.base import FileReport, ReadOptions, ReadResult
from appeals.readers.sheets import read_raw
from appeals.readers.table_build import _Build


def read_spreadsheet(
    path: str | Path,
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    require_denial: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame, FileReport]:
    """Read one export: (canonical lines, rejected rows, report).

    ``sheet`` names a workbook sheet (default: the one whose header row scores best);
    ``columns`` maps FIELD → HEADER by hand and wins over the aliases;
    ``require_denial=False`` reads charge exports, which carry no denial column. Raises
    ``InputFileError`` for an unreadable file, ``ConfigError`` for a bad ``columns``.
    """
    overrides = {str(k).strip(): str(v) for k, v in (columns or {}).items()}
    unknown = [f for f in overrides if f not in known_fields()]
    if unknown:
        map_columns([], {unknown[0]: overrides[unknown[0]]})  # raises ConfigError with choices
    raw = read_raw(path, sheet=sheet, extra_headers=tuple(overrides.values()))
    try:
        colmap = map_columns(raw.headers, overrides)
    except ConfigError as exc:
        exc.file, exc.sheet = str(path), raw.sheet or None
        raise
    require_columns(
        colmap, raw.headers, file=path, sheet=raw.sheet or None, header_row=raw.header_row,
        require_denial=require_denial,
    )
    build = _Build(raw, colmap, str(path))
    del raw  # the build lets go of the cells as soon as it can
    return build.run()


class TableReader:
    """CSV, TSV, text and Excel exports: whatever no other reader claims."""

    name = "table"

    def detect(self, head: bytes, path: Path) -> bool:
        return True

    def read(self, path: Path, options: ReadOptions) -> ReadResult:
        lines, rejected, report = read_spreadsheet(
            path, sheet=options.sheet, columns=dict(options.columns) if options.columns else None,
            require_denial=options.require_denial,
        )
        return ReadResult(lines, rejected, report)
