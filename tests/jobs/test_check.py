"""appeals check: a validation report without writing anything."""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import SAMPLES

from appeals.cli import main
from appeals.jobs.check import check_files


def test_clean_835_is_ok():
    report = check_files([SAMPLES / "remit_scig.835"])
    assert report["verdict"] == "ok"
    (entry,) = report["files"]
    assert entry["rows_read"] == entry["lines"] == 28 and entry["rejected"] == []


def test_rejected_rows_and_mapping_are_reported():
    report = check_files([SAMPLES / "denials_clearinghouse.csv"])
    (entry,) = report["files"]
    assert report["verdict"] == "usable with problems"
    assert entry["mapping"]["claim_id"] == "Patient Acct"
    assert [(r["source_row"], r["column"]) for r in entry["rejected"]] == [(15, "Bill Amt")]


def test_unrecognised_codes_are_listed(tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text(
        "Claim #,CPT,Adj Reason,Remark,DOS,Payer\n"
        "A-1,9636,CO-119,N999,03/02/2026,Nowhere Health\n"
        "A-2,96369,CO-45,,03/02/2026,Aetna\n",
        encoding="utf-8",
    )
    (entry,) = check_files([odd])["files"]
    assert entry["unrecognised"]["procedure_codes"] == {"9636": 1}
    assert entry["unrecognised"]["rarcs_without_description"] == {"N999": 1}
    assert entry["unrecognised"]["payers_not_resolved"] == ["Nowhere Health"]


def test_cli_json_and_exit_codes(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["check", str(SAMPLES / "remit_scig.835"), "--json"])
    assert ok.exit_code == 0 and json.loads(ok.output)["verdict"] == "ok"
    bad = runner.invoke(main, ["check", str(tmp_path / "missing.csv"), str(SAMPLES / "remit_scig.835")])
    assert bad.exit_code == 1
    assert "unreadable" in bad.output and "file not found" in bad.output
    assert "Verdict: unusable" in bad.output
    assert not list(tmp_path.iterdir())  # nothing written
