"""Word-exported HTML ("save as web page") and DOCX with the table-三 quirks of issue 10:

- misaligned header spans: the grid has one extra column; in the upper header row 自然人 spans
  grid columns 4–5 while in the lower row an empty cell sits under it and one applicant column
  (商业企业 in the reported case) spans two columns; the data rows follow the lower row
  (`64 | 0 (colspan 2) | 0 | 2 | 0 | 4 | 70`). A reader that follows the upper row shifts five
  applicant columns by one. Pattern "consistent" keeps the extra column but makes both rows agree.
- spacer cells: empty, borderless cells at the end of some rows, and Word's zero-height
  `supportMisalignedColumns` row of width-only cells (HTML).
- colspan on value cells (the wide applicant column; 2019 table 二 as in the sample county).
- hidden rows (`display:none` / `mso-hide:all` in HTML, `w:vanish` + `w:hidden` in DOCX): empty,
  or a stale copy of a row with other numbers, which is not printed and must not be read.
"""
from __future__ import annotations

import html
import random

from tools.sample_county import prose
from tools.sample_county.county import Report
from tools.sample_county.tables import Cell, Grid, expand, grid_t2, grid_t3, grid_t4

LEAVES = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")


def misaligned_t3(g: Grid, wide: int, pattern: str) -> Grid:
    """Table 三 on an 11-column grid: applicant column `wide` (1..5) spans two grid columns.

    pattern "issue": upper row 自然人 colspan 2 / lower row empty cell under it (the reported case);
    pattern "consistent": 自然人 rowspan 2, 法人或其他组织 colspan 6 (spans agree)."""
    rows = [list(r) for r in g.rows]
    note, applicant = rows[0]
    rows[0] = [note, Cell(applicant.text, 1, 8, None, True)]
    nat, legal, total = rows[1]
    leaves = [Cell(c.text, 1, 2 if k + 1 == wide else 1, None, True) for k, c in enumerate(rows[2])]
    if pattern == "issue":
        rows[1] = [Cell(nat.text, 1, 2, None, True), legal, total]
        rows[2] = [Cell("", 1, 1, None, True)] + leaves
    else:
        rows[1] = [nat, Cell(legal.text, 1, 6, None, True), total]
        rows[2] = leaves
    for ri in range(3, len(rows)):
        vals = [c for c in rows[ri] if c.code is not None]
        assert len(vals) == 7, ri
        k = rows[ri].index(vals[wide])
        c = rows[ri][k]
        rows[ri][k] = Cell(c.text, c.rowspan, c.colspan + 1, c.code, c.header)
    widths = [0.07, 0.10, 0.25] + [0.08] * 8
    out = Grid("t3", 11, widths, rows, g.font_scale)
    expand(out)          # no holes, no overflow
    return out


def insert_hidden_row(g: Grid, k: int, rng: random.Random, stale: bool) -> Grid:
    """Insert a row before row k; spans crossing the boundary grow by one. Returns the new grid;
    the hidden row is g.rows[k] of the result (its cells carry code None)."""
    m = expand(g)
    rows = [list(r) for r in g.rows]
    covered = set()
    grown = set()
    for ci in range(g.ncols):
        cell, r0, c0 = m[k][ci] if k < len(m) else (None, k, ci)
        if cell is not None and r0 < k:
            covered.add(ci)
            if id(cell) not in grown:
                grown.add(id(cell))
                row = rows[r0]
                idx = next(i for i, c in enumerate(row) if c is cell)
                row[idx] = Cell(cell.text, cell.rowspan + 1, cell.colspan, cell.code, cell.header)
    new: list[Cell] = []
    first_label = True
    for ci in range(g.ncols):
        if ci in covered:
            continue
        text = ""
        if stale:
            if ci >= g.ncols - 8 and g.name == "t3" or (g.name != "t3" and ci > 0):
                text = str(rng.randint(1, 999))
            elif first_label:
                text = "（其他）"
                first_label = False
        new.append(Cell(text, 1, 1, None, ci < g.ncols - 8))
    rows.insert(k, new)
    out = Grid(g.name, g.ncols, g.widths, rows, g.font_scale)
    expand(out)
    return out


def draw_tables(r: Report, rng: random.Random) -> tuple[list[Grid], dict, dict]:
    """(grids, params, hidden row indices per grid name)."""
    pattern = rng.choice(["issue", "issue", "issue", "consistent"])
    wide = rng.randint(1, 5)
    if r.template_s2 == "2019":
        r.colspan_quirk = rng.random() < 0.5
    g2, g3, g4 = grid_t2(r), grid_t3(r), grid_t4(r)
    g3 = misaligned_t3(g3, wide, pattern)
    hidden: dict[str, list[int]] = {"t2": [], "t3": [], "t4": []}
    n_hidden = rng.choice([0, 1, 2])
    stale = rng.random() < 0.5
    for _ in range(n_hidden):
        k = rng.randrange(4, len(g3.rows) + 1)
        g3 = insert_hidden_row(g3, k, rng, stale)
        hidden["t3"] = sorted([h + (1 if h >= k else 0) for h in hidden["t3"]] + [k])
    params = {"span_pattern": pattern, "wide_column": LEAVES[wide], "hidden_rows": hidden["t3"],
              "stale_hidden": stale and n_hidden > 0, "t2_colspan_quirk": r.colspan_quirk}
    return [g2, g3, g4], params, hidden


