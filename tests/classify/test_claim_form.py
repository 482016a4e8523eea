"""Claim type from the claim's form (type of bill, claim form, the 835's claim fields), else
revenue codes; one type per claim. A clerical fix on Original Medicare is a reopening for a
professional claim and a corrected claim (type of bill xx7) for an institutional one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from appeals.jobs.run import classify_files
from appeals.readers.loader import load_files

TODAY = dt.date(2026, 4, 20)
HEADER = ("Claim #,Patient Name,Member ID,Payer,DOS,POS,{form}Rev Code,CPT,Modifiers,Units,"
          "Charge,Paid,Group Code,Reason Code,Remark Code,Remit Date\n")
ROWS = (
    '{id},"Testform, Alpha",ZZF000001,Novitas Solutions JH,03/02/2026,11,{value}{rev},96369,,1,'
    "260.00,260.00,,45,,04/10/2026\n"
    '{id},"Testform, Alpha",ZZF000001,Novitas Solutions JH,03/02/2026,11,{value}{rev},J1559,'
    "JB JZ,40,4000.00,0.00,CO,4,N115,04/10/2026\n"
)


def table(tmp_path: Path, claims: list[tuple[str, str, str]], form: bool = True) -> Path:
    text = HEADER.format(form="Type of Bill," if form else "")
    for claim_id, value, rev in claims:
        text += ROWS.format(id=claim_id, value=f"{value}," if form else "", rev=rev)
    path = tmp_path / "denials.csv"
    path.write_text(text, encoding="utf-8")
    return path


def by_claim(lines: pd.DataFrame, col: str) -> dict[str, set[str]]:
    return {k: set(g[col]) for k, g in lines.groupby("claim_id")}


def test_type_of_bill_and_claim_form_decide_the_claim_type(tmp_path: Path) -> None:
    path = table(tmp_path, [
        ("TB-01", "0131", ""),  # type of bill, no revenue code: institutional
        ("TB-02", "CMS-1500", ""),  # professional form
        ("TB-03", "CMS-1500", "0510"),  # the form beats the revenue code
        ("TB-04", "UB-04", ""),
        ("TB-05", "837P", ""),
        ("TB-06", "", "0510"),  # no form: revenue code decides, as before
        ("TB-07", "", ""),
    ])
    lines, _, _ = classify_files([path], today=TODAY)
    assert by_claim(lines, "claim_form") == {
        "TB-01": {"institutional"}, "TB-02": {"professional"}, "TB-03": {"professional"},
        "TB-04": {"institutional"}, "TB-05": {"professional"}, "TB-06": {""}, "TB-07": {""},
    }
    assert by_claim(lines, "claim_type") == {
        "TB-01": {"institutional"}, "TB-02": {"professional"}, "TB-03": {"professional"},
        "TB-04": {"institutional"}, "TB-05": {"professional"}, "TB-06": {"institutional"},
        "TB-07": {"professional"},
    }
    denied = lines[lines["status"] == "denied"].set_index("claim_id")["route"].to_dict()
    assert denied == {
        "TB-01": "corrected_claim", "TB-02": "reopening", "TB-03": "reopening",
        "TB-04": "corrected_claim", "TB-05": "reopening", "TB-06": "corrected_claim",
        "TB-07": "reopening",
    }


def test_one_form_on_one_line_sets_the_whole_claim(tmp_path: Path) -> None:
    path = table(tmp_path, [("TB-08", "0131", "")])
    text = path.read_text(encoding="utf-8").splitlines()
    text[2] = text[2].replace(",0131,", ",,")  # only the first line says UB-04
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    lines, _, _ = classify_files([path], today=TODAY)
    assert list(lines["claim_form"]) == ["institutional", ""]
    assert set(lines["claim_type"]) == {"institutional"}


def test_unknown_claim_form_is_left_blank_with_a_warning(tmp_path: Path) -> None:
    path = table(tmp_path, [("TB-09", "Dental", "")])
    result = load_files([path])
    assert list(result.lines["claim_form"]) == ["", ""]
    warnings = [w for report in result.reports for w in report.warnings]
    assert any("Type of Bill" in w and "Dental" in w for w in warnings), warnings
    lines, _, _ = classify_files([path], today=TODAY)
    assert set(lines["claim_type"]) == {"professional"}


@pytest.mark.parametrize("header", ["TOB", "Bill Type", "Claim Type", "Claim Form", "Form Type"])
def test_header_aliases(tmp_path: Path, header: str) -> None:
    path = table(tmp_path, [("TB-10", "837I", "")])
    path.write_text(path.read_text(encoding="utf-8").replace("Type of Bill", header),
                    encoding="utf-8")
    lines, _, _ = classify_files([path], today=TODAY)
    assert set(lines["claim_type"]) == {"institutional"}


REMIT = """ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *250701*1200*^*00501*000000001*0*T*:~
GS*HP*SENDER*RECEIVER*20260410*1200*1*X*005010X221A1~
ST*835*0001~
BPR*I*0.00*C*NON************20260410~
TRN*1*EFT1*1999999999~
DTM*405*20260410~
N1*PR*NOVITAS SOLUTIONS JH~
N1*PE*EXAMPLE CLINIC*XX*1234567893~
LX*1~
CLP*TF-{n}*1*4260.00*260.00**{filing}*ICN{n}*13*1~
NM1*QC*1*TESTFORM*BRAVO****MI*ZZF000002~
DTM*232*20260302~
SVC*HC:96369*260.00*260.00**1~
DTM*472*20260302~
SVC*HC:J1559:JB:JZ*4000.00*0.00**40~
DTM*472*20260302~
CAS*CO*4*4000.00~
LQ*HE*N115~
SE*17*0001~
GE*1*1~
IEA*1*000000001~
"""


@pytest.mark.parametrize(("filing", "form", "claim_type", "route"), [
    ("MA", "institutional", "institutional", "corrected_claim"),
    ("MB", "", "professional", "reopening"),
])
def test_835_claim_filing_code(tmp_path: Path, filing: str, form: str, claim_type: str,
                               route: str) -> None:
    path = tmp_path / "remit.835"
    path.write_text(REMIT.format(n=1, filing=filing), encoding="utf-8")
    lines, _, _ = classify_files([path], today=TODAY)
    assert len(lines) == 2
    assert set(lines["revenue_code"]) == {""}
    assert set(lines["claim_form"]) == {form}
    assert set(lines["claim_type"]) == {claim_type}
    assert list(lines.loc[lines["status"] == "denied", "route"]) == [route]
