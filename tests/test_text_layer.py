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
    with pdfplumber.open(str(path)) as plumb:
        for i, ppage in enumerate(plumb.pages):
            page = doc[i]
            assert pdfium_compatible(page)
            a, b = from_pdfium(page), from_plumber(ppage)
            b_chars = [c for c in b.chars if not c["text"].isspace()]
            assert [c["text"] for c in a.chars] == [c["text"] for c in b_chars]
            for ca, cb in zip(a.chars, b_chars):
                assert abs(ca["x0"] - cb["x0"]) < 1.5 and abs(ca["bottom"] - cb["bottom"]) < 0.25 * max(cb["bottom"] - cb["top"], 8)
            assert (len(a.lines), len(a.rects)) == (len(b.lines), len(b.rects))
            key = lambda o: (round(o["x0"]), round(o["top"]), round(o["x1"]), round(o["bottom"]))  # noqa: E731
            assert sorted(map(key, a.rects)) == sorted(map(key, b.rects))
            assert sorted(map(key, a.lines)) == sorted(map(key, b.lines))
    doc.close()
