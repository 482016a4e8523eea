"""A fast, deterministic DOCX writer: static parts deflated once, one part rendered per file.

Every document of a run shares styles, settings, header, footer and media; only
``word/document.xml`` differs. The static parts are compressed once into a byte blob of zip
local entries; each document appends its own deflated ``document.xml`` and a central
directory. Zip timestamps are fixed (1980-01-01) and the order is fixed, so the same body
gives the same bytes. The static parts come from a small hand-written package, or from a
practice letterhead ``.docx`` (its styles, header, footer, media and section settings;
its body is replaced).
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from appeals.errors import ConfigError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_OFFICE_DOC = R_NS + "/officeDocument"
_MAIN_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_DOCX_MAIN_TYPES = {
    _MAIN_CT,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
}
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01
_DOS_TIME = 0
_LEVEL = 6

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>'
)
_TAIL = "</w:body></w:document>"

# The lean default package: only what Word, LibreOffice and python-docx need.
_CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="{_CT_NS}"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="{_MAIN_CT}"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/></Types>"""
_ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{_PKG_REL_NS}"><Relationship Id="rId1" Type="{_OFFICE_DOC}" Target="word/document.xml"/></Relationships>"""
_DOC_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{_PKG_REL_NS}"><Relationship Id="rId1" Type="{R_NS}/styles" Target="styles.xml"/><Relationship Id="rId2" Type="{R_NS}/settings" Target="settings.xml"/><Relationship Id="rId3" Type="{R_NS}/footer" Target="footer1.xml"/><Relationship Id="rId4" Type="{R_NS}/header" Target="header1.xml"/><Relationship Id="rId5" Type="{R_NS}/footer" Target="footer1.xml"/></Relationships>"""
_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W_NS}"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Calibri" w:cs="Calibri"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-US"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="259" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style><w:style w:type="paragraph" w:customStyle="1" w:styleId="ClaimRef"><w:name w:val="Claim reference"/><w:basedOn w:val="Normal"/><w:rPr><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"""
_SETTINGS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="{W_NS}"><w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>"""
_FOOTER = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="{W_NS}"><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve">Page </w:t></w:r><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t>1</w:t></w:r><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r></w:p></w:ftr>"""


def _field(instruction: str, shown: str) -> str:
    run = '<w:r><w:rPr><w:sz w:val="16"/></w:rPr>{}</w:r>'
    return "".join(run.format(x) for x in (
        '<w:fldChar w:fldCharType="begin"/>',
        f'<w:instrText xml:space="preserve"> {instruction} </w:instrText>',
        '<w:fldChar w:fldCharType="separate"/>', f"<w:t>{shown}</w:t>",
        '<w:fldChar w:fldCharType="end"/>'))


# Pages 2 and on: the claim reference line of the document (a STYLEREF to the paragraph in
# style "Claim reference": patient, member or Medicare number, claim) and "page X of Y", so
# a page separated from the first still says whose it is. The first page has no header.
_HEADER = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:hdr xmlns:w="{W_NS}"><w:p>'
    '<w:pPr><w:pStyle w:val="ClaimRef"/></w:pPr>'
    + _field('STYLEREF "Claim reference"', "")
    + '<w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:t xml:space="preserve"> | Page </w:t></w:r>'
    + _field("PAGE", "2")
    + '<w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:t xml:space="preserve"> of </w:t></w:r>'
    + _field("NUMPAGES", "2") + "</w:p></w:hdr>"
)
# US Letter, 1-inch margins; the footer carries the page number, the header (pages 2 and on)
# the claim reference.
_SECT_PR = (
    '<w:sectPr><w:headerReference w:type="default" r:id="rId4"/>'
    '<w:footerReference w:type="default" r:id="rId3"/>'
    '<w:footerReference w:type="first" r:id="rId5"/>'
    '<w:pgSz w:w="12240" w:h="15840"/>'
    '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720" '
    'w:footer="720" w:gutter="0"/><w:titlePg/></w:sectPr>'
)
_PLAIN_SECT_PR = (
    '<w:sectPr><w:pgSz w:w="12240" w:h="15840"/>'
    '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720" '
    'w:footer="720" w:gutter="0"/></w:sectPr>'
)
DEFAULT_TEXT_WIDTH = 9360  # twips between the default margins


@dataclass(frozen=True)
class _Entry:
    name: bytes
    crc: int
    csize: int
    usize: int
    offset: int


