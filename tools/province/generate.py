"""A fictional province: N counties, each with its own organisations, years 2019–2024 and reports,
served in one of the three CMS shapes, with a county profile and registry the crawler loads.

The values, prose, tables, truth records and renderings are the sample county's
(tools.sample_county): only the organisations, names, seeds and page shells differ. Bodies are
inline HTML or ReportLab PDFs (fast; no LibreOffice, DOCX or scans in bulk).

Everything is seeded by strings (`random.Random("<seed>:<county>:…")`), so a seed gives the same
bytes on every machine and with any number of worker processes.
"""
from __future__ import annotations

import csv
import datetime as dt
import dataclasses
import io
import json
import math
import random
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tools.sample_county import county as sc
from tools.sample_county import render_html, render_pdf_reportlab, truth
from tools.sample_county.county import Org, Report

from . import sites

YEARS = sc.YEARS
FIRST_HOST = 11  # county k (1-based) is served on 127.0.0.(k + 10)
MAX_COUNTIES = 254 - FIRST_HOST + 1
DEFAULT_PORT = 18700

# Fictional place names: two characters each, none of them a real county's on purpose.
_COUNTY_CHARS = "青禾云岭松溪梧桐临泽柏川宁丰平乐兴嘉银沙枫杏芦砚琴鹤雁峪湄澜汀沁洮翠岚蓉栖"
_TOWN_FIRST = "石金龙凤白黄马柳桃杨双高新古太长三大小上下东西南北"
_TOWN_SECOND = "门桥河山塘庄集坪湾口岗田坝林峰泉埠堡营店寨"
_STREETS = ("东关", "西关", "南关", "北关", "城东", "城西", "城南", "城北", "新城", "河滨", "滨江", "文昌")
_DEPARTMENTS = ("教育局", "财政局", "民政局", "卫生健康局", "交通运输局", "水利局", "农业农村局",
                "住房和城乡建设局", "自然资源局", "市场监督管理局", "公安局", "人力资源和社会保障局", "司法局",
                "统计局", "审计局", "应急管理局", "文化和旅游局", "商务局", "林业局", "发展和改革局")
_REGISTRY_TYPE = {"township": "乡镇", "street": "街道", "department": "县直部门"}


@dataclass(frozen=True)
class CountySpec:
    """What the province file records about one county."""

    index: int  # 1-based
    id: str  # profile id, also its file name and the key of its partition
    name: str  # e.g. 青禾县
    family: str  # trs | hanweb | channel
    host: str  # 127.0.0.x
    port: int
    documents: int = 0
    orgs: int = 0

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


def county_id(k: int) -> str:
    return f"prov{k:03d}"


def county_names(n: int, seed: str) -> list[str]:
    """n distinct fictional county names."""
    rng = random.Random(f"province:{seed}:names")
    names: list[str] = []
    while len(names) < n:
        name = rng.choice(_COUNTY_CHARS) + rng.choice(_COUNTY_CHARS) + "县"
        if name[0] != name[1] and name not in names and name != sc.COUNTY:
            names.append(name)
    return names


def county_specs(n: int, seed: str, port: int) -> list[CountySpec]:
    if not 1 <= n <= MAX_COUNTIES:
        raise ValueError(f"--counties must be 1..{MAX_COUNTIES} (one loopback address 127.0.0.x each)")
    return [CountySpec(k, county_id(k), name, sites.FAMILIES[(k - 1) % len(sites.FAMILIES)],
                       f"127.0.0.{k + FIRST_HOST - 1}", port)
            for k, name in enumerate(county_names(n, seed), 1)]


