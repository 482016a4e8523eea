"""The infusion log's setting column (the export's service_setting aliases) feeds the lines'
service_setting like its times: a facility POS whose log says "office" gets the POS 11
correction, one whose log says the hospital stays the facility's to bill. Run through the
CLI; the worksheet and the work queue are read back."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
from click.testing import CliRunner

from appeals.cli import main
from appeals.readers.infusion_join import join_infusion_log
from appeals.readers.infusion_log import read_infusion_log
from appeals.readers.loader import load_files

DENIALS = (
    "Claim #,Payer Claim #,Patient Name,Member ID,Payer,DOS,POS,CPT,Modifiers,Units,Charge,"
    "Paid,Group Code,Reason Code,Remark Code,Remit Date{extra}\n"
    'S-1,ICNS1,"Testpatient, Iota",ZZS000951,Novitas Solutions JH,03/02/2026,22,96369,,1,260.00,'
    "0.00,CO,58,,04/10/2026{s1}\n"
    'S-2,ICNS2,"Testpatient, Kappa",ZZS000952,Novitas Solutions JH,03/02/2026,22,96369,,1,260.00,'
    "0.00,CO,58,,04/10/2026{s2}\n"
)
LOG = (
    "Encounter,Date of Service,Site,Start Time,Stop Time,Product,Route,Service Setting\n"
    "S-1,03/02/2026,L abdomen,09:00,09:50,Hizentra,SC,Office\n"
    "S-1,03/02/2026,R abdomen,09:02,09:52,Hizentra,SC,Office\n"
    "S-2,03/02/2026,L abdomen,09:00,09:50,Hizentra,SC,Hospital outpatient department\n"
)


def _files(tmp_path: Path, log: str = LOG, extra: str = "", s1: str = "", s2: str = ""):
    denials = tmp_path / "denials.csv"
    denials.write_text(DENIALS.format(extra=extra, s1=s1, s2=s2), encoding="utf-8")
    log_path = tmp_path / "log.csv"
    log_path.write_text(log, encoding="utf-8")
    return denials, log_path


def _run(tmp_path: Path, denials: Path, log: Path) -> Path:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "run", str(denials), "--infusion-log", str(log), "--today", "2026-04-30", "-o", str(out),
    ])
    assert result.exit_code == 0, result.output
    return out


def _queue(out: Path) -> dict[str, dict[str, object]]:
    rows = list(openpyxl.load_workbook(out / "summary.xlsx")["Work queue"].iter_rows(
        values_only=True))
    header = rows[0]
    return {r[header.index("Claim ID")]: dict(zip(header, r, strict=True)) for r in rows[1:]}


def test_join_carries_the_log_setting_onto_the_lines(tmp_path):
    denials, log = _files(tmp_path)
    lines = load_files([denials]).lines
    assert set(lines["service_setting"]) == {""}
    joined, report = join_infusion_log(lines, read_infusion_log(log))
    setting = dict(zip(joined["claim_id"], joined["service_setting"], strict=True))
    assert setting == {"S-1": "Office", "S-2": "Hospital outpatient department"}
    assert report.problems == []


def test_log_office_gives_the_pos_correction_and_hospital_the_facility(tmp_path):
    out = _run(tmp_path, *_files(tmp_path))
    queue = _queue(out)
    assert queue["S-1"]["Route"] == "reopening"
    assert queue["S-2"]["Route"] == "other_supplier"
    text = "\n".join(p.text for p in docx.Document(str(out / "worksheets" / "S-1.docx")).paragraphs)
    assert "the chart's service setting ('Office') places the infusion in the office" in text
    assert "POS corrected to 11" in text
    # S-2's log has times too, but its stated setting is the hospital: nothing to rebill
    assert not (out / "worksheets" / "S-2.docx").exists()
    assert "the facility bills them" in queue["S-2"]["Evidence"]
    assert ("The chart's service setting ('Hospital outpatient department') does not place the "
            "infusion in the office." in queue["S-2"]["Evidence"])
    assert "mis-keyed" not in queue["S-2"]["Evidence"]


def test_the_exports_own_setting_wins_over_the_log(tmp_path):
    denials, log = _files(tmp_path, extra=",Service Setting", s1=",Hospital", s2=",")
    joined, _ = join_infusion_log(load_files([denials]).lines, read_infusion_log(log))
    setting = dict(zip(joined["claim_id"], joined["service_setting"], strict=True))
    assert setting == {"S-1": "Hospital", "S-2": "Hospital outpatient department"}


def test_two_settings_in_one_encounter_are_left_as_billed_and_reported(tmp_path):
    mixed = LOG.replace("R abdomen,09:02,09:52,Hizentra,SC,Office",
                        "R abdomen,09:02,09:52,Hizentra,SC,Hospital")
    denials, log = _files(tmp_path, log=mixed)
    joined, report = join_infusion_log(load_files([denials]).lines, read_infusion_log(log))
    setting = dict(zip(joined["claim_id"], joined["service_setting"], strict=True))
    assert setting["S-1"] == ""
    assert any("several settings; setting left as billed" in p for p in report.problems)
    # the times still go on
    assert joined.loc[joined["claim_id"] == "S-1", "infusion_start"].iloc[0] == "09:00"
