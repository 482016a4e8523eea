"""Turn the templates' small HTML-like markup into WordprocessingML body content.

Tags: ``h1 h2 h3 p`` (``align="center|right"``), ``b i u br``, ``ph`` (a highlighted
placeholder), ``del ins`` (a change on the worksheet: struck red / underlined green),
``ul ol li``, ``small`` (8.5 pt text, for dense tables), ``table`` (``widths="30,70"`` in percent, ``borders="none"``, ``size="small"``), ``tr th td``.
Formatting is direct (no style ids) so a practice letterhead's styles never break it.

The input comes from autoescaped templates: every ``<`` from data arrives as ``&lt;``, so
any tag seen here was written by a template author. Text is unescaped with the HTML
rules (template authors may write ``&nbsp;`` or a bare ``&``) and escaped again for XML.
Whitespace collapses as in HTML; a line break is ``<br>``.
"""

from __future__ import annotations

import html
import re

from appeals.errors import RenderError

_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z_-]+\s*=\s*"[^"]*")*)\s*/?>')
_ATTR = re.compile(r'([a-zA-Z_-]+)\s*=\s*"([^"]*)"')
_NO_ATTRS: dict[str, str] = {}
_SPACE = re.compile(r"[ \t\r\n]+")
# Characters XML 1.0 cannot hold (plus lone surrogates, which cannot be encoded).
BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

_INLINE = {"b", "i", "u", "ph", "del", "ins", "small"}
_HEADINGS = {"h1": 32, "h2": 26, "h3": 22}
_ALIGN = {"center": "center", "right": "right", "left": "left", "justify": "both"}
_BORDER = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="8C8C8C"/>'
_BORDERS = "<w:tblBorders>" + "".join(
    _BORDER.format(side) for side in ("top", "left", "bottom", "right", "insideH", "insideV")
) + "</w:tblBorders>"


_STYLE = re.compile(r"^[A-Za-z]{1,40}$")
_KEEP = {"next": "<w:keepNext/>", "lines": "<w:keepLines/>",
         "both": "<w:keepNext/><w:keepLines/>"}


def _xml_text(raw: str) -> str:
    if "&" in raw:
        text = BAD_XML_CHARS.sub("", html.unescape(raw))
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = BAD_XML_CHARS.sub("", raw)
    return text.replace("<", "&lt;").replace(">", "&gt;") if "<" in text or ">" in text else text


