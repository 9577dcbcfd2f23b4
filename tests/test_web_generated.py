"""Generated web pages: five site styles × UTF-8 and GBK, every field exact; the pieces under it
(decoding, table layout with spans, article finding) on small hand-made pages."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from helpers_compare import mismatches

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.mark.parametrize("seed", range(10))
def test_generated_page_every_field(tmp_path, seed):
    from extractor import extract
    from scripts.samplegen.content import generate_report
    from scripts.samplegen.html import ENCODINGS, STYLES, write_html

    report = generate_report(500 + seed)
    style, encoding = STYLES[seed % 5], ENCODINGS[seed // 5]
    # Word's own web page, GBK, published under a .doc name (the content decides what it is)
    suffix = ".doc" if (style, encoding) == ("word", "gbk") else ".html"
    path = write_html(report, tmp_path, style=style, encoding=encoding, seed=seed, suffix=suffix)
    truth = json.loads(path.with_name(path.stem + ".truth.json").read_text(encoding="utf-8"))["fields"]
    result = extract(path)
    assert result.fatal_error is None, result.errors
    assert mismatches(result, truth) == [], (style, encoding)
    assert result.report.source_kind == "html"
    assert result.report.encoding == ("utf-8" if encoding == "utf-8" else "gb18030")
    assert all(f.provenance is not None for k, f in result.fields.items() if k.startswith(("applications.", "review.")))


def _page(body: str, head: str = '<meta charset="utf-8">') -> str:
    return f"<html><head>{head}<title>某某区2022年政府信息公开工作年度报告_年报_某某区人民政府</title></head><body>{body}</body></html>"


def test_decoding_declared_missing_and_wrong(tmp_path):
    from extractor.io.encoding import decode_page

    text = _page("<p>" + "本年新收政府信息公开申请数量" * 3 + "</p>", head="")
    assert decode_page(text.encode("gbk")).encoding == "gb18030"  # no meta at all
    assert decode_page(text.encode("utf-8")).encoding == "utf-8"
    lying = _page("<p>" + "行政复议结果维持" * 3 + "</p>", head='<meta charset="utf-8">').encode("gbk")
    assert decode_page(lying).encoding == "gb18030"  # says utf-8, is GBK
    lying2 = _page("<p>" + "行政复议结果维持" * 3 + "</p>", head='<meta charset="gb2312">').encode("utf-8")
    assert decode_page(lying2).encoding == "utf-8"  # says gb2312, is UTF-8
    bom16 = "\ufeff" + text
    assert decode_page(bom16.encode("utf-16")).text.startswith("<html>")


def test_undecodable_page_is_refused(tmp_path):
    from extractor.errors import UnreadableFile
    from extractor.io.encoding import decode_page

    junk = b"<html><head><meta charset='x-nothing'></head><body>" + bytes(range(0x80, 0x100)) * 50 + b"</body></html>"
    with pytest.raises(UnreadableFile) as e:
        decode_page(junk, "junk.html")
    assert e.value.code == "undecodable" and "junk.html" in e.value.message and "\n" not in e.value.message
    # a GBK page declared Latin-1 (which decodes any byte): read as GB18030, not as mojibake
    gbk = _page("<p>" + "政府信息公开" * 5 + "</p>", head='<meta charset="iso-8859-1">').encode("gbk")
    assert decode_page(gbk).encoding == "gb18030"
    english = b"<html><body><p>" + b"Annual report of the office. " * 20 + b"</p></body></html>"
    assert decode_page(english).encoding == "utf-8"  # valid text, not Chinese: decoded (then: not a report)


def test_table_layout_spans_and_nesting():
    import lxml.html

    from extractor.grid.html_grid import layout_table

    root = lxml.html.fromstring(
        "<table><tbody>"
        "<tr><td rowspan=2>甲</td><td colspan=2>乙<br>丙</td></tr>"
        "<tr><td>&nbsp;1&nbsp;</td><td><p>商业</p><p>企业</p></td></tr>"
        "<tr><td>2</td><td><table><tr><td>嵌套</td></tr></table>3</td><td rowspan=0>4</td></tr>"
        "<tr><td colspan=99999>x</td></tr>"
        "</tbody></table>")
    cells, n_rows, n_cols = layout_table(root)
    got = {(c.row, c.col): (c.text, c.row_span, c.col_span) for c in cells}
    assert got[(0, 0)] == ("甲", 2, 1)
    assert got[(0, 1)] == ("乙丙", 1, 2)
    assert got[(1, 1)] == ("1", 1, 1)  # placed after the rowspan from above; nbsp stripped
    assert got[(1, 2)] == ("商业企业", 1, 1)
    assert got[(2, 1)] == ("3", 1, 1)  # the nested table's text is not the cell's
    assert got[(2, 2)] == ("4", 2, 1)  # rowspan=0: to the end of the table
    assert got[(3, 0)][2] == 1000 and n_rows == 4  # hostile colspan capped


def test_article_found_inside_chrome_and_script_tables_ignored(tmp_path):
    """A report whose page has a menu table, a script holding table markup and a footer: only the
    article's tables are read, and the title comes from the heading when no meta names it."""
    from scripts.samplegen.content import generate_report
    from scripts.samplegen.html import write_html

    from extractor.io.html import read_html

    report = generate_report(7, layout="2021")
    path = write_html(report, tmp_path, style="trs", encoding="utf-8", seed=1)
    content = read_html(path)
    assert len(content.grids) == 3
    assert content.title == "".join(report.title_lines)
    assert not any("搜索" in p or "网站地图" in p for p in content.paragraphs)


