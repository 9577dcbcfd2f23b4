"""A generated report as a saved government web page, in one of several site styles.

Styles (what real portals publish, see ../shared/corpus/web/README.md):

* ``trs``    — a TRS-CMS article page: site header with a menu and a search box, breadcrumbs,
  ``<meta name="ArticleTitle">``, the report in ``div.article_content``, each table in
  ``<div align="center">`` as a Word/WPS export: ``mso-`` inline styles, cell text in
  ``<p class="p"><span>…</span><span><o:p></o:p></span></p>``, ``&nbsp;`` padding, a footer of links.
* ``plain``  — a small CMS: ``<h1>`` title, ``<table border="1">`` with ``<thead>``/``<th>``,
  labels wrapped with ``<br>``, no ``<meta>`` charset at all (the encoding must be detected).
* ``legacy`` — an old table-layout portal: the article nested in layout tables, upper-case tags,
  unquoted attributes, ``<FONT>``, ideographic-space indents, tables on one line, ``&nbsp;``
  after numbers, ``<meta http-equiv="Content-Type" content="text/html; charset=gb2312">``.
* ``word``   — Word's own "Save as Web Page" (often published as is, sometimes named ``.doc``):
  ``<![if !supportMisalignedColumns]>`` phantom row of empty cells, ``MsoNormal`` paragraphs,
  single-quoted ``mso-`` styles, conditional comments, ``<meta http-equiv>`` charset, no site chrome.
* ``mislabelled`` — ``trs`` markup whose ``<meta charset>`` names the other encoding than the
  bytes are in (a site migrated without re-encoding its archive).

Encodings: ``utf-8`` or ``gbk``. The truth is the PDF's (same fields), ``meta.source`` the page.

``split`` cuts table 三 in two ``<table>`` elements at a body row with a blank paragraph between
(a page pasted from a paginated PDF, an editor's stray Enter): row-spanning labels are cut at the
break as a browser cuts them, so the rows under the break lack their leading label cells.
"""

from __future__ import annotations

import html
import random
from pathlib import Path

from .content import Report, truth_dict
from .tables import TableSpec, active_table, application_table, litigation_table

STYLES = ("trs", "plain", "legacy", "mislabelled", "word")
ENCODINGS = ("utf-8", "gbk")
NBSP = "&nbsp;"


def esc(s: str) -> str:
    return html.escape(s, quote=True)


def _cell_inner(text: str, style: str, vertical: bool, rng: random.Random) -> str:
    if vertical:  # one character per line
        body = "<br/>".join(esc(ch) for ch in text)
    else:
        body = esc(text)
    if style in ("trs", "mislabelled"):
        if not text:
            return f'<p class="p"><span>{NBSP}</span><span><o:p></o:p></span></p>'
        pad = rng.choice(["", NBSP, f"{NBSP} {NBSP}"])
        return f'<p class="p" style="text-align:center"><span style="font-family:仿宋_GB2312;\nmso-ascii-font-family:Times New Roman">{pad}{body}</span><span><o:p></o:p></span></p>'
    if style == "legacy":
        return f"<FONT face=宋体>{body}</FONT>" + (NBSP * rng.randint(0, 3) if text else NBSP)
    if style == "word":
        return (f"<p class=MsoNormal align=center style='text-align:center'><span lang=EN-US "
                f"style='font-size:10.5pt;font-family:仿宋_GB2312'>{body or NBSP}<o:p></o:p></span></p>")
    # plain: long labels wrapped with <br>
    if len(text) > 10 and not vertical and not text[:1].isdigit():
        cut = len(text) // 2
        body = esc(text[:cut]) + "<br>" + esc(text[cut:])
    return body or NBSP


