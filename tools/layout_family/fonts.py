"""Fonts ReportLab can draw Chinese with, from what the machine has.

- "STSong-Light": ReportLab's built-in Adobe-GB1 CID font (not embedded; viewers substitute),
  always available.
- "Noto Sans CJK SC" / "Noto Serif CJK SC": the system's Noto CJK (CFF outlines, which ReportLab
  cannot embed) converted to an embedded TrueType subset by fontTools, when fontTools is
  installed; see noto.py.
- Latin fonts for numbers (Word tables often print digits in Times New Roman): the standard 14.
"""
from __future__ import annotations

from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

LATIN = ("Times-Roman", "Helvetica", "Courier")


def available() -> list[str]:
    """CJK font keys usable here, the always-available one first."""
    from . import noto

    return ["STSong-Light"] + noto.available()


@lru_cache(maxsize=None)
def register(key: str) -> str:
    if key in LATIN:
        return key
    if key == "STSong-Light":
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        return key
    from . import noto

    return noto.register(key)


def name(key: str) -> str:
    """The ReportLab font name of a key (registering it on first use)."""
    return register(key)
