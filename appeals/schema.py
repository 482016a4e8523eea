"""The canonical service line: the one contract between loading, classifying and rendering.

Every reader (spreadsheet, 835) produces a DataFrame with exactly ``LINE_COLUMNS``; the
classifier adds ``CLASSIFIED_COLUMNS``. Representation, chosen so the frame stays
vectorisable and Arrow-friendly at a million rows:

- text fields are ``str``; an absent value is ``""``, never NaN and never guessed;
- ``add_lines`` holds a tuple of ``appeals.classify.records.AddedLine`` per line (typed,
  never encoded as text);
- list fields (``modifiers``, ``carcs``, ``rarcs``, ``adjustments``) are
  ``;``-joined strings, ``""`` when empty; use ``split_list`` / ``join_list``;
- ``adjustments`` entries are ``GROUP-CARC:AMOUNT`` (``CO-119:125.00``);
- numbers are float64 (NaN when absent); dates are datetime64 (NaT when absent);
- ``source_row`` is the row as the user sees it (Excel row number, CSV physical line with
  the first line = 1, or the 835 segment number of the SVC/CLP).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

TEXT_FIELDS = (
    "source_file",
    "source_sheet",
    "claim_id",
    "payer_claim_number",
    "claim_status",
    "patient_name",
    "member_id",
    "payer_name",
    "payer",
    "place_of_service",
    "procedure_code",
    "revenue_code",
    "ndc",
    "check_number",
    "rendering_npi",
    "line_control_number",
    "claim_form",
    "infusion_start",
    "infusion_stop",
    "admin_route",
    "product",
    "justification",
    "chart_reference",
    "service_setting",
    "claim_key",
)
LIST_FIELDS = ("modifiers", "adjustments", "carcs", "rarcs")
NUMBER_FIELDS = ("units", "billed_amount", "allowed_amount", "paid_amount", "sites")
DATE_FIELDS = ("patient_dob", "service_date", "service_date_to", "remit_date")
INT_FIELDS = ("source_row",)

LINE_COLUMNS = (
    "source_file",
    "source_sheet",
    "source_row",
    "claim_id",
    "payer_claim_number",
    "claim_status",
    "patient_name",
    "member_id",
    "patient_dob",
    "payer_name",
    "payer",
    "service_date",
    "service_date_to",
    "place_of_service",
    "procedure_code",
    "modifiers",
    "revenue_code",
    "ndc",
    "units",
    "billed_amount",
    "allowed_amount",
    "paid_amount",
    "adjustments",
    "carcs",
    "rarcs",
    "remit_date",
    "check_number",
    "rendering_npi",
    "line_control_number",  # the provider's line item control number (835 REF*6R)
    # "institutional", "professional" or "" (unknown): from a type of bill, claim form or the
    # 835's claim fields, never guessed; the classifier falls back to revenue codes
    "claim_form",
    # chart facts: spreadsheet exports or an infusion log only, never guessed
    "infusion_start",  # "HH:MM" 24-hour
    "infusion_stop",
    "sites",
    "admin_route",  # "SC", "IV" or "" (how the drug was given; `route` is the resolution)
    "product",
    "justification",
    "chart_reference",
    # where the chart says the infusion was given, as written ("office", "11", "hospital
    # outpatient"): read by the facility-POS rule, never guessed
    "service_setting",
    # set by the loader: claim id + payer + member; "" means the claim id alone identifies
    # the claim (use ``claim_keys``)
    "claim_key",
)

STATUSES = ("denied", "needs_review", "out_of_scope", "paid")
# The kind of fix a denial needs (denial_map.csv ``action``); with the payer type, claim type
# and denial state it chooses the route (routes.csv).
ACTIONS = (
    "clerical",  # a code, modifier, units or POS change on billed lines
    "lines",  # a line added to or removed from the claim
    "disagree",  # the claim was right: argue with records
    "new_service",  # a documented service the claim never billed
    "other_supplier", "patient", "duplicate", "adjust_off", "authorization", "review",
)
ROUTES = (
    "reopening", "redetermination", "reconsideration", "corrected_claim", "new_claim",
    "other_supplier", "patient_responsibility", "no_action", "review",
)

# Added by classifier.classify(); the correction columns describe the line as it should be
# resubmitted and are filled on every line of an encounter that needs a corrected claim.
CLASSIFIED_COLUMNS = (
    "status",  # one of STATUSES
    "pattern",  # the main pattern id for denied lines, else ""
    "patterns",  # every pattern that applies to the line, ;-joined, main one first
    "action",  # the kind of fix, one of ACTIONS, for denied and needs_review lines, else ""
    "route",  # how the payer takes the fix, one of ROUTES, for open lines, else ""
    "payer_type",  # medicare_ab, medicare_dme, medicare_advantage, medicaid, commercial
    "claim_type",  # professional or institutional
    "denial_state",  # processed or unprocessable (no appeal rights)
    "template",  # letter part name from denial_map.csv
    "rule_id",  # denial_map.csv rule that matched
    "evidence",  # why, in words a biller checks
    "correction",  # the proposed change in words ("96365 -> 96369"), "" when none
    # where a correcting line has more than one cause, one text line per cause (main first):
    # "pattern<TAB>its evidence<TAB>its change"; else ""
    "causes",
    "corrected_procedure_code",
    "corrected_modifiers",
    "corrected_units",
    # the POS the corrected claim reports ("" when none is needed or it does not change)
    "corrected_place_of_service",
    "remove_line",  # "yes" when the corrected claim drops this line
    "add_lines",  # tuple of AddedLine: lines a fix adds (correction or separate new claim)
    "deadline",  # datetime64: the route's deadline
    "deadline_basis",  # in words: "redetermination: notice date 03/02/2026 + 5 + 120 days"
    "past_due",  # bool: the deadline is before the run date
)

# A rejected row: where it is, the cell at fault, the reason in words and, for machines, a
# code from REJECT_CODES ("bad-date"; ";"-joined when a row fails more than one check).
REJECTED_COLUMNS = (
    "source_file", "source_sheet", "source_row", "column", "value", "reason", "code",
)
REJECT_CODES: dict[str, str] = {
    "total-row": "a total or subtotal row, not a service line",
    "repeated-header": "the header row repeated inside the data",
    "extra-cells": "more cells than the header (an unquoted delimiter)",
    "excel-error": "a cell showing an Excel error (#N/A, #VALUE!, ...)",
    "blank-claim-id": "no claim id",
    "no-procedure-code": "no procedure code and no revenue code",
    "bad-date": "a date that does not exist or is not a date",
    "bad-amount": "a money cell that is not an amount",
    "bad-units": "units that are not a whole number, 0 or more",
    "bad-time": "a time that is not a time of day",
    "missing-time": "an infusion start or stop time left blank",
    "stop-equals-start": "an infusion stop time equal to its start",
    "bad-route": "a route that is not SC or IV",
    "unidentified": "an infusion-log row naming no claim, member or patient",
    "orphan-service-line": "an 835 service line (SVC) before any claim (CLP)",
    "unclosed-quote": "a quote never closed, so later lines ran into one cell",
    "unquoted-amount": "an amount with a thousands comma split across two cells",
    "reversed": "an 835 adjudication that a later reversal cancels",
}

LIST_SEP = ";"


def split_list(value: str) -> list[str]:
    """Split a ``;``-joined list field; ``""`` gives ``[]``."""
    if not value:
        return []
    return [item for item in value.split(LIST_SEP) if item]


def join_list(items: Iterable[str]) -> str:
    """Join items for a list field, dropping empties and keeping order."""
    return LIST_SEP.join(str(item) for item in items if item)


def text_series(values, index: pd.Index) -> pd.Series:
    """A text column as plain Python strings. Assigning an object array directly would make
    pandas 3 infer an Arrow string dtype, which ``conform`` would then convert back."""
    return pd.Series(values, index=index, dtype=object)


def claim_keys(lines: pd.DataFrame) -> pd.Series:
    """What identifies each line's claim: its ``claim_key`` when the loader set one (two
    patients or payers share a claim id), else the claim id."""
    if "claim_key" not in lines.columns:
        return lines["claim_id"]
    key = lines["claim_key"]
    return key.where(key != "", lines["claim_id"])


def empty_lines() -> pd.DataFrame:
    """A zero-row frame with the canonical columns and dtypes."""
    return conform(pd.DataFrame({name: [] for name in LINE_COLUMNS}))


def empty_rejected() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in REJECTED_COLUMNS})
    frame["source_row"] = frame["source_row"].astype("Int64")
    return frame


def conform_rejected(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with exactly ``REJECTED_COLUMNS`` (a missing text column as "")."""
    out = frame.reindex(columns=list(REJECTED_COLUMNS))
    for name in REJECTED_COLUMNS:
        if name != "source_row" and name not in frame:
            out[name] = ""
    out["source_row"] = out["source_row"].astype("Int64")
    return out


