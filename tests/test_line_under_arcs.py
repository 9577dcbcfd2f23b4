"""One line of a cell between faint ink above and below it (a red seal's arcs that
``suppress_red`` left grey over a printed label; a fax's junk under a number): its band is taller
than two lines, and cut as two it reads as junk (the bench's corpus table 二 label 第二十条第（五）项
read 第一ホ第项 + 第一十反等(工)). The band is read both ways and the reading decides
(``cells.settle``); two lines that really run together stay cut."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from extractor.ocr.cell_lines import _cell_layout, _heavy_line, _split_run_together
from extractor.ocr.cells import CellJob, settle
from extractor.ocr.engine import Recognition

DPI = 200
GLYPH = 33.0  # a 10.5 pt label at 200 dpi


def _text(page: np.ndarray, text: str, x: int, top: int, size: int = 30) -> tuple[int, int]:
    """``text`` drawn black on ``page`` (grey, in place) in the generator's CJK font; its ink rows."""
    from PIL import Image, ImageDraw, ImageFont

    from scripts.samplegen.fonts import wqy_path

    font = ImageFont.truetype(str(wqy_path()), size)
    img = Image.fromarray(page)
    ImageDraw.Draw(img).text((x, top), text, font=font, fill=0)
    page[:] = np.asarray(img)
    rows = np.flatnonzero((page < 128).any(axis=1))
    return int(rows[0]), int(rows[-1]) + 1


def _arcs(page: np.ndarray, top: int, bottom: int, right: int) -> None:
    """Thin arcs (a seal's, left grey and binarised thin) running down past the line's ends, above
    and below it, touching it: no blank row parts them from it."""
    cv2.ellipse(page, (right + 60, (top + bottom) // 2), (70, 50), 0, 100, 260, 90, 2)
    cv2.line(page, (24, top - 28), (26, bottom + 26), 90, 2)


def _cell(text: str, arcs: bool = True):
    page = np.full((150, 560), 255, np.uint8)
    top, bottom = _text(page, text, 30, 50)
    if arcs:
        _arcs(page, top, bottom, 30 + 31 * len(text))
    ink = np.where(page < 160, 255, 0).astype(np.uint8)
    return page, ink, (top, bottom)


def test_a_line_between_arcs_is_cut_but_its_one_line_is_kept_too():
    _, ink, (top, bottom) = _cell("第二十条第（五）项")
    pieces, sub, origin, _ = _cell_layout(ink, (10, 10, 550, 140), DPI)
    band = max(pieces, key=lambda p: p[3] - p[1])
    assert band[3] - band[1] > 1.7 * GLYPH  # one band, the arcs' height
    assert len(_split_run_together(band, sub, origin, GLYPH)) == 2  # cut: its halves read as junk
    line = _heavy_line(band, sub, origin, GLYPH)
    assert line is not None
    assert line[1] <= top + 2 and line[3] >= bottom - 2  # the whole line …
    assert line[3] - line[1] <= 1.5 * GLYPH  # … and not the arcs' height


def test_two_lines_run_together_have_no_one_line_reading():
    page = np.full((150, 560), 255, np.uint8)
    _text(page, "法人或其他组织", 30, 30)
    _text(page, "商业企业", 30, 72)  # the next line, a wrapped title's pitch
    ink = np.where(page < 160, 255, 0).astype(np.uint8)
    ink[55:80, 60:63] = 255  # a blur's bridge between them: one band
    pieces, sub, origin, _ = _cell_layout(ink, (10, 10, 550, 140), DPI)
    band = max(pieces, key=lambda p: p[3] - p[1])
    assert len(_split_run_together(band, sub, origin, GLYPH)) == 2
    assert _heavy_line(band, sub, origin, GLYPH) is None  # both lines heavy: two lines it is


def _rec(text: str, score: float) -> Recognition:
    return Recognition(text=text, score=score)


def test_settle_takes_the_one_line_only_when_the_cut_reads_unsure_and_it_likelier():
    cut, one = CellJob(crops=[0, 0], first=0), CellJob(crops=[0], first=2)
    cut.alt = one
    junk = [_rec("第一十反等(工)", 0.004), _rec("第一ホ第项", 0.08), _rec("第二十条第（五）项", 0.54)]
    assert settle([cut], junk) == [one]
    sure = [_rec("法人或其他", 0.97), _rec("组织", 0.9), _rec("法人或其他", 0.99)]
    assert settle([cut], sure) == [cut]  # two lines, each read sure: the cut stands
    worse = [_rec("A", 0.3), _rec("B", 0.9), _rec("C", 0.1)]
    assert settle([cut], worse) == [cut]  # the one line no likelier


@pytest.fixture(scope="module")
def engine():
    from extractor.ocr.engine import make_engine
    from extractor.settings import Settings

    return make_engine(Settings(ocr_threads=1))


@pytest.mark.parametrize("text", ["第二十条第（五）项", "本年处理决定数量", "行政规范性文件"])
def test_a_label_between_a_seals_arcs_reads_whole(engine, text):
    from extractor.ocr.cells import read_boxes
    from models.page import BBox, Cell

    page, ink, _ = _cell(text)
    cell = Cell(row=1, col=0, page=1, bbox=BBox(x0=4, top=4, x1=198, bottom=50))
    read_boxes([cell], [(10, 10, 550, 140)], page, ink, DPI, GLYPH, engine)
    assert cell.text == text


def test_a_number_read_as_its_one_line_is_doubted():
    """Read as its one heavy line, the ink above and below it was left out: it may have been part
    of the value, so a number read so is doubted (as ink beside a number is, ``no_text``)."""
    from extractor.ocr.cell_lines import _cell_layout as layout_of
    from extractor.ocr.cells import _cell_job, _fill_cell
    from extractor.ocr.structure import DOUBT
    from models.page import BBox, Cell

    page, ink, _ = _cell("10432")
    job = _cell_job(page, layout_of(ink, (10, 10, 550, 140), DPI), GLYPH)
    assert job.alt is not None and len(job.crops) == 2 and len(job.alt.crops) == 1
    results = [_rec("1O", 0.02), _rec("4", 0.1), _rec("10432", 0.99)]
    job.first, job.alt.first = 0, 2
    (chosen,) = settle([job], results)
    assert chosen is job.alt
    cell = Cell(row=1, col=1, page=1, bbox=BBox(x0=4, top=4, x1=198, bottom=50))
    _fill_cell(cell, chosen, results)
    assert cell.text == "10432" and cell.structure <= DOUBT
