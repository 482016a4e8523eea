"""The X12 835 reader: real third-party files, our own small 835s, malformed input."""

from __future__ import annotations

import csv
import importlib.util
import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, SAMPLES, SHARED_X12, SHARED_X12_ABSENT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appeals.errors import InputFileError
from appeals.readers.x12 import looks_like_x12, read_835
from appeals.schema import LINE_COLUMNS, REJECTED_COLUMNS

SHARED = SHARED_X12
SAMPLE = SAMPLES / "remit_scig.835"

ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*250701*1200*^*00501*000000001*0*T*:"
)


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
def body(*claims: str) -> list[str]:
    """A transaction body (BPR through the last claim) with the given claim segments."""
    segs = [
        "BPR*I*100.00*C*ACH*CCP*01*999999999*DA*1*1999999999**01*999999998*DA*2*20250701",
        "TRN*1*EFT123*1999999999",
        "DTM*405*20250630",
        "N1*PR*NORIDIAN HEALTHCARE SOLUTIONS",
        "N1*PE*EXAMPLE CLINIC*XX*1234567893",
        "LX*1",
    ]
    for claim in claims:
        segs += claim.strip().split("\n")
    return [s.strip() for s in segs if s.strip()]


def envelope(segs: list[str], control: str = "0001", se_count: int | None = None) -> list[str]:
    count = len(segs) + 2 if se_count is None else se_count
    return [
        ISA,
        "GS*HP*SENDER*RECEIVER*20250701*1200*1*X*005010X221A1",
        f"ST*835*{control}",
        *segs,
        f"SE*{count}*{control}",
        "GE*1*1",
        "IEA*1*000000001",
    ]


def render(
    segs: list[str],
    *,
    element: str = "*",
    component: str = ":",
    terminator: str = "~",
    after: str = "\n",
) -> str:
    """Join segments, swapping delimiters (ISA16 included) for the variation under test."""
    out = []
    for seg in segs:
        if seg.startswith("ISA"):
            seg = seg[:-1] + component
        else:
            seg = seg.replace(":", component)
        out.append(seg.replace("*", element))
    return "".join(s + terminator + after for s in out)


def write(tmp_path: Path, text: str | bytes, name: str = "remit.835") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def read_text(tmp_path: Path, text: str | bytes) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    return read_835(write(tmp_path, text))


def values(frame: pd.DataFrame, *cols: str) -> list[tuple]:
    return list(frame[list(cols)].itertuples(index=False, name=None))


CLAIM_A = """
CLP*PCN-1*1*300.00*150.00*30.00*MB*ICN0001*11*1
NM1*QC*1*TESTPATIENT*ALPHA****MI*ZZ0000001
NM1*82*1*EXAMPLE*PROVIDER****XX*1234567893
DTM*232*20250601
SVC*HC:96369:KX*210.00*150.00**1
DTM*472*20250602
CAS*CO*45*30.00
CAS*PR*2*30.00
AMT*B6*180.00
SVC*HC:96371*90.00*0.00**0**3
DTM*472*20250602
CAS*CO*119*90.00
LQ*HE*N362
"""


# --------------------------------------------------------------------------------------
# the real third-party files (../shared/x12-samples), counted by hand
# --------------------------------------------------------------------------------------
# file: (interchanges, transactions, CLP count, SVC count, canonical lines)
REAL = {
    "pyx12_835_mult_loops.txt": (1, 1, 1, 3, 3),
    "lfh_medicare-part-a.835": (1, 1, 2, 0, 2),
    "lfh_managed-care.835": (1, 1, 2, 2, 2),
    "lfh_cob-contractural-adjustment.835": (1, 1, 1, 1, 1),
    "lfh_secondary-payment.835": (1, 1, 2, 2, 3),
    "edi835parser_emedny_sample.txt": (1, 1, 3, 10, 10),
    "edi835parser_united_healthcare_legacy_sample.txt": (1, 1, 2, 5, 5),
    "edi835parser_blue_cross_nc_sample.txt": (0, 1, 1, 3, 3),
    "tigershark_835-example.txt": (1, 1, 2, 2, 2),
    "badx12_X221-multiple-claims-single-check.edi": (1, 1, 9, 33, 33),
    "badx12_X221-era-sample.edi": (1, 1, 1, 5, 5),
    "badx12_X221-dollars-and-data-sent-together.edi": (1, 1, 2, 0, 2),
    "badx12_X221-tertiary-payments.edi": (1, 1, 1, 1, 1),
    "x12parserjs_multi-line-not-delimited.edi": (1, 1, 3, 10, 10),
    "oopfactory_4010_Example1_GripElements.txt": (1, 1, 9, 9, 9),
}


