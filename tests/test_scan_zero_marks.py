"""Zero marks read from their shape (issue 13, ``extractor/ocr/zero_marks.py``): a printed slash,
whole, thick or broken by a fax's threshold, is a zero; a serif 1, a broken 2, two 1s, a 1 with
dust by its foot, and specks that happen to line up are not. Bitmaps are cells as 150 dpi scans
and faxes binarised them."""

from __future__ import annotations

import functools

import numpy as np

from extractor.ocr.zero_marks import zero_mark


def _bitmap(rows: str) -> np.ndarray:
    return np.array([[255 if ch == "#" else 0 for ch in r] for r in rows.split()], np.uint8)


# a 150 dpi scan's binarised zero marks (/, serif) and a serif 1, as the cells held them
SLASH = """
......#. ....#### ...##### ...##### ...####. ...####. ...####. ..####.. ..####.. ..####..
.#####.. .#####.. .####... #####... #####... ####.... ####.... ###..... ###..... ##......"""
SLASH_WITH_BUMP = """
.........##. ........#### ........#### .......##### .......##### .......####. ......#####.
......#####. ......####.. .....#####.. .....#####.. .....####... .....####... .#..#####...
#########... .#######.... ....###..... ....###..... ...###...... ....##......"""
SERIF_ONE = """
.....#... .######.. ########. ########. ..######. ...#####. ...#####. ..######. ..######.
..######. ..#####.. ..#####.. ...####.. ..######. .#######. .######## ..######. ....#...."""


def _padded(bitmap: np.ndarray) -> np.ndarray:
    out = np.zeros((bitmap.shape[0] + 10, bitmap.shape[1] + 20), np.uint8)
    out[5 : 5 + bitmap.shape[0], 10 : 10 + bitmap.shape[1]] = bitmap
    return out


def test_thick_slanted_slash_of_a_low_dpi_scan_is_a_zero_mark():
    assert zero_mark(_padded(_bitmap(SLASH)), 20.0) == "/"
    assert zero_mark(_padded(_bitmap(SLASH_WITH_BUMP)), 20.0) == "/"


def test_serif_one_is_no_slash():
    assert zero_mark(_padded(_bitmap(SERIF_ONE)), 20.0) is None
    assert zero_mark(_padded(np.full((20, 4), 255, np.uint8)), 20.0) is None  # a sans 1: a bar


# a 2 a fax broke apart: its arc and diagonal one stroke leaning right, its hook and base apart
BROKEN_TWO = """
.###..###.. .##....###. ###....###. .......###. .......###. .......###. ......###.. .....###...
.....##.#.. ....##..... ...##...... ........... ..##...#... ########### .##########"""


def test_a_broken_two_is_no_slash():
    assert zero_mark(_padded(_bitmap(BROKEN_TWO)), 20.0) is None


# a slash a fax broke in two along its length; two 1s side by side
BROKEN_SLASH = """
......# .....## .....## .....## ....##. ....##. ....##. ....... ...##.. ...##.. ...##.. ..##...
..##... ####... .###... .##.... .##.... ##..... ##....."""
TWO_ONES = """
.##...##. ###..###. .##...##. .##...##. .##...##. .##...##. .##...##. .##...##. .##...##.
.##...##. .##...##. .##...##. .##...##. .##...##. .##...##. .##...##. ####.####"""


def test_a_slash_broken_along_its_length_is_still_a_slash():
    assert zero_mark(_padded(_bitmap(BROKEN_SLASH)), 18.0) == "/"
    assert zero_mark(_padded(_bitmap(TWO_ONES)), 18.0) is None
    assert zero_mark(_padded(_bitmap(BROKEN_TWO)), 18.0) is None


def test_specks_in_a_leaning_line_are_no_broken_slash():
    """Three specks that happen to lie on a line leaning right span a slash's box, but leave
    most of its rows blank: no zero mark (a slash a fax broke leaves short gaps only)."""
    sub = np.zeros((40, 30), np.uint8)
    for x, y in ((18, 8), (14, 17), (9, 27)):
        sub[y : y + 3, x : x + 3] = 255
    assert zero_mark(sub, 22.0) is None


# a serif 1 of a 150 dpi fax (flag, stem, foot) with dust below and left of its foot: as a
# whole its ink spans a box leaning right, its stem does not lean
ONE_WITH_DUST = """
........#... .......###.. .....######. ....#######. .....######. ......#####. .......####.
.......####. .......####. .......####. .......####. .......####. .......####. .......####.
.......####. .......####. .......#####. .....#######. .....#######. ....########. ......#####.
............ ............ ............ .##......... .##......... #........... ##.........."""


def test_a_one_with_dust_by_its_foot_is_no_slash():
    rows = ONE_WITH_DUST.split()
    bitmap = np.array([[255 if ch == "#" else 0 for ch in r.ljust(12, ".")[:12]] for r in rows], np.uint8)
    sub = np.zeros((bitmap.shape[0] + 10, bitmap.shape[1] + 20), np.uint8)
    sub[5:-5, 10:-10] = bitmap
    assert zero_mark(sub, 26.0) is None


