"""Header normalisation, the alias table, header-row detection and column mapping."""

from __future__ import annotations

import pytest

from appeals.errors import ConfigError, InputFileError
from appeals.readers.aliases import (
    alias_table,
    closest_headers,
    find_header_row,
    map_columns,
    match_header,
    missing_required,
    normalise_header,
    require_columns,
)
from appeals.resources import read_data_csv


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Clm Nbr", "claim number"),
        ("Claim #", "claim number"),
        ("  CLAIM   no. ", "claim number"),
        ("Pd Amt", "paid amount"),
        ("Svc Dt", "service date"),
        ("Pyr Nam", "payer name"),
        ("Reason Cd", "reason code"),
        ("Pt Ins ID", "patient insurance id"),
        ("ClaimID", "claim id"),
        ("adj_1_code", "adjustment 1 code"),
        ("Mod1", "modifier 1"),
        ("Number of Sites", "number site"),
        ("# Sites", "number site"),
        ("Date of Service", "date service"),
        ("CPT®/HCPCS", "cpt hcpcs"),
        ("Peña", "pena"),
        ("", ""),
    ],
)
def test_normalise_header(raw: str, expected: str) -> None:
    assert normalise_header(raw) == expected


# The reference list (shared/reference/exports-and-835.md) plus the extras the loader adds.
REFERENCE = {
    "claim_id": ["Claim #", "Claim ID", "Claim Number", "Claim No", "Clm Nbr", "Enc Nbr",
                 "Encounter ID", "Patient Account Number", "Patient Acct", "Acct #", "PCN",
                 "Patient Control Number"],
    "payer_claim_number": ["ICN", "DCN", "TCN", "Payer Claim #", "Payer Control Number",
                           "Control Number", "Claim ID Payer"],
    "claim_status": ["Claim Status", "Status", "Clm Sts Cod"],
    "patient_name": ["Patient", "Patient Name", "Pat Name"],
    "member_id": ["Member ID", "Subscriber ID", "Insured ID", "Policy #", "Pol Nbr"],
    "patient_dob": ["Date of Birth", "DOB", "Patient DOB"],
    "service_date": ["DOS", "Date of Service", "Service Date", "Svc Date", "From"],
    "service_date_to": ["To", "DOS To", "Thru Date"],
    "procedure_code": ["CPT", "CPT4", "HCPCS", "CPT/HCPCS", "Procedure", "Proc Code"],
    "modifiers": ["Modifiers", "Mod"],
    "units": ["Units", "U", "Qty", "Billed Units"],
    "billed_amount": ["Charges", "Charge", "Billed", "Billed Amount", "Bill Amt", "Total Charge"],
    "allowed_amount": ["Allowed", "Allwd Amt", "Covered Amount"],
    "paid_amount": ["Paid", "Ins Paid", "Payment", "Pd Amt", "Paid Amount"],
    "adjustment_amount": ["Adj Amt", "Adjustment Amount", "Disallow Amt", "Not Paid"],
    "group_code": ["Group Code", "Adj Group", "CAGC", "Type"],
    "carcs": ["CARC", "Adj Reason", "Adj Reason Codes", "Reason Code", "Reason Cd",
              "Denial Code", "Remit Code"],
    "rarcs": ["RARC", "Remark", "Remark Code", "Remark Codes"],
    "payer_name": ["Payer", "Payer Name", "Insurance", "Carrier", "Plan", "Pyr Nam"],
    "check_number": ["Check #", "Check Number", "Chk Nbr", "EFT Number", "Trace #"],
    "remit_date": ["Check Date", "Payment Date", "Remit Date", "Paid Date"],
    "place_of_service": ["POS", "Place of Service"],
    "rendering_npi": ["NPI", "Rendering Provider"],
    "ndc": ["NDC", "NDC Number"],
    "revenue_code": ["Revenue Code", "Rev Code"],
    "infusion_start": ["Start Time", "Infusion Start"],
    "infusion_stop": ["Stop Time", "End Time", "Infusion Stop"],
    "sites": ["Sites", "# Sites", "Number of Sites"],
    "admin_route": ["Route"],
    "product": ["Product", "Drug"],
    "justification": ["Justification", "Clinical Justification"],
    "chart_reference": ["Chart Reference", "Chart Ref"],
    "service_setting": ["Service Setting", "Infusion Setting", "Chart POS"],
}


@pytest.mark.parametrize(
    ("field", "header"), [(f, h) for f, hs in REFERENCE.items() for h in hs]
)
def test_reference_headers_map_to_their_field(field: str, header: str) -> None:
    hit = match_header(header)
    assert hit is not None and hit[0] == field, (header, hit)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("CARC 1", "carcs_1"), ("CARC2", "carcs_2"), ("adj_3_code", "carcs_3"),
        ("RARC 1", "rarcs_1"), ("Remark Code 2", "rarcs_2"),
        ("Mod1", "modifiers_1"), ("M4", "modifiers_4"), ("Modifier 3", "modifiers_3"),
        ("adj_1_group", "group_code_1"), ("Adj 2 Amt", "adjustment_amount_2"),
    ],
)
def test_numbered_wide_columns(header: str, field: str) -> None:
    hit = match_header(header)
    assert hit is not None and hit[0] == field and hit[2] == "numbered"