def split_spec(spec: TableSpec, at: int) -> tuple[TableSpec, TableSpec]:
    """``spec`` cut before its row ``at``: cells spanning the cut keep only their rows above it
    and are not repeated below (the lower part's rows lack them, as a cut page prints them)."""
    from dataclasses import replace

    upper = [replace(c, rowspan=min(c.rowspan, at - c.row)) for c in spec.cells if c.row < at]
    lower = [replace(c, row=c.row - at) for c in spec.cells if c.row >= at]
    return (TableSpec(spec.name, spec.col_widths, at, upper, spec.header_rows),
            TableSpec(spec.name, spec.col_widths, spec.n_rows - at, lower, 0))


def table_html(spec: TableSpec, style: str, rng: random.Random, header_rows: int) -> str:
    rows: list[list[str]] = [[] for _ in range(spec.n_rows)]
    for c in sorted(spec.cells, key=lambda c: (c.row, c.col)):
        attrs = ""
        if c.rowspan > 1:
            attrs += f' rowspan="{c.rowspan}"' if style != "legacy" else f" rowSpan={c.rowspan}"
        if c.colspan > 1:
            attrs += f' colspan="{c.colspan}"' if style != "legacy" else f" colSpan={c.colspan}"
        tag = "th" if style == "plain" and c.row < header_rows else "td"
        if style in ("trs", "mislabelled"):
            attrs += ' style="border:solid windowtext 1.0pt;\nmso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt"'
            attrs += ' valign="center"'
        elif style == "legacy":
            attrs += " STYLE=\"BORDER-BOTTOM: #000000 1px solid; FONT-FAMILY: &#39;宋体&#39;\""
        elif style == "word":
            attrs += f" width={rng.choice([41, 52, 66])} valign=top style='border:solid windowtext 1.0pt;\n  mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt'"
        inner = _cell_inner(c.text, style, c.vertical, rng)
        if style == "legacy":
            rows[c.row].append(f"<{tag.upper()}{attrs}>{inner}</{tag.upper()}>")
        else:
            rows[c.row].append(f"<{tag}{attrs}>{inner}</{tag}>")
    if style == "legacy":
        body = "".join(("<TR class=firstRow>" if i == 0 else "<TR>") + "".join(r) + "</TR>" for i, r in enumerate(rows))
        return f"<TABLE border=1 cellSpacing=0 cellPadding=0 width=600><TBODY>{body}</TBODY></TABLE>"
    if style == "word":
        body = "".join(f" <tr style='mso-yfti-irow:{i}'>\n  {''.join(r)}\n </tr>\n" for i, r in enumerate(rows))
        phantom = "".join(f"<td width={rng.choice([41, 52])} style='border:none'></td>" for _ in spec.col_widths)
        return (f"<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;"
                f"border:none;mso-border-alt:solid windowtext .5pt'>\n{body}"
                f" <![if !supportMisalignedColumns]>\n <tr height=0>\n  {phantom}\n </tr>\n <![endif]>\n</table>")
    if style == "plain":
        head = "".join(f"<tr>{''.join(r)}</tr>\n" for r in rows[:header_rows])
        body = "".join(f"<tr>{''.join(r)}</tr>\n" for r in rows[header_rows:])
        return f'<table border="1" cellspacing="0">\n<thead>\n{head}</thead>\n<tbody>\n{body}</tbody>\n</table>'
    body = "".join(
        f'<tr style="height:{rng.choice([14, 18.5, 22])}pt">\n{"".join(r)}\n</tr>\n' for r in rows
    )
    return (f'<div align="center"><table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
            f'style="border-collapse:collapse;mso-table-layout-alt:fixed">\n<tbody>\n{body}</tbody>\n</table></div>')


def _para(text: str, style: str, heading: bool = False) -> str:
    if style == "word":
        b = ("<b>", "</b>") if heading else ("", "")
        return (f"<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0'>{b[0]}<span "
                f"style='font-size:16.0pt;font-family:仿宋_GB2312'>{esc(text)}</span>{b[1]}</p>")
    if style == "legacy":
        return f"<P>&#12288;&#12288;{esc(text)}</P>"
    if style == "plain":
        return f"<h3>{esc(text)}</h3>" if heading else f"<p>{esc(text)}</p>"
    weight = "font-weight:bold;" if heading else ""
    return (f'<p class="MsoNormal" style="text-indent:32.0pt;{weight}"><span style="font-family:仿宋_GB2312">'
            f"{esc(text)}</span></p>")


