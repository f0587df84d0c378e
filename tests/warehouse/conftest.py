"""A small but realistic warehouse, built once per session with the real loader and real dbt.

The fictional 青川县 has three organisations and two expected years (2020, 2021):

| org | 2020 | 2021 |
|---|---|---|
| A 城关镇 (township) | 2019 template, ok | 2021 template: original + correction (different carried_over) |
| B 青溪镇 (township) | 2019 template, all zeros | 2021 template; planted I4 violation (review) and X1 break |
| C 县自然资源局 (department) | one failed document (no_tables_found) | never published |

plus one unplaced document (not a report, no org). The expected values the tests check are kept
in `EXPECTED_*` below, computed from the same numbers the Parquet is written from.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.core.codes import layout_codes
from pipelines.warehouse.load import load_staging

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_models"
DBT = Path(sys.executable).with_name("dbt")

C6 = ["natural_person", "commercial", "research", "nonprofit", "legal_service", "other_org"]
C7 = C6 + ["total"]
RES_COMMON = (
    ["t3.result.granted", "t3.result.partial"]
    + [f"t3.result.withheld.{r}" for r in ("state_secret", "law_prohibited", "security_stability",
                                           "third_party", "internal_affairs", "process_info",
                                           "enforcement_file", "admin_query")]
    + [f"t3.result.unable.{r}" for r in ("not_held", "needs_creation", "unclear")]
    + [f"t3.result.not_processed.{r}" for r in ("petition", "duplicate", "publication",
                                                "mass_repeat", "confirm_reissue")]
)
RES = {
    "2019": RES_COMMON + ["t3.result.other.total"],
    "2021": RES_COMMON + ["t3.result.other.no_correction", "t3.result.other.unpaid_fee",
                          "t3.result.other.misc"],
}
COUNTY = "青川县"
ORGS = [
    ("qc-chengguan", "城关镇", "township"),
    ("qc-qingxi", "青溪镇", "township"),
    ("qc-zrzyj", "县自然资源局", "department"),
]
YEARS = [2020, 2021]


def sha(label: str) -> str:
    import hashlib

    return hashlib.sha256(label.encode()).hexdigest()


def t3_cells(template: str, new: dict, carried: dict, results: dict) -> dict[str, float]:
    """Section 三 that satisfies I1-I3: totals are row sums, result.total the sum of RES rows,
    carry_forward = new + carried - result.total (per column)."""
    cells: dict[str, float] = {}

    def put(row: str, vals: dict) -> None:
        for c in C6:
            cells[f"{row}:{c}"] = float(vals.get(c, 0))
        cells[f"{row}:total"] = float(sum(vals.get(c, 0) for c in C6))

    put("t3.new_received", new)
    put("t3.carried_over", carried)
    for row in RES[template]:
        put(row, results.get(row, {}))
    rt = {c: sum(results.get(r, {}).get(c, 0) for r in RES[template]) for c in C6}
    put("t3.result.total", rt)
    cf = {c: new.get(c, 0) + carried.get(c, 0) - rt[c] for c in C6}
    assert all(v >= 0 for v in cf.values()), cf
    put("t3.carry_forward", cf)
    return cells


@dataclass
class Doc:
    key: str
    org_id: str | None
    year: int | None
    template: str | None  # same template in 二 and 三
    status: str = "ok"
    is_correction: bool = False
    fetched_at: str = "2021-01-20T10:00:00+08:00"
    cells: dict | None = None  # code -> value (None = blank)
    raw_text: dict | None = None
    error_kind: str | None = None
    error_message: str | None = None
    fmt: str = "html"
    title: str = ""
    org_name: str | None = None  # as printed, for an organisation the profile does not list

    @property
    def document_id(self) -> str:
        return sha(self.key)


def full_cells(template: str, overrides: dict) -> dict:
    """Every code of the layout, 0 unless overridden (t3 overrides come from t3_cells)."""
    cells = {code: 0.0 for code in layout_codes(template, template)}
    for k, v in overrides.items():
        assert k in cells, k
        cells[k] = v
    return cells


def build_docs() -> list[Doc]:
    a2020_t3 = t3_cells(
        "2019",
        new={"natural_person": 10, "commercial": 2},
        carried={"natural_person": 1},
        results={
            "t3.result.granted": {"natural_person": 6, "commercial": 1},
            "t3.result.partial": {"natural_person": 2},
            "t3.result.withheld.third_party": {"natural_person": 1},
            "t3.result.unable.not_held": {"commercial": 1},
            "t3.result.other.total": {"natural_person": 1},
        },
    )
    a2020 = full_cells("2019", {
        **a2020_t3,
        "t2.art20_1.normative_docs.new_made": 3,
        "t2.art20_1.normative_docs.new_published": 3,
        "t2.art20_1.normative_docs.total_published": 10,
        "t2.art20_5.licensing.prev_items": 5,
        "t2.art20_5.licensing.delta": 2,
        "t2.art20_5.licensing.decisions": 40,
        "t2.art20_6.penalty.prev_items": 3,
        "t2.art20_6.penalty.delta": -1,
        "t2.art20_6.penalty.decisions": 7,
        "t2.art20_8.fees.prev_items": 2,
        "t2.art20_9.procurement.projects": None,  # printed blank
        "t2.art20_9.procurement.amount": 251000,
        "t4.review.upheld": 1,
        "t4.review.total": 1,
    })
    a2021_results = {
        "t3.result.granted": {"natural_person": 12},
        "t3.result.partial": {"natural_person": 3, "research": 1},
        "t3.result.unable.not_held": {"natural_person": 2},
        "t3.result.not_processed.duplicate": {"natural_person": 1},
        "t3.result.other.no_correction": {"natural_person": 1},
        "t3.result.other.misc": {"natural_person": 1},
    }
    # The original forgot the carried-over application (X1 would fail); the correction fixes it
    # and adds the application it handled (unpaid fee).
    a2021_orig_t3 = t3_cells("2021", new={"natural_person": 20, "research": 1}, carried={},
                             results=a2021_results)
    a2021_corr_t3 = t3_cells(
        "2021", new={"natural_person": 20, "research": 1}, carried={"natural_person": 1},
        results={**a2021_results, "t3.result.other.unpaid_fee": {"natural_person": 1}},
    )
    a2021_t2 = {
        "t2.art20_1.normative_docs.issued": 4,
        "t2.art20_1.normative_docs.repealed": 1,
        "t2.art20_1.normative_docs.in_force": 12,
        "t2.art20_5.licensing.decisions": 55,
        "t2.art20_6.penalty.decisions": 9,
        "t2.art20_6.coercion.decisions": 1,
        "t2.art20_8.fees.amount": 26.55,
    }
    b2020 = full_cells("2019", {})  # all zeros: still published
    b2021_t3 = t3_cells(
        "2021",
        new={"natural_person": 5, "legal_service": 1},
        carried={"natural_person": 2},  # B 2020 carried forward 0: X1 breaks
        results={
            "t3.result.granted": {"natural_person": 4},
            "t3.result.partial": {"legal_service": 1},
            "t3.result.withheld.state_secret": {"natural_person": 1},
        },
    )
    b2021 = full_cells("2021", {
        **b2021_t3,
        "t2.art20_5.licensing.decisions": 3,
        "t4.review.upheld": 2,
        "t4.review.corrected": 1,
        "t4.review.total": 0,  # planted I4 violation: 2 + 1 printed as 0
    })
    return [
        Doc("A2020", "qc-chengguan", 2020, "2019", cells=a2020,
            raw_text={"t2.art20_5.licensing.delta": "+2", "t2.art20_9.procurement.amount": "251000元"},
            title="青川县城关镇2020年政府信息公开工作年度报告", fetched_at="2021-01-25T09:00:00+08:00"),
        Doc("A2021", "qc-chengguan", 2021, "2021", cells=full_cells("2021", {**a2021_orig_t3, **a2021_t2}),
            title="青川县城关镇2021年政府信息公开工作年度报告", fetched_at="2022-01-20T10:00:00+08:00",
            fmt="pdf"),
        Doc("A2021c", "qc-chengguan", 2021, "2021", cells=full_cells("2021", {**a2021_corr_t3, **a2021_t2}),
            is_correction=True, title="青川县城关镇2021年政府信息公开工作年度报告（更正）",
            fetched_at="2022-03-01T10:00:00+08:00", fmt="pdf"),
        Doc("B2020", "qc-qingxi", 2020, "2019", cells=b2020,
            title="青川县青溪镇2020年政府信息公开工作年度报告", fetched_at="2021-01-28T10:00:00+08:00"),
        Doc("B2021", "qc-qingxi", 2021, "2021", cells=b2021,
            title="青川县青溪镇2021年政府信息公开工作年度报告", fetched_at="2022-01-28T10:00:00+08:00",
            fmt="docx"),
        Doc("C2020", "qc-zrzyj", 2020, None, status="failed", cells=None,
            error_kind="no_tables_found", error_message="no table 二/三/四 found on 5 pages",
            title="县自然资源局2020年政府信息公开工作年度报告", fetched_at="2021-02-01T10:00:00+08:00",
            fmt="pdf-scanned"),
        Doc("X", None, None, None, status="failed", cells=None, error_kind="not_a_report",
            error_message="no report title or tables", title="关于公布2021年政务公开工作要点的通知",
            fetched_at="2022-02-01T10:00:00+08:00", fmt="not_a_report"),
        Doc("U2021", None, 2021, "2021", cells=full_cells("2021", {}), org_name="青川县新华乡人民政府",
            title="青川县新华乡人民政府2021年政府信息公开工作年度报告", fetched_at="2022-02-03T10:00:00+08:00"),
    ]


def identity_rows(doc: Doc) -> list[dict]:
    """I1 per column and I4 per group, computed from the printed cells (as the extractor does)."""
    if not doc.cells:
        return []
    c = doc.cells
    rows = []
    for col in C7:
        exp = c[f"t3.new_received:{col}"] + c[f"t3.carried_over:{col}"] - c[f"t3.carry_forward:{col}"]
        prn = c[f"t3.result.total:{col}"]
        rows.append(dict(document_id=doc.document_id, identity="I1", scope=col, ok=exp == prn,
                         expected=exp, printed=prn))
    for g in ("review", "lit_direct", "lit_after_review"):
        exp = sum(c[f"t4.{g}.{o}"] for o in ("upheld", "corrected", "other", "pending"))
        prn = c[f"t4.{g}.total"]
        rows.append(dict(document_id=doc.document_id, identity="I4", scope=g, ok=exp == prn,
                         expected=exp, printed=prn))
    return rows


def write_staging(staging: Path, docs: list[Doc]) -> None:
    staging.mkdir(parents=True, exist_ok=True)
    d_rows, f_rows, i_rows = [], [], []
    for doc in docs:
        d_rows.append(dict(
            document_id=doc.document_id, source_id="qingchuan",
            document_url=f"http://www.qc.gov.cn/zfxxgk/zfxxgknb/{doc.key}.{doc.fmt}",
            detail_url=f"http://www.qc.gov.cn/zfxxgk/zfxxgknb/t_{doc.key}.html",
            title=doc.title, org_name=doc.org_name or dict((o, n) for o, n, _ in ORGS).get(doc.org_id),
            org_id=doc.org_id, year=doc.year, format=doc.fmt, status=doc.status,
            error_kind=doc.error_kind, error_message=doc.error_message,
            template_s2=doc.template, template_s3=doc.template,
            fetched_at=doc.fetched_at,  # ISO text, as the crawler writes it
            raw_path=f"raw/{doc.document_id[:2]}/{doc.document_id}", is_correction=doc.is_correction,
            read_by="text" if doc.status in ("ok", "partial") else None,
        ))
        for i, (code, value) in enumerate(sorted((doc.cells or {}).items())):
            raw = (doc.raw_text or {}).get(code)
            state = "blank" if value is None else ("text" if raw else "number")
            page = {"t2": 2, "t3": 3, "t4": 4}[code[:2]]
            f_rows.append(dict(document_id=doc.document_id, code=code, value=value, value_state=state,
                               raw_text=raw, page=page, x0=100.0 + i, top=200.0 + i, x1=120.0 + i,
                               bottom=212.0 + i))
        i_rows += identity_rows(doc)
    pq.write_table(pa.Table.from_pylist(d_rows), staging / "documents.parquet")
    # facts as two worker files in a folder, as parallel extraction writes them
    (staging / "facts").mkdir(exist_ok=True)
    half = len(f_rows) // 2
    pq.write_table(pa.Table.from_pylist(f_rows[:half]), staging / "facts" / "part-0.parquet")
    pq.write_table(pa.Table.from_pylist(f_rows[half:]), staging / "facts" / "part-1.parquet")
    pq.write_table(pa.Table.from_pylist(i_rows), staging / "identity_checks.parquet")
    pq.write_table(pa.Table.from_pylist(
        [dict(org_id=o, name=n, org_type=t, county=COUNTY) for o, n, t in ORGS]),
        staging / "expected_orgs.parquet")
    pq.write_table(pa.Table.from_pylist([dict(year=y) for y in YEARS]), staging / "expected_years.parquet")


def dbt_env(data_dir: Path) -> dict:
    env = dict(os.environ)
    env["XXGK_DATA_DIR"] = str(data_dir)
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env["DO_NOT_TRACK"] = "1"
    return env


def run_dbt(args: list[str], data_dir: Path, target: Path) -> subprocess.CompletedProcess:
    cmd = [str(DBT), *args, "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
           "--target-path", str(target), "--log-path", str(target / "logs")]
    return subprocess.run(cmd, env=dbt_env(data_dir), capture_output=True, text=True, timeout=300)


@dataclass
class Warehouse:
    data_dir: Path
    db_path: Path
    target: Path
    docs: dict[str, Doc]
    load_counts: dict
    build_stdout: str
    run_results: dict

    def query(self, sql: str, params=None) -> list[tuple]:
        con = duckdb.connect(str(self.db_path), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def query_dicts(self, sql: str, params=None) -> list[dict]:
        con = duckdb.connect(str(self.db_path), read_only=True)
        try:
            cur = con.execute(sql, params or [])
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]
        finally:
            con.close()


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """The fixture's builders and constants, for tests (test modules don't import conftest)."""
    return SimpleNamespace(C6=C6, C7=C7, ORGS=ORGS, YEARS=YEARS, COUNTY=COUNTY,
                           build_docs=build_docs, write_staging=write_staging, run_dbt=run_dbt)


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Warehouse:
    data_dir = tmp_path_factory.mktemp("xxgk_data")
    target = tmp_path_factory.mktemp("dbt_target")
    docs = build_docs()
    write_staging(data_dir / "staging", docs)
    db_path = data_dir / "build" / "warehouse.duckdb"
    counts = load_staging(data_dir / "staging", db_path)

    parsed = run_dbt(["parse"], data_dir, target)
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    assert (target / "manifest.json").is_file()
    built = run_dbt(["build"], data_dir, target)
    assert built.returncode == 0, built.stdout[-6000:] + built.stderr[-3000:]
    run_results = json.loads((target / "run_results.json").read_text())
    return Warehouse(data_dir, db_path, target, {d.key: d for d in docs}, counts, built.stdout,
                     run_results)
