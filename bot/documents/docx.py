"""The building blocks every generated .docx shares: A4 with the margins of GB/T 9704-2012 (党政机关公文格式),
Chinese fonts set for East Asian text (python-docx's `font.name` alone sets only the Latin ones, so Word
would fall back to its own choice), titles, paragraphs, tables and signature lines."""

from __future__ import annotations

import io
from collections.abc import Sequence
from copy import deepcopy
from typing import cast

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

BODY_FONT = "仿宋"  # FangSong: the body face of official documents, on every Chinese Windows
TITLE_FONT = "黑体"  # SimHei
TABLE_FONT = "宋体"  # SimSun
BODY_SIZE = Pt(14)  # 四号 (GB/T 9704 uses 三号 16pt; 四号 keeps forms on one page)
TABLE_SIZE = Pt(10.5)  # 五号
TEXT_WIDTH_MM = 210 - 28 - 26  # A4 less the GB/T 9704 side margins


def _east_asian(run_or_style_rpr: object, name: str) -> None:
    rpr = run_or_style_rpr
    fonts = rpr.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)  # type: ignore[attr-defined]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def set_font(run: Run, name: str, size: Pt | None = None, bold: bool | None = None) -> Run:
    run.font.name = name
    _east_asian(run._element.get_or_add_rPr(), name)
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.bold = bold
    return run