# ------------------------------------------------------------------ HTML
def _td(c: Cell, width_pt: float, spacer: bool = False) -> str:
    attrs = f" width={round(width_pt * 4 / 3)}"
    if c.rowspan > 1:
        attrs += f" rowspan={c.rowspan}"
    if c.colspan > 1:
        attrs += f" colspan={c.colspan}"
    if spacer:
        return f"<td{attrs} style='border:none;padding:0cm 0cm 0cm 0cm'><p class=MsoNormal>&nbsp;</p></td>"
    style = (f"width:{width_pt:.1f}pt;border:solid windowtext 1.0pt;border-top:none;mso-border-alt:solid "
             "windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt")
    font = "font-family:&quot;Times New Roman&quot;" if c.code else "font-family:仿宋_GB2312"
    if c.text:
        paras = "".join(f"<p class=MsoNormal align=center style='text-align:center'><span lang=EN-US "
                        f"style='font-size:10.5pt;{font}'>{html.escape(line)}<o:p></o:p></span></p>"
                        for line in c.text.split("\n"))
    else:
        paras = "<p class=MsoNormal align=center style='text-align:center'><span lang=EN-US><o:p>&nbsp;</o:p></span></p>"
    return f"<td{attrs} valign=middle style='{style}'>{paras}</td>"


def table_html(g: Grid, hidden: list[int], rng: random.Random, spacers: bool) -> str:
    total_pt = 440.0
    colw = [w / sum(g.widths) * total_pt for w in g.widths]
    m = expand(g)
    out = ["<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 "
           "style='border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;"
           "mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>"]
    for ri, row in enumerate(g.rows):
        style = f"mso-yfti-irow:{ri};height:{rng.choice([14.2, 18.0, 21.75])}pt"
        if ri in hidden:
            style += ";display:none;mso-hide:all"
        cells = []
        for c in row:
            c0 = next(ci for ci in range(g.ncols) if m[ri][ci] is not None and m[ri][ci][0] is c)
            cells.append(_td(c, sum(colw[c0:c0 + c.colspan])))
        if spacers and ri not in hidden and rng.random() < 0.3:
            cells.append(_td(Cell(""), 0.75, spacer=True))
        out.append(f"<tr style='{style}'>" + "".join(cells) + "</tr>")
    out.append("<![if !supportMisalignedColumns]><tr height=0>"
               + "".join(f"<td width={round(w * 4 / 3)} style='border:none'></td>" for w in colw)
               + "</tr><![endif]>")
    out.append("</table>")
    return "\n".join(out)


def render_html(r: Report, rng: random.Random) -> tuple[bytes, dict]:
    grids_, params, hidden = draw_tables(r, rng)
    gmap = {g.name: g for g in grids_}
    spacers = rng.random() < 0.7
    encoding = rng.choice(["utf-8", "utf-8", "gb2312"])
    params.update(spacer_cells=spacers, encoding=encoding)
    body = []
    for kind, text in prose.paragraphs(r):
        t = html.escape(text)
        if kind == "title":
            body.append("<p class=MsoNormal align=center style='text-align:center'><b><span "
                        f"style='font-size:18.0pt;font-family:方正小标宋简体'>{t}<o:p></o:p></span></b></p>")
        elif kind == "h":
            body.append("<p class=MsoNormal style='text-indent:32.0pt'><span style='font-size:16.0pt;"
                        f"font-family:黑体'>{t}<o:p></o:p></span></p>")
        elif kind == "p":
            body.append("<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'><span "
                        f"style='font-size:16.0pt;font-family:仿宋_GB2312'>{t}<o:p></o:p></span></p>")
        elif kind == "sign":
            body.append(f"<p class=MsoNormal align=right style='text-align:right'><span "
                        f"style='font-size:16.0pt;font-family:仿宋_GB2312'>{t}<o:p></o:p></span></p>")
        elif kind == "table":
            body.append(table_html(gmap[text], hidden[text], rng, spacers))
    charset = "gb2312" if encoding == "gb2312" else "utf-8"
    doc = ("<html xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\" "
           "xmlns:w=\"urn:schemas-microsoft-com:office:word\" xmlns=\"http://www.w3.org/TR/REC-html40\">\n<head>\n"
           f"<meta http-equiv=Content-Type content=\"text/html; charset={charset}\">\n"
           "<meta name=ProgId content=Word.Document>\n<meta name=Generator content=\"Microsoft Word 15\">\n"
           f"<title>{html.escape(r.title)}</title>\n<style>\n<!-- p.MsoNormal {{margin:0cm;text-align:justify;"
           "font-size:10.5pt}} -->\n</style>\n</head>\n<body lang=ZH-CN style='tab-interval:21.0pt'>\n"
           "<div class=WordSection1 style='layout-grid:15.6pt'>\n" + "\n".join(body) + "\n</div>\n</body>\n</html>\n")
    data = doc.encode("gb18030" if encoding == "gb2312" else "utf-8")
    return data, params


