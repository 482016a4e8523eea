"""Item identity and the outcome rules, line by line."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from appeals.ledger.identity import item_keys, line_keys, routes
from appeals.ledger.states import apply_line, escalation


def _lines(**overrides):
    base = {
        "payer": "medicare", "payer_claim_number": "ICN1", "claim_id": "C1", "member_id": "M1",
        "service_date": pd.Timestamp("2026-05-12"), "procedure_code": "96371",
        "modifiers": "KX;JB", "line_control_number": "",
    }
    base.update(overrides)
    return pd.DataFrame([base])


def test_modifier_order_does_not_change_the_item():
    assert item_keys(_lines())[0] == item_keys(_lines(modifiers="JB;KX"))[0]


def test_each_part_of_the_identity_counts():
    key = item_keys(_lines())[0]
    for change in ({"payer": "uhc"}, {"payer_claim_number": "ICN2"}, {"procedure_code": "96370"},
                   {"service_date": pd.Timestamp("2026-05-13")}, {"modifiers": "JB"},
                   {"line_control_number": "L-1"}):
        assert item_keys(_lines(**change))[0] != key, change


def test_without_a_payer_claim_number_the_claim_and_member_identify():
    a = item_keys(_lines(payer_claim_number=""))[0]
    assert a != item_keys(_lines(payer_claim_number="", member_id="M2"))[0]
    assert "C1/M1" in a


def test_line_key_ignores_the_payer_claim_number():
    assert line_keys(_lines())[0] == line_keys(_lines(payer_claim_number="NEW"))[0]


def test_route_falls_back_to_the_action_and_ignores_infusion_routes():
    frame = pd.DataFrame({"action": ["appeal", "appeal", "corrected_claim", "review"],
                          "route": ["SC", "", "", "IV"]})
    types = pd.Series(["medicare_ab", "commercial", "medicare_dme", "medicare_ab"])
    assert list(routes(frame, types)) == ["redetermination", "reconsideration", "corrected_claim", "review"]


def _item(state="submitted", **extra):
    item = {"state": state, "paid_at_denial": 0.0, "route": "redetermination", "level": 1,
            "next_level": "", "payer": "medicare", "payer_type": "medicare_ab",
            "denial_date": dt.date(2026, 6, 1), "status": "denied", "pattern": "site_of_care"}
    item.update(extra)
    return item


def _line(status="denied", paid=0.0, remit=dt.date(2026, 7, 15)):
    return {"payer_claim_number": "ICN1", "status": status, "pattern": "site_of_care" if status != "paid" else "",
            "patterns": "", "route": "redetermination", "action": "appeal", "carcs": "58", "rarcs": "",
            "paid_amount": paid, "last_file": "f.835", "last_row": 9, "deadline": None,
            "deadline_basis": "", "remit_date": remit}


def _window(payer):
    return 90


def test_paid_later_is_won_with_the_amount_recovered():
    item = _item()
    kind, changes = apply_line(item, _line("paid", 134.4), today=dt.date(2026, 7, 16), window_for=_window)
    assert kind == "won" and item["recovered_amount"] == 134.4 and item["pattern"] == "site_of_care"
    assert changes["state"] == ("submitted", "won")


def test_some_payment_with_a_denial_left_is_partly_won():
    kind, _ = apply_line(_item(), _line("denied", 50.0), today=dt.date(2026, 7, 16), window_for=_window)
    assert kind == "partly_won"


def test_denied_again_before_submission_only_updates():
    item = _item("drafted")
    kind, changes = apply_line(item, _line(), today=dt.date(2026, 7, 16), window_for=_window)
    assert kind == "seen" and item["state"] == "drafted" and "state" not in changes


def test_medicare_redetermination_lost_proposes_the_qic_with_its_deadline():
    item = _item()
    kind, _ = apply_line(item, _line(), today=dt.date(2026, 7, 16), window_for=_window)
    assert kind == "lost" and item["level"] == 2 and item["next_level"] == "reconsideration (QIC)"
    assert item["deadline"] == dt.date(2026, 7, 15) + dt.timedelta(days=185)


def test_commercial_second_level_uses_the_payers_window():
    item = _item(route="reconsideration", payer="uhc", payer_type="commercial")
    out = escalation(item, dt.date(2026, 8, 1), _window)
    assert out["next_level"] == "second-level appeal (plan)"
    assert out["deadline"] == dt.date(2026, 8, 1) + dt.timedelta(days=90)
    assert "check the plan" in out["deadline_basis"]


def test_a_refused_medicare_reopening_counts_from_the_initial_determination():
    out = escalation(_item(route="reopening"), dt.date(2026, 8, 1), _window)
    assert out["next_level"] == "redetermination"
    assert out["deadline"] == dt.date(2026, 6, 1) + dt.timedelta(days=125)
