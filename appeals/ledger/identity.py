"""Which ledger item a remitted line belongs to, and the values an item keeps from it.

An item is one denied service line: payer + payer claim number (else claim id + member) +
date of service + procedure code + modifiers (order ignored) + the 835 line control number
(REF*6R) when the payer returned one. The same line in a later remittance has the same key,
so it updates its item instead of adding one.

The routing columns (``route``, ``patterns``, ``payer_type``, ``claim_type``, ``deadline``,
``deadline_basis``) are used when the classifier supplies them; otherwise they are derived
here from what every classified frame has (``action``, ``pattern``, ``appeal_deadline``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from appeals.schema import LIST_SEP

# A classifier action read as the route a payer takes it by, when no route column exists.
_ROUTE_FROM_ACTION = {
    "corrected_claim": "corrected_claim",
    "rebill_other_benefit": "other_supplier",
    "review": "review",
}
_MEDICARE = frozenset({"medicare"})
ROUTES = frozenset({
    "reopening", "redetermination", "reconsideration", "corrected_claim", "new_claim",
    "other_supplier", "patient_responsibility", "no_action", "review",
})


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[name].fillna("").astype(str)


def _sorted_modifiers(mods: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(mods, sort=False)
    normal = np.array(
        [LIST_SEP.join(sorted(m for m in str(u).split(LIST_SEP) if m)) for u in uniques] + [""],
        dtype=object,
    )
    return pd.Series(normal[codes], index=mods.index, dtype=object)


def _day(values: pd.Series) -> pd.Series:
    dates = pd.to_datetime(values, errors="coerce")
    return dates.dt.strftime("%Y-%m-%d").fillna("")


def item_keys(lines: pd.DataFrame) -> pd.Series:
    """The identity key of every line (a string; same key = same item)."""
    icn = _text(lines, "payer_claim_number")
    claim = "c:" + _text(lines, "claim_id") + "/" + _text(lines, "member_id")
    return _key(lines, icn.where(icn != "", claim))


def line_keys(lines: pd.DataFrame) -> pd.Series:
    """The key without the payer's claim number: payers give a claim a new number when
    they readjudicate it, so a later payment is matched on this when the first key misses."""
    return _key(lines, "c:" + _text(lines, "claim_id") + "/" + _text(lines, "member_id"))


def _key(lines: pd.DataFrame, who: pd.Series) -> pd.Series:
    key = (
        _text(lines, "payer") + "|" + who + "|" + _day(lines["service_date"]) + "|"
        + _text(lines, "procedure_code") + "|" + _sorted_modifiers(_text(lines, "modifiers"))
    )
    lcn = _text(lines, "line_control_number")
    return key.where(lcn == "", key + "|" + lcn)


def payer_types(lines: pd.DataFrame) -> pd.Series:
    """``payer_type`` when routing supplied it, else Medicare or commercial by payer key."""
    given = _text(lines, "payer_type")
    fallback = np.where(_text(lines, "payer").isin(_MEDICARE), "medicare", "commercial")
    return given.where(given != "", pd.Series(fallback, index=lines.index, dtype=object))


def routes(lines: pd.DataFrame, payer_type: pd.Series) -> pd.Series:
    """``route`` when routing supplied it, else derived from the classifier's action."""
    # ``route`` was once the chart's infusion route (SC/IV): only route names count.
    given = _text(lines, "route")
    action = _text(lines, "action")
    appeal = np.where(payer_type == "medicare", "redetermination", "reconsideration")
    derived = pd.Series(
        np.where(action == "appeal", appeal, action.map(_ROUTE_FROM_ACTION).fillna("review")),
        index=lines.index, dtype=object,
    )
    return given.where(given.isin(ROUTES), derived)


def deadlines(lines: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The route's deadline and its basis: routing's columns, else the appeal deadline."""
    name = next((c for c in ("deadline", "appeal_deadline") if c in lines.columns), None)
    if name is None:
        dates = pd.Series(pd.NaT, index=lines.index, dtype="datetime64[ns]")
    else:
        dates = pd.to_datetime(lines[name], errors="coerce")
    return dates, _text(lines, "deadline_basis")