def _local_header(name: bytes, crc: int, csize: int, usize: int) -> bytes:
    return struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, _DOS_TIME, _DOS_DATE, crc, csize, usize,
        len(name), 0,
    ) + name


def _central_record(e: _Entry) -> bytes:
    return struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, _DOS_TIME, _DOS_DATE, e.crc,
        e.csize, e.usize, len(e.name), 0, 0, 0, 0, 0, e.offset,
    ) + e.name


def _deflate(data: bytes) -> bytes:
    comp = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush()


class DocxPackage:
    """Static parts compressed once; ``build``/``write`` add one ``document.xml`` each."""

    def __init__(
        self,
        parts: list[tuple[str, bytes]],
        *,
        main_part: str = "word/document.xml",
        sect_pr: str = _SECT_PR,
        text_width: int = DEFAULT_TEXT_WIDTH,
    ) -> None:
        self.main_part = main_part
        self.sect_pr = sect_pr
        self.text_width = text_width
        blob = bytearray()
        entries = []
        for name, data in parts:
            raw_name = name.encode("utf-8")
            packed = _deflate(data)
            crc = zlib.crc32(data)
            entries.append(_Entry(raw_name, crc, len(packed), len(data), len(blob)))
            blob += _local_header(raw_name, crc, len(packed), len(data))
            blob += packed
        self._static = bytes(blob)
        self._central = b"".join(_central_record(e) for e in entries)
        self._count = len(entries) + 1
        self._main_name = main_part.encode("utf-8")

    @classmethod
    def default(cls) -> DocxPackage:
        """The lean built-in package: Calibri 11, US Letter, page number in the footer."""
        parts = [
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("word/_rels/document.xml.rels", _DOC_RELS),
            ("word/styles.xml", _STYLES),
            ("word/settings.xml", _SETTINGS),
            ("word/footer1.xml", _FOOTER),
            ("word/header1.xml", _HEADER),
        ]
        return cls([(n, t.encode("utf-8")) for n, t in parts])

    @classmethod
    def from_letterhead(cls, path: str | Path) -> DocxPackage:
        """Use a letterhead .docx's parts except its body; its last section settings stay."""
        return _letterhead_package(Path(path))

    def document_xml(self, body_xml: str) -> bytes:
        """Wrap body content (paragraphs and tables) into a complete ``document.xml``."""
        return (_HEAD + body_xml + self.sect_pr + _TAIL).encode("utf-8")

    def build(self, document_xml: bytes) -> bytes:
        """The complete .docx bytes for one ``document.xml``."""
        packed = _deflate(document_xml)
        entry = _Entry(
            self._main_name, zlib.crc32(document_xml), len(packed), len(document_xml),
            len(self._static),
        )
        local = _local_header(entry.name, entry.crc, entry.csize, entry.usize)
        central = self._central + _central_record(entry)
        cd_offset = entry.offset + len(local) + len(packed)
        end = struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, self._count, self._count, len(central),
            cd_offset, 0,
        )
        return b"".join((self._static, local, packed, central, end))

    def write(self, path: str | Path, body_xml: str) -> None:
        """Write one document whose body is ``body_xml``."""
        data = self.build(self.document_xml(body_xml))
        with open(path, "wb") as handle:
            handle.write(data)


def _letterhead_error(path: Path, message: str) -> ConfigError:
    return ConfigError(
        message, file=path, fix="save the letterhead from Word as a .docx (Word Document)"
    )


def _letterhead_package(path: Path) -> DocxPackage:
    try:
        with zipfile.ZipFile(path) as archive:
            parts = {info.filename: archive.read(info) for info in archive.infolist()
                     if not info.is_dir()}
    except FileNotFoundError:
        raise ConfigError("file not found", file=path, fix="check the --letterhead path") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise _letterhead_error(path, f"not a Word .docx file ({exc})") from None
    try:
        rels = etree.fromstring(parts["_rels/.rels"])
        target = next(
            rel.get("Target") or "" for rel in rels
            if rel.get("Type") == _OFFICE_DOC
        )
        main = posixpath.normpath(target.lstrip("/"))
        doc = etree.fromstring(parts[main])
        types = etree.fromstring(parts["[Content_Types].xml"])
    except (KeyError, StopIteration, etree.XMLSyntaxError):
        raise _letterhead_error(path, "not a Word document (no readable main part)") from None
    for override in types.iter(f"{{{_CT_NS}}}Override"):
        if override.get("PartName", "").lstrip("/") == main:
            if override.get("ContentType") not in _DOCX_MAIN_TYPES:
                raise _letterhead_error(path, "macro-enabled documents are not accepted")
            override.set("ContentType", _MAIN_CT)  # a .dotx template becomes a document
    sect = doc.find(f"{{{W_NS}}}body/{{{W_NS}}}sectPr")
    if sect is not None:
        for printer in sect.findall(f"{{{W_NS}}}printerSettings"):
            sect.remove(printer)  # its part (a printer's name and driver data) is not kept
    if sect is None:
        sect_pr, width = _PLAIN_SECT_PR, DEFAULT_TEXT_WIDTH
    else:
        sect_pr, width = etree.tostring(sect, encoding="unicode"), _text_width(sect)
    parts = _visible_parts(parts, main)
    _keep_overrides(types, set(parts) | {main}, main)
    parts["[Content_Types].xml"] = etree.tostring(
        types, xml_declaration=True, encoding="UTF-8", standalone=True
    )
    rest = sorted(n for n in parts if n not in ("[Content_Types].xml", main))
    ordered = ["[Content_Types].xml", *rest]
    return DocxPackage(
        [(name, parts[name]) for name in ordered], main_part=main, sect_pr=sect_pr,
        text_width=width,
    )