def _under_broken_rule(mark: np.ndarray, at_bottom: bool = False) -> np.ndarray:
    """A 44×78 cell (glyph 20 px) with ``mark`` mid-cell and, 3 px from its top (or bottom) edge,
    a row rule a skewed fax broke into four thin pieces (each under 1.5 glyphs, with gaps and a
    speck): what the cells of table 三 held on fax seed 4711."""
    cell = np.zeros((44, 78), np.uint8)
    y = 36 if at_bottom else 3
    for x0, x1 in ((0, 14), (18, 33), (40, 64), (68, 78)):
        cell[y : y + 4, x0:x1] = 255
    cell[y + 7 : y + 9, 13:15] = 255  # a speck broken off the rule
    h, w = mark.shape
    cell[14 : 14 + h, 35 : 35 + w] = mark
    return cell


def test_a_slash_under_a_broken_rule_remnant_is_a_zero_mark():
    # a fax left pieces of the row rule along the cell's edge; beside them the slash looked
    # like a 2's arc over its base and was read as 1
    assert zero_mark(_under_broken_rule(_bitmap(SLASH)), 20.0) == "/"
    assert zero_mark(_under_broken_rule(_bitmap(SLASH), at_bottom=True), 20.0) == "/"


def test_a_one_or_a_two_under_a_broken_rule_remnant_is_still_no_zero_mark():
    assert zero_mark(_under_broken_rule(_bitmap(SERIF_ONE)), 20.0) is None
    assert zero_mark(_under_broken_rule(np.full((20, 4), 255, np.uint8)), 20.0) is None
    assert zero_mark(_under_broken_rule(_bitmap(BROKEN_TWO)), 20.0) is None


def test_a_dash_mid_cell_is_kept_when_a_rule_remnant_is_cleared():
    assert zero_mark(_under_broken_rule(np.full((4, 18), 255, np.uint8)), 20.0) == "—"


def _with_specks(mark: np.ndarray) -> np.ndarray:
    """``mark`` in a 36×40 cell with two fax specks (3×3, 3×2) to its right, off its line."""
    cell = np.zeros((36, 40), np.uint8)
    h, w = mark.shape
    cell[8 : 8 + h, 5 : 5 + w] = mark
    cell[14:17, 20:23] = 255
    cell[12:14, 30:33] = 255
    return cell


def test_a_broken_slash_with_fax_specks_beside_it_is_a_zero_mark():
    # fax seed 4711, 三安全一稳定 row: a slash in two pieces and two specks off its line, read as 1
    assert zero_mark(_with_specks(_bitmap(BROKEN_SLASH)), 20.0) == "/"


def test_a_broken_upright_one_with_fax_specks_is_still_no_zero_mark():
    one = np.zeros((20, 4), np.uint8)
    one[:9] = 255
    one[11:] = 255  # a sans 1 a fax broke in two: upright
    assert zero_mark(_with_specks(one), 20.0) is None


# a 200 dpi slash with a dust speck blurred against its top-left, touching it at a corner only
# (stamp_numbers seed 903: read as a 1's flag, the cell 1)
SLASH_WITH_SPECK = """
.......#... ...#..####. .####.##### ..##.#####. .....#####. ....######. ...#######. ....#####..
...######.. ...#####... ...#####... ...#####... ..######... ..#####.... ..#####.... .#####.....
.#####..... ######..... #####...... #####...... .###......."""


def test_a_dust_speck_at_a_slashs_corner_is_no_flag():
    assert zero_mark(_padded(_bitmap(SLASH_WITH_SPECK)), 24.0) == "/"
    assert zero_mark(_padded(_bitmap(SERIF_ONE)), 20.0) is None


# a serif 7 of a fax at 150 dpi (glyph 22 px): its top bar, and below it the piece of its
# downstroke the threshold left — smaller than ``zero_mark``'s dust (fax+dpi150 seed 981, table 二)
WORN_SEVEN = """
.#......##. ########### ########### .#...#####. ........... ........... ........... ...........
........... .....###... .....###... ....##..... ...###..... ....##..... ...###..... ...###.....
..###...... .#.##...... ##........."""
DASH = """
########### ########### ###########"""


def _dash_cell_job(bitmap: np.ndarray):
    from extractor.ocr.cells import _cell_job, _cell_layout

    ink = np.zeros((60, 80), np.uint8)
    ink[20 : 20 + bitmap.shape[0], 30 : 30 + bitmap.shape[1]] = bitmap
    return _cell_job(255 - ink, _cell_layout(ink, (0, 0, 80, 60), 200.0), 22.0)


