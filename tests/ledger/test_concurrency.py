"""Two processes at once, on both engines: two runs ingesting, two billers marking.
Writers queue for the ledger's write lock; no update is lost and nothing fails."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from appeals.ledger import history, open_ledger, queue

ROOT = Path(__file__).resolve().parents[2]
SEQUENCE = ROOT / "samples" / "ledger_sequence"

_INGEST = textwrap.dedent("""
    import sys, time
    from appeals.jobs.run import classify_files
    from appeals.ledger import open_ledger, record_lines
    target, path, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
    frame = classify_files([path])[0]
    ledger = open_ledger(target)
    time.sleep(max(0.0, start - time.time()))
    report = record_lines(ledger, frame, [path])
    print(report.opened)
""")

_MARK = textwrap.dedent("""
    import datetime as dt, sys, time
    from appeals.ledger import mark, open_ledger
    target, claim, who, start = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    ledger = open_ledger(target)
    time.sleep(max(0.0, start - time.time()))
    for n in range(15):
        mark(ledger, claim, "note", on=dt.date(2026, 6, 3), note=f"{who} {n}")
    print("done")
""")


def _together(scripts: list[list[str]]) -> list[str]:
    procs = [subprocess.Popen([sys.executable, "-c", *args], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT) for args in scripts]
    outs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outs.append(out.strip())
    return outs


def test_two_runs_ingesting_at_once_lose_nothing(target):
    open_ledger(target).close()
    start = str(time.time() + 3)
    files = [str(SEQUENCE / "01_medicare_0601.835"), str(SEQUENCE / "02_uhc_0603.835")]
    outs = _together([[_INGEST, target, f, start] for f in files])
    assert outs == ["2", "2"]
    with open_ledger(target) as ledger:
        rows = queue(ledger)
    assert sorted(r["claim_id"] for r in rows) == ["SEQ-2001", "SEQ-2002", "SEQ-3001", "SEQ-3002"]


def test_two_billers_marking_at_once_lose_no_update(target, remits):
    from appeals.ledger import record_lines

    with open_ledger(target) as ledger:
        record_lines(ledger, *remits[0])
    start = str(time.time() + 3)
    outs = _together([[_MARK, target, "SEQ-2001", who, start] for who in ("ann", "bob")])
    assert outs == ["done", "done"]
    with open_ledger(target) as ledger:
        notes = [e["after"]["note"] for e in history(ledger, "SEQ-2001") if e["kind"] == "note"]
    assert sorted(notes) == sorted(f"{who} {n}" for who in ("ann", "bob") for n in range(15))
