"""Scanned reports: the text PDF rasterised page by page (150–300 dpi), with red seals over
random value cells, skew up to ±1.5°, grey noise, blur and JPEG, wrapped in an image-only PDF.

A seal is a red ring, a star and the organisation's name along the ring, laid over the page by
multiplying (ink on ink: black digits stay black under red, as on paper). `under_stamp` holds
every value cell whose printed box the seal's ink touches: a reader may leave those unread
(flagged), never read them wrong.
"""
from __future__ import annotations

import dataclasses
import io
import math
import random

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from tools.sample_county.county import Report

from .pdf import PdfParams, render as render_pdf

SEAL_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
RED = (205, 28, 36)


def seal_layer(size: tuple[int, int], centre: tuple[float, float], radius: float, text: str,
               rng: random.Random) -> Image.Image:
    """An 'L' mask (255 = ink) of one seal, in page pixels."""
    mask = Image.new("L", size, 0)
    d = ImageDraw.Draw(mask)
    cx, cy = centre
    ring = max(2, int(radius * 0.07))
    d.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], outline=255, width=ring)
    # five-pointed star
    r_out, r_in = radius * 0.28, radius * 0.11
    pts = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        r = r_out if k % 2 == 0 else r_in
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    d.polygon(pts, fill=255)
    # the name along the upper arc, each glyph turned to face the centre
    try:
        font = ImageFont.truetype(SEAL_FONT, max(8, int(radius * 0.24)))
    except OSError:
        font = ImageFont.load_default()
    chars = list(text)[:16]
    span = math.radians(220)
    for k, ch in enumerate(chars):
        a = -math.pi / 2 - span / 2 + span * (k + 0.5) / len(chars)
        rr = radius * 0.74
        x, y = cx + rr * math.cos(a), cy + rr * math.sin(a)
        g = Image.new("L", (int(radius * 0.35),) * 2, 0)
        ImageDraw.Draw(g).text((g.width / 2, g.height / 2), ch, fill=255, font=font, anchor="mm")
        g = g.rotate(-math.degrees(a) - 90, resample=Image.BILINEAR)
        mask.paste(255, (int(x - g.width / 2), int(y - g.height / 2)), g)
    # uneven ink: speckle the mask
    arr = np.asarray(mask, dtype=np.float32)
    nrng = np.random.default_rng(rng.getrandbits(32))
    arr = arr * nrng.uniform(0.55, 1.0, arr.shape)
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8), "L")


def render(r: Report, rng: random.Random, base: PdfParams, **overrides) -> tuple[bytes, str, dict, dict]:
    p = dataclasses.replace(base, rules=rng.choice(["grid", "grid", "hrules"]), **overrides)
    text_pdf, info = render_pdf(r, p)
    dpi = rng.choice([150, 200, 200, 240, 300])
    colour = rng.random() < 0.8
    n_seals = rng.choice([1, 1, 2])
    skew = [round(rng.uniform(-1.5, 1.5), 2) for _ in range(64)]
    noise = rng.uniform(3, 12)
    blur = rng.uniform(0.3, 1.0)
    quality = rng.randint(45, 85)
    locs = info["cell_locations"]
    targets = rng.sample(sorted(locs), n_seals)
    seals = []
    for code in targets:
        x0, top, x1, bottom = locs[code]["bbox_pt"]
        seals.append({"page": locs[code]["page"], "on": code,
                      "centre_pt": [round((x0 + x1) / 2 + rng.uniform(-25, 25), 1),
                                    round((top + bottom) / 2 + rng.uniform(-25, 25), 1)],
                      "radius_pt": round(rng.uniform(36, 58), 1), "text": r.org.printed(r.year)[0]})
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(text_pdf)
    nrng = np.random.default_rng(rng.getrandbits(32))
    under: set[str] = set()
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    c.setCreator("Scanner")
    k = dpi / 72
    for i in range(len(doc)):
        page_no = i + 1
        img = doc[i].render(scale=k).to_pil().convert("RGB")
        for s in (s for s in seals if s["page"] == page_no):
            cx, cy = s["centre_pt"]
            mask = seal_layer(img.size, (cx * k, cy * k), s["radius_pt"] * k, s["text"], rng)
            ink = np.asarray(mask) > 40
            for code, loc in locs.items():
                if loc["page"] != page_no:
                    continue
                bx0, btop, bx1, bbot = (int(v * k) for v in loc["bbox_pt"])
                if ink[max(btop - 1, 0):bbot + 2, max(bx0 - 1, 0):bx1 + 2].any():
                    under.add(code)
            red = Image.new("RGB", img.size, RED)
            white = Image.new("RGB", img.size, (255, 255, 255))
            layer = Image.composite(red, white, mask)
            img = ImageChops.multiply(img, layer)
        img = img.rotate(skew[i % len(skew)], resample=Image.BILINEAR, expand=False, fillcolor=(255, 255, 255))
        arr = np.asarray(img, dtype=np.float32)
        grain = nrng.normal(0, noise, arr.shape[:2])[..., None]
        arr = (arr * 0.94 + 8 + grain).clip(0, 255).astype(np.uint8)
        img = Image.fromarray(arr, "RGB").filter(ImageFilter.GaussianBlur(blur))
        if not colour:
            img = img.convert("L")
        jb = io.BytesIO()
        img.save(jb, format="JPEG", quality=quality)
        c.drawImage(ImageReader(io.BytesIO(jb.getvalue())), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    doc.close()
    c.save()
    params = dataclasses.asdict(p)
    params["breaks"] = {}
    params.update(dpi=dpi, colour=colour, skew_deg=skew[:len(info["pages_with_tables"]) + 4], noise_sigma=round(noise, 2),
                  blur_radius=round(blur, 2), jpeg_quality=quality, seals=seals)
    facts = {"pages_with_tables": info["pages_with_tables"], "under_stamp": sorted(under),
             "image_codes": sorted(locs), "cell_locations": {}}
    return out.getvalue(), ".pdf", params, facts
