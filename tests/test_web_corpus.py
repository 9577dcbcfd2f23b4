"""The two real report pages of ../shared/corpus/web (平潭综合实验区 2019 and 2021), end to end.

``govreport extract`` on each published page gives every field of its truth file. The 2019 page
prints the old (2019-format) table 二; its keys (``active.regulations.made`` …, issue 11) are
read by the columns' printed titles and checked with every other field.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers_compare import as_plain

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT.parent / "shared" / "corpus" / "web"


def page(name: str) -> Path:
    path = WEB / name
    if not path.exists():
        pytest.skip(f"the shared web corpus is absent: {path} not found (tests read ../shared/corpus/web)")
    return path


def truth(path: Path) -> dict:
    return json.loads(path.with_name(path.name.replace(".html", ".truth.json")).read_text(encoding="utf-8"))["fields"]


def run_extract(path: Path) -> tuple[int, dict, str]:
    proc = subprocess.run([sys.executable, "-m", "extractor.cli", "extract", str(path), "-f", "json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    return proc.returncode, (json.loads(proc.stdout) if proc.returncode == 0 else {}), proc.stderr


def wrong(out: dict, expected: dict) -> list[str]:
    bad = []
    for key, value in expected.items():
        got = out["fields"].get(key, {}).get("value")
        if got != value:
            bad.append(f"{key}: truth {value!r}, got {got!r} (raw {out['fields'].get(key, {}).get('raw')!r})")
    return bad


def test_pingtan_2021_every_field():
    path = page("pingtan_2021.html")
    rc, out, err = run_extract(path)
    assert rc == 0, err
    expected = truth(path)
    assert wrong(out, expected) == []
    assert len(expected) == 203
    assert out["report"]["source_kind"] == "html" and out["report"]["encoding"] == "utf-8"
    assert out["report"]["layout"] == "2021"
    # 商业企业 is colspan=2 from its title down through every value: one column, no doubt (a
    # first version of the two-column title rule sent its 25 fields to review)
    assert [k for k, f in out["fields"].items() if f["status"] != "ok"] == []
    # every table field says where it was read: table, row, column and the element's path
    prov = out["fields"]["applications.partially_granted.total"]["provenance"]
    assert prov["kind"] == "html" and prov["table"] == 1 and prov["path"].endswith("]") and "/td" in prov["path"]
    assert out["fields"]["applications.partially_granted.total"]["raw"] == "5"  # '&nbsp;5' in the page
    assert out["fields"]["active.fees.amount"]["value"] == 24252.311082


def test_pingtan_2019_every_field():
    """Every field of the 2019 page's truth file, its old (2019-format) table 二 included: the
    columns 本年新制作数量 … 对外公开总数量 and 上一年项目数量 · 本年增/减 · 处理决定数量 mapped by
    their printed titles, 采购总金额 printed in 元 and normalised to 万元; nothing left for review."""
    path = page("pingtan_2019.html")
    rc, out, err = run_extract(path)
    assert rc == 0, err
    expected = truth(path)
    assert len(expected) == 200
    assert wrong(out, expected) == []
    assert sorted(out["fields"]) == sorted(expected)  # no field the page does not print
    assert out["status"] == "ok" and out["errors"] == []
    assert all(f["status"] == "ok" for f in out["fields"].values())
    assert out["report"]["layout"] == "2019"
    assert out["report"]["layouts"] == {"二": "2019", "三": "2019", "四": "2021"}
    old2 = {k for k in expected if k.startswith("active.")}
    assert {"active.regulations.made", "active.normative_documents.public_total", "active.other_services.decisions",
            "active.fees.change", "active.procurement.items"} <= old2 and len(old2) == 22
    fee = out["fields"]["active.procurement.amount"]
    assert fee["unit"] == "元" and fee["raw"] == "75394432.52元" and fee["value"] == 7539.443252
    # （六）其他处理 printed as one row: applications.other.total.*
    assert out["fields"]["applications.other.total.total"]["value"] == expected["applications.other.total.total"]
    assert "fees.information_processing" not in out["fields"]  # section 六 states no fee


def test_pingtan_cells_laid_out_with_spans():
    """The page's three tables as grids: 2021 table 三 is 11 columns wide (自然人 spans two, each
    商业企业 value cell colspan=2) with the rowspan=22 outcome cell; 2019 prints it twice."""
    from extractor.io.html import read_html

    c21 = read_html(page("pingtan_2021.html"))
    assert len(c21.grids) == 3
    t3 = c21.grids[1]
    assert t3.n_cols == 11
    assert any(c.row_span == 22 for c in t3.cells)
    c19 = read_html(page("pingtan_2019.html"))
    assert len(c19.grids) == 3
    assert sum(1 for c in c19.grids[1].cells if c.row_span == 10) == 2
    assert c19.title == c21.title.replace("2021", "2019")


@pytest.mark.parametrize("variant", ["gbk-under-utf8-meta", "gbk-no-meta", "no-title-meta"])
def test_pingtan_2021_variants(tmp_path, variant):
    """The real page as other sites serve the same markup: GBK bytes under its utf-8 meta, GBK
    with no meta at all, no ArticleTitle and no <title> (the title from the article heading)."""
    import re

    from extractor import extract

    path = page("pingtan_2021.html")
    text = path.read_text(encoding="utf-8")
    out = tmp_path / "page.html"
    if variant == "gbk-under-utf8-meta":
        out.write_bytes(text.encode("gb18030"))
    elif variant == "gbk-no-meta":
        out.write_bytes(re.sub(r"<meta[^>]*>", "", text).encode("gbk", errors="xmlcharrefreplace"))
    else:
        text = re.sub(r'<meta name="ArticleTitle"[^>]*>', "", text)
        out.write_text(re.sub(r"<title>.*?</title>", "", text, flags=re.S), encoding="utf-8")
    result = extract(out)
    expected = truth(path)
    bad = [k for k, v in expected.items() if k not in result.fields or as_plain(result.fields[k].value) != v]
    assert bad == []
