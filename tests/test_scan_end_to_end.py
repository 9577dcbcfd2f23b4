"""Scans end to end (issue 4): every field of a scanned report exact, or flagged for review.

(i) the committed scan samples (generated reports printed, stamped with a red seal over a table,
skewed, noised, JPEG'd, one page turned); (ii) scans made here of the two real reports in
../shared/corpus: each page rendered with pypdfium2 at 200 dpi, turned 1.5°, noised, JPEG 40,
written as an image-only PDF. A wrong field that is not ``status: review`` fails the test.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import CORPUS, SAMPLES, load_truth
from extractor import Extractor
from helpers_compare import exact_or_flagged
from models import DocumentStatus

SCAN_SAMPLES = sorted(SAMPLES.glob("*-scan.pdf"))
REAL = ("huaian-hongze-district-gov_2023", "huaian-hongze-district-gov_2024")


@pytest.fixture(scope="module")
def extractor():
    return Extractor()  # one recogniser for the module


@pytest.mark.parametrize("pdf", SCAN_SAMPLES, ids=lambda p: p.stem)
def test_committed_scan_exact_or_flagged(extractor, pdf):
    result = extractor.extract(pdf)
    assert result.status != DocumentStatus.FAILED, result.errors
    truth = load_truth(pdf)
    right, unflagged = exact_or_flagged(result, truth)
    assert unflagged == []
    assert right / len(truth) >= 0.99, f"{right}/{len(truth)} fields exact"


def make_scan(pdf: Path, out: Path, *, dpi: int = 200, angle: float = 1.5, noise: float = 6.0,
              quality: int = 40, seed: int = 0) -> Path:
    """An image-only PDF of ``pdf``: every page rendered, turned ``angle`` degrees, noised, JPEG'd."""
    import pypdfium2 as pdfium

    rng = np.random.default_rng(seed)
    doc = pdfium.PdfDocument(str(pdf))
    pages = []
    try:
        for i in range(len(doc)):
            img = doc[i].render(scale=dpi / 72).to_pil().convert("RGB")
            img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=(255, 255, 255))
            arr = np.asarray(img, dtype=np.float32) + rng.normal(0, noise, (img.height, img.width, 1))
            img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
            buf = io.BytesIO()
            img.save(buf, format="JPEG", quality=quality)
            pages.append(Image.open(io.BytesIO(buf.getvalue())))
    finally:
        doc.close()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=float(dpi))
    return out


@pytest.mark.parametrize("name", REAL)
def test_real_report_scanned_exact_or_flagged(extractor, tmp_path, name):
    pdf = CORPUS / f"{name}.pdf"
    if not pdf.exists():
        pytest.skip(f"the shared corpus is absent: {pdf} not found (this test scans ../shared/corpus's reports)")
    scan = make_scan(pdf, tmp_path / f"{name}-scan.pdf", seed=len(name))
    result = extractor.extract(scan)
    assert result.status != DocumentStatus.FAILED, result.errors
    assert result.report.ocr_pages and not result.report.text_pages, "the scan has no text layer"
    truth = load_truth(pdf)
    right, unflagged = exact_or_flagged(result, truth)
    assert unflagged == []
    assert right / len(truth) >= 0.9, f"{right}/{len(truth)} fields exact"


def test_a_page_whose_image_cannot_be_decoded_is_named(extractor, tmp_path):
    """A scan PDF whose second page's JPEG is damaged (its data zeroed) renders that page blank
    without any error from the renderer: the extraction says which page held nothing legible,
    and what the other pages hold is kept."""
    data = bytearray((SAMPLES / "gen-2019-blank-rects-inconsistent-scan.pdf").read_bytes())
    first = data.find(b"\xff\xd8")
    second = data.find(b"\xff\xd8", first + 10)
    end = data.find(b"\xff\xd9", second)
    data[second + 600:end] = bytes(end - second - 600)
    damaged = tmp_path / "damaged-scan.pdf"
    damaged.write_bytes(bytes(data))
    result = extractor.extract(damaged)
    blank = [e for e in result.errors if e.code == "blank_page"]
    assert len(blank) == 1 and "damaged-scan.pdf: page 2 " in blank[0].message
    assert result.status != DocumentStatus.OK
    assert result.report.agency  # page 1 was read