def test_containment_prefers_longest_and_skips_descriptions() -> None:
    assert match_header("Primary Payer Name")[0] == "payer_name"
    assert match_header("Patient Account Number (PCN)")[0] == "claim_id"
    assert match_header("Denial Reason Description") is None
    assert match_header("Address 2") is None
    assert match_header("Favourite Colour") is None


def test_most_specific_alias_wins_the_field() -> None:
    cmap = map_columns(["Claim ID", "Claim ID Payer", "CPT", "CARC"])
    assert cmap.fields["claim_id"] == 0
    assert cmap.fields["payer_claim_number"] == 1


def test_better_alias_wins_regardless_of_column_order() -> None:
    # "DOS" is a better service-date alias than "From"; "Paid" beats "Payment"
    cmap = map_columns(["From", "DOS", "Payment", "Paid", "Claim #", "CPT"])
    assert cmap.fields["service_date"] == 1
    assert cmap.fields["paid_amount"] == 3
    assert any("'Payment'" in w for w in cmap.warnings)
    assert any("'From'" in w for w in cmap.warnings)


def test_duplicate_code_columns_become_slots() -> None:
    cmap = map_columns(["Claim #", "CPT", "Remark", "Remark", "CARC"])
    assert cmap.fields["rarcs"] == 2 and cmap.fields["rarcs_1"] == 3
    assert cmap.slots("rarcs") == ["rarcs", "rarcs_1"]
    assert cmap.headers(["Claim #", "CPT", "Remark", "Remark", "CARC"])["rarcs_1"] == "Remark"


def test_blank_and_unknown_headers_are_not_mapped() -> None:
    cmap = map_columns(["", "Claim #", "Whatever", "CPT"])
    assert sorted(cmap.fields.values()) == [1, 3]


def test_find_header_row_skips_title_rows() -> None:
    rows = [["Denial report"], [], ["Printed 03/06/2026", "Page 1"],
            ["Claim #", "CPT", "DOS", "Paid", "Notes"], ["A1", "96369", "03/05/2026", "0", ""]]
    assert find_header_row(rows) == (3, 4)


def test_find_header_row_none_and_user_headers() -> None:
    rows = [["Acct Ref", "Svc Thing", "Why"], ["A1", "96369", "119"]]
    assert find_header_row(rows)[0] == -1
    assert find_header_row(rows, extra=["Acct Ref", "Svc Thing", "Why"]) == (0, 3)


def test_find_header_row_only_scans_first_rows() -> None:
    rows = [["x"]] * 40 + [["Claim #", "CPT", "Paid"]]
    assert find_header_row(rows)[0] == -1


def test_overrides_win_and_are_validated() -> None:
    headers = ["Acct Ref", "Svc Thing", "Why", "CPT"]
    cmap = map_columns(headers, {"claim_id": "acct ref", "carcs": "Why"})
    assert cmap.fields["claim_id"] == 0 and cmap.fields["carcs"] == 2
    assert cmap.how["claim_id"] == "override"
    with pytest.raises(ConfigError) as err:
        map_columns(headers, {"claim_idd": "Acct Ref"})
    assert "claim_idd" in str(err.value) and "claim_id" in str(err.value)
    with pytest.raises(ConfigError) as err:
        map_columns(headers, {"claim_id": "Acct Reff"})
    text = str(err.value)
    assert "'Acct Reff'" in text and "closest: 'Acct Ref'" in text and "'Svc Thing'" in text


def test_missing_required() -> None:
    assert missing_required(map_columns(["Claim #", "CPT", "CARC"])) == []
    assert missing_required(map_columns(["Claim #", "Rev Code", "Paid"])) == []
    assert missing_required(map_columns(["Claim #", "CPT"])) == ["denial"]
    assert missing_required(map_columns(["Clam Nmbr", "Charges"])) == [
        "claim_id", "procedure_code", "denial"]


def test_require_columns_message_names_file_found_and_closest() -> None:
    headers = ["Clam Nmbr", "CPT", "Adj Reason", "Notes"]
    with pytest.raises(InputFileError) as err:
        require_columns(map_columns(headers), headers, file="export.csv", header_row=3)
    text = str(err.value)
    assert text.startswith("export.csv, row 3: required columns not found: claim id")
    assert "(closest: 'Clam Nmbr')" in text
    assert "Headers found: 'Clam Nmbr', 'CPT', 'Adj Reason', 'Notes'" in text
    assert "--columns claim_id=" in text


def test_closest_headers_for_denial_signal() -> None:
    assert closest_headers("denial", ["Claim #", "Remarkz", "CPT"]) == ["Remarkz"]


def test_alias_table_is_consistent() -> None:
    frame = read_data_csv("header_aliases.csv")
    assert list(frame.columns) == ["field", "header"]
    seen: dict[str, str] = {}
    for fld, header in zip(frame["field"], frame["header"], strict=True):
        norm = normalise_header(header)
        assert norm, header
        assert seen.setdefault(norm, fld) == fld, f"{header!r} maps to two fields"
    assert len(alias_table()) == len(seen)


@pytest.mark.parametrize("header", ["Post Date", "Posting Date"])
def test_a_posting_date_is_not_a_notice_date(header: str) -> None:
    # Deadlines count from the remittance's notice date; the day a biller posted it is later.
    hit = match_header(header)
    assert hit is None or hit[0] != "remit_date", hit
