"""The lean DOCX package and the markup-to-WordprocessingML converter."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from lxml import etree

from appeals.errors import ConfigError, RenderError
from appeals.render.docx_package import DocxPackage
from appeals.render.wordml import markup_to_wordml

MARKUP = (
    "<h1>Title &amp; more</h1>\n  <p>Hello <b>bold</b>, <i>italic</i> and <ph>[LCD number]</ph>."
    "<br>Second line</p><ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>"
    '<table widths="30,70"><tr><th>Code</th><th>Units</th></tr>'
    "<tr><td>96371</td><td><del>3</del> <ins>2</ins></td></tr><tr><td>only one</td></tr></table>"
)


def build(markup: str, package: DocxPackage | None = None) -> docx.document.Document:
    package = package or DocxPackage.default()
    data = package.build(package.document_xml(markup_to_wordml(markup)))
    return docx.Document(io.BytesIO(data))


def test_default_package_opens_and_reads_back():
    document = build(MARKUP)
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Title & more"
    assert texts[1] == "Hello bold, italic and [LCD number].\nSecond line"
    assert texts[2:5] == ["\u2022\tone", "\u2022\ttwo", "1.\tfirst"]
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Code", "Units"]
    assert [c.text for c in table.rows[1].cells] == ["96371", "3 2"]
    assert [c.text for c in table.rows[2].cells] == ["only one", ""]  # padded
    runs = document.paragraphs[1].runs
    assert any(r.bold and r.text == "bold" for r in runs)
    assert any(r.italic and r.text == "italic" for r in runs)
    assert any(r.font.highlight_color == WD_COLOR_INDEX.YELLOW and r.text == "[LCD number]" for r in runs)
    cell_runs = table.rows[1].cells[1].paragraphs[0].runs
    assert any(r.font.strike and r.text == "3" for r in cell_runs)
    assert any(r.font.underline and r.text == "2" for r in cell_runs)
    assert document.sections[0].footer.paragraphs[0].text.startswith("Page")


def test_zip_is_deterministic_and_well_formed():
    package = DocxPackage.default()
    xml = package.document_xml(markup_to_wordml(MARKUP))
    first, second = package.build(xml), DocxPackage.default().build(xml)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        assert infos[0].filename == "[Content_Types].xml"
        assert infos[-1].filename == "word/document.xml"
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in infos)
        for info in infos:
            etree.fromstring(archive.read(info))  # every part is well-formed XML


def test_write(tmp_path):
    package = DocxPackage.default()
    package.write(tmp_path / "a.docx", markup_to_wordml("<p>x</p>"))
    assert docx.Document(str(tmp_path / "a.docx")).paragraphs[0].text == "x"


@pytest.mark.parametrize("markup, text", [
    ("plain text &lt;b&gt; &amp; &#34;q&#34;", 'plain text <b> & "q"'),
    ("<p>R&D &nbsp;x</p>", "R&D \xa0x"),  # template authors may write HTML entities
    ("<p>  a \n\n  b  </p>", "a b"),
    ("<p>a <b> b </b> c</p>", "a b c"),
    ("<p>x\x00\x0by</p>", "xy"),
    ("<p>units < 3</p>", "units < 3"),  # a lone < is text, not a tag
])
def test_text_handling(markup, text):
    assert build(markup).paragraphs[0].text == text


def test_trailing_table_gets_a_paragraph():
    body = markup_to_wordml("<table><tr><td>x</td></tr></table>")
    assert body.endswith("<w:p/>")


@pytest.mark.parametrize("markup, message", [
    ("<script>x</script>", "unknown tag <script>"),
    ("<table><tr><td><table></table></td></tr></table>", "tables inside tables"),
    ("<td>x</td>", "outside a <table>"),
    ('<table widths="a,b"><tr><td>x</td></tr></table>', "must be numbers"),
])
def test_markup_errors(markup, message):
    with pytest.raises(RenderError, match=message):
        markup_to_wordml(markup, source="letter.html.j2")


def _letterhead(tmp_path, *, template: bool = False):
    head = docx.Document()
    head.sections[0].header.paragraphs[0].text = "Clinic letterhead"
    head.sections[0].left_margin = head.sections[0].right_margin = docx.shared.Inches(0.5)
    head.add_paragraph("old body")
    path = tmp_path / "head.docx"
    head.save(path)
    if template:  # rewrite as a .dotx: only the main part's content type differs
        with zipfile.ZipFile(path) as archive:
            parts = {i.filename: archive.read(i) for i in archive.infolist()}
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"document.main+xml", b"template.main+xml"
        )
        path = tmp_path / "head.dotx"
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
    return path


@pytest.mark.parametrize("template", [False, True])
def test_letterhead_parts_are_kept_and_body_replaced(tmp_path, template):
    package = DocxPackage.from_letterhead(_letterhead(tmp_path, template=template))
    assert package.text_width == 12240 - 720 * 2  # half-inch margins from the letterhead
    document = build("<p>new body</p>", package)
    assert [p.text for p in document.paragraphs] == ["new body"]
    assert document.sections[0].header.paragraphs[0].text == "Clinic letterhead"
    data = package.build(package.document_xml("<w:p/>"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml")
        assert b"document.main+xml" in types and b"template.main+xml" not in types


def test_bad_letterheads(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        DocxPackage.from_letterhead(tmp_path / "missing.docx")
    (tmp_path / "text.docx").write_text("not a zip")
    with pytest.raises(ConfigError, match="not a Word .docx"):
        DocxPackage.from_letterhead(tmp_path / "text.docx")
    with zipfile.ZipFile(tmp_path / "empty.docx", "w") as archive:
        archive.writestr("hello.txt", "x")
    with pytest.raises(ConfigError, match="not a Word document"):
        DocxPackage.from_letterhead(tmp_path / "empty.docx")


def test_small_table_sets_cell_text_to_eight_and_a_half_points(tmp_path):
    body = markup_to_wordml(
        '<table widths="50,50" size="small"><tr><th>Date</th><td>03/05/2026</td></tr></table>'
        "<p>after</p>"
    )
    path = tmp_path / "t.docx"
    DocxPackage.default().write(path, body)
    document = docx.Document(path)
    cell_runs = [r for c in document.tables[0].rows[0].cells for p in c.paragraphs for r in p.runs]
    assert {r.font.size.pt for r in cell_runs} == {8.5}
    assert document.paragraphs[-1].runs[0].font.size is None  # the size ends with the table
