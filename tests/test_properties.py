"""Properties over random input: the loader and the classifier raise nothing but the
project's own errors, and every row is accounted for (lines read = classified + rejected)."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
import xlsxwriter
from conftest import SAMPLES, SHARED_X12
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appeals.classify.classifier import classify
from appeals.errors import AppealsError
from appeals.readers.loader import load_files

SHARED = SHARED_X12
SAMPLE_835 = SAMPLES / "remit_scig.835"

HEADERS = ["Claim #", "Patient Name", "Member ID", "DOS", "CPT", "Mod", "Units", "Billed",
           "Paid", "Adj Reason", "Remark", "POS", "Payer", "Start Time", "Stop Time", "Route"]

# Text a CSV or an XLSX can hold: any character but surrogates; XML 1.0 forbids most control
# characters, so workbook cells get the ones a workbook can store.
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=15)
xml_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff")
    .filter(lambda c: c >= " " or c in "\t\n\r"),
    max_size=15,
)
typical = st.sampled_from([
    "", "A1", "96369", "96370", "96371", "J1561", "j1559 ", "0450", "03/05/2026", "3/5/26",
    "02/30/2026", "46086", "3", "-1", "1.5", "three", "$1,234.50", "(12.00)", "CO-119/N362",
    "co 119", "N362", "ZZ99", "Total", "JB KX", "11.0", "#N/A", "#REF!", "Claim #", "   ",
    "Testpatient, Alpha", "=1+2", "@SUM(A1)", "Noridian", "09:05", "13:65", "SubQ", "IV",
])


def table(cell: st.SearchStrategy[str]) -> st.SearchStrategy[list[list[str]]]:
    return st.lists(st.lists(st.one_of(typical, cell), min_size=len(HEADERS),
                             max_size=len(HEADERS)), max_size=10)


def check_accounting(path: Path, rows: list[list[str]]) -> None:
    try:
        loaded = load_files([path])
        classified = classify(loaded.lines)
    except AppealsError:
        return
    assert loaded.rows_read == len(classified) + len(loaded.rejected)
    assert len(classified) == len(loaded.lines)
    nonblank = sum(1 for r in rows if any(c.strip() for c in r))
    assert loaded.rows_read == nonblank
    assert set(classified["status"]) <= {"denied", "needs_review", "out_of_scope", "paid"}
    assert (loaded.rejected["reason"] != "").all()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=table(any_text))
def test_random_csv_tables(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        check_accounting(path, rows)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=table(xml_text), numbers=st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=10))
def test_random_xlsx_tables(rows: list[list[str]], numbers: list[float]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.xlsx"
        book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False,
                                               "strings_to_formulas": False,
                                               "strings_to_urls": False})
        sheet = book.add_worksheet("Denials")
        sheet.write_row(0, 0, HEADERS)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values):
                if value:
                    sheet.write_string(r, c, value)
        # number cells (huge, tiny, negative, fractional) in the units and paid columns
        for k, number in enumerate(numbers[: len(rows)]):
            sheet.write_number(k + 1, HEADERS.index("Units" if k % 2 else "Paid"), number)
            rows[k][HEADERS.index("Units" if k % 2 else "Paid")] = "n"
        book.close()
        check_accounting(path, rows)


# --- the 835 reader on mutated real-shaped files ---------------------------------------


def _sources() -> list[Path]:
    found = [SAMPLE_835]
    if SHARED.is_dir():
        found += sorted(p for p in SHARED.iterdir() if p.is_file() and p.suffix != ".md")
    return found


SOURCES = _sources()


def test_shared_samples_are_present_or_the_fuzz_says_so() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the 835 fuzz runs on samples/remit_scig.835 alone")
    assert len(SOURCES) > 1


def mutate(data: bytes, draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["flip", "truncate", "duplicate", "delete", "splice"]))
    if not data:
        return data
    if kind == "flip":
        out = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, len(out) - 1))
            out[at] = draw(st.integers(0, 255))
        return bytes(out)
    if kind == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    terminator = b"~" if b"~" in data else b"\n"
    segments = data.split(terminator)
    i = draw(st.integers(0, len(segments) - 1))
    if kind == "duplicate":
        segments[i:i] = [segments[i]] * draw(st.integers(1, 3))
    elif kind == "delete":
        del segments[i : i + draw(st.integers(1, 4))]
    else:
        j = draw(st.integers(0, len(segments) - 1))
        segments[i], segments[j] = segments[j], segments[i]
    return terminator.join(segments)


@st.composite
def mutated_835(draw: st.DrawFn) -> bytes:
    data = draw(st.sampled_from(SOURCES)).read_bytes()
    for _ in range(draw(st.integers(1, 3))):
        data = mutate(data, draw)
    return data


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated_835())
def test_mutated_835_files(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "remit.835"
        path.write_bytes(data)
        try:
            loaded = load_files([path])
            classified = classify(loaded.lines)
        except AppealsError as exc:
            assert str(path) in str(exc)
            return
        assert loaded.rows_read == len(classified) + len(loaded.rejected)
        assert loaded.reports[0].rows_read == loaded.rows_read
