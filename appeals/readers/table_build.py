"""The table reader's build: a ``RawTable``'s text cells → lines, rejected rows, a report.

``_Build`` holds the rows and their reasons for rejection; it checks the structure (total
rows, repeated headers, spilled cells, Excel errors), runs the per-field steps of
``table_fields.FieldSteps`` and writes the kept lines in the canonical columns.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from appeals import schema as S
from appeals.privacy import SPILL_COLUMN
from appeals.readers import _distinct as D
from appeals.readers import values as C
from appeals.readers.aliases import ColumnMap
from appeals.readers.base import FileReport
from appeals.readers.excel import EXCEL_ERRORS
from appeals.readers.raw_table import UNCLOSED_QUOTE, RawTable
from appeals.readers.table_fields import FieldSteps
from appeals.schema import LINE_COLUMNS, REJECTED_COLUMNS, empty_rejected

_TOTAL = r"(?i)\s*(?:grand\s+|sub\s*-?\s*)?totals?\b.*"
_ERROR_VALUES = list(EXCEL_ERRORS.values()) + ["#ERROR", "#N/A N/A"]
_EXAMPLE_ROWS = 5


class _Build(FieldSteps):
    """Turns a RawTable's text cells into lines and rejected rows, column by column.

    Each mapped column is parsed once per distinct value (``appeals.readers._distinct``); results
    stay (distinct values, codes) until the kept lines are written out.
    """

    def __init__(self, raw: RawTable, colmap: ColumnMap, source: str) -> None:
        filled = _any_filled(raw.cells, raw.cells.index).to_numpy()
        extra = None if raw.extra is None else raw.extra.to_numpy(dtype=object)
        keep = filled | (extra != "") if extra is not None else filled
        # the text cells are the largest part of a big file: held only until every mapped
        # column has been reduced to its distinct values (``_structure``)
        self.table: pd.DataFrame | None = raw.cells
        self.raw = replace(raw, cells=raw.cells.iloc[:0])
        self.keep = keep
        self.kept = np.flatnonzero(keep)  # position in raw.cells of each row
        self.extra = extra[keep] if extra is not None else np.full(len(self.kept), "", object)
        self.rows = raw.rows[keep]
        self.colmap = colmap
        self.source = source
        self.n = len(self.kept)
        self.out: dict[str, D.Distinct] = {}
        self.warnings: list[str] = list(raw.warnings) + list(colmap.warnings)
        self.reason = np.full(self.n, "", dtype=object)
        self.code = np.full(self.n, "", dtype=object)
        self.column = np.full(self.n, "", dtype=object)
        self.value = np.full(self.n, "", dtype=object)
        self.unrecognised: dict[str, int] = {}
        used = sorted(set(colmap.fields.values()))
        self._cells = dict(zip(used, D.of_columns([raw.cells[i] for i in used], keep),
                               strict=True))
        self._text: dict[str, D.Distinct] = {}

    # -- helpers --

    def header(self, fld: str) -> str:
        return self.raw.headers[self.colmap.fields[fld]]

    def cells(self, fld: str) -> D.Distinct:
        """The raw cells of a mapped field's column (kept rows)."""
        index = self.colmap.fields[fld]
        if index not in self._cells:
            assert self.table is not None, "cells are read before the table is released"
            self._cells[index] = D.of_column(self.table[index], self.keep)
        return self._cells[index]

    def mapped_text(self, fld: str) -> D.Distinct:
        """``text`` of a field the caller knows is mapped."""
        text = self.text(fld)
        assert text is not None, fld
        return text

    def text(self, fld: str) -> D.Distinct | None:
        if fld not in self.colmap.fields:
            return None
        if fld not in self._text:
            cells = self.cells(fld)
            self._text[fld] = cells.derive(C.as_text(cells.values))
        return self._text[fld]

    def reject(self, mask: Any, fld_or_header: str, values: Any, reason: str, code: str) -> None:
        """Reject the rows of ``mask`` with a reason in words and a ``REJECT_CODES`` code."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        header = self.header(fld_or_header) if fld_or_header in self.colmap.fields else fld_or_header
        first = mask & (self.reason == "")
        more = mask & ~first
        self.column[first] = header
        if isinstance(values, D.Distinct):
            self.value[first] = values.rows(first)
        else:
            self.value[first] = np.asarray(values, dtype=object)[first]
        self.reason[first] = reason
        # a second problem on the row names its own column (its value is not repeated here:
        # the reason is shown unredacted, the value column is not)
        self.reason[more] = self.reason[more] + f"; column {header!r}: " + reason
        self.code[first] = code
        self.code[more] = self.code[more] + ";" + code

    def warn(self, mask: Any, fld: str, values: D.Distinct, what: str, show: bool = True) -> None:
        mask = np.asarray(mask, dtype=bool)
        count = int(mask.sum())
        if not count:
            return
        rows = ", ".join(str(r) for r in self.rows[mask][:_EXAMPLE_ROWS])
        more = ", ..." if count > _EXAMPLE_ROWS else ""
        example = f" (e.g. {values.first(mask)!r})" if show else ""
        self.warnings.append(
            f"column {self.header(fld)!r}: {count} row(s) {what}{example}; rows {rows}{more}"
        )

    def parsed(self, fld: str, parser: Any, **kwargs: Any) -> tuple[D.Distinct, np.ndarray]:
        """(values, bad per row) of a ``cells`` parser run on the field's distinct texts."""
        text = self.mapped_text(fld)
        values, bad = parser(text.values, **kwargs)
        return text.derive(values), text.per_value(bad)

    # -- steps --

    def run(self) -> tuple[pd.DataFrame, pd.DataFrame, FileReport]:
        total = self._structure()
        self._text_fields()
        self._codes()
        self._numbers()
        self._dates()
        self._words()
        self._required()
        # a total row is rejected for being a total, whatever else is wrong with it
        self.reason[total] = _TOTAL_REASON
        self.code[total] = "total-row"
        self.column[total] = ""
        self.value[total] = self._first[total]
        rejected_mask = self.reason != ""
        lines = self._lines(~rejected_mask)
        rejected = self._rejected(rejected_mask)
        report = self._report(len(lines), len(rejected))
        return lines, rejected, report

    def _structure(self) -> np.ndarray:
        # a total row has no real claim id: look for its label only in those rows
        claim = self.mapped_text("claim_id")
        lower = claim.values.str.lower()
        maybe = claim.per_value((claim.values == "") | lower.str.contains("total", regex=False))
        where = self.kept[maybe]
        first = pd.Series("", index=range(len(where)), dtype="str")
        table = self.table
        assert table is not None
        for col in table.columns:
            cells = table[col].iloc[where].reset_index(drop=True)
            first = first.where(first != "", cells.str.strip())
        total = np.zeros(self.n, dtype=bool)
        total[maybe] = first.str.fullmatch(_TOTAL).to_numpy(dtype=bool)
        self._first = np.full(self.n, "", dtype=object)
        self._first[maybe] = first.to_numpy(dtype=object)
        if claim is not None:
            again = claim.per_value(lower == self.header("claim_id").strip().lower())
            self.reject(again & ~total, "claim_id", claim,
                        "a repeated header row, not a service line; nothing to fix",
                        "repeated-header")
        unclosed = self.extra == UNCLOSED_QUOTE
        self.reject(unclosed & ~total, SPILL_COLUMN, self.extra,
                    "a quote opened in this row is never closed, so the next lines of the file "
                    "were read into one cell: close the quote or export again", "unclosed-quote")
        spill = (self.extra != "") & ~unclosed
        name = {",": "comma", ";": "semicolon", "|": "pipe", "\t": "tab"}.get(
            self.raw.delimiter, "delimiter")
        self.reject(spill & ~total, SPILL_COLUMN, self.extra,
                    f"the row has more cells than the header; a value probably holds an "
                    f"unquoted {name} (e.g. $1,234.50): quote that value or export again",
                    "extra-cells")
        for fld in self.colmap.fields:
            values = self.cells(fld)
            errors = values.per_value(values.values.isin(_ERROR_VALUES))
            self.reject(errors & ~total, fld, values,
                        "the cell shows an Excel error; fix the formula or type the value",
                        "excel-error")
        self.table = None
        D.release_memory()
        return total

    # -- outputs --

    def _lines(self, keep: np.ndarray) -> pd.DataFrame:
        """The kept lines in the canonical columns and dtypes (what ``conform`` returns),
        built column by column: a frame built from a dict and then conformed would copy
        every text column twice."""
        select = None if keep.all() else keep
        count = self.n if select is None else int(keep.sum())
        fixed = {"source_file": self.source, "source_sheet": self.raw.sheet}
        columns = []
        for name in LINE_COLUMNS:
            if name in self.out:
                values = self.out[name].rows(select)
            elif name in fixed:
                values = np.full(count, fixed[name], dtype=object)
            elif name == "source_row":
                values = self.rows if select is None else self.rows[select]
            else:
                values = _blank(name, count)
            kind = object if values.dtype == object else None
            columns.append(pd.Series(values, index=pd.RangeIndex(count), dtype=kind, name=name))
        return pd.concat(columns, axis=1)

    def _rejected(self, mask: np.ndarray) -> pd.DataFrame:
        if not mask.any():
            return empty_rejected()
        values = pd.Series(self.value[mask]).map(lambda v: _short(str(v)))
        frame = pd.DataFrame(
            {
                "source_file": self.source,
                "source_sheet": self.raw.sheet,
                "source_row": pd.array(self.rows[mask], dtype="Int64"),
                "column": self.column[mask],
                "value": values.to_numpy(dtype=object),
                "reason": self.reason[mask],
                "code": self.code[mask],
            }
        )
        return frame[list(REJECTED_COLUMNS)]

    def _report(self, lines: int, rejected: int) -> FileReport:
        headers = self.raw.headers
        used = set(self.colmap.fields.values())
        if "service_date" not in self.colmap.fields:
            self.warnings.append("no date-of-service column: lines are grouped by claim only")
        return FileReport(
            file=self.source,
            format=self.raw.format,
            mapping=self.colmap.headers(headers),
            encoding=self.raw.encoding or "",
            delimiter=self.raw.delimiter or "",
            sheet=self.raw.sheet or "",
            header_row=self.raw.header_row,
            rows_read=self.n,
            lines=lines,
            rejected=rejected,
            unmapped_headers=[h for i, h in enumerate(headers) if i not in used and h],
            unrecognised_codes=self.unrecognised,
            warnings=self.warnings,
        )


