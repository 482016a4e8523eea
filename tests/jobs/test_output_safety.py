"""Hostile data through the whole run: file names stay inside the output folder and never
collide, workbook cells never become formulas, DOCX text never breaks the XML, and template
text in the data is never executed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import docx
import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from appeals.jobs.run import run
from appeals.render.documents import file_stems

TODAY = dt.date(2026, 4, 30)
HEADERS = ["Claim #", "Patient Name", "Member ID", "Payer", "DOS", "CPT", "Units", "Paid",
           "Adj Reason", "Remark", "Justification"]


def export(path: Path, claims: list[tuple[str, str]]) -> Path:
    """Per (claim id, patient name): a units-over-cap denial with a justification (a
    redetermination letter) and a drug line without KX (a reopening worksheet)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for claim_id, name in claims:
        writer.writerow([claim_id, name, "ZZ0000001", "Noridian", "03/05/2026", "96369", "1",
                         "100", "", "", ""])
        writer.writerow([claim_id, name, "ZZ0000001", "Noridian", "03/05/2026", "96371", "4",
                         "0", "CO-119", "N362", "Four sites: could not tolerate the volume"])
        writer.writerow([claim_id, name, "ZZ0000001", "Noridian", "03/05/2026", "J1559", "40",
                         "0", "CO-4", "N115", ""])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))  # parses: the XML is well formed
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


EVIL_IDS = ["../../x", "/abs/olute", "a:b", "CON", "con", "NUL.txt", "x" * 300, "Peña-1",
            "中文-2", "A/B", "A_B", "..", ".hidden", "a\\b"]


def test_claim_ids_cannot_escape_or_collide(tmp_path: Path) -> None:
    source = export(tmp_path / "in.csv", [(cid, "Testpatient, Alpha") for cid in EVIL_IDS])
    out = tmp_path / "deep" / "out"
    run([source], out, today=TODAY)
    for folder in ("letters", "worksheets"):
        written = sorted((out / folder).iterdir())
        assert len(written) == len(EVIL_IDS), folder
        assert len({p.name.lower() for p in written}) == len(EVIL_IDS)
        assert all(p.resolve().parent == (out / folder).resolve() for p in written)
    # nothing was written beside or above the output folder
    assert sorted(p.name for p in (tmp_path / "deep").iterdir()) == ["out"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep", "in.csv"]


def test_an_id_that_looks_like_anothers_suffixed_name_gets_its_own_file() -> None:
    first = file_stems(["A/B", "A_B"])
    stems = file_stems(["A/B", "A_B", first[0], first[1].upper()])
    assert len({s.lower() for s in stems}) == 4


claim_ids = st.lists(
    st.sampled_from(list("aA0._-/\\:*?\"<>| ~é中\u0301\x01") + ["CON", "..", "NUL", "A_B-"]),
    max_size=30,
).map("".join)


@settings(max_examples=100, deadline=None)
@given(st.lists(claim_ids, min_size=1, max_size=12, unique=True))
def test_stems_are_safe_and_unique(ids: list[str]) -> None:
    stems = file_stems(ids)
    assert len({s.lower() for s in stems}) == len(ids)
    for stem in stems:
        assert 0 < len(stem) <= 80
        assert not set(stem) & set('/\\:*?"<>|\x00\x01')
        assert not stem.startswith(".") and ".." not in stem
        assert stem.split(".")[0].lower() not in {"con", "prn", "aux", "nul"}
        folder = Path("/out/letters")
        assert (folder / f"{stem}.docx").parent == folder


FORMULAS = ['=1+2', '+1+2', '-1+2', '@SUM(A1)', '=HYPERLINK("http://example.invalid","x")',
            "=cmd|' /C calc'!A0", "\t=1+2", "\r=1+2"]


def test_workbook_cells_never_become_formulas(tmp_path: Path) -> None:
    source = export(tmp_path / "in.csv", [(f"F{n}{evil}", evil) for n, evil in enumerate(FORMULAS)])
    run([source], tmp_path / "out", today=TODAY)
    book = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")
    seen = 0
    for sheet in book.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                text = str(cell.value) if cell.value is not None else ""
                if any(evil.strip() in text for evil in FORMULAS):
                    seen += 1
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, text)
    assert seen >= len(FORMULAS)


NASTY = "]]> <w:p/> & </w:t> \x01\x0b\x1f \ufffe {{ 7*7 }} {% for x in range(3) %}X{% endfor %} {# c #}"


def test_docx_text_never_breaks_and_templates_never_run(tmp_path: Path) -> None:
    source = export(tmp_path / "in.csv", [("T-1", "Testpatient, " + NASTY)])
    run([source], tmp_path / "out", today=TODAY)
    for folder in ("letters", "worksheets"):
        text = docx_text(tmp_path / "out" / folder / "T-1.docx")
        assert "]]> <w:p/> & </w:t>" in text
        assert "{{ 7*7 }} {% for x in range(3) %}X{% endfor %} {# c #}" in text
        assert "49" not in text and "XXX" not in text
        assert not any(ch in text for ch in "\x01\x0b\x1f\ufffe")


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_any_patient_text_gives_documents_that_open(name: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        source = export(tmp / "in.csv", [("P-1", name)])
        try:
            run([source], tmp / "out", today=TODAY)
        except Exception as exc:  # only the project's errors are acceptable
            from appeals.errors import AppealsError

            assert isinstance(exc, AppealsError), repr(exc)
            return
        letters = list((tmp / "out" / "letters").glob("*.docx"))
        for path in letters:
            docx_text(path)
