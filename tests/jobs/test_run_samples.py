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
    letters = sorted(p.stem for p in (out / "letters").glob("*.docx"))
    sheets = sorted(p.stem for p in (out / "worksheets").glob("*.docx"))
    assert summary.letters == len(letters) and summary.worksheets == len(sheets)
    # letters only for written requests: a Medicare redetermination (a line to add is no
    # reopening); PP-3003 and CH-5003 were billed at POS 22 on professional claims, so
    # whatever the denial reason the facility bills them (no letter)
    assert letters == ["SCIG-1003"]
    denied = classified[classified["status"] == "denied"]
    want = set(denied.loc[denied["route"].isin(["reopening", "corrected_claim", "new_claim"]),
                          "claim_id"])
    assert set(sheets) == want and len(sheets) == 14
    # another supplier's service, or a line to adjust off: a queue row, no document
    for claim in ("PP-3003", "PP-3005", "PP-3006", "PP-3009", "CH-5003", "CH-5005", "SCIG-1004",
                  "SCIG-1007"):
        assert claim not in letters and claim not in sheets


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
        # the shipped practice.toml is an example: its values show as placeholders
        assert "Example Infusion Clinic" not in text and "[practice name]" in text
        assert "{{" not in text and "{%" not in text


def test_placeholders_are_highlighted(result):
    out, *_ = result
    document = docx.Document(out / "letters" / "SCIG-1003.docx")
    runs = [r for p in document.paragraphs for r in p.runs]
    marked = [r.text for r in runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert "[payer appeal address]" in marked


def test_worksheets_carry_each_correction(result):
    out, *_ = result
    # Medicare A/B professional, a fix on billed lines: a reopening script, never a
    # replacement claim (the MAC would deny it as a duplicate)
    reopenings = {
        "PP-3001": ["96365", "96369"],     # wrong route: 96365 becomes 96369
        "PP-3002": ["Units", "3", "2"],    # units capped
        "PP-3007": ["Modifiers", "KX"],    # KX appended on the drug line
        "PP-3010": ["96370"],              # units the chart supports
    }
    for claim, needles in reopenings.items():
        text = _text(out / "worksheets" / f"{claim}.docx")
        assert "Reopening request" in text and "Fields to key in" in text, claim
        assert "Medicare number (MBI)" in text
        for needle in needles:
            assert needle in text, (claim, needle)
        assert "frequency code 7" not in text and "REF*F8" not in text
    # commercial: an electronic replacement claim with every original line
    text = _text(out / "worksheets" / "PP-3004.docx")
    assert "Corrected-claim worksheet" in text and "Add this line" in text and "96369" in text
    assert "frequency code 7" in text and "REF*F8" in text


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