def real(name: str) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    if not SHARED.is_dir():
        pytest.skip(SHARED_X12_ABSENT)
    return read_835(SHARED / name)


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_file_counts(name: str) -> None:
    lines, rejected, report = real(name)
    interchanges, transactions, claims, svcs, n_lines = REAL[name]
    assert report.format == "x12-835"
    assert report.file == str(SHARED / name)
    assert (report.interchanges, report.transactions) == (interchanges, transactions)
    assert report.claims == claims
    assert report.service_lines == svcs
    assert len(lines) == n_lines
    assert rejected.empty
    assert report.rows_read == n_lines
    assert lines["claim_id"].nunique() >= 1
    assert list(lines.columns) == list(LINE_COLUMNS)
    assert (lines["payer"] == "").all()
    assert (lines["source_sheet"] == "").all()


def test_real_files_all_listed() -> None:
    if not SHARED.is_dir():
        pytest.skip(SHARED_X12_ABSENT)
    on_disk = {p.name for p in SHARED.iterdir() if p.name != "MANIFEST.md"}
    assert on_disk == set(REAL)


def test_real_pyx12_denied_claim() -> None:
    lines, _, report = real("pyx12_835_mult_loops.txt")
    assert report.warnings == []
    first = lines.iloc[0]
    assert (first.claim_id, first.claim_status, first.payer_claim_number) == (
        "2005555A",
        "4",
        "4276512332",
    )
    assert values(lines, "source_row", "procedure_code", "units", "adjustments", "rarcs") == [
        (18, "T1005", 68.0, "CO-16:500.04", "N14"),
        (23, "T1005", 16.0, "OA-A7:127.80", "N14"),
        (28, "T1005", 36.0, "OA-A7:287.55", "N14"),
    ]
    assert first.service_date == pd.Timestamp("2003-11-29")
    assert first.service_date_to == pd.Timestamp("2003-11-29")
    assert first.patient_name == "BACH, JOHANN"
    assert first.member_id == "00001612"
    # the notice date is the production date (DTM*405), not the BPR16 payment date
    assert first.remit_date == pd.Timestamp("2013-09-01")
    assert first.check_number == "000000000"
    assert first.payer_name == "PAYER"
    assert first.rendering_npi == ""  # NM1*82 carries an MC id, not an NPI


def test_real_lfh_medicare_part_a_claims_without_svc() -> None:
    lines, _, _ = real("lfh_medicare-part-a.835")
    assert values(
        lines, "source_row", "claim_id", "procedure_code", "billed_amount", "paid_amount"
    ) == [(15, "666123", "", 211366.97, 138018.40), (24, "777777", "", 15000.0, 11980.33)]
    assert lines["adjustments"].tolist() == ["CO-45:73348.57", "CO-45:3019.67"]
    assert lines["rarcs"].tolist() == ["", "MA02"]  # MOA03
    # CLP06 = MA with MIA: institutional, CLP08 is a facility type, not a POS
    assert lines.loc[0, "place_of_service"] == ""
    assert math.isnan(lines.loc[0, "units"])
    assert lines.loc[0, "service_date"] == pd.Timestamp("2002-08-16")
    assert lines.loc[0, "service_date_to"] == pd.Timestamp("2002-08-24")
    assert lines.loc[0, "member_id"] == "666666666A"


def test_real_lfh_managed_care_invalid_bpr_date_and_claim_cas() -> None:
    lines, _, report = real("lfh_managed-care.835")
    assert any("segment 4" in w and "BPR16" in w for w in report.warnings)
    # BPR16 20002316 is invalid (and DTM*405 comes first anyway)
    assert (lines["remit_date"] == pd.Timestamp("2002-03-14")).all()
    assert lines["adjustments"].tolist() == [
        "PR-1:300.00;CO-A2:50.00",
        "PR-1:600.00;CO-45:50.00;CO-A2:55.00",
    ]
    assert lines["carcs"].tolist() == ["1;A2", "1;45;A2"]
    assert lines.loc[0, "units"] == 1.0  # SVC05 absent
    assert lines.loc[0, "service_date"] == pd.Timestamp("2002-03-01")
    assert lines.loc[0, "service_date_to"] == pd.Timestamp("2002-03-04")


