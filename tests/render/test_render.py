"""write_documents: letters and worksheets opened back with python-docx."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import docx
import pandas as pd
import pytest
from conftest import canonical_line, lines_frame
from docx.enum.text import WD_COLOR_INDEX

from appeals.classify.records import AddedLine
from appeals.errors import RenderError
from appeals.render.documents import count_documents, file_stems, safe_stem, write_documents
from appeals.resources import templates_dir
from appeals.rules.practice import Practice
from appeals.schema import conform

ADD_96369 = AddedLine("96369", 1.0, reason="add 96369, the primary code the add-on needs")
BASE = {
    "payer_claim_number": "ICN-2025-0001",
    "patient_name": "Jane Sample",
    "member_id": "MEM123456",
    "payer_name": "Noridian JF",
    "payer": "medicare",
    "service_date": "2025-02-03",
    "place_of_service": "11",
    "status": "paid",
    "remit_date": "2025-02-20",
}


def line(claim_id: str, code: str, units: float = 1, **fields: Any) -> dict[str, Any]:
    return canonical_line(claim_id, code, **{**BASE, "units": units,
                                             "billed_amount": 100.0 * units, **fields})


frame = lines_frame


def denied(pattern: str, action: str = "clerical", route: str = "redetermination",
           **fields: Any) -> dict[str, Any]:
    return {"status": "denied", "pattern": pattern, "patterns": pattern, "action": action,
            "route": route, "template": pattern, "evidence": f"evidence for {pattern}", **fields}


def pattern_claims(route: str = "redetermination") -> pd.DataFrame:
    """One claim per documented pattern, shaped the way the classifier fills them.

    Every correcting claim takes ``route``: a redetermination gets a letter, a corrected claim
    a worksheet. SC-1 (an appeal) is always a redetermination, HOME-1 another supplier's.
    """
    rows = [
        # wrong_route: 96365/96366 for SC Hizentra
        line("WR-1", "96365", 1, carcs="4", rarcs="N56", **denied("wrong_route"),
             correction="96365 -> 96369: subcutaneous SCIG by pump", corrected_procedure_code="96369",
             corrected_units=1),
        line("WR-1", "96366", 1, corrected_procedure_code="96370", corrected_units=1,
             correction="96366 -> 96370: additional hour of SC infusion"),
        line("WR-1", "J1559", 40, modifiers="JB;KX", corrected_procedure_code="J1559",
             corrected_modifiers="JB;KX", corrected_units=40),
        # units_over_cap: 96371 x3, cap 2
        line("UC-1", "96369", 1, corrected_procedure_code="96369", corrected_units=1),
        line("UC-1", "96371", 3, carcs="119", rarcs="N362", **denied("units_over_cap"),
             corrected_procedure_code="96371", corrected_units=2,
             correction="96371 units reduced to the payer's cap"),
        # addon_without_primary: 96370 alone
        line("AO-1", "96370", 1, carcs="107", rarcs="N122", **denied("addon_without_primary"),
             corrected_procedure_code="96370", corrected_units=1, add_lines=(ADD_96369,),
             correction="add 96369, the primary code the add-on needs"),
        # site_of_care: appeal with POS 22
        line("SC-1", "96369", 1, place_of_service="11", carcs="58", rarcs="N428",
             **denied("site_of_care", "disagree", "redetermination")),
        # missing_kx
        line("KX-1", "96369", 1, corrected_procedure_code="96369", corrected_units=1),
        line("KX-1", "J1555", 20, modifiers="JB", carcs="4", **denied("missing_kx"),
             corrected_procedure_code="J1555", corrected_modifiers="JB;KX", corrected_units=20,
             correction="append KX to the SCIG drug line"),
        # kx_on_admin_line
        line("KA-1", "96369", 1, modifiers="KX", corrected_procedure_code="96369",
             corrected_modifiers="", corrected_units=1,
             correction="remove KX from the administration line"),
        line("KA-1", "J1559", 40, carcs="4", **denied("kx_on_admin_line"),
             corrected_procedure_code="J1559", corrected_modifiers="KX", corrected_units=40,
             correction="move KX to the SCIG drug line"),
        # iv_and_sc_same_encounter: drop the IV line
        line("IS-1", "96365", 1, carcs="236", rarcs="N20", **denied("iv_and_sc_same_encounter"),
             corrected_procedure_code="96365", corrected_units=1, remove_line="yes",
             correction="drop the IV administration line: the infusion was subcutaneous"),
        line("IS-1", "96369", 1, corrected_procedure_code="96369", corrected_units=1),
        # time_units_mismatch: 96370 x2 with 100 minutes documented
        line("TU-1", "96369", 1, infusion_start="09:00", infusion_stop="10:40", sites=1,
             corrected_procedure_code="96369", corrected_units=1),
        line("TU-1", "96370", 2, carcs="151", **denied("time_units_mismatch"),
             infusion_start="09:00", infusion_stop="10:40", sites=1,
             corrected_procedure_code="96370", corrected_units=1,
             correction="96370 units set to what the chart's times and sites support"),
        # not written: paid claim, and a home claim to rebill under another benefit
        line("PAID-1", "96369", 1),
        line("HOME-1", "96369", 1, place_of_service="12",
             **denied("site_of_care", "other_supplier", "other_supplier")),
    ]
    for row in rows:
        if row.get("route") == "redetermination" and row["claim_id"] != "SC-1":
            row["route"] = route
    return frame(rows)


def read_docx(path: Path) -> docx.document.Document:
    return docx.Document(str(path))


def all_paragraphs(document: docx.document.Document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def doc_text(path: Path) -> str:
    return "\n".join(p.text for p in all_paragraphs(read_docx(path)))


def runs(path: Path):
    for paragraph in all_paragraphs(read_docx(path)):
        yield from paragraph.runs


def highlighted(path: Path) -> list[str]:
    return [r.text for r in runs(path) if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]


TODAY = dt.date(2025, 3, 10)
PATTERNS = {
    "WR-1": "wrong_route", "UC-1": "units_over_cap", "AO-1": "addon_without_primary",
    "SC-1": "site_of_care", "KX-1": "missing_kx", "KA-1": "kx_on_admin_line",
    "IS-1": "iv_and_sc_same_encounter", "TU-1": "time_units_mismatch",
}
PRACTICE = Practice(
    name="Example Infusion Clinic", address_lines=("100 Sample Way", "Springfield, ST 00000"),
    phone="(555) 010-0100", fax="(555) 010-0101", email="billing@example.org",
    npi="1234567893", tin="12-3456789", signer_name="Alex Example", signer_title="Billing Manager",
)


def part_title(pattern: str) -> str:
    source = (templates_dir() / "patterns" / f"{pattern}.html.j2").read_text(encoding="utf-8")
    return re.search(r'set title = "([^"]+)"', source).group(1)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Every claim on a written-request route: letters."""
    out = tmp_path_factory.mktemp("out")
    result = write_documents(pattern_claims(), out, today=TODAY)
    return out, result


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    """The correcting claims as corrected (replacement) claims: worksheets."""
    out = tmp_path_factory.mktemp("sheets")
    result = write_documents(pattern_claims("corrected_claim"), out, today=TODAY)
    return out, result


