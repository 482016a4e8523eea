"""Infusion time to units: every edge of the arithmetic, per-site times, the vectorised twin."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from appeals.classify.units import (
    TimeParseError,
    parse_time,
    supported_units,
    units_for_sites,
    units_for_times,
)
from appeals.readers.values import parse_times


def _clock(minute: int) -> str:
    minute %= 24 * 60
    return f"{minute // 60:02d}:{minute % 60:02d}"


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (1, {"96369": 1}),
        (30, {"96369": 1}),
        (60, {"96369": 1}),
        (61, {"96369": 1}),
        (90, {"96369": 1}),
        (91, {"96369": 1, "96370": 1}),
        (120, {"96369": 1, "96370": 1}),
        (150, {"96369": 1, "96370": 1}),
        (151, {"96369": 1, "96370": 2}),
        (180, {"96369": 1, "96370": 2}),
        (211, {"96369": 1, "96370": 3}),
    ],
)
def test_time_edges(minutes: int, expected: dict[str, int]) -> None:
    result = units_for_times("08:00", _clock(8 * 60 + minutes))
    assert result.ok
    assert result.minutes == minutes
    assert result.units == expected


def test_example_from_the_issue_shows_the_arithmetic() -> None:
    result = units_for_times("09:05", "10:50", 3, cap=2)
    assert result.units == {"96369": 1, "96370": 1, "96371": 2}
    assert result.minutes == 105
    assert result.steps[0] == "09:05 to 10:50 = 105 minutes = first hour + 45 minutes"
    assert any(
        "45 minutes past the first hour: 0 full hours + 45 minutes" in s for s in result.steps
    )
    assert result.steps[-1] == "3 sites → 96371 × 2 (within the payer cap of 2)"


def test_sixty_minutes_is_96369_alone() -> None:
    result = units_for_times("09:00", "10:00", 1)
    assert result.units == {"96369": 1}
    assert any("96369 × 1 only" in step for step in result.steps)


def test_ninety_minutes_says_the_partial_hour_does_not_count() -> None:
    result = units_for_times("09:00", "10:30")
    assert "96370" not in result.units
    assert any("30 minutes (30 or less, does not count) → 96370 × 0" in s for s in result.steps)


def test_past_midnight_is_counted_and_said() -> None:
    result = units_for_times("23:30", "00:45", 2)
    assert result.ok
    assert result.minutes == 75
    assert result.crosses_midnight
    assert "crosses midnight" in result.steps[0]
    assert result.units == {"96369": 1, "96371": 1}


def test_past_midnight_with_dates() -> None:
    result = units_for_times(dt.datetime(2024, 3, 5, 23, 0), dt.datetime(2024, 3, 6, 0, 40))
    assert result.minutes == 100
    assert result.crosses_midnight
    assert result.units == {"96369": 1, "96370": 1}


def test_stop_before_start_only_a_problem_when_dates_show_it() -> None:
    result = units_for_times("2024-03-05 10:00", "2024-03-05 09:00", 2)
    assert result.minutes is None
    assert result.problems == ["stop is before start (by the dates given): check the chart"]
    assert "96369" not in result.units
    assert result.units == {"96371": 1}  # sites still count


def test_stop_equal_to_start_is_a_problem() -> None:
    result = units_for_times("10:00", "10:00")
    assert not result.ok
    assert "stop equals start" in result.problems[0]
    assert result.units == {}


@pytest.mark.parametrize(
    ("start", "stop", "which"),
    [("", "10:00", "start"), ("09:00", None, "stop"), (float("nan"), "10:00", "start")],
)
def test_missing_time_cannot_be_computed(start: object, stop: object, which: str) -> None:
    result = units_for_times(start, stop, 3)  # type: ignore[arg-type]
    assert result.minutes is None
    assert result.problems == [f"{which} time missing: the units cannot be computed without it"]
    assert any("cannot be computed" in step for step in result.steps)


@pytest.mark.parametrize(
    "bad", ["9.5x", "25:00", "10:61", "13:00 PM", "noon", "2024-02-30 10:00", "2024-03-05"]
)
def test_bad_time_text_is_named(bad: str) -> None:
    result = units_for_times(bad, "10:00")
    assert result.minutes is None
    assert len(result.problems) == 1
    assert repr(bad) in result.problems[0]
    assert "HH:MM" in result.problems[0]


@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("09:05", "09:05"),
        ("9:05", "09:05"),
        ("9:05 AM", "09:05"),
        ("9:05pm", "21:05"),
        ("12:10 a.m.", "00:10"),
        ("12:10 PM", "12:10"),
        ("0905", "09:05"),
        ("905", "09:05"),
        ("14:30:59", "14:30"),
        ("9 AM", "09:00"),
        ("24:00", "00:00"),
        ("2024-03-05 14:30", "14:30"),
        ("03/05/2024 2:30 PM", "14:30"),
        (dt.time(7, 45), "07:45"),
    ],
)
def test_time_formats(text: object, clock: str) -> None:
    moment = parse_time(text)  # type: ignore[arg-type]
    assert moment is not None and moment.clock == clock


@pytest.mark.parametrize(
    ("sites", "units", "over"),
    [(1, 0, 0), (2, 1, 0), (3, 2, 0), (4, 2, 1), (5, 2, 2)],
)
def test_sites_with_cap_two(sites: int, units: int, over: int) -> None:
    result = units_for_times("09:00", "10:00", sites, cap=2)
    assert result.units.get("96371", 0) == units
    assert result.over_cap == over
    step = result.steps[-1]
    if over:
        assert f"over the payer cap of 2 → bill 96371 × 2; the other {over}" in step
    elif units:
        assert "within the payer cap of 2" in step


def test_sites_without_cap_are_all_counted() -> None:
    assert units_for_times("09:00", "10:00", 5).units["96371"] == 4


@pytest.mark.parametrize("sites", [0, -1, 2.5, "three"])
def test_bad_sites_are_problems(sites: object) -> None:
    result = units_for_times("09:00", "10:00", sites)
    assert not result.ok
    assert "96371" not in result.units
    assert result.units == {"96369": 1}


def test_missing_sites_is_not_assessed() -> None:
    result = units_for_times("09:00", "10:00", None)
    assert result.ok
    assert "96371 not assessed" in result.steps[-1]


# --- per-site times -------------------------------------------------------------------


def test_sites_span_first_start_to_last_stop() -> None:
    result = units_for_sites([("09:05", "10:30"), ("09:10", "10:50"), ("09:12", "10:41")], cap=2)
    assert result.start == "09:05" and result.stop == "10:50"
    assert result.minutes == 105
    assert result.units == {"96369": 1, "96370": 1, "96371": 2}
    assert [(s.site, s.start, s.stop, s.minutes) for s in result.site_times] == [
        ("1", "09:05", "10:30", 85),
        ("2", "09:10", "10:50", 100),
        ("3", "09:12", "10:41", 89),
    ]
    assert result.steps[0] == "3 sites on one pump: first start 09:05, last stop 10:50"


def test_sites_either_side_of_midnight() -> None:
    result = units_for_sites([("23:30", "00:30"), ("23:40", "00:45"), ("00:05", "00:40")])
    assert (result.start, result.stop, result.minutes) == ("23:30", "00:45", 75)
    assert result.crosses_midnight


def test_site_order_does_not_matter() -> None:
    pairs = [("09:10", "10:50"), ("09:05", "10:30")]
    assert units_for_sites(pairs).minutes == units_for_sites(pairs[::-1]).minutes == 105


def test_a_site_without_times_is_a_problem_and_kept() -> None:
    result = units_for_sites([("09:05", "10:30"), ("09:10", "")], cap=2)
    assert result.minutes is None
    assert result.problems == ["site 2 stop time missing: the units cannot be computed without it"]
    assert result.units == {"96371": 1}
    assert result.site_times[1].start == "09:10" and result.site_times[1].stop == ""


def test_no_sites() -> None:
    result = units_for_sites([])
    assert not result.ok and result.units == {}


def test_to_dict_is_plain_data() -> None:
    data = units_for_sites([("09:05", "10:30")]).to_dict()
    assert data["site_times"] == [{"site": "1", "start": "09:05", "stop": "10:30", "minutes": 85}]


# --- vectorised ------------------------------------------------------------------------


def _scalar_row(start: object, stop: object, sites: object) -> tuple[float, float, float, float]:
    result = units_for_times(start, stop, sites)  # type: ignore[arg-type]
    nan = math.nan
    if result.minutes is None:
        times = (nan, nan, nan)
    else:
        times = (float(result.minutes), 1.0, float(result.units.get("96370", 0)))
    u96371 = nan if result.sites is None else float(result.units.get("96371", 0))
    return (*times, u96371)


def _same(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all((math.isnan(x) and math.isnan(y)) or x == y for x, y in zip(a, b, strict=True))


def test_vectorised_equals_scalar_on_a_grid() -> None:
    starts = ["08:00", "23:30", "", "bad", "2024-03-05 10:00", "9:00 PM"]
    stops = [_clock(8 * 60 + m) for m in (0, 59, 60, 90, 91, 150, 151, 200)]
    stops += ["00:45", "", "2024-03-05 09:00", "2024-03-06 00:10"]
    sites: list[object] = [None, 1, 2, 3, 5, 2.5, 0, "4"]
    rows = list(itertools.product(starts, stops, sites))
    frame = pd.DataFrame(
        rows, columns=["start", "stop", "sites"], index=range(100, 100 + len(rows))
    )
    out = supported_units(frame["start"], frame["stop"], frame["sites"])
    assert list(out.columns) == ["minutes", "u96369", "u96370", "u96371"]
    assert out.index.equals(frame.index)
    for (start, stop, site), got in zip(rows, out.itertuples(index=False), strict=True):
        assert _same(tuple(got), _scalar_row(start, stop, site)), (start, stop, site, got)


@given(
    start=st.integers(0, 24 * 60 - 1),
    length=st.integers(1, 24 * 60 - 1),
    sites=st.integers(1, 6),
)
def test_vectorised_equals_scalar_random(start: int, length: int, sites: int) -> None:
    a, b = _clock(start), _clock(start + length)
    out = supported_units(pd.Series([a]), pd.Series([b]), pd.Series([sites]))
    assert _same(tuple(out.iloc[0]), _scalar_row(a, b, sites))
    assert out.iloc[0]["minutes"] == length


def test_vectorised_handles_empty_and_nan() -> None:
    out = supported_units(
        pd.Series([], dtype=object), pd.Series([], dtype=object), pd.Series([], dtype=float)
    )
    assert out.empty and list(out.columns) == ["minutes", "u96369", "u96370", "u96371"]
    out = supported_units(pd.Series([None]), pd.Series([float("nan")]), pd.Series([float("nan")]))
    assert out.isna().all(axis=None)


# --- the command ---------------------------------------------------------------------


@pytest.fixture
def units_command():  # type: ignore[no-untyped-def]
    from appeals.cli.units import command

    return command


def _invoke(command, *args: str):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    return CliRunner().invoke(command, list(args))


def test_cli_prints_units_and_arithmetic(units_command) -> None:  # type: ignore[no-untyped-def]
    result = _invoke(units_command, "--start", "09:05", "--stop", "10:50", "--sites", "3")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:3] == ["96369 × 1", "96370 × 1", "96371 × 2"]
    assert "  09:05 to 10:50 = 105 minutes = first hour + 45 minutes" in lines
    assert "without a payer cap" in result.output


def test_cli_payer_cap(units_command) -> None:  # type: ignore[no-untyped-def]
    result = _invoke(
        units_command,
        "--start",
        "9:05 AM",
        "--stop",
        "10:50 AM",
        "--sites",
        "5",
        "--payer",
        "Noridian Healthcare Solutions",
    )
    assert result.exit_code == 0, result.output
    assert "96371 × 2" in result.output
    assert "over the payer cap of 2" in result.output
    assert "Payer Medicare Part B: 96371 cap 2" in result.output


def test_cli_json(units_command) -> None:  # type: ignore[no-untyped-def]
    import json

    result = _invoke(
        units_command,
        "--start",
        "09:05",
        "--stop",
        "10:50",
        "--sites",
        "3",
        "--payer",
        "medicare",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["units"] == {"96369": 1, "96370": 1, "96371": 2}
    assert data["minutes"] == 105
    assert data["payer"] == "medicare" and data["cap"] == 2
    assert data["steps"][-1] == "3 sites → 96371 × 2 (within the payer cap of 2)"
    assert data["problems"] == []


def test_cli_per_site_times(units_command) -> None:  # type: ignore[no-untyped-def]
    import json

    result = _invoke(units_command, "--site", "09:05-10:30", "--site", "09:10-10:50", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["units"] == {"96369": 1, "96370": 1, "96371": 1}
    assert [s["stop"] for s in data["site_times"]] == ["10:30", "10:50"]


def test_cli_missing_time_exits_1_and_says_why(units_command) -> None:  # type: ignore[no-untyped-def]
    result = _invoke(units_command, "--start", "09:05", "--sites", "2")
    assert result.exit_code == 1
    assert "Cannot compute: stop time missing" in result.output
    assert "Traceback" not in result.output


def test_cli_bad_time_and_usage(units_command) -> None:  # type: ignore[no-untyped-def]
    result = _invoke(units_command, "--start", "9h5x", "--stop", "10:50")
    assert result.exit_code == 1
    assert "'9h5x' is not a time" in result.output
    assert _invoke(units_command, "--sites", "3").exit_code == 2
    assert _invoke(units_command, "--site", "0905").exit_code == 2
    assert _invoke(units_command, "--help").exit_code == 0


# --- one grammar: the table/infusion-log reader and the units arithmetic read times alike ---
TIME_TEXTS = ["9:05a", "0905", "9.05", "09:05:00", "9:5", "9:05 AM", "905", "9am", "9 a.m.",
              "12:30 PM", "12:10 a.m.", "24:00", "0.5", "0.378472222", "9h05", "9:05p.m.",
              "13:05 PM", "1305", "9", "09:60", "25:00", "noon", "2024-03-05 09:05",
              "03/05/2024 9:05", "2024-02-30 10:00", "2024-03-05", "1899-12-31 09:05:00"]


@pytest.mark.parametrize("text", TIME_TEXTS)
def test_reader_and_units_read_a_time_alike(text: str) -> None:
    clock, bad = parse_times(pd.Series([text]))
    try:
        moment = parse_time(text)
    except TimeParseError:
        moment = None
    assert bool(bad[0]) == (moment is None)
    assert clock[0] == ("" if moment is None else moment.clock)


@pytest.mark.parametrize(("text", "clock"), [("9:05a", "09:05"), ("0905", "09:05"),
                                             ("9.05", "09:05"), ("09:05:00", "09:05")])
def test_issue_times_read_as_clock(text: str, clock: str) -> None:
    moment = parse_time(text)
    assert moment is not None and moment.clock == clock


def test_single_digit_minutes_are_refused_as_ambiguous() -> None:
    with pytest.raises(TimeParseError):
        parse_time("9:5")
