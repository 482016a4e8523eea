"""Medicare Advantage by contract status (routes.csv's contracted dimension) and the MAC's
written reopening form (payers.csv's reopening_form)."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from conftest import canonical_line, lines_frame

from appeals.classify.classifier import classify
from appeals.errors import ConfigError
from appeals.resources import data_path
from appeals.rules.payers import load_payer_rules
from appeals.rules.routes import load_routes

TODAY = dt.date(2026, 4, 30)


def _payers(tmp_path, **settings: dict[str, str]):
    """The packaged payer table with ``settings`` per payer key."""
    with data_path("payers.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row.update(settings.get(row["payer"], {}))
    path = tmp_path / "payers.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(rows)
    return path


def _disputed(payers_path):
    """An MA plan's POS denial at the office: a disagreement (reconsideration)."""
    rows = [canonical_line("MA1", "96369", payer_name="Humana Gold Plus", carcs="58",
                           rarcs="N428", adjustments="CO-58:260",
                           remit_date="2026-04-10")]
    return classify(lines_frame(rows, classified=False), today=TODAY,
                    payer_rules=load_payer_rules(payers_path)).iloc[0]


@pytest.mark.parametrize("settings, deadline, basis", [
    ({"contracted": "no"}, "2026-06-14", "+ 65 days"),
    ({"contracted": ""}, "2026-06-14", "until contracted is set in payers.csv"),
    ({"contracted": "yes", "contract_window_days": "30"}, "2026-05-10", "+ 30 days"),
    ({"contracted": "yes"}, None, "set contract_window_days"),
])
def test_medicare_advantage_window_follows_the_contract(tmp_path, settings, deadline, basis):
    line = _disputed(_payers(tmp_path, humana_ma=settings))
    assert line["route"] == "reconsideration"
    got = None if line["deadline"] != line["deadline"] else line["deadline"].date().isoformat()
    assert got == deadline
    assert basis in line["deadline_basis"]


def test_each_contract_status_has_its_own_row():
    table = load_routes()
    rows = {c: table.find("medicare_advantage", "professional", "processed", "disagree", c)
            for c in ("yes", "no", "unknown")}
    assert len({r.line for r in rows.values()}) == 3
    assert rows["yes"].from_contract and "participation agreement" in rows["yes"].source
    assert rows["no"].window_days == 65 and "Waiver of Liability" in rows["no"].source
    assert "not configured" in rows["unknown"].source


def test_a_table_without_the_contracted_column_still_loads(tmp_path):
    with data_path("routes.csv").open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["contracted"] == "*"]
    path = tmp_path / "routes.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        names = [n for n in rows[0] if n != "contracted"]
        out = csv.DictWriter(f, fieldnames=names, extrasaction="ignore")
        out.writeheader()
        out.writerows(rows)
    table = load_routes(path)
    assert table.find("medicaid", "professional", "processed", "disagree", "yes").route == (
        "reconsideration")


def test_an_unknown_contract_value_names_the_cell(tmp_path):
    text = data_path("routes.csv").read_text(encoding="utf-8")
    path = tmp_path / "routes.csv"
    path.write_text(text.replace("medicare_advantage,*,yes,", "medicare_advantage,*,maybe,", 1))
    with pytest.raises(ConfigError) as err:
        load_routes(path)
    message = str(err.value)
    assert "contracted" in message and "maybe" in message and "unknown" in message


def test_a_reopening_form_belongs_to_a_mac(tmp_path):
    assert load_payer_rules(_payers(tmp_path, cgs_j15={"reopening_form": "Form X"})).get(
        "cgs_j15").reopening_form == "Form X"
    with pytest.raises(ConfigError) as err:
        load_payer_rules(_payers(tmp_path, aetna={"reopening_form": "Form X"}))
    assert "reopening_form" in str(err.value) and "MAC" in str(err.value)


def test_the_packaged_table_names_no_form_and_no_contract():
    """Never an invented form name or contract status: the office says."""
    rules = load_payer_rules()
    assert all(r.reopening_form == "" for r in rules.rules.values())
    assert all(r.contracted is None and r.contract_window_days is None
               for r in rules.rules.values())
