"""Scrub: each documented denial caught before sending, each near-miss passed untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from appeals.jobs.scrub import load_charges, scrub, scrub_files, write_scrub


def _claim(
    codes: list[tuple[str, float] | tuple[str, float, str]],
    *,
    payer: str = "Aetna",
    pos: str = "11",
    start: str = "",
    stop: str = "",
    sites: float = float("nan"),
    route: str = "",
) -> pd.DataFrame:
    rows = []
    for item in codes:
        code, units, mods = (*item, "")[:3]
        rows.append(
            {
                "claim_id": "T-1", "service_date": pd.Timestamp("2026-05-04"),
                "payer_name": payer, "place_of_service": pos, "procedure_code": code,
                "units": units, "modifiers": mods, "infusion_start": start,
                "infusion_stop": stop, "sites": sites, "admin_route": route,
            }
        )  # fmt: skip
    return pd.DataFrame(rows)


def _patterns(lines: pd.DataFrame) -> set[str]:
    out = scrub(lines)
    assert set(out["status"]) <= {"flagged", "clean"}
    return set(out.loc[out["status"] == "flagged", "pattern"])


CASES = {
    # rule: (trips it, near-miss that must pass clean)
    "wrong_route": (
        _claim([("96365", 1), ("96366", 1), ("J1559", 60, "JB")]),
        _claim([("96365", 1), ("96366", 1), ("J1561", 300, "JB")], route="IV"),
    ),
    "addon_without_primary": (
        _claim([("96370", 1), ("96371", 1), ("J1555", 80, "JB")]),
        _claim([("96369", 1), ("96370", 1), ("96371", 1), ("J1555", 80, "JB")]),
    ),
    "units_over_cap": (
        _claim([("96369", 1), ("96371", 3), ("J1558", 100, "JB")], payer="Cigna"),
        _claim([("96369", 1), ("96371", 2), ("J1558", 100, "JB")], payer="Cigna"),
    ),
    "missing_kx": (
        _claim([("96369", 1), ("J1559", 40, "JB")], payer="Palmetto GBA"),
        _claim([("96369", 1), ("J1559", 40, "JB;KX;JZ")], payer="Palmetto GBA"),
    ),
    "kx_on_admin_line": (
        _claim([("96369", 1, "KX"), ("J1555", 80, "JB")], payer="Medicare Part B"),
        _claim([("96369", 1), ("J1555", 80, "JB;KX;JZ")], payer="Medicare Part B"),
    ),
    "missing_jz_jw": (
        _claim([("96369", 1), ("J1559", 40, "JB;KX")], payer="Noridian JF"),
        _claim([("96369", 1), ("J1559", 40, "JB;KX;JW")], payer="Noridian JF"),
    ),
    "site_of_care": (
        _claim([("96369", 1), ("96370", 1)], pos="12"),
        # a facility POS (22) is flagged too (tests/jobs/test_scrub_facility.py): the office is
        # the clean case
        _claim([("96369", 1), ("96370", 1)], pos="11"),
    ),
    "iv_and_sc_same_encounter": (
        _claim([("96365", 1), ("96369", 1), ("J1559", 60, "JB")]),
        _claim([("96369", 1), ("J1559", 60, "JB")]),
    ),
    "time_units_mismatch": (
        _claim([("96369", 1), ("96370", 2), ("96371", 1)], start="09:00", stop="10:40", sites=2),
        _claim([("96369", 1), ("96370", 1), ("96371", 1)], start="09:00", stop="10:40", sites=2),
    ),
}


@pytest.mark.parametrize("pattern", sorted(CASES))
def test_each_rule_is_caught(pattern: str) -> None:
    assert _patterns(CASES[pattern][0]) == {pattern}


@pytest.mark.parametrize("pattern", sorted(CASES))
def test_each_near_miss_passes_clean(pattern: str) -> None:
    out = scrub(CASES[pattern][1])
    assert set(out["status"]) == {"clean"}
    assert set(out["pattern"]) == {""} and set(out["correction"]) == {""}


def test_missing_kx_only_where_the_payer_requires_it() -> None:
    assert _patterns(_claim([("96369", 1), ("J1559", 40, "JB")], payer="Aetna")) == set()


@pytest.mark.parametrize(
    ("stop", "billed", "flagged"),
    [("10:30", 1, True), ("10:31", 1, False), ("11:30", 2, True), ("11:31", 2, False)],
)
def test_time_edges_decide_96370(stop: str, billed: int, flagged: bool) -> None:
    lines = _claim([("96369", 1), ("96370", billed)], start="09:00", stop=stop, sites=1)
    assert _patterns(lines) == ({"time_units_mismatch"} if flagged else set())


def test_time_mismatch_carries_the_corrected_units() -> None:
    out = scrub(CASES["time_units_mismatch"][0])
    line = out[out["procedure_code"] == "96370"].iloc[0]
    assert line["corrected_units"] == 1
    assert "100 minutes" in line["evidence"]


def test_past_midnight_is_not_a_mismatch() -> None:
    lines = _claim([("96369", 1), ("96371", 1)], start="23:10", stop="00:40", sites=2)
    assert _patterns(lines) == set()


# --- the samples, end to end ----------------------------------------------------------------

EXPECTED = {
    "CHG-1002": "wrong_route",
    "CHG-1003": "addon_without_primary",
    # POS 22 on a professional claim, but the infusion log's times place it in the office:
    # the POS is the main fix, the 96371 cap its second cause (below)
    "CHG-1004": "site_of_care",
    "CHG-1005": "missing_kx",
    "CHG-1006": "kx_on_admin_line",
    "CHG-1007": "site_of_care",
    "CHG-1008": "iv_and_sc_same_encounter",
    "CHG-1009": "time_units_mismatch",
}
CLEAN = {"CHG-1001", "CHG-1010", "CHG-1011", "CHG-1012", "CHG-1013"}


@pytest.fixture(scope="module")
def sample_result():  # type: ignore[no-untyped-def]
    return scrub_files([SAMPLES / "charges.csv"], infusion_log=SAMPLES / "infusion_log.csv")


def test_samples_trip_each_rule_once(sample_result) -> None:  # type: ignore[no-untyped-def]
    flagged = sample_result.flagged
    found = {c: set(g["pattern"]) for c, g in flagged.groupby("claim_id")}
    assert found == {claim: {pattern} for claim, pattern in EXPECTED.items()}


def test_sample_facility_pos_with_office_times_combines_both_fixes(sample_result) -> None:  # type: ignore[no-untyped-def]
    lines = sample_result.lines
    claim = lines[lines["claim_id"] == "CHG-1004"].set_index("procedure_code")
    assert set(claim["corrected_place_of_service"]) == {"11"}
    assert claim.at["96371", "patterns"] == "site_of_care;units_over_cap"
    assert claim.at["96371", "units"] == 3 and claim.at["96371", "corrected_units"] == 2
    assert "infusion record (start 08:30, stop 10:05)" in claim.at["96371", "evidence"]


def test_samples_clean_claims_untouched(sample_result) -> None:  # type: ignore[no-untyped-def]
    lines = sample_result.lines
    clean = lines[lines["claim_id"].isin(CLEAN)]
    assert set(clean["status"]) == {"clean"}
    assert set(clean["correction"]) == {""}
    assert clean["corrected_units"].isna().all()
    original = load_charges([SAMPLES / "charges.csv"]).lines
    assert len(lines) == len(original)
    assert list(lines["procedure_code"]) == list(original["procedure_code"])
    assert list(lines["units"]) == list(original["units"])


def test_samples_report_the_log_join(sample_result) -> None:  # type: ignore[no-untyped-def]
    report = sample_result.log
    assert list(report.unmatched_log["claim_id"]) == ["CHG-1099"]
    assert set(report.claims_without_log["claim_id"]) == {
        "CHG-1003", "CHG-1007", "CHG-1008", "CHG-1012"
    }  # fmt: skip
    summary = sample_result.summary()
    assert summary[0].startswith("40 charge lines on 13 claims: 8 claims to fix")


def test_charges_without_claim_column_is_one_clear_error(tmp_path: Path) -> None:
    from appeals.errors import InputFileError

    path = tmp_path / "charges.csv"
    path.write_text("Patient,CPT,Units\nX,96369,1\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="claim id"):
        load_charges([path])


def test_written_outputs(sample_result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    documents = write_scrub(sample_result, tmp_path / "out")
    out = tmp_path / "out"
    assert not (out / "letters").exists()
    sheets = sorted(p.name for p in (out / "worksheets").iterdir())
    assert sheets == sorted(f"{c}.docx" for c in set(EXPECTED) - {"CHG-1007"})
    assert set(documents["claim_id"]) == set(EXPECTED) - {"CHG-1007"}
    book = openpyxl.load_workbook(out / "scrub.xlsx", read_only=True)
    assert book.sheetnames == ["Fix before sending", "All lines", "Infusion log", "Rejected rows"]
    rows = list(book["Fix before sending"].iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == set(EXPECTED)
    assert len(list(book["All lines"].iter_rows())) == 41


def test_worksheet_speaks_of_a_claim_not_yet_sent(sample_result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import docx

    write_scrub(sample_result, tmp_path / "out")
    text = "\n".join(p.text for p in docx.Document(tmp_path / "out" / "worksheets" / "CHG-1002.docx").paragraphs)
    assert "Pre-submission worksheet" in text and "frequency code 1" in text
    assert "REF*F8" not in text and "replacement" not in text.lower()


def test_cli_scrub(tmp_path: Path) -> None:
    from appeals.cli.scrub import command

    out = tmp_path / "scrub"
    args = [str(SAMPLES / "charges.csv"), "-o", str(out), "--infusion-log",
            str(SAMPLES / "infusion_log.csv")]  # fmt: skip
    result = CliRunner().invoke(command, args)
    assert result.exit_code == 0, result.output
    assert "8 claims to fix before sending, 5 clean" in result.output
    assert "fix CHG-1009: time_units_mismatch" in result.output
    assert (out / "scrub.xlsx").is_file()
    again = CliRunner().invoke(command, args)
    assert again.exit_code == 1 and "--force" in again.output
    assert CliRunner().invoke(command, [*args, "--force"]).exit_code == 0
    shutil.rmtree(out)


def test_one_claim_id_for_two_patients_is_two_claims_in_scrub(tmp_path: Path) -> None:
    from appeals.cli.scrub import command

    charges = tmp_path / "charges.csv"
    charges.write_text(
        "Claim #,Patient Name,Member ID,Payer,DOS,POS,CPT,Modifiers,Units,Charge\n"
        "1001,\"Testpatient, Alice\",ZZS000001,Aetna,05/04/2026,11,96370,,1,$120.00\n"
        "1001,\"Testpatient, Alice\",ZZS000001,Aetna,05/04/2026,11,96371,,1,$90.00\n"
        "1001,\"Testpatient, Bruno\",ZZS000002,Cigna,05/04/2026,11,96369,,1,$260.00\n",
        encoding="utf-8")
    out = tmp_path / "scrub"
    result = CliRunner().invoke(command, [str(charges), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 charge lines on 2 claims: 1 claims to fix before sending, 1 clean" in result.output
    assert result.output.count("fix 1001: addon_without_primary") == 1
    import docx

    sheets = list((out / "worksheets").iterdir())
    assert len(sheets) == 1
    text = "\n".join(p.text for p in docx.Document(str(sheets[0])).paragraphs)
    assert "Alice" in text and "Bruno" not in text and "ZZS000002" not in text
