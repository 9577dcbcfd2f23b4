"""The recogniser engine and the scanned-page reader, on degraded renders of real report pages.

Cell level: the OCR grid of a page is compared with the text-layer grid of the same page.
"""

from __future__ import annotations

import numpy as np
import pytest

from extractor.errors import BackendUnavailable
from extractor.ocr.compare import compare_grids
from extractor.ocr.engine import ctc_decode, make_engine
from extractor.settings import Settings
from models.page import PageKind
from tests.conftest import corpus_file
from tests.ocr_helpers import degrade


@pytest.fixture(scope="module")
def engine():
    return make_engine(Settings())


def test_ctc_decode_keeps_alternatives():
    charset = ["blank", "0", "3", "8", "1"]
    T = 8
    p = np.full((T, 5), 0.001, np.float32)
    p[:, 0] = 0.996
    p[1] = [0.01, 0.0, 0.02, 0.0, 0.97]  # "1"
    p[4] = [0.01, 0.0, 0.55, 0.43, 0.01]  # "3", maybe "8"
    rec = ctc_decode(p, charset)
    assert rec.text == "13"
    assert rec.char_scores == pytest.approx([0.97, 0.55], abs=1e-4)
    assert rec.alternatives[0].text == "18"
    assert rec.alternatives[0].score == pytest.approx(0.97 * 0.43, abs=1e-3)
    assert rec.score == pytest.approx(0.97 * 0.55, abs=1e-3)


def test_recognize_batched_crops(engine):
    import cv2

    crops = []
    for text in ("4119", "0", "7730.28"):
        img = np.full((48, 40 + 26 * len(text), 3), 255, np.uint8)
        cv2.putText(img, text, (10, 36), cv2.FONT_HERSHEY_SIMPLEX, 1.1, (0, 0, 0), 2)
        crops.append(img)
    out = engine.recognize(crops)
    assert [r.text for r in out] == ["4119", "0", "7730.28"]
    for r in out:
        assert 0.5 < r.score <= 1.0 and len(r.char_scores) == len(r.text)
    assert engine.recognize([]) == []


def test_paddle_backend_unavailable_is_clear(tmp_path):
    with pytest.raises(BackendUnavailable) as e:
        make_engine(Settings(ocr_backend="paddle", paddle_model_dir=tmp_path))
    assert "paddle" in e.value.message.lower()


def _page_pair(name: str, number: int, dpi: int):
    from extractor.io import open_document
    from extractor.layout.text_page import read_text_page

    doc = open_document(corpus_file(name))
    page = doc.pages[number - 1]
    text = read_text_page(page, Settings())
    rgb = page.render(dpi)
    return doc, page, text, rgb


@pytest.mark.parametrize(
    "name,number,dpi,kw",
    [
        ("huaian-hongze-district-gov_2023.pdf", 3, 200, dict(angle=1.5, seal=True, jpeg=40, seed=3)),
        ("huaian-hongze-district-gov_2024.pdf", 4, 150, dict(angle=-1.0, turn=90, jpeg=60, seed=4)),
    ],
)
def test_scanned_table_page_matches_text_layer(engine, name, number, dpi, kw):
    from extractor.ocr.scan_page import read_scan_image

    doc, page, text, rgb = _page_pair(name, number, dpi)
    try:
        scan = read_scan_image(degrade(rgb, **kw), dpi, number, engine, width=page.width, height=page.height)
    finally:
        doc.close()
    assert scan.kind == PageKind.SCAN and scan.dpi == dpi
    assert scan.rotation == kw.get("turn", 0)
    expected = text.grids
    if kw.get("turn") == 90:  # the scan was turned clockwise: its frame is the turned page
        expected = [_turned(g, page.height) for g in expected]
    cmp = compare_grids(expected, scan.grids)
    assert cmp.numeric_total > 60
    assert cmp.numeric_accuracy >= 0.99, cmp.diffs[:10]
    assert cmp.accuracy >= 0.97, cmp.diffs[:10]
    cells = [c for g in scan.grids for c in g.cells]
    assert all(c.source == "ocr" and c.page == number and c.bbox_px is not None and c.dpi == dpi for c in cells)
    numbers = [c for c in cells if c.text.isdigit()]
    assert all(len(c.char_scores) == len(c.text) and 0 < c.confidence <= 1 for c in numbers)


def _turned(grid, page_height: float):
    """A text-layer grid in the frame of its page turned 90° clockwise."""
    import copy

    from models.extraction import BBox

    g = copy.deepcopy(grid)
    for c in g.cells:
        b = c.bbox
        c.bbox = BBox(x0=page_height - b.bottom, top=b.x0, x1=page_height - b.top, bottom=b.x1)
    return g


