"""Report prose (sections 一, 五, 六 and the intro), modelled on real township/department reports.

The prose never uses the table's own labels (予以公开, 总计, 结转, 申请人情况 …) so that a page's
table content can be recognised by those labels alone.
"""
from __future__ import annotations

import html
import random
from typing import Callable

from .county import COUNTY, SEED, Report


def _unit(r: Report) -> str:
    if r.org.type == "department":
        return "我局"
    if r.org.type == "street":
        return "我街道"
    return "我乡" if r.org.printed(r.year)[1].endswith("乡") else "我镇"


def paragraphs(r: Report) -> list[tuple[str, str]]:
    """[(kind, text)] with kind in title | h | p | sign. Tables go after the 二/三/四 headings."""
    rng = random.Random(f"{SEED}:prose:{r.report_id}")
    u = _unit(r)
    y = r.year
    full = r.org.printed(y)[0]
    v = r.values
    new_total = v.get("t3.new_received:total") or 0
    carried = v.get("t3.carried_over:total") or 0
    basis = ("国办公开办函〔2019〕60号" if r.template_s2 == "2019" else "国办公开办函〔2021〕30号")
    out: list[tuple[str, str]] = [("title", r.title)]
    out.append(("p", f"本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{basis}要求编制。"
                     f"全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
                     f"政府信息公开行政复议及行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
                     f"本报告所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"))
    out.append(("h", r.style.get("heading1", "一、总体情况")))
    lic = v.get("t2.art20_5.licensing.decisions") or 0
    pen = v.get("t2.art20_6.penalty.decisions") or 0
    n_items = rng.randint(40, 400) if r.org.type == "department" else rng.randint(15, 160)
    out.append(("p", f"（一）主动公开。{y}年，{u}严格落实《条例》规定，通过{COUNTY}人民政府门户网站、"
                     f"政务公开栏、微信公众号等渠道主动公开政府信息{n_items}条，其中公开行政许可决定{lic}件、"
                     f"行政处罚决定{pen}件，重点围绕财政预决算、乡村振兴、民生保障、重大建设项目等领域做好信息发布。"))
    if new_total:
        app = (f"（二）依申请公开。{y}年{u}共受理政府信息公开申请{new_total}件"
               + (f"，上年度未办结的{carried}件一并办理" if carried else "")
               + "，均在法定期限内答复，未发生因答复不及时引发的争议。")
    else:
        app = f"（二）依申请公开。{y}年{u}未收到政府信息公开申请。"
    out.append(("p", app))
    out.append(("p", f"（三）政府信息管理。{u}建立健全政府信息公开审查机制，严格执行“先审查、后公开”和"
                     f"“一事一审”制度，对拟公开的信息进行保密审查，全年未发生泄密事件。"))
    out.append(("p", f"（四）平台建设。{u}依托县政府门户网站政府信息公开专栏，及时更新机构职能、"
                     f"政策文件、财政信息等栏目内容，同步做好政务新媒体信息发布和维护。"))
    out.append(("p", f"（五）监督保障。{u}成立了由主要负责同志任组长的政务公开工作领导小组，明确专人负责，"
                     f"将政府信息公开工作纳入年度目标考核，全年组织业务培训{rng.randint(1, 4)}次。"))
    out.append(("h", "二、主动公开政府信息情况"))
    out.append(("table", "t2"))
    out.append(("h", "三、收到和处理政府信息公开申请情况"))
    out.append(("table", "t3"))
    out.append(("h", "四、政府信息公开行政复议、行政诉讼情况"))
    out.append(("table", "t4"))
    out.append(("h", "五、存在的主要问题及改进情况"))
    problems = [
        "一是信息公开的及时性还需加强，部分信息更新不够及时。",
        "二是公开内容的深度和广度不够，政策解读形式较为单一。",
        "三是工作人员业务能力有待提升，对《条例》的理解还不够深入。",
    ]
    rng.shuffle(problems)
    out.append(("p", f"{y}年{u}政府信息公开工作取得了一定成效，但也存在一些不足：" + "".join(
        p.replace(p[:2], n, 1) for p, n in zip(problems, ("一是", "二是", "三是")))))
    out.append(("p", f"下一步，{u}将进一步加强组织领导，健全工作机制，加大重点领域信息公开力度，"
                     f"加强业务培训，不断提高政府信息公开工作水平。"))
    out.append(("h", "六、其他需要报告的事项"))
    out.append(("p", f"依据《政府信息公开信息处理费管理办法》，{u}{y}年未收取信息处理费。"
                     + ("本年度无其他需要报告的事项。" if rng.random() < 0.5 else "")))
    d = r.published
    out.append(("sign", full))
    out.append(("sign", f"{d.year}年{d.month}月{d.day}日"))
    return out


def html_paragraphs(r: Report, tags: dict[str, str], table: Callable[[str], str]) -> list[str]:
    """The report as HTML blocks: each paragraph's escaped text put in `tags[kind]` (a format
    string with {t}; a kind not in `tags` is left out) and each table by `table(grid name)`."""
    out = []
    for kind, text in paragraphs(r):
        if kind == "table":
            out.append(table(text))
        elif kind in tags:
            out.append(tags[kind].format(t=html.escape(text)))
    return out