def make_orgs(spec: CountySpec, n: int, seed: str) -> list[Org]:
    """n organisations: about half townships, a few streets, the rest county departments."""
    rng = random.Random(f"province:{seed}:{spec.id}:orgs")
    n_depts = min(len(_DEPARTMENTS), max(1, n * 2 // 5))
    n_streets = min(len(_STREETS), max(0, n // 8))
    n_towns = n - n_depts - n_streets
    towns: list[str] = []
    while len(towns) < n_towns:
        short = rng.choice(_TOWN_FIRST) + rng.choice(_TOWN_SECOND) + rng.choice("镇镇镇乡")
        if short[:2] not in {t[:2] for t in towns}:
            towns.append(short)
    streets = [s + "街道" for s in rng.sample(_STREETS, n_streets)]
    depts = rng.sample(_DEPARTMENTS, n_depts)
    activity = lambda: rng.choices(("busy", "moderate", "quiet"), (2, 4, 5))[0]  # noqa: E731
    orgs = [Org(f"{spec.id}_t{i:02d}", f"{spec.name}{s}人民政府", s, "township", activity())
            for i, s in enumerate(towns, 1)]
    orgs += [Org(f"{spec.id}_s{i:02d}", f"{spec.name}{s}办事处", s, "street", activity())
             for i, s in enumerate(streets, 1)]
    orgs += [Org(f"{spec.id}_d{i:02d}", f"{spec.name}{d}", "县" + d, "department", activity())
             for i, d in enumerate(depts, 1)]
    return orgs


def hanweb_area(spec: CountySpec, org_index: int) -> str:
    """An 18-digit organ code, as Hanweb's module takes in `area=`."""
    return f"11{spec.index:08d}{org_index:08d}"


def make_reports(spec: CountySpec, orgs: list[Org], docs: int, seed: str, pdf_share: float) -> list[Report]:
    """`docs` reports over orgs × years (the slots left over are never published)."""
    county_seed = f"province:{seed}:{spec.id}"
    values = sc.generate_values(orgs, county_seed)
    slots = [(o, y) for y in YEARS for o in orgs]
    rng = random.Random(f"{county_seed}:unpublished")
    unpublished = set(rng.sample(range(len(slots)), len(slots) - docs))
    reports: list[Report] = []
    html_count = 0
    doc_id = 4_400_000 + spec.index * 100_000
    for i, (org, year) in enumerate(slots):
        if i in unpublished:
            continue
        r_rng = random.Random(f"{county_seed}:pub:{org.org_id}:{year}")
        s2, s3 = sc.default_templates(year)
        full, short = org.printed(year)
        printed = full if org.type == "department" or r_rng.random() < 0.5 else f"{spec.name}{short}"
        fmt, producer = ("pdf", "reportlab") if r_rng.random() < pdf_share else ("html", "trs-html")
        doc_id += r_rng.randint(3, 40)
        r = Report(f"{org.org_id}-{year}", org, year, s2, s3, fmt, producer,
                   f"{printed}{year}年政府信息公开工作年度报告", printed, sc._pub_date(r_rng, org, year),
                   doc_id=doc_id)
        r.values = sc._layout_values(values[(org.org_id, year)], s2, s3)
        if fmt == "html":
            html_count += 1
            r.gbk = html_count % sc.GBK_PAGES_EVERY == 0
        r.style = sc._style(r_rng, r)
        reports.append(r)
    return reports


def _render_pdf(r: Report) -> None:
    r.file_bytes, info = render_pdf_reportlab.render(r)
    r.pages_with_tables, r.table3_pages = info["pages_with_tables"], info["table3_pages"]
    r.cell_locations = info["cell_locations"]


def build_site(spec: CountySpec, orgs: list[Org], reports: list[Report]) -> dict[str, bytes]:
    """Every file of the county's portal (site path → bytes); sets each report's URLs and bytes."""
    name = spec.name
    files: dict[str, bytes] = {}
    entries = []
    if spec.family == "trs":
        files.update(sites.trs_static(name))
        for r in reports:
            r.detail_url = sites.trs_detail_path(r)
            source = r.org.printed(r.year)[0]
            if r.fmt == "html":
                r.document_url = r.detail_url
                r.file_bytes = sites.trs_detail(name, r.title, r.published, source, render_html.body_html(r), r.gbk)
                files[r.detail_url] = r.file_bytes
            else:
                _render_pdf(r)
                r.document_url = sites.trs_attachment_path(r)
                files[r.document_url] = r.file_bytes
                intro = sites.attachment_intro(r, "./" + r.document_url.rsplit("/", 1)[1], r.title + ".pdf")
                files[r.detail_url] = sites.trs_detail(name, r.title, r.published, source, intro, False)
            entries.append((r.published, r.doc_id, r.title, r.detail_url))
        y = YEARS[-1]
        notice_date = dt.date(y, 12, 9)
        notice = (notice_date, 1, f"关于做好{y}年度政府信息公开工作年度报告编制和发布工作的通知",
                  f"{sites.TRS_COLUMN}/{notice_date:%Y%m}/t{notice_date:%Y%m%d}_{spec.index}000001.html")
        files[notice[3]] = sites.trs_detail(name, notice[2], notice_date, f"{name}人民政府办公室",
                                            "<p>各乡镇人民政府、街道办事处，县政府各部门：请按时发布年度报告。</p>", False)
        files.update(sites.trs_listing(name, entries + [notice]))
    elif spec.family == "hanweb":
        files.update(sites.hanweb_static(name))
        area = {o.org_id: hanweb_area(spec, i) for i, o in enumerate(orgs, 1)}
        for r in reports:
            a = area[r.org.org_id]
            r.detail_url = sites.hanweb_report_url(a, r.year)
            if r.fmt == "html":
                r.document_url = r.detail_url
                r.file_bytes = sites.hanweb_detail(name, r.title, render_html.body_html(r), r.gbk)
                files[sites.hanweb_saved_page(a, r.year)] = r.file_bytes
            else:
                _render_pdf(r)
                filename = f"{a[-6:]}{r.year}{r.doc_id % 1000:03d}.pdf"
                r.document_url = f"{sites.HANWEB_DOWNLOAD}?classid=0&filename={filename}"
                files[sites.hanweb_saved_download(filename)] = r.file_bytes
                files[sites.hanweb_saved_page(a, r.year)] = sites.hanweb_detail(
                    name, r.title, sites.attachment_intro(r, r.document_url, r.title + ".pdf"), False)
    else:  # channel
        files.update(sites.channel_static(name))
        column = sites.channel_column(f"x{spec.id}", 110_000 + spec.index)
        for r in reports:
            hexid = sites.channel_hex(spec.id, r.report_id)
            r.detail_url = sites.channel_detail_path(column, r, hexid)
            if r.fmt == "html":
                r.document_url = r.detail_url
                r.file_bytes = sites.channel_detail(name, r.title, render_html.body_html(r), r.gbk)
                files[r.detail_url] = r.file_bytes
            else:
                _render_pdf(r)
                r.document_url = r.detail_url.rsplit("/", 1)[0] + f"/{hexid}.pdf"
                files[r.document_url] = r.file_bytes
                files[r.detail_url] = sites.channel_detail(
                    name, r.title, sites.attachment_intro(r, f"./{hexid}.pdf", r.title + ".pdf"), False)
            entries.append((r.published, r.doc_id, r.title, r.detail_url))
        y = YEARS[-1]
        notice = (dt.date(y, 3, 2), 1, f"{name}{y}年政务公开工作要点",
                  f"{column}/{y}03/{sites.channel_hex(spec.id, 'notice')}.shtml")
        files[notice[3]] = sites.channel_detail(name, notice[2], "<p>全县政务公开工作要点如下。</p>", False)
        files.update(sites.channel_listing(name, column, entries + [notice]))
    return files


# ---------------------------------------------------------------- profile and registry

def channel_column_of(spec: CountySpec) -> str:
    return sites.channel_column(f"x{spec.id}", 110_000 + spec.index)


def profile_toml(spec: CountySpec, n_pages: int) -> str:
    base = spec.base_url
    head = [f"# {spec.name}: a fictional county of the generated province ({spec.family} shape), served on",
            f"# {spec.host}. Generated by `python -m tools.province`; regenerate rather than edit.",
            f'extends = "{spec.family}"', f'id = "{spec.id}"', f'name = "{spec.name}人民政府 (generated province)"',
            f'county = "{spec.name}"']
    if spec.family == "trs":
        head.append(f'start_urls = ["{base}/index.html"]')
    elif spec.family == "hanweb":
        head.append(f'start_urls = ["{base}/index.html"]')
    else:
        head.append(f'start_urls = ["{base}{channel_column_of(spec)}/list.shtml"]')
    head += [f'allowed_hosts = ["{spec.host}"]', f"years = [{', '.join(map(str, YEARS))}]",
             f'registry = "registry/{spec.id}.csv"', ""]
    if spec.family == "trs":
        head += ["[listing]", 'column_path_pattern = "/zfxxgk/zfxxgknb/"',
                 "detail_href_pattern = '/\\d{6}/t\\d{8}_\\d+\\.html$'", f"max_pages = {n_pages + 10}", "",
                 "[detail]", 'attachment_scope_selectors = [".article"]', ""]
    elif spec.family == "hanweb":
        head += ["[enumerate]",
                 f'url_template = "{base}{sites.HANWEB_MODULE}?area={{area}}&fbtime={{year}}"', ""]
    else:
        head += ["[listing]", f'column_path_pattern = "{channel_column_of(spec)}/"', f"max_pages = {n_pages + 10}", ""]
    # Our own loopback server: politeness relaxed as for the sample county.
    head += ["[http]", "rate_limit = 200.0", "max_concurrency = 4", "timeout_s = 10", "connect_timeout_s = 5",
             "retries = 2", "backoff_base_s = 0.1", "backoff_max_s = 1.0", "retry_after_cap_s = 5", ""]
    return "\n".join(head)


def registry_csv(spec: CountySpec, orgs: list[Org]) -> str:
    buf = io.StringIO()
    buf.write(f"# {spec.name} (generated province): organisations and the names their reports print.\n")
    w = csv.writer(buf, lineterminator="\n")
    hanweb = spec.family == "hanweb"
    w.writerow(["org_id", "name", "type", "aliases", "valid_from", "valid_to"] + (["area"] if hanweb else []))
    for i, o in enumerate(orgs, 1):
        w.writerow([o.org_id, o.name, _REGISTRY_TYPE[o.type], o.short, "", ""]
                   + ([hanweb_area(spec, i)] if hanweb else []))
    return buf.getvalue()


# ---------------------------------------------------------------- one county, end to end

def generate_county(spec: CountySpec, out: Path, docs: int, seed: str, pdf_share: float) -> dict:
    """Write the county's site, profile, registry and truth; returns its manifest rows."""
    n_orgs = max(1, math.ceil(docs / len(YEARS)))
    orgs = make_orgs(spec, n_orgs, seed)
    reports = make_reports(spec, orgs, docs, seed, pdf_share)
    files = build_site(spec, orgs, reports)
    site = out / "sites" / spec.id
    for path, data in sorted(files.items()):
        p = site / path.lstrip("/")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    n_pages = math.ceil((len(reports) + 1) / sites.PER_PAGE) + 3
    (out / "sources" / f"{spec.id}.toml").write_text(profile_toml(spec, n_pages), encoding="utf-8")
    (out / "sources" / "registry" / f"{spec.id}.csv").write_text(registry_csv(spec, orgs), encoding="utf-8")
    base = spec.base_url
    manifest = []
    with open(out / "truth" / f"{spec.id}.jsonl", "wb") as fh:
        for r in reports:
            rec = truth.truth_record(r)
            rec["notes"] = f"Generated province county {spec.id} ({spec.family} shape); {r.producer}."
            rec["detail_url"], rec["document_url"] = base + r.detail_url, base + r.document_url
            fh.write(json.dumps(rec, ensure_ascii=False).encode("utf-8") + b"\n")
            manifest.append({"county_id": spec.id, "report_id": r.report_id, "org_id": r.org.org_id,
                             "year": r.year, "format": r.fmt, "detail_url": base + r.detail_url,
                             "document_url": base + r.document_url, "sha256": rec["sha256"]})
    return {"spec": dataclasses.replace(spec, documents=len(reports), orgs=len(orgs)), "manifest": manifest}


def _generate_county_job(args) -> dict:
    return generate_county(*args)


def generate(out: Path | str, counties: int, seed: str = "1", docs_per_county: int = 75,
             port: int = DEFAULT_PORT, pdf_share: float = 0.4, jobs: int = 1) -> dict:
    """Write the province under `out` (sources/, sites/, truth/, manifest.csv, province.json);
    returns the province.json content."""
    out = Path(out)
    if not 1 <= docs_per_county <= len(YEARS) * (len(_DEPARTMENTS) + len(_STREETS) + 40):
        raise ValueError("--docs-per-county out of range")
    for sub in ("sources", "sites", "truth"):
        shutil.rmtree(out / sub, ignore_errors=True)
    (out / "sources" / "registry").mkdir(parents=True)
    (out / "truth").mkdir()
    (out / "sites").mkdir()
    specs = county_specs(counties, str(seed), port)
    args = [(s, out, docs_per_county, str(seed), pdf_share) for s in specs]
    if jobs > 1 and len(specs) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_generate_county_job, args))
    else:
        results = [_generate_county_job(a) for a in args]
    manifest = [row for res in results for row in res["manifest"]]
    with open(out / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(manifest[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(manifest)
    province = {
        "seed": str(seed), "port": port, "docs_per_county": docs_per_county, "pdf_share": pdf_share,
        "documents": len(manifest),
        "counties": [{**dataclasses.asdict(res["spec"]), "base_url": res["spec"].base_url,
                      "profile": f"sources/{res['spec'].id}.toml"} for res in results],
    }
    (out / "province.json").write_text(json.dumps(province, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return province


def load_province(out: Path | str) -> dict:
    return json.loads((Path(out) / "province.json").read_text(encoding="utf-8"))


def read_manifest(out: Path | str) -> list[dict]:
    with open(Path(out) / "manifest.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
