"""A run builds its output in a hidden sibling folder and swaps it in at the end: a crash,
Ctrl-C or a full disk leaves the previous output exactly as it was, and nothing behind."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

import appeals.render.documents
import appeals.workbooks.summary
from appeals.cli import main
from appeals.errors import OutputError
from appeals.jobs.run import run

# Both runs write letters (a written request: SCIG-1003 in the 835, RT-03 among the first
# lines of the routes sample, which the crash tests write before failing).
INPUT = str(SAMPLES / "denials_routes.csv")
ARGS = ["--today", "2026-04-30", "--quiet"]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.fixture
def previous(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(SAMPLES / "remit_scig.835"),
                                       "-o", str(out), *ARGS])
    assert result.exit_code == 0, result.output
    before = snapshot(out)
    assert "summary.xlsx" in before and any(k.startswith("letters/") for k in before)
    return out, before


def write_some_then(exc: BaseException):
    """A write_documents that writes the real documents, then fails."""
    real = appeals.render.documents.write_documents

    def fake(classified, out_dir, **kwargs):
        real(classified.head(6), out_dir, **kwargs)
        assert any(Path(out_dir, "letters").iterdir())  # some files really were written
        raise exc

    return fake


def test_a_crash_midway_leaves_the_previous_output(previous, monkeypatch) -> None:
    out, before = previous
    monkeypatch.setattr(appeals.render.documents, "write_documents", write_some_then(RuntimeError("boom")))
    with pytest.raises(RuntimeError, match="boom"):
        run([INPUT], out, force=True)
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_ctrl_c_leaves_the_previous_output(previous, monkeypatch) -> None:
    out, before = previous
    monkeypatch.setattr(appeals.render.documents, "write_documents", write_some_then(KeyboardInterrupt()))
    result = CliRunner().invoke(main, ["run", INPUT, "-o", str(out), "--force", *ARGS])
    assert result.exit_code == 130
    assert result.stderr == (
        f"Interrupted; {out} was left as it was and the unfinished output removed.\n"
    )
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_ctrl_c_while_the_workbook_is_written(previous, monkeypatch) -> None:
    out, before = previous

    def half_written(path, *args, **kwargs):
        Path(path).write_bytes(b"PK\x03\x04 half a workbook")
        raise KeyboardInterrupt

    monkeypatch.setattr(appeals.workbooks.summary, "write_summary", half_written)
    result = CliRunner().invoke(main, ["run", INPUT, "-o", str(out), "--force", *ARGS])
    assert result.exit_code == 130
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_a_full_disk_is_one_line_naming_the_folder(previous, monkeypatch) -> None:
    out, before = previous

    def full(path, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(appeals.workbooks.summary, "write_summary", full)
    result = CliRunner().invoke(main, ["run", INPUT, "-o", str(out), "--force", *ARGS])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {out}: the disk is full; nothing was changed in the folder. Fix: free some "
        "space (or choose another disk with -o) and run again\n"
    )
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_a_full_disk_while_writing_a_letter_names_the_real_folder(previous, monkeypatch) -> None:
    out, before = previous
    from appeals.render.docx_package import DocxPackage

    def full(self, path, body):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(DocxPackage, "write", full)
    with pytest.raises(OutputError) as err:
        run([INPUT], out, force=True)
    assert err.value.file == str(out)  # not the staging folder, which is gone
    assert "No space left on device" in str(err.value)
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_a_failed_swap_puts_the_previous_output_back(previous, monkeypatch) -> None:
    out, before = previous
    real_replace = os.replace
    calls = []

    def flaky(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:  # the staging folder moving into place
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OutputError, match="cannot write the output"):
        run([INPUT], out, force=True)
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_an_unwritable_parent_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", INPUT, "-o", str(blocker / "out"), *ARGS])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {blocker / 'out'}: cannot write the output (")
    assert result.stderr.count("\n") == 1 and "unexpected" not in result.stderr


def test_a_second_run_refuses_without_force_and_changes_nothing(previous) -> None:
    out, before = previous
    result = CliRunner().invoke(main, ["run", INPUT, "-o", str(out), *ARGS])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {out}: the output folder already exists and is not empty. Fix: choose "
        "another folder with -o, or pass --force to replace it\n"
    )
    assert snapshot(out) == before


def test_force_replaces_an_earlier_run_whole(previous) -> None:
    out, before = previous
    result = CliRunner().invoke(main, ["run", INPUT, "-o", str(out), "--force", *ARGS])
    assert result.exit_code == 0, result.output
    assert snapshot(out) != before
    assert not any(name.startswith("letters/SCIG-") for name in snapshot(out))
    assert leftovers(out) == []
