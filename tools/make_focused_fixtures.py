"""Generate the focused extraction fixtures in tests/fixtures/focused/ (run by hand, output committed).

    .venv/bin/python tools/make_focused_fixtures.py [OUT_DIR]

Each fixture is a small 2021/2021 report whose values are non-zero and distinct (so a cell read
from the wrong row or column cannot pass) and reconcile (identities I1–I4 hold), with a
`<name>.truth.json` in the ground-truth format of shared/spec/README.md §16 plus `expect`
(status, error kind) for the fixtures that must fail:

    hrules.pdf           horizontal rules only (no vertical rules)
    norules.pdf          no rules at all: text only, read by word positions
    rotated.pdf          table pages stored portrait with /Rotate 90, drawn landscape
    garbled.pdf          tables in an embedded TrueType font whose ToUnicode map was removed
    image-tables.pdf     prose as text, tables pasted as a PNG image
    template-2021.docx   the official 2021 template filled with python-docx (source of the .doc)
    bad-*.{pdf,docx,bin,html}  corrupt / encrypted / truncated / empty / not-a-report inputs

Needs reportlab, python-docx, PIL and the WenQuanYi Zen Hei / Noto CJK fonts.
"""
from __future__ import annotations

import hashlib
import io
import json
import random
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.core.codes import all_codes  # noqa: E402

TEMPLATE = REPO.parent / "shared" / "corpus" / "official-template-2021.docx"
WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
ORG = "青川县桃源镇人民政府"
YEAR = 2023
C6 = ("natural_person", "commercial", "research", "nonprofit", "legal_service", "other_org")
C7 = C6 + ("total",)
RES = (["granted", "partial"]
       + [f"withheld.{x}" for x in ("state_secret", "law_prohibited", "security_stability", "third_party",
                                    "internal_affairs", "process_info", "enforcement_file", "admin_query")]
       + [f"unable.{x}" for x in ("not_held", "needs_creation", "unclear")]
       + [f"not_processed.{x}" for x in ("petition", "duplicate", "publication", "mass_repeat",
                                         "confirm_reissue")]
       + ["other.no_correction", "other.unpaid_fee", "other.misc"])
