"""The work queue across all runs: items still worked or waited on, by deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from appeals.ledger.states import WORKING
from appeals.ledger.tables import WORKING_SQL, items

QUEUE_FIELDS = (
    "id", "claim_id", "payer_claim_number", "procedure_code", "modifiers", "service_date",
    "payer", "payer_type", "pattern", "route", "state", "level", "next_level", "deadline",
    "deadline_basis", "billed_amount", "denied_amount", "recovered_amount", "submitted_on",
    "submitted_via", "last_file",
)
PRIVATE_FIELDS = ("patient_name", "member_id")


def queue(
    conn: Connection, *, today: dt.date, states: tuple[str, ...] = WORKING,
    limit: int | None = None, private: bool = False,
) -> list[dict[str, Any]]:
    """Items in ``states`` ordered by deadline (none last), with days left and past due.

    Patient names and member ids come only with ``private`` (the CLI's ``--verbose``).
    """
    fields = QUEUE_FIELDS + (PRIVATE_FIELDS if private else ())
    # The working states as the partial index spells them, so both engines read it in order.
    where = text(WORKING_SQL) if set(states) == set(WORKING) else items.c.state.in_(states)
    base = select(*(items.c[f] for f in fields)).where(where)
    dated = base.where(items.c.deadline.is_not(None)).order_by(items.c.deadline, items.c.id)
    rows = list(conn.execute(dated.limit(limit) if limit is not None else dated))
    if limit is None or len(rows) < limit:
        undated = base.where(items.c.deadline.is_(None)).order_by(items.c.id)
        left = None if limit is None else limit - len(rows)
        rows += conn.execute(undated.limit(left) if left is not None else undated)
    out = []
    for row in rows:
        entry = dict(row._mapping)
        deadline = entry["deadline"]
        entry["days_left"] = (deadline - today).days if deadline else None
        entry["past_due"] = bool(deadline and deadline < today and entry["state"] != "submitted")
        out.append(entry)
    return out


def count_working(conn: Connection, states: tuple[str, ...] = WORKING) -> int:
    where = text(WORKING_SQL) if set(states) == set(WORKING) else items.c.state.in_(states)
    return int(conn.scalar(select(func.count()).select_from(items).where(where)) or 0)
