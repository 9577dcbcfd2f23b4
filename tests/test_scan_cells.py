"""Cell reading on small inputs (issue 13): a minus sign's bar is told from a speck before a
number, and the recogniser's reading is kept, stripped or doubted by what the ink shows."""

from __future__ import annotations

import numpy as np

from extractor.ocr.cells import CellJob, _fill_cell
from extractor.ocr.minus_sign import MINUS, SHORT_MINUS, _minus_bar
from extractor.ocr.engine import Recognition
from extractor.ocr.structure import DOUBT
from models.extraction import BBox
from models.page import Cell

GLYPH = 17.0  # a 9 pt digit at 240 dpi


def _cell_ink(minus: tuple[int, int, int, int] | None) -> np.ndarray:
    """A cell's ink: a digit-like stroke 17 px tall at x 12..15, and a mark (x, y, w, h) before it."""
    sub = np.zeros((30, 30), np.uint8)
    sub[6:23, 12:15] = 255
    if minus:
        x, y, w, h = minus
        sub[y : y + h, x : x + w] = 255
    return sub


def test_a_bar_at_mid_height_is_a_minus():
    assert _minus_bar(_cell_ink((3, 14, 5, 2)), GLYPH)


def test_a_speck_a_low_bar_or_no_mark_is_no_minus():
    assert not _minus_bar(_cell_ink((4, 14, 2, 2)), GLYPH)  # a dot: not wide
    assert not _minus_bar(_cell_ink((3, 21, 5, 2)), GLYPH)  # at the foot: an underscore, a speck
    assert not _minus_bar(_cell_ink(None), GLYPH)


def test_a_speck_before_the_bar_hides_no_minus():
    # soffice and fax+dpi150 seed 1601: a 2 x 3 px speck just left of -3's bar was taken for the
    # cell's first ink, too small for a bar: the sign was lost and -3 read 3
    sub = _cell_ink((4, 14, 5, 2))
    sub[13:15, 1:3] = 255  # a speck 2 x 2 before the bar
    assert _minus_bar(sub, GLYPH) == MINUS
    dot = _cell_ink((4, 14, 2, 2))  # a speck, then a dot before the digit: still no minus
    dot[13:15, 0:2] = 255
    assert not _minus_bar(dot, GLYPH)


def test_a_short_thick_bar_is_a_minus_only_if_read_as_one():
    # curl / perspective seed 935: a hyphen narrowed to 6-7 x 5 px (glyph 19) was dropped as a speck
    assert _minus_bar(_cell_ink((5, 12, 5, 4)), GLYPH) == SHORT_MINUS
    assert _minus_bar(_cell_ink((3, 14, 5, 2)), GLYPH) == MINUS
    assert not _minus_bar(_cell_ink((7, 12, 4, 4)), GLYPH)  # square: a speck
    far = np.zeros((30, 60), np.uint8)
    far[6:23, 42:45] = 255
    far[12:16, 5:10] = 255  # the same bar 32 px (two glyphs) before the digit: no sign of it
    assert not _minus_bar(far, GLYPH)


def test_short_bar_read_as_a_dash_is_a_sign():
    cell = _filled("-3", minus=False, minus_if_read=True)
    assert cell.text == "-3" and cell.structure == 1.0


def test_short_bar_the_recogniser_left_out_doubts_the_cell():
    cell = _filled("3", minus=False, minus_if_read=True)
    assert cell.text == "3" and cell.structure <= DOUBT


def _filled(text: str, minus: bool, minus_if_read: bool = False) -> Cell:
    cell = Cell(row=0, col=0, page=1, bbox=BBox(x0=0, top=0, x1=10, bottom=10))
    job = CellJob(crops=[np.zeros((1, 1, 3), np.uint8)], boxes=[(0, 0, 1, 1)], minus=minus,
                  minus_if_read=minus_if_read)
    _fill_cell(cell, job, [Recognition(text=text, score=0.99, char_scores=[0.99] * len(text))])
    return cell


def test_minus_read_and_seen_is_kept_as_a_sign():
    cell = _filled("-3", minus=True)
    assert cell.text == "-3" and cell.structure == 1.0 and cell.confidence > 0.9


def test_minus_read_without_its_bar_is_a_stray_mark():
    cell = _filled("-3", minus=False)
    assert cell.text == "3" and cell.structure <= DOUBT


def test_a_bar_the_recogniser_left_out_doubts_the_cell():
    cell = _filled("3", minus=True)
    assert cell.text == "3" and cell.structure <= DOUBT


def test_a_row_of_specks_is_no_prose_line():
    """A fax's noise strung by the line smear into a "line" above the title took the title's
    place among the lines read on page 1 (agency and year lost)."""
    from extractor.ocr.prose_lines import _prose_rows

    ink = np.zeros((300, 800), np.uint8)
    rng = np.random.default_rng(0)
    for x in rng.integers(50, 750, 120):  # specks, 2 px, in a band 14 px tall
        y = int(rng.integers(40, 54))
        ink[y : y + 2, x : x + 2] = 255
    for x in range(100, 700, 30):  # glyphs 22 px tall
        ink[150:172, x : x + 18] = 255
    rows = _prose_rows(ink, [], 200, 22.0)
    assert len(rows) == 1 and abs(rows[0].box[1] - 150) <= 2


