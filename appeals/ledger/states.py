"""Item states and how a later remittance line moves an item between them.

``open`` → ``drafted`` (documents written) → ``submitted`` (the biller says when and how)
→ ``won`` / ``partly_won`` / ``lost`` → ``closed`` (or ``written_off``). Remittances decide
the outcomes: a denied line paid later is won (partly won when some denial remains), a line
denied again after submission is lost and the next appeal level is proposed with its
deadline. The functions here are pure: they return the changed fields, the ingest writes
them and an event with the values before and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from appeals.ledger.identity import MEDICARE_TYPES
from appeals.resources import read_data_csv

STATES = ("open", "drafted", "submitted", "won", "partly_won", "lost", "closed", "written_off")
# States a biller still has work on (or is waiting on): what the queue lists.
WORKING = ("open", "drafted", "submitted", "partly_won", "lost")
FINAL = ("won", "closed", "written_off")
DENIAL_STATUSES = frozenset({"denied", "needs_review"})
REVERSAL = "22"
CENT = 0.005

# Fields every sighting refreshes from the line (the payer's latest word).
SEEN_FIELDS = (
    "payer_claim_number", "status", "pattern", "patterns", "route", "action", "carcs", "rarcs", "paid_amount",
    "last_file", "last_row",
)
DEADLINE_FIELDS = ("deadline", "deadline_basis")
PAID_FIELDS = ("payer_claim_number", "paid_amount", "last_file", "last_row")


@dataclass(frozen=True)
class Level:
    payer_type: str
    after: str
    next_level: str
    window_days: int | None
    receipt_days: int
    counted_from: str
    source: str


@cache
def appeal_levels() -> tuple[Level, ...]:
    table = read_data_csv("appeal_levels.csv")
    return tuple(
        Level(r.payer_type, r.after, r.next_level, int(r.window_days) if r.window_days else None,
              int(r.receipt_days or 0), r.counted_from, r.source)
        for r in table.itertuples(index=False)
    )


def next_level(payer_type: str, after: str) -> Level:
    """The appeal level that follows ``after`` for this payer type (the table's first match)."""
    payer_type = "medicare" if payer_type in MEDICARE_TYPES else payer_type
    for level in appeal_levels():
        if level.payer_type in (payer_type, "*") and level.after in (after, "*"):
            return level
    raise LookupError(after)  # the table ends with a catch-all row


def outcome(item: dict[str, Any], line: dict[str, Any]) -> str:
    """What a later line says about an item: ``paid``, ``partly_paid``, ``denied`` or ``same``."""
    paid = line["paid_amount"]
    paid = 0.0 if paid != paid else paid  # NaN: nothing paid
    before = item.get("paid_at_denial") or 0.0
    if line["status"] == "paid":
        return "paid" if paid > CENT else "same"
    if paid > before + CENT:
        return "partly_paid"
    return "denied"


def _changes(item: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {k: (item.get(k), v) for k, v in new.items() if item.get(k) != v}


def apply_line(
    item: dict[str, Any], line: dict[str, Any], *, today: dt.date,
    window_for: Callable[[str], int],
) -> tuple[str, dict[str, tuple[Any, Any]]]:
    """Update ``item`` in place from a later remittance line; the event kind and changes."""
    state = item["state"]
    result = outcome(item, line)
    new: dict[str, Any] = {k: line[k] for k in SEEN_FIELDS}
    kind = "seen"
    remit = line.get("remit_date") or today
    paid = line["paid_amount"] if line["paid_amount"] == line["paid_amount"] else 0.0
    if result == "paid":
        # A paid line carries no denial: the item keeps the pattern and route it was denied for.
        new = {k: line[k] for k in PAID_FIELDS}
    if result in ("paid", "partly_paid") and state not in FINAL:
        kind = "won" if result == "paid" else "partly_won"
        new.update(state=kind, resolved_on=remit,
                   recovered_amount=round(paid - (item.get("paid_at_denial") or 0.0), 2))
    elif result == "denied" and state == "submitted":
        kind = "lost"
        new.update(state="lost", resolved_on=remit, **escalation(item, remit, window_for))
    elif result == "denied" and state in FINAL:
        kind = "reopened"
        new.update(state="open", resolved_on=None, level=1, next_level="",
                   deadline=line["deadline"], deadline_basis=line["deadline_basis"],
                   denial_date=line.get("remit_date"))
    elif result == "denied" and state in ("open", "drafted"):
        new.update({k: line[k] for k in DEADLINE_FIELDS})
    elif result == "same":
        new = {k: line[k] for k in ("last_file", "last_row")}
    changes = _changes(item, new)
    item.update(new)
    return kind, changes


def escalation(item: dict[str, Any], decided: dt.date, window_for: Callable[[str], int]) -> dict[str, Any]:
    """The next level after a lost appeal, with its deadline and where the date comes from."""
    current = item["route"] if item.get("level", 1) <= 1 else item["next_level"]
    level = next_level(item.get("payer_type") or "commercial", current)
    window = level.window_days if level.window_days is not None else window_for(item["payer"])
    start = item.get("denial_date") if level.counted_from == "initial" else decided
    start = start or decided
    receipt = f" + {level.receipt_days} days presumed receipt" if level.receipt_days else ""
    what = "initial determination" if level.counted_from == "initial" else "decision"
    return {
        "level": int(item.get("level", 1)) + 1,
        "next_level": level.next_level,
        "deadline": start + dt.timedelta(days=window + level.receipt_days),
        "deadline_basis": f"{what} {start.isoformat()}{receipt} + {window} days ({level.source})",
    }