def test_real_lfh_component_mismatch() -> None:
    lines, _, _ = real("lfh_cob-contractural-adjustment.835")
    row = lines.iloc[0]
    assert (row.procedure_code, row.modifiers) == ("55669", "")
    assert row.adjustments == "OA-23:516.00;OA-94:-9.00"
    assert (row.allowed_amount, row.billed_amount, row.paid_amount) == (550.0, 541.0, 34.0)
    lines, _, _ = real("lfh_secondary-payment.835")
    assert values(lines, "source_row", "procedure_code", "modifiers", "adjustments") == [
        (16, "", "", "OA-23:9411.64"),
        (29, "12345", "26", "OA-23:136.50"),
        (34, "66543", "26", "PR-1:150.00;PR-2:70.00;CO-42:85.00"),
    ]
    assert lines.loc[0, "place_of_service"] == "11"


def test_real_emedny_and_newline_only_twin_agree() -> None:
    a, _, _ = real("edi835parser_emedny_sample.txt")
    b, _, report = real("x12parserjs_multi-line-not-delimited.edi")
    assert report.warnings == []
    cols = [c for c in LINE_COLUMNS if c != "source_file"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert a["rarcs"].tolist()[-2:] == ["N206", "N206"]
    assert a.loc[7, "service_date"] == pd.Timestamp("2013-09-17")
    assert (a.loc[0, "procedure_code"], a.loc[0, "modifiers"]) == ("V2020", "RB")
    assert a.loc[0, "place_of_service"] == "11"


def test_real_uhc_gt_component_and_multi_triplet() -> None:
    lines, _, _ = real("edi835parser_united_healthcare_legacy_sample.txt")
    assert lines["procedure_code"].tolist() == ["B4152", "B4152", "B4154", "B4034", "B4154"]
    assert lines.loc[4, "adjustments"] == "PR-2:5.13;PR-1:110.00;CO-45:184.32"
    assert lines.loc[4, "carcs"] == "2;1;45"
    assert lines.loc[0, "units"] == 234.0
    assert lines.loc[0, "place_of_service"] == "12"
    assert lines.loc[0, "payer_name"] == "UNITED HEALTHCARE INSURANCE COMPANY"


def test_real_blue_cross_no_envelope() -> None:
    lines, _, report = real("edi835parser_blue_cross_nc_sample.txt")
    assert any("SE says 33" in w for w in report.warnings)
    assert any("segment 28" in w for w in report.warnings)  # SVC with too many elements
    assert lines.loc[0, "member_id"] == "YPB123456789001"
    assert lines.loc[0, "adjustments"] == "CO-42:34.60;PR-2:117.54"
    assert lines.loc[0, "allowed_amount"] == 1175.4
    assert lines["procedure_code"].tolist() == ["59430", "59440", "59426"]
    assert lines.loc[0, "remit_date"] == pd.Timestamp("2011-01-04")  # DTM*405 before BPR16


def test_real_tigershark_pipe_and_newline_before_terminator() -> None:
    lines, _, report = real("tigershark_835-example.txt")
    assert [w for w in report.warnings if "SE says 43" in w]
    assert len(report.warnings) == 1
    assert lines["procedure_code"].tolist() == ["88888", "88888"]
    assert lines.loc[0, "payer_claim_number"] == "1234567890 0987654321"
    assert lines.loc[0, "member_id"] == "123111111"  # NM1*IL wins over NM1*QC
    assert lines.loc[0, "rendering_npi"] == "1333333333"
    # the claim-level PR-1 comes after the line's own adjustment, on the first line
    assert lines.loc[1, "adjustments"] == "CO-45:11130.91;PR-1:145.00"
    assert lines.loc[1, "rarcs"] == "N220;M68"
    assert lines.loc[1, "check_number"] == "1QG11111111"
    assert lines.loc[1, "remit_date"] == pd.Timestamp("2012-03-19")  # DTM*405 before BPR16


def test_real_badx12_dental_and_tertiary() -> None:
    lines, _, _ = real("badx12_X221-multiple-claims-single-check.edi")
    assert lines.loc[13, "procedure_code"] == "D2790"
    assert lines.loc[13, "adjustments"] == "PR-3:756.00;CO-131:184.00"
    assert lines.loc[5, "member_id"] == "123456"  # NM1*IL
    lines, _, _ = real("badx12_X221-tertiary-payments.edi")
    assert (lines.loc[0, "claim_status"], lines.loc[0, "adjustments"]) == ("3", "OA-23:1579.00")
    lines, _, _ = real("badx12_X221-dollars-and-data-sent-together.edi")
    assert lines["claim_id"].tolist() == ["666123", "777777"]
    assert lines["rarcs"].tolist() == ["", "MA02"]


def test_real_oopfactory_bom_crlf_indented_reversals() -> None:
    lines, _, report = real("oopfactory_4010_Example1_GripElements.txt")
    assert report.warnings == []
    assert lines["claim_status"].tolist() == ["1", "4", "4", "2", "4", "1", "25", "22", "22"]
    rev = lines[lines.claim_id == "123456"].iloc[0]
    assert (rev.procedure_code, rev.modifiers, rev.units) == ("H0036", "GT;UK", -2.0)
    assert (rev.billed_amount, rev.paid_amount) == (-42.58, -42.58)
    assert rev.adjustments == "CR-141:0.00;CR-42:0.00;CR-22:0.00;OA-141:0.00"
    last = lines.iloc[-1]
    assert (last.service_date, last.service_date_to) == (
        pd.Timestamp("2004-02-10"),
        pd.Timestamp("2004-02-11"),
    )
    assert last.rarcs == "MA92"
    assert lines.loc[4, "adjustments"] == "CO-42:0.00;OA-23:57.60;OA-23:-1.08"
    assert lines.loc[0, "source_row"] == 19


# --------------------------------------------------------------------------------------
# the synthetic SCIG sample
# --------------------------------------------------------------------------------------
def test_sample_matches_expected_csv() -> None:
    lines, rejected, report = read_835(SAMPLE)
    assert report.warnings == []
    assert rejected.empty
    with open(SAMPLE.with_name("remit_scig.expected.csv"), newline="") as fh:
        expected = list(csv.DictReader(fh))
    assert [(int(r["source_row"]), r["claim_id"], r["procedure_code"]) for r in expected] == (
        values(lines, "source_row", "claim_id", "procedure_code")
    )
    known = {
        "wrong_route",
        "units_over_cap",
        "addon_without_primary",
        "site_of_care",
        "missing_kx",
        "kx_on_admin_line",
        "iv_and_sc_same_encounter",
        "paid",
        "out_of_scope",
    }
    assert {r["expected"] for r in expected} == known
    by_row = lines.set_index("source_row")
    assert by_row.loc[44, "units"] == 3.0  # SVC07, the billed units of the denied 96371
    assert by_row.loc[44, "rarcs"] == "N362"
    assert by_row.loc[79, "place_of_service"] == "12"
    assert by_row.loc[79, "claim_status"] == "4"
    assert by_row.loc[114, "modifiers"] == "KX"
    assert by_row.loc[218, "claim_status"] == "22"
    assert set(lines["payer_name"]) == {
        "NORIDIAN HEALTHCARE SOLUTIONS",
        "SAMPLE COMMERCIAL HEALTH PLAN",
    }
    assert report.transactions == 2


# --------------------------------------------------------------------------------------
# our own small 835s: delimiter and layout variations
# --------------------------------------------------------------------------------------
BASE = envelope(body(CLAIM_A))
EXPECTED_A = [
    (
        "PCN-1",
        "96369",
        "KX",
        1.0,
        210.0,
        150.0,
        180.0,
        "CO-45:30.00;PR-2:30.00",
        "45;2",
        "",
    ),
    ("PCN-1", "96371", "", 3.0, 90.0, 0.0, math.nan, "CO-119:90.00", "119", "N362"),
]
COLS_A = (
    "claim_id",
    "procedure_code",
    "modifiers",
    "units",
    "billed_amount",
    "paid_amount",
    "allowed_amount",
    "adjustments",
    "carcs",
    "rarcs",
)


def check_claim_a(lines: pd.DataFrame, first_row: int = 14) -> None:
    got = values(lines, *COLS_A)
    assert len(got) == 2
    for g, e in zip(got, EXPECTED_A, strict=True):
        assert g[:6] == e[:6]
        assert (math.isnan(g[6]) and math.isnan(e[6])) or g[6] == e[6]
        assert g[7:] == e[7:]
    assert lines["source_row"].tolist() == [first_row, first_row + 5]
    row = lines.iloc[0]
    assert row.claim_status == "1"
    assert row.payer_claim_number == "ICN0001"
    assert row.place_of_service == "11"
    assert row.patient_name == "TESTPATIENT, ALPHA"
    assert row.member_id == "ZZ0000001"
    assert row.payer_name == "NORIDIAN HEALTHCARE SOLUTIONS"
    assert row.service_date == pd.Timestamp("2025-06-02")
    assert pd.isna(row.service_date_to)
    assert row.remit_date == pd.Timestamp("2025-06-30")  # DTM*405, not BPR16
    assert row.check_number == "EFT123"
    assert row.rendering_npi == "1234567893"


def test_standard_layout(tmp_path: Path) -> None:
    lines, rejected, report = read_text(tmp_path, render(BASE))
    assert report.warnings == []
    assert (report.claims, report.service_lines, report.rows_read) == (1, 2, 2)
    check_claim_a(lines)
    assert rejected.empty and list(rejected.columns) == list(REJECTED_COLUMNS)


VARIATIONS = {
    "single line": dict(after=""),
    "pipe elements, ^ components": dict(element="|", component="^"),
    "> components": dict(component=">"),
    "newline-only terminator": dict(terminator="", after="\n"),
    "CRLF": dict(after="\r\n"),
    "newline-only CRLF": dict(terminator="", after="\r\n"),
}


@pytest.mark.parametrize("variation", sorted(VARIATIONS))
def test_delimiter_variations(tmp_path: Path, variation: str) -> None:
    text = render(BASE, **VARIATIONS[variation])
    lines, _, report = read_text(tmp_path, text)
    assert report.warnings == []
    check_claim_a(lines)


def test_terminator_after_newline(tmp_path: Path) -> None:
    # the "\n~SEG" layout: each line starts with the terminator of the previous segment
    text = "\n~".join(s.replace("*", "|").replace(":", "^") for s in BASE[:-1])
    text = text[: len(ISA)].replace(":", "^") + text[len(ISA) :]
    text = text + "\n~" + BASE[-1].replace("*", "|") + "\n"
    lines, _, report = read_text(tmp_path, text)
    assert report.warnings == []
    check_claim_a(lines)


def test_indented_bom_crlf(tmp_path: Path) -> None:
    text = "".join("    " * (i % 3) + s + "~\r\n" for i, s in enumerate(BASE))
    lines, _, report = read_text(tmp_path, b"\xef\xbb\xbf" + text.encode())
    assert report.warnings == []
    check_claim_a(lines)


def test_leading_whitespace_and_utf16(tmp_path: Path) -> None:
    lines, _, report = read_text(tmp_path, "\n\n  " + render(BASE))
    assert report.warnings == []
    check_claim_a(lines)
    lines, _, _ = read_text(
        tmp_path, "\ufeff".encode("utf-16-le") + render(BASE).encode("utf-16-le")
    )
    check_claim_a(lines)


def test_component_separator_differs_from_isa16(tmp_path: Path) -> None:
    segs = [
        s.replace("HC:", "HC>").replace(":KX", ">KX") if s.startswith("SVC") else s for s in BASE
    ]
    lines, _, report = read_text(tmp_path, render(segs))
    assert report.warnings == []
    check_claim_a(lines)


def test_no_isa_envelope(tmp_path: Path) -> None:
    segs = BASE[2:-2]  # ST ... SE
    lines, _, report = read_text(tmp_path, render(segs))
    assert report.warnings == []
    assert report.interchanges == 0
    check_claim_a(lines, first_row=12)
    lines, _, report = read_text(tmp_path, render(segs, element="|", terminator="", after="\n"))
    assert report.warnings == []
    check_claim_a(lines, first_row=12)


def test_several_interchanges_and_transactions(tmp_path: Path) -> None:
    claim_b = CLAIM_A.replace("PCN-1", "PCN-2")
    two_st = envelope(body(CLAIM_A))
    second_st = ["ST*835*0002", *body(claim_b), f"SE*{len(body(claim_b)) + 2}*0002"]
    two_st = two_st[:-2] + second_st + two_st[-2:]
    text = render(two_st) + render(envelope(body(claim_b)), element="|", component="^")
    lines, _, report = read_text(tmp_path, text)
    assert report.warnings == []
    assert (report.interchanges, report.transactions, report.claims) == (2, 3, 3)
    assert lines["claim_id"].tolist() == ["PCN-1", "PCN-1", "PCN-2", "PCN-2", "PCN-2", "PCN-2"]
    assert lines["procedure_code"].tolist() == ["96369", "96371"] * 3
    assert lines["adjustments"].tolist()[-1] == "CO-119:90.00"
    assert lines["source_row"].is_unique


# --------------------------------------------------------------------------------------
# content: CAS, remarks, reversals, claims without SVC, dates, units, institutional
# --------------------------------------------------------------------------------------
def test_six_triplet_cas(tmp_path: Path) -> None:
    claim = """
    CLP*PCN-6*1*600.00*0.00**MB*ICN6*11
    SVC*HC:96369*600.00*0.00**1
    CAS*CO*45*10.00*1*4*20.00**16*30.00*2*97*40.00**B15*50.00**18*450.00*1
    """
    lines, _, _ = read_text(tmp_path, render(envelope(body(claim))))
    assert lines.loc[0, "adjustments"] == (
        "CO-45:10.00;CO-4:20.00;CO-16:30.00;CO-97:40.00;CO-B15:50.00;CO-18:450.00"
    )
    assert lines.loc[0, "carcs"] == "45;4;16;97;B15;18"


def test_claim_level_cas_moa_and_lq(tmp_path: Path) -> None:
    claim = """
    CLP*PCN-7*4*305.00*0.00**MB*ICN7*12
    CAS*CO*58*5.00
    NM1*QC*1*TESTPATIENT*BRAVO****MI*ZZ0000002
    MOA***N428*MA01
    SVC*HC:96369*210.00*0.00**1
    CAS*CO*58*205.00
    LQ*HE*N428
    SVC*HC:96370*95.00*0.00**1
    CAS*CO*96*95.00
    LQ*HE*M77
    LQ*RX*12
    """
    lines, _, _ = read_text(tmp_path, render(envelope(body(claim))))
    # claim-level amount only on the first line; the codes on every line
    assert lines["adjustments"].tolist() == ["CO-58:205.00;CO-58:5.00", "CO-96:95.00"]
    assert lines["carcs"].tolist() == ["58", "96;58"]
    assert lines["rarcs"].tolist() == ["N428;MA01", "M77;N428;MA01"]
    assert lines["place_of_service"].tolist() == ["12", "12"]
    assert lines["claim_status"].tolist() == ["4", "4"]


def test_mia_remarks_and_institutional_pos(tmp_path: Path) -> None:
    claim = """
    CLP*PCN-8*1*500.00*400.00**MA*ICN8*13*1
    MIA*0***400.00*MA15***************MA01*N20
    SVC*NU:0510*300.00*250.00**1
    SVC*HC:96369:25*200.00*150.00*0510
    """
    lines, _, _ = read_text(tmp_path, render(envelope(body(claim))))
    assert values(lines, "procedure_code", "modifiers", "revenue_code") == [
        ("", "", "0510"),
        ("96369", "25", "0510"),
    ]
    assert lines["rarcs"].tolist() == ["MA15;MA01;N20"] * 2
    assert lines["place_of_service"].tolist() == ["", ""]  # facility type, not a POS


def test_ndc_qualifier(tmp_path: Path) -> None:
    claim = "CLP*PCN-9*1*10*10**MB*ICN9*11\nSVC*N4:44206045190*10.00*10.00**1"
    lines, _, _ = read_text(tmp_path, render(envelope(body(claim))))
    assert values(lines, "procedure_code", "ndc") == [("", "44206045190")]


def test_reversal_and_claim_without_svc(tmp_path: Path) -> None:
    claims = """
    CLP*PCN-R*22*-210.00*-150.00**MB*ICN-R*11
    NM1*QC*1*TESTPATIENT*CHARLIE****MI*ZZ0000003
    SVC*HC:96369*-210.00*-150.00**-1
    DTM*472*20250501
    CAS*CO*45*-60.00
    CLP*PCN-N*4*500.00*0.00**MB*ICN-N*11
    CAS*CO*16*500.00
    NM1*QC*1*TESTPATIENT*DELTA****MI*ZZ0000004
    MOA***MA130
    DTM*232*20250510
    DTM*233*20250511
    """
    lines, _, report = read_text(tmp_path, render(envelope(body(claims))))
    assert (report.claims, report.service_lines, report.rows_read) == (2, 1, 2)
    rev, whole = lines.iloc[0], lines.iloc[1]
    assert (rev.claim_status, rev.units, rev.billed_amount, rev.paid_amount) == (
        "22",
        -1.0,
        -210.0,
        -150.0,
    )
    assert rev.adjustments == "CO-45:-60.00"
    assert whole.source_row == 15  # the CLP
    assert (whole.claim_status, whole.procedure_code, whole.billed_amount, whole.paid_amount) == (
        "4",
        "",
        500.0,
        0.0,
    )
    assert (whole.adjustments, whole.carcs, whole.rarcs) == ("CO-16:500.00", "16", "MA130")
    assert math.isnan(whole.units)
    assert (whole.service_date, whole.service_date_to) == (
        pd.Timestamp("2025-05-10"),
        pd.Timestamp("2025-05-11"),
    )


def test_dates_fallbacks_and_invalid(tmp_path: Path) -> None:
    claim = """
    CLP*PCN-D*1*30*30**MB*ICND*11
    DTM*232*20250601
    DTM*233*20250603
    SVC*HC:96369*10*10**1
    DTM*150*20250601
    DTM*151*20250602
    SVC*HC:96370*10*10**1
    SVC*HC:96371*10*10**1
    DTM*472*20251340
    """
    lines, _, report = read_text(tmp_path, render(envelope(body(claim))))
    assert values(lines, "service_date", "service_date_to")[:2] == [
        (pd.Timestamp("2025-06-01"), pd.Timestamp("2025-06-02")),
        (pd.Timestamp("2025-06-01"), pd.Timestamp("2025-06-03")),
    ]
    assert pd.isna(lines.loc[2, "service_date"])
    warning = [w for w in report.warnings if "DTM*472" in w]
    assert warning == ["segment 18: DTM*472 service date is not a valid date; left empty"]
    assert "20251340" not in warning[0]  # service dates are patient data


def test_units_and_bad_numbers(tmp_path: Path) -> None:
    claim = """
    CLP*PCN-U*1*10*10**MB*ICNU*11
    SVC*HC:96371*90*60**2**3
    SVC*HC:96370*abc*0
    """
    lines, _, report = read_text(tmp_path, render(envelope(body(claim))))
    assert lines["units"].tolist() == [3.0, 1.0]
    assert math.isnan(lines.loc[1, "billed_amount"])
    assert any("segment 12" in w and "'abc'" in w for w in report.warnings)


def test_svc_before_clp_is_rejected(tmp_path: Path) -> None:
    segs = body("SVC*HC:96369*10*10**1\nDTM*472*20250601\nCAS*CO*45*1.00\n" + CLAIM_A)
    lines, rejected, report = read_text(tmp_path, render(envelope(segs)))
    assert len(lines) == 2
    assert values(rejected, "source_row", "column", "value") == [(10, "SVC01", "HC:96369")]
    assert rejected.loc[0, "source_file"] == str(tmp_path / "remit.835")
    assert "before any claim" in rejected.loc[0, "reason"]
    assert rejected.loc[0, "code"] == "orphan-service-line"
    assert report.rows_read == 3
    assert any(w.startswith("segment 10:") for w in report.warnings)


# --------------------------------------------------------------------------------------
# malformed input
# --------------------------------------------------------------------------------------
def test_wrong_se_count_warns(tmp_path: Path) -> None:
    lines, _, report = read_text(tmp_path, render(envelope(body(CLAIM_A), se_count=99)))
    assert len(lines) == 2
    assert report.warnings == [
        "segment 23: SE says 99 segments but the transaction from segment 3 has 21"
    ]


def test_unknown_segment_and_garbage_warn(tmp_path: Path) -> None:
    segs = body(CLAIM_A)
    segs.insert(8, "ZZZ*1*2")
    segs.insert(9, "this is not x12 at all")
    lines, _, report = read_text(tmp_path, render(envelope(segs, se_count=len(segs) + 2)))
    check_claim_a(lines, first_row=16)
    assert report.warnings == [
        "segment 12: unknown segment 'ZZZ' ignored",
        "segment 13: unreadable text (not an X12 segment) ignored",
    ]


def test_truncated_file_keeps_what_was_read(tmp_path: Path) -> None:
    text = render(BASE)
    cut = text[: text.index("LQ*HE*N362") + 8]
    lines, _, report = read_text(tmp_path, cut)
    assert lines["procedure_code"].tolist() == ["96369", "96371"]
    assert lines.loc[1, "rarcs"] == ""  # the cut "LQ*HE*N3" is not read as a code "N3"
    assert any("ends without a segment terminator" in w for w in report.warnings)
    assert any("no SE" in w and "truncated" in w for w in report.warnings)


def test_truncated_isa(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="without any transaction.*cut off"):
        read_text(tmp_path, ISA[:40])
    with pytest.raises(InputFileError, match="without any transaction"):
        read_text(tmp_path, render(BASE[:2]))


def test_claims_outside_st_are_read(tmp_path: Path) -> None:
    segs = [ISA, "GS*HP*S*R*20250701*1200*1*X*005010X221A1", *body(CLAIM_A), "GE*1*1"]
    lines, _, report = read_text(tmp_path, render(segs))
    check_claim_a(lines, first_row=13)
    assert report.transactions == 1
    assert report.warnings[0] == (
        "segment 9: claim data outside an ST*835 transaction; read anyway"
    )


def test_warnings_are_capped(tmp_path: Path) -> None:
    segs = body(CLAIM_A) + ["ZZZ*1"] * 500
    _, _, report = read_text(tmp_path, render(envelope(segs, se_count=len(segs) + 2)))
    assert len(report.warnings) == 201
    assert report.warnings[-1] == "... and 300 more warnings"


def test_garbage_raises_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, "Claim #,CPT,Paid\n1,96369,10\n", "export.835")
    with pytest.raises(InputFileError) as info:
        read_835(path)
    message = str(info.value)
    assert str(path) in message
    assert "not an X12 835" in message and "ISA" in message
    assert "Traceback" not in message


