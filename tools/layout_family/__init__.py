"""Seeded, parameterised layout families of annual reports, with their truth (issue 10 item 4).

    from tools.layout_family import draw, FAMILIES
    case = draw("borderless", 7)          # Case: .data (bytes), .suffix, .truth {code: value|None}, .params
    python -m tools.layout_family borderless 7 /tmp/out   # writes the file and its truth JSON

A family is a function of one `random.Random` seeded with "layout-family:<family>:<seed>": the
same (family, seed) always gives the same document bytes (LibreOffice families: the same bytes
for the same LibreOffice version and fonts). Each family fixes the trait it is about and draws
the rest (organisation, year, template, label variants, values, fonts, widths, alignment).
Values are random, non-zero and satisfy identities I1–I5 unless `identity_break` plants one
failure (then listed in `violations`).
"""
from __future__ import annotations

import dataclasses
import hashlib
import random
from dataclasses import dataclass, field

from pipelines.core.codes import all_codes

from . import fonts
from .pdf import PdfParams

TEXT_FAMILIES = ("grid", "hrules", "three_line", "borderless", "sideways", "rotate90", "upside_down",
                 "page_break", "mixed", "word_html", "word_docx", "lo_docx", "lo_html", "chromium_html")
IMAGE_FAMILIES = ("pasted_image", "scan")
FAMILIES = TEXT_FAMILIES + IMAGE_FAMILIES
NEEDS_SOFFICE = ("lo_docx", "lo_html")
NEEDS_CHROMIUM = ("chromium_html",)     # HTML printed to PDF by headless Chromium (chromium.py)
_DRAWABLE = FAMILIES
# seeds the reader tests use (tests/layouts/test_reader_families.py): few, so the suite stays fast
# (chromium_html: 0 a portal page with <table border=1 cellspacing=2>: double rules, 8 a Word page
# whose hidden rows shift a row)
TEST_SEEDS = {f: (0,) if f in NEEDS_SOFFICE or f == "scan" else (0, 8) if f in NEEDS_CHROMIUM
              else (0, 1) if f == "pasted_image" else (0, 1, 2) for f in FAMILIES}


def missing_program(family: str) -> str | None:
    """Why `family` cannot be drawn on this machine (its producer is not installed), else None."""
    import shutil

    if family in NEEDS_SOFFICE and shutil.which("soffice") is None:
        return "LibreOffice (soffice) is not installed"
    if family in NEEDS_CHROMIUM:
        from .chromium import available

        if not available():
            return "Chromium is not installed"
    return None
# seeds no test uses and no reader change was tuned on: `make bench-extract` measures them.
# (Seeds 1000-1209 were looked at while the readers were written, so they are tuning seeds, like
# the test seeds; 7000-7009 were the held-out seeds until their misses were studied. 8000-8009 have
# only been measured, never tuned on; once a reader change is made by looking at them, move on.
# Also looked at while fixing readers, so tuning seeds now: 9000-9819, scan 9908, 9913 and 9917,
# pasted_image 9805, 9904 and 9916, and, for chromium_html, 0-119, 8506, 10085 and 10158.
# Measured once, never tuned on: 9800-9809 (every family), 8500-8609 (chromium_html), the
# <table border=1> cellspacing 1-3 pages of chromium_html 8700-8999, 10000-10199 (chromium_html)
# and 9900-9919 (scan, pasted_image) but for the seeds named above.)
HELD_OUT_SEEDS = tuple(range(8000, 8010))


@dataclass
class Case:
    family: str
    seed: int
    data: bytes
    suffix: str                           # ".pdf" | ".html" | ".docx"
    truth: dict                           # code -> printed value, None for a printed blank
    params: dict                          # every drawn parameter
    template_s2: str
    template_s3: str
    organisation: str
    year: int
    title: str
    raw_text: dict = field(default_factory=dict)
    violations: list = field(default_factory=list)    # planted identity failures
    under_stamp: frozenset = frozenset()  # codes whose printed value a red seal overlaps
    image_codes: frozenset = frozenset()  # codes printed inside a raster image (need OCR)
    cell_locations: dict = field(default_factory=dict)
    pages_with_tables: list | None = None

    @property
    def name(self) -> str:
        return f"{self.family}-{self.seed}{self.suffix}"

    @property
    def route(self) -> str:
        """'ocr' when some printed value is only in pixels, else 'text'."""
        return "ocr" if self.image_codes else "text"

    def truth_record(self) -> dict:
        """The case in the ground-truth format of spec §16 (plus family, seed, params)."""
        codes = all_codes()
        return {
            "file": self.name, "sha256": hashlib.sha256(self.data).hexdigest(),
            "organisation": self.organisation, "year": self.year, "title": self.title,
            "template_s2": self.template_s2, "template_s3": self.template_s3,
            "format": self.suffix.lstrip("."), "pages_with_tables": self.pages_with_tables,
            "cells": dict(sorted(self.truth.items())), "raw_text_cells": dict(sorted(self.raw_text.items())),
            "codes_not_in_layout": sorted(codes - set(self.truth)),
            "source_identity_violations": self.violations, "cell_locations": self.cell_locations,
            "family": self.family, "seed": self.seed, "params": self.params,
            "under_stamp": sorted(self.under_stamp), "image_codes": sorted(self.image_codes),
        }


def rng_for(family: str, seed: int) -> random.Random:
    return random.Random(f"layout-family:{family}:{seed}")