def test_one_letter_per_appealable_claim_and_nothing_else(written):
    out, result = written
    assert list(result.columns) == ["claim_id", "letter", "worksheet", "placeholders", "claim_key"]
    assert set(result.claim_id) == set(PATTERNS)  # PAID-1 and HOME-1 get nothing
    assert sorted(p.name for p in (out / "letters").iterdir()) == sorted(
        f"{c}.docx" for c in PATTERNS
    )
    # a redetermination is a written request: no replacement claim beside it
    assert set(result["worksheet"]) == {""}


def test_corrected_claims_get_worksheets_and_no_letter(sheets):
    out, result = sheets
    by_id = result.set_index("claim_id")
    assert by_id.loc["SC-1", "worksheet"] == ""  # an appeal without corrections
    assert by_id.loc["SC-1", "letter"] == "letters/SC-1.docx"
    for claim_id in set(PATTERNS) - {"SC-1"}:
        assert by_id.loc[claim_id, "worksheet"] == f"worksheets/{claim_id}.docx"
        assert by_id.loc[claim_id, "letter"] == ""  # an electronic replacement, not an appeal


@pytest.mark.parametrize("claim_id", sorted(PATTERNS))
def test_letter_text(written, claim_id):
    out, result = written
    text = doc_text(out / "letters" / f"{claim_id}.docx")
    for expected in ("Jane Sample", "MEM123456", claim_id, "ICN-2025-0001", "02/03/2025",
                     part_title(PATTERNS[claim_id]), "Noridian JF", "March 10, 2025"):
        assert expected in text
    assert "{{" not in text and "{%" not in text and "}}" not in text


