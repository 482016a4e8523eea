"""Time and peak memory of writing the work-queue workbook (summary.xlsx) at several sizes.

    python bench/bench_report.py                 # 10k and 100k rows, 3 rounds, side by side
    python bench/bench_report.py --sizes 10000 100000 200000 --rounds 5
    python bench/bench_report.py --modes constant_memory in_memory   # the choice, side by side

Every measurement runs in a fresh child process so ``ru_maxrss`` (a process-wide peak) is
its own; sizes are interleaved round by round so a noisy shared machine hits all alike.
Reported: median seconds, peak RSS growth during the write (ru_maxrss minus RSS before the
write), tracemalloc peak of Python allocations during the write (a separate child, since
tracing slows the write), and the file size. ``in_memory`` is the same code with
XlsxWriter's ``constant_memory`` turned off, for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import types
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from appeals.schema import CLASSIFIED_COLUMNS, LINE_COLUMNS, conform
from appeals.workbooks import summary as report
from appeals.workbooks.summary import write_summary

TODAY = dt.date(2025, 6, 30)
PATTERNS = ["wrong_route", "units_over_cap", "addon_without_primary", "site_of_care", "missing_kx"]
PAYERS = ["medicare", "uhc", "aetna", "cigna", "humana", "other"]
CODES = ["96369", "96370", "96371", "J1559", "J1561", "96365", "96366", "99211"]


def synthetic(n: int, seed: int = 42) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Classified lines (mostly paid, a few percent denied), rejected rows and documents."""
    rng = np.random.default_rng(seed)
    claim = rng.integers(0, max(1, n // 3), n)
    claim_ids = np.char.add("CLM", claim.astype(str))
    status = rng.choice(
        ["paid", "denied", "needs_review", "out_of_scope"], n, p=[0.9, 0.05, 0.02, 0.03]
    )
    denied = status == "denied"
    open_line = denied | (status == "needs_review")
    dos = pd.Timestamp("2024-07-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    remit = dos + pd.to_timedelta(rng.integers(10, 40, n), unit="D")
    deadline = (remit + pd.Timedelta(days=120)).where(open_line, pd.NaT)
    billed = rng.integers(50, 3000, n).astype(float)
    frame = pd.DataFrame(
        {
            "source_file": "export.xlsx",
            "source_sheet": "Remits",
            "source_row": np.arange(2, n + 2),
            "claim_id": claim_ids,
            "payer_claim_number": np.char.add("ICN", (claim * 7 + 1000).astype(str)),
            "patient_name": np.char.add("Testpatient, Pat ", (claim % 5000).astype(str)),
            "member_id": np.char.add("M", (claim % 5000).astype(str)),
            "payer": rng.choice(PAYERS, n),
            "payer_name": "Some Payer Inc",
            "service_date": dos,
            "remit_date": remit,
            "place_of_service": rng.choice(["11", "12", "19", "22"], n),
            "procedure_code": rng.choice(CODES, n),
            "modifiers": rng.choice(["", "JB", "KX", "JB;KX"], n),
            "units": rng.integers(1, 5, n),
            "billed_amount": billed,
            "paid_amount": np.where(open_line, 0.0, billed * 0.8),
            "carcs": np.where(open_line, "119", ""),
            "rarcs": np.where(open_line, "N362", ""),
            "status": status,
            "pattern": np.where(denied, rng.choice(PATTERNS, n), ""),
            "action": np.where(denied, "clerical", np.where(open_line, "review", "")),
            "evidence": np.where(open_line, "96371 billed 3 units; payer cap 1 per encounter", ""),
            "correction": np.where(denied, "96371 units 3 -> 1", ""),
            "deadline": deadline,
            "deadline_basis": np.where(open_line, "remit date + 120 days (medicare)", ""),
        }
    )
    classified = conform(frame, LINE_COLUMNS + CLASSIFIED_COLUMNS)
    doc_claims = sorted(set(claim_ids[denied].tolist()))
    documents = pd.DataFrame(
        {
            "claim_id": doc_claims,
            "letter": [f"letters/{c}.docx" for c in doc_claims],
            "worksheet": [f"worksheets/{c}.docx" for c in doc_claims],
            "placeholders": "LCD number;chart reference",
        }
    )
    k = n // 200
    rejected = pd.DataFrame(
        {
            "source_file": "export.xlsx",
            "source_sheet": "Remits",
            "source_row": np.arange(n + 2, n + 2 + k),
            "column": "DOS",
            "value": "13/45/2025",
            "reason": "not a date; use YYYY-MM-DD",
        }
    )
    return classified, rejected, documents


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_one(n: int, trace: bool, mode: str) -> dict[str, float]:
    """Run in a child: build the data (untimed), then time one write."""
    if mode == "in_memory":
        report.xlsxwriter = types.SimpleNamespace(  # type: ignore[assignment]
            Workbook=lambda p, o: xlsxwriter.Workbook(p, {**o, "constant_memory": False})
        )
    classified, rejected, documents = synthetic(n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "summary.xlsx"
        before = _rss_mb()
        if trace:
            tracemalloc.start()
        start = time.perf_counter()
        write_summary(path, classified, rejected, documents, today=TODAY, totals={})
        seconds = time.perf_counter() - start
        traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else float("nan")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        return {
            "seconds": seconds,
            "rss_growth_mb": max(0.0, peak - before),
            "traced_peak_mb": traced,
            "file_mb": path.stat().st_size / 2**20,
        }


def _child(n: int, trace: bool, mode: str) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", str(n), "--modes", mode]
    args += ["--trace"] if trace else []
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--modes", nargs="+", default=["constant_memory"], choices=["constant_memory", "in_memory"]
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure_one(args.child, args.trace, args.modes[0])))
        return

    cases = [(mode, n) for n in args.sizes for mode in args.modes]
    runs: dict[tuple[str, int], list[dict[str, float]]] = {case: [] for case in cases}
    for _ in range(args.rounds):
        for mode, n in cases:
            runs[mode, n].append(_child(n, trace=False, mode=mode))
    traced = {case: _child(case[1], trace=True, mode=case[0])["traced_peak_mb"] for case in cases}

    print(f"summary.xlsx write, median of {args.rounds} rounds (fresh process per run)")
    print(
        f"{'mode':<16} {'rows':>8} {'seconds':>8} {'us/row':>7} {'dRSS MB':>8} "
        f"{'traced MB':>10} {'file MB':>8}"
    )
    first: dict[str, tuple[int, float]] = {}
    for mode, n in cases:
        med = {k: statistics.median(r[k] for r in runs[mode, n]) for k in runs[mode, n][0]}
        base = first.setdefault(mode, (n, med["seconds"]))
        print(
            f"{mode:<16} {n:>8} {med['seconds']:>8.2f} {med['seconds'] / n * 1e6:>7.1f} "
            f"{med['rss_growth_mb']:>8.1f} {traced[mode, n]:>10.1f} {med['file_mb']:>8.1f}"
            f"   time x{med['seconds'] / base[1]:.1f} for rows x{n / base[0]:.0f}"
        )


if __name__ == "__main__":
    main()
