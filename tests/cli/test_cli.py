"""The command line through click's CliRunner: output, exit codes, one-line errors."""

from __future__ import annotations

import io
import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from appeals import __version__
from appeals.cli import main

XLSX = str(SAMPLES / "denials_practicepro.xlsx")


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_every_command_has_help_with_examples(cli):
    for name, command in main.commands.items():
        result = cli(name, "--help")
        assert result.exit_code == 0, name
        assert "Examples:" in result.output, name
        assert command.help, name


def test_classify_table_shows_denials_and_counts(cli):
    result = cli("classify", XLSX)
    assert result.exit_code == 0
    assert "wrong_route" in result.output and "units_over_cap" in result.output
    assert "rows read" in result.output and "rejected" in result.output


def test_classify_csv_to_stdout_has_the_contract_columns(cli):
    result = CliRunner().invoke(main, ["classify", XLSX, "--csv", "-"])
    assert result.exit_code == 0
    frame = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    for column in ("source_file", "source_row", "claim_id", "payer_claim_number", "payer_name",
                   "payer", "service_date", "place_of_service", "procedure_code", "modifiers",
                   "units", "billed_amount", "paid_amount", "carcs", "rarcs", "status",
                   "pattern", "action", "evidence"):
        assert column in frame.columns
    assert set(frame["status"]) <= {"denied", "needs_review", "out_of_scope", "paid"}
    row = frame[(frame["claim_id"] == "PP-3001") & (frame["procedure_code"] == "J1559")].iloc[0]
    assert row["modifiers"] == "JB;KX" and row["service_date"] == "2026-03-02"
    assert (frame["pattern"] != "").sum() == (frame["status"] == "denied").sum()


def test_classify_csv_file_keeps_every_line(cli, tmp_path):
    out = tmp_path / "out.csv"
    result = cli("classify", XLSX, str(SAMPLES / "denials_clearinghouse.csv"),
                 str(SAMPLES / "remit_scig.835"), "--csv", str(out))
    assert result.exit_code == 0
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(frame) == 64  # 69 rows read, 5 rejected
    assert "69 rows read: 64 lines classified" in result.output


def test_patterns_lists_every_pattern_and_rule(cli):
    result = cli("patterns", "--rules")
    assert result.exit_code == 0
    for pattern in ("wrong_route", "units_over_cap", "addon_without_primary", "site_of_care",
                    "missing_kx", "kx_on_admin_line", "iv_and_sc_same_encounter"):
        assert pattern in result.output
    assert "missing_kx: J1551" in result.output  # a rule line


def test_missing_file_is_one_line_exit_1():
    result = CliRunner().invoke(main, ["classify", "no/such/file.csv"])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "no/such/file.csv" in result.output and "Traceback" not in result.output


def test_missing_columns_message(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Foo,Bar,Clm Nbr\n1,2,3\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["classify", str(bad)])
    assert result.exit_code == 1
    assert str(bad) in result.output and "Traceback" not in result.output


def test_bad_denial_map_names_the_line(tmp_path):
    bad = tmp_path / "map.csv"
    bad.write_text(
        "rule_id,priority,procedure_codes,carcs,rarcs,conditions,pattern,action,template,scrub,note\n"
        "x,1,96369,,,moon_phase,site_of_care,appeal,,yes,\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["classify", XLSX, "--denial-map", str(bad)])
    assert result.exit_code == 1
    assert "row 2" in result.output and "moon_phase" in result.output


def test_debug_shows_the_traceback():
    result = CliRunner().invoke(main, ["classify", "nope.csv", "--debug"])
    assert result.exit_code == 1
    assert result.exception is not None and not isinstance(result.exception, SystemExit)


def test_columns_option_maps_an_unusual_header(cli, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("Ticket,CPT,Adj Reason,DOS\nT-1,96370,CO-107,03/02/2026\n", encoding="utf-8")
    result = cli("classify", str(odd), "--columns", "claim_id=Ticket", "--csv", "-")
    frame = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert frame.loc[0, "claim_id"] == "T-1" and frame.loc[0, "pattern"] == "addon_without_primary"


def test_python_dash_m_runs():
    result = subprocess.run([sys.executable, "-m", "appeals", "--version"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and __version__ in result.stdout


def test_library_does_not_import_click():
    code = ("import sys, appeals.jobs.run, appeals.render.documents, appeals.workbooks.summary, appeals.readers.x12; "
            "print('click' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_run_writes_outputs_and_refuses_to_overwrite(cli, tmp_path):
    out = tmp_path / "out"
    result = cli("run", XLSX, "-o", str(out), "--today", "2026-04-30", "--quiet")
    assert result.exit_code == 0, result.output
    assert (out / "summary.xlsx").is_file()
    # a letter only where the route is a written request, and this export has none: Medicare
    # fixes on billed lines are reopening scripts, and PP-3003 (96371 over the cap, billed
    # at POS 22 on a professional claim) is the facility's to bill
    letters = sorted(p.stem for p in (out / "letters").glob("*.docx"))
    assert letters == []
    sheets = sorted(p.stem for p in (out / "worksheets").glob("*.docx"))
    assert sheets == [f"PP-30{n:02d}" for n in (1, 2, 4, 7, 8, 10)]
    assert "Letters written:" in result.output and "Placeholders left to fill" in result.output
    again = CliRunner().invoke(main, ["run", XLSX, "-o", str(out)])
    assert again.exit_code == 1 and "--force" in again.output
    forced = cli("run", XLSX, "-o", str(out), "--force", "--quiet", "--today", "2026-04-30")
    assert forced.exit_code == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # no staging left


def test_init_copies_editable_files(cli, tmp_path):
    result = cli("init", str(tmp_path / "office"))
    assert result.exit_code == 0
    for name in ("denial_map.csv", "practice.toml", "templates/letter.html.j2"):
        assert (tmp_path / "office" / name).is_file(), name
    again = CliRunner().invoke(main, ["init", str(tmp_path / "office")])
    assert again.exit_code == 1