def conform(frame: pd.DataFrame, columns: Iterable[str] = LINE_COLUMNS) -> pd.DataFrame:
    """Return ``frame`` with exactly ``columns``, in order, with the canonical dtypes.

    Missing columns are added empty; extra columns are dropped. Values are not parsed here:
    readers parse (and reject) before they conform.
    """
    out = {}
    n = len(frame)
    for name in columns:
        col = frame[name] if name in frame.columns else None
        if name in TEXT_FIELDS or name in LIST_FIELDS or name in _CLASSIFIED_TEXT:
            if col is None:
                out[name] = pd.Series([""] * n, index=frame.index, dtype=object)
            elif col.dtype == object and pd.api.types.infer_dtype(col, skipna=False) == "string":
                out[name] = col  # already canonical: skip a costly copy at a million rows
            else:
                out[name] = col.fillna("").astype(str).astype(object)
        elif name in NUMBER_FIELDS or name == "corrected_units":
            if col is not None and col.dtype == "float64":
                out[name] = col
            else:
                out[name] = (
                    pd.Series(float("nan"), index=frame.index, dtype="float64")
                    if col is None
                    else pd.to_numeric(col, errors="coerce").astype("float64")
                )
        elif (name in DATE_FIELDS or name == "deadline") and col is not None and (
            col.dtype == "datetime64[ns]"
        ):
            out[name] = col
        elif name in DATE_FIELDS or name == "deadline":
            out[name] = (
                pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
                if col is None
                else _datetimes(col)
            )
        elif name == "add_lines":
            out[name] = (
                pd.Series([()] * n, index=frame.index, dtype=object) if col is None
                else col if col.dtype == object and all(isinstance(v, tuple) for v in col)
                else col.map(lambda v: v if isinstance(v, tuple) else ()).astype(object)
            )
        elif name == "past_due":
            out[name] = (
                pd.Series(False, index=frame.index, dtype=bool) if col is None
                else col.fillna(False).astype(bool)
            )
        elif name in INT_FIELDS:
            out[name] = (
                pd.Series(0, index=frame.index, dtype="int64")
                if col is None
                else pd.to_numeric(col, errors="coerce").fillna(0).astype("int64")
            )
        else:
            out[name] = col if col is not None else pd.Series([""] * n, index=frame.index)
    # no copy and no consolidation: copy-on-write keeps the input safe, and stacking some
    # sixty object columns into one block was a third of classify (bench/run.py --against
    # b0d60d5: classify 1.47x -> 0.99x)
    return pd.DataFrame(out, index=frame.index, copy=False)


def _datetimes(col: pd.Series) -> pd.Series:
    """Dates as datetime64[ns]; one outside its range (year 4, from a mangled 835 date) is
    absent, like any other date that cannot be read, instead of failing the whole file."""
    try:
        return pd.to_datetime(col, errors="coerce").astype("datetime64[ns]")
    except (pd.errors.OutOfBoundsDatetime, OverflowError):
        low, high = dt.datetime(1678, 1, 1), dt.datetime(2261, 12, 31)

        def bounded(value: object) -> object:
            try:
                return value if low <= value <= high else None  # type: ignore[operator]
            except TypeError:
                return value

        return pd.to_datetime(col.map(bounded), errors="coerce").astype("datetime64[ns]")


_CLASSIFIED_TEXT = tuple(
    c for c in CLASSIFIED_COLUMNS
    if c not in ("corrected_units", "deadline", "past_due", "add_lines")
)
