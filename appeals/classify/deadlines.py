"""Appeal deadlines: from the remittance date when known, else the date of service."""

from __future__ import annotations

import numpy as np
import pandas as pd

from appeals.rules.payers import PayerRules
from appeals.schema import text_series

_OPEN = ("denied", "needs_review")


def appeal_deadlines(out: pd.DataFrame, payer_rules: PayerRules) -> None:
    """Fill ``appeal_deadline`` and ``deadline_basis`` in place for open denials.

    Medicare counts its window from presumed receipt (notice date + 5 days); the payer table
    holds both numbers. With no remittance date the date of service stands in, which is
    earlier, so the deadline shown errs on the safe side; the basis says which was used.
    """
    n = len(out)
    deadline = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    basis = np.full(n, "", dtype=object)
    open_rows = out["status"].isin(_OPEN).to_numpy()
    if not open_rows.any():
        out["appeal_deadline"] = deadline
        out["deadline_basis"] = text_series(basis, out.index)
        return
    payers = out["payer"].to_numpy(dtype=object)
    keys = pd.unique(payers[open_rows])
    window = {k: payer_rules.get(k).appeal_window_days for k in keys}
    receipt = {k: payer_rules.get(k).receipt_days for k in keys}
    remit = out["remit_date"].to_numpy(dtype="datetime64[ns]")
    dos = out["service_date"].to_numpy(dtype="datetime64[ns]")
    for i in np.flatnonzero(open_rows):
        key = payers[i]
        if not np.isnat(remit[i]):
            start, what, grace = remit[i], "remit date", receipt[key]
        elif not np.isnat(dos[i]):
            start, what, grace = dos[i], "date of service (no remit date)", 0
        else:
            basis[i] = "no remit date or date of service: set the deadline by hand"
            continue
        deadline[i] = start + np.timedelta64(window[key] + grace, "D")
        extra = f" + {grace} days presumed receipt" if grace else ""
        basis[i] = f"{what}{extra} + {window[key]} days ({key})"
    out["appeal_deadline"] = deadline
    out["deadline_basis"] = text_series(basis, out.index)
