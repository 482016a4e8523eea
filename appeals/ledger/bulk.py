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


TIME_COLUMNS = frozenset({
    "service_date", "denial_date", "deadline", "submitted_on", "resolved_on", "first_seen_at",
    "updated_at", "at", "loaded_at",
})


def _driver(conn: Connection) -> Any:
    """The DB-API connection under SQLAlchemy's, for executemany and COPY."""
    raw = conn.connection.driver_connection
    if raw is None:  # only a detached connection has none; the ledger never detaches
        raise RuntimeError("the ledger's database connection is closed")
    return raw


def sqlite_column(values: Sequence[Any]) -> list[Any]:
    """One column made ready for SQLite, converting each distinct date or time once."""
    cache: dict[Any, Any] = {}
    out: list[Any] = []
    append = out.append
    for value in values:
        if value is None or isinstance(value, (str, int)):
            append(value)
            continue
        if isinstance(value, float):
            append(None if value != value else value)
            continue
        try:
            append(cache[value])
        except KeyError:
            cache[value] = converted = _sqlite_value(value)
            append(converted)
        except TypeError:  # unhashable: convert as it is
            append(_sqlite_value(value))
    return out


def insert_columns(
    conn: Connection, table: str, columns: dict[str, Sequence[Any]], size: int
) -> int:
    """Insert ``size`` rows given column-wise; the fast path for a run's new items."""
    names = list(columns)
    if conn.dialect.name == "postgresql":
        return insert_rows(conn, table, names, zip(*columns.values(), strict=True))
    # Only dates and times need converting: sqlite3 binds str, int, None and float itself
    # (a NaN is stored as NULL).
    ready = [sqlite_column(columns[n]) if n in TIME_COLUMNS else columns[n] for n in names]
    raw = _driver(conn)
    quoted = ", ".join(f'"{c}"' for c in names)
    marks = ", ".join("?" for _ in names)
    raw.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", zip(*ready, strict=True))
    return size


def insert_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``; the number inserted."""
    raw = _driver(conn)
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
    raw = _driver(conn)
    if pg:
        with raw.cursor() as cur:
            cur.executemany(sql, prepared)
    else:
        raw.executemany(sql, prepared)


def fetch_keyed(
    conn: Connection, keys: Sequence[str], select_sql: str
) -> list[tuple[Any, ...]]:
    """Rows of ``select_sql`` (which joins ``run_keys k``) for the given keys, via a temp table."""
    raw = _driver(conn)
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