def _blank(name: str, count: int) -> np.ndarray:
    """A column the file does not have, as ``conform`` fills it."""
    if name in S.NUMBER_FIELDS:
        return np.full(count, np.nan)
    if name in S.DATE_FIELDS:
        return np.full(count, np.datetime64("NaT"), dtype="datetime64[ns]")
    return np.full(count, "", dtype=object)




def _any_filled(cells: pd.DataFrame, index: pd.Index) -> pd.Series:
    """Rows with at least one cell that is not blank or whitespace."""
    filled = pd.Series(False, index=index)
    for col in cells.columns:
        filled |= cells[col] != ""
    if not len(cells.columns):
        return filled
    # rows whose first cell has text are settled; strip every cell of the others only
    first = cells[cells.columns[0]]
    doubt = (filled & (first.str.strip() == "")).to_numpy()
    if doubt.any():
        sub = cells.loc[doubt]
        real = pd.Series(False, index=sub.index)
        for col in sub.columns:
            real |= sub[col].str.strip() != ""
        filled[doubt] = real.to_numpy()
    return filled


_TOTAL_REASON = ("a total row, not a service line; nothing to fix (listed so every row is "
                 "accounted for)")


def _short(text: str, limit: int = 200) -> str:
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)
    return text if len(text) <= limit else text[: limit - 3] + "..."
