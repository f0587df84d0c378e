"""The pages of one fictional county's portal, in the shape of one of the three CMS families the
crawler has profiles for (pipelines/sources/families/): TRS columns, Hanweb's annual-report
module, and the c<channel> intensive platform.

Only the page shells are here: every report body comes from tools.sample_county.render_html,
every PDF from tools.sample_county.render_pdf_reportlab.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import math

from tools.sample_county.county import Report

FAMILIES = ("trs", "hanweb", "channel")
PER_PAGE = 12
TRS_COLUMN = "/zfxxgk/zfxxgknb"
ROBOTS = b"User-agent: *\nDisallow: /admin/\n"


def _page(county: str, title: str, body: str, *, gbk: bool = False, extra_head: str = "") -> bytes:
    meta = '<meta charset="gbk">' if gbk else '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    page = (f"<!DOCTYPE html>\n<html>\n<head>\n{meta}\n<title>{html.escape(title)}</title>\n{extra_head}"
            f"</head>\n<body>\n<div class=\"top\"><a href=\"/index.html\">{html.escape(county)}人民政府</a>"
            f" <a href=\"/zfxxgk/index.html\">政府信息公开</a></div>\n{body}\n"
            f"<div class=\"footer\">主办：{html.escape(county)}人民政府办公室　版权所有</div>\n</body>\n</html>\n")
    return page.encode("gbk" if gbk else "utf-8")


def attachment_intro(r: Report, link: str, name: str) -> str:
    return (f'<p style="text-indent:2em">现将《{html.escape(r.title)}》予以公布，全文详见附件。</p>\n'
            f'<p><a href="{html.escape(link)}" target="_blank">附件：{html.escape(name)}</a></p>')


# ---------------------------------------------------------------- TRS WCM column

def trs_detail_path(r: Report) -> str:
    d = r.published
    return f"{TRS_COLUMN}/{d:%Y%m}/t{d:%Y%m%d}_{r.doc_id}.html"


def trs_attachment_path(r: Report) -> str:
    d = r.published
    return f"{TRS_COLUMN}/{d:%Y%m}/P0{d:%Y%m%d}{(r.doc_id * 7919) % 10**12:012d}.pdf"


def trs_detail(county: str, title: str, date: dt.date, source: str, editor_html: str, gbk: bool) -> bytes:
    body = (f'<div class="position">当前位置：<a href="/index.html">首页</a> &gt; '
            f'<a href="/zfxxgk/index.html">政府信息公开</a> &gt; <a href="../index.html">政府信息公开年报</a></div>\n'
            f'<div class="article">\n<h1 class="title">{html.escape(title)}</h1>\n'
            f'<div class="info">发布时间：{date:%Y-%m-%d}　来源：{html.escape(source)}</div>\n'
            f'<div class="TRS_Editor">\n{editor_html}\n</div>\n</div>')
    return _page(county, f"{title}_{county}人民政府", body, gbk=gbk)


def trs_listing(county: str, entries: list[tuple[dt.date, int, str, str]]) -> dict[str, bytes]:
    """entries (date, doc_id, title, detail path) → listing pages index.html, index_1.html, …,
    newest first, with the createPageHTML pager TRS writes."""
    entries = sorted(entries, key=lambda e: (e[0], e[1]), reverse=True)
    n_pages = max(1, math.ceil(len(entries) / PER_PAGE))
    out = {}
    for p in range(n_pages):
        items = "\n".join(
            f'<li><a href="./{path[len(TRS_COLUMN) + 1:]}" title="{html.escape(title)}" target="_blank">'
            f'{html.escape(title)}</a><span class="date">{date:%Y-%m-%d}</span></li>'
            for date, _, title, path in entries[p * PER_PAGE:(p + 1) * PER_PAGE])
        body = (f'<div class="list"><h2>政府信息公开年报</h2>\n<ul class="list_ul">\n{items}\n</ul>\n</div>\n'
                f'<div class="page"><script>var countPage = {n_pages}; var currentPage = {p}; '
                f'createPageHTML(countPage, currentPage, "index", "html");</script></div>')
        out[f"{TRS_COLUMN}/{'index.html' if p == 0 else f'index_{p}.html'}"] = _page(county, "政府信息公开年报", body)
    return out


def trs_static(county: str) -> dict[str, bytes]:
    home = _page(county, f"{county}人民政府", f'<div class="nav"><a href="/zfxxgk/index.html">政府信息公开</a></div>'
                                            f'<h1>{html.escape(county)}人民政府</h1>')
    gk = _page(county, "政府信息公开", '<div class="gk_nav"><ul><li><a href="javascript:void(0)">政府信息公开指南</a></li>'
                                     '<li><a href="./zfxxgknb/index.html">政府信息公开年报</a></li></ul></div>')
    return {"/index.html": home, "/zfxxgk/index.html": gk, "/robots.txt": ROBOTS}


# ---------------------------------------------------------------- Hanweb annual-report module

HANWEB_MODULE = "/module/xxgk/xxgkAnnualReport.jsp"
HANWEB_DOWNLOAD = "/module/download/downfile.jsp"


def hanweb_report_url(area: str, year: int) -> str:
    return f"{HANWEB_MODULE}?area={area}&fbtime={year}"


def hanweb_saved_page(area: str, year: int) -> str:
    """Where the module's answer for area × year is saved (the server maps the query to it)."""
    return f"/module/xxgk/annual/{area}_{year}.html"