def new_document(*, landscape: bool = False) -> DocumentObject:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.top_margin, section.bottom_margin = Mm(37 if not landscape else 25), Mm(35 if not landscape else 20)
    section.left_margin, section.right_margin = Mm(28 if not landscape else 25), Mm(26 if not landscape else 25)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    _east_asian(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = Pt(26)
    return doc


def title(doc: DocumentObject, text: str, size: float = 22, *, before: bool = False) -> Paragraph:
    p = doc.add_paragraph()
    if before:
        p.paragraph_format.page_break_before = True
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(12)
    p.paragraph_format.line_spacing = Pt(size * 1.6)
    lines = text.split("\n")  # a long title breaks where its words allow, not where the line runs out
    for i, line in enumerate(lines):
        run = set_font(p.add_run(line), TITLE_FONT, Pt(size), bold=False)
        if i < len(lines) - 1:
            run.add_break(WD_BREAK.LINE)
    return p


def heading(doc: DocumentObject, text: str) -> Paragraph:
    """一、二、三… level: 黑体, like the first level of an official document."""
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(28)
    p.paragraph_format.space_before = Pt(6)
    set_font(p.add_run(text), TITLE_FONT, BODY_SIZE)
    return p


def para(doc: DocumentObject, text: str, *, indent: bool = True, align: str = "left", bold: bool = False,
         size: Pt | None = None) -> Paragraph:
    p = doc.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(28)
    p.alignment = {"left": WD_ALIGN_PARAGRAPH.JUSTIFY, "plain": WD_ALIGN_PARAGRAPH.LEFT,
                   "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    set_font(p.add_run(text), BODY_FONT, size or BODY_SIZE, bold=bold)
    return p


_W_R, _W_T, _W_BR, _XML_SPACE = qn("w:r"), qn("w:t"), qn("w:br"), qn("xml:space")
_run_props: dict[tuple[str, float, bool], object] = {}
_cell_par_props: list[object] = []


def _prototype_rpr(font: str, size: Pt, bold: bool) -> object:
    """The run properties for a font, size and weight, built once through python-docx and copied after."""
    key = (font, size.pt, bold)
    if key not in _run_props:
        scratch = Document().add_paragraph().add_run("x")
        set_font(scratch, font, size, bold=bold)
        _run_props[key] = scratch._r.rPr
    return _run_props[key]


def _cell_text(cell: object, text: str, bold: bool, size: Pt) -> None:
    _fill(cell._tc, text, bold, size)  # type: ignore[attr-defined]


def _fill(tc: object, text: str, bold: bool, size: Pt) -> None:
    """Text into a table cell, written as XML directly: going through python-docx's objects costs half a
    millisecond a cell, and a bulletin has thousands."""
    p = tc.p_lst[0]  # type: ignore[attr-defined]
    if not _cell_par_props:
        scratch = Document().add_paragraph()
        scratch.paragraph_format.line_spacing = 1.15
        _cell_par_props.append(scratch._p.pPr)
    p.insert(0, deepcopy(_cell_par_props[0]))
    rpr = _prototype_rpr(TABLE_FONT, size, bold)
    lines = str(text).split("\n")
    for i, line in enumerate(lines):
        r = p.makeelement(_W_R, {})
        r.append(deepcopy(rpr))
        t = p.makeelement(_W_T, {_XML_SPACE: "preserve"})
        t.text = line
        r.append(t)
        if i < len(lines) - 1:
            r.append(p.makeelement(_W_BR, {}))
        p.append(r)


def row_cells(t: Table, row: _Row) -> list[_Cell]:
    """A row's cells straight from its XML: python-docx's `row.cells` walks the whole table each time."""
    return [_Cell(tc, t) for tc in row._tr.tc_lst]


def table(doc: DocumentObject, header: Sequence[str] | None, rows: Sequence[Sequence[object]],
          widths_mm: Sequence[float] | None = None, *, size: Pt = TABLE_SIZE, header_bold: bool = True) -> Table:
    """A grid table. Rows are copies of one empty row made by python-docx (with its cell widths): adding
    rows through python-docx costs milliseconds each, and a long list runs to thousands."""
    cols = len(header) if header else max((len(r) for r in rows), default=1)
    t = doc.add_table(rows=0, cols=cols)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    if widths_mm:
        t.autofit = False
        for col, w in zip(t.columns, widths_mm, strict=False):
            col.width = Mm(w)
    blank = t.add_row()
    if widths_mm:
        for cell, w in zip(row_cells(t, blank), widths_mm, strict=False):
            cell.width = Mm(w)
    proto = deepcopy(blank._tr)
    t._tbl.remove(blank._tr)
    if header:
        tr = deepcopy(proto)
        t._tbl.append(tr)
        for tc, text in zip(tr.tc_lst, header, strict=True):
            _fill(tc, text, header_bold, size)
        _repeat_header(t)
    for row in rows:
        tr = deepcopy(proto)
        t._tbl.append(tr)
        for tc, value in zip(tr.tc_lst, row, strict=False):
            _fill(tc, "" if value is None else str(value), False, size)
    return cast(Table, t)


def set_widths(t: Table, widths_mm: Sequence[float]) -> None:
    """Fixed column widths that Word and LibreOffice both keep (the grid and every cell)."""
    t.autofit = False
    for col, w in zip(t.columns, widths_mm, strict=False):
        col.width = Mm(w)
    for row in t.rows:
        for cell, w in zip(row_cells(t, row), widths_mm, strict=False):
            cell.width = Mm(w)


def form(doc: DocumentObject, pairs: Sequence[tuple[str, str]], widths_mm: Sequence[float] = (30, 50, 30, 46)) -> Table:
    """A label | value | label | value form; a pair whose label ends with '*' spans the whole row."""
    t = doc.add_table(rows=0, cols=4)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    pending: list[tuple[str, str]] = []

    def flush() -> None:
        cells = t.add_row().cells
        for i, (label, value) in enumerate(pending):
            _cell_text(cells[2 * i], label, True, TABLE_SIZE)
            _cell_text(cells[2 * i + 1], value, False, TABLE_SIZE)
        pending.clear()

    for label, value in pairs:
        if label.endswith("*"):
            if pending:
                flush()
            cells = t.add_row().cells
            _cell_text(cells[0], label[:-1], True, TABLE_SIZE)
            merged = cells[1].merge(cells[3])
            _cell_text(merged, value, False, TABLE_SIZE)
            continue
        pending.append((label, value))
        if len(pending) == 2:
            flush()
    if pending:
        pending.append(("", ""))
        flush()
    set_widths(t, widths_mm)
    return cast(Table, t)


def _repeat_header(t: Table) -> None:
    """The header row repeats on every page a long table runs over."""
    tr_pr = t.rows[0]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def signatures(doc: DocumentObject, labels: Sequence[str]) -> None:
    for label in labels:
        para(doc, f"{label}:____________", indent=False, align="right")


def spacer(doc: DocumentObject) -> None:
    doc.add_paragraph()


def page_break(doc: DocumentObject) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def to_bytes(doc: DocumentObject) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _field(paragraph: Paragraph, instruction: str, placeholder: str, size: Pt) -> None:
    """A Word field (PAGE, NUMPAGES, PAGEREF …): Word and LibreOffice compute it when laying out the page."""
    def run_with(child: object) -> None:
        run = set_font(paragraph.add_run(), TABLE_FONT, size)
        run._r.append(child)

    begin, sep, end = (OxmlElement("w:fldChar") for _ in range(3))
    begin.set(qn("w:fldCharType"), "begin")
    sep.set(qn("w:fldCharType"), "separate")
    end.set(qn("w:fldCharType"), "end")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(begin)
    run_with(instr)
    run_with(sep)
    set_font(paragraph.add_run(placeholder), TABLE_FONT, size)
    run_with(end)


def bookmark(paragraph: Paragraph, name: str, ident: int) -> None:
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(ident))
    start.set(qn("w:name"), name)
    end.set(qn("w:id"), str(ident))
    paragraph._p.insert(0, start)
    paragraph._p.append(end)


def page_of(cell: object, name: str) -> None:
    """The page number a bookmark lands on, in a table cell (卷内目录's 页号)."""
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    _field(paragraph, f"PAGEREF {name} \\h", "1", TABLE_SIZE)


def page_footer(doc: DocumentObject) -> None:
    """第 N 页 共 M 页, centred at the foot of every page."""
    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(p.add_run("第 "), TABLE_FONT, TABLE_SIZE)
    _field(p, "PAGE", "1", TABLE_SIZE)
    set_font(p.add_run(" 页 共 "), TABLE_FONT, TABLE_SIZE)
    _field(p, "NUMPAGES", "1", TABLE_SIZE)
    set_font(p.add_run(" 页"), TABLE_FONT, TABLE_SIZE)