T3ROWS = ["new_received", "carried_over"] + [f"result.{r}" for r in RES] + ["result.total", "carry_forward"]
T3_LABELS = [  # (label col 0, col 1, col 2) of the 2021 template, one per value row
    ("一、本年新收政府信息公开申请数量", None, None),
    ("二、上年结转政府信息公开申请数量", None, None),
    ("三、本年度办理结果", "（一）予以公开", None),
    (None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    (None, "（三）不予公开", "1.属于国家秘密"), (None, None, "2.其他法律行政法规禁止公开"),
    (None, None, "3.危及“三安全一稳定”"), (None, None, "4.保护第三方合法权益"),
    (None, None, "5.属于三类内部事务信息"), (None, None, "6.属于四类过程性信息"),
    (None, None, "7.属于行政执法案卷"), (None, None, "8.属于行政查询事项"),
    (None, "（四）无法提供", "1.本机关不掌握相关政府信息"), (None, None, "2.没有现成信息需要另行制作"),
    (None, None, "3.补正后申请内容仍不明确"),
    (None, "（五）不予处理", "1.信访举报投诉类申请"), (None, None, "2.重复申请"),
    (None, None, "3.要求提供公开出版物"), (None, None, "4.无正当理由大量反复申请"),
    (None, None, "5.要求行政机关确认或重新出具已获取信息"),
    (None, "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    (None, None, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    (None, None, "3.其他"),
    (None, "（七）总计", None),
    ("四、结转下年度继续办理", None, None),
]
T3_SPANS = [(3, 2, 22), (4, 5, 8), (12, 13, 3), (15, 18, 5), (20, 23, 3)]  # not used for drawing
T4_GROUPS = ("review", "lit_direct", "lit_after_review")
T4_OUT = ("upheld", "corrected", "other", "pending", "total")


# ---------------------------------------------------------------- values


def values(seed: int = 2023) -> dict:
    """Every 2021/2021 cell: non-zero, pairwise distinct, reconciling (I1–I4)."""
    for attempt in range(1000):
        rnd = random.Random(seed + attempt)
        pool = rnd.sample(range(100, 1000), 160)
        small = rnd.sample(range(20, 100), 12)
        cells: dict = {}
        t2 = [("t2.art20_1.rules.issued", 3), ("t2.art20_1.rules.repealed", 4), ("t2.art20_1.rules.in_force", 17),
              ("t2.art20_1.normative_docs.issued", 6), ("t2.art20_1.normative_docs.repealed", 2),
              ("t2.art20_1.normative_docs.in_force", 18), ("t2.art20_5.licensing.decisions", 1243),
              ("t2.art20_6.penalty.decisions", 13), ("t2.art20_6.coercion.decisions", 9),
              ("t2.art20_8.fees.amount", 26.55)]
        cells.update(dict(t2))
        rows = {r: {c: pool.pop() for c in C6} for r in RES}
        for c in C6:
            total = sum(rows[r][c] for r in RES)
            carried = pool.pop()
            forward = carried + pool.pop()
            cells[f"t3.new_received:{c}"] = total + forward - carried
            cells[f"t3.carried_over:{c}"] = carried
            cells[f"t3.result.total:{c}"] = total
            cells[f"t3.carry_forward:{c}"] = forward
            for r in RES:
                cells[f"t3.result.{r}:{c}"] = rows[r][c]
        for r in T3ROWS:
            cells[f"t3.{r}:total"] = sum(cells[f"t3.{r}:{c}"] for c in C6)
        for g in T4_GROUPS:
            parts = [small.pop() for _ in range(4)]
            for o, v in zip(T4_OUT[:4], parts):
                cells[f"t4.{g}.{o}"] = v
            cells[f"t4.{g}.total"] = sum(parts)
        vals = list(cells.values())
        if len(set(vals)) == len(vals) and 0 not in vals:
            return cells
    raise RuntimeError("no distinct value set found")


def fmt(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def truth(name: str, data: bytes, cells: dict, *, pages=None, locations=None, expect=None,
          notes: str = "", fmt_: str = "pdf") -> dict:
    return {"file": name, "sha256": hashlib.sha256(data).hexdigest(), "organisation": ORG, "year": YEAR,
            "template_s2": "2021", "template_s3": "2021", "format": fmt_, "pages_with_tables": pages,
            "cells": cells, "raw_text_cells": {}, "codes_not_in_layout": sorted(all_codes() - set(cells)),
            "source_identity_violations": [], "cell_locations": locations or {},
            "expect": expect or {"status": "ok", "error_kind": None}, "notes": notes}


# ---------------------------------------------------------------- ReportLab report


def _fonts():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdfmetrics.registerFont(TTFont("WQY", WQY, subfontIndex=0))


def _tables(cells: dict, font: str):
    """The three tables as ReportLab (data, spans, col widths) with Paragraph labels."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    lab = ParagraphStyle("lab", fontName=font, fontSize=7.5, leading=9.5)
    hdr = ParagraphStyle("hdr", fontName=font, fontSize=7.5, leading=9.5, alignment=1)
    P = lambda t, s=lab: Paragraph(t, s) if t else ""  # noqa: E731
    v = lambda code: fmt(cells[code])  # noqa: E731

    t2 = [[P("第二十条第（一）项", hdr), "", "", ""],
          [P("信息内容", hdr), P("本年制发件数", hdr), P("本年废止件数", hdr), P("现行有效件数", hdr)],
          [P("规章"), *(v(f"t2.art20_1.rules.{m}") for m in ("issued", "repealed", "in_force"))],
          [P("行政规范性文件"), *(v(f"t2.art20_1.normative_docs.{m}") for m in ("issued", "repealed", "in_force"))],
          [P("第二十条第（五）项", hdr), "", "", ""],
          [P("信息内容", hdr), P("本年处理决定数量", hdr), "", ""],
          [P("行政许可"), v("t2.art20_5.licensing.decisions"), "", ""],
          [P("第二十条第（六）项", hdr), "", "", ""],
          [P("信息内容", hdr), P("本年处理决定数量", hdr), "", ""],
          [P("行政处罚"), v("t2.art20_6.penalty.decisions"), "", ""],
          [P("行政强制"), v("t2.art20_6.coercion.decisions"), "", ""],
          [P("第二十条第（八）项", hdr), "", "", ""],
          [P("信息内容", hdr), P("本年收费金额（单位：万元）", hdr), "", ""],
          [P("行政事业性收费"), v("t2.art20_8.fees.amount"), "", ""]]
    s2 = [((0, r), (3, r)) for r in (0, 4, 7, 11)] + [((1, r), (3, r)) for r in (5, 6, 8, 9, 10, 12, 13)]
    t3 = [[P("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"), "", "",
           P("申请人情况", hdr), "", "", "", "", "", ""],
          ["", "", "", P("自然人", hdr), P("法人或其他组织", hdr), "", "", "", "", P("总计", hdr)],
          ["", "", "", "", P("商业企业", hdr), P("科研机构", hdr), P("社会公益组织", hdr), P("法律服务机构", hdr),
           P("其他", hdr), ""]]
    for labels, row in zip(T3_LABELS, T3ROWS):
        t3.append([P(x) for x in labels] + [v(f"t3.{row}:{c}") for c in C7])
    s3 = [((0, 0), (2, 2)), ((3, 0), (9, 0)), ((3, 1), (3, 2)), ((4, 1), (8, 1)), ((9, 1), (9, 2)),
          ((0, 3), (2, 3)), ((0, 4), (2, 4)), ((0, 5), (0, 26)), ((1, 5), (2, 5)), ((1, 6), (2, 6)),
          ((1, 7), (1, 14)), ((1, 15), (1, 17)), ((1, 18), (1, 22)), ((1, 23), (1, 25)), ((1, 26), (2, 26)),
          ((0, 27), (2, 27))]
    t4 = [[P("行政复议", hdr), "", "", "", "", P("行政诉讼", hdr), "", "", "", "", "", "", "", "", ""],
          [P(x, hdr) for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")]
          + [P("未经复议直接起诉", hdr), "", "", "", "", P("复议后起诉", hdr), "", "", "", ""],
          ["", "", "", "", ""] + [P(x, hdr) for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")] * 2,
          [v(f"t4.{g}.{o}") for g in T4_GROUPS for o in T4_OUT]]
    s4 = [((0, 0), (4, 0)), ((5, 0), (14, 0)), ((5, 1), (9, 1)), ((10, 1), (14, 1))] + [
        ((c, 1), (c, 2)) for c in range(5)]
    return ((t2, s2, [150, 118, 118, 118]), (t3, s3, [44, 70, 130] + [39] * 7),
            (t4, s4, [33.6] * 15))


def _table_flowable(spec, font: str, rules: str, scale: float = 1.0):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    data, spans, widths = spec
    widths = [w * scale for w in widths]
    style = [("FONT", (0, 0), (-1, -1), font, 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("TOPPADDING", (0, 0), (-1, -1), 3),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    style += [("SPAN", a, b) for a, b in spans]
    if rules == "grid":
        style.append(("GRID", (0, 0), (-1, -1), 0.6, colors.black))
    elif rules == "hrules":
        style.append(("LINEBELOW", (0, 0), (-1, -1), 0.6, colors.black))
        style.append(("LINEABOVE", (0, 0), (-1, 0), 0.6, colors.black))
    return Table(data, colWidths=widths, style=TableStyle(style))


PROSE = {
    "一": "（一）主动公开。2023年，我镇通过门户网站、政务公开栏等渠道主动公开政府信息，及时回应社会关切。"
         "（二）依申请公开。本年度严格按照《条例》规定的时限答复申请人。",
    "五": "存在的主要问题是公开内容的规范性有待提高。下一步将加强培训，提升工作水平。",
    "六": "依据《政府信息公开信息处理费管理办法》，我镇2023年未收取信息处理费。",
}
HEADINGS = {"二": "二、主动公开政府信息情况", "三": "三、收到和处理政府信息公开申请情况",
            "四": "四、政府信息公开行政复议、行政诉讼情况"}


def rl_report(cells: dict, *, rules: str = "grid", table_font: str = "STSong-Light",
              landscape_tables: bool = False, image_tables: bool = False) -> bytes:
    """A whole report: title, prose 一, tables 二/三/四 (one page each), prose 五/六."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Frame, Paragraph
    from reportlab.pdfgen import canvas

    _fonts()
    W, H = A4
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=0)
    c.setTitle("")  # no /Title to fall back on: the title must come from the text
    title = ParagraphStyle("t", fontName="STSong-Light", fontSize=15, leading=22, alignment=1)
    body = ParagraphStyle("b", fontName="STSong-Light", fontSize=10.5, leading=17, firstLineIndent=21)
    head = ParagraphStyle("h", fontName="STSong-Light", fontSize=11.5, leading=20)
    specs = _tables(cells, table_font)

    def frame_page(flowables, width=W, height=H):
        f = Frame(36, 36, width - 72, height - 72, showBoundary=0)
        f.addFromList(list(flowables), c)

    frame_page([Paragraph(f"{ORG}{YEAR}年政府信息公开工作年度报告", title),
                Paragraph("一、总体情况", head), Paragraph(PROSE["一"], body)])
    c.showPage()
    for key, spec in zip(("二", "三", "四"), specs):
        if image_tables:
            from reportlab.lib.utils import ImageReader

            png = table_png(spec, key)
            frame_page([Paragraph(HEADINGS[key], head)])
            img = ImageReader(io.BytesIO(png))
            iw, ih = img.getSize()
            w = W - 72
            h = w * ih / iw
            c.drawImage(img, 36, H - 80 - h, w, h)
        elif landscape_tables:
            # ReportLab writes the MediaBox of a /Rotate 90 page with width and height swapped:
            # ask for (H, W) to store a portrait A4 MediaBox
            c.setPageSize((H, W))
            c.setPageRotation(90)
            c.saveState()
            c.transform(0, 1, -1, 0, W, 0)  # display (u, v) of the landscape page -> stored (x, y)
            frame_page([Paragraph(HEADINGS[key], head),
                        _table_flowable(spec, table_font, rules, (H - 72) / (W - 72))], H, W)
            c.restoreState()
        else:
            frame_page([Paragraph(HEADINGS[key], head), _table_flowable(spec, table_font, rules)])
        c.showPage()
        c.setPageRotation(0)
        c.setPageSize(A4)
    frame_page([Paragraph("五、存在的主要问题及改进情况", head), Paragraph(PROSE["五"], body),
                Paragraph("六、其他需要报告的事项", head), Paragraph(PROSE["六"], body)])
    c.showPage()
    c.save()
    return buf.getvalue()


def table_png(spec, key: str) -> bytes:
    """The table drawn by ReportLab, rendered to a PNG by pdfium (the 'pasted screenshot')."""
    import pypdfium2 as pdfium
    from reportlab.pdfgen import canvas

    data, spans, widths = spec
    t = _table_flowable(spec, "STSong-Light", "grid")
    w, h = t.wrap(sum(widths), 2000)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(w + 8, h + 8))
    t.drawOn(c, 4, 4)
    c.save()
    pdf = pdfium.PdfDocument(buf.getvalue())
    out = io.BytesIO()
    pdf[0].render(scale=150 / 72).to_pil().convert("L").save(out, format="PNG", optimize=True)
    return out.getvalue()


def strip_tounicode(pdf: bytes) -> bytes:
    """Rename /ToUnicode to an unknown key (same length: xref offsets stay right)."""
    assert b"/ToUnicode" in pdf
    return pdf.replace(b"/ToUnicode", b"/ToUnicodX")


def cell_boxes(pdf: bytes, cells: dict, pages: list[int]) -> dict:
    """Text boxes of the printed values on the table pages: each distinct value occurs once there."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    where: dict[str, dict] = {}
    for n in pages:
        page = doc[n - 1]
        tp = page.get_textpage()
        text = tp.get_text_range()
        h = page.get_height()
        for m in re.finditer(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])", text):
            boxes = [tp.get_charbox(i) for i in range(m.start(), m.end())]
            where.setdefault(m.group(0), {"page": n, "bbox_pt": [
                round(min(b[0] for b in boxes), 1), round(h - max(b[3] for b in boxes), 1),
                round(max(b[2] for b in boxes), 1), round(h - min(b[1] for b in boxes), 1)]})
    return {code: where[fmt(v)] for code, v in cells.items() if fmt(v) in where}


# ---------------------------------------------------------------- DOCX from the official template


def template_docx(cells: dict) -> bytes:
    import docx

    d = docx.Document(str(TEMPLATE))
    for p in d.paragraphs:
        if p.text.strip() == "政府信息公开工作年度报告格式模板":
            p.text = f"{ORG}{YEAR}年政府信息公开工作年度报告"
    t2, t3, t4 = d.tables[:3]
    t2_rows = {2: ("rules", ("issued", "repealed", "in_force")),
               3: ("normative_docs", ("issued", "repealed", "in_force")),
               6: ("licensing", ("decisions",)), 9: ("penalty", ("decisions",)),
               10: ("coercion", ("decisions",)), 13: ("fees", ("amount",))}
    block = {"rules": 1, "normative_docs": 1, "licensing": 5, "penalty": 6, "coercion": 6, "fees": 8}
    for ri, (row, measures) in t2_rows.items():
        cs = t2.rows[ri].cells
        for k, ms in enumerate(measures):
            cs[1 + k].text = fmt(cells[f"t2.art20_{block[row]}.{row}.{ms}"])
    for k, r in enumerate(T3ROWS):
        cs = t3.rows[3 + k].cells
        for j, col in enumerate(C7):
            cs[3 + j].text = fmt(cells[f"t3.{r}:{col}"])
    cs = t4.rows[3].cells
    for k, g in enumerate(T4_GROUPS):
        for j, o in enumerate(T4_OUT):
            cs[5 * k + j].text = fmt(cells[f"t4.{g}.{o}"])
    buf = io.BytesIO()
    d.core_properties.title = ""
    d.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- bad inputs


def bad_inputs(good_pdf: bytes, good_docx: bytes) -> dict[str, tuple[bytes, str]]:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="owner"),
                      invariant=1)
    c.drawString(100, 750, "2023")
    c.save()
    corrupt = bytearray(good_pdf)
    # keep the header, overwrite the body and the xref: pdfium cannot recover any object
    corrupt[200:] = bytes((i * 7919) % 251 for i in range(len(corrupt) - 200))
    broken_docx = bytearray(good_docx)
    broken_docx[30:400] = b"\x00" * 370  # the first local header's name and data
    return {
        "bad-encrypted.pdf": (buf.getvalue(), "encrypted"),
        "bad-truncated.pdf": (good_pdf[: len(good_pdf) // 3], "corrupt_file"),
        "bad-corrupt.pdf": (bytes(corrupt), "corrupt_file"),
        "bad-empty.pdf": (b"", "empty_file"),
        "bad-notes.bin": ("会议纪要：本周五下午三点开会。\n".encode("utf-8") * 20, "not_a_report"),
        "bad-404.html": (("<!DOCTYPE html><html><head><title>404</title></head><body><h1>页面不存在</h1>"
                          "</body></html>").encode("utf-8"), "not_a_report"),
        "bad-truncated.docx": (good_docx[: len(good_docx) // 2], "corrupt_file"),
    }


# ---------------------------------------------------------------- main


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    cells = values()
    table_pages = [2, 3, 4]

    def write(name: str, data: bytes, t: dict | None) -> None:
        (out / name).write_bytes(data)
        if t is not None:
            (out / f"{name}.truth.json").write_text(json.dumps(t, ensure_ascii=False, indent=1) + "\n",
                                                    encoding="utf-8")
        print(f"{name}: {len(data)} bytes")

    for name, kw, notes in (
            ("hrules.pdf", {"rules": "hrules"}, "horizontal rules only: a LINEBELOW under every row"),
            ("norules.pdf", {"rules": "none"}, "no rules at all; labels top-aligned, values centred"),
            ("rotated.pdf", {"rules": "grid", "landscape_tables": True},
             "table pages 2-4 are portrait pages with /Rotate 90 whose content is drawn landscape; "
             "cell_locations are in the displayed (rotated) page's coordinates")):
        data = rl_report(cells, **kw)
        locs = cell_boxes(data, cells, table_pages) if not kw.get("landscape_tables") else {}
        write(name, data, truth(name, data, cells, pages=table_pages, locations=locs, notes=notes))
    garbled = strip_tounicode(rl_report(cells, rules="grid", table_font="WQY"))
    write("garbled.pdf", garbled, truth("garbled.pdf", garbled, {}, pages=table_pages,
                                        expect={"status": "failed", "error_kind": "needs_ocr"},
                                        notes="tables in an embedded subset TrueType font without ToUnicode"))
    img = rl_report(cells, image_tables=True)
    write("image-tables.pdf", img, truth("image-tables.pdf", img, {}, pages=table_pages,
                                         expect={"status": "failed", "error_kind": "needs_ocr"},
                                         notes="prose is text; tables 二/三/四 are PNG images"))
    dx = template_docx(cells)
    write("template-2021.docx", dx, truth("template-2021.docx", dx, cells, fmt_="docx",
                                          notes="official 2021 template filled with python-docx; "
                                                "the .doc test converts it with soffice"))
    for name, (data, kind) in bad_inputs(rl_report(cells), dx).items():
        write(name, data, truth(name, data, {}, expect={"status": "failed", "error_kind": kind}))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "tests" / "fixtures" / "focused")
