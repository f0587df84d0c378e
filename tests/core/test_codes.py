from pathlib import Path

import pytest

from pipelines.core.codes import ITEMS_CSV, all_codes, layout_codes

SPEC_ITEMS = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "items.csv"


def test_items_csv_is_the_spec_copy():
    if not SPEC_ITEMS.exists():
        pytest.skip(f"{SPEC_ITEMS} not found")
    assert ITEMS_CSV.read_bytes() == SPEC_ITEMS.read_bytes()


def test_code_counts():
    assert len(all_codes()) == 226
    assert len(layout_codes("2019", "2019")) == 198
    assert len(layout_codes("2021", "2021")) == 200
    assert len(layout_codes("2021", "2019")) == 186
    assert len(layout_codes("2019", "2021")) == 212
