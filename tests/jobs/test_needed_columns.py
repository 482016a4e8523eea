"""Issue #12, item 5: units and payer columns are found under their common names; when a
file has none, `check` says so, no value is invented, and the lines go to review."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner

from appeals.cli import main

ARGS = ["--today", "2026-04-30", "--quiet"]


def export(path: Path, payer_header: str, units_header: str) -> Path:
    rows = [
        f"Claim #,Patient Name,Member ID,{payer_header},DOS,CPT,{units_header},Paid,Adj Reason,Remark",
        '5005,"Testpatient, Alice",ZZ0000001,Noridian,03/05/2026,J1559,40,900,,',
        '5005,"Testpatient, Alice",ZZ0000001,Noridian,03/05/2026,96369,1,100,,',
        '5005,"Testpatient, Alice",ZZ0000001,Noridian,03/05/2026,96371,4,0,CO-119,N362',
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def queue(out: Path) -> dict[str, dict]:
    sheet = openpyxl.load_workbook(out / "summary.xlsx", read_only=True)["Work queue"]
    rows = list(sheet.iter_rows(values_only=True))
    return {r[rows[0].index("Code")]: dict(zip(rows[0], r, strict=True)) for r in rows[1:] if any(r)}


def test_qty_billed_and_payor_are_recognised(tmp_path: Path) -> None:
    source = export(tmp_path / "in.csv", "Payor", "Qty Billed")
    checked = CliRunner().invoke(main, ["check", str(source)])
    assert checked.exit_code == 0, checked.output
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(source), "-o", str(out), *ARGS])
    assert result.exit_code == 0, result.output
    line = queue(out)["96371"]
    assert (line["Status"], line["Pattern"]) == ("denied", "units_over_cap")


def test_without_a_units_column_check_says_so_and_nothing_is_invented(tmp_path: Path) -> None:
    source = export(tmp_path / "in.csv", "Payer", "Count of things")
    checked = CliRunner().invoke(main, ["check", str(source)])
    assert checked.exit_code == 1
    assert "no units column was found" in checked.output
    assert "--columns units=HEADER" in checked.output
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(source), "-o", str(out), *ARGS])
    assert result.exit_code == 0, result.output
    lines = queue(out)
    assert lines["96371"]["Status"] == "needs_review"
    assert "gives no units for 96371" in lines["96371"]["Evidence"]
    assert "J1559 x?" in lines["96371"]["Evidence"] and "J1559 x1" not in lines["96371"]["Evidence"]
    assert lines["96371"]["Units"] in (None, "")


def test_without_a_payer_column_the_cap_is_not_guessed(tmp_path: Path) -> None:
    source = export(tmp_path / "in.csv", "Carrier Remarks", "Units")
    checked = CliRunner().invoke(main, ["check", str(source)])
    assert checked.exit_code == 1
    assert "no payer column was found" in checked.output
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(source), "-o", str(out), *ARGS])
    assert result.exit_code == 0, result.output
    line = queue(out)["96371"]
    assert line["Status"] == "needs_review"
    assert "names no payer" in line["Evidence"]
