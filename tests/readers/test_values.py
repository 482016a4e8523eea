"""Vectorised cell parsers: exact values for every quirk the loader promises."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appeals.readers import values as C


def S(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def nan_list(series: pd.Series) -> list:
    return [None if isinstance(v, float) and math.isnan(v) else v for v in series.tolist()]


def test_money() -> None:
    values, bad = C.parse_money(
        S("$1,234.50", "(12.00)", "-12", "", "12.00-", "$ -", "$(1,000.00)", " 7 ", "N/A",
          "abc", "1,23", "1.234,50", "inf", "1e3")
    )
    assert nan_list(values) == [1234.5, -12.0, -12.0, None, -12.0, 0.0, -1000.0, 7.0, None,
                                None, None, None, None, None]
    assert bad.tolist() == [False] * 9 + [True] * 5
    assert values.dtype == "float64"


def test_count_units() -> None:
    values, bad = C.parse_count(S("3", "3.0", "0", "", "-1", "1.5", "three", "2 units"))
    assert nan_list(values) == [3.0, 3.0, 0.0, None, None, None, None, None]
    assert bad.tolist() == [False, False, False, False, True, True, True, True]


def test_dates_all_formats() -> None:
    values, bad = C.parse_dates(
        S("03/05/2026", "3/5/2026", "3/5/26", "03-05-2026", "03.05.2026", "2026-03-05",
          "2026/3/5", "20260305", "46086", "46086.75", "2026-03-05 00:00:00",
          "3/5/2026 12:00:00 AM", "5-Mar-2026", "Mar 5, 2026", "March 5, 2026", "")
    )
    expected = [pd.Timestamp("2026-03-05")] * 15
    assert values.tolist()[:15] == expected
    assert pd.isna(values.iloc[15])
    assert not bad.any()
    assert values.dtype == "datetime64[ns]"


def test_dates_impossible_and_junk_are_bad() -> None:
    values, bad = C.parse_dates(S("02/30/2026", "13/01/2026", "2026-02-29", "12345", "99999",
                                  "soon", "00/00/0000", "1/1/1850"))
    assert bad.all()
    assert values.isna().all()


def test_two_digit_year_pivot() -> None:
    today = dt.date.today()
    next_year = (today.year + 1) % 100
    far = (today.year + 20) % 100
    values, _ = C.parse_dates(S(f"01/02/{next_year:02d}", f"01/02/{far:02d}", "07/04/45"))
    assert values.dt.year.tolist()[:2] == [today.year + 1, today.year + 20 - 100]
    # birth dates allow no future: a date later than today means the previous century
    dob, _ = C.parse_dates(S(f"12/31/{today.year % 100:02d}", "01/02/20"), future_days=0)
    assert dob.dt.year.tolist() == [
        today.year if dt.date(today.year, 12, 31) <= today else today.year - 100, 2020]


def test_times() -> None:
    values, bad = C.parse_times(
        S("09:05", "9:05", "9:05 AM", "9:05 pm", "12:00 AM", "12:30 PM", "0905", "905",
          "9:05:30", "0.378472222", "0.5", "1899-12-31 09:05:00", "2026-03-05 14:00:00",
          "9 AM", "", "25:00", "9:65", "13:00 PM", "later")
    )
    assert values.tolist() == ["09:05", "09:05", "09:05", "21:05", "00:00", "12:30", "09:05",
                               "09:05", "09:05", "09:05", "12:00", "09:05", "14:00", "09:00",
                               "", "", "", "", ""]
    assert bad.tolist() == [False] * 15 + [True] * 4


def test_place_of_service() -> None:
    values, bad = C.parse_pos(S("11", "11.0", "011", "1", "12", "office", "Home", "", "X9"))
    assert values.tolist() == ["11", "11", "11", "01", "12", "11", "12", "", "X9"]
    assert bad.tolist() == [False] * 8 + [True]


def test_procedure_codes_stay_strings() -> None:
    codes, mods = C.parse_procedure(S("96369", "96369.0", " j1561 ", "0450", "96369-KX",
                                      "J1561 JB KX", "A1234", ""))
    assert codes.tolist() == ["96369", "96369", "J1561", "0450", "96369", "J1561", "A1234", ""]
    assert mods.tolist() == ["", "", "", "", "KX", "JB;KX", "", ""]


def test_revenue_codes_four_digits() -> None:
    codes, bad = C.parse_revenue(S("450", "0450", "450.0", "510", "", "abc"))
    assert codes.tolist() == ["0450", "0450", "0450", "0510", "", "ABC"]
    assert bad.tolist() == [False] * 5 + [True]


def test_modifiers() -> None:
    mods, odd = C.parse_modifiers(S("JB KX", "JB,KX", "jb; kx", "JB/KX|59", "25.0", "JBKX",
                                    "KX KX", ""))
    assert mods.tolist() == ["JB;KX", "JB;KX", "JB;KX", "JB;KX;59", "25", "JBKX", "KX", ""]
    assert odd.tolist() == [False] * 5 + [True, False, False]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("CO-119", ("119", "", "CO-119:", "")),
        ("CO119", ("119", "", "CO-119:", "")),
        ("CO 119", ("119", "", "CO-119:", "")),
        ("co-119", ("119", "", "CO-119:", "")),
        ("119", ("119", "", "", "")),
        ("119.0", ("119", "", "", "")),
        ("045", ("45", "", "", "")),
        ("CO-119/N362", ("119", "N362", "CO-119:", "")),
        ("119-N362", ("119", "N362", "", "")),
        ("CO-119, N362; MA130|M80 B15\nB7", ("119;B15;B7", "N362;MA130;M80", "CO-119:", "")),
        ("PR-1 CO-45", ("1;45", "", "PR-1:;CO-45:", "")),
        ("Contractual Obligation 45", ("45", "", "CO-45:", "")),
        ("Patient Responsibility - 2", ("2", "", "PR-2:", "")),
        ("OA-23:12.5", ("23", "", "OA-23:12.50", "")),
        ("N122 107", ("107", "N122", "", "")),
        ("B15", ("B15", "", "", "")),
        ("P1 A1 W1 Y1 D23", ("P1;A1;W1;Y1;D23", "", "", "")),
        ("MA01 N4", ("", "MA01;N4", "", "")),
        ("K01 96", ("96", "", "", "K01")),
        ("  ", ("", "", "", "")),
    ],
)
def test_split_codes(cell: str, expected: tuple[str, str, str, str]) -> None:
    assert C.split_codes(cell) == expected


def test_split_codes_group_and_amount_from_other_columns() -> None:
    assert C.split_codes("119", "CO", 125.0) == ("119", "", "CO-119:125.00", "")
    # the cell's own group wins over the group column
    assert C.split_codes("PR-2", "CO", 10.0) == ("2", "", "PR-2:10.00", "")
    # one amount cannot be shared between two CARCs: left unknown
    assert C.split_codes("119 97", "CO", 125.0) == ("119;97", "", "CO-119:;CO-97:", "")
    assert C.split_codes("N362", "CO", 5.0) == ("", "N362", "", "")


def test_parse_codes_vectorised_with_group_and_amount() -> None:
    codes = S("119", "97", "45", "CO-119/N362", "")
    group, _ = C.parse_group(S("CO", "Contractual Obligation", "pr", "", "CO"))
    amount, _ = C.parse_money(S("$150.00", "12", "", "", "3"))
    out = C.parse_codes(codes, group, amount)
    assert out["carcs"].tolist() == ["119", "97", "45", "119", ""]
    assert out["rarcs"].tolist() == ["", "", "", "N362", ""]
    assert out["adjustments"].tolist() == ["CO-119:150.00", "CO-97:12.00", "PR-45:",
                                           "CO-119:", ""]


def test_group_words() -> None:
    groups, bad = C.parse_group(S("CO", "co", "Contractual Obligation", "CONTRACTUAL OBLIGATIONS",
                                  "Patient Responsibility", "Other Adjustment",
                                  "Payer Initiated Reduction", "PI", "CR", "CO - Contractual",
                                  "", "Something"))
    assert groups.tolist() == ["CO", "CO", "CO", "CO", "PR", "OA", "PI", "PI", "CR", "CO", "",
                               ""]
    assert bad.tolist() == [False] * 11 + [True]


def test_claim_status() -> None:
    codes, bad = C.parse_claim_status(S("Denied", "DENIED", "Paid", "Processed", "Reversal",
                                        "Reversed", "4", "4.0", "22", "1", "", "Pending"))
    assert codes.tolist() == ["4", "4", "1", "1", "22", "22", "4", "4", "22", "1", "", ""]
    assert bad.tolist() == [False] * 11 + [True]


def test_route() -> None:
    route, bad = C.parse_route(S("subcutaneous", "SubQ", "Sub-Q", "SQ", "SC", "sc", "intravenous",
                                 "IV", "oral", ""))
    assert route.tolist() == ["SC", "SC", "SC", "SC", "SC", "SC", "IV", "IV", "", ""]
    assert bad.tolist() == [False] * 8 + [True, False]


def test_join_lists_dedupes_in_order() -> None:
    joined = C.join_lists(S("119;97", "", "N1"), S("97;N362", "N1", ""))
    assert joined.tolist() == ["119;97;N362", "N1", "N1"]


def test_as_text_strips_and_never_nan() -> None:
    text = C.as_text(pd.Series(["  a ", np.nan, None, "b\x00c"], dtype=object))
    assert text.tolist() == ["a", "", "", "bc"]


def test_parsers_keep_the_index() -> None:
    series = pd.Series(["3", "x"], index=[10, 20], dtype="str")
    for parser in (C.parse_count, C.parse_money, C.parse_dates, C.parse_times, C.parse_pos):
        values, bad = parser(series)
        assert list(values.index) == [10, 20] and list(bad.index) == [10, 20]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=20))
def test_parsers_never_raise_and_flag_every_unread_value(values: list[str]) -> None:
    series = pd.Series(values, dtype="str")
    money, bad = C.parse_money(series)
    stripped = C.as_text(series)
    # a value is either read, blank-ish, or flagged bad
    assert ((~money.isna()) | bad | stripped.str.upper().isin(["", "N/A", "NA", "NONE",
                                                                "NULL"])).all()
    dates, bad_dates = C.parse_dates(series)
    assert ((~dates.isna()) | bad_dates | (stripped == "")).all()
    units, bad_units = C.parse_count(series)
    assert ((units >= 0) | units.isna()).all()
    assert ((~units.isna()) | bad_units | (stripped == "")).all()
    codes = C.parse_codes(series)
    for column in ("carcs", "rarcs"):
        assert not codes[column].str.contains(r"[^A-Z0-9;]", regex=True).any()
