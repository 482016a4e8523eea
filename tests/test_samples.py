"""The shipped samples classify exactly as their expected files say, and no row is lost."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLES

from appeals.jobs.run import classify_files


def _label(frame: pd.DataFrame) -> pd.Series:
    return frame["pattern"].where(frame["pattern"] != "", frame["status"])


@pytest.fixture(scope="module")
def spreadsheets():
    files = [SAMPLES / "denials_practicepro.xlsx", SAMPLES / "denials_clearinghouse.csv"]
    classified, loaded, _ = classify_files(files)
    return classified, loaded


def test_spreadsheet_samples_match_expected(spreadsheets):
    classified, loaded = spreadsheets
    expected = pd.read_csv(SAMPLES / "expected_classification.csv", dtype=str, keep_default_na=False)
    got = classified.assign(
        source_file=classified["source_file"].map(lambda p: Path(p).name),
        source_row=classified["source_row"].astype(str),
        got=_label(classified),
    )[["source_file", "source_row", "claim_id", "procedure_code", "got"]]
    rejected = loaded.rejected.assign(
        source_file=loaded.rejected["source_file"].map(lambda p: Path(p).name),
        source_row=loaded.rejected["source_row"].astype(str),
        got="rejected",
    )[["source_file", "source_row", "got"]]
    want_lines = expected[expected["expected"] != "rejected"]
    merged = want_lines.merge(got, on=["source_file", "source_row"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"]
    mismatch = merged[merged["expected"] != merged["got"]]
    assert mismatch.empty, mismatch[["source_file", "source_row", "claim_id_x", "expected", "got"]]
    want_rejected = expected[expected["expected"] == "rejected"][["source_file", "source_row"]]
    assert sorted(map(tuple, want_rejected.to_numpy())) == sorted(
        map(tuple, rejected[["source_file", "source_row"]].to_numpy())
    )


def test_nothing_lost(spreadsheets):
    classified, loaded = spreadsheets
    assert sum(r.rows_read for r in loaded.reports) == len(classified) + len(loaded.rejected)


def test_every_pattern_is_in_the_samples(spreadsheets):
    classified, _ = spreadsheets
    x12, _, _ = classify_files([SAMPLES / "remit_scig.835"])
    seen = set(classified["pattern"]) | set(x12["pattern"])
    assert seen - {""} == {
        "wrong_route", "units_over_cap", "addon_without_primary", "site_of_care", "missing_kx",
        "kx_on_admin_line", "iv_and_sc_same_encounter", "time_units_mismatch",
    }
    assert {"paid", "out_of_scope", "needs_review"} <= set(classified["status"])


def test_835_sample_matches_expected():
    classified, loaded, _ = classify_files([SAMPLES / "remit_scig.835"])
    expected = pd.read_csv(SAMPLES / "remit_scig.expected.csv", dtype=str, keep_default_na=False)
    got = classified.assign(source_row=classified["source_row"].astype(str), got=_label(classified))
    merged = expected.merge(got, on=["source_row", "claim_id", "procedure_code"], how="left")
    assert len(merged) == len(classified) == len(expected)
    assert merged["got"].tolist() == merged["expected"].tolist()
    assert loaded.rejected.empty


def test_835_and_spreadsheet_agree_on_the_same_denials():
    """The same SCIG situations classify alike whichever format brought them."""
    x12, _, _ = classify_files([SAMPLES / "remit_scig.835"])
    sheet, _, _ = classify_files([SAMPLES / "denials_practicepro.xlsx"])
    for frame in (x12, sheet):
        denied = frame[frame["status"] == "denied"]
        by_code = denied.groupby("pattern")["procedure_code"].agg(set)
        assert "96365" in by_code["wrong_route"]
        assert "96371" in by_code["units_over_cap"]
        assert by_code["addon_without_primary"] >= {"96370", "96371"}
