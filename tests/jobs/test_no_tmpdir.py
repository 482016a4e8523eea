"""Issue #12 item 9, through the CLI: nothing uses $TMPDIR any more, so a full $TMPDIR can
never be reported as the output folder's disk being full. Every file `appeals run` writes,
temporary ones included (XlsxWriter's), is inside the output folder's staging, the lock
beside it, or the output folder itself: an audit hook in the real console entry point
records every file and folder the process (and its document workers) creates or opens for
writing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

AUDITED_ENTRY = """
import os, sys
log = open(sys.argv.pop(1), "a", buffering=1)
WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)) and isinstance(args[2], int) \\
            and args[2] & WRITE:
        log.write(os.path.abspath(os.fsdecode(args[0])) + "\\n")
    elif event in ("tempfile.mkstemp", "tempfile.mkdtemp", "os.mkdir", "shutil.copyfile"):
        log.write(os.path.abspath(os.fsdecode(args[-1] if event == "shutil.copyfile" else args[0]))
                  + "\\n")
sys.addaudithook(hook)
sys.argv[0] = "appeals"
from appeals.cli import entry
entry()
"""


def audited_run(tmp_path: Path, tmpdir: Path, *args: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    log = tmp_path / "writes.log"
    env = dict(os.environ, TMPDIR=str(tmpdir), TEMP=str(tmpdir), TMP=str(tmpdir))
    done = subprocess.run([sys.executable, "-c", AUDITED_ENTRY, str(log), *args],
                          capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    return done, sorted(set(log.read_text().splitlines())) if log.exists() else []


def stray(writes: list[str], out: Path) -> list[str]:
    """Writes outside OUT, its staging and lock (``.out.*``) and the mkdir of OUT's parent."""
    ours = (f"{out}/", f"{out.parent}/.{out.name}.")
    return [w for w in writes if not w.startswith(ours) and w not in (str(out), str(out.parent))]


def test_run_writes_nothing_outside_the_output_folder_and_its_staging(tmp_path: Path) -> None:
    tmpdir = tmp_path / "no-such-tmpdir"  # Python would fall back to /tmp: the hook sees that
    out = tmp_path / "out"
    inputs = [str(SAMPLES / "denials_practicepro.xlsx"), str(SAMPLES / "remit_scig.835")]
    for force in ([], ["--force"]):  # a new folder, then replacing it
        done, writes = audited_run(tmp_path, tmpdir, "run", *inputs, "-o", str(out),
                                   "--workers", "2", "--today", "2026-04-30", "--quiet", *force)
        assert done.returncode == 0, done.stderr
        assert (out / "summary.xlsx").is_file()
        assert any("/letters/" in w for w in writes) and any(w.endswith(".xlsx") for w in writes)
        assert stray(writes, out) == []
    assert not tmpdir.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "writes.log"]


def test_run_succeeds_with_tmpdir_a_read_only_file(tmp_path: Path) -> None:
    # TMPDIR naming something no file can be made in: a run does not need it at all
    blocker = tmp_path / "tmpfile"
    blocker.write_text("not a folder", encoding="utf-8")
    out = tmp_path / "out"
    done, writes = audited_run(tmp_path, blocker / "tmp", "run",
                               str(SAMPLES / "denials_clearinghouse.csv"), "-o", str(out),
                               "--today", "2026-04-30", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "disk" not in done.stderr and "Error" not in done.stderr
    assert (out / "summary.xlsx").is_file()
    assert stray(writes, out) == []
