"""A seal scanned grey (no colour to lift it by) over table 三's header: its ring, star and words
are taken off by their grey, the titles under it read, and the table keeps its seven columns."""

import random

import numpy as np
import pytest

from extractor.ocr.seal import find_ring, grey_seal_pixels

DPI = 200
TITLES = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
ROWS = [("一、本年新收政府信息公开申请数量", [150, 0, 4, 0, 0, 0, 154]),
        ("二、上年结转政府信息公开申请数量", [2, 0, 0, 0, 0, 0, 2]),
        ("（一）予以公开", [81, 0, 2, 0, 0, 0, 83])]


def _page(seal: bool = True) -> np.ndarray:
    """A 200 dpi page (RGB) with the head of table 三 — its three header rows and three value
    rows, seven value columns 100 px wide — and, when ``seal``, the generator's red seal
    (``scripts.samplegen.scan.seal_image``, radius 150 px) centred on the 自然人 / 商业企业 titles,
    the page then scanned grey (the seal a mid grey) and blurred a little."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    from scripts.samplegen.fonts import wqy_path
    from scripts.samplegen.scan import seal_image

    img = Image.new("RGBA", (1700, 1000), (250, 250, 248, 255))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(wqy_path()), 22)
    x0, xv = 100, 760  # the label column, then the values
    xs = [xv + 100 * k for k in range(8)]
    ys = [200, 250, 300, 380, 430, 480, 530]  # header rows 200-380, value rows below
    line = (25, 25, 25, 255)
    for y in (ys[0], ys[3], ys[4], ys[5], ys[6]):
        draw.line((x0, y, xs[-1], y), fill=line, width=2)
    draw.line((xv, ys[1], xs[-1], ys[1]), fill=line, width=2)  # under 申请人情况
    draw.line((xs[1], ys[2], xs[6], ys[2]), fill=line, width=2)  # under 法人或其他组织
    draw.line((x0, ys[0], x0, ys[-1]), fill=line, width=2)
    for k, x in enumerate(xs):
        top = ys[0] if k in (0, 7) else ys[1] if k in (1, 6) else ys[2]
        draw.line((x, top, x, ys[-1]), fill=line, width=2)

    def text(s, cx, cy):
        draw.text((cx, cy), s, font=font, fill=line, anchor="mm")

    text("（本列数据的勾稽关系为：第一项加第二项之和）", (x0 + xv) / 2, (ys[0] + ys[3]) / 2)
    text("申请人情况", (xv + xs[-1]) / 2, (ys[0] + ys[1]) / 2)
    text("法人或其他组织", (xs[1] + xs[6]) / 2, (ys[1] + ys[2]) / 2)
    text(TITLES[0], (xs[0] + xs[1]) / 2, (ys[1] + ys[3]) / 2)
    text(TITLES[6], (xs[6] + xs[7]) / 2, (ys[1] + ys[3]) / 2)
    for k in range(1, 6):
        small = ImageFont.truetype(str(wqy_path()), 15)
        draw.text(((xs[k] + xs[k + 1]) / 2, (ys[2] + ys[3]) / 2), TITLES[k], font=small, fill=line, anchor="mm")
    for r, (label, values) in enumerate(ROWS):
        cy = (ys[3 + r] + ys[4 + r]) / 2
        draw.text((x0 + 10, cy), label, font=font, fill=line, anchor="lm")
        for k, v in enumerate(values):
            text(str(v) if v else "/", (xs[k] + xs[k + 1]) / 2, cy)
    if seal:
        stamp = seal_image("清河市人民政府办公室", 150, random.Random(7))
        img.alpha_composite(stamp, (int(xs[1] - stamp.width / 2), int(ys[3] - 30 - stamp.height / 2)))
    grey = img.convert("L").filter(ImageFilter.GaussianBlur(0.6))
    return np.asarray(grey.convert("RGB"))


def test_grey_seal_pixels_are_its_own_grey_not_the_text():
    page = _page()[..., 0]
    ring = find_ring(page, DPI)
    assert ring is not None and abs(ring.cx - 860) <= 6 and abs(ring.cy - 350) <= 6
    mask = grey_seal_pixels(ring, page)
    assert mask is not None
    plain = _page(seal=False)[..., 0]
    yy, xx = np.mgrid[0 : page.shape[0], 0 : page.shape[1]]
    disc = np.hypot(xx - ring.cx, yy - ring.cy) <= ring.outer + 3
    text = (plain < 128) & disc  # the print under the seal: next to none of it is taken
    assert np.count_nonzero(mask & text) <= 0.03 * np.count_nonzero(text)
    seal_only = (page < 200) & (plain > 230)  # the seal where it lies on paper: most of it is taken
    assert np.count_nonzero(mask & seal_only) >= 0.8 * np.count_nonzero(seal_only)


def test_black_seal_has_no_grey_of_its_own():
    """A seal as dark as the text (a fax): no grey to tell it by; its ring alone is known."""
    page = _page()[..., 0].copy()
    plain = _page(seal=False)[..., 0]
    page[(page < 235) & (plain > 200)] = 30  # the seal's pixels printed black
    ring = find_ring(page, DPI)
    assert ring is not None
    assert grey_seal_pixels(ring, page) is None


@pytest.fixture(scope="module")
def engine():
    from extractor.ocr.engine import make_engine
    from extractor.settings import Settings

    return make_engine(Settings())


def test_generated_grey_seal_over_the_header_keeps_table_three_whole(engine, tmp_path_factory):
    """The generator's grey scan with the seal over table 三's numbers (``grey+stamp_numbers``,
    seed 905: the seal lies on the header of the table's first part, 自然人 and 商业企业 under its
    words): the titles are read without it, so the part maps seven columns and its three rows'
    values (read as 云 and 业企, the table lost 自然人's column and with it the rows)."""
    import json

    import pypdfium2 as pdfium

    from extractor.mapping.tables import map_tables
    from extractor.ocr.scan_page import read_scan_image
    from scripts.samplegen.scan_sources import write_kind_scan

    pdf = write_kind_scan(905, ("grey", "stamp_numbers"), tmp_path_factory.mktemp("grey-seal"), name="grey-seal")
    truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))
    number = truth["meta"]["seal"]["page"]
    doc = pdfium.PdfDocument(str(pdf))
    rgb = np.asarray(doc[number - 1].render(scale=DPI / 72).to_pil().convert("RGB"))
    doc.close()
    page = read_scan_image(rgb, DPI, number, engine, prose="none")
    out = map_tables(page.grids)
    assert out.found_applications
    assert out.titles["三"] == TITLES
    rows = ["received", "carried_over", "granted"]
    cols = ["natural_person", "commercial_enterprise", "research_institution", "public_interest_org",
            "legal_service_org", "other_org", "total"]
    for row in rows:
        for col in cols:
            key = f"applications.{row}.{col}"
            f = out.fields[key]
            assert f.value is not None and float(f.value) == truth["fields"][key], key


