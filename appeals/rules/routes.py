"""routes.csv: how the payer takes each fix, as data an office can edit.

A row matches a denied line by payer type, claim type, the office's contract with the payer
(``contracted``: yes, no or unknown when payers.csv leaves it blank; an optional column,
``*`` when absent), denial state and kind of fix (``*`` any; ``a;b`` either); the first
matching row wins, so specific rows go first. Each row names its route, the window
(``payer`` takes the payer table's number: the appeal window when counted from the notice,
the timely-filing limit when counted from the date of service; ``contract`` the payer
table's ``contract_window_days``, no deadline until the office fills it in) and its source. Cells are validated when loaded; nothing in them is evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from appeals.errors import ConfigError
from appeals.resources import data_path, read_text_csv
from appeals.rules.payers import PAYER_TYPES, PayerRule
from appeals.schema import ACTIONS as FIXES
from appeals.schema import ROUTES

CLAIM_TYPES = ("professional", "institutional")
CONTRACT_STATES = ("yes", "no", "unknown")
DENIAL_STATES = ("processed", "unprocessable")
WINDOW_FROM = ("notice", "service", "none")
_COLUMNS = ("payer_type", "claim_type", "denial_state", "fix", "route", "window_days",
            "receipt_days", "window_from", "source")
_SPLIT = re.compile(r"[;,\s]+")


@dataclass(frozen=True)
class RouteRule:
    payer_types: frozenset[str]  # empty: any
    claim_types: frozenset[str]
    states: frozenset[str]
    fixes: frozenset[str]
    route: str
    window_days: int | None  # None: the payer's own number
    receipt_days: int | None
    window_from: str
    source: str
    line: int
    contracted: frozenset[str] = frozenset()  # empty: any
    from_contract: bool = False  # the window is the payer's contract_window_days

    def matches(self, payer_type: str, claim_type: str, state: str, fix: str,
                contracted: str = "unknown") -> bool:
        return all(not allowed or value in allowed for allowed, value in (
            (self.payer_types, payer_type), (self.claim_types, claim_type),
            (self.states, state), (self.fixes, fix), (self.contracted, contracted)))

    def window(self, payer: PayerRule) -> tuple[int | None, int]:
        """(days, presumed-receipt days) for this payer; days None: not configured."""
        if self.from_contract:
            days = payer.contract_window_days
        elif self.window_days is not None:
            days = self.window_days
        elif self.window_from == "service":
            days = payer.timely_filing_days
        else:
            days = payer.appeal_window_days
        receipt = payer.receipt_days if self.receipt_days is None else self.receipt_days
        return days, receipt


class RouteTable:
    def __init__(self, rules: list[RouteRule]) -> None:
        self.rules = rules

    def find(self, payer_type: str, claim_type: str, state: str, fix: str,
             contracted: str = "unknown") -> RouteRule:
        for rule in self.rules:
            if rule.matches(payer_type, claim_type, state, fix, contracted):
                return rule
        return _FALLBACK


_FALLBACK = RouteRule(frozenset(), frozenset(), frozenset(), frozenset(), "review", None, None,
                      "notice", "no routing row matched", 0)


def _set(cell: str, allowed: tuple[str, ...], column: str, path: Path, line: int) -> frozenset[str]:
    items = {c.strip().lower() for c in _SPLIT.split(cell) if c.strip()}
    if items in (set(), {"*"}):
        return frozenset()
    unknown = sorted(items - set(allowed))
    if unknown:
        raise ConfigError(f"unknown {column}", file=path, row=line, column=column,
                          value=unknown[0], fix="use * or one of: " + ", ".join(allowed))
    return frozenset(items)


def _days(cell: str, column: str, path: Path, line: int) -> int | None:
    cell = cell.strip().lower()
    if cell in ("payer", "", "contract"):
        return 0 if cell == "" else None
    if not cell.isdigit():
        raise ConfigError("expected a whole number of days, 'payer' or 'contract'", file=path,
                          row=line, column=column, value=cell,
                          fix="write days, payer to use the payer table's number, or contract "
                          "for the payer table's contract_window_days")
    return int(cell)


@cache
def _load(path: Path) -> RouteTable:
    table = read_text_csv(path)
    missing = [c for c in _COLUMNS if c not in table.columns]
    if missing:
        raise ConfigError(f"missing columns {', '.join(missing)}", file=path,
                          fix="start from the packaged routes.csv")
    rules = []
    for i, row in enumerate(table.to_dict("records")):
        line = i + 2
        route = row["route"].strip().lower()
        if route not in ROUTES:
            raise ConfigError("unknown route", file=path, row=line, column="route", value=route,
                              fix="use one of: " + ", ".join(ROUTES))
        start = row["window_from"].strip().lower() or "none"
        if start not in WINDOW_FROM:
            raise ConfigError("unknown window_from", file=path, row=line, column="window_from",
                              value=start, fix="use notice, service or none")
        rules.append(RouteRule(
            payer_types=_set(row["payer_type"], PAYER_TYPES, "payer_type", path, line),
            claim_types=_set(row["claim_type"], CLAIM_TYPES, "claim_type", path, line),
            states=_set(row["denial_state"], DENIAL_STATES, "denial_state", path, line),
            fixes=_set(row["fix"], FIXES, "fix", path, line),
            route=route,
            window_days=_days(row["window_days"], "window_days", path, line),
            receipt_days=_days(row["receipt_days"], "receipt_days", path, line),
            window_from=start,
            source=row["source"].strip(),
            line=line,
            contracted=_set(row.get("contracted", ""), CONTRACT_STATES, "contracted", path, line),
            from_contract=row["window_days"].strip().lower() == "contract",
        ))
    return RouteTable(rules)


def load_routes(path: str | Path | None = None) -> RouteTable:
    """Read routes.csv (the packaged table unless ``path`` is given)."""
    return _load(Path(path) if path else data_path("routes.csv"))
