"""pdfium's reading of a text layer matches pdfplumber's, object for object."""

from __future__ import annotations

import pdfplumber
import pypdfium2 as pdfium
import pytest

from conftest import SAMPLES
from extractor.io.text_layer import from_pdfium, from_plumber, pdfium_compatible

FILES = ["seed_chaoyang-minzheng-2023.pdf", "gen-2019-blank-rects-inconsistent.pdf"]  # lines; thin rectangles


@pytest.mark.parametrize("name", FILES)
def test_pdfium_layer_equals_pdfplumber_layer(name):
    path = SAMPLES / name
    doc = pdfium.PdfDocument(str(path))
    with pdfplumber.open(str(path)) as plumb, doc:
        for i, ppage in enumerate(plumb.pages):
            page = doc[i]
            assert pdfium_compatible(page)
            a, b = from_pdfium(page), from_plumber(ppage)
            b_chars = [c for c in b.chars if not c["text"].isspace()]
            assert [c["text"] for c in a.chars] == [c["text"] for c in b_chars]
            for ca, cb in zip(a.chars, b_chars):
                # the same place: pdfium's ink box lies inside pdfminer's advance box, and both
                # sit on the same line (what assigning characters to cells depends on)
                assert cb["x0"] - 1 <= ca["x0"] and ca["x1"] <= cb["x1"] + 1
                size = max(cb["bottom"] - cb["top"], 8)
                assert abs((ca["top"] + ca["bottom"]) - (cb["top"] + cb["bottom"])) / 2 < 0.25 * size
            assert (len(a.lines), len(a.rects)) == (len(b.lines), len(b.rects))
            for mine, theirs in ((a.rects, b.rects), (a.lines, b.lines)):
                assert _same_boxes(mine, theirs)


def _same_boxes(a: list[dict], b: list[dict], tolerance: float = 1.0) -> bool:
    key = lambda o: (o["top"], o["x0"], o["bottom"], o["x1"])  # noqa: E731
    return all(
        max(abs(p - q) for p, q in zip(key(x), key(y))) <= tolerance
        for x, y in zip(sorted(a, key=key), sorted(b, key=key))
    )


def test_vertical_text_in_a_merged_cell_reads_top_to_bottom():
    """pdfium gives these characters line boxes 20 lines tall; they must still read in order."""
    from conftest import corpus_file
    from extractor.io import open_document
    from extractor.layout.text_page import read_text_page
    from extractor.settings import Settings

    with open_document(corpus_file("huaian-hongze-district-gov_2023.pdf")) as doc:
        page = read_text_page(doc.pages[2], Settings())
    texts = [c.text for g in page.grids for c in g.cells]
    assert "三、本年度办理结果" in texts
