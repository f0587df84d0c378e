"""One draw per (family, seed) per test session: LibreOffice and scan cases take seconds to make."""
from __future__ import annotations

from functools import lru_cache

import pytest

from tools.layout_family import draw


@lru_cache(maxsize=None)
def _drawn(family: str, seed: int):
    return draw(family, seed)


@pytest.fixture(scope="session")
def drawn():
    """drawn(family, seed) -> Case, drawn once per session (the Case must not be modified)."""
    return _drawn
