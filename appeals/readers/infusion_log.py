"""The infusion log an EHR exports (one row per SC site) and its join to the claim lines.

A log row names its encounter by claim id, or by member id or patient name with the date of
service; it carries the site, its start and stop, the product and the route. Reading keeps
every row: a row that cannot be used goes to ``rejected`` with every reason and the fix.
The join writes the chart facts (start, stop, sites, route, product) onto the lines of each
matched encounter and reports what did not match on either side.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from appeals.classify.units import units_for_sites
from appeals.errors import InputFileError
from appeals.readers import values as C
from appeals.readers.aliases import ColumnMap, map_columns, normalise_header
from appeals.readers.raw_table import RawTable
from appeals.readers.sheets import read_raw
from appeals.rules.reference import scig_jcodes
from appeals.schema import LINE_COLUMNS, REJECTED_COLUMNS, conform, empty_rejected

LOG_COLUMNS = (
    "source_file", "source_sheet", "source_row",
    "claim_id", "member_id", "patient_name", "service_date",
    "site", "start", "stop",  # "HH:MM"
    "product", "route",  # route: "SC", "IV" or ""
)  # fmt: skip
SITE_COLUMNS = (
    "claim_id", "service_date", "site", "start", "stop", "minutes", "product", "route",
    "source_file", "source_row",
)  # fmt: skip
_KEY = ["claim_id", "service_date"]
_ADMIN_CODES = frozenset({"96369", "96370", "96371", "96365", "96366"})


@dataclass
class InfusionLog:
    """Usable log rows (one per site), rejected rows with reasons, and ``held``: the
    rejected rows whose encounter can still be told, so the join leaves it as billed."""

    sites: pd.DataFrame
    rejected: pd.DataFrame
    held: pd.DataFrame


@dataclass
class JoinReport:
    """What the join matched and what it could not. Ids and row numbers only, no names."""

    encounters_matched: int = 0
    lines_updated: int = 0
    log_rows_matched: int = 0
    site_times: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SITE_COLUMNS))
    unmatched_log: pd.DataFrame = field(default_factory=pd.DataFrame)  # log rows + reason
    claims_without_log: pd.DataFrame = field(default_factory=pd.DataFrame)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        """One line per fact a biller checks."""
        out = [
            f"{_count(self.encounters_matched, 'encounter')} matched the infusion log "
            f"({_count(self.log_rows_matched, 'log row')}, "
            f"{_count(self.lines_updated, 'claim line')} updated)"
        ]
        if len(self.unmatched_log):
            rows = ", ".join(str(r) for r in self.unmatched_log["source_row"].head(20))
            out.append(
                f"{_count(len(self.unmatched_log), 'log row')} matched no claim (rows {rows})"
            )
        if len(self.claims_without_log):
            scig = self.claims_without_log[self.claims_without_log["scig"]]
            ids = ", ".join(dict.fromkeys(scig["claim_id"].head(20)))
            out.append(
                f"{_count(len(self.claims_without_log), 'encounter')} without an infusion log"
                + (f"; SCIG claims among them: {ids}" if ids else "")
            )
        return out + self.problems


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


@functools.cache
def _scig_codes() -> frozenset[str]:
    """Administration codes and SCIG J-codes: the claims a missing log matters for."""
    return _ADMIN_CODES | scig_jcodes()


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
                                          "product")},
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


# --- the join ------------------------------------------------------------------------------


def _name_key(values: pd.Series) -> pd.Series:
    """Patient names compared as a set of lower-case words: "Doe, Jane" = "Jane Doe"."""
    return values.map(lambda v: " ".join(sorted(re.findall(r"[a-z0-9]+", str(v).lower()))))


def _service_day(values: pd.Series) -> np.ndarray:
    return pd.to_datetime(values).dt.normalize().astype("datetime64[ns]").to_numpy()


def _encounters(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per claim id + date of service, with the member, name and SCIG flag."""
    enc = pd.DataFrame(
        {
            "claim_id": lines["claim_id"].to_numpy(dtype=object),
            "service_date": _service_day(lines["service_date"]),
            "member_id": lines["member_id"].to_numpy(dtype=object),
            "name_key": _name_key(lines["patient_name"]).to_numpy(dtype=object),
            "scig": lines["procedure_code"].isin(_scig_codes()).to_numpy(),
        }
    )
    grouped = enc.groupby(_KEY, dropna=False, sort=False)
    return grouped.agg(
        member_id=("member_id", "first"), name_key=("name_key", "first"), scig=("scig", "any")
    ).reset_index()


