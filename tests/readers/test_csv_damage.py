"""Issue #12, item 6: an unquoted $1,240.00 and an unclosed quote are found and named by
row, never read as shifted or merged values."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from appeals.cli import main

HEADER = "Claim #,Patient Name,Member ID,Payer,DOS,CPT,Units,Billed,Paid,Adj Reason,Remark"


def line(claim: str, billed: str = "1240.00", remark: str = "N362") -> str:
    return (f'{claim},"Testpatient, Alice",ZZ0000001,Noridian,03/05/2026,96371,4,{billed},0,'
            f"CO-119,{remark}")


def test_an_unquoted_amount_in_a_row_ending_empty_is_rejected_by_row(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    rows = [HEADER, line("A-1"), line("A-2", billed="$1,240.00", remark=""), line("A-3")]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["classify", str(source), "--csv", "-"])
    assert result.exit_code == 0, result.output
    assert "row 3" in result.stderr and "more cells than the header" in result.stderr
    assert "A-2" not in result.stdout  # never read as billed $1, paid $240
    assert "4 rows read: 3 lines classified" in result.stderr or "rejected" in result.stderr


def test_a_trailing_comma_on_every_row_is_not_damage(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    rows = [HEADER + ",", *(line(f"T-{n}") + "," for n in range(3))]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["classify", str(source), "--csv", "-"])
    assert result.exit_code == 0, result.output
    assert "rejected" not in result.stderr.replace("0 rejected", "")


def test_an_unclosed_quote_is_named_not_swallowed(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    broken = line("U-2").replace('"Testpatient, Alice"', '"Testpatient, Alice')
    rows = [HEADER, line("U-1"), broken, *(line(f"U-{n}") for n in range(3, 8))]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["classify", str(source), "--csv", "-"])
    assert result.exit_code == 0, result.output
    assert "row 3" in result.stderr
    assert "a quote opened in this row is never closed" in result.stderr


def test_a_row_with_two_problems_names_the_column_of_each(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    bad = line("A-2").replace("03/05/2026", "13/45/2026").replace(",4,", ",abc,")
    source.write_text("\n".join([HEADER, line("A-1"), bad]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["classify", str(source)])
    assert result.exit_code == 0, result.output
    rejected = [ln for ln in result.stderr.splitlines() if "row 3" in ln]
    assert len(rejected) == 1, result.stderr
    assert "column 'Units' (value 'abc')" in rejected[0]
    assert "; column 'DOS': not a valid date" in rejected[0]
    assert "2 rows read: 1 lines classified" in result.output + result.stderr
