"""The infusion log: reading CSV and Excel as EHRs export them, and the join to claim lines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from appeals.classify.units import supported_units, units_for_sites, units_for_times
from appeals.errors import InputFileError
from appeals.readers.infusion_join import join_infusion_log, site_times_for
from appeals.readers.infusion_log import read_infusion_log
from appeals.schema import LINE_COLUMNS, conform

LOG_CSV = """Infusion record export,,,
Claim ID,Member ID,Patient,Date of Service,Site,Start Time,Stop Time,Product,Route
C100,M1,"Testpatient, Alpha",03/05/2024,L abdomen,9:05 AM,10:30 AM,Hizentra,Subcutaneous
C100,M1,"Testpatient, Alpha",03/05/2024,R abdomen,0910,1050,Hizentra,SC
C100,M1,"Testpatient, Alpha",03/05/2024,L thigh,09:12,10:41,Hizentra,SQ
,M2,"Testpatient, Beta",2024-03-06,1,23:30,00:45,Cuvitru,SC
C999,M9,"Testpatient, Gamma",03/07/2024,1,09:00,10:00,Xembify,SC
"""


def _write(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _lines(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["service_date"] = pd.to_datetime(frame["service_date"])
    return conform(frame)


@pytest.fixture
def lines() -> pd.DataFrame:
    base = {"patient_name": "Testpatient, Alpha", "member_id": "M1", "service_date": "2024-03-05"}
    return _lines(
        [
            {**base, "claim_id": "C100", "procedure_code": "96369", "units": 1},
            {**base, "claim_id": "C100", "procedure_code": "96370", "units": 1},
            {**base, "claim_id": "C100", "procedure_code": "96371", "units": 2},
            {**base, "claim_id": "C100", "procedure_code": "J1559", "units": 40, "product": "Own"},
            {"claim_id": "C200", "member_id": "M2", "patient_name": "Beta Testpatient",
             "service_date": "2024-03-06", "procedure_code": "96369", "units": 1},
            {"claim_id": "C300", "member_id": "M4", "patient_name": "Testpatient, Delta",
             "service_date": "2024-03-08", "procedure_code": "J1559", "units": 40},
            {"claim_id": "C400", "member_id": "M5", "patient_name": "Testpatient, Echo",
             "service_date": "2024-03-08", "procedure_code": "99213", "units": 1},
        ]
    )  # fmt: skip


def test_reads_csv_below_a_title_row(tmp_path: Path) -> None:
    log = read_infusion_log(_write(tmp_path, LOG_CSV))
    assert log.rejected.empty
    sites = log.sites
    assert list(sites["source_row"]) == [3, 4, 5, 6, 7]
    assert list(sites["start"]) == ["09:05", "09:10", "09:12", "23:30", "09:00"]
    assert list(sites["stop"]) == ["10:30", "10:50", "10:41", "00:45", "10:00"]
    assert list(sites["route"]) == ["SC"] * 5
    assert sites["service_date"].iloc[3] == pd.Timestamp("2024-03-06")
    assert sites["site"].iloc[0] == "L abdomen"


def test_bad_rows_are_rejected_with_every_reason_never_dropped(tmp_path: Path) -> None:
    text = LOG_CSV + (
        'C100,M1,"Testpatient, Alpha",03/05/2024,R thigh,09:15,,Hizentra,SC\n'
        'C101,M3,"Testpatient, Delta",03/05/2024,1,9:00,9.77,Hizentra,IM\n'
        ",,,03/05/2024,1,9:00,10:00,Hizentra,SC\n"
        'C102,M3,"Testpatient, Delta",02/30/2024,1,10:00,10:00,Hizentra,SC\n'
    )
    log = read_infusion_log(_write(tmp_path, text))
    assert len(log.sites) + len(log.rejected) == 9
    bad = log.rejected.set_index("source_row")
    assert bad.loc[8, "reason"] == "stop time missing: fill it in from the chart"
    assert bad.loc[9, "column"] == "stop, route"
    assert bad.loc[9, "value"] == "9.77; IM"
    assert "route is not SC or IV" in bad.loc[9, "reason"]
    assert "no claim id" in bad.loc[10, "reason"]
    assert "date of service is not a date" in bad.loc[11, "reason"]
    assert "stop equals start" in bad.loc[11, "reason"]
    assert bad["code"].to_dict() == {8: "missing-time", 9: "bad-time;bad-route",
                                     10: "unidentified", 11: "bad-date;stop-equals-start"}
    assert all(bad["source_file"] == str(tmp_path / "log.csv"))
    # Rows whose encounter is still known are held so the join leaves that encounter alone.
    assert sorted(log.held["source_row"]) == [8, 9, 11]


def test_excel_time_cells_fractions_and_member_key(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["SCIG infusion log"])
    sheet.append([])
    sheet.append(["Member ID", "Patient Name", "DOS", "Site #", "Start", "Stop", "Drug", "Route"])
    sheet.append(["M1", "Testpatient, Alpha", dt.date(2024, 3, 5), 1, dt.time(9, 5),
                  dt.time(10, 30), "Hizentra", "SubQ"])  # fmt: skip
    sheet.append(["M1", "Testpatient, Alpha", dt.datetime(2024, 3, 5), 2, 0.381944444,
                  0.451388889, "Hizentra", "SC"])  # fmt: skip
    path = tmp_path / "log.xlsx"
    book.save(path)
    log = read_infusion_log(path)
    assert log.rejected.empty, log.rejected.to_dict("records")
    assert list(log.sites["source_row"]) == [4, 5]
    assert list(log.sites["start"]) == ["09:05", "09:10"]
    assert list(log.sites["stop"]) == ["10:30", "10:50"]
    assert list(log.sites["site"]) == ["1", "2"]
    assert (log.sites["service_date"] == pd.Timestamp("2024-03-05")).all()


def test_missing_columns_is_one_clear_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "Claim ID,Site,Product\nC1,1,Hizentra\n")
    with pytest.raises(InputFileError) as caught:
        read_infusion_log(path)
    message = str(caught.value)
    assert "log.csv" in message and "start" in message and "stop" in message
    assert "Fix:" in message


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found"):
        read_infusion_log(tmp_path / "nope.csv")


# --- the join ------------------------------------------------------------------------------


def test_join_sets_span_sites_route_product(tmp_path: Path, lines: pd.DataFrame) -> None:
    out, report = join_infusion_log(lines, read_infusion_log(_write(tmp_path, LOG_CSV)))
    assert list(out.columns) == list(LINE_COLUMNS)
    assert out.index.equals(lines.index)
    c100 = out[out["claim_id"] == "C100"]
    assert set(c100["infusion_start"]) == {"09:05"}
    assert set(c100["infusion_stop"]) == {"10:50"}
    assert set(c100["sites"]) == {3.0}
    assert set(c100["admin_route"]) == {"SC"}
    # product only where the line had none
    assert list(c100["product"]) == ["Hizentra", "Hizentra", "Hizentra", "Own"]
    assert report.encounters_matched == 2
    assert report.lines_updated == 5
    assert report.log_rows_matched == 4


def test_join_by_member_and_date_past_midnight(tmp_path: Path, lines: pd.DataFrame) -> None:
    out, _ = join_infusion_log(lines, read_infusion_log(_write(tmp_path, LOG_CSV)))
    c200 = out[out["claim_id"] == "C200"].iloc[0]
    assert (c200["infusion_start"], c200["infusion_stop"], c200["sites"]) == ("23:30", "00:45", 1)


def test_join_by_patient_name_when_log_has_no_ids(tmp_path: Path, lines: pd.DataFrame) -> None:
    text = 'Patient,Date,Start,Stop\n"Alpha Testpatient",3/5/2024,09:00,10:31\n'
    out, report = join_infusion_log(lines, read_infusion_log(_write(tmp_path, text)))
    assert set(out.loc[out["claim_id"] == "C100", "infusion_stop"]) == {"10:31"}
    assert report.encounters_matched == 1


def test_unmatched_log_rows_and_claims_without_log_are_reported(
    tmp_path: Path, lines: pd.DataFrame
) -> None:
    out, report = join_infusion_log(lines, read_infusion_log(_write(tmp_path, LOG_CSV)))
    assert len(out) == len(lines)
    assert list(report.unmatched_log["source_row"]) == [7]
    assert report.unmatched_log["reason"].iloc[0].startswith("no claim on this date")
    without = report.claims_without_log
    assert list(without["claim_id"]) == ["C300", "C400"]
    assert list(without["scig"]) == [True, False]
    summary = report.summary()
    assert summary[0] == "2 encounters matched the infusion log (4 log rows, 5 claim lines updated)"
    assert "1 log row matched no claim (rows 7)" in summary
    assert "2 encounters without an infusion log; SCIG claims among them: C300" in summary
    assert not any("Testpatient" in s for s in summary)


def test_claim_on_another_day_is_explained(tmp_path: Path, lines: pd.DataFrame) -> None:
    text = "Claim ID,Date of Service,Start,Stop\nC100,03/06/2024,09:00,10:00\n"
    _, report = join_infusion_log(lines, read_infusion_log(_write(tmp_path, text)))
    assert report.unmatched_log["reason"].iloc[0] == (
        "the claim id is on the lines, but not with this date of service"
    )


def test_claim_id_without_date_matches_a_single_day_claim(
    tmp_path: Path, lines: pd.DataFrame
) -> None:
    text = "Claim ID,Start,Stop,Site\nC100,09:00,10:00,1\nC100,09:00,10:40,2\n"
    out, report = join_infusion_log(lines, read_infusion_log(_write(tmp_path, text)))
    assert set(out.loc[out["claim_id"] == "C100", "sites"]) == {2.0}
    assert report.encounters_matched == 1


def test_rejected_log_row_leaves_its_encounter_as_billed(
    tmp_path: Path, lines: pd.DataFrame
) -> None:
    text = LOG_CSV + 'C100,M1,"Testpatient, Alpha",03/05/2024,R thigh,09:15,,Hizentra,SC\n'
    out, report = join_infusion_log(lines, read_infusion_log(_write(tmp_path, text)))
    c100 = out[out["claim_id"] == "C100"]
    assert set(c100["infusion_start"]) == {""}
    assert c100["sites"].isna().all()
    assert any(
        p.startswith("claim C100 on 2024-03-05: log row 8 was rejected") for p in report.problems
    )
    assert "C100" not in set(report.claims_without_log["claim_id"])


def test_site_times_kept_for_the_worksheet(tmp_path: Path, lines: pd.DataFrame) -> None:
    _, report = join_infusion_log(lines, read_infusion_log(_write(tmp_path, LOG_CSV)))
    sites = site_times_for(report, ["C100"])
    assert list(sites["site"]) == ["L abdomen", "R abdomen", "L thigh"]
    assert list(sites["minutes"]) == [85, 100, 89]
    assert list(sites["source_row"]) == [3, 4, 5]


def test_mixed_routes_leave_route_as_billed(tmp_path: Path, lines: pd.DataFrame) -> None:
    text = (
        "Claim ID,Date of Service,Site,Start,Stop,Route\n"
        "C100,03/05/2024,1,09:00,10:00,SC\nC100,03/05/2024,2,09:00,10:00,IV\n"
    )
    out, report = join_infusion_log(lines, read_infusion_log(_write(tmp_path, text)))
    assert set(out.loc[out["claim_id"] == "C100", "admin_route"]) == {""}
    assert any("both SC and IV" in p for p in report.problems)


def test_empty_log_changes_nothing(tmp_path: Path, lines: pd.DataFrame) -> None:
    text = "Claim ID,Date of Service,Start,Stop\n"
    out, report = join_infusion_log(lines, read_infusion_log(_write(tmp_path, text)))
    pd.testing.assert_frame_equal(out, lines)
    assert report.encounters_matched == 0
    assert len(report.claims_without_log) == 4


def test_join_keeps_a_non_default_index(tmp_path: Path, lines: pd.DataFrame) -> None:
    shifted = lines.set_axis(lines.index + 100)
    out, _ = join_infusion_log(shifted, read_infusion_log(_write(tmp_path, LOG_CSV)))
    assert out.index.equals(shifted.index)
    assert out.loc[100, "infusion_start"] == "09:05"
    assert out["infusion_start"].dtype == object


STAGGERED = """Claim ID,Date of Service,Site,Start Time,Stop Time,Route
C100,03/05/2024,2,09:15,10:20,SC
C100,03/05/2024,1,09:00,10:05,SC
C200,2024-03-06,1,23:30,00:35,SC
C200,2024-03-06,2,23:45,00:50,SC
"""


@pytest.mark.parametrize("log_text", [LOG_CSV, STAGGERED])
def test_one_minute_count_for_a_multi_site_log(tmp_path: Path, lines: pd.DataFrame,
                                                log_text: str) -> None:
    """The log's span (first start to last stop), the classifier's vectorised count on the
    joined lines and the scalar count the letters use give the same minutes."""
    out, report = join_infusion_log(lines, read_infusion_log(_write(tmp_path, log_text)))
    assert report.site_times["claim_id"].nunique() == 2
    for claim_id, sites in report.site_times.groupby("claim_id"):
        spans = units_for_sites(list(zip(sites["start"], sites["stop"], strict=True)))
        joined = out[out["claim_id"] == claim_id]
        vectorised = supported_units(joined["infusion_start"], joined["infusion_stop"],
                                     joined["sites"])
        scalar = units_for_times(joined["infusion_start"].iloc[0], joined["infusion_stop"].iloc[0])
        assert spans.minutes is not None
        assert set(vectorised["minutes"]) == {spans.minutes} == {scalar.minutes}
    if log_text is STAGGERED:
        assert spans.minutes == 80  # 23:30 to 00:50, not one site's 65