def test_image_input_at_native_dpi(tmp_path, engine):
    """A PNG page: read at its own dpi, not settings.dpi; the prose outside tables becomes lines."""
    from PIL import Image

    from extractor.io import open_document
    from extractor.ocr.scan_page import read_scan_page

    doc, page, text, rgb = _page_pair("huaian-hongze-district-gov_2023.pdf", 5, 150)
    doc.close()
    path = tmp_path / "page.png"
    Image.fromarray(degrade(rgb, angle=0.8, jpeg=None, seed=5)).save(path, dpi=(150, 150))
    with open_document(path) as images:
        content = read_scan_page(images.pages[0], Settings(dpi=300), engine)
    assert content.dpi == pytest.approx(150, abs=0.1)
    prose = "".join(ln.text for ln in content.lines)
    assert "信息处理费" in prose or "政府信息公开" in prose
    assert all(ln.source == "ocr" and 0 <= ln.confidence <= 1 for ln in content.lines)


def test_plan_batches_groups_similar_widths_under_the_cap():
    from extractor.ocr.engine import plan_batches

    widths = [40, 300, 48, 52, 900, 310, 2000, 45]
    batches = plan_batches(widths, max_count=32, max_width=1024, max_waste=0.2, min_width=48)
    assert sorted(i for b in batches for i in b) == list(range(len(widths)))
    for b in batches:
        ws = [max(widths[i], 48) for i in b]
        assert len(b) == 1 or len(b) * max(ws) <= 1024  # one over-wide crop goes alone
        assert len(b) * max(ws) - sum(ws) <= 0.2 * len(b) * max(ws)
    assert [6] in batches and any(set(b) == {0, 2, 3, 7} for b in batches)


def test_engine_reads_the_thread_setting():
    from extractor.ocr.engine import ocr_threads

    assert ocr_threads(Settings()) == 1
    assert ocr_threads(Settings(ocr_threads=64)) >= 1  # capped at the machine's cores


