"""The loader's fast paths give exactly what the slow ones give, on values chosen to be awkward.

Columns are parsed once per distinct value (``appeals.readers._distinct``) unless mostly unique; CSV
bytes go to Arrow without being decoded unless they are not UTF-8; plain amounts are cast
without the money regexes. Each pair is compared on the same input.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from appeals.readers import _distinct as D
from appeals.readers import amounts as A
from appeals.readers import values as C
from appeals.readers.table import read_spreadsheet
from appeals.schema import conform

MONEY = ["1,234.50", "$1,234.50", "(12.00)", "-12", "1e3", "", " 12 ", "12.00-", "$ -", "-",
         "N/A", "abc", "$-", "+5", ".5", "5.", "1,23", "$(1,000.00)", "\xa012.5", "12 .5",
         "NULL", "none", "0", "007.10", "1e", "(5", "-0", "1,234,567.891", "$0.00", "--1"]
DATES = ["01/02/2025", "1/2/25", "2025-01-02", "20250102", "45000", "45000.5", "02-Jan-2025",
         "02-Jan-25", "Jan 02, 2025", "January 2, 2025", "Jan 2 2025", "2 Jan 2025",
         "02 January 2025", "02/30/2026", "13/01/2025", "2025-01-02 00:00:00",
         "1/2/2025 10:30 AM", "2025/1/2", "01.02.2025", "", "soon", "99999", "01.02.45",
         "12/31/99", "3/5/26", "19000"]
CODES = ["CO-119", "CO119", "CO 119", "119", "PR-1/N362", "co-119;n362", "OA-23:12.50",
         "Contractual Obligation 45", "XYZ", "119-N362", "CO-045", "MA130", "", "CR-W1",
         "CO-119,CO-45", "119.0"]
POS = ["11", "11.0", "011", "1", "office", "HOME", "99x", "", " 12 "]
CPT = ["96369", "96369.0", "96369-KX", "J1561 JB KX", "J1561 JB JB", "j1559", "", "0450", "ABC"]
MODS = ["JB", "JB KX", "JB,KX", "kx", "J", "25.0", "", "JB-KX", "JB;KX;JB"]
TIMES = ["09:05", "9:05 AM", "0905", "0.5", "1pm", "25:00", "x", "", "2025-01-02 10:30:00"]
STATUS = ["1", "4", "4.0", "Denied", "paid", "weird", "", "22"]
ROUTE = ["SC", "subq", "IV", "intravenous", "oral", ""]
UNITS = ["1", "3.0", "+2", "-1", "1.5", "x", "", "1234567", "12345678"]
CLAIMS = ["", " ", "TOTAL", "Claim #", "1.23E+11", "Grand Total", "subtotal x", "#N/A"]
HEADERS = ["Claim #", "ICN", "Claim Status", "Patient Name", "DOB", "Payer", "DOS", "POS",
           "CPT", "Mod1", "Mod2", "Units", "Billed", "Paid", "Group Code", "Adj Reason",
           "Adj Amt", "Remark", "Start Time", "Route", "Note"]


def _messy_rows(n: int, seed: int = 3) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        rows.append([
            rng.choice(CLAIMS) if rng.random() < 0.05 else f"C{i // 2:06d}",
            f"ICN{i:08d}", rng.choice(STATUS), rng.choice(["Doe, Jane", " Roe, Rex ", "Peña"]),
            rng.choice(DATES), rng.choice(["Aetna", "UMR ", "Humana"]), rng.choice(DATES),
            rng.choice(POS), rng.choice(CPT), rng.choice(MODS), rng.choice(MODS),
            rng.choice(UNITS), rng.choice(MONEY), rng.choice(MONEY),
            rng.choice(["CO", "pr", "Contractual Obligation", "ZZ", ""]), rng.choice(CODES),
            rng.choice(MONEY), rng.choice(CODES), rng.choice(TIMES), rng.choice(ROUTE),
            rng.choice(["", "two\nlines", "#REF!"]),
        ])
        if rng.random() < 0.03:
            rows[-1] = [""] * len(HEADERS)
    return rows


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def _same(a: tuple, b: tuple) -> None:
    for x, y in zip(a[:2], b[:2], strict=True):
        pd.testing.assert_frame_equal(x, y, check_exact=True)
        for name in x.columns:
            if x[name].dtype == object:
                assert all(type(v) is str for v in x[name]), name
    assert a[2] == b[2]


@pytest.fixture
def messy_csv(tmp_path: Path) -> Path:
    return _write_csv(tmp_path / "messy.csv", _messy_rows(3000))


def _force(monkeypatch: pytest.MonkeyPatch, *, distinct: bool) -> None:
    monkeypatch.setattr(D, "SAMPLE_ROWS", 0 if distinct else 1)
    monkeypatch.setattr(D, "MAX_DISTINCT_SHARE", 2.0 if distinct else -1.0)


def test_per_distinct_value_equals_per_row(messy_csv: Path, monkeypatch) -> None:
    _force(monkeypatch, distinct=False)
    per_row = read_spreadsheet(messy_csv)
    _force(monkeypatch, distinct=True)
    per_value = read_spreadsheet(messy_csv)
    assert len(per_row[1]) > 100 and len(per_row[0]) > 100  # both kinds of row exercised
    assert per_row[2].warnings and per_row[2].unrecognised_codes
    _same(per_row, per_value)


def test_lines_are_conformed(messy_csv: Path) -> None:
    lines, _, _ = read_spreadsheet(messy_csv)
    pd.testing.assert_frame_equal(lines, conform(lines), check_exact=True)
    assert isinstance(lines.index, pd.RangeIndex)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_utf8_bytes_path_equals_decoded_text_path(tmp_path: Path, encoding: str) -> None:
    # UTF-8 goes to Arrow as bytes; the others are decoded first. Same cells either way.
    rows = _messy_rows(500, seed=5)
    if encoding == "cp1252":
        rows = [[c.replace("\n", " ") for c in r] for r in rows]
    utf8 = read_spreadsheet(_write_csv(tmp_path / "a.csv", rows))
    other = read_spreadsheet(_write_csv(tmp_path / "b.csv", rows, encoding))
    assert other[2].encoding == encoding and utf8[2].encoding == "utf-8"
    _same(*((f[0].drop(columns="source_file"), f[1].drop(columns="source_file"),
             replace(f[2], encoding="", file=""))
            for f in (utf8, other)))


def test_every_row_one_cell_longer_than_the_header_keeps_columns_in_place(tmp_path) -> None:
    path = tmp_path / "trailing.csv"
    path.write_text("Claim #,CPT,Adj Reason,Paid\nC1,96369,CO-119,0,\nC2,96369,CO-119,0,\n")
    lines, rejected, _ = read_spreadsheet(path)
    assert list(lines["claim_id"]) == ["C1", "C2"]
    assert list(lines["procedure_code"]) == ["96369", "96369"]
    assert list(lines["carcs"]) == ["119", "119"] and len(rejected) == 0


def test_money_plain_fast_path_equals_text_path() -> None:
    values = pd.Series(MONEY * 3, dtype="str")
    amounts, bad = C.parse_money(values)
    slow_amounts, slow_bad = A._money_text(C.as_text(values).where(C.as_text(values) != "", "N/A"))
    text = C.as_text(values)
    # "5." is read by the plain path only: the text path's pattern wants digits after a dot
    plain = (text.str.fullmatch(A._PLAIN_NUMBER) & (text != "5.")).to_numpy(dtype=bool)
    assert plain.sum() >= 6  # '-12', ' 12 ', '+5', '.5', '0', '007.10', '-0', '\xa012.5'
    np.testing.assert_array_equal(amounts[plain].to_numpy(), slow_amounts[plain].to_numpy())
    assert not bad[plain].any() and not slow_bad[plain].any()
    one_by_one = [C.parse_money(pd.Series([v], dtype="str")) for v in MONEY * 3]
    np.testing.assert_array_equal(amounts.to_numpy(), [a.iloc[0] for a, _ in one_by_one])
    np.testing.assert_array_equal(bad.to_numpy(), [b.iloc[0] for _, b in one_by_one])


def test_dates_every_format_same_alone_and_together() -> None:
    together, bad = C.parse_dates(pd.Series(DATES * 2, dtype="str"))
    for i, value in enumerate(DATES * 2):
        alone, alone_bad = C.parse_dates(pd.Series([value], dtype="str"))
        assert (together.iloc[i] is pd.NaT and alone.iloc[0] is pd.NaT) or (
            together.iloc[i] == alone.iloc[0]), value
        assert bad.iloc[i] == alone_bad.iloc[0], value
    assert together.notna().sum() >= 2 * 18


def test_combine_distinct_pairs() -> None:
    a = D.of_column(pd.Series(["x", "y", "x", "y", "x"], dtype="str"))
    b = D.of_column(pd.Series(["1", "1", "1", "2", "1"], dtype="str"))
    codes, (va, vb) = D.combine(a, b)
    assert len(va) == 3
    pairs = [(va.iloc[c], vb.iloc[c]) for c in codes]
    assert pairs == [("x", "1"), ("y", "1"), ("x", "1"), ("y", "2"), ("x", "1")]
