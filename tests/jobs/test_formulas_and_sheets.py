"""Issue #12, items 7 and 16: a work queue longer than a sheet continues on further sheets,
and `classify --csv` never writes a live formula unless --raw asks for the text as is."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
from click.testing import CliRunner

import appeals.workbooks.summary
from appeals.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
EVIL = ['=HYPERLINK("http://example.invalid","x")', "=cmd|' /C calc'!A0", "@SUM(A1)",
        "+1+2", "-1+2"]


def test_a_long_work_queue_continues_on_further_sheets(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(appeals.workbooks.summary, "QUEUE_ROWS", 7)
    out = tmp_path / "out"
    source = SAMPLES / "denials_practicepro.xlsx"
    result = CliRunner().invoke(main, ["run", str(source), "-o", str(out), "--today",
                                       "2026-04-30", "--quiet"])
    assert result.exit_code == 0, result.output
    read = int(result.output.split("classified ")[1].split(",")[0])
    book = openpyxl.load_workbook(out / "summary.xlsx", read_only=True)
    queues = [name for name in book.sheetnames if name.startswith("Work queue")]
    assert len(queues) == -(-read // 7) > 1
    assert queues[1] == "Work queue (2)"
    assert book.sheetnames[len(queues):] == ["Dashboard", "Rejected"]
    rows = []
    for name in queues:
        sheet = list(book[name].iter_rows(values_only=True))
        assert "Claim ID" in sheet[0] and len(sheet) - 1 <= 7
        rows += sheet[1:]
    assert len(rows) == read  # no line dropped


def export(path: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Claim #", "Patient Name", "Member ID", "Payer", "DOS", "CPT", "Units",
                     "Paid", "Adj Reason", "Remark"])
    for n, evil in enumerate(EVIL):
        writer.writerow([f"{evil}{n}" if n else evil, "Testpatient, Alice", "ZZ0000001",
                         "Noridian", "03/05/2026", "96371", "4", "0", "CO-119", "N362"])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_classify_csv_neutralises_formulas(tmp_path: Path) -> None:
    source = export(tmp_path / "in.csv")
    target = tmp_path / "lines.csv"
    result = CliRunner().invoke(main, ["classify", str(source), "--csv", str(target)])
    assert result.exit_code == 0, result.output
    with target.open(encoding="utf-8", newline="") as handle:
        ids = [row["claim_id"] for row in csv.DictReader(handle)]
    assert len(ids) == len(EVIL)
    for cell in ids:
        assert cell.startswith("'") and cell[1:2] in "=@+-", cell


def test_classify_csv_raw_keeps_the_text(tmp_path: Path) -> None:
    source = export(tmp_path / "in.csv")
    result = CliRunner().invoke(main, ["classify", str(source), "--csv", "-", "--raw"])
    assert result.exit_code == 0, result.output
    ids = [row["claim_id"] for row in csv.DictReader(io.StringIO(result.stdout))]
    assert ids[0] == EVIL[0]
    assert all(not cell.startswith("'") for cell in ids)


def test_an_unwritable_csv_path_is_one_clear_line(tmp_path: Path) -> None:
    source = export(tmp_path / "in.csv")
    target = tmp_path / "no such folder" / "lines.csv"
    result = CliRunner().invoke(main, ["classify", str(source), "--csv", str(target)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {target}: cannot write the CSV")
    assert "unexpected" not in result.stderr