def _digit(text: str, seed: int) -> np.ndarray:
    import cv2

    rng = np.random.default_rng(seed)
    img = np.full((40, 24 * len(text) + 12, 3), 255, np.uint8)  # a digit ~20 px tall: 200 dpi print
    cv2.putText(img, text, (6, 33), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
    return np.clip(img.astype(np.int16) + rng.normal(0, 6, img.shape), 0, 255).astype(np.uint8)


def test_recognize_unique_reads_each_print_once():
    from extractor.ocr.crops import _ink_mask, recognize_unique, same_ink

    zeros = [_digit("0", s) for s in range(5)]
    others = [_digit("8", 9), _digit("6", 10), _digit("3", 11), _digit("9", 12), _digit("1", 13)]
    assert same_ink(_ink_mask(zeros[0]), _ink_mask(zeros[1]))
    for o in others:  # another digit is another print, even the nearest (this font's 0 is slashed)
        assert not same_ink(_ink_mask(zeros[0]), _ink_mask(o))

    class Counting:
        def __init__(self):
            self.seen = 0

        def recognize(self, crops):
            from extractor.ocr.engine import Recognition

            self.seen += len(crops)
            return [Recognition(text=f"#{id(c)}", score=1.0) for c in crops]

    eng = Counting()
    label = np.full((36, 400, 3), 255, np.uint8)  # long crops are never compared
    out = recognize_unique(eng, zeros + others + [label, label.copy()])
    assert eng.seen == 1 + len(others) + 2
    assert len({r.text for r in out[:5]}) == 1 and len({r.text for r in out}) == 1 + len(others) + 2


def test_prose_needed_reads_headings_and_section_six_only(engine):
    """Page 4 of the 2023 report: table 四, then 五 (prose) and no 六. "needed" keeps the two
    headings (read in full) and skips 五's paragraph; "all" reads it. With section 六 carried
    over from the page before (page 5 seen after page 4), the lines above 六's heading are read."""
    from extractor.ocr.prose import _CONTEXTS, DocumentProse
    from extractor.ocr.scan_page import read_scan_image

    doc, page, text, rgb = _page_pair("huaian-hongze-district-gov_2023.pdf", 4, 200)
    doc.close()
    img = degrade(rgb, angle=1.0, seed=7)
    needed = read_scan_image(img, 200, 4, engine, width=page.width, height=page.height)
    heads = [ln.text for ln in needed.lines]
    assert any(t.startswith("四、政府信息公开行政复议") for t in heads), heads
    assert any(t.startswith("五、存在的主要问题") for t in heads), heads
    assert not any("依申请公开" in t for t in heads)  # 五's paragraph: not read
    full = read_scan_image(img, 200, 4, engine, width=page.width, height=page.height, prose="all")
    assert "依申请公开" in "".join(ln.text for ln in full.lines)
    assert len(full.lines) > len(needed.lines) + 5
    assert needed.grids and [len(g.cells) for g in needed.grids] == [len(g.cells) for g in full.grids]

    doc, page5, _text, rgb5 = _page_pair("huaian-hongze-district-gov_2023.pdf", 5, 200)
    doc.close()
    _CONTEXTS[engine] = DocumentProse(last_page=4, section=6)  # as if 六 had begun on page 4
    carried = read_scan_image(degrade(rgb5, angle=0.5, seed=8), 200, 5, engine, width=page5.width,
                              height=page5.height)
    joined = "".join(ln.text for ln in carried.lines)
    assert "跟班学习" in joined and "信息处理费" in joined  # above 六's heading, and in 六
    _CONTEXTS[engine] = DocumentProse(last_page=5, section=None)
    fresh = read_scan_image(degrade(rgb5, angle=0.5, seed=8), 200, 5, engine, width=page5.width,
                            height=page5.height)  # page 5 again: a new document, 五 not carried
    joined = "".join(ln.text for ln in fresh.lines)
    assert "跟班学习" not in joined and "信息处理费" in joined


def test_heading_form_from_the_left_crop():
    from extractor.ocr.engine import Recognition
    from extractor.ocr.prose import _heading_from_probe

    def fix(full: str, probe: str) -> str:
        return _heading_from_probe(Recognition(text=full, score=0.9), probe).text

    assert fix("一1总体情况", "一、总") == "一、总体情况"  # 、 misread
    assert fix("六其他需要报告的事项", "六、其") == "六、其他需要报告的事项"  # 、 dropped
    assert fix("四、政府信息公开", "四1政") == "四、政府信息公开"  # the line itself is fine
    assert fix("一是政策解读", "一是政") == "一是政策解读"  # no heading in either reading
    assert fix("五1存在的问题", "六、存") == "五1存在的问题"  # the two readings disagree on the number
    # a fax's 、 is a blob, read as a colon: the heading still (section 六 and its fee are read)
    assert fix("六：其他需要报告的事项", "六：") == "六、其他需要报告的事项"
    assert fix("六:其他需要报告的事项", "六、其") == "六、其他需要报告的事项"


def test_stray_marks_around_a_number():
    from extractor.ocr.normalise import _strip_stray

    assert _strip_stray("7.") == "7"
    assert _strip_stray("-2") == "2"
    assert _strip_stray("•30") == "30"
    assert _strip_stray("】") == "1"
    assert _strip_stray("一3") == "3"  # a pale seal's trace on a line above the 3, read as 一
    assert _strip_stray("12一") == "12"
    assert _strip_stray("!10") == "10"  # a black seal's arc beside the digits (fax+dpi150 seed 933)
    for text in ("7", "7.5", "1,234", "—", "(1)", "一", "一是", "*.", "其他"):
        assert _strip_stray(text) is None


def test_bar_read_as_one_beside_a_number_is_reviewed():
    """A bar on its own line above a 3 (a faded page's seal left its star's point there), read
    as 一 and joined: the 3 with the cell doubted and its confidence low — never 一3 lost, and
    never the 3 taken as sure."""
    from extractor.ocr.cells import CellJob, _fill_cell
    from extractor.ocr.engine import Recognition
    from extractor.ocr.structure import DOUBT
    from models.page import BBox, Cell

    cell = Cell(row=3, col=9, page=2, bbox=BBox(x0=0, top=0, x1=30, bottom=12))
    job = CellJob(crops=[np.zeros((8, 8), np.uint8)] * 2)
    _fill_cell(cell, job, [Recognition(text="一", score=0.95), Recognition(text="3", score=0.99)])
    assert cell.text == "3"
    assert cell.structure <= DOUBT and cell.confidence <= 0.5


def test_cell_of_specks_has_no_glyph():
    from extractor.ocr.no_text import _has_glyph

    glyph = 24.0
    sub = np.zeros((50, 90), np.uint8)
    for x, y in ((10, 10), (20, 14), (30, 12), (40, 20), (55, 30)):  # dust spread across the cell
        sub[y : y + 7, x : x + 6] = 255
    assert not _has_glyph(sub, glyph)
    sub[12:30, 70:73] = 255  # a digit 1: a stroke most of a glyph tall
    assert _has_glyph(sub, glyph)


def test_prose_needed_reads_the_title_not_the_opening_paragraph(engine):
    """Page 1 of the 2023 report: the title (agency and year) is read; the opening lines in body
    type above 一、 are left unread since the title names both (``ProseReader.third_pass``)."""
    from extractor.layout.title import find_title
    from extractor.ocr.prose import _CONTEXTS, DocumentProse
    from extractor.ocr.scan_page import read_scan_image

    doc, page, _text, rgb = _page_pair("huaian-hongze-district-gov_2023.pdf", 1, 200)
    doc.close()
    img = degrade(rgb, angle=0.8, seed=11)
    _CONTEXTS[engine] = DocumentProse()
    needed = read_scan_image(img, 200, 1, engine, width=page.width, height=page.height)
    full = read_scan_image(img, 200, 1, engine, width=page.width, height=page.height, prose="all")
    title = find_title([needed])
    assert title.agency and "洪泽" in title.agency and title.year == 2023
    assert (title.agency, title.year) == (find_title([full]).agency, find_title([full]).year)

    def above_first_heading(pc):
        out = []
        for ln in pc.lines:
            if ln.text.startswith("一、"):
                break
            out.append(ln.text)
        return out

    assert len(above_first_heading(needed)) < len(above_first_heading(full))
