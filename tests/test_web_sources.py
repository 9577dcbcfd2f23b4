"""A saved page and its own attachment: stored as two documents, linked as one report's two
sources (one wide-export row), and a field they print differently is a broken check in review."""

from __future__ import annotations

import copy
import csv
import sys
from pathlib import Path

from extractor.ingest import ingest
from extractor.store import open_store

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _page_with_link(report, folder: Path, href: str, name: str) -> Path:
    from scripts.samplegen.html import write_html

    page = write_html(report, folder, style="trs", encoding="utf-8", seed=5, name=name)
    text = page.read_text(encoding="utf-8").replace(
        "</body>", f'<p class="attach">附件：<a href="{href}">{Path(href).name}</a></p></body>')
    page.write_text(text, encoding="utf-8")
    return page


def _stock_key(report) -> str:
    """The key of 规范性文件's stock column in the report's own table 二 layout, from the registry
    (2021: ``…in_force``; 2019: ``…public_total``): the generator mixes table 二 layouts, so a
    key written out by hand would not be in one report in four."""
    from models.fields import active_rows

    row, cols = next((r, c) for r, c in active_rows(report.layouts.active) if r.key == "normative_documents")
    key = f"active.{row.key}.{cols[-1].key}"
    assert key in report.values
    return key


def test_page_and_attachment_are_one_report(tmp_path):
    from scripts.samplegen.content import generate_report
    from scripts.samplegen.docx import write_docx
    from scripts.samplegen.render import render_pdf

    inp = tmp_path / "in"
    # 1: a page and its PDF, agreeing
    r1 = generate_report(811, layout="2021", inconsistencies=0)
    (inp / "a").mkdir(parents=True)
    _page_with_link(r1, inp / "a", "/u/cms/www/202301/P020230120.pdf", "t20230120_1")
    render_pdf(r1, inp / "a" / "P020230120.pdf")
    # 2: a page and its DOCX, the DOCX printing one number differently
    r2 = generate_report(812, layout="2021", inconsistencies=0)
    (inp / "b" / "files").mkdir(parents=True)
    _page_with_link(r2, inp / "b", "files/%E5%B9%B4%E6%8A%A5.docx", "t20230121_2")  # 年报.docx, URL-encoded
    r2b = copy.deepcopy(r2)
    key = _stock_key(r2)
    r2b.printed[key] = str(int(r2.values[key]) + 7)
    write_docx(r2b, inp / "b" / "files", seed=2, textbox=False, name="年报")
    # 3: a page alone
    r3 = generate_report(813, layout="2021")
    (inp / "c").mkdir()
    _page_with_link(r3, inp / "c", "nothere.pdf", "t3")
    for f in inp.rglob("*.truth.json"):
        f.unlink()

    url = f"sqlite:///{tmp_path / 's.db'}"
    summary = ingest([inp], db=url, workers=1, cross_year=False)
    assert summary.documents == 5 and summary.failed == 0
    assert summary.source_pairs == 2
    out = tmp_path / "wide.csv"
    with open_store(url) as store:
        from extractor.store.export import export

        assert export(store, out, "csv") == 3  # three reports, five documents
        rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
        assert sorted(Path(r["path"]).suffix for r in rows) == [".html"] * 3
        docs = {Path(d.path).name: d for d in store.documents()}
        page_b = docs["t20230121_2.html"].report_id
        word_b = docs["年报.docx"].report_id
        cross = store.cross_checks_of(page_b)
        assert {c.rule for _, c in cross} == {"same-report", "sources-agree"}
        broken = [c for other, c in cross if c.status == "broken"]
        assert [c.fields for c in broken] == [[key]] and broken[0].lhs == r2.values[key]
        assert all(other == word_b for other, _ in cross)
        assert store.field_by_key(page_b, key).status == "review"  # one of the two is wrong: a person decides
        assert store.field_by_key(word_b, key).status == "review"
        page_a = docs["t20230120_1.html"].report_id
        assert [c.status for _, c in store.cross_checks_of(page_a)] == ["ok"]


def test_page_and_attachment_in_a_zip(tmp_path):
    """Inside an archive the page and its attachment share a member folder: linked the same way."""
    import zipfile

    from scripts.samplegen.content import generate_report
    from scripts.samplegen.docx import write_docx

    r = generate_report(821, layout="2021", inconsistencies=0)
    src = tmp_path / "src"
    page = _page_with_link(r, src, "P1.docx", "t1")
    word = write_docx(r, src, seed=1, textbox=False, name="P1")
    other = _page_with_link(generate_report(822, layout="2021"), src, "x.pdf", "t2")
    archive = tmp_path / "nb.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(page, "2023/t1.html")
        z.write(word, "2023/P1.docx")
        z.write(other, "2022/t2.html")
    url = f"sqlite:///{tmp_path / 'z.db'}"
    summary = ingest([archive], db=url, workers=1, cross_year=False)
    assert summary.documents == 3 and summary.failed == 0 and summary.source_pairs == 1
    with open_store(url) as store:
        from extractor.store.export import export

        assert export(store, tmp_path / "w.csv", "csv") == 2
