"""Deadlines per route, counted from the notice date or the date of service.

The notice date is the remittance's own date (the 835 reader takes DTM*405, then BPR16; a
spreadsheet's remit-date column); a posting date is not one. A window counted from the
notice with no notice date on file falls back to the date of service, which is earlier, so
the deadline shown errs on the safe side; the basis says which was used.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from appeals.rules.payers import PayerRules
from appeals.rules.routes import RouteRule
from appeals.schema import text_series

UNKNOWN_CONTRACT = frozenset({"unknown"})
_WORDS = {
    "reopening": "reopening", "redetermination": "redetermination",
    "reconsideration": "reconsideration", "corrected_claim": "corrected claim",
    "new_claim": "new claim", "review": "review",
}


def _day(value: np.datetime64) -> str:
    return pd.Timestamp(value).strftime("%m/%d/%Y")


def route_deadlines(
    out: pd.DataFrame, chosen: list[RouteRule | None], payer_rules: PayerRules, today: dt.date
) -> None:
    """Fill ``deadline``, ``deadline_basis`` and ``past_due`` in place."""
    n = len(out)
    deadline = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    basis = np.full(n, "", dtype=object)
    notice = out["remit_date"].to_numpy(dtype="datetime64[ns]")
    dos = out["service_date"].to_numpy(dtype="datetime64[ns]")
    payers = out["payer"].to_numpy(dtype=object)
    for i, rule in enumerate(chosen):
        if rule is None:
            continue
        if rule.window_from == "none":
            basis[i] = f"no deadline: {rule.route.replace('_', ' ')}"
            continue
        days, receipt = rule.window(payer_rules.get(payers[i]))
        words = _WORDS.get(rule.route, rule.route)
        if days is None:
            basis[i] = (f"{words}: the window is the contract's; set contract_window_days in "
                        "payers.csv (no deadline until then)")
            continue
        if rule.window_from == "service" or np.isnat(notice[i]):
            receipt = 0
            if np.isnat(dos[i]):
                basis[i] = f"{words}: no notice date or date of service: set the deadline by hand"
                continue
            start = dos[i]
            what = "date of service" if rule.window_from == "service" else (
                "date of service (no notice date on file; the real deadline is later)")
        else:
            start, what = notice[i], "notice date"
        deadline[i] = start + np.timedelta64(days + receipt, "D")
        extra = f" + {receipt} days presumed receipt" if receipt else ""
        basis[i] = f"{words}: {what} {_day(start)}{extra} + {days} days"
        if rule.contracted == UNKNOWN_CONTRACT:
            basis[i] += " (the non-contracted window until contracted is set in payers.csv)"
    out["deadline"] = deadline
    out["deadline_basis"] = text_series(basis, out.index)
    limit = np.datetime64(today, "ns")
    out["past_due"] = pd.Series(~np.isnat(deadline) & (deadline < limit), index=out.index)
