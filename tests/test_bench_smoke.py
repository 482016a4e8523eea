"""bench/run.py runs and prints every stage at tiny sizes. Checks shape, never speed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_prints_every_stage(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--repeat", "1",
         "--data-dir", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith("  ")]
    stages = {row[0] for row in rows if row}
    assert stages >= {"load", "835", "classify", "render", "workbook", "e2e"}, done.stdout
    assert "openpyxl" in done.stdout and "reference per-claim Python loop" in done.stdout
    assert "docxtpl" in done.stdout  # a figure, or "not installed"
    assert done.stdout.rstrip().splitlines()[-1].startswith("done in")