_NO_CLAIM = "no claim on this date of service for this claim id, member or patient"
_OTHER_DAY = "the claim id is on the lines, but not with this date of service"
_SEVERAL_DAYS = "the claim has several dates of service: add the date of service to the log"


def _match(log: pd.DataFrame, enc: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """(row_id, claim_id, service_date) per matched log row; a reason per unmatched row.

    Tried in turn: claim id with the date; claim id alone when the log has no date;
    member id with the date; patient name with the date.
    """
    left = log.assign(row_id=np.arange(len(log)), name_key=_name_key(log["patient_name"]))
    dated = left["service_date"].notna()
    reasons = pd.Series(_NO_CLAIM, index=left["row_id"].to_numpy(), dtype=object)
    reasons[(left["claim_id"].isin(set(enc["claim_id"])) & dated).to_numpy()] = _OTHER_DAY
    found: list[pd.DataFrame] = []
    done = np.zeros(len(left), dtype=bool)
    for key, with_date in (("claim_id", True), ("claim_id", False), ("member_id", True),
                           ("name_key", True)):  # fmt: skip
        todo = left[~done & (left[key] != "").to_numpy() & (dated == with_date).to_numpy()]
        if todo.empty:
            continue
        on = [key, "service_date"] if with_date else [key]
        right = enc[list(dict.fromkeys([*on, *_KEY]))]
        hit = todo[["row_id", *on]].merge(right, on=on, how="inner")
        if not with_date:
            days = hit.groupby("row_id")["service_date"].nunique()
            several = days[days > 1].index
            reasons[several] = _SEVERAL_DAYS
            hit = hit[~hit["row_id"].isin(several)]
        found.append(hit[["row_id", *_KEY]])
        done[hit["row_id"].to_numpy()] = True
    columns = ["row_id", *_KEY]
    matched = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=columns)
    return matched.drop_duplicates(), reasons[~done]


def join_infusion_log(lines: pd.DataFrame, log: InfusionLog) -> tuple[pd.DataFrame, JoinReport]:
    """Copy the log's chart facts onto the lines of each matched encounter.

    Per encounter (claim id + date of service): infusion_start = first start, infusion_stop
    = last stop, sites = number of distinct sites; route and product only where the line has
    none. An encounter with a rejected log row keeps its lines as billed (its site count
    would be short) and is reported. Lines keep their order and index; nothing is dropped.
    """
    out = lines.copy() if set(LINE_COLUMNS) <= set(lines.columns) else conform(lines)
    report = JoinReport()
    enc = _encounters(out)
    rows = pd.concat(
        [log.sites.assign(usable=True), log.held.assign(usable=False)], ignore_index=True
    )
    matched, unmatched = _match(rows, enc)
    usable_unmatched = unmatched[rows["usable"].to_numpy()[unmatched.index]]
    report.unmatched_log = (
        rows.iloc[usable_unmatched.index]
        .drop(columns="usable")
        .assign(reason=usable_unmatched.to_numpy())
        .reset_index(drop=True)
    )
    facts: list[dict[str, Any]] = []
    site_rows: list[dict[str, Any]] = []
    for (claim_id, service_date), group in matched.groupby(_KEY, dropna=False, sort=False):
        sites = rows.iloc[group["row_id"].to_numpy()]
        fact, problems = _encounter_facts(sites)
        where = f"claim {claim_id}" + (
            "" if pd.isna(service_date) else f" on {service_date:%Y-%m-%d}"
        )
        report.problems.extend(f"{where}: {p}" for p in problems)
        site_rows.extend(
            {"claim_id": claim_id, "service_date": service_date, **r} for r in fact.pop("sites")
        )
        if fact["log_start"]:
            facts.append({"claim_id": claim_id, "service_date": service_date, **fact})
            report.log_rows_matched += len(sites)
    report.encounters_matched = len(facts)
    report.site_times = pd.DataFrame.from_records(site_rows, columns=list(SITE_COLUMNS))
    found = pd.DataFrame.from_records(
        facts, columns=[*_KEY, "log_start", "log_stop", "log_sites", "log_route", "log_product"]
    )
    found["service_date"] = found["service_date"].astype("datetime64[ns]")
    keyed = pd.DataFrame(
        {
            "claim_id": out["claim_id"].to_numpy(dtype=object),
            "service_date": _service_day(out["service_date"]),
        }
    )
    joined = keyed.merge(found, on=_KEY, how="left")
    hit = joined["log_start"].notna().to_numpy()
    report.lines_updated = int(hit.sum())
    _apply(out, joined, hit)
    logged = pd.MultiIndex.from_frame(matched[_KEY].astype({"service_date": "datetime64[ns]"}))
    without = ~pd.MultiIndex.from_frame(enc[_KEY]).isin(logged)
    report.claims_without_log = enc.loc[without, [*_KEY, "scig"]].reset_index(drop=True)
    return out, report


