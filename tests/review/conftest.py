import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
for p in (HERE, REPO / "tools"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))
