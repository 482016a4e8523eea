"""Issue #12, the rough edges a newcomer hit: each through the command line."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from appeals.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_init_copies_the_payer_rules(tmp_path: Path) -> None:
    result = invoke("init", tmp_path / "office")
    assert result.exit_code == 0, result.output
    copied = (tmp_path / "office" / "payers.csv").read_text(encoding="utf-8")
    assert copied.startswith("payer,display_name,") and "medicare" in copied
    assert "payers.csv" in result.output


def test_init_where_it_cannot_write_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = invoke("init", blocker / "office")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {blocker / 'office'}: cannot write there")
    assert "unexpected" not in result.stderr


def test_today_accepts_the_date_as_messages_write_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("run", SAMPLES / "denials_clearinghouse.csv", "-o", out, "--today",
                    "04/30/2026", "--quiet")
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out / "summary.xlsx")["Work queue"]
    header = [c.value for c in sheet[1]]
    dos = sheet.cell(2, header.index("DOS") + 1)
    assert dos.is_date and dos.number_format == "mm/dd/yyyy"  # dates as an office reads them


def test_a_word_file_renamed_xlsx_is_called_a_word_document(tmp_path: Path) -> None:
    fake = tmp_path / "export.xlsx"
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    result = invoke("classify", fake)
    assert result.exit_code == 1
    assert "a Word document, not an Excel workbook" in result.stderr
    assert "unzip" not in result.stderr


def test_excel_lock_files_are_skipped(tmp_path: Path) -> None:
    lock = tmp_path / "~$denials_practicepro.xlsx"
    lock.write_bytes(b"\x0bTestuser" + b"\0" * 150)
    result = invoke("classify", SAMPLES / "denials_practicepro.xlsx", lock)
    assert result.exit_code == 0, result.output
    assert "skipped ~$denials_practicepro.xlsx: Excel's lock file" in result.stderr


def test_the_dashboard_names_payers_as_people_do(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("run", SAMPLES / "denials_practicepro.xlsx", "-o", out, "--today",
                    "2026-04-30", "--quiet")
    assert result.exit_code == 0, result.output
    cells = [c for row in openpyxl.load_workbook(out / "summary.xlsx")["Dashboard"].iter_rows(
        values_only=True) for c in row if isinstance(c, str)]
    assert "Medicare Part B" in cells
    assert not {"medicare", "uhc", "other"} & set(cells)


def test_units_that_cannot_be_computed_print_no_codes() -> None:
    result = invoke("units", "--start", "09:05", "--stop", "10:50", "--sites", "2.5")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Cannot compute: sites 2.5 must be a whole number")


def test_sources_name_no_internal_seed() -> None:
    for args in (["patterns"], ["units", "--start", "09:05", "--stop", "10:50", "--sites", "2",
                                "--payer", "Medicare"]):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        assert "seed 000" not in result.output


def test_help_examples_name_files_that_ship(tmp_path: Path) -> None:
    import re

    root = SAMPLES.parent
    for command in ("classify", "run", "check", "scrub", "init"):
        text = invoke(command, "--help").output
        examples = text.split("Examples:")[1].split("Options:")[0]
        for line in examples.splitlines():
            if "--ledger" in line:
                continue  # the ledger's own examples name a database the user creates
            for name in re.findall(r"[\w./-]+\.(?:csv|xlsx|835|toml)\b", line):
                if name.startswith(("samples/", "templates/")):
                    assert (root / name).is_file(), (command, name)
                else:
                    assert name in ("out.csv",) or name.startswith("my-office/"), (command, name)


def test_columns_help_lists_the_field_names() -> None:
    text = invoke("classify", "--help").output
    for field in ("claim_id", "procedure_code", "units", "payer_name", "member_id"):
        assert field in text


def _denials(tmp_path: Path, *rows: str) -> Path:
    export = tmp_path / "denials.csv"
    header = "Claim ID,Payer,Service Date,Procedure Code,Units,Billed Amount,Paid Amount,CARC"
    export.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return export


def test_a_file_whose_only_rejection_is_a_total_row_checks_ok(tmp_path: Path) -> None:
    export = _denials(tmp_path, "CLM-1,Aetna,04/06/2026,96369,1,$150.00,$0.00,CO-50",
                      "Total,,,,,$150.00,$0.00,")
    result = invoke("check", export)
    assert result.exit_code == 0, result.output
    assert "Verdict: ok" in result.output
    assert "row 3" in result.output and "a total row" in result.output  # still listed


def test_a_total_row_beside_a_real_rejection_still_fails_the_check(tmp_path: Path) -> None:
    export = _denials(tmp_path, "CLM-1,Aetna,04/06/2026,96369,1,$150.00,$0.00,CO-50",
                      "CLM-2,Aetna,not a date,96369,1,$150.00,$0.00,CO-50",
                      "Total,,,,,$300.00,$0.00,")
    result = invoke("check", export)
    assert result.exit_code == 1, result.output
    assert "Verdict: usable with problems" in result.output


def _unreadable(monkeypatch, target: Path) -> None:
    # as root chmod 000 still reads, so the refusal is simulated where the file is opened
    real_open = Path.open

    def refusing_open(self: Path, *args, **kwargs):
        if self.resolve() == target.resolve():
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing_open)


def test_an_unreadable_input_is_one_line_and_exit_1(tmp_path: Path, monkeypatch) -> None:
    export = tmp_path / "denials.csv"
    export.write_bytes((SAMPLES / "denials_clearinghouse.csv").read_bytes())
    _unreadable(monkeypatch, export)
    result = invoke("classify", export)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"Error: {export}: cannot read the file (Permission denied). Fix: check the file's "
        "permissions, or copy it somewhere you can read it"
    ]
    assert "Traceback" not in result.output


def test_check_reports_an_unreadable_input_and_exits_1(tmp_path: Path, monkeypatch) -> None:
    export = tmp_path / "denials.csv"
    export.write_bytes((SAMPLES / "denials_clearinghouse.csv").read_bytes())
    _unreadable(monkeypatch, export)
    result = invoke("check", export)
    assert result.exit_code == 1, result.output
    assert f"{export}: unreadable" in result.output
    assert "cannot read the file (Permission denied)" in result.output


def test_a_missing_input_is_one_line_and_exit_1_but_a_bad_option_is_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "denials.csv"
    result = invoke("classify", missing)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {missing}: file not found. Fix: check the path"
    usage = invoke("classify", SAMPLES / "denials_clearinghouse.csv", "--no-such-option")
    assert usage.exit_code == 2


def test_init_refused_by_the_disk_is_one_line(tmp_path: Path, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "mkdir", refuse)
    target = tmp_path / "office"
    result = invoke("init", target)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {target}: cannot write there (Permission denied). "
        "Fix: choose a folder you can write to"
    )
