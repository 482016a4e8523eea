"""Route every open line: payer type, claim type and denial state, then the routes table.

The kind of fix comes from the matched rules (``action``); a fix that adds or removes a line
outranks a clerical one on the same line, because a Medicare reopening cannot take line
additions or deletions. Distinct (payer, claim type, state, fix) combinations are few, so
the table is consulted once per combination, not once per line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from appeals.classify.conditions import Facts
from appeals.rules.payers import PayerRules
from appeals.rules.reference import unprocessable_rarcs
from appeals.rules.routes import RouteRule, RouteTable
from appeals.schema import split_list, text_series

OPEN = ("denied", "needs_review")


def claim_types(out: pd.DataFrame, facts: Facts) -> np.ndarray:
    """``institutional`` per claim: its ``claim_form``, else a revenue code on any line."""
    institutional = facts.conditions["institutional_claim"]
    return np.where(institutional, "institutional", "professional").astype(object)


def assign_routes(
    out: pd.DataFrame, facts: Facts, payer_rules: PayerRules, routes: RouteTable
) -> list[RouteRule | None]:
    """Fill ``payer_type``, ``claim_type``, ``denial_state`` and ``route``; return each
    line's routing row (None for lines that are not open) for the deadlines."""
    n = len(out)
    payer = out["payer"].to_numpy(dtype=object)
    kinds = {key: payer_rules.get(key).payer_type for key in pd.unique(payer)}
    deals = {key: payer_rules.get(key).contract_status for key in kinds}
    payer_type = np.array([kinds[k] for k in payer], dtype=object) if n else np.array([], object)
    claim_type = claim_types(out, facts)
    no_appeal = facts.columns.list_has_any("rarcs", unprocessable_rarcs())
    state = np.where(no_appeal, "unprocessable", "processed").astype(object)
    status = out["status"].to_numpy(dtype=object)
    action = out["action"].to_numpy(dtype=object)
    chosen: list[RouteRule | None] = [None] * n
    route = np.full(n, "", dtype=object)
    memo: dict[tuple[str, str, str, str, str], RouteRule] = {}
    for i in np.flatnonzero(np.isin(status, OPEN)):
        key = (payer_type[i], claim_type[i], state[i], action[i] or "review", deals[payer[i]])
        rule = memo.get(key)
        if rule is None:
            rule = memo[key] = routes.find(*key)
        chosen[i] = rule
        route[i] = rule.route
    out["payer_type"] = text_series(payer_type, out.index)
    out["claim_type"] = text_series(claim_type, out.index)
    out["denial_state"] = text_series(np.where(np.isin(status, OPEN), state, ""), out.index)
    out["route"] = text_series(route, out.index)
    return chosen


def escalate(actions: np.ndarray, all_actions: list[list[str]]) -> np.ndarray:
    """A clerical fix on a line whose other patterns add or remove lines becomes ``lines``."""
    out = actions.copy()
    for i, kinds in enumerate(all_actions):
        if out[i] == "clerical" and "lines" in kinds:
            out[i] = "lines"
    return out


def join_patterns(names: list[list[str]]) -> list[str]:
    return [";".join(dict.fromkeys(p)) for p in names]


__all__ = ["assign_routes", "escalate", "join_patterns", "split_list", "OPEN"]