def test_each_pattern_argument_carries_its_facts(written):
    out, _ = written
    letter = {c: doc_text(out / "letters" / f"{c}.docx") for c in PATTERNS}
    assert "96369" in letter["WR-1"] and "Hizentra (J1559)" in letter["WR-1"]
    # CPT's descriptor, and no payer limit stated as fact: none is configured
    assert "additional pump set-up with establishment of new subcutaneous infusion site(s)" in (
        letter["UC-1"])
    assert "limits 96371" not in letter["UC-1"] and "LCD" not in letter["UC-1"]
    assert "add-on" in letter["AO-1"] and "96369" in letter["AO-1"]
    assert "place of service 11" in letter["SC-1"] and "100-04" in letter["SC-1"]
    assert "KX" in letter["KX-1"] and "Cuvitru (J1555)" in letter["KX-1"]
    assert "not on the administration lines" in letter["KA-1"] or "do not carry it" in letter["KA-1"]
    assert "96365" in letter["IS-1"] and "we ask that they be removed" in letter["IS-1"]
    assert "31 minutes" in letter["TU-1"] and "(100 minutes)" in letter["TU-1"]
    assert "Request for redetermination" in letter["WR-1"]  # Medicare wording


def test_placeholders_are_highlighted_and_reported(written):
    out, result = written
    path = out / "letters" / "KX-1.docx"
    marks = highlighted(path)
    assert "[LCD or policy number]" in marks and "[practice NPI]" in marks
    names = result.set_index("claim_id").loc["KX-1", "placeholders"].split(";")
    assert "LCD or policy number" in names and "practice NPI" in names
    assert "payer appeal address" in names
    assert len(names) == len(set(names))
    # every highlighted run is a bracketed placeholder that the result lists
    for mark in marks:
        assert mark.startswith("[") and mark.endswith("]") and mark[1:-1] in names


def test_practice_fields_fill_the_letter(tmp_path):
    result = write_documents(pattern_claims(), tmp_path, today=TODAY, practice=PRACTICE)
    text = doc_text(tmp_path / "letters" / "UC-1.docx")
    for expected in ("Example Infusion Clinic", "100 Sample Way", "1234567893", "12-3456789",
                     "Alex Example", "Billing Manager", "(555) 010-0100"):
        assert expected in text
    names = result.set_index("claim_id").loc["UC-1", "placeholders"]
    assert "practice" not in names and "signer" not in names


def test_worksheet_marks_each_change(sheets):
    out, _ = sheets
    path = out / "worksheets" / "UC-1.docx"
    text = doc_text(path)
    for expected in ("Jane Sample", "MEM123456", "ICN-2025-0001", "Place of service",
                     "box 22", "resubmission code 7", "REF*F8", "CARC", "119", "N362",
                     "Reviewed by", "number of simultaneous sites"):
        assert expected in text, expected
    struck = [r.text for r in runs(path) if r.font.strike]
    underlined = [r.text for r in runs(path) if r.font.underline]
    assert "3" in struck and "2" in underlined  # 96371 units 3 -> 2


