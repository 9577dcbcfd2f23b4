"""Harder generated scans (issue 13), on seeds the committed samples do not use: each kind of
``scripts.samplegen.scan.HARD_KINDS`` appears in one of three reports (kinds combined to keep
the test short). A wrong field must never be ``ok``; most fields must be exact."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from extractor import Extractor
from helpers_compare import exact_or_flagged

sys.path.insert(0, str(ROOT))

# floors: what the reader reaches today on these seeds, with a margin (issue 13 aims at 99.8 %:
# faded ink at 150 dpi and fax-like pages still lose cells to review, the honest way; 620 reads
# 94 %: a pen tick faded under uneven light is grey, not blue, and stays on the page; its table 四
# lost a column rule through titles and numbers: cut where the paper is blank; 621 reads
# 86 %: a fax's seal is black, not red, and the cells under it are lost)
COMBOS = (
    (620, ("faded", "uneven_light", "pen_tick", "missing_t4_rule"), 150, 0.9),
    (621, ("fax", "jpeg_low", "stamp_numbers", "missing_rule"), 200, 0.82),
    # a photographed, curled page: straightened from its rules (the frame's sides too, where
    # table 二's inner column rules are only pieces); the parts of table 三 on two pages whose
    # perspective differs join (201/203 today; the two left are under the seal)
    (622, ("perspective", "curl"), 200, 0.97),
    # the rule between table 三's labels and its numbers lost at the table's foot: 四、结转下年度继续办理
    # and its first number one cell, the row's numbers a column short (7-14 fields lost), cut
    # where the values start
    (9405, ("missing_label_rule",), 200, 0.99),
    # the rule between 法律服务机构 and 其他 lost in the titles' row of table 三's header (the header
    # at page 1's foot, four rows under it): the one title cell reads 法律服务其他机构, two titles
    # side by side, and is split over their two columns — in the mapping (all 25 rows of 其他
    # were unmapped; its lines read across both titles, which stands left is unknown: for
    # review) and in the registry's column bands (as one band it joined page 1's two columns of
    # numbers into one cell, —22: 8 fields lost)
    (9602, ("missing_header_rule",), 200, 0.99),
)


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


@pytest.mark.parametrize("seed,kinds,dpi,min_exact", COMBOS, ids=lambda v: "+".join(v) if isinstance(v, tuple) else str(v))
def test_harder_scan_kinds_exact_or_flagged(extractor, tmp_path, seed, kinds, dpi, min_exact):
    from scripts.samplegen.build import write_report, write_scan
    from scripts.samplegen.content import generate_report

    report = generate_report(seed)
    report.name = f"hard-{seed}"
    rendered = write_report(report, tmp_path)
    scan = write_scan(report, rendered, tmp_path, seed=seed, kinds=kinds, dpi=dpi)
    truth_doc = json.loads(Path(str(scan).replace(".pdf", ".truth.json")).read_text(encoding="utf-8"))
    assert set(truth_doc["meta"]["degradations"]) == set(kinds)  # each kind recorded with its parameters
    result = extractor.extract(scan)
    right, unflagged = exact_or_flagged(result, truth_doc["fields"])
    assert unflagged == []
    assert right / len(truth_doc["fields"]) >= min_exact, f"{right}/{len(truth_doc['fields'])} exact"


@pytest.mark.parametrize("seed,n_pages,turn", [(750, 2, False), (760, 3, 3)])
def test_narrow_wrapped_labels_over_page_breaks_exact_or_flagged(extractor, tmp_path, seed, n_pages, turn):
    """Narrow label columns (labels wrapped over three to five lines) and wide number columns,
    table 三 over two or three pages, a clean 200 dpi scan of skewed pages. The parts' cells are
    placed by their own grid lines when stitched (by their boxes, on the skewed render, the
    header and first rows went one column aside: 9 wrong fields marked ok on seed 750); a page
    of tall rows (column rules longer than row rules) stays upright when the orientation
    classifier is sure (it was turned 90°: half of table 三 lost on seed 760). On seed 760 the
    middle page of the three is scanned turned by 90°: turned upright (its rules say otherwise:
    the column rules of tall rows are the longer) and joined by its rules as found upright (its
    cells' boxes turned back without the deskew split its rules: 151/214)."""
    from scripts.samplegen.build import write_report, write_scan
    from scripts.samplegen.content import generate_report

    report = generate_report(seed)
    report.name = f"narrow-{seed}"
    report.style.label_scale, report.style.label_min, report.style.number_width = 0.3, 100.0, 46.0
    report.style.table_size = 10.5
    rendered = write_report(report, tmp_path)
    apps = [t["page"] for t in rendered.tables if "三" in str(t.get("table"))]
    assert len(apps) == n_pages
    scan = write_scan(report, rendered, tmp_path, seed=seed, dpi=200, rotate_page=turn)
    meta = json.loads(Path(str(scan).replace(".pdf", ".truth.json")).read_text(encoding="utf-8"))["meta"]
    assert meta["rotated_pages"] == ([turn] if turn else [])
    truth = json.loads(Path(str(scan).replace(".pdf", ".truth.json")).read_text(encoding="utf-8"))["fields"]
    right, unflagged = exact_or_flagged(extractor.extract(scan), truth)
    assert unflagged == []
    assert right / len(truth) >= 0.98, f"{right}/{len(truth)} exact"


def test_a_dithered_black_and_white_scan_exact_or_flagged(extractor, tmp_path):
    """A scanner's black-and-white mode: every page error-diffused to 1 bit (tinted paper a field
    of dots, the text's soft edges dotted), written as a G4 TIFF. Blurred back to grey
    (``prepare.descreen``) it reads 202/203 on this seed (197 read as dots); never a wrong ok."""
    from scripts.samplegen.scan_sources import write_kind_scan

    scan = write_kind_scan(9712, ("dithered",), tmp_path, name="dithered-9712")
    assert scan.suffix == ".tiff"
    truth = json.loads(scan.with_suffix(".truth.json").read_text(encoding="utf-8"))
    assert truth["meta"]["degradations"]["dithered"]
    right, unflagged = exact_or_flagged(extractor.extract(scan), truth["fields"])
    assert unflagged == []
    assert right / len(truth["fields"]) >= 0.98, f"{right}/{len(truth['fields'])} exact"


def test_yellowed_paper_with_pen_ticks_exact_or_flagged(extractor, tmp_path):
    """Old yellowed paper (blue at 60–70 % of red) under the JPEG, with a reader's blue ticks:
    the ticks are still found as pen (their cells doubted), the chroma round the print is not."""
    from scripts.samplegen.scan_sources import write_kind_scan

    scan = write_kind_scan(9801, ("yellowed", "pen_tick"), tmp_path, name="yellowed-9801")
    truth = json.loads(scan.with_suffix(".truth.json").read_text(encoding="utf-8"))
    assert set(truth["meta"]["degradations"]) == {"yellowed", "pen_tick"}
    right, unflagged = exact_or_flagged(extractor.extract(scan), truth["fields"])
    assert unflagged == []
    assert right / len(truth["fields"]) >= 0.98, f"{right}/{len(truth['fields'])} exact"


def test_a_dithered_150_dpi_scan_on_dotted_paper_is_all_review(extractor, tmp_path):
    """150 dpi, dithered, the paper dotted too (seed 148888, helper-66): a 25 read 35 at 0.9999 and
    a 4 read from the row below, both ok. Every value of such a page is doubted — each field in
    review — while most still read right (209/215 today)."""
    from models.extraction import FieldStatus
    from scripts.samplegen.scan_sources import write_kind_scan

    scan = write_kind_scan(148888, ("dithered",), tmp_path, name="dithered-148888")
    truth = json.loads(scan.with_suffix(".truth.json").read_text(encoding="utf-8"))["fields"]
    result = extractor.extract(scan)
    right, unflagged = exact_or_flagged(result, truth)
    assert unflagged == []
    assert all(f.status == FieldStatus.REVIEW for k, f in result.fields.items() if k in truth)
    assert right / len(truth) >= 0.95, f"{right}/{len(truth)} exact"
