"""`appeals scrub` flags a facility place of service on a professional claim before it is
sent: the facility bills the infusion, unless the office's own chart (a service setting or
the infusion times) places it in the office, where the fix is POS 11. Run through the CLI,
the workbook and worksheet read back."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
from click.testing import CliRunner

from appeals.cli import main

HEADER = "Claim #,Patient Name,Member ID,Payer,DOS,POS,CPT,Rev Code,Modifiers,Units,Charge,Start,Stop,Service Setting\n"
ROWS = (
    # no chart facts: the facility's to bill
    'F-1,"Testpatient, Gamma",ZZS000901,Noridian JF,05/04/2026,22,96369,,,1,$260.00,,,\n'
    'F-1,"Testpatient, Gamma",ZZS000901,Noridian JF,05/04/2026,22,J1559,,JB;KX;JZ,60,$6000.00,,,\n'
    # the office's infusion times: POS 22 mis-keyed
    'F-2,"Testpatient, Delta",ZZS000902,Noridian JF,05/04/2026,22,96369,,,1,$260.00,09:00,09:55,\n'
    'F-2,"Testpatient, Delta",ZZS000902,Noridian JF,05/04/2026,22,J1559,,JB;KX;JZ,60,$6000.00,09:00,09:55,\n'
    # the chart's setting says office
    'F-3,"Testpatient, Epsilon",ZZS000903,Aetna,05/04/2026,19,96369,,,1,$260.00,,,office\n'
    # an institutional claim (revenue codes): the facility's own claim, nothing to flag
    'F-4,"Testpatient, Zeta",ZZS000904,Aetna,05/04/2026,22,96369,0260,,1,$260.00,,,\n'
    # the office: clean
    'F-5,"Testpatient, Eta",ZZS000905,Aetna,05/04/2026,11,96369,,,1,$260.00,,,\n'
)


def _scrub(tmp_path: Path) -> tuple[str, Path]:
    charges = tmp_path / "charges.csv"
    charges.write_text(HEADER + ROWS, encoding="utf-8")
    out = tmp_path / "scrub"
    result = CliRunner().invoke(main, ["scrub", str(charges), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return result.output, out


def _rows(out: Path) -> dict[tuple[str, str], dict[str, object]]:
    sheet = openpyxl.load_workbook(out / "scrub.xlsx")["Fix before sending"]
    rows = list(sheet.iter_rows(values_only=True))
    return {(r[0], r[5]): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}


def test_facility_pos_is_flagged_before_sending(tmp_path):
    output, out = _scrub(tmp_path)
    assert "5 claims: 3 claims to fix before sending, 2 clean" in output
    rows = _rows(out)
    assert {claim for claim, _ in rows} == {"F-1", "F-2", "F-3"}
    assert {row["Problem"] for row in rows.values()} == {"site_of_care"}
    facility = rows[("F-1", "96369")]
    assert "the facility bills them" in facility["Why"]
    assert "Leave these lines off the office's claim." in facility["Why"]
    # the claim was never sent: no reopening or corrected claim to speak of
    assert "reopening" not in facility["Why"] and "correct it to 11 before sending" in facility["Why"]
    assert facility["Fix"] is None and facility["Worksheet"] is None
    assert not (out / "worksheets" / "F-1.docx").exists()


def test_office_chart_gets_a_pos_11_worksheet(tmp_path):
    _, out = _scrub(tmp_path)
    rows = _rows(out)
    timed = rows[("F-2", "J1559")]
    assert "infusion record (start 09:00, stop 09:55) places the infusion in the office" in timed["Why"]
    assert timed["Fix"] == "POS corrected to 11: the chart places the infusion in the office"
    assert "service setting ('office')" in rows[("F-3", "96369")]["Why"]
    document = docx.Document(str(out / "worksheets" / "F-2.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "POS 22 looks mis-keyed. Confirm in the chart, then correct it to 11 before sending" in text
    assert "reopening" not in text.lower() and "corrected claim elsewhere" not in text
    changes = [[c.text for c in r.cells] for t in document.tables for r in t.rows]
    fields = {row[0]: row for row in changes if row[0] in {"Place of service"}}
    assert fields["Place of service"][1].startswith("22")
    corrected = [row for row in changes if row[-1].startswith("Change.")]
    assert len(corrected) == 2 and all("POS corrected to 11" in row[-1] for row in corrected)
    assert (out / "worksheets" / "F-3.docx").exists()
