"""Issue #12, output folder: --force never deletes a user's file, scrub writes like run, a
lock keeps two runs apart, and no patient data is left behind by a signal or a kill."""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from appeals.cli import main
from appeals.errors import OutputError
from appeals.jobs.output import output_error, staging_prefix

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
INPUT = SAMPLES / "denials_routes.csv"  # it writes letters (written requests)
ARGS = ["--today", "2026-04-30", "--quiet"]


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def beside(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def a_run(out: Path) -> Path:
    result = invoke("run", INPUT, "-o", out, *ARGS)
    assert result.exit_code == 0, result.output
    return out


# --- item 1: --force replaces only an earlier appeals output --------------------------------

def test_force_into_the_inputs_folder_deletes_nothing(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    source = exports / "x.csv"
    source.write_bytes(INPUT.read_bytes())
    (exports / "notes.txt").write_text("mine", encoding="utf-8")
    before = snapshot(exports)
    result = invoke("run", source, "-o", exports, "--force", *ARGS)
    assert result.exit_code == 1
    assert f"the output folder holds the input {source}" in result.stderr
    assert snapshot(exports) == before


def test_force_on_the_working_directory_is_refused(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    result = invoke("run", INPUT, "-o", ".", "--force", *ARGS)
    assert result.exit_code == 1
    assert "the output folder is the working directory" in result.stderr
    assert snapshot(tmp_path) == before


def test_force_on_a_home_directory_is_refused(tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("# mine\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    result = invoke("run", INPUT, "-o", home, "--force", *ARGS)
    assert result.exit_code == 1
    assert "the output folder is a home directory" in result.stderr
    assert (home / ".bashrc").read_text(encoding="utf-8") == "# mine\n"


def test_force_on_a_parent_of_an_input_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "office" / "data"
    data.mkdir(parents=True)
    source = data / "in.csv"
    source.write_bytes(INPUT.read_bytes())
    result = invoke("run", source, "-o", tmp_path / "office", "--force", *ARGS)
    assert result.exit_code == 1
    assert "holds the input" in result.stderr
    assert source.read_bytes() == INPUT.read_bytes()


def test_force_refuses_a_run_folder_holding_other_files_and_names_them(tmp_path: Path) -> None:
    out = a_run(tmp_path / "out")
    (out / "my notes.txt").write_text("mine", encoding="utf-8")
    (out / "letters" / "edited by hand.docx").write_bytes(b"mine")
    before = snapshot(out)
    result = invoke("run", INPUT, "-o", out, "--force", *ARGS)
    assert result.exit_code == 1
    assert "--force replaces only an earlier appeals output" in result.stderr
    assert "letters/edited by hand.docx, my notes.txt" in result.stderr
    assert snapshot(out) == before


def test_force_refuses_a_folder_without_a_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "letters").mkdir(parents=True)
    (out / "summary.xlsx").write_bytes(b"not ours")
    result = invoke("run", INPUT, "-o", out, "--force", *ARGS)
    assert result.exit_code == 1
    assert "letters, summary.xlsx" in result.stderr
    assert (out / "summary.xlsx").read_bytes() == b"not ours"


def test_a_symlinked_out_is_resolved_and_checked(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "keep.txt").write_text("mine", encoding="utf-8")
    link = tmp_path / "link"
    link.symlink_to(real)
    result = invoke("run", INPUT, "-o", link, "--force", *ARGS)
    assert result.exit_code == 1 and "keep.txt" in result.stderr
    assert (real / "keep.txt").exists()
    (real / "keep.txt").unlink()
    assert invoke("run", INPUT, "-o", link, "--force", *ARGS).exit_code == 0
    again = invoke("run", INPUT, "-o", link, "--force", *ARGS)
    assert again.exit_code == 0, again.output
    assert link.is_symlink() and (real / "summary.xlsx").is_file()


# --- item 2: scrub writes like run -----------------------------------------------------------

SCRUB = [SAMPLES / "charges.csv", "--infusion-log", SAMPLES / "infusion_log.csv"]


def test_scrub_with_a_mistyped_input_keeps_the_previous_scrub(tmp_path: Path) -> None:
    out = tmp_path / "scrub"
    assert invoke("scrub", *SCRUB, "-o", out).exit_code == 0
    before = snapshot(out)
    result = invoke("scrub", tmp_path / "typo.csv", "-o", out, "--force")
    assert result.exit_code != 0
    assert snapshot(out) == before
    assert beside(out) == []


def test_scrub_output_is_private(tmp_path: Path) -> None:
    out = tmp_path / "scrub"
    assert invoke("scrub", *SCRUB, "-o", out).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for path in out.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path


def test_scrub_refuses_a_run_folder(tmp_path: Path) -> None:
    out = a_run(tmp_path / "out")
    before = snapshot(out)
    result = invoke("scrub", *SCRUB, "-o", out, "--force")
    assert result.exit_code == 1
    assert "holds an appeals run, not a scrub" in result.stderr
    assert snapshot(out) == before


def test_scrub_force_replaces_an_earlier_scrub(tmp_path: Path) -> None:
    out = tmp_path / "scrub"
    assert invoke("scrub", *SCRUB, "-o", out).exit_code == 0
    result = invoke("scrub", *SCRUB, "-o", out, "--force")
    assert result.exit_code == 0, result.output
    assert (out / "scrub.xlsx").is_file() and beside(out) == []


# --- item 8: signals, kill -9, $TMPDIR -------------------------------------------------------

KILL_MIDWAY = """
import os, signal, sys
from pathlib import Path
# A shell starts background jobs with SIGINT ignored, and Python keeps it so; a biller's Ctrl-C
# reaches a foreground process, which is what this stands in for.
signal.signal(signal.SIGINT, signal.default_int_handler)
import appeals.render.documents as documents
real = documents.write_documents
def fake(classified, out_dir, **kwargs):
    result = real(classified, out_dir, **kwargs)
    assert any(Path(out_dir, "letters").iterdir())
    os.kill(os.getpid(), getattr(signal, sys.argv[1]))
    return result
documents.write_documents = fake
from appeals.cli import main
main(sys.argv[2:], prog_name="appeals")
"""


def run_and_signal(signame: str, out: Path, tmpdir: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, TMPDIR=str(tmpdir))
    args = [sys.executable, "-c", KILL_MIDWAY, signame, "run", str(INPUT), "-o", str(out),
            "--force", *ARGS]
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("signame, code", [("SIGTERM", 143), ("SIGHUP", 129), ("SIGINT", 130)])
def test_a_signal_removes_staging_and_keeps_the_previous_output(
    tmp_path: Path, signame: str, code: int
) -> None:
    out = a_run(tmp_path / "out")
    before = snapshot(out)
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    done = run_and_signal(signame, out, tmpdir)
    assert done.returncode == code, done.stderr
    assert done.stderr == f"Interrupted; {out} was left as it was and the unfinished output removed.\n"
    assert snapshot(out) == before
    assert beside(out) == []
    assert list(tmpdir.iterdir()) == []


def test_kill_9_leaves_staging_that_the_next_run_removes_and_reports(tmp_path: Path) -> None:
    out = a_run(tmp_path / "out")
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    done = run_and_signal("SIGKILL", out, tmpdir)
    assert done.returncode == -signal.SIGKILL
    left = beside(out)
    assert [name for name in left if not name.endswith(".lock")]  # kill -9 runs no clean-up
    assert list(tmpdir.iterdir()) == []  # ... but nothing landed in $TMPDIR
    result = invoke("run", INPUT, "-o", out, "--force", *ARGS)
    assert result.exit_code == 0, result.output
    assert "Note: removed 1 unfinished output folder(s) left by an interrupted earlier run" in result.stderr
    assert beside(out) == []


def test_a_stale_looking_folder_that_is_not_ours_is_kept(tmp_path: Path) -> None:
    out = a_run(tmp_path / "out")
    theirs = tmp_path / ".out.backup"
    theirs.mkdir()
    (theirs / "keep.txt").write_text("mine", encoding="utf-8")
    result = invoke("run", INPUT, "-o", out, "--force", *ARGS)
    assert result.exit_code == 0 and "Note:" not in result.stderr
    assert (theirs / "keep.txt").exists()


def test_no_temporary_file_goes_to_tmpdir(tmp_path: Path, monkeypatch) -> None:
    import tempfile

    import xlsxwriter

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no such tmpdir"))
    seen: list[list[str]] = []
    real_close = xlsxwriter.Workbook.close

    def close(self):  # the workbook's temporary files exist until close()
        seen.append(sorted(p.name for p in Path(self.filename).parent.iterdir()))
        return real_close(self)

    monkeypatch.setattr(xlsxwriter.Workbook, "close", close)
    out = a_run(tmp_path / "out")
    assert (out / "summary.xlsx").is_file()
    assert len(seen[0]) > len(["letters", "worksheets", ".appeals-staging"])  # temp files


WORKERS = """
import os, sys, time
from pathlib import Path
import appeals.render.documents as documents
pids = Path(sys.argv[1])
def slow(self, start, stop):
    with open(pids / str(os.getpid()), "w") as handle:
        handle.write("x")
    time.sleep(60)
    return []
documents._Job.render_range = slow
from appeals.jobs.run import run
run([sys.argv[2]], sys.argv[3], workers=2)
"""


def test_pool_workers_exit_when_the_parent_is_killed(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    pids.mkdir()
    parent = subprocess.Popen([sys.executable, "-c", WORKERS, str(pids),
                               str(SAMPLES / "denials_practicepro.xlsx"), str(tmp_path / "out")])
    import time

    deadline = time.monotonic() + 60
    while len(list(pids.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = [int(p.name) for p in pids.iterdir()]
    assert len(workers) >= 2
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return status != "Z"


# --- item 9: a lock; a full $TMPDIR is not OUT's disk -----------------------------------------

def test_a_second_run_on_a_locked_folder_says_so(tmp_path: Path) -> None:
    out = a_run(tmp_path / "out")
    before = snapshot(out)
    lock = out.parent / f"{staging_prefix(out)}lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        result = invoke("run", INPUT, "-o", out, "--force", *ARGS)
    finally:
        os.close(fd)
    assert result.exit_code == 1
    assert "another appeals run is writing this output folder" in result.stderr
    assert snapshot(out) == before
    assert invoke("run", INPUT, "-o", out, "--force", *ARGS).exit_code == 0


def test_a_full_disk_elsewhere_is_named_as_such(tmp_path: Path) -> None:
    exc = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/var/tmp/tmpabc")
    error = output_error(exc, tmp_path / "out", tmp_path / ".out.x")
    assert isinstance(error, OutputError)
    assert "the disk holding /var/tmp/tmpabc is full" in str(error)
    inside = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / ".out.x" / "a"))
    assert "the disk is full" in str(output_error(inside, tmp_path / "out", tmp_path / ".out.x"))


# --- item 11: the folder keeps its group and mode ---------------------------------------------

def test_a_replaced_folder_keeps_its_mode_and_group(tmp_path: Path) -> None:
    out = a_run(tmp_path / "out")
    gid = os.getgroups()[-1] if os.getgroups() else os.getgid()
    os.chown(out, -1, gid)
    os.chmod(out, 0o2770)
    assert invoke("run", INPUT, "-o", out, "--force", *ARGS).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o2770
    assert out.stat().st_gid == gid
    letter = next((out / "letters").iterdir())
    assert stat.S_IMODE(letter.stat().st_mode) == 0o660


def test_a_new_folder_is_private(tmp_path: Path) -> None:
    out = a_run(tmp_path / "out")
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert stat.S_IMODE((out / "summary.xlsx").stat().st_mode) == 0o600


# --- item 17: folder names ---------------------------------------------------------------------

def test_a_dangling_symlink_out_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "elsewhere" / "deep")
    result = invoke("run", INPUT, "-o", link, *ARGS)
    assert result.exit_code == 1
    assert "symbolic link to nothing" in result.stderr
    assert not (tmp_path / "elsewhere").exists()


def test_a_250_character_folder_name_works(tmp_path: Path) -> None:
    out = tmp_path / ("o" * 250)
    result = invoke("run", INPUT, "-o", out, *ARGS)
    assert result.exit_code == 0, result.output
    assert (out / "summary.xlsx").is_file()
    again = invoke("run", INPUT, "-o", out, "--force", *ARGS)
    assert again.exit_code == 0, again.output

