"""Every kind of bad input a biller's system can produce, through the real command line.

Each case runs ``appeals classify FILE --csv -`` twice: in-process through click's CliRunner
and as ``python -m appeals`` in a subprocess. The answer is always one of two:

- exit 0: the rows that can be read are read, the rest are listed as rejected with their row
  numbers, and lines + rejected = the data rows of the file;
- exit 1: one line on stderr, naming the file (sheet, row, column where they apply) and what
  to do.

Never a traceback, never "unexpected" (an uncaught exception from outside the project).
"""

from __future__ import annotations

import csv
import io
import os
import random
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from appeals.cli import main
from appeals.readers import sheets as sheetio

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_835 = ROOT / "samples" / "remit_scig.835"

HEADER = "Claim #,Patient Name,Member ID,DOS,CPT,Units,Paid,Adj Reason\n"


def row(claim: str = "B1", *, name: str = "Testpatient, Alpha", member: str = "ZZ0000001",
        dos: str = "03/05/2026", cpt: str = "96371", units: str = "3", paid: str = "0",
        carc: str = "CO-119") -> str:
    return f'{claim},"{name}",{member},{dos},{cpt},{units},{paid},{carc}\n'


# --- builders: each writes one file into a folder and returns its path -------------------


def text_file(name: str, text: str | bytes, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
        return path

    return build


def workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Denials"
    ws.append(["Claim #", "Patient Name", "DOS", "CPT", "Units", "Paid", "Adj Reason"])
    ws.append(["X1", "Testpatient, Alpha", "03/05/2026", "96369", 1, 0, "CO-119"])
    ws.append(["X1", "Testpatient, Alpha", "03/05/2026", "96371", 3, 0, "CO-119"])
    wb.save(path)
    return path


def truncated_xlsx(folder: Path) -> Path:
    good = workbook(folder / "whole.xlsx").read_bytes()
    path = folder / "truncated.xlsx"
    path.write_bytes(good[: len(good) // 2])
    return path


def garbled_xlsx(folder: Path) -> Path:
    path = folder / "garbled.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "this is not xml")
    return path


def encrypted_xlsx(folder: Path) -> Path:
    """What Excel writes for a password-protected .xlsx: an OLE2 compound file (not a zip)
    whose directory holds the EncryptionInfo and EncryptedPackage streams."""
    sector = 512

    def entry(name: str, kind: int, *, child: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF,
              start: int = 0, size: int = 0) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", 0xFFFFFFFF, right, child) + b"\0" * 36
                + struct.pack("<IQ", start, size))

    directory = (entry("Root Entry", 5, child=1, start=0xFFFFFFFE)
                 + entry("EncryptionInfo", 2, right=2, start=2, size=sector)
                 + entry("EncryptedPackage", 2, start=3, size=sector)).ljust(sector, b"\0")
    fat = struct.pack("<4I", 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFE, 0xFFFFFFFE).ljust(sector, b"\xff")
    header = (sheetio.OLE2_MAGIC + b"\0" * 16 + struct.pack("<5H", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<9I", 0, 1, 1, 0, 0x1000, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
              + struct.pack("<I", 0)).ljust(sector, b"\xff")
    path = folder / "locked.xlsx"
    path.write_bytes(header + fat + directory + b"\x04\x00\x04\x00".ljust(sector, b"\0")
                     + random.Random(1).randbytes(sector))
    return path


def blank_workbook(folder: Path) -> Path:
    path = folder / "blank.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.create_sheet("Sheet2")
    wb.save(path)
    return path


def notes_workbook(folder: Path) -> Path:
    path = folder / "notes.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active["A1"] = "Exported from the billing system"
    wb.create_sheet("Other")["B2"] = "nothing here"
    wb.save(path)
    return path


def merged_headers(folder: Path) -> Path:
    """'Claim #' merged over A1:B1 (B1 reads blank); a claim id merged down over two rows."""
    path = folder / "merged.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Denials"
    ws.append(["Claim #", None, "CPT", "Units", "Adj Reason", "DOS"])
    ws.merge_cells("A1:B1")
    ws.append(["M1", "stray", "96371", 3, "CO-119", "03/05/2026"])
    ws.append(["M2", None, "96369", 1, "CO-119", "03/05/2026"])
    ws.append(["M3", None, "96369", 1, "CO-119", "03/05/2026"])
    ws.append([None, None, "96371", 3, "CO-119", "03/05/2026"])
    ws.merge_cells("A4:A5")
    wb.save(path)
    return path


def formulas_and_errors(folder: Path) -> Path:
    path = folder / "formulas.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Denials")
    ws.write_row(0, 0, ["Claim #", "CPT", "Units", "Paid", "Adj Reason", "DOS"])
    ws.write_row(1, 0, ["F1", "96369"])
    ws.write_formula(1, 2, "=1+0", None, 1)
    ws.write_formula(1, 3, "=0*1", None, 0)
    ws.write_row(1, 4, ["CO-119", "03/05/2026"])
    ws.write_row(2, 0, ["F2", "96371"])
    ws.write_formula(2, 2, "=NA()", None, "#N/A")
    ws.write_row(2, 3, [0, "CO-119", "03/05/2026"])
    ws.write_row(3, 0, ["F3", "96371", 2])
    ws.write_formula(3, 3, "=#REF!+1", None, "#REF!")
    ws.write_row(3, 4, ["CO-119", "03/05/2026"])
    ws.write_row(4, 0, ["F4", "96371"])
    ws.write_formula(4, 2, '=HYPERLINK("http://example.invalid","3")', None, "3")
    ws.write_row(4, 3, [0, "CO-119", "03/05/2026"])
    book.close()
    return path


def big_cell(folder: Path) -> Path:
    path = folder / "big.csv"
    header = HEADER.rstrip("\n") + ",Notes\n"
    path.write_text(header + row().rstrip("\n") + "," + "x" * 1_000_000 + "\n"
                    + row("B2").rstrip("\n") + ",short\n", encoding="utf-8")
    return path


def zip_bomb(folder: Path) -> Path:
    """A real deflated part declaring 80 MB (ratio ~1000x): refused by its declared size
    before anything is inflated."""
    path = folder / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(80):
                part.write(chunk)
    return path


def truncated_835(folder: Path) -> Path:
    data = SAMPLE_835.read_bytes()
    path = folder / "truncated.835"
    path.write_bytes(data[: data.index(b"CLP*SCIG-1006")])  # cut just before a claim
    return path


def cut_mid_segment_835(folder: Path) -> Path:
    data = SAMPLE_835.read_bytes()
    path = folder / "cut.835"
    path.write_bytes(data[: data.index(b"CLP*SCIG-1003") + 9])  # "CLP*SCIG-" then EOF
    return path


def isa_only_835(folder: Path) -> Path:
    path = folder / "isa_only.835"
    path.write_bytes(SAMPLE_835.read_bytes()[:106])
    return path


# --- the table -----------------------------------------------------------------------


@dataclass
class Case:
    build: Callable[[Path], Path]
    exit: int
    message: str = ""  # exit 1: the exact stderr line, {file} is the path
    lines: int = 0  # exit 0: lines classified
    rejected: dict[int, str] = field(default_factory=dict)  # row -> text of its message
    warning: str = ""  # exit 0: a warning that must be shown


EXPORT_FIX = "Fix: export the report from your billing system as CSV or Excel (.xlsx)"
NO_HEADER = ("no header row found in the first 30 rows (looked for headers such as 'Claim #', "
             "'CPT', 'DOS', 'Adj Reason') (cells not shown: they may hold patient data; "
             "--verbose shows them). Fix: check this is the denial export, or map columns with "
             "--columns FIELD=HEADER")
UNITS = "units must be a whole number, 0 or more (e.g. 3); fix the units in the export"
BAD_DATE = ("not a valid date (the day does not exist or the text is not a date); write it as "
            "MM/DD/YYYY")
EXCEL_ERROR = "the cell shows an Excel error; fix the formula or type the value"

CASES: dict[str, Case] = {
    "empty file": Case(text_file("empty.csv", b""), 1,
                       f"{{file}}: the file is empty. {EXPORT_FIX}"),
    "blank lines only": Case(text_file("blank.csv", b"  \r\n\n\t\n"), 1,
                             f"{{file}}: the file is empty. {EXPORT_FIX}"),
    "header only": Case(text_file("header_only.csv", HEADER), 0, lines=0),
    "binary junk": Case(text_file("junk.csv", random.Random(7).randbytes(4000)), 1,
                        f"{{file}}: binary data, not a spreadsheet or delimited text. {EXPORT_FIX}"),
    "a PDF named .csv": Case(text_file("report.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), 1,
                             f"{{file}}: this is a PDF document, not a spreadsheet. {EXPORT_FIX}"),
    ".xlsx that is really CSV": Case(text_file("really_csv.xlsx", HEADER + row()), 0, lines=1,
                                     warning="the file is named .xlsx but holds delimited text"),
    ".csv that is really xlsx": Case(lambda d: workbook(d / "really_xlsx.csv"), 0, lines=2),
    "truncated xlsx": Case(truncated_xlsx, 1,
                           "{file}: the workbook is corrupt or truncated (not a readable .xlsx). "
                           "Fix: open it in Excel and save it again, or export it again"),
    "corrupt xlsx": Case(garbled_xlsx, 1,
                         "{file}: cannot read the workbook; it is damaged or not really xlsx "
                         "(Xlsx error: File not found '_rels/.rels'). Fix: open it in Excel and "
                         "save it again as .xlsx"),
    "password-protected xlsx": Case(encrypted_xlsx, 1,
                                    "{file}: the workbook is password-protected (encrypted). Fix: "
                                    "remove the password in Excel (File > Info > Protect Workbook) "
                                    "and save again"),
    "workbook with empty sheets": Case(blank_workbook, 1,
                                       "{file}: the workbook has no data (sheets: Sheet1, Sheet2). "
                                       f"{EXPORT_FIX}"),
    "workbook with no usable sheet": Case(
        notes_workbook, 1,
        "{file}: no sheet holds a recognisable denial table (sheets: 'Notes', 'Other'; no row "
        "with headers such as 'Claim #', 'CPT', 'Adj Reason' in the first 30 rows). Fix: name "
        "the sheet with --sheet and map columns with --columns FIELD=HEADER"),
    "no header found": Case(text_file("no_header.csv", row() + row("B2")), 1,
                            f"{{file}}: {NO_HEADER}"),
    "required column missing": Case(
        text_file("no_claim.csv", "Ticket,CPT,Adj Reason\nT1,96369,CO-119\n"), 1,
        "{file}, row 1: required columns not found: claim id (e.g. 'Claim #', 'Patient Acct') "
        "(closest: 'Ticket'). "
        "Headers found: 'Ticket', 'CPT', 'Adj Reason'. Fix: rename the column, or map it by "
        "hand, e.g. --columns claim_id=\"Your Header\""),
    "duplicate and blank headers": Case(
        text_file("dup.csv", "Claim #,CPT,CPT,Paid,,Adj Reason,Claim #,DOS\n"
                             "D1,96369,96371,0,stray,CO-119,D9,03/05/2026\n"
                             "D2,96371,,0,,CO-119,,03/05/2026\n"), 0, lines=2,
        warning="column 'Claim #' also looks like claim_id; using 'Claim #' and ignoring it"),
    "merged header and claim cells": Case(merged_headers, 0, lines=3,
                                          rejected={5: "column 'Claim #': the claim id is blank"}),
    "formulas and error cells": Case(
        formulas_and_errors, 0, lines=2,
        rejected={3: f"column 'Units' (value '#N/A'): {EXCEL_ERROR}",
                  4: f"column 'Paid' (value '#REF!'): {EXCEL_ERROR}"}),
    "NUL bytes": Case(text_file("nul.csv", HEADER + row("N\x001") + row("N2\x00")), 0, lines=2,
                      warning="the file contains NUL bytes; they were removed"),
    "a 1 MB cell": Case(big_cell, 0, lines=2),
    "Windows-1252": Case(text_file("cp1252.csv", HEADER + row(name="Peña-Test, Rosa"), "cp1252"),
                         0, lines=1),
    "UTF-16": Case(text_file("utf16.csv", HEADER + row(name="Peña-Test, Rosa"), "utf-16"), 0,
                   lines=1),
    "mixed UTF-8 and Windows-1252": Case(
        text_file("mixed.csv", HEADER.encode() + row(name="Peña-Test, Rosa").encode("cp1252")
                  + row("B2", name="Peña-Test, Luz").encode()), 0, lines=2,
        warning="the file mixes UTF-8 and Windows-1252 text; each line was read in its own"),
    "two-digit years": Case(text_file("yy.csv", HEADER + row(dos="03/05/26") + row("B2", dos="3/5/99")),
                            0, lines=2),
    "impossible dates": Case(
        text_file("dates.csv", HEADER + row(dos="02/30/2026") + row("B2", dos="13/01/2026")
                  + row("B3", dos="yesterday") + row("B4")), 0, lines=1,
        rejected={2: f"column 'DOS' (value '02/30/2026'): {BAD_DATE}",
                  3: f"column 'DOS' (value '13/01/2026'): {BAD_DATE}",
                  4: f"column 'DOS' (value 'yesterday'): {BAD_DATE}"}),
    "negative, fractional and text units": Case(
        text_file("units.csv", HEADER + row(units="-1") + row("B2", units="1.5")
                  + row("B3", units="three") + row("B4", units="2")), 0, lines=1,
        rejected={2: f"column 'Units' (value '-1'): {UNITS}",
                  3: f"column 'Units' (value '1.5'): {UNITS}",
                  4: f"column 'Units' (value 'three'): {UNITS}"}),
    "unknown, lower-case and padded codes": Case(
        text_file("codes.csv", HEADER + row(cpt=" j1561 ", carc=" co-119 ")
                  + row("B2", cpt="96369", carc="ZZ99") + row("B3", cpt="abcdefg")), 0, lines=3,
        warning="codes that are neither CARC nor RARC were left out: ZZ99 (1)"),
    "an unquoted comma in a name": Case(
        text_file("unquoted.csv", HEADER + row() + "B2,Testpatient, Beta,ZZ0000002,03/05/2026,"
                  "96371,3,0,CO-119\n"), 0, lines=1,
        rejected={3: "column '(beyond the last column)' (hidden: may hold patient data; "
                     "--verbose shows it): the row has more cells than the header"}),
    "a claim with thousands of lines": Case(
        text_file("many.csv", HEADER + "".join(row(units=str(i % 4)) for i in range(5000))), 0,
        lines=5000),
    "zip bomb disguised as xlsx": Case(
        zip_bomb, 1,
        "{file}: the workbook's part 'xl/worksheets/sheet1.xml' inflates more than 250x (past "
        "64 MB); refused as unsafe. Fix: open it in Excel, check it, and save the denial table "
        "alone"),
    "truncated 835": Case(truncated_835, 0, lines=14,
                          warning="has no SE before end of file; the file may be truncated"),
    "835 cut mid-segment": Case(cut_mid_segment_835, 0, lines=6,
                                warning="in the middle of a segment, which was not read"),
    "835 with only an ISA": Case(
        isa_only_835, 1,
        "{file}: X12 file without any transaction (no ST*835 segment): it may be cut off. Fix: "
        "download the complete 835/ERA file again from the payer or clearinghouse"),
    "garbage after ISA": Case(
        text_file("garbage.835", b"ISA*00*garbage garbage" + bytes(range(256)) * 4), 1,
        "{file}: X12 file without any transaction (no ST*835 segment): it may be cut off. Fix: "
        "download the complete 835/ERA file again from the payer or clearinghouse"),
    "text named .835": Case(
        text_file("notes.835", "this is not a remittance\nat all\n"), 1,
        "{file}: not an X12 835 remittance file (no ISA or ST segment), and no denial table "
        "either (no header row such as 'Claim #', 'CPT', 'Adj Reason') (cells not shown: they "
        "may hold patient data; --verbose shows them). Fix: supply the 835/ERA file as the "
        "payer or clearinghouse sent it (it starts with ISA*), or a CSV/Excel export"),
    "empty .835": Case(text_file("empty.835", b""), 1,
                       "{file}: the file is empty. Fix: export the remittance again as an X12 "
                       "835 (ERA) file"),
    "a folder": Case(lambda d: (d / "folder.csv").mkdir() or d / "folder.csv", 1,
                     "{file}: is a folder, not a file. Fix: name the export files inside it"),
}


@dataclass
class Outcome:
    exit: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for n, (name, case) in enumerate(CASES.items()):
        folder = tmp_path_factory.mktemp(f"case{n}")
        out[name] = case.build(folder)
    return out


def _subprocess(path: Path) -> Outcome:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "appeals", "classify", str(path), "--csv", "-"],
        capture_output=True, text=True, encoding="utf-8", env=env, timeout=300, check=False,
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def subprocess_outcomes(built: dict[str, Path]) -> dict[str, Outcome]:
    """Every case through ``python -m appeals``, a few processes at a time."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(_subprocess, built.values())
        return dict(zip(built, results, strict=True))


def check(case: Case, path: Path, outcome: Outcome) -> None:
    everything = outcome.stdout + outcome.stderr
    assert "Traceback" not in everything
    assert "unexpected" not in everything
    if case.exit == 1:
        assert outcome.exit == 1, everything[:2000]
        assert outcome.stdout == ""
        assert outcome.stderr == "Error: " + case.message.format(file=path) + "\n"
        return
    assert outcome.exit == 0, everything[:2000]
    lines = list(csv.DictReader(io.StringIO(outcome.stdout)))
    assert len(lines) == case.lines
    rows_read = case.lines + len(case.rejected)
    assert (f"{rows_read} rows read: {case.lines} lines classified" in outcome.stderr)
    assert outcome.stderr.count("  rejected ") == len(case.rejected)
    for number, text in case.rejected.items():
        assert f"{path}" in outcome.stderr
        assert f" row {number}, {text}" in outcome.stderr, outcome.stderr
    assert f"), {len(case.rejected)} rejected." in outcome.stderr
    if case.warning:
        assert case.warning in outcome.stderr
    # nothing a table row held about the patient reaches the terminal
    for secret in ("Testpatient", "Peña", "ZZ000000"):
        assert secret not in everything


@pytest.mark.parametrize("name", list(CASES))
def test_cli_runner(name: str, built: dict[str, Path]) -> None:
    path = built[name]
    result = CliRunner().invoke(main, ["classify", str(path), "--csv", "-"])
    check(CASES[name], path, Outcome(result.exit_code, result.stdout, result.stderr))


@pytest.mark.parametrize("name", list(CASES))
def test_subprocess(name: str, built: dict[str, Path],
                    subprocess_outcomes: dict[str, Outcome]) -> None:
    check(CASES[name], built[name], subprocess_outcomes[name])


def test_zip_bomb_is_refused_before_the_reader_inflates_it(
    built: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import fastexcel

    def inflate(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook reader was called on a zip bomb")

    monkeypatch.setattr(fastexcel, "read_excel", inflate)
    result = CliRunner().invoke(main, ["classify", str(built["zip bomb disguised as xlsx"])])
    assert result.exit_code == 1 and "refused as unsafe" in result.stderr


def test_verbose_shows_the_hidden_cells(built: dict[str, Path]) -> None:
    result = CliRunner().invoke(main, ["classify", str(built["no header found"]), "--verbose"])
    assert result.exit_code == 1
    assert "first row with text: 'B1', 'Testpatient, Alpha', 'ZZ0000001'" in result.stderr
    result = CliRunner().invoke(
        main, ["classify", str(built["an unquoted comma in a name"]), "--csv", "-", "-v"])
    assert "column '(beyond the last column)' (value 'CO-119')" in result.stderr


def test_every_case_lands_in_one_of_the_two_answers() -> None:
    for name, case in CASES.items():
        assert (case.exit == 1) == bool(case.message), name
        assert not (case.exit == 1 and (case.lines or case.rejected)), name
