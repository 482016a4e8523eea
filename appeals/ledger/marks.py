"""What a biller records by hand (submitted, written off, closed ...) and an item's history.

Every change is an event with the OS user as its source; the item's row holds the latest
values, the events hold how it got there and are never updated or deleted.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection

from appeals.errors import LedgerError
from appeals.ledger.bulk import insert_rows
from appeals.ledger.states import STATES
from appeals.ledger.tables import events, items
from appeals.ledger.walk import EVENT_COLUMNS, event_json, now

# Which states each mark may start from (anything else is refused with a message).
_FROM = {
    "drafted": ("open",),
    "submitted": ("open", "drafted", "lost", "partly_won", "submitted"),
    "closed": STATES,
    "written_off": ("open", "drafted", "submitted", "lost", "partly_won"),
    "open": ("won", "partly_won", "lost", "closed", "written_off", "drafted", "submitted"),
    "note": STATES,  # a note alone changes no value
}


def user_source() -> str:
    try:
        return f"user {getpass.getuser()}"
    except (KeyError, OSError):
        return "user unknown"


def _claim_filter(claim: str, member: str | None, payer: str | None) -> Any:
    """A claim id or payer claim number, narrowed to one member and/or payer (key or name)."""
    where = or_(items.c.claim_id == claim, items.c.payer_claim_number == claim)
    if member:
        where = where & (items.c.member_id == member)
    if payer:
        where = where & or_(func.lower(items.c.payer) == payer.lower(),
                            func.lower(items.c.payer_name) == payer.lower())
    return where


def find_items(
    conn: Connection, claim: str, *, procedure: str | None = None,
    service_date: dt.date | None = None, for_update: bool = False,
    member: str | None = None, payer: str | None = None,
) -> list[dict[str, Any]]:
    """Items of a claim (claim id or payer claim number), optionally one code, date, member
    or payer."""
    query = select(items).where(_claim_filter(claim, member, payer))
    if procedure:
        query = query.where(items.c.procedure_code == procedure)
    if service_date:
        query = query.where(items.c.service_date == service_date)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return [dict(r._mapping) for r in conn.execute(query.order_by(items.c.id))]


def mark(
    conn: Connection, claim: str, state: str, *, ledger_name: str, on: dt.date,
    via: str = "", amount: float | None = None, note: str = "",
    procedure: str | None = None, service_date: dt.date | None = None,
    source: str | None = None, member: str | None = None, payer: str | None = None,
) -> list[dict[str, Any]]:
    """Move the claim's items to ``state``; the changes made (one per item)."""
    found = find_items(conn, claim, procedure=procedure, service_date=service_date,
                       for_update=True, member=member, payer=payer)
    owners = {(i["payer"], i["member_id"]) for i in found}
    if len(owners) > 1:
        # one claim id on two patients' (or payers') lines: a mark must not reach both
        raise LedgerError(
            f"claim {claim} is on the lines of {len(owners)} different members or payers; "
            "nothing was changed", file=ledger_name,
            fix="say whose: add --member MEMBER_ID or --payer PAYER (`appeals queue --verbose` "
                "shows both)",
        )
    if not found:
        raise LedgerError(
            "has no denied line for that claim" + (" and filter" if procedure or service_date else ""),
            file=ledger_name,
            fix="check the claim id or payer claim number (`appeals queue` lists them)",
        )
    allowed = _FROM[state]
    wrong = [i for i in found if i["state"] not in allowed]
    if wrong and len(wrong) == len(found):
        states = ", ".join(sorted({i["state"] for i in wrong}))
        raise LedgerError(
            f"cannot mark the claim {state}: its lines are {states}; nothing was changed",
            file=ledger_name,
            fix=f"only lines that are {', '.join(allowed)} can become {state}",
        )
    stamp, who = now(), source or user_source()
    changed = []
    for item in found:
        if item["state"] not in allowed:
            continue
        new = _values(item, state, on=on, via=via, amount=amount)
        diff = {k: v for k, v in new.items() if item.get(k) != v}
        if not diff and not note:
            continue
        if diff:
            conn.execute(items.update().where(items.c.id == item["id"]).values(**diff, updated_at=stamp))
        before = {k: item.get(k) for k in diff}
        after = dict(diff, **({"note": note} if note else {}))
        insert_rows(conn, "events", EVENT_COLUMNS, [
            (item["id"], stamp, state if diff else "note", who, event_json(before), event_json(after))
        ])
        changed.append({"id": item["id"], "procedure_code": item["procedure_code"],
                        "service_date": item["service_date"], "before": before, "after": after})
    return changed


def _values(item: dict[str, Any], state: str, *, on: dt.date, via: str, amount: float | None) -> dict[str, Any]:
    if state == "note":
        return {}
    new: dict[str, Any] = {"state": state}
    if state == "submitted":
        new.update(submitted_on=on, submitted_via=via or item.get("submitted_via") or "",
                   resolved_on=None)
    elif state == "written_off":
        left = (item.get("denied_amount") or 0.0) - (item.get("recovered_amount") or 0.0)
        new.update(resolved_on=on, written_off_amount=round(amount if amount is not None else left, 2))
    elif state == "closed":
        new.update(resolved_on=item.get("resolved_on") or on)
    elif state == "open":
        new.update(resolved_on=None)
    return new


def history(conn: Connection, claim: str, *, member: str | None = None,
            payer: str | None = None) -> list[dict[str, Any]]:
    """Every event on the claim's items, oldest first."""
    ids = select(items.c.id).where(_claim_filter(claim, member, payer))
    query = (
        select(events, items.c.procedure_code, items.c.modifiers, items.c.service_date)
        .join(items, items.c.id == events.c.item_id)
        .where(events.c.item_id.in_(ids))
        .order_by(events.c.at, events.c.id)
    )
    out = []
    for row in conn.execute(query):
        entry = dict(row._mapping)
        entry["before"], entry["after"] = json.loads(entry["before"]), json.loads(entry["after"])
        out.append(entry)
    return out


def mark_drafted(conn: Connection, keys: list[str], *, source: str) -> int:
    """Items still open whose documents a run just wrote become ``drafted``."""
    if not keys:
        return 0
    rows = []
    stamp = now()
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        found = conn.execute(
            select(items.c.id).where(items.c.item_key.in_(chunk), items.c.state == "open")
        ).scalars().all()
        if found:
            conn.execute(items.update().where(items.c.id.in_(found)).values(state="drafted", updated_at=stamp))
            rows += [(i, stamp, "drafted", source, event_json({"state": "open"}),
                      event_json({"state": "drafted"})) for i in found]
    insert_rows(conn, "events", EVENT_COLUMNS, rows)
    return len(rows)