# ------------------------------------------------------------------ DOCX
def render_docx(r: Report, rng: random.Random) -> tuple[bytes, dict]:
    import io

    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    from tools.sample_county import render_docx as rd

    grids_, params, hidden = draw_tables(r, rng)
    gmap = {g.name: g for g in grids_}
    font = rng.choice(["仿宋_GB2312", "宋体", "Noto Serif CJK SC"])
    params["font"] = font
    d = docx.Document()
    st = d.styles["Normal"]
    st.font.name = font
    st.element.rPr.rFonts.set(qn("w:eastAsia"), font)
    for kind, text in prose.paragraphs(r):
        if kind == "title":
            rd._para(d, text, font, 18, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, bold=True)
        elif kind == "h":
            rd._para(d, text, font, 12, bold=True)
        elif kind == "sign":
            rd._para(d, text, font, 12, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        elif kind == "table":
            g = gmap[text]
            table_docx(d, g, font, 9 if g.name != "t4" else 7.5, hidden[text])
            d.add_paragraph()
        else:
            rd._para(d, text, font, 12)
    cp = d.core_properties
    cp.author = r.org.printed(r.year)[0]
    cp.title = r.title
    import datetime as dt

    stamp = dt.datetime(r.published.year, r.published.month, r.published.day, 9, 0, 0)
    cp.created = cp.modified = stamp
    cp.last_modified_by = cp.author
    cp.revision = 1
    buf = io.BytesIO()
    d.save(buf)
    return rd.normalize_zip(buf.getvalue()), params


def table_docx(d, g: Grid, font: str, size: float, hidden: list[int], rules: str = "grid") -> None:
    """Append a Word table for grid g, built as XML (python-docx merges are quadratic): gridSpan
    for column spans, vMerge for row spans; hidden rows get w:hidden and w:vanish on every run."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    m = expand(g)
    sec = d.sections[0]
    avail = (sec.page_width - sec.left_margin - sec.right_margin) / 635   # EMU -> twips
    colw = [int(avail * w / sum(g.widths)) for w in g.widths]
    esc = html.escape
    rfonts = f'<w:rFonts w:ascii="{esc(font)}" w:hAnsi="{esc(font)}" w:eastAsia="{esc(font)}" w:cs="{esc(font)}"/>'
    half_pts = int(size * 2)
    rows = []
    for ri in range(len(g.rows)):
        vanish = "<w:vanish/>" if ri in hidden else ""
        tcs = []
        ci = 0
        while ci < g.ncols:
            cell, r0, c0 = m[ri][ci]
            span = f'<w:gridSpan w:val="{cell.colspan}"/>' if cell.colspan > 1 else ""
            vm = ""
            if cell.rowspan > 1:
                vm = '<w:vMerge w:val="restart"/>' if r0 == ri else "<w:vMerge/>"
            width = sum(colw[c0:c0 + cell.colspan])
            text = cell.text if r0 == ri else ""
            runs = ""
            for k, line in enumerate(text.split("\n") if text else []):
                br = "<w:br/>" if k else ""
                runs += (f"<w:r><w:rPr>{rfonts}{vanish}<w:sz w:val=\"{half_pts}\"/></w:rPr>{br}"
                         f'<w:t xml:space="preserve">{esc(line)}</w:t></w:r>')
            jc = '<w:jc w:val="center"/>' if (cell.code is not None or g.name == "t4") else ""
            tcs.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{span}{vm}<w:vAlign w:val="center"/>'
                       f"</w:tcPr><w:p><w:pPr>{jc}<w:rPr>{vanish}</w:rPr></w:pPr>{runs}</w:p></w:tc>")
            ci = c0 + cell.colspan
        trpr = "<w:trPr><w:hidden/></w:trPr>" if ri in hidden else ""
        rows.append(f"<w:tr>{trpr}{''.join(tcs)}</w:tr>")
    drawn = {"grid": ("top", "left", "bottom", "right", "insideH", "insideV"),
             "hrules": ("top", "bottom", "insideH"), "none": ()}[rules]
    borders = "".join(f'<w:{b} w:val="single" w:sz="4" w:space="0" w:color="000000"/>' if b in drawn
                      else f'<w:{b} w:val="nil"/>'
                      for b in ("top", "left", "bottom", "right", "insideH", "insideV"))
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in colw)
    xml = (f"<w:tbl {nsdecls('w')}><w:tblPr><w:tblW w:w=\"{sum(colw)}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/>"
           f"<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
           '<w:tblCellMar><w:left w:w="40" w:type="dxa"/><w:right w:w="40" w:type="dxa"/></w:tblCellMar></w:tblPr>'
           f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>")
    body = d.element.body
    sect = body[-1]
    sect.addprevious(parse_xml(xml))


def render(family: str, r: Report, rng: random.Random) -> tuple[bytes, str, dict, dict]:
    if family == "word_html":
        data, params = render_html(r, rng)
        return data, ".html", params, {}
    data, params = render_docx(r, rng)
    return data, ".docx", params, {}
