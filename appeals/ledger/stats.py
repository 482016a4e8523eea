"""What denials cost: rates, dollars and outcomes by payer, pattern, route and month.

Grouping happens in SQL (one small result per dimension); only the month and the days to
resolution are finished in Python, where date arithmetic is the same on both engines.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import case, func, literal_column, select
from sqlalchemy.engine import Connection

from appeals.ledger.tables import items, volume

_WON = ("won", "partly_won")
DIMENSIONS = ("payer", "pattern", "route", "month")


def _money(value: Any) -> float:
    return round(float(value or 0.0), 2)


def _grouped(conn: Connection, column: Any | None) -> dict[str, dict[str, Any]]:
    """Per value of ``column``; ``None`` gives the totals under the key "all"."""
    won = func.sum(case((items.c.state.in_(_WON), 1), else_=0))
    # lost once: lost now, or escalated past the first level and not won since
    lost = func.sum(case(
        (items.c.state == "lost", 1),
        ((items.c.level > 1) & items.c.state.not_in(_WON), 1),
        else_=0,
    ))
    key = (column if column is not None else literal_column("'all'")).label("key")
    query = select(
        key, func.count().label("denied"),
        func.sum(func.coalesce(items.c.denied_amount, 0.0)).label("denied_amount"),
        func.sum(items.c.recovered_amount).label("recovered_amount"),
        func.sum(items.c.written_off_amount).label("written_off_amount"),
        won.label("won"), lost.label("lost"),
    ).select_from(items)
    if column is not None:
        query = query.group_by(column)
    out = {}
    for row in conn.execute(query):
        if not row.denied:
            continue
        decided = (row.won or 0) + (row.lost or 0)
        out[str(row.key or "")] = {
            "denied": int(row.denied),
            "denied_amount": _money(row.denied_amount),
            "recovered_amount": _money(row.recovered_amount),
            "written_off_amount": _money(row.written_off_amount),
            "won": int(row.won or 0), "lost": int(row.lost or 0),
            "overturn_rate": round((row.won or 0) / decided, 3) if decided else None,
        }
    return out


def _days_to_resolution(conn: Connection, column: Any | None) -> dict[str, float]:
    key = (column if column is not None else literal_column("'all'")).label("key")
    groups = [items.c.denial_date, items.c.resolved_on]
    query = select(key, items.c.denial_date, items.c.resolved_on, func.count()).where(
        items.c.resolved_on.is_not(None), items.c.denial_date.is_not(None)
    ).group_by(*([column] if column is not None else []), *groups)
    total: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, start, end, n in conn.execute(query):
        acc = total[str(key or "")]
        acc[0] += (end - start).days * n
        acc[1] += n
    return {k: round(days / n, 1) for k, (days, n) in total.items()}


def _lines_by(conn: Connection, column: Any) -> dict[str, int]:
    query = select(column, func.sum(volume.c.lines)).group_by(column)
    return {str(k): int(n) for k, n in conn.execute(query)}


def stats(conn: Connection) -> dict[str, Any]:
    """``{"totals": {...}, "by_payer": [...], "by_pattern": [...], "by_route": [...], "by_month": [...]}``."""
    lines_total = int(conn.scalar(select(func.coalesce(func.sum(volume.c.lines), 0))) or 0)
    out: dict[str, Any] = {}
    payer_lines = _lines_by(conn, volume.c.payer)
    for dim in ("payer", "pattern", "route"):
        column = items.c[dim]
        groups = _grouped(conn, column)
        days = _days_to_resolution(conn, column)
        rows = []
        for key, g in sorted(groups.items(), key=lambda kv: (-kv[1]["denied_amount"], kv[0])):
            lines = payer_lines.get(key, 0) if dim == "payer" else lines_total
            rows.append({dim: key, **g, "lines": lines,
                         "denial_rate": round(g["denied"] / lines, 3) if lines else None,
                         "days_to_resolution": days.get(key)})
        out[f"by_{dim}"] = rows
    out["by_month"] = _by_month(conn)
    totals = _grouped(conn, None).get("all", {"denied": 0})
    all_days = _days_to_resolution(conn, None).get("all")
    out["totals"] = {"lines": lines_total, **totals, "days_to_resolution": all_days,
                     "denial_rate": round(totals.get("denied", 0) / lines_total, 3) if lines_total else None}
    return out


def _by_month(conn: Connection) -> list[dict[str, Any]]:
    lines = _lines_by(conn, volume.c.month)
    query = select(
        items.c.denial_date, func.count(),
        func.sum(func.coalesce(items.c.denied_amount, 0.0)), func.sum(items.c.recovered_amount),
        func.sum(items.c.written_off_amount),
    ).group_by(items.c.denial_date)
    months: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    for day, n, denied, recovered, written in conn.execute(query):
        acc = months[day.strftime("%Y-%m") if day else ""]
        acc[0] += n
        acc[1] += denied or 0.0
        acc[2] += recovered or 0.0
        acc[3] += written or 0.0
    keys = sorted(set(months) | set(lines))
    return [{
        "month": m, "lines": lines.get(m, 0), "denied": int(months[m][0]),
        "denial_rate": round(months[m][0] / lines[m], 3) if lines.get(m) else None,
        "denied_amount": _money(months[m][1]), "recovered_amount": _money(months[m][2]),
        "written_off_amount": _money(months[m][3]),
    } for m in keys]
