"""One claim id on two patients' lines in the ledger (issue #12 item 3): a mark or a history
must say whose claim it means; nothing is changed for both."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner

from appeals.cli import main
from appeals.jobs import run as run_module
from appeals.ledger import open_ledger, queue


def _two_patients(tmp_path, target, export) -> None:
    run_module.run([export], tmp_path / "out", ledger=target, today=dt.date(2026, 4, 30))


def _states(target) -> dict[str, str]:
    with open_ledger(target) as ledger:
        rows = queue(ledger, private=True, today=dt.date(2026, 4, 30),
                     states=("open", "drafted", "submitted", "closed"))
    return {row["member_id"]: row["state"] for row in rows}


def _invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_mark_on_a_shared_claim_id_is_refused_until_it_says_whose(target, tmp_path,
                                                                   two_patients_export):
    _two_patients(tmp_path, target, two_patients_export)
    before = _states(target)
    assert set(before) == {"ZZ0000001", "ZZ0000002"}
    refused = _invoke("mark", "1001", "--ledger", target, "--submitted", "05/01/2026", "--via", "portal")
    assert refused.exit_code == 1
    assert "claim 1001 is on the lines of 2 different members or payers; nothing was changed" in refused.output
    assert "--member" in refused.output and "Traceback" not in refused.output
    assert "ZZ000000" not in refused.output  # no member id on the terminal without --verbose
    assert _states(target) == before
    done = _invoke("mark", "1001", "--ledger", target, "--submitted", "05/01/2026", "--via",
                   "portal", "--member", "ZZ0000002")
    assert done.exit_code == 0, done.output
    after = _states(target)
    assert after["ZZ0000002"] == "submitted" and after["ZZ0000001"] == before["ZZ0000001"]
    by_payer = _invoke("mark", "1001", "--ledger", target, "--closed", "--payer", "noridian")
    assert by_payer.exit_code == 0, by_payer.output
    assert _states(target) == {"ZZ0000001": "closed", "ZZ0000002": "submitted"}


def test_a_history_narrowed_to_one_member_shows_only_their_lines(target, tmp_path,
                                                                 two_patients_export):
    _two_patients(tmp_path, target, two_patients_export)
    both = _invoke("history", "1001", "--ledger", target, "--json")
    alice = _invoke("history", "1001", "--ledger", target, "--json", "--member", "ZZ0000001")
    assert both.exit_code == 0 and alice.exit_code == 0, alice.output
    assert "96371" in alice.output and "96369" not in alice.output
    assert "96369" in both.output and "96371" in both.output