def _header_lost_grid(first_title: str, source=None):
    """Table 三's head as a seal left it (fax seed 908's stitched grid): the note over label
    columns 0-2, 申请人情况 over 3-9, the title over column 3 unread (``first_title``), the other six
    read; three value rows."""
    from models.extraction import Source
    from models.page import BBox, Cell, Grid

    src = source or Source.OCR
    box = BBox(x0=0, top=0, x1=1, bottom=1)
    cells = [Cell(row=0, col=0, page=1, bbox=box, row_span=3, col_span=3, text="（本列数据的勾稽关系为）", source=src),
             Cell(row=0, col=3, page=1, bbox=box, col_span=7, text="申请人情况", source=src),
             Cell(row=1, col=3, page=1, bbox=box, row_span=2, text=first_title, source=src),
             Cell(row=1, col=4, page=1, bbox=box, col_span=5, text="法人或其他组织", source=src),
             Cell(row=1, col=9, page=1, bbox=box, row_span=2, text="总计", source=src)]
    cells += [Cell(row=2, col=4 + k, page=1, bbox=box, text=t, source=src) for k, t in enumerate(TITLES[1:6])]
    for r, (label, values) in enumerate(ROWS):
        cells.append(Cell(row=3 + r, col=0, page=1, bbox=box, col_span=3, text=label, source=src))
        cells += [Cell(row=3 + r, col=3 + k, page=1, bbox=box, text=str(v), source=src) for k, v in enumerate(values)]
    return Grid(cells=cells, n_rows=6, n_cols=10, pages=[1])


@pytest.mark.parametrize("first_title", ["", "云"])
def test_value_column_left_of_the_titles_read_takes_the_first_title_for_review(first_title):
    """The numbers left of 商业企业 stand where 自然人 is printed: the column is placed under it by
    the format's order, its fields in review (never ok); the other columns as read."""
    from extractor.mapping.tables import map_tables
    from models.extraction import FieldStatus

    out = map_tables([_header_lost_grid(first_title)])
    for r, (key, (_, values)) in enumerate(zip(["received", "carried_over", "granted"], ROWS)):
        first = out.fields[f"applications.{key}.natural_person"]
        assert int(first.value) == values[0] and first.status == FieldStatus.REVIEW
        assert int(out.fields[f"applications.{key}.total"].value) == values[6]
    assert any("natural_person" in u for u in out.unmapped)


def test_no_column_inferred_on_a_text_layer():
    """A text layer's table is never guessed at: its titles are what is printed."""
    from extractor.mapping.tables import map_tables
    from models.extraction import Source

    out = map_tables([_header_lost_grid("", Source.TEXT)])
    assert out.fields["applications.received.natural_person"].value is None
