"""Many rows at once: executemany on SQLite, COPY on PostgreSQL.

A million rows through SQLAlchemy's per-value type processing costs minutes; the driver's
own bulk paths take seconds. Values arrive as plain Python (str, float, int, date,
datetime, None); SQLite gets dates as the ISO text SQLAlchemy's ``Date``/``DateTime``
store and read back, PostgreSQL gets them as they are through COPY's binary-safe rows.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.engine import Connection


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _pg_value(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def insert_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``; the number inserted."""
    raw = conn.connection.driver_connection
    names = ", ".join(f'"{c}"' for c in columns)
    count = 0
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_pg_value(v) for v in row])
                count += 1
        return count
    marks = ", ".join("?" for _ in columns)
    prepared = [tuple(_sqlite_value(v) for v in row) for row in rows]
    raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", prepared)
    return len(prepared)


def update_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
    *, key: str = "id",
) -> None:
    """``UPDATE table SET columns... WHERE key = ?`` for each row (values then the key)."""
    pg = conn.dialect.name == "postgresql"
    mark = "%s" if pg else "?"
    sets = ", ".join(f'"{c}" = {mark}' for c in columns)
    sql = f'UPDATE {table} SET {sets} WHERE "{key}" = {mark}'
    convert = _pg_value if pg else _sqlite_value
    prepared = [tuple(convert(v) for v in row) for row in rows]
    if not prepared:
        return
    raw = conn.connection.driver_connection
    if pg:
        with raw.cursor() as cur:
            cur.executemany(sql, prepared)
    else:
        raw.executemany(sql, prepared)


def fetch_keyed(
    conn: Connection, keys: Sequence[str], select_sql: str
) -> list[tuple[Any, ...]]:
    """Rows of ``select_sql`` (which joins ``run_keys k``) for the given keys, via a temp table."""
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur:
            cur.execute("CREATE TEMP TABLE IF NOT EXISTS run_keys (k text PRIMARY KEY) ON COMMIT DROP")
            cur.execute("TRUNCATE run_keys")
            with cur.copy("COPY run_keys (k) FROM STDIN") as copy:
                for k in keys:
                    copy.write_row((k,))
            cur.execute("ANALYZE run_keys")
            cur.execute(select_sql)
            return cur.fetchall()
    raw.execute("CREATE TEMP TABLE IF NOT EXISTS run_keys (k TEXT PRIMARY KEY)")
    raw.execute("DELETE FROM run_keys")
    raw.executemany("INSERT INTO run_keys (k) VALUES (?)", ((k,) for k in keys))
    rows = raw.execute(select_sql).fetchall()
    raw.execute("DELETE FROM run_keys")
    return rows
