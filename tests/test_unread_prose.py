"""A scanned page of prose with no section heading on it (a report's body continued from the
page before) is read only where the pipeline needs it (``ocr_prose`` "needed"): none of its
lines. It is not a blank page: its lines are counted as found and left unread, and no
``blank_page`` warning names it (printed web pages, pingtan_2019 pages 3–7, were so named)."""

from __future__ import annotations

import cv2
import numpy as np

from extractor.ocr.engine import make_engine
from extractor.ocr.scan_page import read_scan_image
from extractor.settings import Settings

DPI = 200


def test_a_prose_page_without_headings_has_unread_lines_not_nothing():
    page = np.full((2200, 1650, 3), 250, np.uint8)
    for k in range(8):
        cv2.putText(page, "the body of a section goes on over this line of the page", (160, 300 + 70 * k),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.2, (30, 30, 30), 2)
    content = read_scan_image(page, DPI, 3, make_engine(Settings()))
    assert not content.grids and not content.lines
    assert content.unread_lines >= 6
    blank = read_scan_image(np.full((2200, 1650, 3), 250, np.uint8), DPI, 4, make_engine(Settings()))
    assert blank.unread_lines == 0 and not blank.lines
