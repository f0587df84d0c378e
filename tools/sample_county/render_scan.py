"""Image-only 'scanned' PDFs: the ReportLab rendering rasterised at 120 dpi grayscale, slightly
rotated and speckled, then wrapped page by page in a PDF with no text layer."""
from __future__ import annotations

import io
import random

import pypdfium2 as pdfium
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from . import render_pdf_reportlab
from .county import SEED, Report

DPI = 120


def render(r: Report) -> tuple[bytes, dict]:
    src, info = render_pdf_reportlab.render(r)
    rng = random.Random(f"{SEED}:scan:{r.report_id}")
    doc = pdfium.PdfDocument(src)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle("")
    c.setCreator("Scanner")
    for i in range(len(doc)):
        img = doc[i].render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
        angle = rng.uniform(-0.6, 0.6)
        img = img.rotate(angle, resample=Image.BILINEAR, expand=False, fillcolor=255)
        img = img.filter(ImageFilter.GaussianBlur(0.4))
        px = img.load()
        w, h = img.size
        for _ in range(w * h // 400):      # dust
            x, y = rng.randrange(w), rng.randrange(h)
            px[x, y] = rng.randint(90, 200)
        # paper tone
        img = img.point(lambda v: int(v * 0.92 + 8))
        jb = io.BytesIO()
        img.save(jb, format="JPEG", quality=70, optimize=True)
        jb.seek(0)
        c.drawImage(ImageReader(jb), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    doc.close()
    c.save()
    info = dict(info)
    info["cell_locations"] = {}  # positions in the image shift with the rotation; not recorded
    return buf.getvalue(), info