# What a letter keeps from a letterhead: what shows on the page (header, footer, styles and
# what they draw on). Document properties (author, last modified by, custom properties),
# the thumbnail, customXml, settings (attached template paths, document variables),
# comments and the like can carry names and paths: they are left out.
_KEPT_RELS = frozenset(f"{R_NS}/{kind}" for kind in (
    "styles", "stylesWithEffects", "header", "footer", "theme", "fontTable", "numbering",
    "image", "hyperlink",
))
_SETTINGS_RELS_ID = "rIdAppealsSettings"
_SETTINGS_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _visible_parts(parts: dict[str, bytes], main: str) -> dict[str, bytes]:
    """The parts the main part reaches through visible relationships only, plus the tool's
    own settings and package relationships."""
    kept: dict[str, bytes] = {}
    todo = [main]
    while todo:
        part = todo.pop()
        rels_name = _rels_name(part)
        rels = etree.fromstring(parts[rels_name]) if rels_name in parts else None
        if rels is None:
            if part != main:
                continue
            rels = etree.Element(f"{{{_PKG_REL_NS}}}Relationships")
        for rel in list(rels):
            if rel.get("Type") not in _KEPT_RELS:
                rels.remove(rel)
            elif rel.get("TargetMode") != "External":
                ref = rel.get("Target", "")
                target = (ref.lstrip("/") if ref.startswith("/") else
                          posixpath.normpath(posixpath.join(posixpath.dirname(part), ref)))
                if target in parts and target not in kept and target != main:
                    kept[target] = parts[target]
                    todo.append(target)
        if part == main:
            etree.SubElement(rels, f"{{{_PKG_REL_NS}}}Relationship", Id=_SETTINGS_RELS_ID,
                             Type=f"{R_NS}/settings", Target="settings.xml")
        kept[rels_name] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                         standalone=True)
    kept[posixpath.join(posixpath.dirname(main), "settings.xml")] = _SETTINGS.encode("utf-8")
    kept["_rels/.rels"] = _ROOT_RELS.replace("word/document.xml", main).encode("utf-8")
    kept[main] = parts[main]
    return kept


def _keep_overrides(types: etree._Element, parts: set[str], main: str) -> None:
    """Content types only for the parts kept, and one for the tool's settings."""
    settings = None
    for override in list(types.iter(f"{{{_CT_NS}}}Override")):
        name = override.get("PartName", "").lstrip("/")
        if name not in parts:
            types.remove(override)
        elif override.get("ContentType") == _SETTINGS_CT:
            settings = override
    if settings is None:
        name = posixpath.join(posixpath.dirname(main), "settings.xml")
        etree.SubElement(types, f"{{{_CT_NS}}}Override", PartName=f"/{name}",
                         ContentType=_SETTINGS_CT)


def _text_width(sect: etree._Element) -> int:
    """Usable width in twips of the letterhead's page (for table column widths)."""
    size = sect.find(f"{{{W_NS}}}pgSz")
    margins = sect.find(f"{{{W_NS}}}pgMar")
    found = [None if element is None else element.get(f"{{{W_NS}}}{name}")
             for element, name in ((size, "w"), (margins, "left"), (margins, "right"))]
    try:
        width, left, right = (int(value or "") for value in found)
    except ValueError:
        return DEFAULT_TEXT_WIDTH
    return max(width - left - right, 2880)