def _encounter_facts(sites: pd.DataFrame) -> tuple[dict[str, Any], list[str]]:
    """Span, site count, route and product of one encounter's log rows, and its problems."""
    usable = sites[sites["usable"]]
    held = sites[~sites["usable"]]
    problems: list[str] = []
    result = units_for_sites(list(zip(usable["start"], usable["stop"], strict=True)))
    site_rows = [
        {
            "site": row.site or st.site, "start": st.start, "stop": st.stop,
            "minutes": st.minutes, "product": row.product, "route": row.route,
            "source_file": row.source_file, "source_row": row.source_row,
        }
        for st, row in zip(result.site_times, usable.itertuples(index=False), strict=True)
    ]  # fmt: skip
    fact: dict[str, Any] = {"sites": site_rows, "log_start": ""}
    if len(held):
        numbers = ", ".join(str(r) for r in held["source_row"])
        rows = f"log row {numbers} was" if len(held) == 1 else f"log rows {numbers} were"
        problems.append(
            f"{rows} rejected, so the chart times and sites were not applied: "
            "fix the log and run again"
        )
        return fact, problems
    problems.extend(result.problems)
    if not result.ok:
        return fact, problems
    labels = usable["site"].where(usable["site"] != "")
    routes = sorted(set(usable["route"]) - {""})
    products = list(dict.fromkeys(p for p in usable["product"] if p))
    if len(routes) > 1:
        problems.append("the log shows both SC and IV sites; route left as billed")
    if len(products) > 1:
        problems.append("the log names several products; product left as billed")
    fact.update(
        log_start=result.start,
        log_stop=result.stop,
        log_sites=float(labels.nunique() + labels.isna().sum()),
        log_route=routes[0] if len(routes) == 1 else "",
        log_product=products[0] if len(products) == 1 else "",
    )
    return fact, problems


def _apply(out: pd.DataFrame, joined: pd.DataFrame, hit: np.ndarray) -> None:
    """Times and sites from the log always; route and product only where the line is blank."""
    for column, source, only_blank in (
        ("infusion_start", "log_start", False),
        ("infusion_stop", "log_stop", False),
        ("admin_route", "log_route", True),
        ("product", "log_product", True),
    ):
        values = out[column].to_numpy(dtype=object).copy()
        new = joined[source].fillna("").to_numpy(dtype=object)
        fill = hit & (new != "")
        if only_blank:
            fill &= values == ""
        values[fill] = new[fill]
        out[column] = pd.Series(values, index=out.index, dtype=object)  # not pandas' str
    sites = out["sites"].to_numpy(dtype=np.float64).copy()
    sites[hit] = joined.loc[hit, "log_sites"].to_numpy(dtype=np.float64)
    out["sites"] = pd.Series(sites, index=out.index)


def site_times_for(report: JoinReport, claim_ids: Iterable[str]) -> pd.DataFrame:
    """The per-site times of the given claims, for their worksheets."""
    return report.site_times[report.site_times["claim_id"].isin(set(claim_ids))].reset_index(
        drop=True
    )
