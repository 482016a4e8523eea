"""Open a ledger from a file path or a database URL; one place that talks to the driver.

A path (``office.sqlite``) is an embedded SQLite ledger: created 0600 (it holds PHI), WAL
so readers never wait for a writer, and ``BEGIN IMMEDIATE`` for writes so two runs queue
for the write lock instead of failing half-way. ``postgresql://user:pw@host/db`` is a
team's shared server (psycopg 3); writers there take one transaction-scoped advisory lock,
so two runs or two billers marking at once are serialised and no update is lost.

Driver errors become one ``LedgerError`` naming the ledger (never its password) and the fix.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from appeals.errors import LedgerError

DEFAULT_WAIT = 30.0  # seconds a writer waits for another to finish
_LOCK_ID = 0x61707065616C73  # "appeals": the advisory lock every PG writer takes


def ledger_url(target: str | Path) -> URL:
    """The SQLAlchemy URL for a path or URL; ``postgresql://`` means psycopg 3."""
    raw = str(target)
    if "://" not in raw:
        return URL.create("sqlite", database=str(Path(raw).expanduser().resolve()))
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise LedgerError(
            "is not a ledger path or database URL", file=_shown(raw),
            fix="give a file path (office.sqlite) or postgresql://user:password@host/database",
        ) from exc
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise LedgerError(
            f"unsupported ledger database {url.get_backend_name()!r}", file=_shown(raw),
            fix="use a SQLite file path or a postgresql:// URL",
        )
    return url


def _shown(raw: str) -> str:
    try:
        return make_url(raw).render_as_string(hide_password=True)
    except ArgumentError:
        return raw.split("@")[-1]


def display_name(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


def make_engine(url: URL, *, wait: float = DEFAULT_WAIT) -> Engine:
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, wait)
    engine = create_engine(
        url, connect_args={"connect_timeout": 10}, pool_pre_ping=False,
    )

    @event.listens_for(engine, "begin")
    def _lock(conn: Connection) -> None:
        if conn.get_execution_options().get("ledger_write"):
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(wait * 1000)}ms'")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_ID})")

    return engine


def _sqlite_engine(url: URL, wait: float) -> Engine:
    path = Path(str(url.database))
    if not path.exists() and path.parent.is_dir():
        # The ledger holds patient data: only its owner reads it (WAL files inherit the mode).
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    engine = create_engine(url, connect_args={"timeout": wait})

    @event.listens_for(engine, "connect")
    def _connect(dbapi: sqlite3.Connection, _record: object) -> None:
        dbapi.isolation_level = None  # we issue BEGIN ourselves
        dbapi.execute("PRAGMA foreign_keys = ON")
        mode = dbapi.execute("PRAGMA journal_mode = WAL").fetchone()
        if mode and mode[0] != "wal":
            dbapi.execute("PRAGMA journal_mode = WAL")
        dbapi.execute("PRAGMA synchronous = NORMAL")
        # Bulk ingest touches several indexes at once; 64 MB of page cache keeps them in memory.
        dbapi.execute("PRAGMA cache_size = -65536")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("ledger_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextlib.contextmanager
def driver_errors(name: str, backend: str) -> Iterator[None]:
    """Turn what the database driver raises into one message naming the ledger."""
    try:
        yield
    except LedgerError:
        raise
    except NoSuchModuleError as exc:
        raise LedgerError(
            "the PostgreSQL driver is not installed", file=name,
            fix="pip install 'psycopg[binary]'",
        ) from exc
    except (DBAPIError, SQLAlchemyError, sqlite3.Error) as exc:
        raise translate(exc, name, backend) from None


def translate(exc: BaseException, name: str, backend: str) -> LedgerError:
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc) else ""
    low = detail.lower()
    nothing = "; nothing was written"
    if "file is not a database" in low or "not a database" in low:
        what, fix = "is not a ledger (not a SQLite database)", (
            "check the path: a ledger is the file an earlier `appeals run --ledger` made, "
            "or name a new file to start one"
        )
    elif "database is locked" in low or "lock timeout" in low or "canceling statement" in low:
        what, fix = "is locked by another run or biller" + nothing, (
            "wait until the other `appeals` command finishes and run again"
        )
    elif "unable to open database" in low or "readonly" in low or "read-only" in low:
        what, fix = "cannot be opened for writing" + nothing, (
            "check that the folder exists and that you may write the file"
        )
    elif "password authentication failed" in low or "no password supplied" in low:
        what, fix = "refused the user name or password" + nothing, (
            "check the user and password in the URL (or PGPASSWORD / ~/.pgpass)"
        )
    elif "does not exist" in low and "database" in low:
        what, fix = "names a database the server does not have", (
            "create it first (createdb) or correct the database name in the URL"
        )
    elif backend == "postgresql" and (
        "connection" in low or "could not" in low or "timeout" in low or "server" in low
    ):
        what, fix = "server is not reachable" + nothing, (
            "start the PostgreSQL server, or check the host, port and network"
        )
    else:
        # The driver's own words may quote row values: shown only with --verbose.
        return LedgerError(
            f"cannot be used ({type(exc).__name__})" + nothing, file=name,
            fix="run again with --debug and report the traceback if it persists",
            private=detail or None,
        )
    return LedgerError(what, file=name, fix=fix)


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
