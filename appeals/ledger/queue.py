"""The work queue across all runs: items still worked or waited on, by deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from appeals.ledger.states import WORKING
from appeals.ledger.tables import items

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
    query = (
        select(*(items.c[f] for f in fields))
        .where(items.c.state.in_(states))
        .order_by(items.c.deadline.is_(None), items.c.deadline, items.c.claim_id, items.c.id)
    )
    if limit is not None:
        query = query.limit(limit)
    out = []
    for row in conn.execute(query):
        entry = dict(row._mapping)
        deadline = entry["deadline"]
        entry["days_left"] = (deadline - today).days if deadline else None
        entry["past_due"] = bool(deadline and deadline < today and entry["state"] != "submitted")
        out.append(entry)
    return out


def count_working(conn: Connection, states: tuple[str, ...] = WORKING) -> int:
    from sqlalchemy import func

    return int(conn.scalar(select(func.count()).select_from(items).where(items.c.state.in_(states))))
