"""The reader registry: each file goes to the first reader that claims its first bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLES

from appeals.readers.base import FileReport, ReadOptions
from appeals.readers.loader import read_file
from appeals.readers.registry import READERS, SNIFF_BYTES, reader_for


def _head(path: Path) -> bytes:
    return path.read_bytes()[:SNIFF_BYTES]


@pytest.mark.parametrize(("name", "reader"), [
    ("remit_scig.835", "x12-835"),
    ("denials_clearinghouse.csv", "table"),
    ("denials_practicepro.xlsx", "table"),
])
def test_samples_go_to_their_reader(name: str, reader: str) -> None:
    path = SAMPLES / name
    assert reader_for(_head(path), path).name == reader


def test_content_wins_over_the_name(tmp_path: Path) -> None:
    disguised = tmp_path / "remit.csv"
    disguised.write_bytes((SAMPLES / "remit_scig.835").read_bytes())
    assert reader_for(_head(disguised), disguised).name == "x12-835"
    result = read_file(disguised, ReadOptions())
    assert result.report.format == "x12-835" and result.report.claims > 0


def test_every_reader_reports_what_it_read() -> None:
    names = [r.name for r in READERS]
    assert len(set(names)) == len(names) and names[-1] == "table"  # the catch-all is last
    for name in ("remit_scig.835", "denials_clearinghouse.csv"):
        result = read_file(SAMPLES / name, ReadOptions())
        report = result.report
        assert isinstance(report, FileReport)
        assert report.rows_read == len(result.lines) + len(result.rejected)
        assert (report.lines, report.rejected) == (len(result.lines), len(result.rejected))


def test_a_report_must_say_what_it_mapped() -> None:
    with pytest.raises(TypeError):
        FileReport(file="x.csv", format="csv")  # type: ignore[call-arg]
