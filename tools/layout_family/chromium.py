"""HTML report pages printed to PDF by headless Chromium (`--print-to-pdf`), as county portals'
readers and crawlers do with inline reports.

Chromium (Skia/PDF) writes PDFs unlike ReportLab or LibreOffice: borders as filled rectangles,
its own glyph runs, and its own pagination (a table row can be split over two pages, <thead>
rows repeat on every page). Two sources are drawn:

- "word": the word_html page itself (misaligned header spans, spacer cells, hidden rows; see
  word.py). Chromium drops a display:none row from the table grid while a rowspan counting it
  still spans that many rows, so the rows under a hidden row can be printed shifted by a column.
- "portal": a plain portal-style HTML table with a CSS border variant (full grid with
  border-collapse, the old border=1 attribute with each cell boxed on its own, no borders,
  three-line via border-top/bottom, horizontal rules only), <th>
  header cells or not, the header rows in a repeating <thead> or not, narrow label columns whose
  long labels wrap, A4 portrait or landscape via @page, font and size, vertical alignment.

/CreationDate and /ModDate are overwritten with the report's publication date (same length),
so a rerun gives the same bytes with the same Chromium and fonts (Skia writes no /ID). One
Chromium run per case: about two seconds.
"""
from __future__ import annotations

import html
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from tools.sample_county import prose
from tools.sample_county.county import Report
from tools.sample_county.tables import Cell, Grid, expand, grids

BINARIES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")
# grid: CSS borders, border-collapse; html_border: the old <table border=1> (each cell boxed on
# its own: every rule drawn twice, side by side with cellspacing=0, 1-3 px apart otherwise);
# none; three_line; hrules
RULES = ("grid", "grid", "html_border", "none", "three_line", "hrules")


def binary() -> str | None:
    """The headless Chromium to print with, or None when none is installed."""
    for name in BINARIES:
        found = shutil.which(name)
        if found:
            return found
    return None


def available() -> bool:
    return binary() is not None


def print_to_pdf(page: bytes, timeout_s: float = 120) -> bytes:
    """One HTML page -> the PDF headless Chromium prints (no header/footer lines)."""
    exe = binary()
    if exe is None:
        raise RuntimeError("Chromium is not installed: the chromium_html family needs it")
    with tempfile.TemporaryDirectory(prefix="layout_family_chromium_") as tmp:
        t = Path(tmp)
        src, out = t / "page.html", t / "page.pdf"
        src.write_bytes(page)
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-extensions", "--disable-dev-shm-usage", f"--user-data-dir={t / 'profile'}",
               "--no-pdf-header-footer", f"--print-to-pdf={out}", src.as_uri()]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=timeout_s, cwd=tmp)
        return out.read_bytes()


def normalize(pdf: bytes, r: Report) -> bytes:
    """The print's clock time -> the report's publication date, same length (offsets stay valid)."""
    d = r.published
    stamp = f"{d.year:04d}{d.month:02d}{d.day:02d}093000".encode()

    def fix(m: re.Match) -> bytes:
        old = m.group(2)
        return m.group(1) + (stamp + old[14:])[: len(old)]

    return re.sub(rb"(/(?:CreationDate|ModDate)\s*\(D:)(\d{14}[^)]*)", fix, pdf)


# ------------------------------------------------------------------ portal-style HTML
def _header_rows(g: Grid) -> int:
    """Rows above the first row that prints a value."""
    for ri, row in enumerate(g.rows):
        if any(c.code is not None for c in row):
            return ri
    return len(g.rows)


def _cell_html(g: Grid, ri: int, c: Cell, n_head: int, p: dict) -> str:
    tag = "th" if p["th_headers"] and ri < n_head else "td"
    attrs = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (f' colspan="{c.colspan}"' if c.colspan > 1 else "")
    last = ri + c.rowspan - 1
    line = "0.75pt solid #000" if p["rules"] != "hrules" else "0.5pt solid #333"
    style = []
    if p["rules"] == "grid":
        style.append(f"border:{line}")
    elif p["rules"] == "html_border":
        style.append("border:1px solid #000")
    elif p["rules"] == "hrules":
        style.append(f"border-top:{line};border-bottom:{line}")
    elif p["rules"] == "three_line":
        if ri == 0:
            style.append("border-top:1.5pt solid #000")
        if last == n_head - 1:
            style.append("border-bottom:0.75pt solid #000")
        if last == len(g.rows) - 1:
            style.append("border-bottom:1.5pt solid #000")
    numeric = c.code is not None
    align = "center" if numeric or (c.header and (ri < n_head or c.colspan > 2)) else "left"
    if numeric and p["value_align"] == "right":
        align = "right"
    style.append(f"text-align:{align}")
    if numeric:
        style.append("white-space:nowrap")      # a number is never wrapped
    text = html.escape(c.text).replace("\n", "<br>") if c.text else "&nbsp;"
    return f'<{tag}{attrs} style="{";".join(style)}">{text}</{tag}>'


