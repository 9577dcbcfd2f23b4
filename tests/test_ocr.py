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
