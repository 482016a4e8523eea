"""read_spreadsheet on synthetic exports: formats, encodings, quirks, rejections, errors."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appeals.errors import AppealsError, ConfigError, InputFileError
from appeals.readers import sheets as sheetio
from appeals.readers import zip_limits
from appeals.readers.table import read_spreadsheet
from appeals.schema import (
    LINE_COLUMNS,
    LIST_FIELDS,
    REJECT_CODES,
    REJECTED_COLUMNS,
    TEXT_FIELDS,
)

D = pd.Timestamp


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def check_frame_contract(lines: pd.DataFrame, rejected: pd.DataFrame, report: dict) -> None:
    assert list(lines.columns) == list(LINE_COLUMNS)
    assert list(rejected.columns) == list(REJECTED_COLUMNS)
    assert report.rows_read == len(lines) + len(rejected)
    for name in TEXT_FIELDS + LIST_FIELDS:
        assert not lines[name].isna().any(), name
        assert all(isinstance(v, str) for v in lines[name]), name
    assert lines["payer"].eq("").all()


# --- CSV -----------------------------------------------------------------------------

BASIC_CSV = (
    "Denial Detail Report\n"
    "Printed 03/06/2026,,\n"
    "\n"
    "Claim #,Patient Name,DOS,CPT,Modifiers,Units,Charges,Paid,Adj Reason,Remark,POS\n"
    'A100,"Testpatient, Alpha",03/05/2026,96369,,1,$250.00,$0.00,CO-119/N362,,11\n'
    'A100,"Testpatient, Alpha",3/5/26,96371,"JB KX",3.0,"$1,234.50",(12.00),"CO 119",N362,11.0\n'
    'A100,"Testpatient, Alpha",20260305,J1561,"JB,KX",10,500,-12,CO119,"N362; MA130",011\n'
    'A101,"Testpatient, Beta",46086,0450,,2,100,0,119,,1\n'
)


def test_csv_with_title_rows_exact_values(tmp_path: Path) -> None:
    lines, rejected, report = read_spreadsheet(write(tmp_path / "basic.csv", BASIC_CSV))
    check_frame_contract(lines, rejected, report)
    assert rejected.empty
    assert report.header_row == 4 and report.rows_read == 4
    assert report.format == "csv" and report.encoding == "utf-8"
    assert report.sheet == "" and report.delimiter == ","
    assert lines["source_row"].tolist() == [5, 6, 7, 8]
    assert lines["source_file"].eq(str(tmp_path / "basic.csv")).all()
    assert lines["source_sheet"].eq("").all()
    assert lines["claim_id"].tolist() == ["A100", "A100", "A100", "A101"]
    assert lines["patient_name"].tolist()[3] == "Testpatient, Beta"
    assert lines["service_date"].tolist() == [D("2026-03-05")] * 4
    assert lines["procedure_code"].tolist() == ["96369", "96371", "J1561", "0450"]
    assert lines["modifiers"].tolist() == ["", "JB;KX", "JB;KX", ""]
    assert lines["units"].tolist() == [1.0, 3.0, 10.0, 2.0]
    assert lines["billed_amount"].tolist() == [250.0, 1234.5, 500.0, 100.0]
    assert lines["paid_amount"].tolist() == [0.0, -12.0, -12.0, 0.0]
    assert lines["carcs"].tolist() == ["119", "119", "119", "119"]
    assert lines["rarcs"].tolist() == ["N362", "N362", "N362;MA130", ""]
    assert lines["adjustments"].tolist() == ["CO-119:", "CO-119:", "CO-119:", ""]
    assert lines["place_of_service"].tolist() == ["11", "11", "11", "01"]
    assert report.mapping == {
        "claim_id": "Claim #", "patient_name": "Patient Name", "service_date": "DOS",
        "place_of_service": "POS", "procedure_code": "CPT", "modifiers": "Modifiers",
        "units": "Units", "billed_amount": "Charges", "paid_amount": "Paid",
        "carcs": "Adj Reason", "rarcs": "Remark",
    }
    assert report.unmapped_headers == []


def test_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfClaim ID,CPT,CARC\nX1,96369,CO-119\n")
    lines, _, report = read_spreadsheet(path)
    assert report.encoding == "utf-8-sig"
    assert report.mapping["claim_id"] == "Claim ID"
    assert lines["claim_id"].tolist() == ["X1"]


def test_cp1252_with_accent(tmp_path: Path) -> None:
    path = write(tmp_path / "win.csv", "Claim #,Patient,CPT,Adj Reason\nP1,\"Peña, Testpatient\","
                 "96369,CO-119\n", encoding="cp1252")
    lines, _, report = read_spreadsheet(path)
    assert report.encoding == "cp1252"
    assert lines["patient_name"].tolist() == ["Peña, Testpatient"]


def test_mixed_encodings_are_read_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"Claim #,Patient,CPT,CARC\n" + "A1,Peña,96369,119\n".encode()
                     + "A2,Muñoz,96369,119\n".encode("cp1252"))
    lines, _, report = read_spreadsheet(path)
    assert lines["patient_name"].tolist() == ["Peña", "Muñoz"]
    assert report.encoding == "mixed utf-8/cp1252"
    assert any("mixes UTF-8" in w for w in report.warnings)


def test_utf16_unicode_text_from_excel(tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    path.write_bytes("Claim #\tCPT\tCARC\r\nU1\t96369\t119\r\n".encode("utf-16"))
    lines, _, report = read_spreadsheet(path)
    assert report.format == "tsv" and report.encoding == "utf-16"
    assert lines["claim_id"].tolist() == ["U1"]


@pytest.mark.parametrize(("sep", "fmt"), [("\t", "tsv"), (";", "csv"), ("|", "csv")])
def test_delimiters_sniffed(tmp_path: Path, sep: str, fmt: str) -> None:
    text = sep.join(["Claim #", "CPT", "Paid", "Adj Reason"]) + "\n"
    text += sep.join(["T1", "96369", "1,234.50" if sep != "," else "0", "CO-119"]) + "\n"
    lines, _, report = read_spreadsheet(write(tmp_path / "file.txt", text))
    assert report.format == fmt and report.delimiter == sep
    assert lines["paid_amount"].tolist() == [1234.5]
    assert lines["carcs"].tolist() == ["119"]


def test_quoted_multiline_cell_keeps_physical_line_numbers(tmp_path: Path) -> None:
    text = ('Claim #,CPT,CARC,Notes\nM1,96369,119,"two\nlines"\nM2,96369,119,x\n'
            '\nM3,96369,119,"a\nb\nc"\nM4,96369,119,y\n')
    lines, _, report = read_spreadsheet(write(tmp_path / "ml.csv", text))
    assert lines["claim_id"].tolist() == ["M1", "M2", "M3", "M4"]
    assert lines["source_row"].tolist() == [2, 4, 6, 9]
    assert report.rows_read == 4
    assert report.unmapped_headers == ["Notes"]


def test_ragged_rows_unquoted_comma_rejected_rest_read(tmp_path: Path) -> None:
    text = ("Claim #,CPT,Paid,CARC\nR1,96369,$1,234.50,119\nR2,96369,0,119\n"
            "R3,96369\n")
    lines, rejected, report = read_spreadsheet(write(tmp_path / "ragged.csv", text))
    assert lines["claim_id"].tolist() == ["R2", "R3"]
    assert lines["source_row"].tolist() == [3, 4]
    assert rejected["source_row"].tolist() == [2]
    assert "unquoted comma" in rejected["reason"][0]
    assert report.rows_read == 3


def test_blank_rows_skipped_total_rows_rejected(tmp_path: Path) -> None:
    text = ("Claim #,CPT,Paid,CARC\nB1,96369,0,119\n,,,\n\n   ,  ,,\nB2,96369,0,119\n"
            "Grand Total,,0,\nTOTALS:,,0,\n")
    lines, rejected, report = read_spreadsheet(write(tmp_path / "blank.csv", text))
    assert lines["source_row"].tolist() == [2, 6]
    assert rejected["source_row"].tolist() == [7, 8]
    assert rejected["value"].tolist() == ["Grand Total", "TOTALS:"]
    assert rejected["reason"].str.startswith("a total row").all()
    assert rejected["code"].eq("total-row").all()
    assert report.rows_read == 4


def test_row_rejections_with_reasons_and_row_numbers(tmp_path: Path) -> None:
    text = (
        "Claim #,CPT,Rev Code,DOS,Units,Paid,CARC\n"
        "G1,96369,,03/05/2026,1,0,119\n"  # 2 good
        ",96369,,03/05/2026,1,0,119\n"  # 3 claim id blank
        "G2,,,03/05/2026,1,0,119\n"  # 4 no procedure, no revenue code
        "G3,,450,03/05/2026,1,0,119\n"  # 5 revenue code only: fine
        "G4,96369,,02/30/2026,1,0,119\n"  # 6 impossible date
        "G5,96369,,03/05/2026,1,ten dollars,119\n"  # 7 money
        "G6,96369,,03/05/2026,-1,0,119\n"  # 8 negative units
        "G7,96369,,03/05/2026,1.5,0,119\n"  # 9 fractional units
        "G8,96369,,03/05/2026,two,0,119\n"  # 10 text units
        ",,,02/30/2026,x,?,\n"  # 11 several problems at once
        "G9,96369,,03/05/2026,3.0,0,119\n"  # 12 good
    )
    lines, rejected, report = read_spreadsheet(write(tmp_path / "bad.csv", text))
    assert lines["source_row"].tolist() == [2, 5, 12]
    assert lines["revenue_code"].tolist() == ["", "0450", ""]
    got = {row: (col, val, reason) for row, col, val, reason in
           zip(rejected["source_row"], rejected["column"], rejected["value"],
               rejected["reason"], strict=True)}
    assert sorted(got) == [3, 4, 6, 7, 8, 9, 10, 11]
    assert got[3][0] == "Claim #" and "claim id is blank" in got[3][2]
    assert got[4][0] == "CPT" and "no procedure code" in got[4][2]
    assert got[6][:2] == ("DOS", "02/30/2026") and "not a valid date" in got[6][2]
    assert got[7][:2] == ("Paid", "ten dollars") and "not an amount" in got[7][2]
    for row, value in ((8, "-1"), (9, "1.5"), (10, "two")):
        assert got[row][:2] == ("Units", value)
        assert "whole number" in got[row][2]
    assert got[11][2].count(";") >= 4  # every problem of the row is named
    codes = dict(zip(rejected["source_row"], rejected["code"], strict=True))
    assert codes == {3: "blank-claim-id", 4: "no-procedure-code", 6: "bad-date",
                     7: "bad-amount", 8: "bad-units", 9: "bad-units", 10: "bad-units",
                     11: "bad-amount;bad-units;bad-date;blank-claim-id;no-procedure-code"}
    assert set(";".join(codes.values()).split(";")) <= set(REJECT_CODES)
    assert report.rows_read == 11 == len(lines) + len(rejected)
    assert rejected["source_file"].eq(str(tmp_path / "bad.csv")).all()


def test_group_column_combined_with_bare_carcs(tmp_path: Path) -> None:
    text = ("Claim #,CPT,Group Code,Reason Code,Adj Amt,Remark Codes\n"
            "C1,96371,CO,119,$125.00,N362\n"
            "C2,96371,Contractual Obligation,119,,\n"
            "C3,96371,PR,1 2,10,\n"
            "C4,96371,,119,5,\n"
            "C5,96371,ZZ,119,5,\n")
    lines, _, report = read_spreadsheet(write(tmp_path / "grp.csv", text))
    assert lines["adjustments"].tolist() == ["CO-119:125.00", "CO-119:", "PR-1:;PR-2:", "", ""]
    assert lines["carcs"].tolist() == ["119", "119", "1;2", "119", "119"]
    assert lines["rarcs"].tolist() == ["N362", "", "", "", ""]
    assert any("'Group Code'" in w and "'ZZ'" in w for w in report.warnings)


def test_wide_export_melted_into_lists(tmp_path: Path) -> None:
    text = (
        "Claim #,CPT,Mod1,Mod2,Mod3,Mod4,adj_1_group,adj_1_code,adj_1_amt,"
        "adj_2_group,adj_2_code,adj_2_amt,CARC 3,RARC 1,RARC 2\n"
        "W1,96371,JB,KX,,,CO,119,100,PR,2,5.5,B15,N362,M80\n"
        "W2,J1561,25,,,,OA,23,,,,,,,\n"
    )
    lines, _, report = read_spreadsheet(write(tmp_path / "wide.csv", text))
    assert lines["modifiers"].tolist() == ["JB;KX", "25"]
    assert lines["carcs"].tolist() == ["119;2;B15", "23"]
    assert lines["rarcs"].tolist() == ["N362;M80", ""]
    assert lines["adjustments"].tolist() == ["CO-119:100.00;PR-2:5.50", "OA-23:"]
    assert report.mapping["carcs_1"] == "adj_1_code"
    assert report.mapping["group_code_2"] == "adj_2_group"
    assert report.mapping["rarcs_2"] == "RARC 2"


def test_modifiers_in_the_code_cell_and_unrecognised_codes(tmp_path: Path) -> None:
    text = "Claim #,CPT,Mod,CARC\nK1,J1561-KX,JB,K01 119\nK2,96369,JBKX,K01\n"
    lines, _, report = read_spreadsheet(write(tmp_path / "k.csv", text))
    assert lines["procedure_code"].tolist() == ["J1561", "96369"]
    assert lines["modifiers"].tolist() == ["KX;JB", "JBKX"]
    assert lines["carcs"].tolist() == ["119", ""]
    assert report.unrecognised_codes == {"K01": 2}
    assert any("not 2 characters" in w for w in report.warnings)


def test_chart_fact_columns(tmp_path: Path) -> None:
    text = ("Claim #,CPT,CARC,Infusion Start,End Time,# Sites,Route,Drug,Clinical Justification,"
            "Chart Ref,NDC,Date of Birth,Claim Status\n"
            "F1,96369,119,9:05 AM,1310,2,SubQ,Hizentra,needs two sites,CH-1,44206-0451-04,"
            "07/04/45,Denied\n"
            "F2,96369,119,soon,,two,by mouth,,,,,,Pending\n")
    lines, rejected, report = read_spreadsheet(write(tmp_path / "chart.csv", text))
    assert rejected.empty
    assert lines["infusion_start"].tolist() == ["09:05", ""]
    assert lines["infusion_stop"].tolist() == ["13:10", ""]
    assert nan_to_none(lines["sites"]) == [2.0, None]
    assert lines["admin_route"].tolist() == ["SC", ""]
    assert lines["product"].tolist() == ["Hizentra", ""]
    assert lines["justification"].tolist()[0] == "needs two sites"
    assert lines["chart_reference"].tolist()[0] == "CH-1"
    assert lines["ndc"].tolist()[0] == "44206-0451-04"
    assert lines["patient_dob"].tolist()[0] == D("1945-07-04")
    assert lines["claim_status"].tolist() == ["4", ""]
    warned = " | ".join(report.warnings)
    for header in ("'Infusion Start'", "'# Sites'", "'Route'", "'Claim Status'"):
        assert header in warned
    assert "rows 3" in warned


def nan_to_none(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series]


def test_missing_dos_is_allowed_with_warning(tmp_path: Path) -> None:
    lines, _, report = read_spreadsheet(write(tmp_path / "nodos.csv", "Claim #,CPT,Paid\nZ,1,0\n"))
    assert lines["service_date"].isna().all()
    assert any("no date-of-service column" in w for w in report.warnings)


def test_excel_scientific_notation_ids_warned(tmp_path: Path) -> None:
    text = "Claim #,CPT,CARC\n1.23457E+12,96369,119\n"
    _, _, report = read_spreadsheet(write(tmp_path / "sci.csv", text))
    assert any("scientific notation" in w for w in report.warnings)


def test_repeated_header_rows_rejected(tmp_path: Path) -> None:
    text = "Claim #,CPT,CARC\nH1,96369,119\nClaim #,CPT,CARC\nH2,96369,119\n"
    lines, rejected, _ = read_spreadsheet(write(tmp_path / "rep.csv", text))
    assert lines["claim_id"].tolist() == ["H1", "H2"]
    assert rejected["source_row"].tolist() == [3]
    assert "repeated header" in rejected["reason"][0]


def test_nul_bytes_removed_and_big_cells(tmp_path: Path) -> None:
    big = "x" * 1_000_000
    path = tmp_path / "nul.csv"
    path.write_bytes(f"Claim #,CPT,CARC,Notes\nN\x001,96369,119,{big}\nN2,96369,119,a\n".encode())
    lines, _, report = read_spreadsheet(path)
    assert lines["claim_id"].tolist() == ["N1", "N2"]
    assert any("NUL" in w for w in report.warnings)


# --- overrides and missing columns --------------------------------------------------


def test_columns_override(tmp_path: Path) -> None:
    text = "Our Ref,Svc Thing,Why Not Paid\nO1,96369,CO-119\n"
    path = write(tmp_path / "odd.csv", text)
    with pytest.raises(InputFileError):
        read_spreadsheet(path)
    lines, _, report = read_spreadsheet(
        path, columns={"claim_id": "Our Ref", "procedure_code": "svc thing",
                       "carcs": "Why Not Paid"})
    assert lines["claim_id"].tolist() == ["O1"]
    assert lines["carcs"].tolist() == ["119"]
    assert report.mapping == {"claim_id": "Our Ref", "procedure_code": "Svc Thing",
                                 "carcs": "Why Not Paid"}


def test_columns_override_errors(tmp_path: Path) -> None:
    path = write(tmp_path / "o.csv", "Claim #,CPT,CARC\nA,96369,119\n")
    with pytest.raises(ConfigError) as err:
        read_spreadsheet(path, columns={"clam_id": "Claim #"})
    assert "'clam_id'" in str(err.value) and "claim_id" in str(err.value)
    with pytest.raises(ConfigError) as err:
        read_spreadsheet(path, columns={"claim_id": "Claim Numbr"})
    text = str(err.value)
    assert text.startswith(str(path))
    assert "'Claim Numbr'" in text and "'Claim #'" in text and "'CPT'" in text


def test_missing_required_columns_message(tmp_path: Path) -> None:
    path = write(tmp_path / "missing.csv", "Title\nClaim Ident,CPT,DOS,Adj Reason\nA,1,2,3\n")
    with pytest.raises(InputFileError) as err:
        read_spreadsheet(path)
    text = str(err.value)
    assert text.startswith(f"{path}, row 2: required columns not found: claim id")
    assert "closest: 'Claim Ident'" in text
    assert "Headers found: 'Claim Ident', 'CPT', 'DOS', 'Adj Reason'" in text
    assert "Fix: " in text


# --- fatal file problems -------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found"):
        read_spreadsheet(tmp_path / "nope.csv")


@pytest.mark.parametrize("content", [b"", b"   \r\n\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match="empty"):
        read_spreadsheet(path)


def test_header_only_gives_zero_lines(tmp_path: Path) -> None:
    lines, rejected, report = read_spreadsheet(write(tmp_path / "h.csv", "Claim #,CPT,CARC\n"))
    assert len(lines) == 0 and len(rejected) == 0 and report.rows_read == 0
    check_frame_contract(lines, rejected, report)


def test_binary_junk(tmp_path: Path) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes(bytes(np.random.default_rng(7).integers(0, 256, 4000, dtype=np.uint8)))
    with pytest.raises(InputFileError, match="binary data"):
        read_spreadsheet(path)


def test_pdf_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    with pytest.raises(InputFileError, match="a PDF document"):
        read_spreadsheet(path)


def test_no_header_row(tmp_path: Path) -> None:
    path = write(tmp_path / "nohdr.csv", "hello,world\n1,2\n")
    with pytest.raises(InputFileError) as err:
        read_spreadsheet(path)
    assert "no header row found" in str(err.value) and "'hello'" not in str(err.value)
    assert "first row with text: 'hello', 'world'" in err.value.describe(verbose=True)


# --- Excel ---------------------------------------------------------------------------


def make_workbook(path: Path) -> Path:
    """A Notes sheet first, then the denial table below a merged title and a blank row."""
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Notes"
    notes["A1"] = "Exported from a practice-management system"
    ws = wb.create_sheet("Denials")
    ws["A1"] = "Denial Detail Report"
    ws.merge_cells("A1:F1")
    ws["A2"] = "Practice: Test Infusion Clinic"
    ws.append([])
    ws.append(["Patient Acct", "Patient Name", "DOS", "CPT", "Mod", "Units", "Billed", "Paid",
               "Group Code", "Reason Code", "Adj Amt", "Remark", "POS", "Start Time",
               "Stop Time", "Route", "Rev Code", "Claim Status", "Check Date"])
    ws.append(["1001", "Testpatient, Alpha", dt.datetime(2026, 3, 5), 96369, "JB KX", 1,
               "150.00", 0, "CO", 119, 150, "N362", 11, dt.time(9, 5), "11:10 AM", "SubQ",
               450, "Denied", dt.date(2026, 4, 1)])
    ws.append([1002, "Testpatient, Beta", 46086, "J1561", None, 3.0, 200.5, "(12.00)",
               "Contractual Obligation", "97", "12", "", 11.0, 0.5, "1300", "IV", None, 4,
               "04/01/2026"])
    ws.append(["1003", "Testpatient, Gamma", "3/5/2026", "0450", 25, 2, 1, 1, "CO", 45.0,
               None, None, "012", None, None, None, None, "Paid", 46113])
    ws.append(["1004", "Testpatient, Delta", "#N/A", "96371", None, 2, 1, 1, "CO", "45"])
    ws.append(["1005", "Testpatient, Eps", "03/05/2026", "96371", None, "#REF!", 1, 1])
    ws.append(["Grand Total", None, None, None, None, None, 351.5])
    wb.save(path)
    return path


def test_xlsx_title_rows_sheets_numbers_dates(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "export.xlsx")
    lines, rejected, report = read_spreadsheet(path)
    check_frame_contract(lines, rejected, report)
    assert report.format == "xlsx" and report.sheet == "Denials"
    assert report.header_row == 4 and report.rows_read == 6
    assert lines["source_sheet"].eq("Denials").all()
    assert lines["source_row"].tolist() == [5, 6, 7]
    assert lines["claim_id"].tolist() == ["1001", "1002", "1003"]
    assert lines["service_date"].tolist() == [D("2026-03-05")] * 3
    assert lines["remit_date"].tolist() == [D("2026-04-01")] * 3
    assert lines["procedure_code"].tolist() == ["96369", "J1561", "0450"]
    assert lines["modifiers"].tolist() == ["JB;KX", "", "25"]
    assert lines["units"].tolist() == [1.0, 3.0, 2.0]
    assert lines["billed_amount"].tolist() == [150.0, 200.5, 1.0]
    assert lines["paid_amount"].tolist() == [0.0, -12.0, 1.0]
    assert lines["carcs"].tolist() == ["119", "97", "45"]
    assert lines["rarcs"].tolist() == ["N362", "", ""]
    assert lines["adjustments"].tolist() == ["CO-119:150.00", "CO-97:12.00", "CO-45:"]
    assert lines["place_of_service"].tolist() == ["11", "11", "12"]
    assert lines["infusion_start"].tolist() == ["09:05", "12:00", ""]
    assert lines["infusion_stop"].tolist() == ["11:10", "13:00", ""]
    assert lines["admin_route"].tolist() == ["SC", "IV", ""]
    assert lines["revenue_code"].tolist() == ["0450", "", ""]
    assert lines["claim_status"].tolist() == ["4", "4", "1"]
    got = dict(zip(rejected["source_row"], zip(rejected["column"], rejected["value"],
                                                 rejected["reason"], strict=True), strict=True))
    assert sorted(got) == [8, 9, 10]
    assert got[8][:2] == ("DOS", "#N/A") and "Excel error" in got[8][2]
    assert got[9][:2] == ("Units", "#REF!") and "Excel error" in got[9][2]
    assert got[10][1] == "Grand Total" and got[10][2].startswith("a total row")


def test_xlsx_named_sheet_and_unknown_sheet(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "export.xlsx")
    lines, _, report = read_spreadsheet(path, sheet="denials")
    assert report.sheet == "Denials" and len(lines) == 3
    with pytest.raises(InputFileError) as err:
        read_spreadsheet(path, sheet="Sheet9")
    assert "no sheet named 'Sheet9'" in str(err.value)
    assert "'Notes', 'Denials'" in str(err.value)
    with pytest.raises(InputFileError, match="no header row found"):
        read_spreadsheet(path, sheet="Notes")


def test_xlsxwriter_number_cells_serials_and_leading_blank_rows(tmp_path: Path) -> None:
    path = tmp_path / "xw.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Export")
    datef = wb.add_format({"num_format": "mm/dd/yyyy"})
    # rows 1-2 and column A are empty: row numbers must still be Excel's
    ws.write_row(2, 1, ["Claim ID Payer", "Claim ID", "CPT", "DOS", "DOS To", "Units", "Paid",
                        "CARC", "POS"])
    ws.write_row(3, 1, ["ICN-77", "C-1", 96369.0])
    ws.write_datetime(3, 4, dt.datetime(2026, 3, 5), datef)
    ws.write_number(3, 5, 46086)
    ws.write_row(3, 6, [2.0, 0, 119, 11])
    ws.write_row(5, 1, ["ICN-78", "C-2", "96371", "2026-03-05", "", 1, "$0.00", "CO-119/N362",
                        "11.0"])
    wb.close()
    lines, _, report = read_spreadsheet(path)
    assert report.header_row == 3
    assert lines["source_row"].tolist() == [4, 6]
    assert lines["payer_claim_number"].tolist() == ["ICN-77", "ICN-78"]
    assert lines["claim_id"].tolist() == ["C-1", "C-2"]
    assert lines["procedure_code"].tolist() == ["96369", "96371"]
    assert lines["service_date"].tolist() == [D("2026-03-05")] * 2
    assert nan_to_none(lines["service_date_to"]) == [D("2026-03-05"), None]
    assert lines["carcs"].tolist() == ["119", "119"]
    assert lines["place_of_service"].tolist() == ["11", "11"]


def test_xlsx_that_is_really_csv_and_reverse(tmp_path: Path) -> None:
    fake = write(tmp_path / "really.xlsx", "Claim #,CPT,CARC\nQ1,96369,119\n")
    lines, _, report = read_spreadsheet(fake)
    assert report.format == "csv" and lines["claim_id"].tolist() == ["Q1"]
    assert any("named .xlsx" in w for w in report.warnings)
    real = make_workbook(tmp_path / "really.csv")
    lines, _, report = read_spreadsheet(real)
    assert report.format == "xlsx" and len(lines) == 3


def test_corrupt_and_truncated_xlsx(tmp_path: Path) -> None:
    good = make_workbook(tmp_path / "good.xlsx").read_bytes()
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good[: len(good) // 2])
    with pytest.raises(InputFileError, match="corrupt or truncated"):
        read_spreadsheet(truncated)
    garbled = tmp_path / "garbled.xlsx"
    with zipfile.ZipFile(garbled, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "this is not xml")
    with pytest.raises(InputFileError, match="cannot read the workbook") as err:
        read_spreadsheet(garbled)
    assert "save it again" in str(err.value)


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "docs.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(InputFileError, match="not an Excel workbook"):
        read_spreadsheet(path)


def test_zip_bomb_refused_by_inflated_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zip_limits, "MIN_BOMB_BYTES", 1024 * 1024)
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 1024 * 1024))
    with pytest.raises(InputFileError, match="refused as unsafe"):
        read_spreadsheet(path)


def test_password_protected_workbook(tmp_path: Path) -> None:
    # An encrypted .xlsx is an OLE2 compound file holding an "EncryptedPackage" stream.
    path = tmp_path / "locked.xlsx"
    path.write_bytes(sheetio.OLE2_MAGIC + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le")
                     + b"\0" * 1024)
    with pytest.raises(InputFileError) as err:
        read_spreadsheet(path)
    assert "password-protected" in str(err.value)
    assert "remove the password in Excel" in str(err.value)


def test_broken_xls(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(sheetio.OLE2_MAGIC + b"\0" * 2000)
    with pytest.raises(InputFileError, match="cannot read the workbook"):
        read_spreadsheet(path)


def test_workbook_without_usable_sheet(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.create_sheet("Sheet2")
    wb.save(path)
    with pytest.raises(InputFileError, match="no data"):
        read_spreadsheet(path)
    wb = openpyxl.Workbook()
    wb.active["A1"] = "just some words"
    wb.save(path)
    with pytest.raises(InputFileError) as err:
        read_spreadsheet(path)
    assert "no sheet holds a recognisable denial table" in str(err.value)
    assert "--sheet" in str(err.value)


def test_duplicate_and_blank_headers_in_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "dup.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Claim #", "CPT", "Remark", "Remark", None, "Paid", "Paid"])
    ws.append(["D1", "96369", "N362", "M80", "stray", "0", "5"])
    wb.save(path)
    lines, _, report = read_spreadsheet(path)
    assert lines["rarcs"].tolist() == ["N362;M80"]
    assert lines["paid_amount"].tolist() == [0.0]
    assert any("'Paid' also looks like paid_amount" in w for w in report.warnings)


# --- properties ----------------------------------------------------------------------

HEADERS = ["Claim #", "CPT", "DOS", "Units", "Paid", "Adj Reason", "Remark", "Mod", "POS"]
cell = st.one_of(
    st.sampled_from(["", "A1", "96369", "J1561", "03/05/2026", "02/30/2026", "3", "-1", "1.5",
                     "$1,234.50", "(12.00)", "CO-119/N362", "Total", "JB KX", "11.0", "#N/A",
                     "Claim #", "   "]),
    st.text(alphabet=st.sampled_from('aZ09 -/$.,;|"\n\t#()é'), max_size=12),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cell, min_size=9, max_size=9), max_size=12))
def test_random_tables_never_raise_and_account_for_every_row(
    tmp_path: Path, table: list[list[str]]
) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(table)
    path = tmp_path / "random.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    try:
        lines, rejected, report = read_spreadsheet(path)
    except AppealsError:
        return
    check_frame_contract(lines, rejected, report)
    nonblank = sum(1 for row in table if any(c.strip() for c in row))
    assert report.rows_read == nonblank
    assert (lines["claim_id"] != "").all()
