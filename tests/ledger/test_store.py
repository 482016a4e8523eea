"""Opening a ledger: creation, schema versions, upgrades, refusals, append-only events."""

from __future__ import annotations

import sqlite3
import stat

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from appeals.errors import LedgerError
from appeals.ledger import open_ledger
from appeals.ledger.engine import ledger_url
from appeals.ledger.store import _alembic_config, schema_head
from appeals.ledger.tables import metadata


def _engine(target):
    return create_engine(ledger_url(target))


def test_new_ledger_has_the_tables_at_the_head_version(target):
    with open_ledger(target) as ledger, ledger.read() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        tables = set(inspect(conn).get_table_names())
        columns = {t: {c["name"] for c in inspect(conn).get_columns(t)} for t in metadata.tables}
    assert version == schema_head()
    assert set(metadata.tables) <= tables
    # the migrations build exactly what the queries are written against
    for name, table in metadata.tables.items():
        assert columns[name] == {c.name for c in table.columns}, name


def test_sqlite_ledger_is_private_and_in_wal_mode(tmp_path):
    path = tmp_path / "office.sqlite"
    open_ledger(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_old_ledger_is_upgraded_in_place(target):
    engine = _engine(target)
    if engine.dialect.name == "sqlite":
        open(ledger_url(target).database, "a").close()
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        conn.execute(text(
            "INSERT INTO files (id, digest, name, loaded_at, lines) "
            "VALUES (1, 'abc', 'old.835', '2026-01-02 03:04:05', 7)"
        ))
    engine.dispose()
    with open_ledger(target) as ledger, ledger.read() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == schema_head()
        assert conn.execute(text("SELECT name, lines FROM files")).one() == ("old.835", 7)
        assert "volume" in inspect(conn).get_table_names()


def test_a_newer_ledger_is_refused_and_left_alone(target):
    open_ledger(target).close()
    engine = _engine(target)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(LedgerError, match="newer appeals.*9999.*Fix: upgrade appeals"):
        open_ledger(target)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999"
    engine.dispose()


def test_a_database_with_other_tables_is_not_a_ledger(target):
    engine = _engine(target)
    if engine.dialect.name == "sqlite":
        open(ledger_url(target).database, "a").close()
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE patients (id integer)"))
    engine.dispose()
    with pytest.raises(LedgerError, match="is not a denial ledger.*nothing was changed"):
        open_ledger(target)
    with _engine(target).connect() as conn:
        assert inspect(conn).get_table_names() == ["patients"]


def test_a_file_that_is_not_sqlite_is_refused_unchanged(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("Testpatient, Alice: call back Tuesday\n" * 50)
    before = path.read_bytes()
    with pytest.raises(LedgerError) as caught:
        open_ledger(path)
    message = str(caught.value)
    assert str(path) in message and "is not a ledger" in message and "Fix:" in message
    assert path.read_bytes() == before


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(LedgerError, match="folder does not exist"):
        open_ledger(tmp_path / "nope" / "office.sqlite")


def test_events_are_append_only(target, remits):
    from appeals.ledger import record_lines

    frame, paths = remits[0]
    with open_ledger(target) as ledger:
        record_lines(ledger, frame, paths)
        with pytest.raises(LedgerError):
            with ledger.write() as conn:
                conn.execute(text("UPDATE events SET kind = 'edited'"))
        with pytest.raises(LedgerError):
            with ledger.write() as conn:
                conn.execute(text("DELETE FROM events"))
        with ledger.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM events WHERE kind = 'opened'")).scalar() == 2
