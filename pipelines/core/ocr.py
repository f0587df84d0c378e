"""Opt-in OCR of image-only (scanned) PDF pages, feeding the word-position table reader.

Each page is rendered with pypdfium2 at OCR_DPI in grey, straightened (scans are often a
fraction of a degree off: the skew is measured on the table's long ruling lines), and read
once by RapidOCR (rapidocr 3.10 + onnxruntime; its models ship inside the wheel, so this
works offline). Every text box becomes character records like `pdf_reader.page_chars`
gives (PDF points, origin top-left, one baseline per box), full-width digits normalised,
so `pdf_positions.PositionReader` places the numbers under the template's column headers.

A text detector misses a lone small `0` now and then. Value columns are known from the
other rows (x-centres shared by many numeric boxes), so where a table row lacks a number
in a column, that cell's crop is recognised on its own (`_fill_gaps`). Nothing here decides
whether the result is trusted: extract.py accepts OCR'd cells only when every layout code
was read and every identity I1–I4 holds.
"""
from __future__ import annotations

import logging
import math
import os
import re
import time
import unicodedata

log = logging.getLogger(__name__)

OCR_DPI = 200
_ENGINE = None
_NUMERIC = re.compile(r"^[+\-]?\d[\d,]*(?:\.\d+)?$")
_JUNK = re.compile(r"^[\W_]+$")  # punctuation or speckle only
_ZERO_LIKE = re.compile(r"[\doOóòöÓÒÖ〇]+")
_ZERO_ALONE = {"ó", "ò", "ö", "Ó", "Ò", "Ö", "〇"}  # "O"/"o" alone may be a letter: left as is
# what OCR sometimes reads for a stray speck next to a digit
_EDGE_NOISE = ".,:;'`\"·、。，：；‘’“”|_~"


def enabled(flag: bool | None = None) -> bool:
    """OCR is opt-in: the keyword argument, else env XXGK_OCR=1."""
    if flag is not None:
        return bool(flag)
    return os.environ.get("XXGK_OCR", "").strip().lower() in ("1", "true", "yes", "on")


def engine():
    """One RapidOCR engine per process (loading the models takes about a second)."""
    global _ENGINE
    if _ENGINE is None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("MODELSCOPE_OFFLINE", "1")
        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        from rapidocr import RapidOCR

        _ENGINE = RapidOCR(params={"Global.log_level": "warning"})
        # rapidocr's own logger prints to stdout-less handlers; keep it quiet
        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    return _ENGINE


def clean_text(text: str) -> str:
    """NFKC (full-width digits and brackets to ASCII); a numeric token loses speck punctuation.

    A short token made of digits and letter-o look-alikes (`ó`, `O`, `〇`) is a number: those
    are how the recogniser misreads a small printed 0.
    """
    s = unicodedata.normalize("NFKC", text or "").strip()
    core = s.strip(_EDGE_NOISE + " ")
    if core and len(core) <= 6 and _ZERO_LIKE.fullmatch(core) and not core.isalpha() or core in _ZERO_ALONE:
        core = re.sub(r"[oOóòöÓÒÖ〇]", "0", core)
    if core and _NUMERIC.match(core.replace(" ", "")):
        return core.replace(" ", "")
    return s


# ---------------------------------------------------------------- image


def render_grey(page, dpi: int = OCR_DPI):
    import numpy as np

    bitmap = page.render(scale=dpi / 72, grayscale=True)
    arr = bitmap.to_numpy()
    arr = arr[:, :, 0] if arr.ndim == 3 else arr
    return np.ascontiguousarray(arr)


