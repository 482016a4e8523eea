"""practice.toml's claim_type: used through the CLI only where the data does not say."""

from __future__ import annotations

import csv
import io

import docx
import pytest
from click.testing import CliRunner

from appeals.cli import main

HEADER = ["Claim #", "Payer", "DOS", "POS", "Rev Code", "Claim Form", "CPT", "Modifiers",
          "Units", "Charge", "Paid", "Group Code", "Reason Code", "Remark Code", "Remit Date"]


def _export(tmp_path, rev="", form=""):
    path = tmp_path / "denials.csv"
    rows = [
        ["CT-1", "Noridian JF", "03/02/2026", "11", rev, form, "96369", "", "1", "260", "144",
         "CO", "45", "", "04/10/2026"],
        ["CT-1", "Noridian JF", "03/02/2026", "11", rev, form, "J1559", "JB JZ", "40", "4000",
         "0", "CO", "4", "N115", "04/10/2026"],
    ]
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        out.writerows(rows)
    return path


def _practice(tmp_path, claim_type):
    path = tmp_path / "practice.toml"
    setting = f'claim_type = "{claim_type}"\n' if claim_type else ""
    path.write_text(f'[practice]\nname = "Testclinic Infusion"\n{setting}')
    return path


def _classify(*args):
    result = CliRunner().invoke(main, ["classify", *map(str, args), "--csv", "-"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    denied = [r for r in rows if r["status"] == "denied"]
    assert len(denied) == 1
    return denied[0]


@pytest.mark.parametrize("setting, claim_type, route", [
    ("", "professional", "reopening"),  # nothing said: professional, as before the setting
    ("professional", "professional", "reopening"),
    ("institutional", "institutional", "corrected_claim"),
])
def test_the_setting_decides_when_the_data_is_silent(tmp_path, setting, claim_type, route):
    line = _classify(_export(tmp_path), "--practice", _practice(tmp_path, setting))
    assert (line["claim_type"], line["route"]) == (claim_type, route)


@pytest.mark.parametrize("rev, form, claim_type", [
    ("0636", "", "institutional"),  # a revenue code says institutional
    ("", "CMS-1500", "professional"),  # the claim form column says professional
])
def test_the_data_wins_over_the_setting(tmp_path, rev, form, claim_type):
    opposite = "professional" if claim_type == "institutional" else "institutional"
    line = _classify(_export(tmp_path, rev, form), "--practice", _practice(tmp_path, opposite))
    assert line["claim_type"] == claim_type


def test_run_uses_the_setting(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "run", str(_export(tmp_path)), "-o", str(out), "--today", "2026-04-30", "--quiet",
        "--practice", str(_practice(tmp_path, "institutional"))], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    text = "\n".join(p.text for p in docx.Document(str(out / "worksheets" / "CT-1.docx")).paragraphs)
    assert "Corrected-claim worksheet" in text


def test_a_bad_setting_is_one_clear_message(tmp_path):
    bad = _practice(tmp_path, "dental")
    result = CliRunner().invoke(main, ["classify", str(_export(tmp_path)), "--practice", str(bad)])
    assert result.exit_code == 1
    assert "practice.claim_type" in result.output and "'dental'" in result.output
    assert "institutional" in result.output and "Traceback" not in result.output


def test_init_writes_the_setting_commented(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path / "office")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "office" / "practice.toml").read_text()
    assert '# claim_type = "professional"' in text
    assert "\nclaim_type" not in text  # commented: the data decides until the office says
