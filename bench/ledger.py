"""Ledger speed: 1M classified lines into SQLite and into PostgreSQL, and the queue of a
ledger holding 1M items. Targets: ingest <= 60 s per engine, queue <= 1 s. Prints figures.

    python bench/ledger.py                      # 1,000,000 lines, SQLite + a throwaway PostgreSQL
    python bench/ledger.py --lines 100000 --engines sqlite
    python bench/ledger.py --postgresql postgresql://user:pw@host/db   # an existing, empty database

Every line is synthetic and denied (the worst case: one new item and one event per line).
The PostgreSQL cluster, when none is given, is started with the Debian binaries in a
temporary folder (as ``nobody`` when run as root), on a unix socket, default settings.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from appeals.ledger import open_ledger, queue, record_lines
from appeals.ledger.states import WORKING

PATTERNS = np.array(["units_over_cap", "addon_without_primary", "site_of_care", "missing_kx",
                     "wrong_route"], dtype=object)
ACTIONS = np.array(["corrected_claim", "corrected_claim", "appeal", "corrected_claim",
                    "corrected_claim"], dtype=object)
CODES = np.array(["96371", "96370", "96369", "J1559", "96365"], dtype=object)
PAYERS = np.array(["medicare", "uhc", "aetna", "cigna"], dtype=object)


def lines_frame(n: int, seed: int = 7) -> pd.DataFrame:
    """``n`` denied lines in the classified frame's columns, all distinct items."""
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, len(PATTERNS), n)
    claim = np.char.add("BENCH-", np.arange(n).astype(str)).astype(object)
    remit = pd.Timestamp("2026-01-05") + pd.to_timedelta(rng.integers(0, 180, n), unit="D")
    dos = remit - pd.to_timedelta(rng.integers(10, 40, n), unit="D")
    payer = PAYERS[rng.integers(0, len(PAYERS), n)]
    billed = rng.integers(60, 2500, n).astype("float64")
    return pd.DataFrame({
        "source_file": "bench.835", "source_row": np.arange(n) + 10, "claim_id": claim,
        "payer_claim_number": np.char.add("ICN", np.arange(n).astype(str)).astype(object),
        "claim_status": "1", "patient_name": "TESTPATIENT, BENCH", "member_id": "ZZ0000000",
        "payer_name": payer, "payer": payer, "service_date": dos, "procedure_code": CODES[kind],
        "modifiers": "", "line_control_number": "", "billed_amount": billed,
        "paid_amount": 0.0, "carcs": "119", "rarcs": "N362", "remit_date": remit,
        "status": "denied", "pattern": PATTERNS[kind], "action": ACTIONS[kind],
        "appeal_deadline": remit + pd.Timedelta(days=125), "deadline_basis": "remit date + 125 days",
    })


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name) or (sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [None])[-1]
    return found


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise SystemExit("PostgreSQL binaries not found (apt-get install postgresql), or pass --postgresql URL")
    base = Path(tempfile.mkdtemp(prefix="appeals-bench-pg-"))
    as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(base, "nobody")
    quiet = {"check": True, "capture_output": True}
    subprocess.run([*as_user, initdb, "-D", str(base / "data"), "-U", "bench", "-A", "trust",
                    "--no-instructions"], **quiet)
    subprocess.run([*as_user, pg_ctl, "-D", str(base / "data"), "-o",
                    f"-k {base} -c listen_addresses=''", "-l", str(base / "log"), "-w", "start"], **quiet)
    try:
        yield f"postgresql://bench@/postgres?host={base}"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(base / "data"), "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def measure(target: str, frame: pd.DataFrame, label: str) -> None:
    ledger = open_ledger(target)
    start = time.perf_counter()
    report = record_lines(ledger, frame, [], digests={"bench.835": f"bench-{time.time()}"},
                          today=dt.date(2026, 7, 1))
    ingest = time.perf_counter() - start
    print(f"{label:<11} ingest {len(frame):>9,} lines -> {report.opened:,} items, "
          f"{report.events:,} events: {ingest:6.1f} s  ({len(frame) / ingest:,.0f} lines/s)  target <= 60 s")
    for limit, what in ((200, "first 200"), (None, "all")):
        start = time.perf_counter()
        rows = queue(ledger, today=dt.date(2026, 7, 1), states=WORKING, limit=limit)
        took = time.perf_counter() - start
        print(f"{label:<11} queue ({what:>9}) of a {report.opened:,}-item ledger: {len(rows):>9,} rows "
              f"in {took:6.2f} s" + ("  target <= 1 s" if limit else ""))
    ledger.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--postgresql", help="an existing, empty database URL")
    args = parser.parse_args()
    start = time.perf_counter()
    frame = lines_frame(args.lines)
    print(f"synthetic frame of {len(frame):,} denied lines built in {time.perf_counter() - start:.1f} s")
    engines = args.engines.split(",")
    if "sqlite" in engines:
        with tempfile.TemporaryDirectory() as tmp:
            measure(str(Path(tmp) / "bench.sqlite"), frame, "sqlite")
    if "postgresql" in engines:
        if args.postgresql:
            measure(args.postgresql, frame, "postgresql")
        else:
            with throwaway_postgres() as url:
                measure(url, frame, "postgresql")


if __name__ == "__main__":
    main()