def skew_degrees(grey) -> float:
    """Angle of the long near-horizontal ruling lines (0.0 when there are none)."""
    import cv2
    import numpy as np

    h, w = grey.shape
    binary = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 15, 10)
    lines = cv2.HoughLinesP(binary, 1, np.pi / 1800, threshold=200, minLineLength=w // 4, maxLineGap=8)
    if lines is None:
        return 0.0
    angles = []
    for x0, y0, x1, y1 in np.asarray(lines).reshape(-1, 4):
        if x1 == x0:
            continue
        a = math.degrees(math.atan2(y1 - y0, x1 - x0))
        if abs(a) < 5:
            angles.append(a)
    if len(angles) < 3:
        return 0.0
    return float(np.median(angles))


def straighten(grey, angle: float):
    import cv2

    if abs(angle) < 0.05:
        return grey
    h, w = grey.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


# ---------------------------------------------------------------- OCR -> words


def _segments(text: str, quad, chars) -> list[dict]:
    """One OCR text box -> words in pixels, split where its characters leave a wide gap.

    `chars` are RapidOCR's single-character boxes for the text box (None when missing).
    """
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    top, bottom = float(min(ys)), float(max(ys))
    height = max(bottom - top, 1.0)
    if not chars or "".join(c[0] for c in chars).replace(" ", "") != text.replace(" ", ""):
        return [{"text": text, "x0": float(min(xs)), "x1": float(max(xs)), "top": top, "bottom": bottom}]
    out: list[dict] = []
    for ch, _score, cq in chars:
        if not ch.strip() or cq is None:
            continue
        cx0, cx1 = float(min(p[0] for p in cq)), float(max(p[0] for p in cq))
        if out and cx0 - out[-1]["x1"] <= 0.5 * height:
            out[-1]["text"] += ch
            out[-1]["x1"] = max(out[-1]["x1"], cx1)
        else:
            out.append({"text": ch, "x0": cx0, "x1": cx1, "top": top, "bottom": bottom})
    return out


def _boxes(result) -> list[dict]:
    """RapidOCR output -> words [{text, score, x0, x1, top, bottom}] in pixels."""
    out = []
    if result is None or getattr(result, "boxes", None) is None:
        return out
    words = getattr(result, "word_results", None) or ()
    for k, (quad, text, score) in enumerate(zip(result.boxes, result.txts, result.scores)):
        chars = words[k] if k < len(words) and words[k] and words[k][0][2] is not None else None
        for seg in _segments(text, quad, chars):
            t = clean_text(seg["text"])
            if not t or _JUNK.match(t):
                continue
            seg["text"], seg["score"] = t, float(score)
            out.append(seg)
    return out


def _cx(b: dict) -> float:
    return (b["x0"] + b["x1"]) / 2


def _cy(b: dict) -> float:
    return (b["top"] + b["bottom"]) / 2


def _value_columns(nums: list[dict], min_rows: int = 4) -> list[float]:
    """x-centres shared by at least min_rows numeric boxes."""
    tol = OCR_DPI / 72 * 6  # 6 pt
    groups: list[list[float]] = []
    for x in sorted(_cx(b) for b in nums):
        if groups and x - groups[-1][-1] <= tol:
            groups[-1].append(x)
        else:
            groups.append([x])
    return [sum(g) / len(g) for g in groups if len(g) >= min_rows]


def _rows(boxes: list[dict]) -> list[list[dict]]:
    """Boxes grouped into text lines by their vertical centres."""
    out: list[list[dict]] = []
    for b in sorted(boxes, key=_cy):
        if out:
            ref = out[-1]
            cy = sum(_cy(o) for o in ref) / len(ref)
            h = min(b["bottom"] - b["top"], max(o["bottom"] - o["top"] for o in ref))
            if abs(cy - _cy(b)) < 0.5 * h:
                ref.append(b)
                continue
        out.append([b])
    return out


def _fill_gaps(grey, boxes: list[dict]) -> int:
    """Recognise the crop of every value cell a table row lacks; append what reads as a number."""
    nums = [b for b in boxes if _NUMERIC.match(b["text"])]
    cols = _value_columns(nums)
    if len(cols) < 2:
        return 0
    gap = min(b - a for a, b in zip(cols, cols[1:]))
    half_w = max(0.4 * gap, 8)
    added = 0
    eng = engine()
    h, w = grey.shape
    for row in _rows(nums):
        if len(row) < 2:
            continue
        lo = min(_cx(b) for b in row) - gap * 0.6
        hi = max(_cx(b) for b in row) + gap * 0.6
        height = max(b["bottom"] - b["top"] for b in row)
        cy = sum(_cy(b) for b in row) / len(row)
        for c in cols:
            if not lo <= c <= hi:
                continue
            if any(abs(_cx(b) - c) < half_w and abs(_cy(b) - cy) < height for b in boxes):
                continue  # something (a number, a label, a dash) is there already
            x0, x1 = int(max(0, c - half_w)), int(min(w, c + half_w))
            y0, y1 = int(max(0, cy - 0.9 * height)), int(min(h, cy + 0.9 * height))
            crop = grey[y0:y1, x0:x1]
            if crop.size == 0 or crop.min() > 160:
                continue  # no ink at all: a blank cell
            res = eng(crop, use_det=False, use_cls=False, use_rec=True)
            txts = getattr(res, "txts", None) or ()
            scores = getattr(res, "scores", None) or ()
            if not txts:
                continue
            t = clean_text(txts[0])
            if _NUMERIC.match(t) and scores and float(scores[0]) >= 0.5:
                boxes.append({"text": t, "score": float(scores[0]), "x0": c - height * 0.3 * len(t),
                              "x1": c + height * 0.3 * len(t), "top": cy - height / 2,
                              "bottom": cy + height / 2, "recovered": True})
                added += 1
    return added


def _words_pt(boxes: list[dict], scale: float) -> list[dict]:
    """Pixel words -> PositionReader words in PDF points (origin top-left).

    The words of one text line share one baseline (the line's lowest box bottom), since
    lines_of groups by baseline and OCR boxes of one line differ by a pixel or two.
    """
    out = []
    for row in _rows(boxes):
        baseline = max(b["bottom"] for b in row) / scale
        for b in sorted(row, key=lambda b: b["x0"]):
            out.append({"text": b["text"], "x0": b["x0"] / scale, "x1": b["x1"] / scale,
                        "top": b["top"] / scale, "bottom": b["bottom"] / scale, "baseline": baseline,
                        "size": (b["bottom"] - b["top"]) / scale, "ocr_score": b["score"],
                        "recovered": bool(b.get("recovered"))})
    return out


def ocr_page(page, number: int) -> tuple[list[dict], dict]:
    """One pdfium page -> (words in PDF points, stats). The engine reads the whole page once."""
    t0 = time.monotonic()
    grey = render_grey(page)
    angle = skew_degrees(grey)
    grey = straighten(grey, angle)
    result = engine()(grey, use_det=True, use_cls=False, use_rec=True, return_word_box=True,
                      return_single_char_box=True)
    boxes = _boxes(result)
    added = _fill_gaps(grey, boxes)
    words = _words_pt(boxes, OCR_DPI / 72)
    stats = {"page": number, "skew_deg": round(angle, 3), "words": len(words), "recovered": added,
             "seconds": round(time.monotonic() - t0, 2)}
    log.info("ocr page %s: %s", number, stats)
    return words, stats


def page_text(words: list[dict]) -> str:
    """Page text from OCR words: lines top to bottom (title, year and table-page markers)."""
    from .pdf_positions import lines_of

    return "\n".join(" ".join(w["text"] for w in line) for line in lines_of(words))
