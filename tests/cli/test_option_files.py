"""Issue #12: a folder or an unreadable file given to an option that names a file (--payers,
--denial-map, --practice, --letterhead, --columns, --infusion-log, --payer-rules) is one
``Error:`` line naming the option, the path and the fix, exit 1, like an unreadable input;
it used to be click's usage error, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from appeals.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
INPUT = SAMPLES / "denials_clearinghouse.csv"
ARGS = ["--today", "2026-04-30", "--quiet"]

CASES = [
    ("run", "--payers", "payers.csv"),
    ("run", "--denial-map", "denial_map.csv"),
    ("run", "--practice", "practice.toml"),
    ("run", "--letterhead", "letterhead .docx"),
    ("run", "--columns", "FIELD=HEADER lines"),
    ("run", "--infusion-log", "infusion log"),
    ("classify", "--payers", "payers.csv"),
    ("scrub", "--practice", "practice.toml"),
    ("check", "--columns", "FIELD=HEADER lines"),
]


def command_line(command: str, option: str, value: Path, out: Path) -> list[str]:
    args = [command, str(INPUT), option, str(value)]
    if command in ("run", "scrub"):
        args += ["-o", str(out)]
    if command == "run":
        args += ARGS
    return args


@pytest.mark.parametrize("command, option, what", CASES)
def test_a_folder_given_to_an_option_is_one_error_line(
    tmp_path: Path, command: str, option: str, what: str
) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    result = CliRunner().invoke(main, command_line(command, option, folder, tmp_path / "out"))
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Error: {folder}: {option} names a folder, not a file. Fix: give "
                               f"{option} the path of ")
    assert what in lines[0]
    assert "Usage:" not in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_units_payer_rules_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["units", "--payer-rules", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {tmp_path}: --payer-rules names a folder")


def test_an_unreadable_option_file_is_one_error_line(tmp_path: Path, monkeypatch) -> None:
    payers = tmp_path / "payers.csv"
    payers.write_text("payer_key,display_name\n", encoding="utf-8")
    # root reads any file, so unreadability is simulated where the permission is asked
    import appeals.cli._files as files

    real = files.os.access
    monkeypatch.setattr(files.os, "access",
                        lambda path, mode: False if Path(path) == payers else real(path, mode))
    result = CliRunner().invoke(main, ["classify", str(INPUT), "--payers", str(payers)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {payers}: --payers names a file that cannot be read (permission denied). "
        "Fix: check the file's permissions, or copy it somewhere you can read it\n")


def test_a_mapping_pair_is_not_taken_for_a_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(INPUT), "--columns", "units=Qty Billed"])
    assert "Error:" not in result.stderr  # the check ran and gave its report
    assert "units" in result.output