def test_worksheet_removed_added_and_modifier_changes(sheets):
    out, _ = sheets
    removed = [r.text for r in runs(out / "worksheets" / "IS-1.docx") if r.font.strike]
    assert "96365" in removed
    assert "Remove this line" in doc_text(out / "worksheets" / "IS-1.docx")
    added = [r.text for r in runs(out / "worksheets" / "AO-1.docx") if r.font.underline]
    assert "96369" in added
    assert "Add this line" in doc_text(out / "worksheets" / "AO-1.docx")
    ka = out / "worksheets" / "KA-1.docx"
    assert "KX" in [r.text for r in runs(ka) if r.font.strike]  # dropped from 96369
    assert "KX" in [r.text for r in runs(ka) if r.font.underline]  # added to J1559
    tu = [r.text for r in runs(out / "worksheets" / "TU-1.docx") if r.font.underline]
    assert "1" in tu


def test_institutional_claim_gets_type_of_bill_and_fl64(tmp_path):
    rows = [line("UB-1", "96369", 1, revenue_code="0450", corrected_procedure_code="96369",
                 corrected_units=1),
            line("UB-1", "96371", 3, revenue_code="0450", carcs="119",
                 **denied("units_over_cap", route="corrected_claim"),
                 corrected_procedure_code="96371", corrected_units=2)]
    write_documents(frame(rows), tmp_path, today=TODAY)
    text = doc_text(tmp_path / "worksheets" / "UB-1.docx")
    assert "xx7" in text and "FL64" in text and "UB-04" in text and "0450" in text
    assert "box 22" not in text


def test_unprocessable_claim_says_new_claim(tmp_path):
    rows = [line("NC-1", "96370", 1, rarcs="N122;MA130",
                 **denied("addon_without_primary", "lines", "new_claim"),
                 corrected_procedure_code="96370", corrected_units=1, add_lines=(ADD_96369,))]
    result = write_documents(frame(rows), tmp_path, today=TODAY)
    text = doc_text(tmp_path / "worksheets" / "NC-1.docx")
    assert "New-claim worksheet" in text and "frequency code 1" in text
    assert "REF*F8" not in text and "frequency code 7" not in text.replace("(frequency 7)", "")
    assert result.letter.tolist() == [""]


def test_hostile_data_stays_literal_and_files_open(tmp_path):
    nasty = "{{ 7*7 }} {% if x %}Peña 中文 & <b>Inc</b> > \"q\" 'a'\x00\x0b\x1f\ufffe\udcff"
    unbilled = AddedLine("96370", 1.0, new_claim=True, reason="a further hour")
    rows = [line("H-1", "96371", 3, patient_name="set below", member_id="<ph>x</ph>&amp;",
                 evidence="line one\nline two", add_lines=(unbilled,),
                 **{k: v for k, v in denied("units_over_cap", "disagree").items()
                    if k != "evidence"},
                 justification="{{ placeholder('x') }}", corrected_procedure_code="96371",
                 corrected_units=2)]
    classified = frame(rows)
    # pandas' Arrow strings refuse a lone surrogate, but an object column can carry one
    classified["patient_name"] = pd.Series([nasty], dtype=object)
    result = write_documents(classified, tmp_path, today=TODAY)
    for path in (tmp_path / "letters" / "H-1.docx", tmp_path / "worksheets" / "H-1.docx"):
        text = doc_text(path)  # opens: no illegal XML characters left
        assert "{{ 7*7 }} {% if x %}Peña 中文 & <b>Inc</b> > \"q\" 'a'" in text
        assert "49" not in text and "\x00" not in text and "\x0b" not in text
        assert "<ph>x</ph>&amp;" in text
    assert "{{ placeholder('x') }}" in doc_text(tmp_path / "letters" / "H-1.docx")
    assert "line one\nline two" in doc_text(tmp_path / "worksheets" / "H-1.docx")
    assert "x" not in result.placeholders[0].split(";")


def test_missing_variable_names_template_and_variable(tmp_path):
    custom = tmp_path / "templates"
    shutil.copytree(templates_dir(), custom)
    part = custom / "patterns" / "missing_kx.html.j2"
    part.write_text(part.read_text().replace("{{ fill(claim.jcode", "{{ claim.no_such_field }}{{ fill(claim.jcode", 1))
    with pytest.raises(RenderError) as info:
        write_documents(pattern_claims(), tmp_path / "out", today=TODAY, templates_dir=custom)
    message = str(info.value)
    assert "no_such_field" in message and "missing_kx.html.j2" in message
    assert info.value.row is not None


