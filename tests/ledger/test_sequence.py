"""The sample sequence through the real CLI, on both engines: denials appealed, paid later,
denied again and escalated, partly paid, corrected and paid under a new claim number."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from appeals.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEQUENCE = ROOT / "samples" / "ledger_sequence"
PRACTICE = ROOT / "templates" / "practice.toml"


@pytest.fixture
def cli(target):
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True):
        result = runner.invoke(main, list(args), env={"APPEALS_LEDGER": target},
                               catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return invoke


def _run(cli, tmp_path, name: str, today: str):
    out = tmp_path / name
    cli("run", str(SEQUENCE / name), "-o", str(out), "--practice", str(PRACTICE),
        "--today", today, "--quiet")
    return out


def _queue(cli, *extra: str) -> dict[tuple[str, str], dict]:
    rows = json.loads(cli("queue", "--json", "--today", "2026-08-02", *extra).output)
    return {(r["claim_id"], r["procedure_code"]): r for r in rows}


def _items(cli) -> dict[tuple[str, str], dict]:
    states = [f"--state={s}" for s in ("open", "drafted", "submitted", "won", "partly_won",
                                       "lost", "closed", "written_off")]
    return _queue(cli, *states)


def test_the_sample_sequence(cli, tmp_path):
    first = _run(cli, tmp_path, "01_medicare_0601.835", "2026-06-02")
    _run(cli, tmp_path, "02_uhc_0603.835", "2026-06-04")
    items = _queue(cli)
    assert set(items) == {("SEQ-2001", "96369"), ("SEQ-2002", "96369"),
                          ("SEQ-3001", "96369"), ("SEQ-3002", "96371")}
    assert {r["state"] for r in items.values()} == {"drafted"}
    assert "1 of 4 open items (as of 2026-08-02) (--all shows every one)." in cli(
        "queue", "--limit", "1", "--today", "2026-08-02").output
    assert items["SEQ-2002", "96369"]["route"] == "redetermination"
    assert items["SEQ-2002", "96369"]["deadline"] == "2026-10-04"  # 0601 + 5 + 120 days
    assert items["SEQ-3002", "96371"]["route"] == "corrected_claim"
    sheet = openpyxl.load_workbook(first / "ledger_queue.xlsx")["Queue"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["claim_id", "payer_claim_number", "procedure_code"]
    assert sorted(r[0] for r in sheet.iter_rows(min_row=2, max_row=3, values_only=True)) == [
        "SEQ-2001", "SEQ-2002"]

    for claim, day, via in (("SEQ-2001", "06/03/2026", "portal"), ("SEQ-2002", "06/03/2026", "portal"),
                            ("SEQ-3001", "06/05/2026", "portal"), ("SEQ-3002", "06/05/2026", "837")):
        assert "state submitted" in cli("mark", claim, "--submitted", day, "--via", via).output

    _run(cli, tmp_path, "03_medicare_0715.835", "2026-07-16")
    items = _items(cli)
    won = items["SEQ-2001", "96369"]
    assert won["state"] == "won" and won["recovered_amount"] == pytest.approx(134.40)
    lost = items["SEQ-2002", "96369"]
    assert lost["state"] == "lost" and lost["level"] == 2
    assert lost["next_level"] == "reconsideration (QIC)"
    assert lost["deadline"] == "2027-01-16"  # 0715 + 5 days' receipt + 180 days
    assert lost["payer_claim_number"] == "26196100002"  # the payer's latest claim number
    history_before = cli("history", "SEQ-2002", "--json").output

    again = cli("run", str(SEQUENCE / "03_medicare_0715.835"), "-o", str(tmp_path / "again"),
                "--practice", str(PRACTICE), "--today", "2026-07-16", "--quiet").output
    assert "already in the ledger, not recorded again" in again
    assert cli("history", "SEQ-2002", "--json").output == history_before
    assert _items(cli) == items

    cli("mark", "26196100002", "--submitted", "07/20/2026", "--via", "mail", "--note", "QIC request")
    _run(cli, tmp_path, "04_uhc_0801.835", "2026-08-02")
    items = _items(cli)
    partly = items["SEQ-3001", "96369"]
    assert partly["state"] == "partly_won" and partly["recovered_amount"] == pytest.approx(100.0)
    corrected = items["SEQ-3002", "96371"]
    assert corrected["state"] == "won" and corrected["payer_claim_number"] == "UHC3002B"
    assert corrected["pattern"] == "units_over_cap"  # kept from the denial
    assert set(_queue(cli)) == {("SEQ-2002", "96369"), ("SEQ-3001", "96369")}

    events = json.loads(cli("history", "SEQ-2002", "--json").output)
    assert [e["kind"] for e in events] == ["opened", "drafted", "submitted", "lost", "submitted"]
    assert events[-1]["after"]["note"] == "QIC request" and events[-1]["source"].startswith("user ")
    assert events[3]["source"].endswith("03_medicare_0715.835 row 42")
    assert events[3]["before"]["state"] == "submitted" and events[3]["after"]["state"] == "lost"

    figures = json.loads(cli("stats", "--json").output)
    totals = figures["totals"]
    assert totals["denied"] == 4 and totals["lines"] == 18
    assert totals["denied_amount"] == pytest.approx(810.0)
    assert totals["recovered_amount"] == pytest.approx(292.0)
    by_payer = {r["payer"]: r for r in figures["by_payer"]}
    assert by_payer["medicare"]["overturn_rate"] == pytest.approx(0.5)
    assert by_payer["uhc"]["overturn_rate"] == pytest.approx(1.0)
    assert {r["pattern"] for r in figures["by_pattern"]} == {"site_of_care", "units_over_cap"}
    assert [r["month"] for r in figures["by_month"]] == ["2026-06", "2026-07", "2026-08"]
    text = cli("stats").output
    assert "medicare" in text and "810.00" in text


def test_submitted_claims_are_not_drafted_again(cli, tmp_path):
    first = _run(cli, tmp_path, "01_medicare_0601.835", "2026-06-02")
    assert len(list((first / "letters").iterdir())) == 2
    cli("mark", "SEQ-2001", "--submitted", "06/03/2026", "--via", "portal")
    out = tmp_path / "rerun"
    result = cli("run", str(SEQUENCE / "01_medicare_0601.835"), "-o", str(out),
                 "--practice", str(PRACTICE), "--today", "2026-06-04", "--quiet")
    assert "1 claims already submitted were not drafted again" in result.output
    assert [p.name for p in (out / "letters").iterdir()] == [
        p.name for p in (first / "letters").iterdir() if "SEQ-2002" in p.name]
    redraft = tmp_path / "redraft"
    cli("run", str(SEQUENCE / "01_medicare_0601.835"), "-o", str(redraft), "--redraft",
        "--practice", str(PRACTICE), "--today", "2026-06-04", "--quiet")
    assert len(list((redraft / "letters").iterdir())) == 2


def test_queue_hides_patients_unless_verbose(cli, tmp_path):
    _run(cli, tmp_path, "01_medicare_0601.835", "2026-06-02")
    plain = cli("queue").output + cli("queue", "--json").output
    assert "TESTPATIENT" not in plain.upper() and "ZZ0000101" not in plain
    verbose = cli("queue", "--verbose").output
    assert "TESTPATIENT, ALICE" in verbose.upper() and "ZZ0000101" in verbose


def test_mark_and_history_name_an_unknown_claim(cli, tmp_path):
    _run(cli, tmp_path, "01_medicare_0601.835", "2026-06-02")
    for args in (("mark", "NOPE-1", "--closed"), ("history", "NOPE-1")):
        result = cli(*args, ok=False)
        assert result.exit_code == 1
        assert "has no denied line for that claim" in result.output and "Fix:" in result.output
        assert "Traceback" not in result.output


def test_write_off_close_reopen_and_a_refused_mark(cli, tmp_path):
    _run(cli, tmp_path, "01_medicare_0601.835", "2026-06-02")
    cli("mark", "SEQ-2001", "--written-off", "--on", "06/10/2026", "--note", "below threshold")
    cli("mark", "SEQ-2002", "--written-off", "--amount", "50")
    items = _items(cli)
    assert items["SEQ-2001", "96369"]["state"] == "written_off"
    figures = json.loads(cli("stats", "--json").output)
    assert figures["totals"]["written_off_amount"] == pytest.approx(210.0 + 50.0)
    assert set(_queue(cli)) == set()

    cli("mark", "SEQ-2001", "--reopen")
    assert _queue(cli)["SEQ-2001", "96369"]["state"] == "open"
    refused = cli("mark", "SEQ-2002", "--drafted", ok=False)
    assert refused.exit_code == 1
    assert "cannot mark the claim drafted: its lines are written_off; nothing was changed" in refused.output
    both = cli("mark", "SEQ-2001", "--closed", "--written-off", ok=False)
    assert both.exit_code == 2 and "give one of" in both.output
    kinds = [e["kind"] for e in json.loads(cli("history", "SEQ-2001", "--json").output)]
    assert kinds == ["opened", "drafted", "written_off", "open"]