def test_a_shadow_at_the_page_edge_joins_no_lines():
    """An upright dark band at the page's edge (uneven light: the spine's shadow), lines tall,
    made the lines beside it one tall line: section 六's heading and its fee were lost."""
    from extractor.ocr.prose_lines import _prose_rows

    ink = np.zeros((400, 800), np.uint8)
    ink[20:380, 5:15] = 255  # the shadow's remnant
    tops = (60, 110, 160, 210)
    for y in tops:
        for x in range(100, 700, 30):
            ink[y : y + 22, x : x + 18] = 255
    rows = _prose_rows(ink, [], 200, 22.0)
    assert len(rows) == len(tops) and all(abs(r.box[1] - y) <= 2 for r, y in zip(rows, tops))


def test_specks_left_of_a_heading_do_not_take_its_left_crop():
    """Five specks of a speckled scan, strung by the smear into a run as wide as a glyph, stood
    left of 六、其他需要报告的事项: the line began there, its left crop showed paper, and section
    六's fee went unread. A run whose every piece is a speck is no text."""
    from extractor.ocr.prose_lines import _prose_rows

    ink = np.zeros((200, 900), np.uint8)
    for x, y in ((100, 62), (110, 70), (120, 58), (128, 78), (134, 80)):  # 3-4 px specks, over 1.3 em
        ink[y : y + 4, x : x + 3] = 255
    for x in range(260, 600, 30):  # glyphs 28 px tall
        ink[55:83, x : x + 22] = 255
    rows = _prose_rows(ink, [], 200, 28.0)
    assert len(rows) == 1 and abs(rows[0].box[0] - 260) <= 2



def test_specks_a_hair_left_of_a_title_start_no_line():
    """A fax's specks strung into a run a few px left of a title's first glyph — near enough to
    pass for its punctuation — read as 不 (不河西区人民政府办公室, helper-64 seed 83917). No line
    starts with a mark that small: the line begins at its first text run; punctuation after
    text stays."""
    from extractor.ocr.prose_lines import _prose_rows

    ink = np.zeros((200, 1200), np.uint8)
    for x, y in ((222, 80), (232, 82), (242, 79), (250, 81)):  # 4 px specks strung into a run 16 px left of 河
        ink[y : y + 4, x : x + 4] = 255
    for x in range(270, 900, 66):  # title glyphs 60 px tall (150 dpi: the smear joins gaps under 13 px)
        ink[55:115, x : x + 56] = 255
    ink[105:111, 935:941] = 255  # a full stop 15 px after the last glyph
    rows = _prose_rows(ink, [], 150, 22.0)
    assert len(rows) == 1 and abs(rows[0].box[0] - 270) <= 2
    assert rows[0].box[2] >= 940


def _section_six_reader(heading_probe: str):
    """Page 2's prose after table 四 (section 五 carried on from its heading above): 五's
    heading, two full body lines, 六's heading (short) whose left crop read ``heading_probe``,
    the fee line; the reader's second pass run on those left crops."""
    from extractor.ocr.engine import Recognition
    from extractor.ocr.prose import DocumentProse, ProseReader, ProseRow

    lines = [(100, 500, "五、存"), (100, 1100, "一是政"), (100, 1100, "下一步"), (80, 480, heading_probe),
             (100, 1100, "2021年"), (100, 700, "本机关")]
    rows = [ProseRow(runs=[(x0, 60 + 50 * k, x1, 90 + 50 * k)]) for k, (x0, x1, _) in enumerate(lines)]
    gray = np.full((500, 1200), 255, np.uint8)
    reader = ProseReader(rows, gray, np.zeros_like(gray), 22.0, 2, "needed", DocumentProse(last_page=1, section=4))
    probes = reader.first_pass()
    assert len(probes) == len(reader._probes)
    texts = {i: lines[i][2] for i in range(len(lines))}
    reader.second_pass([Recognition(text=texts[i], score=0.9) for i in reader._probes])
    return reader


def test_section_six_heading_with_its_separator_misread_or_lost_is_still_a_heading():
    """六、's 、 read as 1 (六1) or lost (六其) in the left crop, on a curled or warped page: the
    heading was missed, section 六 not read and the 信息处理费 lost. The line after it is read;
    a body line starting with a numeral (一是) is no heading."""
    for probe in ("六、其", "六1", "六其"):
        reader = _section_six_reader(probe)
        assert reader._heads.get(3) == 6, probe
        assert {4, 5} <= set(reader.full), probe  # section 六's lines are read in full
        assert 1 not in reader._heads and 2 not in reader.full
