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

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from appeals import schema as S
from appeals.errors import ConfigError
from appeals.privacy import SPILL_COLUMN
from appeals.readers import _distinct as D
from appeals.readers import values as C
from appeals.readers.aliases import (
    ColumnMap,
    known_fields,
    map_columns,
    require_columns,
)
from appeals.readers.base import FileReport, ReadOptions, ReadResult
from appeals.readers.excel import EXCEL_ERRORS
from appeals.readers.raw_table import UNCLOSED_QUOTE, RawTable
from appeals.readers.sheets import read_raw
from appeals.schema import LINE_COLUMNS, REJECTED_COLUMNS, empty_rejected

TEXT_FIELDS = (
    "claim_id", "payer_claim_number", "patient_name", "member_id", "payer_name", "ndc",
    "check_number", "rendering_npi", "line_control_number", "product", "justification", "chart_reference",
)
DATE_FIELDS = {"patient_dob": 0, "service_date": 366, "service_date_to": 366, "remit_date": 366}
MONEY_FIELDS = ("billed_amount", "allowed_amount", "paid_amount")
_TOTAL = r"(?i)\s*(?:grand\s+|sub\s*-?\s*)?totals?\b.*"
_SCIENTIFIC = r"\d(?:\.\d+)?E\+\d+"
_ERROR_VALUES = list(EXCEL_ERRORS.values()) + ["#ERROR", "#N/A N/A"]
_EXAMPLE_ROWS = 5
_STR = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default "str", Arrow-backed


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


