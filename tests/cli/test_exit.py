"""Issue #12, items 15 and 17: the process ends with the command's own exit code, whatever
native code would do at interpreter finalisation; output file names are safe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from appeals.cli import main

# What a native library's static destructor did at finalisation in 2-3% of loaded runs:
# abort the process (exit 134). An atexit handler stands in for it, deterministically.
ABORT_AT_FINALISATION = """
import atexit, os, sys
atexit.register(os.abort)
sys.argv = ["appeals", *sys.argv[1:]]
import runpy
runpy.run_module("appeals", run_name="__main__")
"""


def test_a_bad_file_exits_1_even_if_finalisation_would_abort(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Ticket,CPT,Adj Reason\nA-1,96369,CO-119\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", ABORT_AT_FINALISATION, "classify", str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"Error: {bad}, row 1: required columns not found")


def test_output_is_flushed_before_leaving(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "samples" / "denials_clearinghouse.csv"
    done = subprocess.run([sys.executable, "-c", ABORT_AT_FINALISATION, "classify",
                           str(source), "--csv", "-"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("source_file,") and done.stdout.endswith("\n")
    assert len(done.stdout.splitlines()) > 5


def test_file_names_never_start_with_a_dash_or_keep_bidi_controls(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    rows = ["Claim #,Patient Name,Member ID,Payer,DOS,CPT,Units,Paid,Adj Reason,Remark"]
    for claim in ("-rf", "Ali\u202excod.exe", "--help"):
        rows += [f'{claim},"Testpatient, Alice",ZZ0000001,Noridian,03/05/2026,96369,1,100,,',
                 f'{claim},"Testpatient, Alice",ZZ0000001,Noridian,03/05/2026,96371,4,0,CO-119,N362']
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(source), "-o", str(out), "--today",
                                       "2026-04-30", "--quiet"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for folder in ("letters", "worksheets") if (out / folder).is_dir()
                   for p in (out / folder).iterdir())
    assert len({n.split(".")[0] for n in names}) == 3  # one document name per claim
    for name in names:
        assert not name.startswith("-") and "\u202e" not in name, name
