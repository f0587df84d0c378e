"""The TRS-style county portal: home, 政府信息公开 section, paginated listing, detail pages."""
from __future__ import annotations

import datetime as dt
import html
import math
from dataclasses import dataclass

from . import render_html
from .county import COUNTY, Report

LIST_DIR = "/zfxxgk/zfxxgknb"
PER_PAGE = 12
ERROR_PAGE = ("<html>\n<head><title>页面不存在</title><meta charset=\"utf-8\"></head>\n"
              "<body>\n<div class=\"error\"><p>很抱歉，您访问的页面不存在或已被删除！</p>\n"
              "<p><a href=\"/index.html\">返回首页</a></p></div>\n</body>\n</html>\n").encode("utf-8")


@dataclass
class Notice:
    """A non-report item of the 年报 column (the crawler must filter these out by anchor text)."""
    title: str
    published: dt.date
    doc_id: int
    text: str
    detail_url: str = ""


NOTICES = [
    Notice("关于做好2020年度政府信息公开工作年度报告编制和发布工作的通知", dt.date(2020, 12, 10), 4_376_101,
           "各乡镇人民政府、街道办事处，县政府各部门：为做好2020年度政府信息公开工作年度报告的编制和发布工作，"
           "现将有关事项通知如下。各单位应于2021年1月31日前（乡镇、街道于3月31日前）在县政府门户网站发布本单位年度报告。"),
    Notice("澄岚县政府信息公开指南（2021年修订）", dt.date(2021, 6, 15), 4_376_555,
           "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。"),
    Notice("澄岚县人民政府2022年政务公开工作要点", dt.date(2022, 4, 11), 4_376_888,
           "2022年全县政务公开工作要坚持以人民为中心的发展思想，进一步提升政务公开质量和实效。"),
    Notice("关于做好2023年度政府信息公开工作年度报告编制发布工作的通知", dt.date(2023, 12, 8), 4_377_950,
           "各乡镇人民政府、街道办事处，县政府各部门：请按照国办公开办函〔2021〕30号规定的格式编制2023年度报告，"
           "并按时在县政府门户网站政府信息公开年报栏目发布。"),
]


def detail_path(date: dt.date, doc_id: int) -> str:
    return f"{LIST_DIR}/{date:%Y%m}/t{date:%Y%m%d}_{doc_id}.html"


def attachment_path(r: Report, ext: str) -> str:
    d = r.published
    return f"{LIST_DIR}/{d:%Y%m}/P0{d:%Y%m%d}{(r.doc_id * 7919) % 10**12:012d}.{ext}"


def _head(title: str, gbk: bool, extra: str = "") -> str:
    meta = '<meta charset="gbk">' if gbk else '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    return (f"<!DOCTYPE html>\n<html>\n<head>\n{meta}\n<title>{html.escape(title)}_{COUNTY}人民政府</title>\n"
            f"{extra}<link rel=\"stylesheet\" href=\"/css/style.css\">\n</head>\n<body>\n"
            f"<div class=\"top\"><a href=\"/index.html\">{COUNTY}人民政府</a></div>\n")


FOOT = (f"<div class=\"footer\"><p>主办：{COUNTY}人民政府办公室　承办：{COUNTY}政务服务数据管理局</p>"
        "<p>网站标识码：0000000000　备案号：示例ICP备00000000号</p></div>\n</body>\n</html>\n")


def detail_page(title: str, date: dt.date, source: str, editor_html: str, gbk: bool, doc_id: int) -> bytes:
    extra = (f'<meta name="ArticleTitle" content="{html.escape(title)}">\n'
             f'<meta name="PubDate" content="{date:%Y-%m-%d} 10:{doc_id % 50 + 10:02d}">\n'
             f'<meta name="ContentSource" content="{html.escape(source)}">\n')
    page = (_head(title, gbk, extra)
            + '<div class="position">当前位置：<a href="/index.html">首页</a> &gt; '
              '<a href="/zfxxgk/index.html">政府信息公开</a> &gt; <a href="../index.html">政府信息公开年报</a></div>\n'
            + '<div class="xxgk_top"><table class="xxgk_info"><tr><td>索引号：</td>'
              f'<td>11000000MB0000000X/{date:%Y}-{doc_id % 10000:05d}</td><td>主题分类：</td><td>政务公开</td></tr>'
              f'<tr><td>发布机构：</td><td>{html.escape(source)}</td><td>发文日期：</td><td>{date:%Y-%m-%d}</td></tr>'
              '</table></div>\n'
            + f'<div class="article">\n<h1 class="title">{html.escape(title)}</h1>\n'
            + f'<div class="info">发布时间：{date:%Y-%m-%d}　来源：{html.escape(source)}　'
              '字号：[ 大 中 小 ]</div>\n'
            + f'<div class="TRS_Editor">\n{editor_html}\n</div>\n</div>\n' + FOOT)
    return page.encode("gbk" if gbk else "utf-8")


