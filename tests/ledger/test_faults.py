"""Faults: a server that is down, a wrong password, a locked ledger, a run killed mid-ingest.
Each gives one message naming the ledger and the fix, exit 1, and the ledger as it was."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from appeals.cli import main
from appeals.ledger import open_ledger, record_lines
from appeals.ledger.engine import ledger_url

ROOT = Path(__file__).resolve().parents[2]
SEQUENCE = ROOT / "samples" / "ledger_sequence"


def _invoke(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env or {}, catch_exceptions=False)


def _one_line_error(result, *needles: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(lines) == 1, result.output
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_server_down_is_named_with_the_fix():
    # a short path (a socket path must fit 107 bytes), removed afterwards
    with tempfile.TemporaryDirectory(prefix="appeals-no-server-") as empty:
        url = f"postgresql://biller:sekret-pw@/office?host={empty}"
        result = _invoke("queue", "--ledger", url)
    _one_line_error(result, "server is not reachable", "start the PostgreSQL server", "biller")
    assert "sekret-pw" not in result.output


def test_wrong_password(pg_server):
    url = (f"postgresql://{pg_server['user']}:not-the-password@/postgres"
           f"?host={pg_server['host']}")
    result = _invoke("stats", "--ledger", url)
    _one_line_error(result, "refused the user name or password", "PGPASSWORD")
    assert "not-the-password" not in result.output


def test_unknown_database_is_named(pg_server):
    url = f"postgresql://{pg_server['user']}:{pg_server['password']}@/no_such_db?host={pg_server['host']}"
    _one_line_error(_invoke("queue", "--ledger", url), "database the server does not have", "createdb")


def _hold_lock(target: str):
    """Take the ledger's write lock from outside, as another run would."""
    url = ledger_url(target)
    if url.get_backend_name() == "sqlite":
        raw = sqlite3.connect(url.database, isolation_level=None)
        raw.execute("BEGIN IMMEDIATE")
        return raw
    raw = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    raw.execute("SELECT pg_advisory_xact_lock(%s)", (0x61707065616C73,))
    return raw


def test_locked_ledger_waits_then_says_so(target, remits):
    with open_ledger(target) as ledger:
        record_lines(ledger, *remits[0])
    holder = _hold_lock(target)
    try:
        result = _invoke("mark", "SEQ-2001", "--closed", "--ledger", target,
                         env={"APPEALS_LEDGER_WAIT": "1"})
        _one_line_error(result, "is locked by another run or biller", "nothing was written",
                        "wait until the other")
    finally:
        holder.rollback()
        holder.close()
    states = _invoke("queue", "--json", "--ledger", target).output
    assert '"state": "open"' in states and '"closed"' not in states


_KILLED = textwrap.dedent("""
    import sys, time
    import appeals.ledger.walk as walk
    from appeals.jobs.run import classify_files
    from appeals.ledger import open_ledger, record_lines

    real = walk.insert_rows
    def slow(conn, table, columns, rows):
        n = real(conn, table, columns, rows)
        if table == "items":
            print("items written", flush=True)
            time.sleep(60)
        return n
    walk.insert_rows = slow
    target, path = sys.argv[1], sys.argv[2]
    frame = classify_files([path])[0]
    with open_ledger(target) as ledger:
        record_lines(ledger, frame, [path])
""")


def test_a_run_killed_mid_ingest_leaves_the_ledger_as_it_was(target, remits):
    with open_ledger(target) as ledger:
        record_lines(ledger, *remits[0])
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED, target, str(SEQUENCE / "02_uhc_0603.835")],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert proc.stdout.readline().strip() == "items written"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    engine = create_engine(ledger_url(target))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM items")).scalar() == 2
        assert conn.execute(text("SELECT count(*) FROM files")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM events")).scalar() == 2
    engine.dispose()
    with open_ledger(target) as ledger:  # and the next run records the file in full
        report = record_lines(ledger, *remits[1])
    assert report.opened == 2


@pytest.mark.parametrize("command", ["queue", "stats", "history SEQ-1", "mark SEQ-1 --closed"])
def test_reading_commands_do_not_create_a_ledger(target, command):
    result = _invoke(*command.split(), "--ledger", target)
    _one_line_error(result, "holds no ledger yet", "appeals run")
    url = ledger_url(target)
    if url.get_backend_name() == "sqlite":
        assert not Path(url.database).exists()
    else:
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar() == 0
        engine.dispose()
