"""Text the text layer shows but cannot decode never becomes a confident printed zero.

reportlab's STSong-Light (a CID font, not embedded) draws each cell as its own text object; pdfium
decodes none of a lone glyph of it (a single digit: the cell reads empty, i.e. a printed 0). The
reader counts such objects (``TextLayer.unread_points``) and reads the page with pdfminer instead;
where no other reading is at hand, the cells holding them are not positively empty and their
fields go to review (``numbers.unsure_empty``). The kind comes from the generator
(``scripts/samplegen/wild.py`` kind ``reportlab_cid``: a 2019 table 二 with the block labels in the
column-title rows).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

pytest.importorskip("reportlab", reason="reportlab (a dev dependency) draws the CID-font report")

import pypdfium2 as pdfium  # noqa: E402

from extractor import extract  # noqa: E402
from extractor.io.text_layer import TextLayer, from_pdfium  # noqa: E402
from extractor.layout.text_page import read_text_page  # noqa: E402
from extractor.mapping.active import map_active  # noqa: E402
from extractor.mapping.numbers import unsure_empty  # noqa: E402
from extractor.settings import Settings  # noqa: E402
from helpers_compare import exact_or_flagged  # noqa: E402
from models import DocumentStatus  # noqa: E402
from models.extraction import FieldStatus  # noqa: E402
from scripts.samplegen.wild import write_wild  # noqa: E402

SEED = 71


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    pdf = write_wild("reportlab_cid", SEED, tmp_path_factory.mktemp("rl"))
    truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))["fields"]
    return pdf, truth


def test_pdfium_lone_glyphs_are_counted_unread(report):
    pdf, truth = report
    doc = pdfium.PdfDocument(str(pdf))
    try:
        unread = sum(len(from_pdfium(page).unread_points) for page in doc)
    finally:
        doc.close()
    # every one-character cell of the report (a single digit, a printed 0) is such an object
    assert unread > 0


def test_cid_font_report_exact(report):
    pdf, truth = report
    result = extract(pdf)
    assert result.status != DocumentStatus.FAILED, result.errors
    right, unflagged = exact_or_flagged(result, truth)
    assert unflagged == []
    assert right == len(truth), (right, len(truth))
    assert result.report.layouts["二"] == "2019"
    lone = [k for k, v in truth.items() if k.startswith("active.") and isinstance(v, int) and 0 < v < 10]
    assert all(result.fields[k].value == truth[k] for k in lone)


@dataclass
class _PdfiumOnly:
    """A page as pdfium alone reads it (no pdfminer to fall back on)."""

    number: int
    width: float
    height: float
    layer: TextLayer

    def text_layer(self) -> TextLayer:
        return self.layer


def test_cells_over_unread_text_are_never_confident_zeros(report):
    pdf, truth = report
    doc = pdfium.PdfDocument(str(pdf))
    try:
        pages = []
        for i, page in enumerate(doc):
            w, h = page.get_size()
            pages.append(read_text_page(_PdfiumOnly(i + 1, w, h, from_pdfium(page)), Settings()))
    finally:
        doc.close()
    grids = [g for p in pages for g in p.grids]
    active = map_active(grids)
    lost = [f for k, f in active.fields.items() if k in truth and truth[k] not in (0, None) and not f.raw.strip()]
    assert lost, "pdfium alone was expected to lose some lone digits of table 二"
    assert all(f.status == FieldStatus.REVIEW for f in lost), [f.key for f in lost if f.status != FieldStatus.REVIEW]
    wrong_ok = [k for k, f in active.fields.items() if f.status == FieldStatus.OK and f.value != truth.get(k)]
    assert wrong_ok == []


def test_unsure_empty():
    assert unsure_empty("", 0.0) and unsure_empty("  ", 0.3)
    assert not unsure_empty("", 1.0)  # positively empty: a printed zero
    assert not unsure_empty("0", 0.0)  # a read value is judged by its own parse
