"""Readable text of a DOCX or XLSX, for the golden files beside this module.

A document becomes one line per paragraph and one line per table row (cells between ``|``).
Runs keep the marks a reviewer needs: ``[-struck-]`` (a deleted value on a worksheet),
``{+inserted+}`` (its correction) and ``[[placeholder]]`` (highlighted text the office must
fill). A line break inside a paragraph continues on the next line, indented by two spaces.
A workbook becomes one block per sheet, one line per row, cells separated by `` | ``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import openpyxl
from docx.table import Table
from docx.text.paragraph import Paragraph

_INSERTED_COLOR = "00703C"  # wordml's colour for <ins>; struck runs carry w:strike


def _mark(run) -> tuple[str, str]:
    font = run.font
    if font.strike:
        return "[-", "-]"
    if font.color is not None and font.color.rgb is not None and str(font.color.rgb) == _INSERTED_COLOR:
        return "{+", "+}"
    if font.highlight_color is not None:
        return "[[", "]]"
    return "", ""


def paragraph_text(paragraph: Paragraph) -> str:
    """The paragraph's text with its struck, inserted and placeholder runs marked."""
    pieces: list[str] = []
    current: tuple[str, str] = ("", "")
    for run in paragraph.runs:
        mark = _mark(run)
        if mark != current:
            pieces.append(current[1] + mark[0])
            current = mark
        pieces.append(run.text)
    pieces.append(current[1])
    return "".join(pieces).replace("\n", "\n  ")


def _cell_text(cell) -> str:
    return " / ".join(paragraph_text(p) for p in cell.paragraphs if p.runs)


def _table_lines(table: Table) -> list[str]:
    return ["| " + " | ".join(_cell_text(c) for c in row.cells) + " |" for row in table.rows]


def docx_text(path: Path) -> str:
    """Every paragraph and table row of the body in order, then header and footer text."""
    document = docx.Document(str(path))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.append(paragraph_text(block))
    for section in document.sections:
        for part, name in ((section.header, "header"), (section.footer, "footer")):
            text = " / ".join(paragraph_text(p) for p in part.paragraphs if p.text)
            if text:
                lines.append(f"[{name}] {text}")
    return "\n".join(lines) + "\n"


def _cell_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value).replace("\n", "\\n")


def xlsx_text(path: Path) -> str:
    """Every sheet's cells row by row (values as stored, formulas as written)."""
    workbook = openpyxl.load_workbook(path)
    blocks: list[str] = []
    for sheet in workbook.worksheets:
        rows = []
        for row in sheet.iter_rows(values_only=True):
            cells = [_cell_value(v) for v in row]
            while cells and not cells[-1]:
                cells.pop()
            rows.append(" | ".join(cells))
        blocks.append(f"## {sheet.title}\n" + "\n".join(rows))
    return "\n\n".join(blocks) + "\n"