def article_body(report: Report, style: str, rng: random.Random, split: int | None = None) -> str:
    specs = dict(zip(("二", "三", "四"), (active_table(report, 480), application_table(report, 480),
                                       litigation_table(report, 480)), strict=True))
    parts: list[str] = [_para(p, style) for p in report.intro]
    for sec, (heading, paras) in report.sections.items():
        parts.append(_para(heading, style, heading=True))
        parts += [_para(p, style) for p in paras]
        if sec == "三" and split is not None:
            spec = specs[sec]
            upper, lower = split_spec(spec, min(spec.n_rows - 2, spec.header_rows + max(1, split)))
            parts.append(table_html(upper, style, rng, upper.header_rows))
            parts.append(f"<p>{NBSP}</p>")
            parts.append(table_html(lower, style, rng, 0))
        elif sec in specs:
            parts.append(table_html(specs[sec], style, rng, specs[sec].header_rows))
            if style in ("trs", "mislabelled"):
                parts.append(f'<p class="MsoNormal">{NBSP}</p>')
    parts += [f'<p style="text-align:right">{esc(line)}</p>' for line in report.closing]
    return "\n".join(parts)


MENU = ("首页", "走进平潭", "政务公开", "政务服务", "互动交流", "专题专栏", "政府信息公开指南", "政府信息公开制度",
        "法定主动公开内容", "政府信息公开年报", "依申请公开")


def _chrome_links(rng: random.Random) -> str:
    return "".join(f'<li><a href="/col/{i}/index.html">{m}</a></li>' for i, m in enumerate(MENU))