def test_a_worn_seven_read_as_a_dash_is_doubted_a_printed_dash_is_not():
    seven, dash = _dash_cell_job(_bitmap(WORN_SEVEN)), _dash_cell_job(_bitmap(DASH))
    assert seven.dash == "—" and seven.doubt  # its 0 goes to a person, never ok for a 7
    assert dash.dash == "—" and not dash.doubt


def test_a_one_read_from_ink_leaning_as_a_slash_is_doubted():
    """fax+dpi150 seed 5304: a thin / broken by the fax into two pieces too far apart for
    ``broken_slash`` was read 1 at 0.81 and marked ok (a 0 of table 二 no relation checks)."""
    import cv2
    import numpy as np

    from extractor.ocr.cells import CellJob, _fill_cell
    from extractor.ocr.engine import Recognition
    from extractor.ocr.zero_marks import leans_right
    from models.extraction import BBox
    from models.page import Cell

    glyph = 20.0
    slash = np.zeros((40, 40), np.uint8)
    cv2.line(slash, (24, 8), (20, 18), 255, 1)  # upper piece
    cv2.line(slash, (18, 23), (14, 32), 255, 1)  # lower piece, a gap between
    one = np.zeros((40, 40), np.uint8)
    one[8:32, 19:22] = 255  # stem
    one[9:12, 15:19] = 255  # flag, to the left
    one[30:32, 15:26] = 255  # foot
    assert leans_right(slash, glyph) and not leans_right(one, glyph)
    for ink, structure in ((slash, 0.3), (one, 1.0)):
        cell = Cell(row=0, col=0, page=1, bbox=BBox(x0=0, top=0, x1=10, bottom=10))
        job = CellJob(crops=[np.zeros((4, 4, 3), np.uint8)], boxes=[(0, 0, 4, 4)],
                      leans=functools.partial(leans_right, ink, glyph))
        _fill_cell(cell, job, [Recognition(text="1", score=0.81, char_scores=[0.81])])
        assert cell.text == "1" and cell.structure == structure


# 150 dpi scans' slashes with dust blurred onto them (dpi150 seed 41003: read 1 and t), and a 7
# with a speck beside it from the same page: binarised as the cells held them
SLASH_DUST_SIDE = """
......##.. .....####. ....#####. ...######. ...######. ...#####.. ...#####.. ..######.. ..#####...
.######### .######### .#####.... .#####.... ######.... #####..... ####...... .#........"""
SLASH_DUST_SPECK = """
...............####.. ...............####.. ..............#####.. ..............####... ...##.......######...
...##.......######### ...##.......#####..## ...........######.... ...........######.... ...........#####.....
...........#####..... ..........#####...... ..........#####...... ..........#####...... ..........####.......
...........##........"""
SEVEN_SPECK = """
.........##########. ........############ ........############ .........########### ..............######
..............#####. ..............#####. .............#####.. .............#####.. ............#####...
............#####... .#.........######... ##.........#####.... ###........#####.... .#........#####.....
...........####..... ............##......"""
# a 2 on a 150 dpi fax whose flag the fax cut off (fax+dpi150 seed 95011): its stroke thin
# and leaning right down to its foot — read / by ``rough_slash`` until the foot's bar counted
TWO_FLAG_CUT = """
..###..#####. .####.######. .###...###### ####....##### ####.....####
.........#### .........#### ........##### ........##### ........####.
.......####.. .......###... ......###.... .....###..... ....###......
...###....... ..###........ .#####.#..... ############# #############
#############"""


def test_a_slash_with_dust_glued_on_is_read_as_a_slash_and_doubted():
    """Its box is too thick for ``zero_mark`` (the dust widens it); measured by rows it is one
    thin stroke leaning right: read /, and doubted (a person looks)."""
    from extractor.ocr.zero_marks import rough_slash

    for rows in (SLASH_DUST_SIDE, SLASH_DUST_SPECK):
        assert zero_mark(_padded(_bitmap(rows)), 20.0) is None
        assert rough_slash(_padded(_bitmap(rows)), 20.0)
        job = _dash_cell_job(_bitmap(rows))
        assert job.dash == "/" and job.doubt
    assert not rough_slash(_padded(_bitmap(TWO_FLAG_CUT)), 28.0)  # its page's glyph: the flag a speck
    for rows in (SEVEN_SPECK, SERIF_ONE, BROKEN_TWO, TWO_FLAG_CUT):
        assert not rough_slash(_padded(_bitmap(rows)), 20.0), rows
        assert _dash_cell_job(_bitmap(rows)).dash is None


def test_a_slash_as_tall_as_the_digits_under_a_labels_glyph_height_is_a_zero_mark():
    """On table 三's page the glyph height is its labels' (CJK, a full em); a sans slash stands
    as tall as the digits, 0.55 of it (grey seed 41003: 16 px under 29 px)."""
    assert _bitmap(SLASH).shape[0] == 20
    assert zero_mark(_padded(_bitmap(SLASH)), 36.0) == "/"
