"""denial_map.csv and payer rules load as data and fail with the CSV line named."""

from __future__ import annotations

import shutil

import pytest

from appeals.errors import ConfigError
from appeals.resources import denial_map_path, read_data_csv
from appeals.rules.denial_map import load_denial_map
from appeals.rules.payers import load_payer_rules

HEADER = "rule_id,priority,procedure_codes,carcs,rarcs,conditions,pattern,action,template,scrub,note\n"


def write(tmp_path, *rows):
    path = tmp_path / "map.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_packaged_map_loads_sorted_by_priority():
    rules = load_denial_map()
    assert [r.priority for r in rules] == sorted(r.priority for r in rules)
    assert {r.pattern for r in rules} >= {
        "wrong_route", "units_over_cap", "addon_without_primary", "site_of_care", "missing_kx",
        "kx_on_admin_line", "iv_and_sc_same_encounter", "time_units_mismatch",
    }


def test_negated_condition_and_any_code(tmp_path):
    (rule,) = load_denial_map(write(tmp_path, "r1,5,*,,,!primary_on_claim,missing_kx,review,,no,"))
    assert rule.procedure_codes == frozenset()
    assert rule.conditions == (("primary_on_claim", False),)
    assert rule.template == "missing_kx" and rule.scrub is False


@pytest.mark.parametrize(
    "row, column, needle",
    [
        ("r1,5,96370,,,full_moon,missing_kx,disagree,,yes,", "conditions", "unknown condition"),
        ("r1,5,96370,,,,no_such_pattern,disagree,,yes,", "pattern", "unknown pattern"),
        ("r1,5,96370,,,,missing_kx,shout,,yes,", "action", "unknown action"),
        ("r1,soon,96370,,,,missing_kx,disagree,,yes,", "priority", "whole number"),
        ("r1,5,96370,,,,missing_kx,disagree,../evil,yes,", "template", "template names"),
        ("r1,5,96370,,,,missing_kx,disagree,,maybe,", "scrub", "yes, no or only"),
    ],
)
def test_bad_rows_name_line_and_column(tmp_path, row, column, needle):
    path = write(tmp_path, "ok,1,96369,,,,site_of_care,disagree,,yes,", row)
    with pytest.raises(ConfigError) as info:
        load_denial_map(path)
    text = str(info.value)
    assert str(path) in text and "row 3" in text and f"column {column!r}" in text
    assert needle in text


def test_duplicate_rule_id(tmp_path):
    path = write(tmp_path, "a,1,96369,,,,site_of_care,disagree,,yes,", "a,2,96369,,,,site_of_care,disagree,,yes,")
    with pytest.raises(ConfigError, match="duplicate rule id .also on line 2."):
        load_denial_map(path)


def test_missing_column(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text("rule_id,priority\nx,1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="missing columns"):
        load_denial_map(path)


def test_edited_copy_is_used(tmp_path):
    copy = tmp_path / "denial_map.csv"
    shutil.copyfile(denial_map_path(), copy)
    text = copy.read_text(encoding="utf-8").replace("missing_kx,80,", "missing_kx,0,")
    copy.write_text(text, encoding="utf-8")
    assert load_denial_map(copy)[0].rule_id == "missing_kx"


def test_payer_rules_resolve_mac_names_and_keep_sources():
    rules = load_payer_rules()
    # the MAC known, its own row; the MAC's name alone, the generic Part B row
    for name, key in (("Noridian JF", "noridian_jf"), ("First Coast", "first_coast_jn"),
                      ("CGS Administrators", "medicare"), ("Palmetto GBA", "medicare"),
                      ("NGS", "medicare"), ("WPS", "medicare")):
        assert rules.resolve(name) == key, name
        assert rules.get(key).payer_type == "medicare_ab" and rules.get(key).original_medicare
    assert rules.resolve("UnitedHealthcare Community Plan") == "uhc"
    assert rules.resolve("Cigna") == "cigna"
    assert rules.get(rules.resolve("Cigna HealthSpring")).payer_type == "medicare_advantage"
    assert rules.resolve("") == "other"
    medicare = rules.get("medicare")
    assert (medicare.cap_96371, medicare.kx_required, medicare.appeal_window_days) == (2, True, 120)
    assert "seed" in medicare.cap_source and medicare.lcd == ""  # an LCD number is never invented
    assert rules.get("nonexistent").key == "other"


def test_payer_rules_bad_value_names_the_line(tmp_path):
    table = read_data_csv("payers.csv")
    table.loc[1, "cap_96371"] = "two"
    path = tmp_path / "payers.csv"
    table.to_csv(path, index=False)
    with pytest.raises(ConfigError, match=r"row 3, column 'cap_96371'.*whole number"):
        load_payer_rules(path)


def test_codes_keep_leading_zeros():
    carcs = read_data_csv("carc.csv")
    assert carcs["code"].map(type).eq(str).all()
    assert "B15" in set(carcs["code"])