def _rpr(own: frozenset[str], base: frozenset[str]) -> str:
    """Run properties in schema order."""
    flags = own | base
    props = []
    if "b" in flags:
        props.append("<w:b/><w:bCs/>")
    if "i" in flags:
        props.append("<w:i/><w:iCs/>")
    if "del" in flags:
        props.append('<w:strike/><w:color w:val="C00000"/>')
    elif "ins" in flags:
        props.append('<w:color w:val="00703C"/>')
    for tag, size in _HEADINGS.items():
        if tag in flags:
            props.append(f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>')
    if "small" in flags:  # dense tables: 8.5 pt so a date or an amount stays on one line
        props.append('<w:sz w:val="17"/><w:szCs w:val="17"/>')
    if "ph" in flags:
        props.append('<w:highlight w:val="yellow"/>')
    if "u" in flags or "ins" in flags:
        props.append('<w:u w:val="single"/>')
    return f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""


def _is_text(run: tuple[str, frozenset[str]]) -> bool:
    return not ("br" in run[1] or "tab" in run[1])


class _Para:
    __slots__ = ("ppr", "base", "runs")

    def __init__(self, ppr: str, base: frozenset[str]) -> None:
        self.ppr = ppr
        self.base = base
        self.runs: list[tuple[str, frozenset[str]]] = []  # text "" + {"br"} = line break


class _Converter:
    def __init__(self, text_width: int, source: str) -> None:
        self.text_width = text_width
        self.source = source
        self.out: list[str] = []
        self.para: _Para | None = None
        self.fmt: dict[str, int] = dict.fromkeys(_INLINE, 0)
        self.flags: frozenset[str] = frozenset()
        self.lists: list[list[int | None]] = []  # per open list: [counter or None]
        self.table: dict | None = None
        self.cell: list[str] | None = None
        self.sink = self.out  # the current cell's parts, or the body

    # -- output targets -------------------------------------------------------------
    def _format(self, tag: str, step: int) -> None:
        self.fmt[tag] = max(self.fmt[tag] + step, 0)
        self.flags = frozenset(k for k, v in self.fmt.items() if v > 0)

    def _open_para(self, ppr: str = "", base: frozenset[str] = frozenset()) -> _Para:
        self._close_para()
        if self.cell is not None and "<w:spacing" not in ppr:
            # keepNext (headings) would precede spacing; only headings carry both
            ppr = '<w:spacing w:before="0" w:after="0"/>' + ppr
        self.para = _Para(ppr, base)
        return self.para

    def _close_para(self) -> None:
        para, self.para = self.para, None
        if para is None:
            return
        runs = para.runs
        while runs and _is_text(runs[0]) and not runs[0][0].strip():
            runs.pop(0)
        while runs and _is_text(runs[-1]) and not runs[-1][0].strip():
            runs.pop()
        if runs and _is_text(runs[0]):
            runs[0] = (runs[0][0].lstrip(), runs[0][1])
        if runs and _is_text(runs[-1]):
            runs[-1] = (runs[-1][0].rstrip(), runs[-1][1])
        parts = [f"<w:p><w:pPr>{para.ppr}</w:pPr>" if para.ppr else "<w:p>"]
        base = para.base
        for text, flags in runs:
            rpr = _rpr(flags, base)
            if "br" in flags:
                parts.append(f"<w:r>{rpr}<w:br/></w:r>")
            elif "tab" in flags:
                parts.append(f"<w:r>{rpr}<w:tab/></w:r>")
            elif text:
                parts.append(f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>')
        parts.append("</w:p>")
        self.sink.append("".join(parts))


    # -- events ---------------------------------------------------------------------
    def text(self, raw: str) -> None:
        if self.para is None and raw.isspace():
            return
        text = _SPACE.sub(" ", raw)
        para = self.para
        if para is None:
            if self.table is not None and self.cell is None:
                raise self._error("text inside <table> outside a cell")
            para = self._open_para()
        if para.runs and text.startswith(" "):
            last = para.runs[-1]
            if not _is_text(last) or last[0].endswith(" "):
                text = text.lstrip()
        if text:
            para.runs.append((_xml_text(text), self.flags))

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag in _INLINE:
            self._format(tag, 1)
        elif tag == "br":
            para = self.para if self.para is not None else self._open_para()
            para.runs.append(("", frozenset({"br"})))
        elif tag == "p" or tag in _HEADINGS:
            self._start_para(tag, attrs)
        elif tag in ("ul", "ol"):
            self._close_para()
            self.lists.append([0 if tag == "ol" else None])
        elif tag == "li":
            self._start_item()
        elif tag == "table":
            self._start_table(attrs)
        elif tag == "tr":
            table = self._need_table(tag)
            self._end_cell()
            table["rows"].append({"cells": [], "header": False})
        elif tag in ("td", "th"):
            self._start_cell(tag, attrs)
        else:
            raise self._error(f"unknown tag <{tag}>")

    def _start_para(self, tag: str, attrs: dict[str, str]) -> None:
        ppr = self._align(attrs)
        # keep="next" holds the paragraph to the next one (a signature block), keep="lines"
        # keeps its lines on one page; both precede spacing and alignment in w:pPr.
        keep = attrs.get("keep", "") if attrs else ""
        ppr = _KEEP.get(keep, "") + ppr
        style = attrs.get("style", "") if attrs else ""
        if style:
            if not _STYLE.match(style):
                raise self._error(f'style="{style}" must be a style id (letters only)')
            ppr = f'<w:pStyle w:val="{style}"/>' + ppr
        if tag in _HEADINGS:
            ppr = '<w:keepNext/><w:spacing w:before="240" w:after="120"/>' + ppr
        self._open_para(ppr, frozenset({tag, "b"} if tag in _HEADINGS else ()))

    def _start_item(self) -> None:
        depth = max(len(self.lists), 1)
        indent = 360 * depth
        para = self._open_para(f'<w:ind w:left="{indent}" w:hanging="360"/>')
        counter = self.lists[-1] if self.lists else [None]
        if counter[0] is None:
            marker = "\u2022"
        else:
            counter[0] += 1
            marker = f"{counter[0]}."
        para.runs.append((marker, frozenset()))
        para.runs.append(("", frozenset({"tab"})))

    def _start_table(self, attrs: dict[str, str]) -> None:
        if self.table is not None:
            raise self._error("tables inside tables are not supported")
        self._close_para()
        widths = [w for w in attrs.get("widths", "").replace(" ", "").split(",") if w]
        try:
            percents = [float(w) for w in widths]
        except ValueError:
            raise self._error(f'widths="{attrs["widths"]}" must be numbers') from None
        small = attrs.get("size", "") == "small"
        self.table = {"rows": [], "widths": percents, "small": small,
                      "borders": attrs.get("borders", "") != "none"}
        if small:
            self._format("small", 1)

    def _start_cell(self, tag: str, attrs: dict[str, str]) -> None:
        table = self._need_table(tag)
        self._end_cell()
        if not table["rows"]:
            table["rows"].append({"cells": [], "header": False})
        row = table["rows"][-1]
        row["header"] = row["header"] or tag == "th"
        self.cell = []
        row["cells"].append({"parts": self.cell, "header": tag == "th",
                             "align": self._align(attrs)})
        self.sink = self.cell
        if tag == "th":
            self._format("b", 1)

    def end(self, tag: str) -> None:
        if tag in _INLINE:
            self._format(tag, -1)
        elif tag == "p" or tag in _HEADINGS or tag == "li":
            self._close_para()
        elif tag in ("ul", "ol"):
            self._close_para()
            if self.lists:
                self.lists.pop()
        elif tag in ("td", "th", "tr"):
            self._end_cell()
        elif tag == "table":
            small = self.table is not None and self.table.get("small")
            self._end_table()
            if small:
                self._format("small", -1)
        elif tag != "br":
            raise self._error(f"unknown tag </{tag}>")

    # -- tables ---------------------------------------------------------------------
    def _need_table(self, tag: str) -> dict:
        if self.table is None:
            raise self._error(f"<{tag}> outside a <table>")
        return self.table

    def _end_cell(self) -> None:
        if self.cell is None:
            return
        self._close_para()
        row = self._need_table("td")["rows"][-1]
        if row["cells"][-1]["header"]:
            self._format("b", -1)
        self.cell = None
        self.sink = self.out

    def _end_table(self) -> None:
        if self.table is None:
            return
        self._end_cell()
        table, self.table = self.table, None
        rows = [r for r in table["rows"] if r["cells"]]
        ncols = max((len(r["cells"]) for r in rows), default=0)
        if not ncols:
            return
        percents = table["widths"][:ncols]
        if len(percents) < ncols:
            rest = max(100 - sum(percents), 0) / (ncols - len(percents))
            percents += [rest] * (ncols - len(percents))
        total = sum(percents) or 1
        widths = [int(self.text_width * p / total) for p in percents]
        parts = ['<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/>']
        if table["borders"]:
            parts.append(_BORDERS)
        parts.append('<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>')
        parts.extend(f'<w:gridCol w:w="{w}"/>' for w in widths)
        parts.append("</w:tblGrid>")
        for row in rows:
            parts.append("<w:tr>")
            if row["header"]:
                parts.append("<w:trPr><w:tblHeader/></w:trPr>")
            cells = row["cells"] + [{"parts": [], "header": False, "align": ""}] * (
                ncols - len(row["cells"])
            )
            for width, cell in zip(widths, cells, strict=True):
                shade = '<w:shd w:val="clear" w:color="auto" w:fill="E7E6E6"/>' if cell["header"] else ""
                body = "".join(cell["parts"]) or '<w:p><w:pPr><w:spacing w:after="0"/></w:pPr></w:p>'
                parts.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr>{body}</w:tc>')
            parts.append("</w:tr>")
        parts.append("</w:tbl>")
        self.out.append("".join(parts))

    # -- helpers --------------------------------------------------------------------
    def _align(self, attrs: dict[str, str]) -> str:
        if not attrs:
            return ""
        value = _ALIGN.get(attrs.get("align", "").lower())
        return f'<w:jc w:val="{value}"/>' if value else ""

    def _error(self, message: str) -> RenderError:
        return RenderError(
            f"template markup: {message}", file=self.source,
            fix="use only the tags listed in templates/README.md",
        )

    def is_clean(self) -> bool:
        """Nothing open: what follows converts the same in a fresh converter."""
        return (self.para is None and self.table is None and self.cell is None
                and not self.lists and not self.flags)

    def finish(self) -> str:
        self._close_para()
        self._end_table()
        if self.out and self.out[-1].startswith("<w:tbl>"):
            self.out.append("<w:p/>")  # Word wants a paragraph after a closing table
        return "".join(self.out)



def _feed(conv: _Converter, markup: str) -> None:
    tokens = _TAG.split(markup)  # text, closing, tag, attrs, text, ...
    text, start, end = conv.text, conv.start, conv.end
    if tokens[0]:
        text(tokens[0])
    for k in range(1, len(tokens), 4):
        tag = tokens[k + 1].lower()
        if tokens[k]:
            end(tag)
        else:
            attrs = tokens[k + 2]
            start(tag, dict(_ATTR.findall(attrs)) if attrs else _NO_ATTRS)
        if tokens[k + 3]:
            text(tokens[k + 3])


def markup_to_wordml(markup: str, *, text_width: int = 9360, source: str = "") -> str:
    """Convert rendered template markup to the content of ``<w:body>`` (no sectPr)."""
    conv = _Converter(text_width, source)
    _feed(conv, markup)
    return conv.finish()