def test_template_syntax_and_markup_errors(tmp_path):
    custom = tmp_path / "templates"
    shutil.copytree(templates_dir(), custom)
    (custom / "letter.html.j2").write_text("{% if %}")
    with pytest.raises(RenderError, match="letter.html.j2"):
        write_documents(pattern_claims(), tmp_path / "a", today=TODAY, templates_dir=custom)
    (custom / "letter.html.j2").write_text("<blink>{{ claim.id }}</blink>")
    with pytest.raises(RenderError, match="unknown tag <blink>"):
        write_documents(pattern_claims(), tmp_path / "b", today=TODAY, templates_dir=custom)
    (custom / "letter.html.j2").write_text("{{ ''.__class__ }}")
    with pytest.raises(RenderError):
        write_documents(pattern_claims(), tmp_path / "c", today=TODAY, templates_dir=custom)


def test_missing_pattern_part_fails_before_writing(tmp_path):
    custom = tmp_path / "templates"
    shutil.copytree(templates_dir(), custom)
    (custom / "patterns" / "wrong_route.html.j2").unlink()
    with pytest.raises(RenderError, match="wrong_route"):
        write_documents(pattern_claims(), tmp_path / "out", today=TODAY, templates_dir=custom)
    assert not (tmp_path / "out" / "letters").exists() or not any((tmp_path / "out" / "letters").iterdir())


def test_template_column_selects_the_part(tmp_path):
    custom = tmp_path / "templates"
    shutil.copytree(templates_dir(), custom)
    (custom / "patterns" / "custom_kx.html.j2").write_text(
        '{% set title = "Our own KX section" %}{% set enclosures = [] %}{% set documents = [] %}'
        "{% macro argument(s, claim, payer) %}<p>custom text</p>{% endmacro %}"
    )
    rows = [line("T-1", "J1559", 40, **{**denied("missing_kx"), "template": "custom_kx"})]
    write_documents(frame(rows), tmp_path / "out", today=TODAY, templates_dir=custom)
    text = doc_text(tmp_path / "out" / "letters" / "T-1.docx")
    assert "Our own KX section" in text and "custom text" in text


def test_same_input_gives_identical_bytes(tmp_path):
    write_documents(pattern_claims(), tmp_path / "a", today=TODAY)
    write_documents(pattern_claims(), tmp_path / "b", today=TODAY)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.docx"))
    assert len(files) == 8
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()


def test_workers_give_the_same_files(tmp_path):
    rows = []
    for i in range(40):
        rows.append(line(f"P-{i:03d}", "96371", 3, **denied("units_over_cap"),
                         corrected_procedure_code="96371", corrected_units=2))
    classified = frame(rows)
    calls: list[int] = []
    one = write_documents(classified, tmp_path / "one", today=TODAY)
    two = write_documents(classified, tmp_path / "two", today=TODAY, workers=2,
                          progress=calls.append)
    assert one.equals(two)
    assert sum(calls) == 40 == count_documents(classified)
    for path in sorted((tmp_path / "one").rglob("*.docx")):
        twin = tmp_path / "two" / path.relative_to(tmp_path / "one")
        assert path.read_bytes() == twin.read_bytes()


def test_progress_counts_files(tmp_path):
    calls: list[int] = []
    write_documents(pattern_claims(), tmp_path, today=TODAY, progress=calls.append)
    assert sum(calls) == count_documents(pattern_claims()) == 8


