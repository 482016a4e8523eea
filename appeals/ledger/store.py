"""``open_ledger``: connect, check the schema version, upgrade an older ledger in place.

The schema is versioned by Alembic (scripts shipped in ``appeals/ledger/migrations``). A
database with tables but no version table is not a ledger and is never touched; a version
this appeals does not know was written by a newer one and is refused.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from appeals.errors import LedgerError
from appeals.ledger.engine import (
    DEFAULT_WAIT,
    display_name,
    driver_errors,
    ledger_url,
    make_engine,
)
from appeals.resources import ledger_migrations_dir


class Ledger:
    """An open ledger: ``write()`` and ``read()`` give a connection inside one transaction."""

    def __init__(self, target: str | Path, *, wait: float | None = None, create: bool = True) -> None:
        self.url = ledger_url(target)
        self.backend = self.url.get_backend_name()
        self.name = display_name(self.url)
        if self.backend == "sqlite" and not create and not Path(self.name).exists():
            raise _no_ledger(self.name)
        if self.backend == "sqlite" and not Path(self.name).parent.is_dir():
            raise LedgerError(
                "cannot be created: its folder does not exist", file=self.name,
                fix="create the folder first or give another path",
            )
        self.engine = make_engine(self.url, wait=default_wait() if wait is None else wait)

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction, serialised with every other writer; all or nothing."""
        with self.errors(), self.engine.connect() as conn:
            conn = conn.execution_options(ledger_write=True)
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self.errors(), self.engine.connect() as conn, conn.begin():
            yield conn

    def errors(self) -> contextlib.AbstractContextManager[None]:
        return driver_errors(self.name, self.backend)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _alembic_config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ledger_migrations_dir()))
    config.attributes["connection"] = conn
    return config


def schema_head() -> str:
    script = ScriptDirectory(str(ledger_migrations_dir()))
    head = script.get_current_head()
    assert head is not None
    return head


def default_wait() -> float:
    """Seconds a writer waits for another: ``APPEALS_LEDGER_WAIT``, else 30."""
    try:
        return float(os.environ.get("APPEALS_LEDGER_WAIT", DEFAULT_WAIT))
    except ValueError:
        return DEFAULT_WAIT


def _no_ledger(name: str) -> LedgerError:
    return LedgerError(
        "holds no ledger yet", file=name,
        fix="check the path or URL; a ledger is started by `appeals run FILES -o OUT --ledger LEDGER`",
    )


def open_ledger(
    target: str | Path, *, wait: float | None = None, upgrade: bool = True, create: bool = True
) -> Ledger:
    """Open (creating or upgrading when needed) the ledger at a path or URL.

    ``create=False`` (the commands that only read or mark) refuses a place with no ledger,
    so a mistyped path is named instead of showing an empty queue.
    """
    ledger = Ledger(target, wait=wait, create=create)
    try:
        # Readers never wait for a writer: the write lock is taken only to create or upgrade.
        with ledger.read() as conn:
            current = _check(conn, ledger.name)
        if current is None and not create:
            raise _no_ledger(ledger.name)
        if current != schema_head() and upgrade:
            with ledger.write() as conn:
                if _check(conn, ledger.name) != schema_head():
                    command.upgrade(_alembic_config(conn), "head")
    except BaseException:
        ledger.close()
        raise
    return ledger


def _check(conn: Connection, name: str) -> str | None:
    """The ledger's schema version; refuses what is not a ledger or is newer than this code."""
    tables = set(inspect(conn).get_table_names())
    current = MigrationContext.configure(conn).get_current_revision()
    if current is None and tables - {"alembic_version"}:
        raise LedgerError(
            "is not a denial ledger (it holds other tables); nothing was changed", file=name,
            fix="give the path or URL of your ledger, or a new file or empty database",
        )
    if current is not None:
        script = ScriptDirectory(str(ledger_migrations_dir()))
        try:
            script.get_revision(current)
        except Exception:  # alembic raises several kinds for an unknown revision
            raise LedgerError(
                f"was written by a newer appeals (schema version {current!r}; this one knows "
                f"up to {script.get_current_head()!r}); nothing was changed", file=name,
                fix="upgrade appeals (pip install -U appeals) on this machine",
            ) from None
    return current
