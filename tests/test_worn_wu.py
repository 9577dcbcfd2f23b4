"""A 无 worn to its downstrokes by a fax's threshold (issue 13, ``extractor/ocr/worn_wu.py``): read
as 九, ん, h …, it is a 无 by its likeness to the page's own sure 无s — doubted, its reading kept
as an alternative; digits as big as a 无 are not like it. Bitmaps are cells of the
fax+pen_tick+dpi150 seed 5214 page that lost half of table 三's rows."""

from __future__ import annotations

import numpy as np

from extractor.mapping.numbers import looks_numeric
from extractor.ocr.structure import DOUBT
from extractor.ocr.worn_wu import glyph_ink, read_worn_wu
from models.extraction import Alternative, BBox
from models.page import Cell

GLYPH = 23.0

WU = ["""
....###.....####. ...####.....####. ...#####......... ...####.......... ....###..........
....###.......... ....###.......... ...#####.....#### ..########...#### .#########.......
..#######........ ...######........ ..#######........ ..###..##........ .####.###........
.###..###........ ###...####....... ##.....###....... ......#####...### ......###########
.......########## ........########. ...........#..#..""", """
....#####....####.. ....#####.......... ....####........... .....##............
....###............ ....#####.......... ...########........ ..#########........
...########........ ....######......... ...#######......... ..########.........
..####.###......... ..####..##......... .####...##......... .##.....##.........
###.....###.....##. ##......########### ........########### ........###########
.........###.#####.""", """
...#####......... ...#####......... ...#####......... ...####.......... ...####..........
...####.......... ...####.......... ..#########...... ..########....... ...######........
...######........ ...######........ ..###.###........ ..##...##........ .###...##........
####...##........ .#.....###.....## .......####...### .......########## .......##########
........#######.."""]
NINE = """
.....##............ ....####........... ...#####........... ....####........... ....####...........
....####........... ....####........... ...######.......... ...#######......... ...########........
...########........ ...########........ ...########........ ...########........ ...###.####........
..###..####........ ####...###......... ###....###......... .......####.....### ........###########
........########### ............####..."""
N_KANA = """
...###........... ..####........... ..####........... ..####........... ..####...........
..####........... ..####........... ..#####......###. ..######.....#### ..#######.....##.
..#######........ ..#######........ .########........ .########........ .###.####........
.##..####........ ##....###........ ##....###........ #....#####....##. .....############
......########### .......#########."""
TWO = """
.###...####. ####...##### ####...##### ###.....#### ........#### ........#### ........####
......###### ......####.. ......###... .......#.... ............ ............ ............
..##........ .####..#.... ###########. ############ ###########."""
THREE = """
...##... ...###.. ...####. ...####. ...####. ...####. ...####. ..#####. .#####.. ######..
.######. ...##### ....#### ....#### ....#### ...##### ..#####. ..#####. ...###.."""


def _bitmap(rows: str) -> np.ndarray:
    return np.array([[255 if ch == "#" else 0 for ch in r] for r in rows.split()], np.uint8)


def _cell(text: str, confidence: float) -> Cell:
    return Cell(row=0, col=0, page=1, bbox=BBox(x0=0, top=0, x1=10, bottom=10), text=text, confidence=confidence)


def _page(worn: list[tuple[str, float, str]]):
    cells = [_cell("无", 0.94), _cell("无", 0.9), _cell("无", 0.999)] + [_cell(t, c) for t, c, _ in worn]
    masks = [_bitmap(b) for b in WU] + [_bitmap(b) for _, _, b in worn]
    return cells, masks


def test_a_worn_wu_read_as_another_glyph_is_read_by_the_pages_own_wu():
    cells, masks = _page([("九", 0.64, NINE), ("ん", 0.48, N_KANA), ("2", 0.999, TWO), ("3", 0.999, THREE)])
    assert not looks_numeric("九") and not looks_numeric("ん")  # read so, the row was no value row
    assert read_worn_wu(cells, masks) == 2
    nine, kana, two, three = cells[3:]
    for cell, was in ((nine, "九"), (kana, "ん")):
        assert cell.text == "无" and looks_numeric(cell.text)
        assert cell.structure <= DOUBT  # a likeness, not a reading: a person confirms its 0
        assert cell.alternatives[0].text == was
    for cell, was in ((two, "2"), (three, "3")):  # digits are not like a 无
        assert cell.text == was and cell.structure == 1.0
    assert all(c.text == "无" and c.structure == 1.0 for c in cells[:3])


def test_no_print_of_wu_to_go_by_changes_nothing():
    cells, masks = _page([("九", 0.64, NINE)])
    cells[2].confidence = 0.5  # two sure 无s are not enough to know the page's print
    assert read_worn_wu(cells, masks) == 0
    assert cells[3].text == "九" and cells[3].structure == 1.0


def test_a_speck_beside_the_ink_does_not_set_its_box():
    worn = _bitmap(NINE)
    specked = np.zeros((worn.shape[0] + 6, worn.shape[1]), np.uint8)
    specked[6:] = worn
    specked[0, 2] = 255  # a fax's flipped pixel above the glyph
    assert glyph_ink(specked, GLYPH).shape == worn.shape
    cells, masks = _page([("九.", 0.13, NINE)])
    masks[3] = glyph_ink(specked, GLYPH)
    assert read_worn_wu(cells, masks) == 1 and cells[3].text == "无"


def test_a_worn_wu_the_recogniser_also_read_as_wu_is_not_doubted():
    """死 with 无 as its next reading: the mapping took its 0 from that alternative before, and the
    relations could vouch for it; read 无 now (its row a value row), it is no more doubted than then."""
    cells, masks = _page([("死", 0.83, N_KANA)])
    cells[3].alternatives = [Alternative(text="无", score=0.077), Alternative(text="形", score=0.026)]
    assert read_worn_wu(cells, masks) == 1
    wu = cells[3]
    assert wu.text == "无" and wu.structure == 1.0 and wu.confidence == 0.83
    assert [a.text for a in wu.alternatives] == ["死", "形"]
