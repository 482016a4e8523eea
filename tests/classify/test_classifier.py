"""The classifier against hand-built claims: every denial_map rule, its near-misses, the edges."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import canonical_line as line

from appeals.classify.classifier import classify
from appeals.rules.denial_map import load_denial_map
from appeals.schema import CLASSIFIED_COLUMNS, LINE_COLUMNS, conform


def run(*lines: dict, mode: str = "denials") -> pd.DataFrame:
    return classify(conform(pd.DataFrame(list(lines))), mode=mode)


PAID = dict(paid_amount=80.0, carcs="45")

# rule_id -> (lines, index of the line the rule must classify, expected action)
RULE_SCENARIOS = {
    "home_pos": ([line("A", "96369", place_of_service="12", carcs="58")], 0, "rebill_other_benefit"),
    "iv_sc_same_encounter": (
        [line("A", "96365", carcs="236", rarcs="N20"), line("A", "96369", **PAID)], 0, "corrected_claim"),
    "kx_on_admin_modifier_denial": (
        [line("A", "96369", modifiers="KX", carcs="4"), line("A", "J1559", **PAID)], 0, "corrected_claim"),
    "kx_on_admin_drug_denial": (
        [line("A", "96369", modifiers="KX", **PAID), line("A", "J1555", carcs="4")], 1, "corrected_claim"),
    "wrong_route_iv_line": (
        [line("A", "96365", carcs="4", rarcs="N657"), line("A", "J1559", **PAID)], 0, "corrected_claim"),
    "wrong_route_drug_line": (
        [line("A", "96365", **PAID), line("A", "J1559", carcs="16")], 1, "corrected_claim"),
    "addon_without_primary": ([line("A", "96370", carcs="107", rarcs="N122")], 0, "corrected_claim"),
    "time_units_mismatch": (
        [line("A", "96369", infusion_start="09:00", infusion_stop="10:00", sites=1.0, **PAID),
         line("A", "96370", carcs="151", infusion_start="09:00", infusion_stop="10:00", sites=1.0)],
        1, "corrected_claim"),
    "units_over_cap_justified": (
        [line("A", "96369", **PAID),
         line("A", "96371", units=3.0, carcs="119", justification="could not tolerate volume")],
        1, "appeal"),
    "units_over_cap": (
        [line("A", "96369", **PAID), line("A", "96371", units=3.0, carcs="119", rarcs="N362")],
        1, "corrected_claim"),
    "clinic_place_of_service": (
        [line("A", "96369", place_of_service="22", carcs="58", rarcs="N428")], 0, "appeal"),
    # scrub only: the chart supports 105 minutes and 3 sites, the charges bill 96369 alone
    "time_units_unbilled": (
        [line("A", "96369", infusion_start="09:05", infusion_stop="10:50", sites=3.0, carcs="")],
        0, "corrected_claim"),
    "missing_kx": (
        [line("A", "96369", **PAID), line("A", "J1559", modifiers="JB", carcs="4", rarcs="N115")],
        1, "corrected_claim"),
}


def test_every_rule_has_a_scenario():
    assert {rule.rule_id for rule in load_denial_map()} == set(RULE_SCENARIOS)


@pytest.mark.parametrize("rule", load_denial_map(), ids=lambda r: r.rule_id)
def test_each_rule_classifies_its_scenario(rule):
    lines, target, action = RULE_SCENARIOS[rule.rule_id]
    mode = "denials" if rule.denials else "scrub"
    out = run(*lines, mode=mode)
    got = out.iloc[target]
    assert (got.status, got.rule_id, got.pattern, got.action) == (
        "denied" if rule.denials else "flagged", rule.rule_id, rule.pattern, action
    )
    assert got.evidence  # a biller can read why


def test_scrub_only_rule_is_not_used_on_remittances():
    (lines, target, _) = RULE_SCENARIOS["time_units_unbilled"]
    denied = dict(lines[0], carcs="16")
    assert run(denied).iloc[0].rule_id != "time_units_unbilled"


def test_unbilled_addons_are_added_from_the_chart():
    out = run(line("A", "96369", infusion_start="09:05", infusion_stop="10:50", sites=3.0),
              mode="scrub")
    assert out.iloc[0].add_lines == "96370:1:;96371:2:"


def test_wrong_route_fix_uses_the_chart_times_and_sites():
    chart = dict(infusion_start="09:00", infusion_stop="11:40", sites=3.0)
    out = run(line("A", "96365", carcs="4", **chart), line("A", "96366", units=1.0, carcs="4", **chart),
              line("A", "J1559", **PAID, **chart))
    assert out["corrected_procedure_code"].tolist()[:2] == ["96369", "96370"]
    assert out.iloc[1].corrected_units == 2.0  # 160 minutes: first hour + 100 minutes
    assert out.iloc[0].add_lines == "96371:2:"


def test_wrong_route_without_96366_adds_the_hours_the_chart_supports():
    chart = dict(infusion_start="09:00", infusion_stop="10:40", sites=2.0)
    out = run(line("A", "96365", carcs="4", **chart), line("A", "J1559", **PAID, **chart))
    assert out.iloc[0].add_lines == "96370:1:;96371:1:"


def test_wrong_route_fix_without_a_chart_adds_nothing():
    out = run(line("A", "96365", carcs="4"), line("A", "J1559", **PAID))
    assert out.iloc[0].add_lines == "" and "96371" not in out.iloc[0].correction


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
        [line("A", "96365", carcs="4"), line("A", "J1561", route="SC", **PAID)], 0, "denied", "wrong_route"),
    "J1561 denied without SC evidence": (
        [line("A", "J1561", carcs="4")], 0, "out_of_scope", ""),
    "payer without a KX rule": (
        [line("A", "96369", payer_name="Sample Commercial Plan", **PAID),
         line("A", "J1559", payer_name="Sample Commercial Plan", carcs="4")], 1, "needs_review", ""),
    "drug line already has KX": (
        [line("A", "96369", **PAID), line("A", "J1559", modifiers="JB;KX", carcs="4")], 1, "needs_review", ""),
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


def test_no_appeal_remark_turns_appeal_into_corrected_claim():
    out = run(line("A", "96369", place_of_service="22", carcs="58", rarcs="MA130"))
    assert (out.iloc[0].pattern, out.iloc[0].action) == ("site_of_care", "corrected_claim")


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
    assert added["add_lines"].tolist() == ["96369:1:", ""]


def test_corrections_move_kx_and_drop_iv_line():
    moved = run(line("A", "96369", modifiers="KX", **PAID), line("A", "J1555", modifiers="JB", carcs="4"))
    assert moved["corrected_modifiers"].tolist() == ["", "JB;KX"]
    dropped = run(line("A", "96365", carcs="236"), line("A", "96369", **PAID))
    assert dropped["remove_line"].tolist() == ["yes", ""]


def test_appeal_deadline_from_remit_date_and_fallback():
    out = run(
        line("A", "96370", carcs="107", remit_date=pd.Timestamp("2026-04-01")),
        line("B", "96370", carcs="107"),
        line("C", "96370", carcs="107", payer_name="Aetna"),
    )
    # Medicare: 120 days from presumed receipt, 5 days after the notice
    assert out.iloc[0].appeal_deadline == pd.Timestamp("2026-08-04")
    assert "remit date" in out.iloc[0].deadline_basis
    assert out.iloc[1].appeal_deadline == pd.Timestamp("2026-06-30")
    assert "date of service" in out.iloc[1].deadline_basis
    assert out.iloc[2].appeal_deadline == pd.Timestamp("2026-08-29")


def test_payer_names_resolve_to_keys():
    out = run(
        line("A", "96370", carcs="107", payer_name="Palmetto GBA"),
        line("B", "96370", carcs="107", payer_name="Humana Medicare Advantage"),
        line("C", "96370", carcs="107", payer_name="Blue Plan of Nowhere"),
    )
    assert out["payer"].tolist() == ["medicare", "humana", "other"]


def test_scrub_mode_flags_without_codes():
    out = run(
        line("A", "96365"), line("A", "J1559"),  # wrong route
        line("B", "96369"), line("B", "96371", units=2.0), line("B", "J1559", modifiers="JB;KX"),
        mode="scrub",
    )
    assert out["status"].tolist() == ["flagged", "flagged", "clean", "clean", "clean"]
    assert out.iloc[0].pattern == "wrong_route"
