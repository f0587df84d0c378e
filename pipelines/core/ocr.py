"""Opt-in OCR of image-only (scanned) PDF pages, feeding the existing table readers.

Each page is rendered with pypdfium2 at OCR_DPI in grey, straightened (scans are often a
fraction of a degree off: the skew is measured on the table's long ruling lines), and read
once by RapidOCR (rapidocr 3.10 + onnxruntime; its models ship inside the wheel, so this
works offline). Every text box becomes word records in PDF points (origin top-left, one
baseline per text line, split where the box's single-character boxes leave a gap), full-width
digits and speck punctuation normalised.

The words are then read two ways, and extract.py keeps the first reading its gate trusts:
- the ruled grid found in the image (horizontal and vertical rules, spans where a rule is
  missing), words placed by centre with `pdf_reader.table_from_grid`, as Camelot's grid is
  for a text PDF;
- `pdf_positions.PositionReader` under the template's column headers (unruled tables), with
  table 三's row-spanning labels rebuilt from the template order (`repair_s3`).

A text detector misses a lone small `0` now and then. Value columns are known from the
other rows (x-centres shared by many numeric boxes), so where a table row lacks a number
in a column, that cell's crop is recognised on its own (`_fill_gaps`). Nothing here decides
whether a reading is trusted: extract.py accepts OCR'd cells only when every layout code
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
# a recognised number below this score is not read: its cell is listed as unread (never guessed)
OCR_MIN_SCORE = 0.8
# grey levels under which a cell's ink is kept when a blank cell is read again without the
# lighter ink over it (print is near black, blurred to ~100 at its edges; a grey seal ~130-160)
DARK_INK_LEVELS = (100, 115)
_ENGINE = None
_NUMERIC = re.compile(r"^[+\-]?\d[\d,]*(?:\.\d+)?$")
_JUNK = re.compile(r"^[\W_]+$")  # punctuation or speckle only
_ZERO_LIKE = re.compile(r"[\doOóòöÓÒÖ〇]+")
_ZERO_ALONE = {"ó", "ò", "ö", "Ó", "Ò", "Ö", "〇"}  # "O"/"o" alone may be a letter: left as is
# what OCR sometimes reads for a stray speck next to a digit
_EDGE_NOISE = ".,:;'`\"·、。，：；‘’“”|_~"


def enabled(flag: bool | None = None) -> bool:
    """OCR is on unless turned off: the keyword argument, else env XXGK_OCR=0 (or false/no/off)."""
    if flag is not None:
        return bool(flag)
    return os.environ.get("XXGK_OCR", "").strip().lower() not in ("0", "false", "no", "off")


def engine():
    """One RapidOCR engine per process (loading the models takes about a second).

    rapidocr 3.10's default models (PP-OCRv6 det/rec small, mobile cls) ship inside the wheel
    (rapidocr/models/): nothing is downloaded. Its logger writes to stderr; warnings only.
    """
    global _ENGINE
    if _ENGINE is None:
        from rapidocr import RapidOCR

        _ENGINE = RapidOCR(params={"Global.log_level": "warning"})
    return _ENGINE


def clean_text(text: str) -> str:
    """NFKC (full-width digits and brackets to ASCII); a numeric token loses speck punctuation.

    A short token made of digits and letter-o look-alikes (`ó`, `O`, `〇`) is a number: those
    are how the recogniser misreads a small printed 0.
    """
    s = unicodedata.normalize("NFKC", text or "").strip()
    core = s.strip(_EDGE_NOISE + " ")
    if (core and len(core) <= 6 and _ZERO_LIKE.fullmatch(core) and not core.isalpha()) or core in _ZERO_ALONE:
        core = re.sub(r"[oOóòöÓÒÖ〇]", "0", core)
    if core and _NUMERIC.match(core.replace(" ", "")):
        return core.replace(" ", "")
    return s


# ---------------------------------------------------------------- image


def render_grey(page, dpi: int | None = None):
    """The page as one grey channel in which red ink is paper.

    Rendered in colour, then the red channel kept: a red seal stamped over a number is near
    white there while black print stays dark, so the seal is separated by colour before
    recognition (a grey scan loses nothing: its channels are equal).
    """
    import numpy as np

    dpi = dpi or OCR_DPI
    bitmap = page.render(scale=dpi / 72, rev_byteorder=True)  # RGB(A)
    arr = bitmap.to_numpy()
    if arr.ndim != 3:
        return np.ascontiguousarray(arr)
    return np.ascontiguousarray(without_seal(arr[:, :, 0], arr[:, :, 1], arr[:, :, 2]))


def without_seal(r, g, b):
    """The red channel with the seal's ink taken out: the print under it as if unstamped.

    Seal ink is light in the red channel but not white (0.8–0.9 of the paper), so the text
    detector still finds the seal's characters among the numbers (a stray `街` in a value
    cell). Ink multiplies: print of level p under seal ink of coverage a has
    R = p(1 - a(1 - rs)) and G, B = p(1 - a(1 - gs)), (rs, gs) the seal's colour; so
    R + k(R - max(G, B)) = p for every a and p when k = (1 - rs) / (rs - gs). k is measured on
    the page (what brings the seal's pixels over paper back to the paper's level), and each
    reddish pixel is lifted by k times its redness: paper under the seal returns to paper, grey
    print under it stays grey (a threshold would erase a thin or light digit).
    """
    import numpy as np

    r32 = r.astype(np.float32)
    redness = r32 - np.maximum(g, b).astype(np.float32)
    reddish = redness > 12
    if reddish.sum() < 50:
        return r
    paper = float(np.median(r[::7, ::7]))
    over_paper = reddish & (redness > 40) & (r32 > 0.75 * paper)
    if over_paper.sum() < 50:
        return r
    k = float(np.clip(np.median((paper - r32[over_paper]) / redness[over_paper]), 0.2, 1.0))
    out = r.copy()
    out[reddish] = np.clip(r32[reddish] + k * redness[reddish], 0, paper).astype(np.uint8)
    return out


def skew_degrees(grey) -> float:
    """Angle of the long near-horizontal ruling lines (0.0 when there are none)."""
    import cv2
    import numpy as np

    if grey.shape[1] > 1000:  # the angle needs no more than ~800 px of width; Hough is slow
        f = 800 / grey.shape[1]
        grey = cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
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


def _boxes(result, rechecked: dict | None = None) -> list[dict]:
    """RapidOCR output -> words [{text, score, x0, x1, top, bottom}] in pixels.

    `rechecked`: {box index: (text, score, note)} read again (`_recheck_wide_numbers`); such a
    box is one word carrying the note.
    """
    out = []
    if result is None or getattr(result, "boxes", None) is None:
        return out
    words = getattr(result, "word_results", None) or ()
    rechecked = rechecked or {}
    for k, (quad, text, score) in enumerate(zip(result.boxes, result.txts, result.scores)):
        chars = words[k] if k < len(words) and words[k] and words[k][0][2] is not None else None
        note = None
        if k in rechecked:
            text, score, note = rechecked[k]
            chars = None
        for seg in _segments(text, quad, chars):
            t = clean_text(seg["text"])
            if not t or _JUNK.match(t):
                continue
            seg["text"], seg["score"] = t, float(score)
            if note:
                seg["note"] = note
            out.append(seg)
    return out


def digit_widths(numbers: list[tuple[str, float]]):
    """(digits, box width / height) of a page's numbers -> n -> typical width / height of an n-digit number.

    Measured per digit count (the median, over three numbers or more); other counts are
    extrapolated by the median step between neighbouring counts. None when fewer than two
    counts are measured or the width does not grow with the digits.
    """
    import numpy as np

    by_len: dict[int, list[float]] = {}
    for text, ratio in numbers:
        by_len.setdefault(len(text), []).append(ratio)
    typical = {n: float(np.median(r)) for n, r in by_len.items() if len(r) >= 3}
    steps = [typical[n + 1] - typical[n] for n in typical if n + 1 in typical]
    if len(typical) < 2 or not steps or float(np.median(steps)) <= 0:
        return None
    step = float(np.median(steps))

    def expected(n: int) -> float:
        near = min(typical, key=lambda m: (abs(m - n), m))
        return typical[near] + step * (n - near)

    return expected


def _recheck_wide_numbers(grey, result) -> dict[int, tuple[str, float, str]]:
    """Numbers whose box is too wide for their digits, read again stretched; {box index: (text, score, note)}.

    The recogniser emits one character per run of frames, so two equal digits set close (344
    in a small, low-resolution picture) can collapse into one (34) with a high score. Such a
    number's box is as wide as the page's numbers with one digit more: box width over height,
    per digit count, is measured on the page itself (its median over at least three numbers). A
    suspect box is recognised again stretched to twice its width, which gives every digit its
    own frames; a reading with more digits that fits the box's width better replaces it, marked
    with a note (its cell is unsure: pdf_positions.unsure) so that only an identity can vouch for it.
    """
    import cv2
    import numpy as np

    boxes = getattr(result, "boxes", None)
    if boxes is None or not len(boxes):
        return {}
    numbers = []
    for k, (quad, text) in enumerate(zip(boxes, result.txts)):
        t = clean_text(text).replace(" ", "")
        if t.isdigit():
            xs, ys = [p[0] for p in quad], [p[1] for p in quad]
            h = max(ys) - min(ys)
            if h >= 4:
                numbers.append((k, t, (max(xs) - min(xs)) / h, quad))
    expected = digit_widths([(t, ratio) for _, t, ratio, _ in numbers])
    if expected is None:
        return {}
    step = expected(2) - expected(1)
    suspects = [(k, t, ratio, quad) for k, t, ratio, quad in numbers if ratio >= expected(len(t)) + 0.5 * step]
    if not suspects:
        return {}
    crops = []
    for _, _, _, quad in suspects:
        xs, ys = [int(p[0]) for p in quad], [int(p[1]) for p in quad]
        crop = grey[max(0, min(ys)):max(ys) + 1, max(0, min(xs)):max(xs) + 1]
        crop = cv2.resize(crop, None, fx=2.0, fy=1.0, interpolation=cv2.INTER_CUBIC)
        crops.append(cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_GRAY2BGR))
    eng = engine()
    eng.update_params(return_word_box=False)  # the text alone (the page call sets its own)
    again = eng.recognize_txt(crops)
    out = {}
    for (k, t, ratio, _), text, score in zip(suspects, again.txts, again.scores):
        text = clean_text(text).replace(" ", "")
        if (text.isdigit() and len(text) > len(t) and float(score) >= OCR_MIN_SCORE
                and abs(ratio - expected(len(text))) < abs(ratio - expected(len(t)))):
            out[k] = (text, float(score), f"OCR read {t} in a box as wide as {len(text)} digits; "
                                          f"read again stretched: {text} (two equal digits had merged?)")
    return out


def _cx(b: dict) -> float:
    return (b["x0"] + b["x1"]) / 2


def _cy(b: dict) -> float:
    return (b["top"] + b["bottom"]) / 2


def _value_columns(nums: list[dict], min_rows: int = 4) -> list[float]:
    """x-centres shared by at least min_rows numeric boxes."""
    from .geometry import cluster_means

    return cluster_means((_cx(b) for b in nums), OCR_DPI / 72 * 6, min_size=min_rows)  # 6 pt


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
        centres = sorted(_cx(b) for b in row)
        pitch = sorted(b - a for a, b in zip(centres, centres[1:]))[(len(centres) - 2) // 2]
        near = [b for b in boxes if abs(_cy(b) - cy) < height]
        for c in cols:
            if not lo <= c <= hi:
                continue
            if any(abs(_cx(b) - c) < half_w for b in near):
                continue  # something (a number, a label, a dash) is there already
            # a column of another table on the page (table 三's columns fall between table
            # 四's): the cell this row would have there is taken by a neighbour's print
            if any(b["x1"] > c - 0.45 * pitch and b["x0"] < c + 0.45 * pitch for b in near):
                continue
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


_IDEOGRAPH = re.compile(r"[\u3400-\u9fff]")


def _drop_noise_among_numbers(boxes: list[dict]) -> int:
    """Remove what is not a number from among a table row's numbers; return how many removed.

    On a line holding numbers, a short non-number at or right of its first number is no label
    (labels come first): a seal's leftover character (`街`), or a number the seal or a blur
    garbled (`i:5`, `50c`, `283%`). Left in a value cell it makes the whole row unreadable;
    removed, the cell is read again from its crop (`_fill_gaps`) or stays unread.
    """
    drop = []
    for row in _rows(boxes):
        nums = [b for b in row if _NUMERIC.match(b["text"])]
        if len(nums) < 2:
            continue
        first = min(b["x0"] for b in nums)
        for b in row:
            if _NUMERIC.match(b["text"]) or b["x0"] < first - 2:
                continue
            t = b["text"]
            if any(ch.isdigit() for ch in t) or len(t) <= 2 or not _IDEOGRAPH.search(t):
                drop.append(b)
    for b in drop:
        boxes.remove(b)
    return len(drop)


def _words_pt(boxes: list[dict], scale: float) -> list[dict]:
    """Pixel words -> PositionReader words in PDF points (origin top-left).

    The words of one text line share one baseline (the line's lowest box bottom), since
    lines_of groups by baseline and OCR boxes of one line differ by a pixel or two. (A row of
    boxes can chain two lines of a wrapped label through the numbers centred between them:
    the grid reader, which reads a cell's lines, orders them by each box's own bottom.)
    """
    out = []
    for row in _rows(boxes):
        baseline = max(b["bottom"] for b in row) / scale
        for b in sorted(row, key=lambda b: b["x0"]):
            out.append({"text": b["text"], "x0": b["x0"] / scale, "x1": b["x1"] / scale,
                        "top": b["top"] / scale, "bottom": b["bottom"] / scale, "baseline": baseline,
                        "size": (b["bottom"] - b["top"]) / scale, "ocr_score": b["score"],
                        "recovered": bool(b.get("recovered")), **({"note": b["note"]} if b.get("note") else {})})
    return out


def ocr_page(page, number: int) -> tuple[list[dict], dict]:
    """One pdfium page -> (words in PDF points, stats). The engine reads the whole page once.

    stats["grid_lines"] holds the page's ruling lines in points (for `grid_tables`).
    """
    from .geometry import rules_off_rings

    t0 = time.monotonic()
    grey = render_grey(page)
    angle = skew_degrees(grey)
    grey = straighten(grey, angle)
    result = engine()(grey, use_det=True, use_cls=False, use_rec=True, return_word_box=True,
                      return_single_char_box=True)
    rechecked = _recheck_wide_numbers(grey, result)
    boxes = _boxes(result, rechecked)
    dropped = _drop_noise_among_numbers(boxes)
    added = _fill_gaps(grey, boxes)
    scale = OCR_DPI / 72
    words = _words_pt(boxes, scale)
    lines = ruling_lines(grey, scale)
    rings = seal_rings(grey, scale)
    if rings:  # a grey seal's ring is no table border
        lines["h"], lines["v"] = rules_off_rings(lines["h"], lines["v"], rings)
        lines["rings"] = rings
        # a number under a grey seal's ink may be read whole yet wrong (the ring through a 7 of
        # 778 read 78 at 0.95): only an identity may vouch for it (table 二 has none: unread)
        for w in words:
            box = (w["x0"], w["top"], w["x1"], w["bottom"])
            if any(ch.isdigit() for ch in w["text"]) and under_seal(box, rings):
                w.setdefault("note", UNDER_SEAL)
    stats = {"page": number, "skew_deg": round(angle, 3), "words": len(words), "noise_dropped": dropped,
             "recovered": added, "read_again_wide": len(rechecked), "seal_rings": len(rings),
             "seconds": round(time.monotonic() - t0, 2), "grid_lines": lines, "image": grey}
    log.info("ocr page %s: %s", number, {k: v for k, v in stats.items() if k not in ("grid_lines", "image")})
    return words, stats


# ---------------------------------------------------------------- seals on a grey page

SEAL_RADIUS_PT = (25, 75)  # an official seal is 38–45 mm across; a little wider either way
RING_INK_SHARE = 0.9  # a seal's ring is inked all round; a circle through text and rules is not


def seal_rings(grey, scale: float) -> list[tuple[float, float, float]]:
    """Seal rings left on the page (cx, cy, r in points): on a grey scan, where colour could not
    take the seal out.

    Circles are found on a quarter-size image (Hough), then each is fitted to the ink: the
    centre and radius whose circle runs through dark ink at the most of 120 points round it.
    A seal's ring is inked all round (≥ 0.9 of them); the circles Hough also finds in a page
    of text and rules are inked at 0.5–0.7 of them, and are dropped.
    """
    import cv2
    import numpy as np

    small = cv2.resize(grey, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    s = scale * 0.25
    found = cv2.HoughCircles(small, cv2.HOUGH_GRADIENT, dp=1, minDist=int(2 * SEAL_RADIUS_PT[0] * s),
                             param1=100, param2=40, minRadius=int(SEAL_RADIUS_PT[0] * s),
                             maxRadius=int(SEAL_RADIUS_PT[1] * s))
    if found is None:
        return []
    h, w = grey.shape
    angles = np.linspace(0, 2 * np.pi, 120, endpoint=False)
    cos, sin = np.cos(angles), np.sin(angles)
    band = np.array([-1.0, 0.0, 1.0])  # a point is inked when ink lies within a point of it
    rings = []
    for x, y, r in found[0][:6]:
        cx, cy, r = x / s, y / s, r / s
        radii = np.arange(r - 6, r + 6.5, 0.5)
        rr = radii[:, None, None] + band[None, :, None]
        best = (0.0, cx, cy, r)
        for dx in range(-4, 5):
            for dy in range(-4, 5):
                xs = np.clip(((cx + dx + rr * cos) * scale).astype(int), 0, w - 1)
                ys = np.clip(((cy + dy + rr * sin) * scale).astype(int), 0, h - 1)
                inked = (grey[ys, xs] < 200).any(axis=1).mean(axis=1)
                k = int(inked.argmax())
                if inked[k] > best[0]:
                    best = (float(inked[k]), cx + dx, cy + dy, float(radii[k]))
        if best[0] >= RING_INK_SHARE:
            rings.append((round(best[1], 1), round(best[2], 1), round(best[3], 1)))
    return rings


UNDER_SEAL = "OCR read this number under a seal's ink on a grey scan (colour could not take the seal out)"


def under_seal(box, rings) -> bool:
    """Whether a box (x0, top, x1, bottom, points) reaches into a seal's disc."""
    x0, top, x1, bottom = box
    return any((min(max(cx, x0), x1) - cx) ** 2 + (min(max(cy, top), bottom) - cy) ** 2 < r * r
               for cx, cy, r in rings)


# ---------------------------------------------------------------- ruled grids from the image


def ruling_lines(grey, scale: float) -> dict:
    """Horizontal (y, x0, x1) and vertical (x, y0, y1) ruling segments, in points."""
    import cv2

    h, w = grey.shape
    binary = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 15, 10)
    out: dict[str, list[tuple[float, float, float]]] = {"h": [], "v": []}
    for kind, kernel in (("h", (max(w // 40, 20), 1)), ("v", (1, max(h // 60, 20)))):
        el = cv2.getStructuringElement(cv2.MORPH_RECT, kernel)
        mask = cv2.dilate(cv2.erode(binary, el), el)
        # bridge one-pixel breaks of a scanned line
        mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
        n, _, st, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for i in range(1, n):
            x, y, bw, bh, _area = st[i]
            if kind == "h" and bw >= kernel[0]:
                out["h"].append(((y + bh / 2) / scale, x / scale, (x + bw) / scale))
            elif kind == "v" and bh >= kernel[1]:
                out["v"].append(((x + bw / 2) / scale, y / scale, (y + bh) / scale))
    return out


RULE_TOL = 2.5  # points: pieces of one ruling line seen in the image lie this close (a scan's line is thick and wavy)
RULE_REACH = 3.0  # points: rules of one table touch within this (a scanned joint may break by a pixel or two)


def grid_tables(number: int, words: list[dict], lines: dict, grey=None):
    """Ruled tables of one OCR'd page: the grid from the image's lines, words placed by centre.

    The rules (already in points) are cut into tables and grids by `geometry`, as the vector
    rules of a text PDF are. With the page image (`grey`, straightened as the words were read),
    a value cell the detector left empty is recognised again from its own crop
    (`_reread_blank_cells`).
    """
    from .geometry import connected_rule_tables, grid_from_rules, joined_rules
    from .pdf_reader import table_from_grid

    tables = []
    for th, tv in connected_rule_tables(lines.get("h", []), lines.get("v", []), RULE_REACH):
        # a seal's arc or a pen stroke over the table is seen as a short line too: only lines
        # that end on the table's other lines are its borders
        th, tv = joined_rules(th, tv, RULE_REACH, tol=RULE_TOL)
        # the columns of a picture's table come from its verticals: a scanned rule is one long
        # piece, its ends are no cell borders (a table without verticals is left to the
        # word-position reader); one column is a frame drawn around text (a title box)
        grid = grid_from_rules(th, tv, tol=RULE_TOL) if tv else None
        if grid is None or grid.shape[1] < 2:
            continue
        # words are placed as characters are (by centre); a whole OCR word carries no pen origin.
        # A cell's lines are told apart by each box's own bottom: the row's shared baseline
        # (`_words_pt`) can join a wrapped label's two lines, the second one first when it
        # starts further left (物 before 3.要求提供公开出版)
        chars = [dict(w, origin_x=w["x0"], baseline=w["bottom"]) for w in words]
        table = table_from_grid(number, grid, chars, "ocr-image-grid")
        _drop_marks_beside_numbers(table)
        _closing_quotes_read_as_digits(table)
        if grey is not None:
            _reread_blank_cells(table, grey, OCR_DPI / 72, lines.get("rings", ()))
        tables.append(table)
    return tables


def _drop_marks_beside_numbers(table) -> int:
    """In a value column of a ruled OCR table, a cell holding one number and, on lines of their
    own, marks without a digit (a seal's character read as 半 over a grey scan's cell) keeps the
    number alone, marked unsure so that only an identity vouches for it; return how many.

    A value column is one holding numbers in at least three rows. A cell with two numbers, or
    a mark on the number's own line, is left as it is (never guessed).
    """
    rows = table.rows
    if not rows:
        return 0
    value_cols = _numeric_columns(rows)
    dropped = 0
    for row in rows:
        for c in value_cols:
            cell = row[c]
            lines = [ln.strip() for ln in cell.text.split("\n") if ln.strip()]
            numbers = [ln for ln in lines if _is_number(ln)]
            if len(lines) < 2 or len(numbers) != 1 or any(ch.isdigit() for ln in lines if ln not in numbers
                                                           for ch in ln):
                continue
            marks = " ".join(ln for ln in lines if ln not in numbers)
            cell.text = numbers[0]
            cell.unsure = cell.unsure or f"other marks in this cell left out ({marks}: a seal's ink?)"
            dropped += 1
    return dropped


# what the recogniser makes of a closing quote ” wrapped onto a line of its own: its two commas
# read as two digits (99, 19, 55, 39 seen)
_QUOTE_READINGS = re.compile(r"^\d{2}$")


def _closing_quotes_read_as_digits(table) -> int:
    """In a label cell of an OCR table, a line of two digits under a line that opens a quote it
    does not close (3.危及“三安全一稳定 ⏎ 99: pasted_image 9805, 9603, 9904, 9916) is that
    quote's ”, when the row's value cells all hold their numbers (so it is none of the row's
    values pushed into its label); return how many. Read as a number, it was listed as a
    printed number placed in no cell, which made a document read whole `partial`."""
    rows = table.rows
    if not rows:
        return 0
    value_cols = set(_numeric_columns(rows))
    mended = 0
    for row in rows:
        if not value_cols or not all(_is_number(row[c].text) for c in value_cols):
            continue
        for c, cell in enumerate(row):
            if c in value_cols or "\n" not in cell.text:
                continue
            lines = cell.text.split("\n")
            for i in range(1, len(lines)):
                above = "".join(lines[:i])
                if _QUOTE_READINGS.match(lines[i].strip()) and above.count("“") > above.count("”"):
                    lines[i] = "”"
                    mended += 1
            cell.text = "\n".join(lines)
    return mended


def _is_number(text: str) -> bool:
    return bool(_NUMERIC.match(text.strip().replace(" ", "")))


def _numeric_columns(rows) -> list[int]:
    """The value columns of a grid table's rows: those holding a number in three rows or more."""
    return [c for c in range(len(rows[0])) if sum(_is_number(row[c].text) for row in rows) >= 3]


def _reread_blank_cells(table, grey, scale: float, rings=()) -> int:
    """Recognise, crop by crop, the empty value cells of a ruled OCR table; return how many read.

    The page-wide detector misses a lone small number now and then (a `1`, a `0`, a digit a
    seal's ink thinned). A value column is one holding numbers in at least three rows (and, in a
    table of a row or two, a cell between two numbers of its row); in a row that holds numbers
    in two of them, an empty cell of a value column is cut out inside its rules, enlarged and
    recognised alone. What reads as a number is placed with its score
    (an unsure one is marked so); extract.py still keeps it only when an identity vouches.
    """
    rows = table.rows
    if not rows:
        return 0
    ncols = len(rows[0])
    value_cols = _numeric_columns(rows)
    read = 0
    for row in rows:
        # in a table of one or two data rows (table 四) no column shows numbers in three rows:
        # there an empty cell between two numbers of its row is a value cell too
        between = [c for c in range(1, ncols - 1) if c not in value_cols
                   and _is_number(row[c - 1].text) and _is_number(row[c + 1].text)]
        flanking = {c + d for c in between for d in (-1, 1)}
        if sum(_is_number(row[c].text) for c in set(value_cols) | flanking) < 2:
            continue  # a header row, a label row: nothing to expect
        for c in sorted(value_cols + between):
            cell = row[c]
            if cell.covered or cell.bbox is None:
                continue
            seen = cell.text.strip()
            if seen and not _may_hide_a_number(seen):
                continue
            if seen:
                # what the page read here is no number: a seal's character merged with digits
                # (县22 over 2271) would make the row's label swallow a value; the cell is read
                # alone, and stays blank (unread, saying what was seen) when that fails too
                cell.text = ""
                cell.unsure = f"OCR read {seen!r} here, not a number (a seal or a mark over it?)"
            got = read_cell_crop(grey, cell.bbox, scale)
            unsure = f"OCR read {seen!r} on the page; the cell alone reads as a number" if seen else None
            if got is None and seen in _DASH_MARKS:
                cell.text, cell.unsure = seen, None  # a printed dash stays a dash
                continue
            if got is None:
                # print is the darkest ink on the page: with the lighter ink taken out (a grey
                # seal's characters over the number, which colour cannot separate in a grey scan)
                # the digit may read; never trusted on its score alone, only an identity vouches
                for level in DARK_INK_LEVELS:
                    got = read_cell_crop(grey, cell.bbox, scale, darker_than=level)
                    if got is not None:
                        unsure = unsure or (f"OCR read this number only after ink lighter than {level}/255 "
                                            "was taken out (a seal over it?)")
                        break
            if got is None:
                continue
            text, score = got
            cell.text = text
            if score < OCR_MIN_SCORE:
                unsure = f"OCR unsure of this number (score {score:.2f}, read from the cell alone)"
            elif unsure is None and under_seal(cell.bbox, rings):
                unsure = UNDER_SEAL
            cell.unsure = unsure or cell.unsure
            read += 1
    return read


# dashes a page read may hold where a narrow 1 was printed (the recogniser's 一 for a blurred 1)
_DASH_MARKS = frozenset("一-—－―─")


def _may_hide_a_number(text: str) -> bool:
    """An OCR'd value cell's text that may hide a number: a lone dash-like mark (a narrow 1 read
    as 一), or anything that is neither a number nor a printed blank (县22: a seal's character
    merged with the digits under it; 镇 alone: the seal's character read, the number not)."""
    from .values import is_value_like

    flat = text.replace("\n", "").replace(" ", "")
    return flat in _DASH_MARKS or not is_value_like(flat)


def read_cell_crop(grey, bbox, scale: float, inset_pt: float = 1.5,
                   darker_than: int | None = None) -> tuple[str, float] | None:
    """One cell's box (points) cut from the page image inside its rules and recognised alone.

    None when the crop holds no ink (a printed blank stays blank) or does not read as a number.
    `darker_than`: pixels at or above this grey level are made paper first (only the darkest
    ink, the print, is recognised).
    """
    import cv2
    import numpy as np

    h, w = grey.shape
    x0, top, x1, bottom = bbox
    px0, px1 = int(max(0, (x0 + inset_pt) * scale)), int(min(w, (x1 - inset_pt) * scale))
    py0, py1 = int(max(0, (top + inset_pt) * scale)), int(min(h, (bottom - inset_pt) * scale))
    if px1 - px0 < 4 or py1 - py0 < 4:
        return None
    crop = grey[py0:py1, px0:px1]
    if darker_than is not None:
        crop = np.where(crop < darker_than, crop, 255).astype(np.uint8)
    ink = crop < 128
    if ink.sum() < 6:
        return None  # no ink: a blank cell
    # the ink's own box, with a margin: the recogniser reads a tight line best
    ys, xs = np.nonzero(ink)
    m = max(3, int(0.25 * (ys.max() - ys.min() + 1)))
    crop = crop[max(0, ys.min() - m):ys.max() + m + 1, max(0, xs.min() - m):xs.max() + m + 1]
    if crop.shape[0] < 32:  # small print at a low dpi: enlarge towards the recogniser's 48 px lines
        f = 40 / crop.shape[0]
        crop = cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
    res = engine()(np.ascontiguousarray(crop), use_det=False, use_cls=False, use_rec=True)
    txts = getattr(res, "txts", None) or ()
    scores = getattr(res, "scores", None) or ()
    if not txts or not scores:
        return None
    text = clean_text(txts[0])
    if not _is_number(text) or float(scores[0]) < 0.5:
        return None
    return text.replace(" ", ""), float(scores[0])


def page_text(words: list[dict]) -> str:
    """Page text from OCR words: lines top to bottom (title, year and table-page markers)."""
    from .pdf_positions import lines_of

    return "\n".join(" ".join(w["text"] for w in line) for line in lines_of(words))


def max_pages() -> int:
    return int(os.environ.get("XXGK_OCR_MAX_PAGES", "12"))


def read_pages_by_ocr(data: bytes, numbers: list[int]):
    """Chosen pages of a PDF -> (candidate Documents holding only those pages' tables, stats).

    For a text PDF whose table pages are pixels (a pasted picture, a garbled font): the same
    two readings as `read_scanned`, image grid first.
    """
    return _read_pages(data, numbers, "pdf", with_text=False)


def read_scanned(data: bytes):
    """Scanned PDF bytes -> (candidate Documents, per-page stats).

    Pages are read in order up to XXGK_OCR_MAX_PAGES (tables 二/三/四 come early in a report).
    Two readings of the same OCR words are offered, best first for a ruled scan: the grid of
    the image's ruling lines (like Camelot lattice on a text PDF), then word positions under the
    template's column headers (`PositionReader`, for unruled tables). The caller keeps the
    first one its gate trusts.
    """
    return _read_pages(data, None, "pdf-scanned", with_text=True)


def _read_pages(data: bytes, numbers: list[int] | None, fmt: str, with_text: bool):
    """OCR pages `numbers` (None: every page), at most XXGK_OCR_MAX_PAGES of them, each once,
    into the two readings (image grid first, then word positions) as candidate Documents of
    format `fmt`, and per-page stats. `with_text`: the documents carry the pages' OCR'd text (a
    scan has no other)."""
    from .model import Document
    from .pdf_positions import PositionReader
    from .pdf_reader import _open

    pdf = _open(data)
    try:
        positions = PositionReader(repair_s3=True)
        texts: list[str] = []
        by_grid, by_position, stats = [], [], []
        for n in (numbers if numbers is not None else range(1, len(pdf) + 1))[: max_pages()]:
            words, st = ocr_page(pdf[n - 1], n)
            lines = st.pop("grid_lines", None) or {}
            image = st.pop("image", None)
            stats.append(st)
            if with_text:
                texts.append(page_text(words))
            by_position.extend(positions.page_tables(n, words))
            by_grid.extend(grid_tables(n, words, lines, image))
    finally:
        pdf.close()
    text = "\n".join(texts)
    docs = []
    if by_grid:
        docs.append(Document(text=text, tables=by_grid, format=fmt))
    doc = Document(text=text, tables=by_position, format=fmt)
    doc.unplaced.extend(positions.unplaced)
    docs.append(doc)
    return docs, stats