@pytest.mark.parametrize("cut_row", [12, 13, 7, 20])
def test_table_split_in_two_is_joined(tmp_path, cut_row):
    """Table 三 cut into two <table> elements with only blank paragraphs between (a Word export
    cut at a page break) is read as one table; a heading between two tables keeps them apart.
    The cut runs through row-spanning labels (三、本年度办理结果; at 13 also （四）无法提供; at 7
    （三）不予公开): the rows under the cut are one or two cells short in HTML and must still
    land under their columns' titles."""
    import re

    from extractor import extract
    from scripts.samplegen.content import generate_report
    from scripts.samplegen.html import write_html

    report = generate_report(520, layout="2021")
    path = write_html(report, tmp_path, style="plain", encoding="utf-8", seed=0)
    text = path.read_text(encoding="utf-8")
    rows = [m.start() for m in re.finditer(r"<tr>", text)]
    # cut inside table 三's body: close the table after its cut_row-th body row, open a new one
    third = text.index("<table", text.index("三、"))
    body_rows = [r for r in rows if r > text.index("<tbody>", third)]
    cut = body_rows[cut_row]
    text = text[:cut] + '</tbody></table>\n<p>&nbsp;</p>\n<table border="1"><tbody>\n' + text[cut:]
    path.write_text(text, encoding="utf-8")
    truth = json.loads(path.with_name(path.stem + ".truth.json").read_text(encoding="utf-8"))["fields"]
    result = extract(path)
    assert mismatches(result, truth) == []
    refs = {result.fields[k].provenance.table for k in ("applications.received.total", "applications.carried_forward.total")
            if k in result.fields}
    assert len(refs) == 2  # each field still names the source table it was printed in


def test_stray_byte_keeps_the_page_encoding():
    """A UTF-8 page with one stray byte is read as UTF-8 (the byte replaced), not as GB18030 mojibake."""
    from extractor.io.encoding import decode_page

    text = _page("<p>" + "本年新收政府信息公开申请数量，予以公开。" * 40 + "</p>")
    data = text.encode("utf-8")
    cut = len(data) // 2
    d = decode_page(data[:cut] + b"\xff" + data[cut:])
    assert d.encoding.startswith("utf-8") and "replaced" in d.encoding
    assert d.text.count("本年新收") >= 39


def test_single_file_mhtml_save(tmp_path):
    """A browser's single-file save (.mht, as Chrome writes it): the HTML part, quoted-printable,
    its charset in the part header, read exactly."""
    import quopri

    from extractor import extract
    from scripts.samplegen.content import generate_report
    from scripts.samplegen.html import write_html

    report = generate_report(530, layout="2021")
    page = write_html(report, tmp_path, style="plain", encoding="gbk", seed=0)  # no <meta charset>
    body = quopri.encodestring(page.read_bytes())
    b = "----MultipartBoundary--Xq2wE9"
    head = (f'From: <Saved by Blink>\r\nSnapshot-Content-Location: https://www.example.gov.cn/nb/t1.html\r\n'
            f'Subject: report\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype="text/html";\r\n'
            f'\tboundary="{b}"\r\n\r\n\r\n--{b}\r\nContent-Type: text/html; charset=gbk\r\n'
            f"Content-Transfer-Encoding: quoted-printable\r\nContent-Location: https://www.example.gov.cn/nb/t1.html\r\n\r\n")
    mht = tmp_path / "saved.mhtml"
    mht.write_bytes(head.encode("ascii") + body + f"\r\n--{b}--\r\n".encode("ascii"))
    truth = json.loads(page.with_name(page.stem + ".truth.json").read_text(encoding="utf-8"))["fields"]
    result = extract(mht)
    assert result.fatal_error is None, result.errors
    assert mismatches(result, truth) == []


@pytest.mark.parametrize("style,split", [("trs", 7), ("legacy", 12), ("word", 15), ("plain", 3), ("mislabelled", 20)])
def test_generated_split_table_every_field(tmp_path, style, split):
    """The generator's split pages (table 三 cut in two <table>s, labels cut at the break: the
    rows under it lack their leading cells): every field exact, whatever the site style."""
    from extractor import extract
    from extractor.io.html import read_html
    from scripts.samplegen.content import generate_report
    from scripts.samplegen.html import write_html

    report = generate_report(530 + split, layout=None)
    path = write_html(report, tmp_path, style=style, encoding="gbk", seed=split, split=split)
    assert path.read_bytes().count(b"<table") + path.read_bytes().count(b"<TABLE") >= 4
    assert len(read_html(path).grids) == 3  # the two parts joined
    truth = json.loads(path.with_name(path.stem + ".truth.json").read_text(encoding="utf-8"))
    assert truth["meta"]["split_table"]["after_body_rows"] == split
    assert mismatches(extract(path), truth["fields"]) == []


def test_split_table_sweep(tmp_path):
    """Table 三 cut after each of its body rows in turn (2019 and 2021 layouts, numbers, dashes and
    blanks as the generator draws them, every site style): every field exact each time."""
    from extractor import extract
    from scripts.samplegen.content import generate_report
    from scripts.samplegen.html import STYLES, write_html

    bad = {}
    for i in range(24):
        report = generate_report(1300 + i)
        path = write_html(report, tmp_path, style=STYLES[i % len(STYLES)], encoding="utf-8", seed=i,
                          name=f"s{i}", split=1 + i)
        truth = json.loads(path.with_name(path.stem + ".truth.json").read_text(encoding="utf-8"))["fields"]
        wrong = mismatches(extract(path), truth)
        if wrong:
            bad[(1300 + i, 1 + i)] = wrong[:2]
    assert bad == {}
