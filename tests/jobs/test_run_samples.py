"""`appeals run` on every shipped sample, with every written file opened and read back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import PRACTICE, SAMPLE_INPUTS
from docx.enum.text import WD_COLOR_INDEX

from appeals.jobs.run import classify_files, run

SAMPLES = SAMPLE_INPUTS


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    summary = run(SAMPLES, out, practice=PRACTICE,
                  today=dt.date(2026, 4, 30), workers=2)
    classified, loaded, _ = classify_files(SAMPLES)
    return out, summary, classified, loaded


def _text(path: Path) -> str:
    document = docx.Document(path)
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_summary_counts(result):
    out, summary, classified, loaded = result
    assert summary.lines_read == len(classified) + len(loaded.rejected) == 69
    assert summary.rows_rejected == 5
    assert summary.letters == len(list((out / "letters").glob("*.docx"))) == 20
    assert summary.worksheets == len(list((out / "worksheets").glob("*.docx"))) == 18


def test_every_letter_names_its_claim_and_argues_each_pattern(result):
    out, _, classified, _ = result
    denied = classified[classified["status"] == "denied"]
    for path in sorted((out / "letters").glob("*.docx")):
        lines = classified[classified["claim_id"] == path.stem]
        text = _text(path)
        assert path.stem in text
        assert lines["patient_name"].iloc[0] in text
        payer_claim = lines["payer_claim_number"].iloc[0]
        assert payer_claim and payer_claim in text
        for code in set(denied.loc[denied["claim_id"] == path.stem, "procedure_code"]):
            assert code in text, (path.name, code)
        assert "Example Infusion Clinic" in text  # the practice signs it
        assert "{{" not in text and "{%" not in text


def test_placeholders_are_highlighted(result):
    out, *_ = result
    document = docx.Document(out / "letters" / "PP-3002.docx")
    runs = [r for p in document.paragraphs for r in p.runs]
    marked = [r.text for r in runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert "[LCD number]" in marked


def test_worksheets_carry_each_correction(result):
    out, *_ = result
    cases = {
        "PP-3001": ["96369"],              # wrong route: 96365 becomes 96369
        "PP-3002": ["96371", "2"],         # units capped
        "PP-3004": ["96369", "Add this line"],  # the missing primary
        "PP-3007": ["KX"],                 # KX appended on the drug line
        "PP-3009": ["Remove this line"],   # IV line dropped
        "PP-3010": ["96370"],              # units the chart supports
    }
    for claim, needles in cases.items():
        text = _text(out / "worksheets" / f"{claim}.docx")
        for needle in needles:
            assert needle in text, (claim, needle)
        assert "frequency code 7" in text or "resubmission code 7" in text


def test_workbook_has_every_line_and_rejected_row(result):
    out, _, classified, loaded = result
    book = openpyxl.load_workbook(out / "summary.xlsx")
    queue = book["Work queue"]
    assert queue.max_row - 1 == len(classified)
    rejected = book["Rejected"]
    assert rejected.max_row - 1 == len(loaded.rejected)
    header = [c.value for c in queue[1]]
    deadline = header.index("Deadline")
    dates = [r[deadline] for r in queue.iter_rows(min_row=2, values_only=True) if r[deadline]]
    assert dates == sorted(dates)
