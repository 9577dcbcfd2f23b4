"""``govreport ingest`` of a folder holding PDFs, saved web pages (with their images) and Word
files: every report stored once, the export one row per report, web fields with provenance."""

from __future__ import annotations

import csv
import shutil
import sys
import zipfile
from pathlib import Path

from extractor.ingest import ingest
from extractor.ingest.inputs import InputWalker
from extractor.store import open_store

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
SAMPLES = ROOT / "samples"


def _folder(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """in/: a PDF, two pages (GBK and UTF-8; one in a saved-page folder with images), a DOCX, a
    zip holding a page, and a DOCX that is a renamed workbook. Returns the folder and name → agency."""
    from PIL import Image

    from scripts.samplegen.content import generate_report
    from scripts.samplegen.docx import write_docx
    from scripts.samplegen.html import write_html

    src = tmp_path / "gen"
    inp = tmp_path / "in"
    (inp / "site" / "nb2022" / "page_files").mkdir(parents=True)
    agencies = {}
    shutil.copy(SAMPLES / "gen-2021-large-wrapped.pdf", inp / "a.pdf")
    r1 = generate_report(801, layout="2021")
    p1 = write_html(r1, src, style="trs", encoding="gbk", seed=1)
    shutil.copy(p1, inp / "site" / "nb2022" / "page.html")
    Image.new("RGB", (64, 32), "white").save(inp / "site" / "nb2022" / "page_files" / "logo.png")
    Image.new("RGB", (64, 32), "white").save(inp / "site" / "nb2022" / "banner.jpg")
    agencies["site/nb2022/page.html"] = r1.agency
    r2 = generate_report(802, layout="2019")
    p2 = write_html(r2, src, style="legacy", encoding="utf-8", seed=2)
    with zipfile.ZipFile(inp / "archive.zip", "w") as z:
        z.write(p2, "pages/t2023.shtml")
    agencies["archive.zip!pages/t2023.shtml"] = r2.agency
    r3 = generate_report(803)
    p3 = write_docx(r3, src, seed=3, textbox=True)
    shutil.copy(p3, inp / "report.docx")
    agencies["report.docx"] = r3.agency
    with zipfile.ZipFile(inp / "renamed.docx", "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    (inp / "notes.txt").write_text("not a report", encoding="utf-8")
    return inp, agencies


def test_walk_takes_pages_and_word_files_not_page_images(tmp_path):
    inp, _ = _folder(tmp_path)
    (tmp_path / "tmp").mkdir()
    names = sorted(i.name.replace(str(inp) + "/", "") for i in InputWalker(tmp_path / "tmp").walk([inp]))
    assert names == ["a.pdf", "archive.zip!pages/t2023.shtml", "renamed.docx", "report.docx", "site/nb2022/page.html"]


def test_ingest_folder_of_pdfs_pages_and_docx(tmp_path):
    inp, agencies = _folder(tmp_path)
    url = f"sqlite:///{tmp_path / 'w.db'}"
    summary = ingest([inp], db=url, workers=2, cross_year=False)
    assert summary.documents == 5
    assert summary.failed == 1 and summary.failed_by_reason == {"not_docx": 1}
    out = tmp_path / "wide.csv"
    with open_store(url) as store:
        from extractor.store.export import export

        n = export(store, out, "csv")
        docs = store.documents()
        page = next(d for d in docs if d.path and d.path.endswith("page.html"))
        stored = store.load_extraction(page.report_id)
        assert (stored.report.source_kind, stored.report.encoding) == ("html", "gb18030")
        ref = stored.fields["applications.received.total"].provenance
        assert ref.kind == "html" and ref.table == 1 and "/td" in ref.path
        long_out = tmp_path / "long.csv"
        export(store, long_out, "csv", long=True)
    cells = [r["source_cell"] for r in csv.DictReader(long_out.open(encoding="utf-8-sig"))
             if r["key"] == "applications.received.total" and r["source_cell"]]
    assert len(cells) == 3 and all('"table": 1' in c for c in cells)  # two pages and the DOCX; not the PDF
    assert n == 4  # one row per report: the PDF, two pages, the DOCX
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    by_agency = {r["agency"] for r in rows}
    assert set(agencies.values()) <= by_agency
    assert all(r["applications.received.total"] not in ("", None) for r in rows)
    assert {d.status for d in docs if d.path and d.path.endswith("renamed.docx")} == {"failed"}
