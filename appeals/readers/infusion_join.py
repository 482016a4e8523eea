"""The join of an infusion log to the claim lines.

Each log row's encounter is found by claim id, or by member id or patient name with the
date of service; the chart facts (start, stop, sites, route, product, setting) go onto the
lines of each matched encounter, and ``JoinReport`` says what did not match on either side.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from appeals.classify.units import units_for_sites
from appeals.readers.infusion_log import _KEY, InfusionLog
from appeals.rules.reference import scig_jcodes
from appeals.schema import LINE_COLUMNS, conform

SITE_COLUMNS = (
    "claim_id", "service_date", "site", "start", "stop", "minutes", "product", "route",
    "source_file", "source_row",
)  # fmt: skip
_ADMIN_CODES = frozenset({"96369", "96370", "96371", "96365", "96366"})


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
    = last stop, sites = number of distinct sites; route, product and setting only where the
    line has none. An encounter with a rejected log row keeps its lines as billed (its site count
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
        facts, columns=[*_KEY, "log_start", "log_stop", "log_sites", "log_route", "log_product",
                        "log_setting"],
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
    """Span, site count, route, product and setting of one encounter's log rows, and its
    problems."""
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
    settings = list(dict.fromkeys(s for s in usable["setting"] if s))
    if len(settings) > 1:
        problems.append("the log names several settings; setting left as billed")
    fact.update(
        log_start=result.start,
        log_stop=result.stop,
        log_sites=float(labels.nunique() + labels.isna().sum()),
        log_route=routes[0] if len(routes) == 1 else "",
        log_product=products[0] if len(products) == 1 else "",
        log_setting=settings[0] if len(settings) == 1 else "",
    )
    return fact, problems


def _apply(out: pd.DataFrame, joined: pd.DataFrame, hit: np.ndarray) -> None:
    """Times and sites from the log always; route, product and setting only where the line
    is blank (the export's own value wins)."""
    for column, source, only_blank in (
        ("infusion_start", "log_start", False),
        ("infusion_stop", "log_stop", False),
        ("admin_route", "log_route", True),
        ("product", "log_product", True),
        ("service_setting", "log_setting", True),
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
