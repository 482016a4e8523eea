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

from appeals.schema import LIST_SEP, ROUTES

# A classifier action read as the route a payer takes it by, when no route column exists.
_ROUTE_FROM_ACTION = {
    "corrected_claim": "corrected_claim",
    "rebill_other_benefit": "other_supplier",
    "review": "review",
}
# Original Medicare's appeal levels (A/B and DME MACs alike); "medicare" is the payer key
# used when no payer type was given.
MEDICARE_TYPES = frozenset({"medicare", "medicare_ab", "medicare_dme"})


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
    codes, uniques = pd.factorize(pd.to_datetime(values, errors="coerce"))
    days = np.array([u.strftime("%Y-%m-%d") for u in uniques] + [""], dtype=object)
    return pd.Series(days[codes], index=values.index, dtype=object)


def item_keys(lines: pd.DataFrame) -> pd.Series:
    """The identity key of every line (a string; same key = same item)."""
    claim = _claim_member(lines)
    icn = _text(lines, "payer_claim_number").tolist()
    return _key(lines, [i or c for i, c in zip(icn, claim, strict=True)])


def line_keys(lines: pd.DataFrame) -> pd.Series:
    """The key without the payer's claim number: payers give a claim a new number when
    they readjudicate it, so a later payment is matched on this when the first key misses."""
    return _key(lines, _claim_member(lines))


def _claim_member(lines: pd.DataFrame) -> list[str]:
    ids, members = _text(lines, "claim_id").tolist(), _text(lines, "member_id").tolist()
    return [f"c:{c}/{m}" for c, m in zip(ids, members, strict=True)]


def _key(lines: pd.DataFrame, who: list[str]) -> pd.Series:
    # plain Python strings: at a million lines an f-string per line beats Arrow's concatenation
    parts = zip(
        _text(lines, "payer").tolist(), who, _day(lines["service_date"]).tolist(),
        _text(lines, "procedure_code").tolist(),
        _sorted_modifiers(_text(lines, "modifiers")).tolist(),
        _text(lines, "line_control_number").tolist(), strict=True,
    )
    keys = [f"{p}|{w}|{d}|{c}|{m}|{n}" if n else f"{p}|{w}|{d}|{c}|{m}" for p, w, d, c, m, n in parts]
    return pd.Series(keys, index=lines.index, dtype=object)


def payer_types(lines: pd.DataFrame) -> pd.Series:
    """``payer_type`` when routing supplied it, else Medicare or commercial by payer key."""
    given = _text(lines, "payer_type")
    fallback = np.where(_text(lines, "payer") == "medicare", "medicare_ab", "commercial")
    return given.where(given != "", pd.Series(fallback, index=lines.index, dtype=object))


def routes(lines: pd.DataFrame, payer_type: pd.Series) -> pd.Series:
    """``route`` when routing supplied it, else derived from the classifier's action."""
    # only route names count (a chart's infusion route, SC/IV, is not one)
    given = _text(lines, "route")
    action = _text(lines, "action")
    appeal = np.where(payer_type.isin(MEDICARE_TYPES), "redetermination", "reconsideration")
    derived = pd.Series(
        np.where(action == "appeal", appeal, action.map(_ROUTE_FROM_ACTION).fillna("review")),
        index=lines.index, dtype=object,
    )
    return given.where(given.isin(frozenset(ROUTES)), derived)


def deadlines(lines: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The route's deadline and its basis: routing's columns, else the appeal deadline."""
    name = next((c for c in ("deadline", "appeal_deadline") if c in lines.columns), None)
    if name is None:
        dates = pd.Series(pd.NaT, index=lines.index, dtype="datetime64[ns]")
    else:
        dates = pd.to_datetime(lines[name], errors="coerce")
    return dates, _text(lines, "deadline_basis")
