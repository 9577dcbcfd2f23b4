"""The extraction pipeline: a list of stage callables run over one document.

Each stage reads and extends a ``Run`` (the document in flight) and is timed. A stage that
cannot go on raises ``ExtractionFailure``; the run then ends with status ``failed`` and the
reason in ``errors`` — never an exception out of ``extract`` — which is what a bulk run needs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from extractor.errors import ExtractionFailure, NotAReport
from extractor.limits import safe_reason
from extractor.io import DocumentSource, open_document
from extractor.settings import Settings
from models.extraction import UNMAPPED, DocumentStatus, Extraction, ExtractionIssue, ReportMeta
from models.page import Grid, PageContent, PageKind


@dataclass
class Run:
    """One document in flight through the stages."""

    path: Path
    settings: Settings
    result: Extraction
    source: DocumentSource | None = None
    kinds: list[PageKind] = field(default_factory=list)
    pages: list[PageContent] = field(default_factory=list)
    tables: list[Grid] = field(default_factory=list)  # stitched across pages, in document order
    ocr_engine: object | None = None  # the recogniser, made once per worker and reused

    def warn(self, stage: str, code: str, message: str) -> None:
        self.result.errors.append(ExtractionIssue(stage=stage, code=code, message=message))


Stage = Callable[[Run], None]


def stage_open(run: Run) -> None:
    run.source = open_document(run.path)
    meta = run.result.report
    meta.path = str(run.path)
    meta.sha256 = run.source.sha256
    meta.pages = len(run.source.pages)
    meta.source_kind = run.source.kind
    meta.encoding = run.source.encoding


def stage_classify(run: Run) -> None:
    from extractor.layout.page_kind import classify_page

    if run.source.content is not None:  # web page, Word file: read as text when opened
        run.kinds = [PageKind.TEXT] * len(run.source.content)
        run.result.report.text_pages = [p.number for p in run.source.content]
        return
    run.kinds = [classify_page(p, run.settings) for p in run.source.pages]
    meta = run.result.report
    meta.text_pages = [p.number for p, k in zip(run.source.pages, run.kinds) if k == PageKind.TEXT]
    meta.ocr_pages = [p.number for p, k in zip(run.source.pages, run.kinds) if k == PageKind.SCAN]


def stage_read(run: Run) -> None:
    from extractor.layout.text_page import read_text_page

    if run.source.content is not None:
        run.pages = list(run.source.content)
        return
    for page, kind in zip(run.source.pages, run.kinds):
        if kind == PageKind.TEXT:
            run.pages.append(read_text_page(page, run.settings))
        elif kind == PageKind.SCAN:
            from extractor.ocr.scan_page import read_scan_page

            if run.ocr_engine is None:
                from extractor.ocr.engine import make_engine

                run.ocr_engine = make_engine(run.settings)
            content = read_scan_page(page, run.settings, run.ocr_engine)
            if not content.lines and not content.grids and not content.unread_lines:  # a damaged image renders blank
                run.warn("read", "blank_page", f"{run.path.name}: page {page.number} is an image with nothing "
                         "legible on it (a blank scan, or an image that could not be decoded)")
            run.pages.append(content)
        else:
            run.pages.append(PageContent(number=page.number, width=page.width, height=page.height, kind=kind))
    if run.source.title_hint and run.pages:  # 图片版 page: its title as page 1's title line
        from extractor.io.structured import hint_title_line

        run.pages[0].lines.insert(0, hint_title_line(run.source.title_hint))


def stage_stitch(run: Run) -> None:
    from extractor.grid.stitch import stitch_tables

    run.tables = stitch_tables(run.pages)


def stage_title(run: Run) -> None:
    from extractor.layout.title import find_title

    title = find_title(run.pages)
    meta = run.result.report
    meta.title, meta.agency, meta.year = title.text, title.agency, title.year
    run.result.fields.update(title.fields)


def stage_map(run: Run) -> None:
    from extractor.mapping.tables import map_tables

    mapped = map_tables(run.tables)
    if not mapped.found_applications and _reads_as_report(run):
        _tables_unread(run)
        return
    if not mapped.found_applications:
        raise NotAReport(
            f"{run.path}: no table 三 (收到和处理政府信息公开申请情况) found on "
            f"{len(run.pages)} page(s); not an annual report in the 2021 or 2019 format",
            code="no_table",
        )
    run.result.report.layout = mapped.layout
    run.result.report.layouts = mapped.layouts.by_table()
    run.result.fields.update(mapped.fields)
    _doubt_doubtful_pages(run)
    if run.source is not None and run.source.content is not None:
        from extractor.grid.provenance import attach_provenance

        attach_provenance(run.result.fields, run.tables)
    for issue in dict.fromkeys(mapped.issues):  # one message per fault (备注 over every block: once)
        run.warn("map", "mapping", issue)
    for issue in dict.fromkeys(mapped.unmapped):  # printed cells that went nowhere: the document needs a person
        run.warn("map", UNMAPPED, issue)


def _doubt_doubtful_pages(run: Run) -> None:
    """Fields read on a page whose every value is doubted (``PageContent.doubtful``) get the
    structure doubt that sends a scanned value to review whatever the relations say. Applied to
    the fields, not the cells: doubted cells are structure evidence the mapping weighs, and
    doubting all of a page's cells lost their rows."""
    from extractor.ocr.structure import DOUBT

    doubtful = {p.number for p in run.pages if p.doubtful}
    for f in run.result.fields.values():
        if f.page in doubtful:
            f.evidence["structure"] = min(f.evidence.get("structure", 1.0), DOUBT)


