"""Issue #12, item 10: a letterhead lends its visible header, footer and styles, never its
author, properties, thumbnail, customXml or settings (which carry names and paths)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from click.testing import CliRunner

from appeals.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SECRET = "Lettermaker, Zed"
EXTRA = {
    "docProps/custom.xml": f"<Properties><property name='patient'>{SECRET}</property></Properties>",
    "docProps/thumbnail.jpeg": f"JPEG {SECRET}",
    "customXml/item9.xml": f"<root>{SECRET}</root>",
}


def letterhead(path: Path) -> Path:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Sunrise Infusion Letterhead"
    document.sections[0].footer.paragraphs[0].text = "1 Example Way, Testville"
    document.core_properties.author = SECRET
    document.core_properties.last_modified_by = SECRET
    document.core_properties.comments = r"C:\Users\zed\Patients\Testpatient.docx"
    document.add_paragraph("body text that letters replace")
    plain = path.with_suffix(".plain.docx")
    document.save(str(plain))
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/settings.xml":
                data = data.replace(b"</w:settings>", (
                    '<w:docVars><w:docVar w:name="patient" w:val="' + SECRET + '"/></w:docVars>'
                    "</w:settings>").encode())
            target.writestr(info, data)
        for name, text in EXTRA.items():
            target.writestr(name, text)
    return path


def test_letters_carry_the_letterhead_but_none_of_its_metadata(tmp_path: Path) -> None:
    head = letterhead(tmp_path / "letterhead.docx")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "run", str(SAMPLES / "remit_scig.835"), "-o", str(out), "--letterhead",
        str(head), "--today", "2026-04-30", "--quiet"])
    assert result.exit_code == 0, result.output
    letters = sorted((out / "letters").iterdir())
    assert letters
    for letter in letters:
        with zipfile.ZipFile(letter) as archive:
            names = archive.namelist()
            assert not [n for n in names if n.startswith(("docProps/", "customXml/"))], names
            for name in names:
                data = archive.read(name)
                assert SECRET.encode() not in data, name
                assert b"Patients\\Testpatient" not in data, name
        opened = docx.Document(str(letter))
        assert opened.sections[0].header.paragraphs[0].text == "Sunrise Infusion Letterhead"
        assert opened.sections[0].footer.paragraphs[0].text == "1 Example Way, Testville"
        assert "body text that letters replace" not in "\n".join(p.text for p in opened.paragraphs)
