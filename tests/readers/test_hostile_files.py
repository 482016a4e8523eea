"""Issue #12, items 12-14: zip parts are measured by what they really inflate to, a sheet's
span and a header's width are checked before anything is allocated, and only regular files
are read."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from appeals.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def patch_declared_size(path: Path, name: str, size: int) -> None:
    """Make the local and central headers of part ``name`` lie about its inflated size."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo(name).header_offset
    data[offset + 22:offset + 26] = size.to_bytes(4, "little")
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) >= 0:
        length = int.from_bytes(data[start + 28:start + 30], "little")
        if data[start + 46:start + 46 + length] == name.encode():
            data[start + 24:start + 28] = size.to_bytes(4, "little")
        start += 4
    path.write_bytes(bytes(data))


def sample_book(path: Path, extra: dict[str, bytes] | None = None) -> Path:
    """The sample workbook rewritten part by part, with ``extra`` parts added."""
    with zipfile.ZipFile(SAMPLES / "denials_practicepro.xlsx") as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return path


def test_a_part_that_lies_about_its_size_is_refused(tmp_path: Path) -> None:
    book = sample_book(tmp_path / "book.xlsx", {"customXml/filler.xml": b"\0" * (96 * 1024**2)})
    patch_declared_size(book, "customXml/filler.xml", 1000)
    result = CliRunner().invoke(main, ["check", str(book)])
    assert result.exit_code == 1
    assert "customXml/filler.xml" in result.output and "refused as unsafe" in result.output


def test_a_part_whose_size_wraps_is_refused(tmp_path: Path) -> None:
    book = sample_book(tmp_path / "book.xlsx")
    with zipfile.ZipFile(book) as archive:
        real = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    patch_declared_size(book, "xl/worksheets/sheet1.xml", real - 7)  # what a wrap looks like
    result = CliRunner().invoke(main, ["check", str(book)])
    assert result.exit_code == 1
    assert f"declares {real - 7} bytes but holds {real}" in result.output


def test_a_cell_at_the_far_corner_is_one_line_not_an_abort(tmp_path: Path) -> None:
    book = tmp_path / "corner.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Claim #", "CPT", "Units", "Adj Reason"])
    sheet.append(["C-1", "96371", 4, "CO-119"])
    sheet["XFD1048576"] = "x"
    workbook.save(book)
    done = subprocess.run([sys.executable, "-m", "appeals", "classify", str(book)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr[-300:]
    assert "refused before reading" in done.stderr and done.stderr.count("\n") == 1


def test_a_header_of_a_million_cells_is_refused_at_once(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text("Claim #,CPT,Units,Adj Reason," + "x," * 1_000_000 + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["classify", str(wide)])
    assert result.exit_code == 1
    assert "the header row has more than 2,000 cells" in result.stderr


def test_a_device_or_a_pipe_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for args in (["classify", "/dev/zero"], ["classify", str(fifo)],
                 ["classify", str(SAMPLES / "denials_clearinghouse.csv"), "--infusion-log",
                  "/dev/zero"],
                 ["classify", str(SAMPLES / "denials_clearinghouse.csv"), "--columns",
                  "/dev/zero"],
                 ["run", str(SAMPLES / "denials_clearinghouse.csv"), "-o", str(tmp_path / "o"),
                  "--practice", "/dev/zero"]):
        done = subprocess.run([sys.executable, "-m", "appeals", *args], capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 1, (args, done.stderr[-300:])
        assert "not a regular file" in done.stderr, args
