"""Facility POS on a professional claim: the facility bills the infusion, whatever the denial
reason, unless the office's own infusion record places the infusion in the office."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import canonical_line, lines_frame

from appeals.classify.classifier import classify
from appeals.jobs.run import classify_files

TODAY = dt.date(2026, 4, 30)


def _classify(rows):
    return classify(lines_frame(rows, classified=False), today=TODAY)


def _claim(pos, denied, *, payer="UnitedHealthcare", **extra):
    """96369 paid and a second line denied with ``denied`` = (code, units, carc, rarc)."""
    code, units, carc, rarc = denied
    base = {"payer_name": payer, "place_of_service": pos, **extra}
    return [
        canonical_line("F1", "96369", paid_amount=160.0, carcs="45", adjustments="CO-45:100",
                       **base),
        canonical_line("F1", code, units=units, carcs=carc, rarcs=rarc,
                       adjustments=f"CO-{carc}:240", **base),
    ]


@pytest.mark.parametrize("pos", ["19", "21", "22", "24"])
@pytest.mark.parametrize("denied, other", [
    (("96371", 3.0, "119", "N362"), "units_over_cap"),
    (("96370", 2.0, "B15", ""), None),
    (("96369", 1.0, "58", "N428"), None),
    (("96371", 1.0, "197", ""), "no_authorization"),  # the facility's own authorization
])
def test_facility_pos_routes_to_the_facility_whatever_the_reason(pos, denied, other):
    out = _classify(_claim(pos, denied))
    line = out.iloc[1]
    assert line["status"] == "denied"
    assert line["pattern"] == "site_of_care"
    assert line["route"] == "other_supplier"
    assert line["rule_id"] == "facility_place_of_service"
    assert "facility bills" in line["evidence"]
    assert line["correction"] == "" and line["corrected_place_of_service"] == ""
    assert out["deadline"].isna().all()
    if other:
        assert line["patterns"].split(";") == ["site_of_care", other]
        assert other.replace("_", " ") in line["evidence"]


def test_the_drug_and_iv_lines_at_a_facility_go_to_the_facility_too():
    base = {"payer_name": "Aetna", "place_of_service": "22"}
    out = _classify([
        canonical_line("F2", "96365", carcs="4", rarcs="N657", adjustments="CO-4:310", **base),
        canonical_line("F2", "J1559", units=60.0, modifiers="JB", carcs="4", rarcs="N115",
                       adjustments="CO-4:4200", **base),
    ])
    assert out["route"].tolist() == ["other_supplier", "other_supplier"]
    assert all("wrong_route" in p for p in out["patterns"])  # the other cause stays recorded


def test_an_institutional_claim_at_a_facility_pos_is_the_facility_s_own():
    out = _classify(_claim("22", ("96371", 3.0, "119", "N362"), revenue_code="0510",
                           claim_form="institutional"))
    line = out.iloc[1]
    assert line["pattern"] == "units_over_cap"
    assert line["route"] != "other_supplier"


def test_office_pos_is_untouched():
    out = _classify(_claim("11", ("96371", 3.0, "119", "N362")))
    assert out.iloc[1]["pattern"] == "units_over_cap"
    assert "site_of_care" not in out.iloc[1]["patterns"]


@pytest.mark.parametrize("payer, route", [("Noridian JF", "reopening"),
                                          ("UnitedHealthcare", "corrected_claim")])
def test_office_chart_turns_a_facility_pos_into_a_pos_correction(payer, route):
    chart = {"infusion_start": "09:00", "infusion_stop": "10:00", "sites": 4.0}
    out = _classify(_claim("22", ("96371", 3.0, "119", "N362"), payer=payer, **chart))
    line = out.iloc[1]
    assert line["rule_id"] == "facility_pos_office_chart"
    assert line["patterns"].split(";") == ["site_of_care", "units_over_cap"]
    assert line["route"] == route
    assert "mis-keyed" in line["evidence"] and "09:00" in line["evidence"]
    # every line of the encounter moves to the office; the cap fix rides along
    assert out["corrected_place_of_service"].tolist() == ["11", "11"]
    assert "POS corrected to 11" in line["correction"]
    assert line["corrected_units"] == 2.0


def test_patient_responsibility_at_a_facility_is_not_billed_to_the_patient():
    base = {"payer_name": "Aetna", "place_of_service": "19"}
    out = _classify([canonical_line("F3", "96369", carcs="96", rarcs="N425",
                                    adjustments="PR-96:260", **base)])
    line = out.iloc[0]
    assert line["route"] == "other_supplier"
    assert line["patterns"].split(";") == ["site_of_care", "patient_responsibility"]


def test_an_exact_duplicate_stays_a_duplicate():
    out = _classify([canonical_line("F4", "96369", place_of_service="22", carcs="18",
                                    adjustments="OA-18:260")])
    assert (out.iloc[0]["pattern"], out.iloc[0]["route"]) == ("duplicate", "no_action")


@pytest.mark.parametrize("setting, route", [
    ("Office", "corrected_claim"),  # the chart's setting says office: a POS fix
    ("POS 11", "corrected_claim"),
    ("Hospital outpatient clinic", "other_supplier"),  # a hospital clinic is the facility's
])
def test_a_service_setting_column_decides(setting, route):
    # times on file too: a stated setting outranks them
    chart = {"service_setting": setting, "infusion_start": "09:00", "infusion_stop": "10:00",
             "sites": 4.0}
    out = _classify(_claim("22", ("96371", 3.0, "119", "N362"), **chart))
    line = out.iloc[1]
    assert line["route"] == route
    if route == "corrected_claim":
        assert repr(setting) in line["evidence"]
        assert out["corrected_place_of_service"].tolist() == ["11", "11"]


def test_a_setting_column_is_read_from_an_export(tmp_path):
    path = tmp_path / "denials.csv"
    path.write_text(
        "Claim #,Payer,DOS,POS,CPT,Units,Charge,Paid,Adj Reason,Remark,Infusion Setting\n"
        "S-1,Aetna,03/02/2026,22,96369,1,260,0,CO-58,N428,Office\n", encoding="utf-8")
    out, _, _ = classify_files([path], today=TODAY)
    assert out.iloc[0]["service_setting"] == "Office"
    assert out.iloc[0]["rule_id"] == "facility_pos_office_chart"