def report_detail(r: Report, attachment_name: str | None) -> bytes:
    source = r.org.printed(r.year)[0]
    if attachment_name is None:
        editor = render_html.body_html(r)
    else:
        ext = attachment_name.rsplit(".", 1)[1]
        intro = f"现将《{r.title}》予以公布，全文详见附件。" if r.year % 2 else f"{r.title}详见附件。"
        editor = (f'<p style="text-indent:2em"><span style="font-family:宋体;font-size:12pt">'
                  f"{html.escape(intro)}</span></p>\n"
                  f'<p><a href="./{attachment_name}" target="_blank">附件：{html.escape(r.title)}.{ext}</a></p>')
    return detail_page(r.title, r.published, source, editor, r.gbk, r.doc_id)


def notice_detail(n: Notice) -> bytes:
    editor = f'<p style="text-indent:2em">{html.escape(n.text)}</p>'
    return detail_page(n.title, n.published, f"{COUNTY}人民政府办公室", editor, False, n.doc_id)


def listing_pages(entries: list[tuple[dt.date, int, str, str]]) -> dict[str, bytes]:
    """entries: (date, doc_id, title, detail_path) -> {site path: bytes}; newest first."""
    entries = sorted(entries, key=lambda e: (e[0], e[1]), reverse=True)
    n_pages = math.ceil(len(entries) / PER_PAGE)
    out = {}
    for p in range(n_pages):
        name = "index.html" if p == 0 else f"index_{p}.html"
        items = []
        for date, _, title, path in entries[p * PER_PAGE:(p + 1) * PER_PAGE]:
            rel = "./" + path[len(LIST_DIR) + 1:]
            items.append(f'<li><a href="{rel}" title="{html.escape(title)}" target="_blank">'
                         f"{html.escape(title)}</a><span class=\"date\">{date:%Y-%m-%d}</span></li>")

        def link(k: int) -> str:
            return "index.html" if k == 0 else f"index_{k}.html"
        nav = [f'<a href="{link(0)}">首页</a>']
        if p > 0:
            nav.append(f'<a href="{link(p - 1)}">上一页</a>')
        for k in range(n_pages):
            nav.append(f"<span class=\"current\">{k + 1}</span>" if k == p else f'<a href="{link(k)}">{k + 1}</a>')
        if p < n_pages - 1:
            nav.append(f'<a href="{link(p + 1)}">下一页</a>')
        nav.append(f'<a href="{link(n_pages - 1)}">尾页</a>')
        body = (_head("政府信息公开年报", False)
                + '<div class="position">当前位置：<a href="/index.html">首页</a> &gt; '
                  '<a href="/zfxxgk/index.html">政府信息公开</a> &gt; 政府信息公开年报</div>\n'
                + '<div class="list"><h2>政府信息公开年报</h2>\n<ul class="list_ul">\n' + "\n".join(items)
                + "\n</ul>\n</div>\n"
                + f'<div class="page">\n<script>var countPage = {n_pages}; var currentPage = {p}; '
                  f'createPageHTML(countPage, currentPage, "index", "html");</script>\n'
                + " ".join(nav) + "\n</div>\n" + FOOT)
        out[f"{LIST_DIR}/{name}"] = body.encode("utf-8")
    return out


def static_pages() -> dict[str, bytes]:
    home = (_head("首页", False)
            + '<div class="nav"><a href="/index.html">首页</a> <a href="/zfxxgk/index.html">政府信息公开</a> '
              '<a href="javascript:void(0)">政务服务</a> <a href="javascript:void(0)">互动交流</a></div>\n'
            + f'<div class="banner"><h1>{COUNTY}人民政府</h1></div>\n' + FOOT)
    gk_cols = ["政府信息公开指南", "政府信息公开制度", "法定主动公开内容"]
    gk = (_head("政府信息公开", False)
          + '<div class="position">当前位置：<a href="/index.html">首页</a> &gt; 政府信息公开</div>\n'
          + '<div class="gk_nav"><ul>\n'
          + "".join(f'<li><a href="javascript:void(0)">{c}</a></li>\n' for c in gk_cols)
          + '<li><a href="./zfxxgknb/index.html">政府信息公开年报</a></li>\n'
          + "</ul></div>\n" + FOOT)
    robots = "User-agent: *\nDisallow: /admin/\n"
    css = "body{font-family:'Microsoft YaHei',SimSun;}.TRS_Editor table{border-collapse:collapse}\n"
    return {"/index.html": home.encode("utf-8"), "/zfxxgk/index.html": gk.encode("utf-8"),
            "/robots.txt": robots.encode("ascii"), "/css/style.css": css.encode("ascii")}
