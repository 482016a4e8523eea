"""Ledger fixtures: every ledger test runs on SQLite and on a real PostgreSQL server.

The server is a throwaway cluster started once per session with the Debian ``postgresql``
binaries (initdb + pg_ctl) in a temporary folder, on a unix socket only, with password
authentication so the wrong-password path is real. Run as root (CI), the cluster runs as
the unprivileged user ``nobody``. Without the binaries the PostgreSQL half skips, saying why.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SEQUENCE = SAMPLES / "ledger_sequence"
PG_USER = "appeals_test"
PG_PASSWORD = "fictional-test-password"
_counter = itertools.count()


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _as_server_user(args: list[str]) -> list[str]:
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        return ["runuser", "-u", "nobody", "--", *args]
    return args


@pytest.fixture(scope="session")
def pg_server():
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql")
    base = Path(tempfile.mkdtemp(prefix="appeals-pg-"))
    pwfile = base / "pw"
    pwfile.write_text(PG_PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(base, "nobody")
        shutil.chown(pwfile, "nobody")
    data = base / "data"
    run = dict(check=True, capture_output=True, text=True)
    subprocess.run(_as_server_user([
        initdb, "-D", str(data), "-U", PG_USER, "--pwfile", str(pwfile), "-A", "scram-sha-256",
        "-E", "UTF8", "--no-sync", "--no-instructions",
    ]), **run)
    options = (f"-k {base} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=40")
    subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-o", options, "-l",
                                    str(base / "log"), "-w", "start"]), **run)
    try:
        yield {"host": str(base), "user": PG_USER, "password": PG_PASSWORD}
    finally:
        subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def pg_url(server: dict, database: str, password: str | None = None) -> str:
    pw = server["password"] if password is None else password
    return f"postgresql://{server['user']}:{pw}@/{database}?host={server['host']}"


def new_pg_database(server: dict) -> str:
    import psycopg

    name = f"ledger_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(pg_url(server, "postgres").replace("postgresql://", "postgresql://", 1),
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_url(server, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path):
    """A new, empty ledger location on each engine: a file path or a database URL."""
    if request.param == "sqlite":
        return str(tmp_path / "office.sqlite")
    server = request.getfixturevalue("pg_server")
    return new_pg_database(server)


@pytest.fixture(scope="session")
def remits():
    """The sample sequence, classified: a list of (classified frame, [path]) per file."""
    from appeals.jobs.run import classify_files

    out = []
    for path in sorted(SEQUENCE.glob("*.835")):
        classified, _, _ = classify_files([str(path)])
        out.append((classified, [str(path)]))
    return out


@pytest.fixture
def two_patients_export(tmp_path):
    """Claim 1001 is Alice's at Noridian (96371 over the cap: a document) and Bruno's at Aetna
    (patient responsibility: a queue row, no document): one claim id, two claims."""
    export = tmp_path / "two.csv"
    export.write_text(
        "Claim #,Patient Name,Member ID,Payer,DOS,CPT,Units,Paid,Adj Reason,Remark\n"
        "1001,\"Testpatient, Alice\",ZZ0000001,Noridian,03/05/2026,96369,1,100,,\n"
        "1001,\"Testpatient, Alice\",ZZ0000001,Noridian,03/05/2026,96371,4,0,CO-119,N362\n"
        "1001,\"Testpatient, Bruno\",ZZ0000002,Aetna,03/05/2026,96369,1,0,PR-96,\n",
        encoding="utf-8")
    return export