def hanweb_saved_download(filename: str) -> str:
    return f"/module/download/files/{filename}"


def hanweb_detail(county: str, title: str, zoom_html: str, gbk: bool) -> bytes:
    body = (f'<table width="100%"><tr><td class="title">{html.escape(title)}</td></tr>'
            f'<tr><td><div id="zoom">{zoom_html}</div></td></tr></table>')
    return _page(county, title, body, gbk=gbk)


def hanweb_static(county: str) -> dict[str, bytes]:
    empty = hanweb_detail(county, "", "<p>暂无信息</p>", False).replace(
        b"<title></title>", "<title>政府信息公开年度报告</title>".encode("utf-8"))
    home = _page(county, f"{county}人民政府", f"<h1>{html.escape(county)}人民政府</h1>")
    return {"/index.html": home, "/module/xxgk/annual/empty.html": empty, "/robots.txt": ROBOTS}


# ---------------------------------------------------------------- c<channel> intensive platform

def channel_column(site: str, channel: int) -> str:
    return f"/{site}/c{channel}"


def channel_hex(county_id: str, report_id: str) -> str:
    return hashlib.md5(f"{county_id}:{report_id}".encode()).hexdigest()


def channel_detail_path(column: str, r: Report, hexid: str) -> str:
    return f"{column}/{r.published:%Y%m}/{hexid}.shtml"


def channel_detail(county: str, title: str, content_html: str, gbk: bool) -> bytes:
    body = (f'<div class="detail-title">{html.escape(title)}</div>'
            f'<div class="detail-content">{content_html}</div>')
    return _page(county, title, body, gbk=gbk)


def channel_listing(county: str, column: str, entries: list[tuple[dt.date, int, str, str]]) -> dict[str, bytes]:
    entries = sorted(entries, key=lambda e: (e[0], e[1]), reverse=True)
    n_pages = max(1, math.ceil(len(entries) / PER_PAGE))

    def name(k: int) -> str:
        return "list.shtml" if k == 0 else f"list_{k + 1}.shtml"
    out = {}
    for p in range(n_pages):
        items = "".join(f'<li><a href="{path}" target="_blank">{html.escape(title)}</a></li>'
                        for _, _, title, path in entries[p * PER_PAGE:(p + 1) * PER_PAGE])
        pager = " ".join(f'<a href="{name(k)}">{k + 1}</a>' for k in range(n_pages))
        if p < n_pages - 1:
            pager += f' <a href="{name(p + 1)}">下一页</a>'
        body = f'<ul class="list">{items}</ul><div class="pager">{pager}</div>'
        out[f"{column}/{name(p)}"] = _page(county, "政务信息公开年报", body)
    return out


def channel_static(county: str) -> dict[str, bytes]:
    return {"/index.html": _page(county, f"{county}人民政府", f"<h1>{html.escape(county)}人民政府</h1>"),
            "/robots.txt": b"User-agent: *\nAllow: /\n"}