def test_binary_garbage_and_empty(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not an X12 835"):
        read_text(tmp_path, bytes(range(256)) * 4)
    with pytest.raises(InputFileError, match="empty"):
        read_text(tmp_path, "  \n")
    with pytest.raises(InputFileError, match="not found"):
        read_835(tmp_path / "missing.835")


def test_other_transaction_set_raises(tmp_path: Path) -> None:
    segs = [s.replace("ST*835", "ST*837") for s in envelope(["BHT*0019*00*1*20250701"])]
    with pytest.raises(InputFileError, match=r"ST\*835\); it holds 837"):
        read_text(tmp_path, render(segs))


def test_missing_se_before_next_st(tmp_path: Path) -> None:
    first = envelope(body(CLAIM_A))[:-3]  # drop SE, GE, IEA
    text = render(first + ["ST*835*0002", *body(CLAIM_A), "SE*23*0002", "GE*1*1", "IEA*1*1"])
    lines, _, report = read_text(tmp_path, text)
    assert len(lines) == 4
    assert any("no SE before ST" in w for w in report.warnings)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(min_value=0, max_value=len(render(BASE))))
def test_any_truncation_never_crashes(tmp_path: Path, cut: int) -> None:
    try:
        lines, rejected, report = read_text(tmp_path, render(BASE)[:cut])
    except InputFileError:
        return
    assert report.rows_read == len(lines) + len(rejected)
    assert list(lines.columns) == list(LINE_COLUMNS)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(noise=st.binary(max_size=300), at=st.integers(min_value=0, max_value=2000))