def table_html(g: Grid, p: dict) -> str:
    expand(g)
    n_head = _header_rows(g)
    widths = list(g.widths)
    if g.name == "t3":       # narrow label columns: long labels wrap over several lines
        label_share = p["t3_label_share"]
        scale = label_share / sum(widths[:3])
        widths = [w * scale for w in widths[:3]] + [(1 - label_share) / (len(widths) - 3)] * (len(widths) - 3)
    total = sum(widths)
    cols = "".join(f'<col style="width:{100 * w / total:.2f}%">' for w in widths)
    rows = ["<tr>" + "".join(_cell_html(g, ri, c, n_head, p) for c in row) + "</tr>" for ri, row in enumerate(g.rows)]
    head, body = rows[:n_head], rows[n_head:]
    if p["thead"] and head:
        inner = f"<thead>{''.join(head)}</thead><tbody>{''.join(body)}</tbody>"
    else:
        inner = f"<tbody>{''.join(rows)}</tbody>"
    if p["rules"] == "html_border":
        return (f'<table class="t {g.name}" border="1" cellspacing="{p["cellspacing"]}" '
                f'style="border-collapse:separate"><colgroup>{cols}</colgroup>{inner}</table>')
    return f'<table class="t {g.name}"><colgroup>{cols}</colgroup>{inner}</table>'


def portal_page(r: Report, p: dict) -> bytes:
    gmap = {g.name: g for g in grids(r)}
    out = prose.html_paragraphs(r, {"title": "<h1>{t}</h1>", "h": "<h3>{t}</h3>", "p": '<p class="txt">{t}</p>',
                                    "sign": '<p class="sign">{t}</p>'}, lambda name: table_html(gmap[name], p))
    size = "A4 landscape" if p["landscape"] else "A4"
    css = (f"@page{{size:{size};margin:{p['margin_mm']}mm}}"
           f"body{{font-family:'{p['font']}';font-size:12pt;margin:0}}"
           "h1{font-size:18pt;text-align:center;font-weight:bold}h3{font-size:13pt}"
           ".txt{text-indent:2em;line-height:1.6}.sign{text-align:right}"
           f"table.t{{width:100%;border-collapse:collapse;table-layout:fixed;margin:6pt 0;"
           f"font-size:{p['font_size']}pt}}"
           f"td,th{{padding:{p['padding_pt']}pt 2pt;vertical-align:{p['valign']};font-weight:normal;"
           "border:none}")
    doc = (f"<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{html.escape(r.title)}"
           f"</title><style>{css}</style></head><body>\n" + "\n".join(out) + "\n</body></html>\n")
    return doc.encode("utf-8")


def _with_page_size(page: bytes, landscape: bool) -> bytes:
    """A Word HTML page printed on A4 (portrait or landscape): an @page rule before </head>."""
    rule = f"<style>@page{{size:A4{' landscape' if landscape else ''};margin:20mm}}</style>"
    return page.replace(b"</head>", rule.encode("ascii") + b"</head>", 1)


def render(r: Report, rng: random.Random) -> tuple[bytes, str, dict, dict]:
    if not available():
        raise RuntimeError("Chromium is not installed: the chromium_html family needs it")
    source = rng.choice(["word", "portal", "portal", "portal"])
    landscape = rng.random() < 0.25
    if source == "word":
        from .word import render_html

        page, params = render_html(r, rng)
        page = _with_page_size(page, landscape)
        params = dict(params, source="word")
    else:
        params = {"source": "portal", "rules": rng.choice(RULES), "th_headers": rng.random() < 0.5,
                  "thead": rng.random() < 0.5, "font": rng.choice(FONTS),
                  "font_size": rng.choice([9, 10, 10.5]), "valign": rng.choice(["middle", "middle", "top"]),
                  "value_align": rng.choice(["center", "center", "right"]),
                  "t3_label_share": rng.uniform(0.22, 0.42), "padding_pt": rng.choice([1, 2, 4]),
                  "margin_mm": rng.choice([12, 18, 25]), "landscape": landscape, "cellspacing": 0}
        if params["rules"] == "html_border":
            # <table border=1> boxes every cell on its own; without cellspacing=0 (HTML's default
            # is 2) the boxes stand 1-3 px apart, so each table line is a pair of rules with a
            # gap. Drawn last: the pages of every other rule kind keep their draws and bytes
            params["cellspacing"] = rng.choice([0, 1, 2, 2, 3])
        page = portal_page(r, params)
    params.update(producer="chromium", landscape=landscape)
    pdf = normalize(print_to_pdf(page), r)
    from tools.sample_county.render_libreoffice import page_facts

    return pdf, ".pdf", params, {"pages_with_tables": page_facts(pdf)[0]}