def page_html(report: Report, style: str, charset_label: str | None, rng: random.Random,
              split: int | None = None) -> str:
    title = "".join(report.title_lines)
    site = report.agency + "门户网站"
    body = article_body(report, style, rng, split)
    if style == "plain":
        return (f"<!DOCTYPE html>\n<html>\n<head>\n<title>{esc(title)}</title>\n</head>\n<body>\n"
                f'<div class="nav"><ul>{_chrome_links(rng)}</ul></div>\n'
                f'<div class="main"><h1>{esc(title)}</h1>\n<div class="info">发布时间：{report.year + 1}-01-20 '
                f'来源：{esc(report.agency)}</div>\n{body}\n</div>\n'
                f'<div class="footer"><a href="/">网站地图</a> <a href="/">联系我们</a> 主办单位：{esc(report.agency)}</div>'
                f"\n</body>\n</html>\n")
    if style == "word":
        meta = f'<meta http-equiv=Content-Type content="text/html; charset={charset_label}">' if charset_label else ""
        heads = "".join(f"<p class=MsoNormal align=center style='text-align:center'><b><span style='font-size:22.0pt;"
                        f"font-family:方正小标宋简体'>{esc(line)}<span lang=EN-US><o:p></o:p></span></span></b></p>\n"
                        for line in report.title_lines)
        return (f'<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
                f'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">\n<head>\n'
                f"{meta}\n<meta name=ProgId content=Word.Document>\n<meta name=Generator content=\"Microsoft Word 15\">\n"
                f"<title>{esc(report.title_lines[0])}</title>\n<!--[if gte mso 9]><xml>\n <o:DocumentProperties>\n"
                f"  <o:Author>admin</o:Author>\n </o:DocumentProperties>\n</xml><![endif]-->\n<style>\n<!--\n"
                f" p.MsoNormal {{mso-style-parent:\"\"; margin:0cm;}}\n-->\n</style>\n</head>\n"
                f"<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>\n"
                f"<div class=WordSection1 style='layout-grid:15.6pt'>\n{heads}{body}\n</div>\n</body>\n</html>\n")
    if style == "legacy":
        meta = f'<META http-equiv=Content-Type content="text/html; charset={charset_label}">' if charset_label else ""
        return (f"<HTML><HEAD>{meta}<TITLE>{esc(title)}_政府信息公开年报_{esc(site)}</TITLE></HEAD><BODY>"
                f"<TABLE width=980 align=center><TR><TD>{_chrome_links(rng).replace('li>', 'span>')}</TD></TR>"
                f"<TR><TD><TABLE width=100%><TR><TD class=title align=center><FONT size=5><B>{esc(title)}</B></FONT>"
                f"</TD></TR><TR><TD><DIV class=TRS_Editor>{body}</DIV></TD></TR></TABLE></TD></TR>"
                f"<TR><TD><A href='/'>关于我们</A> | <A href='/'>网站地图</A> | <A href='/'>联系我们</A></TD></TR>"
                f"</TABLE></BODY></HTML>\n")
    meta = f'<meta charset="{charset_label}" name="viewport" content="width=device-width"/>' if charset_label else ""
    return (
        f"<!DOCTYPE html>\n<html>\n<head>\n{meta}\n"
        f'<meta name="SiteName" content="{esc(site)}"/>\n<meta name="ColumnName" content="政府信息公开年报"/>\n'
        f'<meta name="ArticleTitle" content="{esc(title)}"/>\n'
        f"<title>{esc(title)}_政府信息公开年报_{esc(site)}</title>\n"
        f"<script>var s = '<table><tr><td>本年新收</td><td>自然人</td></tr></table>';</script>\n"
        f"<style>.article_content p {{ line-height: 2; }}</style>\n</head>\n<body>\n"
        f'<div class="header"><div class="search"><input type="text" placeholder="请输入关键字"/>'
        f'<a href="/search">搜索</a></div><ul class="menu">{_chrome_links(rng)}</ul></div>\n'
        f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
        f'<a href="/zwgk/nb/">政府信息公开年报</a></div>\n'
        f'<div class="article_area"><div class="article_title"><h1>{esc(title)}</h1></div>\n'
        f'<div class="article_info">发布时间：{report.year + 1}-01-28 16:34 来源：办公室</div>\n'
        f'<div class="article_content article_content_01">\n{body}\n</div></div>\n'
        f'<div class="footer"><ul><li><a href="/">网站地图</a></li><li><a href="/">联系我们</a></li>'
        f'<li><a href="/">隐私声明</a></li></ul><p>主办：{esc(site)}</p></div>\n</body>\n</html>\n'
    )


def write_html(report: Report, outdir: Path, *, style: str, encoding: str, seed: int = 0,
               name: str | None = None, suffix: str = ".html", split: int | None = None) -> Path:
    """``NAME.html`` (``style``, bytes in ``encoding``) + ``NAME.truth.json``; ``suffix`` ``.doc``
    gives a Word web page named as a Word file, as sites publish them; ``split``: table 三 cut in
    two after that many body rows (``split_spec``)."""
    import json

    if style not in STYLES or encoding not in ENCODINGS:
        raise ValueError(f"style in {STYLES}, encoding in {ENCODINGS}")
    rng = random.Random(seed)
    name = name or f"{report.name}-{style}-{encoding.replace('-', '')}"
    other = "utf-8" if encoding == "gbk" else "gbk"
    label = {"trs": encoding, "plain": None, "legacy": "gb2312" if encoding == "gbk" else "utf-8",
             "mislabelled": other, "word": "gb2312" if encoding == "gbk" else "utf-8"}[style]
    text = page_html(report, style, label, rng, split)
    out = outdir / f"{name}{suffix}"
    outdir.mkdir(parents=True, exist_ok=True)
    out.write_bytes(text.encode(encoding, errors="xmlcharrefreplace"))
    truth = truth_dict(report)
    meta = dict(truth["meta"], source=out.name, html_style=style, encoding=encoding, charset_label=label)
    if split is not None:
        meta["split_table"] = {"table": "三", "after_body_rows": split}
    meta.pop("tables", None)
    meta.pop("pages", None)
    (outdir / f"{name}.truth.json").write_text(
        json.dumps({"fields": truth["fields"], "meta": meta}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out
