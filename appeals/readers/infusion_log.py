"""The infusion log an EHR exports (one row per SC site), read and checked.

A log row names its encounter by claim id, or by member id or patient name with the date of
service; it carries the site, its start and stop, the product and the route. Reading keeps
every row: a row that cannot be used goes to ``rejected`` with every reason and the fix.
``infusion_join.py`` joins the usable rows to the claim lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from appeals.errors import InputFileError
from appeals.readers import values as C
from appeals.readers.aliases import ColumnMap, map_columns, normalise_header
from appeals.readers.raw_table import RawTable
from appeals.readers.sheets import read_raw
from appeals.schema import REJECTED_COLUMNS, empty_rejected

LOG_COLUMNS = (
    "source_file", "source_sheet", "source_row",
    "claim_id", "member_id", "patient_name", "service_date",
    "site", "start", "stop",  # "HH:MM"
    "product", "route",  # route: "SC", "IV" or ""
    "setting",  # where the chart says the infusion was given ("office"), as written
)  # fmt: skip
_KEY = ["claim_id", "service_date"]


@dataclass
class InfusionLog:
    """Usable log rows (one per site), rejected rows with reasons, and ``held``: the
    rejected rows whose encounter can still be told, so the join leaves it as billed."""

    sites: pd.DataFrame
    rejected: pd.DataFrame
    held: pd.DataFrame


# --- reading -------------------------------------------------------------------------------

# Log headers the export alias table does not know; offered to ``map_columns`` as overrides.
_LOG_HEADERS = {
    "sites": ("Site #", "Site Number", "Site No", "Site Location", "Body Site", "Needle Site",
              "SC Site", "Location"),
    "service_date": ("Date", "Infusion Date", "Visit Date", "Administration Date", "Admin Date"),
    "claim_id": ("Visit ID", "Visit Number", "FIN", "CSN"),
    "infusion_start": ("Start Date/Time", "Start Datetime", "Time Started", "Begin", "Begin Time"),
    "infusion_stop": ("Stop Date/Time", "End Date/Time", "Stop Datetime", "Time Stopped",
                      "Finish"),
}  # fmt: skip
_FIELDS = {  # log column → export field that feeds it
    "claim_id": "claim_id", "member_id": "member_id", "patient_name": "patient_name",
    "service_date": "service_date", "site": "sites", "start": "infusion_start",
    "stop": "infusion_stop", "product": "product", "route": "admin_route",
    "setting": "service_setting",
}  # fmt: skip


def _log_columns(headers: list[str]) -> ColumnMap:
    colmap = map_columns(headers)
    extra: dict[str, str] = {}
    for fld, names in _LOG_HEADERS.items():
        wanted = {normalise_header(n) for n in names}
        for header in headers:
            if fld not in colmap.fields and fld not in extra and normalise_header(header) in wanted:
                extra[fld] = header
    return map_columns(headers, extra) if extra else colmap


def read_infusion_log(path: str | Path, *, sheet: str | None = None) -> InfusionLog:
    """Read an infusion log (CSV or Excel); one output row per site.

    Raises ``InputFileError`` when the file cannot be read or lacks the columns a join
    needs; a row that cannot be used is kept in ``rejected`` with every reason.
    """
    flat = tuple(n for names in _LOG_HEADERS.values() for n in names)
    raw = read_raw(path, sheet=sheet, extra_headers=flat)
    colmap = _log_columns(raw.headers)
    fields = {col: colmap.fields.get(fld) for col, fld in _FIELDS.items()}
    _require(fields, raw, path)
    blank = pd.Series("", index=raw.cells.index, dtype=object)

    def text(col: str) -> pd.Series:
        index = fields[col]
        return blank if index is None else C.as_text(raw.cells[index])

    log = pd.DataFrame(
        {
            "source_file": str(path),
            "source_sheet": raw.sheet,
            "source_row": raw.rows.astype("int64"),
            **{col: text(col) for col in ("claim_id", "member_id", "patient_name", "site",
                                          "product", "setting")},
        },
        index=raw.cells.index,
    )  # fmt: skip
    problems: list[tuple[str, pd.Series, str, str]] = []  # column, bad rows, reason, code
    log["service_date"], bad = C.parse_dates(text("service_date"))
    problems.append(("service_date", bad, "date of service is not a date: write MM/DD/YYYY",
                     "bad-date"))
    if fields["service_date"] is None:  # a start date-time can carry the date of service
        log["service_date"] = C.parse_dates(text("start"))[0]
    for col in ("start", "stop"):
        log[col], bad = C.parse_times(text(col))
        problems.append((col, bad, f"{col} is not a time: write HH:MM (24-hour)", "bad-time"))
        problems.append((col, (log[col] == "") & ~bad,
                         f"{col} time missing: fill it in from the chart", "missing-time"))
    problems.append(("stop", (log["start"] != "") & (log["start"] == log["stop"]),
                     "stop equals start: check the chart times", "stop-equals-start"))
    log["route"], bad = C.parse_route(text("route"))
    problems.append(("route", bad, "route is not SC or IV: write SC or IV", "bad-route"))
    identified = (log["claim_id"] != "") | (
        log["service_date"].notna() & ((log["member_id"] != "") | (log["patient_name"] != ""))
    )
    who = "claim_id" if fields["claim_id"] is not None else "service_date"
    problems.append((who, ~identified, "no claim id, and no member id or patient name with a date",
                     "unidentified"))
    bad_rows = np.zeros(len(log), dtype=bool)
    for _, mask, _, _ in problems:
        bad_rows |= mask.to_numpy(dtype=bool)
    rejected = _rejected(log, problems, bad_rows, text)
    keep = list(LOG_COLUMNS)
    return InfusionLog(
        sites=log.loc[~bad_rows, keep].reset_index(drop=True),
        rejected=rejected,
        held=log.loc[bad_rows & identified.to_numpy(), keep].reset_index(drop=True),
    )


def _rejected(
    log: pd.DataFrame, problems: list[tuple[str, pd.Series, str, str]], bad_rows: np.ndarray,
    text: Any,
) -> pd.DataFrame:
    """One rejected row per bad log row, naming every column at fault and why."""
    if not bad_rows.any():
        return empty_rejected()
    records = []
    for position in np.flatnonzero(bad_rows):
        found = [(col, reason, code) for col, mask, reason, code in problems
                 if mask.iloc[position]]
        columns = list(dict.fromkeys(col for col, _, _ in found))
        records.append(
            {
                "source_file": log["source_file"].iloc[position],
                "source_sheet": log["source_sheet"].iloc[position],
                "source_row": int(log["source_row"].iloc[position]),
                "column": ", ".join(columns),
                "value": "; ".join(text(col).iloc[position] for col in columns),
                "reason": "; ".join(reason for _, reason, _ in found),
                "code": ";".join(code for _, _, code in found),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=list(REJECTED_COLUMNS))
    return frame.astype({"source_row": "Int64"})


def _require(fields: dict[str, int | None], raw: RawTable, path: str | Path) -> None:
    missing = [name for name in ("start", "stop") if fields[name] is None]
    if fields["claim_id"] is None and not (
        fields["service_date"] is not None
        and (fields["member_id"] is not None or fields["patient_name"] is not None)
    ):
        missing.append("claim id, or member id / patient name with date of service")
    if missing:
        found = ", ".join(repr(h) for h in raw.headers if str(h).strip())
        raise InputFileError(
            f"infusion log lacks {', '.join(missing)}; headers found: {found}",
            file=path,
            sheet=raw.sheet or None,
            row=raw.header_row,
            fix="name the columns e.g. 'Claim ID', 'Date of Service', 'Site', 'Start Time', "
            "'Stop Time', 'Product', 'Route'",
        )
