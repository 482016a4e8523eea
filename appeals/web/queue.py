"""The work queue as the page serves it: filtered, sorted and cut into pages on the server.

Built once per run from the classified lines: the columns a biller sorts and filters by,
made ready for fast comparisons, so a page of a 100,000-line run is a few vectorised
masks and one sort. Columns other helpers add (``route`` as the appeal route, ``deadline``,
``past_due``, ``payer_type``, ``claim_type``, ``patterns``) are used when present.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from appeals.schema import claim_keys

ACTIONABLE = ("denied", "needs_review")
APPEAL_ROUTES = frozenset({
    "reopening", "redetermination", "reconsideration", "corrected_claim", "new_claim",
    "other_supplier", "patient_responsibility", "no_action", "review",
})
NEW_STATE = "to do"
SORTS = ("deadline", "claim_id", "payer", "pattern", "status", "procedure_code", "at_stake",
         "route")
FILTERS = ("status", "payer", "pattern", "route", "state")
PER_PAGE_MAX = 500
_OPTIONAL = ("payer_type", "claim_type", "deadline_basis")


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    return frame[name].fillna("").astype(str)


def _appeal_route(frame: pd.DataFrame) -> pd.Series | None:
    """The appeal route column, when the classifier gives one (not the infusion route)."""
    if "route" not in frame.columns:
        return None
    route = _text(frame, "route")
    return route if route.isin(APPEAL_ROUTES).any() else None


@dataclass
class QueueFrame:
    frame: pd.DataFrame
    has_route: bool
    facets: dict[str, list[str]]
    orders: dict[tuple[str, bool], np.ndarray] = field(default_factory=dict)

    @classmethod
    def build(cls, lines: pd.DataFrame, documents: pd.DataFrame, today: dt.date) -> QueueFrame:
        deadline_col = "deadline" if "deadline" in lines.columns else "appeal_deadline"
        deadline = pd.to_datetime(lines[deadline_col], errors="coerce")
        days_left = (deadline - pd.Timestamp(today)).dt.days
        status = _text(lines, "status")
        billed = pd.to_numeric(lines["billed_amount"], errors="coerce")
        paid = pd.to_numeric(lines["paid_amount"], errors="coerce").fillna(0)
        at_stake = (billed - paid).clip(lower=0).where(status.isin(ACTIONABLE), 0.0)
        route = _appeal_route(lines)
        claim_id = _text(lines, "claim_id")
        # Documents belong to a claim (id + payer + member), not to a claim id alone.
        docs = (documents.assign(key=claim_keys(documents).astype(str))
                .drop_duplicates("key").set_index("key") if len(documents) else None)
        key = claim_keys(lines).fillna("").astype(str)

        def doc(name: str) -> pd.Series:
            if docs is None:
                return pd.Series([""] * len(lines), index=lines.index, dtype=object)
            return key.map(docs[name]).fillna("").astype(str)

        past_due = (lines["past_due"].fillna(False).astype(bool) if "past_due" in lines.columns
                    else (days_left < 0).fillna(False))
        frame = pd.DataFrame({
            "row": np.arange(len(lines)),
            "claim_id": claim_id,
            "claim": claim_refs(claim_id, key),
            "source_file": _text(lines, "source_file"),
            "source_row": lines["source_row"].astype("Int64").astype(str).replace("<NA>", ""),
            "service_date": pd.to_datetime(lines["service_date"], errors="coerce")
            .dt.strftime("%Y-%m-%d").fillna(""),
            "procedure_code": _text(lines, "procedure_code"),
            "status": status,
            "pattern": _text(lines, "pattern"),
            "action": _text(lines, "action"),
            "route": route if route is not None else _text(lines, "_no_route"),
            "payer": _text(lines, "payer_name").where(_text(lines, "payer_name") != "",
                                                       _text(lines, "payer")),
            "deadline": deadline.dt.strftime("%Y-%m-%d").fillna(""),
            "deadline_sort": deadline.fillna(pd.Timestamp.max).to_numpy(),
            "days_left": days_left.astype("Int64"),
            "past_due": past_due.to_numpy(),
            "at_stake": at_stake.round(2),
            "letter": doc("letter"),
            "worksheet": doc("worksheet"),
            "placeholders": doc("placeholders"),
            **{name: _text(lines, name) for name in _OPTIONAL},
        })
        facets = {
            name: sorted(v for v in frame[name].unique().tolist() if v)
            for name in ("status", "payer", "pattern", "route")
        }
        return cls(frame, route is not None, facets)

    def _order(self, key: str, descending: bool) -> np.ndarray:
        """Row positions sorted by ``key`` (ties by claim, then input order), made once."""
        cached = self.orders.get((key, descending))
        if cached is None:
            cached = self.orders[(key, descending)] = self.frame.sort_values(
                [key, "claim_id", "row"], ascending=[not descending, True, True], kind="stable",
            )["row"].to_numpy()
        return cached

    def page(self, params: Mapping[str, str], states: Mapping[str, str],
             key: str = "claim") -> dict[str, Any]:
        """One page of rows for query ``params`` (see ``FILTERS``, ``SORTS``, page, per_page,
        overdue, q); ``states`` maps a claim (column ``key``) to its tracking state."""
        f = self.frame
        mask = np.ones(len(f), dtype=bool)
        status = params.get("status", "actionable")
        if status == "actionable":
            mask &= f["status"].isin(ACTIONABLE).to_numpy()
        elif status and status != "all":
            mask &= (f["status"] == status).to_numpy()
        for name in ("payer", "pattern", "route"):
            if params.get(name):
                mask &= (f[name] == params[name]).to_numpy()
        if params.get("overdue") in ("1", "true", "yes"):
            mask &= f["past_due"].to_numpy()
        if params.get("q"):
            mask &= f["claim_id"].str.contains(params["q"], case=False, regex=False).to_numpy()
        if params.get("state"):
            state = f[key].map(states).fillna(NEW_STATE)
            mask &= (state == params["state"]).to_numpy()
        sort = params.get("sort", "deadline")
        column = "deadline_sort" if sort not in SORTS or sort == "deadline" else sort
        descending = params.get("order") == "desc"
        order = self._order(column, descending)
        selected = order[mask[order]]  # the matching rows, already in order
        per_page = min(max(_int(params.get("per_page"), 50), 1), PER_PAGE_MAX)
        pages = max(1, -(-len(selected) // per_page))
        page = min(max(_int(params.get("page"), 1), 1), pages)
        shown = f.iloc[selected[(page - 1) * per_page: page * per_page]]
        return {
            "total": int(len(selected)), "page": page, "pages": pages, "per_page": per_page,
            "sort": sort if sort in SORTS else "deadline", "order": "desc" if descending else "asc",
            "rows": [_row(r, states, key) for r in shown.to_dict("records")],
            "has_route": self.has_route,
        }


def claim_refs(claim_id: pd.Series, key: pd.Series) -> pd.Series:
    """Each line's claim as the page names it (its link, its saved fills): the claim id, or
    ``ID~2`` for the second claim (another member or payer) sharing one claim id. Never the
    member id itself: it would show in addresses and logs."""
    pairs = pd.DataFrame({"id": claim_id.to_numpy(), "key": key.to_numpy()}).drop_duplicates()
    pairs["n"] = pairs.groupby("id", sort=False).cumcount() + 1
    shared = pairs.groupby("id", sort=False)["key"].transform("size") > 1
    taken = set(pairs["id"])
    names = {}
    for cid, k, n, many in zip(pairs["id"], pairs["key"], pairs["n"], shared, strict=True):
        name = f"{cid}~{n}" if many else cid
        while many and name in taken:  # an id that itself looks like "ID~2"
            name += "~"
        taken.add(name)
        names[k] = name
    return key.map(names).astype(object)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _row(record: dict[str, Any], states: Mapping[str, str], key: str) -> dict[str, Any]:
    days = record["days_left"]
    placeholders = [p for p in record["placeholders"].split(";") if p]
    out = {k: v for k, v in record.items() if k not in ("deadline_sort", "row", "placeholders")}
    out.update(
        days_left=None if days is pd.NA or days is None else int(days),
        past_due=bool(record["past_due"]),
        # no billed amount in the export: unknown, not $0 (and JSON has no NaN)
        at_stake=None if pd.isna(record["at_stake"]) else float(record["at_stake"]),
        placeholders=len(placeholders),
        state=states.get(record[key], NEW_STATE),
    )
    return out