def test_safe_file_names(tmp_path):
    ids = ["../../etc", "A/B", "A_B", "CON", "con.txt", "a\\b", "", "x" * 300, ".hidden", "Peña"]
    stems = file_stems(ids)
    assert len({s.lower() for s in stems}) == len(ids)
    for stem in stems:
        assert "/" not in stem and "\\" not in stem and ".." not in stem
        assert not stem.startswith(".") and 0 < len(stem) <= 80
        assert stem.split(".")[0].lower() not in {"con", "prn", "aux", "nul"}
    assert safe_stem("../../etc") == "etc"
    assert stems[1] != stems[2] and stems[1].startswith("A_B-") and stems[2].startswith("A_B-")
    assert file_stems(["A/B", "A_B"]) == stems[1:3]  # stable
    assert file_stems(["A/B"]) == ["A_B"]  # no suffix without a collision
    rows = [line(cid, "96371", 3, **denied("units_over_cap"), corrected_procedure_code="96371",
                 corrected_units=2) for cid in ids]
    result = write_documents(frame(rows), tmp_path / "out", today=TODAY)
    written = sorted((tmp_path / "out" / "letters").iterdir())
    assert len(written) == len(ids)
    assert all(p.parent == tmp_path / "out" / "letters" for p in written)
    assert not (tmp_path / "etc.docx").exists()
    assert result.letter.str.startswith("letters/").all()


def test_letterhead_supplies_header_and_styles(tmp_path):
    import docx as python_docx

    head = python_docx.Document()
    head.sections[0].header.paragraphs[0].text = "Letterhead Clinic Header"
    head.sections[0].footer.paragraphs[0].text = "Letterhead footer line"
    head.add_paragraph("body text that must be replaced")
    head.save(tmp_path / "letterhead.docx")
    write_documents(pattern_claims(), tmp_path / "out", today=TODAY,
                    letterhead=tmp_path / "letterhead.docx", practice=PRACTICE)
    document = read_docx(tmp_path / "out" / "letters" / "UC-1.docx")
    assert document.sections[0].header.paragraphs[0].text == "Letterhead Clinic Header"
    assert document.sections[0].footer.paragraphs[0].text == "Letterhead footer line"
    text = doc_text(tmp_path / "out" / "letters" / "UC-1.docx")
    assert "body text that must be replaced" not in text
    assert "Jane Sample" in text
    assert not text.startswith("Example Infusion Clinic")  # the letterhead replaces the block


def test_empty_frame_writes_nothing(tmp_path):
    result = write_documents(frame([line("PAID-1", "96369", 1)]), tmp_path, today=TODAY)
    assert result.empty and list(result.columns) == ["claim_id", "letter", "worksheet", "placeholders", "claim_key"]


def test_letter_lists_the_concrete_changes(written):
    out, _ = written
    path = out / "letters" / "UC-1.docx"
    text = doc_text(path)
    assert "Please correct the claim as follows" in text
    assert "units 3 → 2" in text  # in words, readable in grayscale
    assert "3" in [r.text for r in runs(path) if r.font.strike]
    assert "2" in [r.text for r in runs(path) if r.font.underline]
    assert "KX added" in doc_text(out / "letters" / "KX-1.docx")
    assert "Please correct the claim" not in doc_text(out / "letters" / "SC-1.docx")  # appeal only


def test_shared_skeleton_keeps_each_letters_values(tmp_path):
    """Letters of the same shape reuse one converted skeleton; values never leak across."""
    rows = [line(f"S-{i}", "96371", 3, patient_name=f"Patient Number {i}",
                 member_id=f"MEM-{i}", **denied("units_over_cap"),
                 corrected_procedure_code="96371", corrected_units=2) for i in range(5)]
    rows.append(line("S-slot", "96371", 3, patient_name="\ue0000\ue001 tricky \ue000",
                     **denied("units_over_cap"), corrected_procedure_code="96371",
                     corrected_units=2))
    write_documents(frame(rows), tmp_path, today=TODAY)
    for i in range(5):
        text = doc_text(tmp_path / "letters" / f"S-{i}.docx")
        assert f"Patient Number {i}" in text and f"MEM-{i}" in text
        assert all(f"Patient Number {j}" not in text for j in range(5) if j != i)
    assert "0 tricky" in doc_text(tmp_path / "letters" / "S-slot.docx")


def test_unclassified_frame_is_a_clear_error(tmp_path):
    with pytest.raises(RenderError, match="lacks columns status"):
        write_documents(conform(pd.DataFrame([line("X", "96369")])), tmp_path, today=TODAY)