class _Build:
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
        self.reason[more] = self.reason[more] + "; " + reason
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

    def _text_fields(self) -> None:
        for fld in TEXT_FIELDS:
            values = self.text(fld)
            if values is None:
                continue
            if fld in ("claim_id", "payer_claim_number", "member_id"):
                odd = values.values.str.fullmatch(_SCIENTIFIC, case=False)
                self.warn(values.per_value(odd), fld, values,
                          "look like Excel scientific notation, which has lost digits; "
                          "export again with the column formatted as text", show=False)
            self.out[fld] = values

    def _codes(self) -> None:
        procedure = self.text("procedure_code")
        mod_lists = []
        if procedure is not None:
            code, in_cell = C.parse_procedure(procedure.values)
            self.out["procedure_code"] = procedure.derive(code)
            mod_lists.append(procedure.derive(in_cell))
        for fld in self.colmap.slots("modifiers"):
            mods, odd = self.parsed(fld, C.parse_modifiers)
            self.warn(odd, fld, mods, "hold a modifier that is not 2 characters "
                      "(modifiers must be separated: 'JB KX' or 'JB,KX'); kept as typed")
            mod_lists.append(mods)
        if mod_lists:
            self.out["modifiers"] = _joined(mod_lists)
        if "revenue_code" in self.colmap.fields:
            rev, bad = self.parsed("revenue_code", C.parse_revenue)
            self.warn(bad, "revenue_code", rev, "are not 4-digit revenue codes; kept as typed")
            self.out["revenue_code"] = rev
        if "place_of_service" in self.colmap.fields:
            pos, bad = self.parsed("place_of_service", C.parse_pos)
            self.warn(bad, "place_of_service", pos,
                      "are not 2-digit place-of-service codes; kept as typed")
            self.out["place_of_service"] = pos
        parts = [self._code_slot(fld) for fld in self.colmap.slots("carcs")]
        parts += [self._code_slot(fld, plain=True) for fld in self.colmap.slots("rarcs")]
        if parts:
            codes, per = D.combine(*parts)
            joined = {name: C.join_lists(*(p[name] for p in per))
                      for name in ("carcs", "rarcs", "adjustments", "unrecognised")}
            for name in ("carcs", "rarcs", "adjustments"):
                self.out[name] = D.Distinct(joined[name], codes)
            unknown = D.Distinct(joined["unrecognised"], codes)
            listed = unknown.per_value(joined["unrecognised"] != "")
            shown = pd.Series(unknown.rows(listed), dtype=_STR)
            counts = shown.str.split(";").explode().value_counts()
            self.unrecognised = {str(k): int(v) for k, v in counts.items()}
            if self.unrecognised:
                shown = ", ".join(f"{k} ({v})" for k, v in list(self.unrecognised.items())[:10])
                self.warnings.append(
                    f"codes that are neither CARC nor RARC were left out: {shown}"
                )

    def _code_slot(self, fld: str, plain: bool = False) -> D.Distinct:
        if plain:
            text = self.mapped_text(fld)
            return text.derive(C.parse_codes(text.values))
        slot = fld[len("carcs"):]  # "" or "_N"
        columns = [self.mapped_text(fld)]
        group_fld = "group_code" + slot if "group_code" + slot in self.colmap.fields else "group_code"
        if group_fld in self.colmap.fields:
            group, bad = self.parsed(group_fld, C.parse_group)
            self.warn(bad, group_fld, self.mapped_text(group_fld),
                      "are not group codes (CO, PR, OA, PI, CR); adjustments left without group")
            columns.append(group)
        amount_fld = "adjustment_amount" + slot
        if amount_fld in self.colmap.fields:
            amount, bad = self.parsed(amount_fld, C.parse_money)
            self.reject(bad, amount_fld, self.mapped_text(amount_fld), _MONEY_REASON,
                        "bad-amount")
            columns.append(amount)
        codes, per = D.combine(*columns)
        group_values = per[1] if group_fld in self.colmap.fields else None
        amount_values = per[-1] if amount_fld in self.colmap.fields else None
        return D.Distinct(C.parse_codes(per[0], group_values, amount_values), codes)

    def _numbers(self) -> None:
        for fld in MONEY_FIELDS:
            if fld in self.colmap.fields:
                self.out[fld], bad = self.parsed(fld, C.parse_money)
                self.reject(bad, fld, self.mapped_text(fld), _MONEY_REASON, "bad-amount")
        if "units" in self.colmap.fields:
            self.out["units"], bad = self.parsed("units", C.parse_count)
            self.reject(bad, "units", self.mapped_text("units"), "units must be a whole number, 0 "
                        "or more (e.g. 3); fix the units in the export", "bad-units")
        if "sites" in self.colmap.fields:
            self.out["sites"], bad = self.parsed("sites", C.parse_count)
            self.warn(bad, "sites", self.mapped_text("sites"),
                      "are not a whole number of sites; left blank")

    def _dates(self) -> None:
        for fld, future_days in DATE_FIELDS.items():
            if fld not in self.colmap.fields:
                continue
            self.out[fld], bad = self.parsed(fld, C.parse_dates, future_days=future_days)
            self.reject(bad, fld, self.mapped_text(fld), "not a valid date (the day does not exist "
                        "or the text is not a date); write it as MM/DD/YYYY", "bad-date")

    def _words(self) -> None:
        if "claim_status" in self.colmap.fields:
            self.out["claim_status"], bad = self.parsed("claim_status", C.parse_claim_status)
            self.warn(bad, "claim_status", self.mapped_text("claim_status"), "have a status that is "
                      "not an 835 code or a known word (Denied, Paid, Reversal…); left blank")
        if "admin_route" in self.colmap.fields:
            self.out["admin_route"], bad = self.parsed("admin_route", C.parse_route)
            self.warn(bad, "admin_route", self.mapped_text("admin_route"),
                      "have a route that is not SC or IV; left blank")
        if "claim_form" in self.colmap.fields:
            self.out["claim_form"], bad = self.parsed("claim_form", C.parse_claim_form)
            self.warn(bad, "claim_form", self.mapped_text("claim_form"), "are not a type of bill "
                      "(0131) or claim form (UB-04, 837I, CMS-1500, 837P); left blank, so revenue "
                      "codes decide")
        for fld in ("infusion_start", "infusion_stop"):
            if fld in self.colmap.fields:
                self.out[fld], bad = self.parsed(fld, C.parse_times)
                self.warn(bad, fld, self.mapped_text(fld), "are not a time of day (e.g. 09:05 or "
                          "9:05 AM); left blank")

    def _required(self) -> None:
        claim = self.out["claim_id"]
        self.reject(claim.per_value(claim.values == ""), "claim_id", claim, "the claim id is "
                    "blank; fill in the claim number (or delete the row if it is not a "
                    "service line)", "blank-claim-id")
        none = np.ones(self.n, dtype=bool)
        for name in ("procedure_code", "revenue_code"):
            if name in self.out:
                none &= self.out[name].per_value(self.out[name].values == "")
        fld = "procedure_code" if "procedure_code" in self.colmap.fields else "revenue_code"
        self.reject(none, fld, np.full(self.n, "", dtype=object), "no procedure code (and no "
                    "revenue code); fill in the CPT/HCPCS code", "no-procedure-code")

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


def _joined(columns: list[D.Distinct]) -> D.Distinct:
    """``join_lists`` of several list columns, once per distinct combination of values."""
    codes, per = D.combine(*columns)
    return D.Distinct(C.join_lists(*per), codes)


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
_MONEY_REASON = ("not an amount; write it like 1234.50 or $1,234.50, negatives as -12.00 "
                 "or (12.00)")


def _short(text: str, limit: int = 200) -> str:
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)
    return text if len(text) <= limit else text[: limit - 3] + "..."
