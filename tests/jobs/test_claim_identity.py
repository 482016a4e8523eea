"""Issue #12, items 3 and 4: a claim is its id + payer + member, and a line given twice
(the same export twice, overlapping exports) is counted once, with a warning."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import docx
import openpyxl
from click.testing import CliRunner

from appeals.cli import main

ARGS = ["--today", "2026-04-30", "--quiet"]
HEADERS = ["Claim #", "Patient Name", "Member ID", "Payer", "DOS", "CPT", "Units", "Paid",
           "Adj Reason", "Remark"]


def export(path: Path, claim: str, name: str, member: str, payer: str) -> Path:
    """One claim: 96369 paid and 96371 x4 denied as over the cap (a worksheet: a Medicare
    reopening script or a commercial corrected claim)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerow([claim, name, member, payer, "03/05/2026", "96369", "1", "100", "", ""])
    writer.writerow([claim, name, member, payer, "03/05/2026", "96371", "4", "0", "CO-119", "N362"])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def queue(out: Path) -> list[dict]:
    sheet = openpyxl.load_workbook(out / "summary.xlsx", read_only=True)["Work queue"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if any(r)]


def test_one_claim_id_for_two_patients_is_two_claims(tmp_path: Path) -> None:
    a = export(tmp_path / "a.csv", "1001", "Testpatient, Alice", "ZZ0000001", "Noridian")
    b = export(tmp_path / "b.csv", "1001", "Testpatient, Bruno", "ZZ0000002", "Aetna")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(a), str(b), "-o", str(out), *ARGS])
    assert result.exit_code == 0, result.output
    assert ("Warning: claim 1001 belongs to 2 different members or payers "
            "(a.csv row 2; a.csv row 3; b.csv row 2; b.csv row 3): read as 2 separate claims"
            ) in result.stderr
    sheets = sorted((out / "worksheets").iterdir())
    assert len(sheets) == 2
    for sheet in sheets:
        body = text(sheet)
        assert ("Alice" in body) != ("Bruno" in body), sheet.name  # one patient per document
        assert ("ZZ0000001" in body) != ("ZZ0000002" in body)
    links = {row["Patient"]: row["Worksheet"] for row in queue(out) if row.get("Worksheet")}
    assert len(set(links.values())) == 2  # each patient's lines link to their own worksheet


def test_the_same_export_twice_counts_each_line_once(tmp_path: Path) -> None:
    a = export(tmp_path / "a.csv", "2002", "Testpatient, Alice", "ZZ0000001", "Noridian")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(a), str(a), "-o", str(out), *ARGS])
    assert result.exit_code == 0, result.output
    assert ("Warning: 2 line(s) given more than once were kept once: a.csv row 2 repeats "
            "a.csv row 2; a.csv row 3 repeats a.csv row 3") in result.stderr
    assert len(queue(out)) == 2
    single = CliRunner().invoke(main, ["run", str(a), "-o", str(tmp_path / "single"), *ARGS])
    assert single.exit_code == 0, single.output
    for folder in ("worksheets",):  # the same documents as from the file given once
        assert text(out / folder / "2002.docx") == text(tmp_path / "single" / folder / "2002.docx")


def test_overlapping_exports_keep_each_line_once(tmp_path: Path) -> None:
    a = export(tmp_path / "march.csv", "3003", "Testpatient, Alice", "ZZ0000001", "Noridian")
    b = tmp_path / "march-again.csv"
    b.write_text(a.read_text(encoding="utf-8") + "3004,\"Testpatient, Alice\",ZZ0000001,"
                 "Noridian,03/06/2026,96369,1,100,,\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(a), str(b), "-o", str(out), *ARGS])
    assert result.exit_code == 0, result.output
    assert "march-again.csv row 2 repeats march.csv row 2" in result.stderr
    rows = queue(out)
    assert sorted((r["Claim ID"], r["Code"]) for r in rows) == [
        ("3003", "96369"), ("3003", "96371"), ("3004", "96369")]


def test_one_file_may_list_two_identical_services(tmp_path: Path) -> None:
    a = export(tmp_path / "a.csv", "4004", "Testpatient, Alice", "ZZ0000001", "Noridian")
    lines = a.read_text(encoding="utf-8").splitlines()
    a.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(a), "-o", str(out), *ARGS])
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr
    assert len(queue(out)) == 3


# --- `check` warns as `run` does (issue #12: check showed none of these) ----------------------

def test_check_warns_about_one_claim_id_for_two_members(tmp_path: Path) -> None:
    a = export(tmp_path / "a.csv", "1001", "Testpatient, Alice", "ZZ0000001", "Noridian")
    b = export(tmp_path / "b.csv", "1001", "Testpatient, Bruno", "ZZ0000002", "Aetna")
    result = CliRunner().invoke(main, ["check", str(a), str(b)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[-3:] == [
        "Across the files:",
        "  warning: claim 1001 belongs to 2 different members or payers (a.csv row 2; "
        "a.csv row 3; b.csv row 2; b.csv row 3): read as 2 separate claims",
        "Verdict: usable with problems",
    ]
    alone = CliRunner().invoke(main, ["check", str(a)])
    assert "Across the files" not in alone.output and "warning" not in alone.output


def test_check_warns_about_a_line_given_in_two_exports(tmp_path: Path) -> None:
    a = export(tmp_path / "a.csv", "2002", "Testpatient, Alice", "ZZ0000001", "Noridian")
    copy = tmp_path / "copy.csv"
    copy.write_bytes(a.read_bytes())
    result = CliRunner().invoke(main, ["check", str(a), str(copy), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["warnings"] == [
        "2 line(s) given more than once were kept once: copy.csv row 2 repeats a.csv row 2; "
        "copy.csv row 3 repeats a.csv row 3"]
    assert [f["verdict"] for f in report["files"]] == ["ok", "ok"]
    assert report["verdict"] == "usable with problems"
    ran = CliRunner().invoke(main, ["run", str(a), str(copy), "-o", str(tmp_path / "o"), *ARGS])
    assert f"Warning: {report['warnings'][0]}" in ran.stderr  # word for word what run says


def test_check_shows_a_claim_id_shared_inside_one_file(tmp_path: Path) -> None:
    a = export(tmp_path / "a.csv", "3003", "Testpatient, Alice", "ZZ0000001", "Noridian")
    b = export(tmp_path / "b.csv", "3003", "Testpatient, Bruno", "ZZ0000002", "Aetna")
    both = tmp_path / "both.csv"
    both.write_text(a.read_text() + "".join(b.read_text().splitlines(True)[1:]))
    result = CliRunner().invoke(main, ["check", str(both)])
    assert result.exit_code == 1
    assert ("  warning: claim 3003 belongs to 2 different members or payers (both.csv row 2; "
            "both.csv row 3; both.csv row 4; both.csv row 5): read as 2 separate claims"
            ) in result.output.splitlines()