def test_unbilled_add_on_is_a_separate_new_claim_only_if_documented(tmp_path):
    unbilled = AddedLine("96371", 1.0, new_claim=True,
                         reason="96371 for a further site: never billed")
    rows = [line("N-1", "96365", 1, carcs="4", **denied("wrong_route", route="corrected_claim"),
                 corrected_procedure_code="96369", corrected_units=1, add_lines=(unbilled,),
                 correction="96365 -> 96369: subcutaneous SCIG by pump"),
            line("N-1", "J1559", 40, modifiers="JB", corrected_procedure_code="J1559",
                 corrected_modifiers="JB", corrected_units=40)]
    write_documents(frame(rows), tmp_path, today=TODAY)
    path = tmp_path / "worksheets" / "N-1.docx"
    text = doc_text(path)
    head, _, tail = text.partition("Separate new claim: only if the chart documents it")
    assert tail and "96371" in tail and "never billed" in tail
    assert "96371" not in head.split("Corrected lines")[1]  # not slipped into the correction


def test_redetermination_has_every_405_944_element(written):
    out, _ = written
    text = doc_text(out / "letters" / "SC-1.docx")
    for needed in ("Request for redetermination", "Beneficiary", "Jane Sample",
                   "Medicare number (MBI)", "MEM123456", "Services in dispute", "96369",
                   "Dates of service", "02/03/2025", "Date of the initial determination",
                   "02/20/2025", "Requested by", "We disagree with the decision"):
        assert needed in text, needed
    # the salutation comes before the text that speaks of the lines "below"
    assert text.index("To whom it may concern") < text.index("the lines below")
    assert "good cause" not in text  # not late


def test_late_redetermination_asks_for_good_cause(tmp_path):
    rows = [line("L-1", "96369", 1, place_of_service="11", carcs="58", deadline="2025-01-01",
                 deadline_basis="redetermination: notice date 08/01/2024 + 5 + 120 days",
                 past_due=True, **denied("site_of_care", "disagree"))]
    write_documents(frame(rows), tmp_path, today=TODAY)
    text = doc_text(tmp_path / "letters" / "L-1.docx")
    assert "good cause (42 CFR 405.942(b))" in text and "[the reason the request is late]" in text


def test_medicare_advantage_non_contracted_encloses_a_waiver(tmp_path):
    rows = [line("MA-1", "96371", 3, payer="humana_ma", payer_name="Humana Gold Plus",
                 carcs="119", justification="four sites needed",
                 **denied("units_over_cap", "disagree", "reconsideration"))]
    write_documents(frame(rows), tmp_path, today=TODAY)
    text = doc_text(tmp_path / "letters" / "MA-1.docx")
    assert "Request for reconsideration" in text and "Waiver of Liability" in text
    assert "Medicare number (MBI)" not in text and "redetermination" not in text


def test_continuation_header_names_the_claim_from_page_two(written):
    out, _ = written
    document = read_docx(out / "letters" / "UC-1.docx")
    section = document.sections[0]
    assert section.different_first_page_header_footer  # page 1 carries the letterhead block
    header_xml = section.header._element.xml
    assert 'STYLEREF "Claim reference"' in header_xml and "NUMPAGES" in header_xml
    refs = [p.text for p in document.paragraphs if p.style.name == "Claim reference"]
    assert refs == ["Jane Sample | MBI MEM123456 | Claim UC-1 (ICN-2025-0001)"]
    assert section.first_page_footer.paragraphs[0].text.startswith("Page")


def test_code_columns_hold_a_five_character_code_in_a_wide_font(written, sheets):
    # "96365" in a wide 9-point font (0.6 em a digit) plus the cell margins: 756 twips
    from docx.oxml.ns import qn

    for out in (written[0], sheets[0]):
        for path in sorted(out.rglob("*.docx")):
            for table in read_docx(path).tables:
                header = [c.text for c in table.rows[0].cells]
                if "Code" not in header:
                    continue
                grid = table._tbl.tblGrid.findall(qn("w:gridCol"))
                width = int(grid[header.index("Code")].get(qn("w:w")))
                assert width >= 756, (path.name, header, width)
