"""Patient data stays on the machine and off the terminal: no network use, and messages name
files, rows, columns and claim ids, not patients, unless --verbose."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from appeals.cli import main
from appeals.jobs.run import run

EXPORTS = [str(SAMPLES / n) for n in ("denials_practicepro.xlsx", "denials_clearinghouse.csv",
                                      "remit_scig.835")]
LOG = str(SAMPLES / "infusion_log.csv")
# what the samples' patients are called and how their member ids start
SECRETS = ("Testpatient", "Testperson", "Peña-Test", "TESTPATIENT", "TESTPERSON", "ZZ")


def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the tool tried to use the network")

    # the class stays (libraries subclass it at import time); every way out is closed
    for name in ("connect", "connect_ex", "sendto", "bind"):
        monkeypatch.setattr(socket.socket, name, refuse)
    for name in ("create_connection", "getaddrinfo", "gethostbyname"):
        monkeypatch.setattr(socket, name, refuse)


def test_a_whole_run_uses_no_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    no_network(monkeypatch)
    summary = run(EXPORTS, tmp_path / "out", infusion_log=LOG, workers=1)
    assert summary.letters > 0 and (tmp_path / "out" / "summary.xlsx").is_file()
    result = CliRunner().invoke(main, ["scrub", str(SAMPLES / "charges.csv"), "-o",
                                       str(tmp_path / "scrub"), "--infusion-log", LOG])
    assert result.exit_code == 0, result.output


def _invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("command", [
    ["classify", *EXPORTS, "--infusion-log", LOG],
    ["classify", *EXPORTS, "--csv", "-"],
    ["check", *EXPORTS],
    ["check", *EXPORTS, "--json"],
    ["run", *EXPORTS, "--infusion-log", LOG, "--quiet", "-o", "{tmp}/out"],
    ["scrub", str(SAMPLES / "charges.csv"), "--infusion-log", LOG, "-o", "{tmp}/scrub"],
], ids=["classify", "classify-csv", "check", "check-json", "run", "scrub"])
def test_sample_commands_show_no_names_or_member_ids(command: list[str], tmp_path: Path) -> None:
    result = _invoke(*(c.replace("{tmp}", str(tmp_path)) for c in command))
    assert result.exit_code in (0, 1), result.output  # check exits 1 on files with problems
    for secret in SECRETS:
        assert secret not in result.stdout + result.stderr, secret


LEAKY = (
    "Claim #,Patient Name,Member ID,DOB,DOS,CPT,Units,Paid,Adj Reason\n"
    'L1,"Testpatient, Alpha",ZZ0000001,13/45/1950,03/05/2026,96371,3,0,CO-119\n'
    'L2,"Testpatient, Beta",ZZ0000002,01/02/1950,03/05/2026,96371,-1,0,CO-119\n'
    "L3,Testpatient, Gamma,ZZ0000003,01/02/1950,03/05/2026,96371,3,0,CO-119\n"
)


@pytest.fixture
def leaky(tmp_path: Path) -> Path:
    path = tmp_path / "leaky.csv"
    path.write_text(LEAKY, encoding="utf-8")
    return path


def test_rejected_rows_hide_patient_cells(leaky: Path, tmp_path: Path) -> None:
    for args in (["classify", str(leaky)], ["check", str(leaky)], ["check", str(leaky), "--json"],
                 ["run", str(leaky), "-o", str(tmp_path / "out"), "--quiet"]):
        result = _invoke(*args)
        shown = result.stdout + result.stderr
        assert "row 2" in shown or '"source_row": 2' in shown, args
        assert "Testpatient" not in shown and "ZZ000000" not in shown and "1950" not in shown
        assert "may hold patient data" in shown, args
    # the units problem is not patient data: its value is shown
    assert "column 'Units' (value '-1')" in _invoke("classify", str(leaky)).stderr


def test_verbose_shows_them(leaky: Path) -> None:
    result = _invoke("classify", str(leaky), "--verbose")
    assert "column 'DOB' (value '13/45/1950')" in result.stderr
    report = json.loads(_invoke("check", str(leaky), "--json", "--verbose").stdout)
    values = [r["value"] for r in report["files"][0]["rejected"]]
    assert "13/45/1950" in values


def test_an_unexpected_error_does_not_quote_the_data(leaky: Path, monkeypatch) -> None:
    import appeals.jobs.run

    def crash(*args: object, **kwargs: object) -> None:
        raise ValueError("could not convert 'Testpatient, Alpha' to float")

    monkeypatch.setattr(appeals.jobs.run, "classify", crash)
    result = _invoke("classify", str(leaky))
    assert result.exit_code == 1
    assert result.stderr == ("Error: unexpected ValueError. Run again with --debug and report "
                             "the traceback.\n")
    verbose = _invoke("classify", str(leaky), "--verbose")
    assert "Testpatient, Alpha" in verbose.stderr