def _base_pdf_params(rng: random.Random) -> PdfParams:
    return PdfParams(
        font=rng.choice(fonts.available()),
        digit_font=rng.choice([None, None, "Times-Roman", "Helvetica"]),
        font_size=rng.choice([7.5, 8, 8.5, 9, 10]),
        label_frac=rng.uniform(0.36, 0.5),
        t2_label_frac=rng.uniform(0.26, 0.4),
        valign_values=rng.choice(["middle", "middle", "top", "bottom"]),
        valign_labels=rng.choice(["middle", "top"]),
        value_align=rng.choice(["center", "center", "right"]),
        row_pad=rng.choice([0.0, 0.0, 2.0, 5.0]),
        tables_on_own_pages=rng.random() < 0.25,
    )


def _t3_break_rows(rng: random.Random, labels: list[str], inside: bool) -> dict:
    """{grid row: "before" | label lines kept on the first page} for 1–2 forced breaks in table 三.

    `labels` are the data rows' labels; an inside-row break goes to a row with a long label (one
    that wraps), the layout falls back to a break before the row if it does not wrap."""
    n_rows = len(labels) + 3
    rows = rng.sample(range(4, n_rows), rng.choice([1, 1, 2]))
    long_rows = [k + 3 for k, lab in enumerate(labels) if k >= 2 and len(lab) >= 12]
    if inside:
        rows[0] = rng.choice(long_rows)
    out: dict = {}
    for ri in rows:
        out[ri] = rng.choice([1, 2]) if inside and ri == rows[0] else "before"
    return out


def _pdf_params(family: str, rng: random.Random, t3_labels: list[str]) -> PdfParams:
    p = _base_pdf_params(rng)
    if family in ("grid", "hrules", "three_line"):
        p.rules = family
    elif family == "borderless":
        p.rules = "none"
        p.label_frac = rng.uniform(0.24, 0.33)          # labels wrap over 2–3 lines
        p.valign_values = "middle"                      # a value's baseline sits between label lines
        p.valign_labels = rng.choice(["top", "middle"])
        p.row_pad = rng.choice([0.0, 3.0, 8.0])
    elif family in ("sideways", "rotate90", "upside_down"):
        p.rules = rng.choice(["grid", "grid", "hrules"])
        p.orientation = (rng.choice(["sideways90", "sideways270"]) if family == "sideways" else family)
    elif family == "page_break":
        p.rules = rng.choice(["grid", "hrules", "none"])
        p.label_frac = rng.uniform(0.26, 0.4)
        inside = rng.random() < 0.6
        p.breaks = {"t3": _t3_break_rows(rng, t3_labels, inside)}
        if rng.random() < 0.4:
            p.breaks["t2"] = {rng.randrange(3, 8): "before"}
        p.repeat_header = rng.random() < 0.5
    elif family == "mixed":
        # every trait at once, each drawn: the variety of real portals is wider than one trait
        p.rules = rng.choice(["grid", "hrules", "three_line", "none"])
        p.orientation = rng.choice(["upright", "upright", "upright", "sideways90", "sideways270",
                                    "rotate90", "upside_down"])
        p.label_frac = rng.uniform(0.24, 0.5)
        if rng.random() < 0.5:
            p.breaks = {"t3": _t3_break_rows(rng, t3_labels, rng.random() < 0.5)}
        p.repeat_header = rng.random() < 0.3
    elif family == "pasted_image":
        p.rules = "grid"
        p.t3_image_dpi = rng.randint(96, 150)
        p.t3_image_gray = rng.random() < 0.6
        p.t3_image_jpeg = rng.choice([None, None, 75, 90])
    else:
        raise ValueError(family)
    return p


def draw(family: str, seed: int, *, template: tuple[str, str] | None = None,
         identity_break: str | None = None, **param_overrides) -> Case:
    """One document of `family` for `seed`. Overrides: template, identity_break, and any PdfParams
    field (e.g. rules="none") for the ReportLab families."""
    if family not in _DRAWABLE:
        raise ValueError(f"unknown family {family!r}; one of {', '.join(_DRAWABLE)}")
    from .report import draw_report
    from tools.sample_county.county import t3_row_codes

    rng = rng_for(family, seed)
    # LibreOffice wraps a number too wide for its column: keep totals to five digits there
    r = draw_report(rng, template=template, identity_break=identity_break,
                    magnitudes=(9, 60, 400) if family in NEEDS_SOFFICE + NEEDS_CHROMIUM else None)
    if family in ("word_html", "word_docx"):
        from . import word

        data, suffix, params, info = word.render(family, r, rng)
    elif family in NEEDS_SOFFICE:
        from . import libreoffice

        data, suffix, params, info = libreoffice.render(family, r, rng)
    elif family in NEEDS_CHROMIUM:
        from . import chromium

        data, suffix, params, info = chromium.render(r, rng)
    elif family == "scan":
        from . import scan

        data, suffix, params, info = scan.render(r, rng, _base_pdf_params(rng), **param_overrides)
    else:
        from tools.sample_county.tables import T3_LABELS

        p = _pdf_params(family, rng, [T3_LABELS[row] for row in t3_row_codes(r.template_s3)])
        p = dataclasses.replace(p, **param_overrides)
        from .pdf import render

        data, info = render(r, p)
        suffix, params = ".pdf", dataclasses.asdict(p)
        params["breaks"] = {k: {str(a): b for a, b in v.items()} for k, v in p.breaks.items()}
        params["breaks_applied"] = info["breaks_applied"]     # what the layout could do (see pdf.py)
    params = dict(params, template=[r.template_s2, r.template_s3], identity_break=identity_break)
    return Case(family, seed, data, suffix, dict(r.values), params, r.template_s2, r.template_s3,
                r.organisation, r.year, r.title, raw_text=dict(r.raw_text), violations=list(r.violations),
                under_stamp=frozenset(info.get("under_stamp", ())),
                image_codes=frozenset(info.get("image_codes", ())),
                cell_locations=info.get("cell_locations", {}),
                pages_with_tables=info.get("pages_with_tables"))
