"""A report published as images inside its web page (图片版): when the saved page folder holds the
images, they are read by the scan path; the page's own title names the report."""

from __future__ import annotations

import json
from pathlib import Path

from helpers_compare import exact_or_flagged

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "gen-2021-break-dash.pdf"


def test_image_page_folder_read_as_scan(tmp_path):
    import pypdfium2 as pdfium

    from extractor import extract

    folder = tmp_path / "t20240120_1"
    (folder / "page_files").mkdir(parents=True)
    pdf = pdfium.PdfDocument(str(SAMPLE))
    imgs = ""
    for i in range(len(pdf)):
        pdf[i].render(scale=200 / 72).to_pil().convert("RGB").save(folder / "page_files" / f"p{i + 1}.png", dpi=(200, 200))
        imgs += f'<p style="text-align:center"><img src="./page_files/p{i + 1}.png?v=2" width="600"></p>'
    n_pages = len(pdf)
    pdf.close()
    (folder / "page_files" / "logo.gif").write_bytes(b"GIF89a" + b"\0" * 100)  # chrome: too small to be a page
    # a banner strip over 20 KB (2000 × 40 px of noise): not the shape of a page, left out (as a
    # page it would be refused, image_not_a_page, and the report with it)
    import numpy as np
    from PIL import Image

    banner = np.random.default_rng(0).integers(0, 255, (40, 2000, 3), dtype=np.uint8)
    Image.fromarray(banner).save(folder / "page_files" / "banner.png")
    assert (folder / "page_files" / "banner.png").stat().st_size > 20_000
    imgs = '<img src="./page_files/banner.png">' + imgs
    title = "白云县自然资源和规划局2023年政府信息公开工作年度报告"
    (folder / "index.html").write_text(
        f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}（图片版）"></head><body>'
        f'<div class="nav"><a href="/">首页</a><img src="page_files/logo.gif"></div>'
        f'<div class="content"><h1>{title}（图片版）</h1>{imgs}<img src="../../etc/passwd.png"></div></body></html>',
        encoding="utf-8")
    result = extract(folder)
    truth = json.loads(SAMPLE.with_name(SAMPLE.stem + ".truth.json").read_text(encoding="utf-8"))["fields"]
    assert result.fatal_error is None, result.errors
    assert result.report.source_kind == "images" and result.report.pages == n_pages
    right, unflagged = exact_or_flagged(result, truth)
    assert unflagged == []
    assert right >= len(truth) - 3
    assert (result.report.agency, result.report.year) == ("白云县自然资源和规划局", 2023)

    # the review crop of a field comes from the page's own image
    from extractor.review.crop import CropRenderer

    f = result.fields["applications.received.total"]
    png = CropRenderer(tmp_path / "crops").crop_png(str(folder), result.report.sha256, f.page, f.bbox,
                                                    bbox_px=f.bbox_px, dpi=f.dpi)
    assert png.startswith(b"\x89PNG") and len(png) > 1000
