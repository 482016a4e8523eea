"""The classifier against hand-built claims: every denial_map rule, its near-misses, the edges."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import canonical_line as line

from appeals.classify.classifier import classify
from appeals.rules.denial_map import load_denial_map
from appeals.schema import CLASSIFIED_COLUMNS, LINE_COLUMNS, conform


def run(*lines: dict, mode: str = "denials") -> pd.DataFrame:
    return classify(conform(pd.DataFrame(list(lines))), mode=mode)


PAID = dict(paid_amount=80.0, carcs="45")


def added(row: pd.Series) -> list[tuple[str, float, bool]]:
    return [(a.code, a.units, a.new_claim) for a in row.add_lines]

# rule_id -> (lines, index of the line the rule must classify, expected fix, expected route)
# The payer is Noridian (Original Medicare, A/B) unless a scenario names another.
RULE_SCENARIOS = {
    "duplicate": ([line("A", "96369", carcs="18", adjustments="OA-18:100")], 0, "duplicate",
                  "no_action"),
    "benefit_carve_out": (
        [line("A", "96369", **PAID), line("A", "J1559", carcs="204", adjustments="PR-204:900")],
        1, "other_supplier", "other_supplier"),
    "no_authorization": ([line("A", "96369", carcs="197", payer_name="Aetna")], 0,
                         "authorization", "reconsideration"),
    "patient_responsibility": (
        [line("A", "96369", carcs="96", rarcs="N425", adjustments="PR-96:100")], 0, "patient",
        "patient_responsibility"),
    "home_pos": ([line("A", "96369", place_of_service="12", carcs="58")], 0, "other_supplier",
                 "other_supplier"),
    "iv_sc_same_encounter_iv_line": (
        [line("A", "96365", carcs="236", rarcs="N20"), line("A", "96369", **PAID)], 0,
        "adjust_off", "no_action"),
    "iv_sc_same_encounter": (
        [line("A", "96365", **PAID), line("A", "96369", carcs="236", rarcs="N20")], 1, "lines",
        "redetermination"),
    "kx_on_admin_modifier_denial": (
        [line("A", "96369", modifiers="KX", carcs="4"), line("A", "J1559", **PAID)], 0, "clerical",
        "reopening"),
    "kx_on_admin_drug_denial": (
        [line("A", "96369", modifiers="KX", **PAID), line("A", "J1555", carcs="4")], 1, "clerical",
        "reopening"),
    "wrong_route_iv_line": (
        [line("A", "96365", carcs="4", rarcs="N657"), line("A", "J1559", **PAID)], 0, "clerical",
        "reopening"),
    "wrong_route_drug_line": (
        [line("A", "96365", **PAID), line("A", "J1559", carcs="16")], 1, "clerical", "reopening"),
    "addon_without_primary": ([line("A", "96370", carcs="107", rarcs="N122")], 0, "lines",
                              "redetermination"),
    "time_units_mismatch": (
        [line("A", "96369", infusion_start="09:00", infusion_stop="10:00", sites=1.0, **PAID),
         line("A", "96370", carcs="151", infusion_start="09:00", infusion_stop="10:00", sites=1.0)],
        1, "clerical", "reopening"),
    "units_over_cap_justified": (
        [line("A", "96369", **PAID),
         line("A", "96371", units=3.0, carcs="119", justification="could not tolerate volume")],
        1, "disagree", "redetermination"),
    "units_over_cap": (
        [line("A", "96369", **PAID), line("A", "96371", units=3.0, carcs="119", rarcs="N362")],
        1, "clerical", "reopening"),
    # any denial reason at a facility POS on a professional claim: the facility bills it
    "facility_place_of_service": (
        [line("A", "96369", place_of_service="22", **PAID),
         line("A", "96371", place_of_service="22", units=3.0, carcs="119", rarcs="N362")],
        1, "other_supplier", "other_supplier"),
    # the office's own infusion record places it in the office: a POS fix (a reopening)
    "facility_pos_office_chart": (
        [line("A", "96369", place_of_service="19", carcs="58", rarcs="N428",
              infusion_start="09:00", infusion_stop="10:00", sites=1.0)],
        0, "clerical", "reopening"),
    "clinic_place_of_service": (
        [line("A", "96369", place_of_service="11", carcs="58", rarcs="N428")], 0, "disagree",
        "redetermination"),
    # scrub only: the chart supports 105 minutes and 3 sites, the charges bill 96369 alone
    "time_units_unbilled": (
        [line("A", "96369", infusion_start="09:05", infusion_stop="10:50", sites=3.0, carcs="")],
        0, "new_service", ""),
    "missing_kx": (
        [line("A", "96369", **PAID), line("A", "J1559", modifiers="JB", carcs="4", rarcs="N115")],
        1, "clerical", "reopening"),
    "missing_jz_jw": (
        [line("A", "96369", **PAID), line("A", "J1559", modifiers="JB;KX", carcs="4", rarcs="N657")],
        1, "clerical", "reopening"),
}


def test_every_rule_has_a_scenario():
    assert {rule.rule_id for rule in load_denial_map()} == set(RULE_SCENARIOS)


@pytest.mark.parametrize("rule", load_denial_map(), ids=lambda r: r.rule_id)
def test_each_rule_classifies_its_scenario(rule):
    lines, target, action, route = RULE_SCENARIOS[rule.rule_id]
    mode = "denials" if rule.denials else "scrub"
    out = run(*lines, mode=mode)
    got = out.iloc[target]
    assert (got.status, got.rule_id, got.pattern, got.action, got.route) == (
        "denied" if rule.denials else "flagged", rule.rule_id, rule.pattern, action, route
    )
    # a biller can read why, in the words of the pattern's own module
    assert got.evidence and not got.evidence.startswith("Matched rule"), got.evidence


def test_scrub_only_rule_is_not_used_on_remittances():
    (lines, target, _, _) = RULE_SCENARIOS["time_units_unbilled"]
    denied = dict(lines[0], carcs="16")
    assert run(denied).iloc[0].rule_id != "time_units_unbilled"


def test_unbilled_addons_are_added_from_the_chart():
    out = run(line("A", "96369", infusion_start="09:05", infusion_stop="10:50", sites=3.0),
              mode="scrub")
    assert added(out.iloc[0]) == [("96370", 1.0, True), ("96371", 2.0, True)]


def test_wrong_route_fix_uses_the_chart_times_and_sites():
    chart = dict(infusion_start="09:00", infusion_stop="11:40", sites=3.0)
    out = run(line("A", "96365", carcs="4", **chart), line("A", "96366", units=1.0, carcs="4", **chart),
              line("A", "J1559", **PAID, **chart))
    assert out["corrected_procedure_code"].tolist()[:2] == ["96369", "96370"]
    assert out.iloc[1].corrected_units == 2.0  # 160 minutes: first hour + 100 minutes
    # the 96371 sites were never billed: a separate new claim, never part of the correction
    assert added(out.iloc[0]) == [("96371", 2.0, True)]
    assert "96371" not in out.iloc[0].correction


def test_wrong_route_without_96366_adds_the_hours_the_chart_supports():
    chart = dict(infusion_start="09:00", infusion_stop="10:40", sites=2.0)
    out = run(line("A", "96365", carcs="4", **chart), line("A", "J1559", **PAID, **chart))
    assert added(out.iloc[0]) == [("96370", 1.0, True), ("96371", 1.0, True)]


def test_wrong_route_fix_without_a_chart_adds_nothing():
    out = run(line("A", "96365", carcs="4"), line("A", "J1559", **PAID))
    assert out.iloc[0].add_lines == () and "96371" not in out.iloc[0].correction


NEAR_MISSES = {
    # 96371 within the cap is not over it, even with a units denial
    "96371 at the cap": (
        [line("A", "96369", **PAID), line("A", "96371", units=2.0, carcs="119")], 1, "needs_review", ""),
    # an add-on whose 96369 is on the claim is not "without primary"
    "add-on with 96369 on the claim": (
        [line("A", "96369", **PAID), line("A", "96370", carcs="107", rarcs="N122")], 1, "needs_review", ""),
    # the 96369 may sit on another date of service of the same claim
    "96369 on the claim on another day": (
        [line("A", "96369", service_date=pd.Timestamp("2026-03-01"), **PAID),
         line("A", "96371", carcs="107")], 1, "needs_review", ""),
    # J1561 alone does not make an SCIG claim: IV Gamunex-C is IVIG
    "J1561 without SC route": (
        [line("A", "96365", carcs="4"), line("A", "J1561", **PAID)], 0, "out_of_scope", ""),
    "J1561 with SC route": (
        [line("A", "96365", carcs="4"), line("A", "J1561", admin_route="SC", **PAID)], 0, "denied", "wrong_route"),
    "J1561 denied without SC evidence": (
        [line("A", "J1561", carcs="4")], 0, "out_of_scope", ""),
    "payer without a KX rule": (
        [line("A", "96369", payer_name="Sample Commercial Plan", **PAID),
         line("A", "J1559", payer_name="Sample Commercial Plan", carcs="4")], 1, "needs_review", ""),
    "drug line already has KX": (
        [line("A", "96369", **PAID), line("A", "J1559", modifiers="JB;KX;JZ", carcs="4")], 1,
        "needs_review", ""),
    "non-SCIG denial": ([line("A", "99214", carcs="197")], 0, "out_of_scope", ""),
    "routine adjustments only": ([line("A", "96369", paid_amount=60.0, carcs="45;2")], 0, "paid", ""),
    "POS denial with no POS": (
        [line("A", "96369", place_of_service="", carcs="58")], 0, "needs_review", ""),
    "IV line without any SCIG on the claim": (
        [line("A", "96365", carcs="4"), line("A", "J1599", **PAID)], 0, "out_of_scope", ""),
    "time support matches the units billed": (
        [line("A", "96369", infusion_start="09:00", infusion_stop="10:31", sites=1.0, **PAID),
         line("A", "96370", carcs="151", infusion_start="09:00", infusion_stop="10:31", sites=1.0)],
        1, "needs_review", ""),
}


@pytest.mark.parametrize("name", NEAR_MISSES)
def test_near_misses(name):
    lines, target, status, pattern = NEAR_MISSES[name]
    got = run(*lines).iloc[target]
    assert (got.status, got.pattern) == (status, pattern)
    if status == "needs_review":
        assert got.action == "review"


def test_output_keeps_order_index_and_columns():
    lines = [line("B", "99213", **PAID), line("A", "96370", carcs="107")]
    out = run(*lines)
    assert list(out.columns) == list(LINE_COLUMNS + CLASSIFIED_COLUMNS)
    assert out["claim_id"].tolist() == ["B", "A"]
    assert out["status"].tolist() == ["paid", "denied"]


def test_no_appeal_remark_routes_to_a_new_claim():
    out = run(line("A", "96369", place_of_service="11", carcs="58", rarcs="MA130"))
    got = out.iloc[0]
    assert (got.pattern, got.action, got.denial_state, got.route) == (
        "site_of_care", "disagree", "unprocessable", "new_claim")


def test_reversal_is_kept_but_never_appealed():
    out = run(
        line("A", "96370", carcs="107", claim_status="22", units=-1.0, paid_amount=-20.0),
        line("B", "96369", carcs="45", claim_status="22", paid_amount=-50.0),
    )
    assert out["status"].tolist() == ["out_of_scope", "paid"]
    assert all("reversal" in e.lower() for e in out["evidence"])


def test_whole_claim_denial_without_line_codes():
    out = run(line("A", "96370", claim_status="4"))
    assert out.iloc[0].status == "needs_review"


def test_corrections_wrong_route_recode_the_encounter():
    out = run(
        line("A", "96365", carcs="4"),
        line("A", "96366", units=1.0, carcs="4"),
        line("A", "J1559", units=40.0, **PAID),
    )
    assert out["corrected_procedure_code"].tolist() == ["96369", "96370", "J1559"]
    assert out["corrected_units"].tolist() == [1.0, 1.0, 40.0]
    assert "96365 -> 96369" in out.iloc[0].correction
    assert out.iloc[2].correction == ""


def test_corrections_cap_units_and_add_primary():
    capped = run(line("A", "96369", **PAID), line("A", "96371", units=3.0, carcs="119"))
    assert capped.iloc[1].corrected_units == 2.0
    added = run(line("A", "96370", carcs="107"), line("A", "96371", carcs="107"))
    assert [[(a.code, a.units, a.new_claim) for a in x] for x in added["add_lines"]] == [
        [("96369", 1.0, False)], []]


def test_corrections_move_kx_and_drop_iv_line():
    moved = run(line("A", "96369", modifiers="KX", **PAID), line("A", "J1555", modifiers="JB", carcs="4"))
    assert moved["corrected_modifiers"].tolist() == ["", "JB;KX;JZ"]  # and JZ for Medicare
    # SC lines denied for the IV line beside them: the IV line comes off the correction
    dropped = run(line("A", "96365", **PAID), line("A", "96369", carcs="236"))
    assert dropped["remove_line"].tolist() == ["yes", ""]
    # the IV line itself denied while the SC line paid: adjust it off, nothing to send
    off = run(line("A", "96365", carcs="236"), line("A", "96369", **PAID))
    assert off.iloc[0].route == "no_action" and off["remove_line"].tolist() == ["", ""]


def test_deadline_from_remit_date_and_fallback():
    out = run(
        line("A", "96370", carcs="107", remit_date=pd.Timestamp("2026-04-01")),
        line("B", "96370", carcs="107"),
        line("C", "96370", carcs="107", payer_name="Aetna"),
    )
    # Medicare redetermination (a line to add): 120 days from presumed receipt, 5 days after
    # the notice
    assert out.iloc[0].route == "redetermination"
    assert out.iloc[0].deadline == pd.Timestamp("2026-08-04")
    assert "notice date 04/01/2026 + 5 days presumed receipt + 120" in out.iloc[0].deadline_basis
    # no notice date: the earlier date of service stands in, without the receipt days
    assert out.iloc[1].deadline == pd.Timestamp("2026-06-30")
    assert "date of service" in out.iloc[1].deadline_basis
    # commercial corrected claim: the payer's timely filing from the date of service
    assert out.iloc[2].route == "corrected_claim"
    assert out.iloc[2].deadline == pd.Timestamp("2026-05-31")


def test_past_due_against_the_run_date():
    lines = [line("A", "96370", carcs="107", remit_date=pd.Timestamp("2026-04-01"))]
    early = classify(conform(pd.DataFrame(lines)), today=dt.date(2026, 8, 4))
    late = classify(conform(pd.DataFrame(lines)), today=dt.date(2026, 8, 5))
    assert (bool(early.iloc[0].past_due), bool(late.iloc[0].past_due)) == (False, True)


def test_routes_without_a_deadline():
    out = run(line("A", "96369", place_of_service="12", carcs="58"))
    assert out.iloc[0].route == "other_supplier" and pd.isna(out.iloc[0].deadline)
    assert out.iloc[0].deadline_basis.startswith("no deadline")


def test_payer_names_resolve_to_keys():
    out = run(
        line("A", "96370", carcs="107", payer_name="Palmetto GBA"),
        line("B", "96370", carcs="107", payer_name="Humana Medicare Advantage"),
        line("C", "96370", carcs="107", payer_name="Blue Plan of Nowhere"),
    )
    assert out["payer"].tolist() == ["medicare", "humana_ma", "other"]
    assert out["payer_type"].tolist() == ["medicare_ab", "medicare_advantage", "commercial"]


@pytest.mark.parametrize(("name", "key", "kind"), [
    ("AARP Medicare Advantage", "uhc_ma", "medicare_advantage"),
    ("Wellcare Medicare", "wellcare", "medicare_advantage"),
    ("Humana Gold Plus", "humana_ma", "medicare_advantage"),
    ("UnitedHealthcare Medicare Advantage", "uhc_ma", "medicare_advantage"),
    ("Aetna Medicare", "aetna_ma", "medicare_advantage"),
    ("Noridian JD DME", "noridian_jd_dme", "medicare_dme"),
    ("CGS DME MAC JB", "cgs_dme", "medicare_dme"),
    ("Novitas Solutions JH", "novitas_jh", "medicare_ab"),
    ("Noridian JF", "noridian_jf", "medicare_ab"),
    ("Medicare Part B", "medicare", "medicare_ab"),
    ("UnitedHealthcare", "uhc", "commercial"),
    ("Humana", "humana", "commercial"),
    ("eMedNY", "medicaid", "medicaid"),
    ("Aetna Better Health", "medicaid", "medicaid"),
])
def test_plan_words_beat_the_bare_word_medicare(name, key, kind):
    out = run(line("A", "96370", carcs="107", payer_name=name))
    assert (out.iloc[0].payer, out.iloc[0].payer_type) == (key, kind)


def test_scrub_mode_flags_without_codes():
    out = run(
        line("A", "96365"), line("A", "J1559"),  # wrong route
        line("B", "96369"), line("B", "96371", units=2.0), line("B", "J1559", modifiers="JB;KX;JZ"),
        mode="scrub",
    )
    assert out["status"].tolist() == ["flagged", "flagged", "clean", "clean", "clean"]
    assert out.iloc[0].pattern == "wrong_route"


def test_every_cause_on_one_line_and_one_correction():
    # A J-code denied for want of KX on a claim billed with IV codes: wrong route and missing
    # KX both apply, and the one correction carries both fixes.
    chart = dict(infusion_start="09:00", infusion_stop="10:40", sites=2.0)
    out = run(line("A", "96365", carcs="4", **chart),
              line("A", "J1559", modifiers="JB", carcs="4", rarcs="N115", **chart))
    drug = out.iloc[1]
    assert (drug.pattern, drug.patterns) == ("wrong_route", "wrong_route;missing_kx;missing_jz_jw")
    assert drug.corrected_modifiers == "JB;KX;JZ" and "KX" in drug.correction
    assert out.iloc[0].corrected_procedure_code == "96369"
    # the chart supports 96370 and 96371 the claim never billed: never in the correction,
    # only as separate new-claim lines
    assert added(out.iloc[0]) == [("96370", 1.0, True), ("96371", 1.0, True)]
    assert "96370" not in out.iloc[0].correction and "96371" not in out.iloc[0].correction
    assert set(out["route"]) == {"reopening"}


def test_jz_jw_only_for_original_medicare_and_combined_with_kx():
    drug = dict(modifiers="JB", carcs="4", rarcs="N115")
    medicare = run(line("A", "96369", **PAID), line("A", "J1559", **drug))
    got = medicare.iloc[1]
    assert got.patterns == "missing_kx;missing_jz_jw"
    assert got.corrected_modifiers == "JB;KX;JZ" and "JW" in got.correction
    commercial = run(line("A", "96369", **PAID), line("A", "J1559", payer_name="Aetna", **drug))
    assert "missing_jz_jw" not in commercial.iloc[1].patterns
    # J1569 (Gammagard Liquid) is SCIG only when given subcutaneously
    iv = run(line("A", "J1569", carcs="4"))
    sc = run(line("A", "96369", **PAID), line("A", "J1569", carcs="4", modifiers="JB;KX"))
    assert iv.iloc[0].status == "out_of_scope" and sc.iloc[1].status == "denied"