REPORT_HEADINGS = ("收到和处理政府信息公开申请情况", "主动公开政府信息情况")


def _reads_as_report(run: Run) -> bool:
    """The document reads as an annual report though no table 三 was built: its title was read
    (政府信息公开…年度报告 with an agency or a year), or a page prints table 三's or table 二's
    heading. A report whose tables' structure was not recognised (outlined glyphs with no rules,
    read by OCR) is still a report: its tables go to review, it is not refused."""
    from extractor.mapping.labels import contains

    meta = run.result.report
    title = "".join((meta.title or "").split())
    if "政府信息公开" in title and "年度报告" in title and (meta.agency or meta.year):
        return True
    return any(contains(line.text, h) for page in run.pages for line in page.lines for h in REPORT_HEADINGS)


def _tables_unread(run: Run) -> None:
    """Every table field of the report's format, each awaiting a person (value None, review). The
    format cannot come from the tables' titles (none was read): the report year decides (the 2021
    format from the 2020 reports on), and the document goes to review with the reason."""
    from extractor.mapping.tables import TABLES, missing_field
    from models.fields import Layout, TableLayouts, registry

    year = run.result.report.year
    layout = Layout.L2019 if year is not None and year <= 2019 else Layout.L2021
    layouts = TableLayouts(active=layout, applications=layout)
    run.result.report.layout = layout
    run.result.report.layouts = layouts.by_table()
    source = next((c.source for g in run.tables for c in g.cells), None)
    for spec in registry(layouts):
        if spec.table in TABLES and spec.key not in run.result.fields:
            run.result.fields[spec.key] = missing_field(spec.key, source) if source else missing_field(spec.key)
    run.warn("map", UNMAPPED, f"{run.path}: no table 三 (收到和处理政府信息公开申请情况) could be built on "
             f"{len(run.pages)} page(s) of a document that reads as an annual report; every table field needs review")


FEE_KEY = "fees.information_processing"


def stage_prose(run: Run) -> None:
    """The prose's fields. On a scan whose section 六 was not found (``fee_section_read``) no
    fee sentence could be read, and on one whose text names the 信息处理费 with no amount read
    (``fee_mentioned``: 信息处理费0 with its 元 on a line not read) the sentence was read in part
    (``unread_fee``): either way the fee is a missing field in review (a person reads section
    六), not silently absent. A text layer shows all its text, so there an absent fee is not stated."""
    from extractor.mapping.cell_field import missing_field
    from extractor.mapping.prose import prose_fields, unread_fee
    from models.extraction import Source

    fields = prose_fields(run.pages)
    run.result.fields.update(fields)
    if FEE_KEY in fields or not run.result.report.ocr_pages:
        return
    if reason := unread_fee(run.pages):
        run.result.fields[FEE_KEY] = missing_field(FEE_KEY, Source.OCR)
        run.warn("prose", "fee_unread", f"{run.path}: {reason}")


def stage_validate(run: Run) -> None:
    from extractor.validate import validate

    validate(run.result, review_threshold=run.settings.review_threshold, pages=run.pages)


STAGES: list[tuple[str, Stage]] = [
    ("open", stage_open),
    ("classify", stage_classify),
    ("read", stage_read),
    ("stitch", stage_stitch),
    ("title", stage_title),
    ("map", stage_map),
    ("prose", stage_prose),
    ("validate", stage_validate),
]
# stages whose failure costs only what they add: the fields already read are kept
OPTIONAL_STAGES = {"title", "prose", "validate"}


def run_stages(run: Run, stages: list[tuple[str, Stage]] = STAGES) -> Extraction:
    """Run ``stages`` in order, timing each; end with a status and errors, never raise."""
    result = run.result
    try:
        for name, stage in stages:
            start = time.perf_counter()
            try:
                stage(run)
            except ExtractionFailure as e:
                result.errors.append(ExtractionIssue(stage=name, code=e.code, message=safe_reason(e.message), fatal=True))
                result.status = DocumentStatus.FAILED
                return result
            except Exception as e:  # a bug or an unforeseen file: record it, keep the batch alive
                optional = name in OPTIONAL_STAGES
                result.errors.append(
                    ExtractionIssue(
                        stage=name, code="internal_error", message=f"{type(e).__name__}: {safe_reason(e)}", fatal=not optional
                    )
                )
                if optional:
                    result.status = DocumentStatus.REVIEW
                    continue
                result.status = DocumentStatus.FAILED
                return result
            finally:
                result.timings[name] = round(time.perf_counter() - start, 6)
    finally:
        if run.source is not None:
            run.source.close()
    return result


def extract(path: str | Path, settings: Settings | None = None, *, ocr_engine: object | None = None) -> Extraction:
    """Extract every canonical field of one report. Never raises for a bad file: see ``status``."""
    run = Run(path=Path(path), settings=settings or Settings(), result=Extraction(report=ReportMeta()))
    run.ocr_engine = ocr_engine
    return run_stages(run)


class Extractor:
    """A reusable extractor: holds the settings and the OCR engine (loaded once, on first scan).

    Bulk workers make one of these each and call ``extract`` for every document.
    """

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self._engine: object | None = None

    def extract(self, path: str | Path) -> Extraction:
        run = Run(path=Path(path), settings=self.settings, result=Extraction(report=ReportMeta()))
        run.ocr_engine = self._engine
        result = run_stages(run)
        self._engine = run.ocr_engine
        return result