def test_noise_never_crashes(tmp_path: Path, noise: bytes, at: int) -> None:
    data = render(BASE).encode()
    at = min(at, len(data))
    try:
        lines, rejected, report = read_text(tmp_path, data[:at] + noise + data[at:])
    except InputFileError:
        return
    assert report.rows_read == len(lines) + len(rejected)


# --------------------------------------------------------------------------------------
# sniffing, schema, generator
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"ISA*00*          *00", True),
        (b"\xef\xbb\xbf  \r\nISA|00|", True),
        (b"ST*835*1234~BPR", True),
        (b"ST|835|0001", True),
        (b"  ISA*00", True),
        (b"\xff\xfeI\x00S\x00A\x00*\x000\x00", True),
        (b"ST*837*0001~", False),
        (b"Claim #,CPT\n", False),
        (b"PK\x03\x04", False),
        (b"ISAAC,NEWTON", False),
        (b"", False),
    ],
)
def test_looks_like_x12(head: bytes, expected: bool) -> None:
    assert looks_like_x12(head) is expected


def test_schema_dtypes(tmp_path: Path) -> None:
    lines, rejected, _ = read_text(tmp_path, render(BASE))
    assert lines["source_row"].dtype == "int64"
    for col in ("units", "billed_amount", "allowed_amount", "paid_amount", "sites"):
        assert lines[col].dtype == "float64"
    for col in ("service_date", "service_date_to", "remit_date", "patient_dob"):
        assert str(lines[col].dtype).startswith("datetime64")
    for col in ("claim_id", "modifiers", "adjustments", "admin_route", "payer"):
        assert all(isinstance(v, str) for v in lines[col])
    assert str(rejected["source_row"].dtype) == "Int64"


def test_generator_output_reads_cleanly(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("gen_835", ROOT / "bench" / "gen_835.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    out = tmp_path / "big.835"
    assert gen.main(["300", str(out)]) == 0
    lines, rejected, report = read_835(out)
    assert report.warnings == []
    assert report.claims == 300
    assert len(lines) == report.service_lines and rejected.empty
    assert {"22", "4", "1"} <= set(lines["claim_status"])
    assert lines["carcs"].str.contains("119").any()


def test_line_control_number_comes_from_ref_6r():
    from appeals.readers.x12 import read_835

    path = Path(__file__).resolve().parents[2] / "samples" / "remit_scig.835"
    lines, _, _ = read_835(path)
    first = lines[lines["claim_id"] == "SCIG-1001"]
    assert list(first["line_control_number"]) == ["SCIG-1001-1", "SCIG-1001-2"]
