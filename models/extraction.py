"""The extraction result: what every stage hands to the next, and what every consumer reads."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum


from pydantic import BaseModel, Field as PydField, field_serializer

from models.fields import Layout, TableLayouts

EXTRACTOR_VERSION = "0.1.0"


class BBox(BaseModel):
    """A box in PDF points, origin top-left of the page (pdfplumber's convention)."""

    x0: float
    top: float
    x1: float
    bottom: float

    def union(self, other: "BBox") -> "BBox":
        return BBox(
            x0=min(self.x0, other.x0), top=min(self.top, other.top),
            x1=max(self.x1, other.x1), bottom=max(self.bottom, other.bottom),
        )

    def scaled(self, factor: float) -> "BBox":
        return BBox(x0=self.x0 * factor, top=self.top * factor, x1=self.x1 * factor, bottom=self.bottom * factor)


class Source(StrEnum):
    TEXT = "text"
    OCR = "ocr"


class FieldStatus(StrEnum):
    OK = "ok"
    REVIEW = "review"


Value = int | Decimal | str | None


class Alternative(BaseModel):
    """Another reading of a cell the recogniser considered, with its probability."""

    text: str
    score: float


class SourceRef(BaseModel):
    """Where a value sits in a structured source (web page, Word file), which has no page box.

    ``table`` counts the document's tables from 0 in reading order; ``row`` and ``col`` are the
    cell's first grid row and column (0-based, spans laid out as a browser or Word does);
    ``path`` is the HTML element's path in the page (``/html/body/div[2]/table[1]/tbody/tr[5]/td[3]``)
    or the Word table's place (``body/tbl[2]``, ``txbx/tbl[1]`` for a table in a text box).
    """

    kind: str  # "html" | "docx"
    table: int
    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    path: str | None = None


class Field(BaseModel):
    """One canonical field as read from the document. ``value`` is what is printed, never fixed."""

    key: str
    value: Value = None
    raw: str = ""  # the text as printed ("", "—", "无" are kept here; value is then 0)
    confidence: float = 1.0
    page: int | None = None  # 1-based
    bbox: BBox | None = None  # PDF points
    bbox_px: BBox | None = None  # pixels of the rendered page (OCR only)
    dpi: float | None = None  # the dpi bbox_px refers to
    source: Source = Source.TEXT
    status: FieldStatus = FieldStatus.OK
    alternatives: list[Alternative] = PydField(default_factory=list)  # OCR: other readings
    char_scores: list[float] = PydField(default_factory=list)  # OCR: per-character scores
    # the parts of the confidence; ``mapped`` 0.0: mapping doubts the cell (a row label or column
    # title not positively matched, an amount with no printed unit) and the field stays ``review``
    evidence: dict[str, float] = PydField(default_factory=dict)
    unit: str | None = None  # an amount's unit as printed (元 / 万元); ``value`` is in the registry's unit
    provenance: SourceRef | None = None  # web pages and Word files: the table cell it was read from

    @field_serializer("value")
    def _value_json(self, v: Value):  # decimals as JSON numbers, not strings
        if isinstance(v, Decimal):
            return float(v)
        return v


class CheckStatus(StrEnum):
    OK = "ok"
    BROKEN = "broken"
    MISSING = "missing"  # a term of the relation was not extracted


class Check(BaseModel):
    """One relation evaluated on one extraction."""

    relation: str  # relation id, e.g. "row-total:received"
    rule: str
    description: str
    severity: str = "error"
    fields: list[str]
    values: dict[str, float | int | None]
    lhs: float | int | None = None
    rhs: float | int | None = None
    difference: float | int | None = None
    status: CheckStatus


class SuggestionKind(StrEnum):
    MISREAD = "misread"  # the recogniser likely read the cell wrong
    SOURCE = "source"  # the document itself prints an inconsistent number


class Suggestion(BaseModel):
    field: str
    printed: Value
    suggested: Value
    probability: float
    restores: list[str]  # relation ids that hold after the change
    kind: SuggestionKind
    rank: int = 1  # 1 = most likely, within its group of broken relations
    repair: int = 0  # suggestions with the same repair id are one repair (a two-cell change)

    @field_serializer("printed", "suggested")
    def _value_json(self, v: Value):
        return float(v) if isinstance(v, Decimal) else v


class ReportMeta(BaseModel):
    agency: str | None = None
    year: int | None = None
    title: str | None = None
    layout: Layout = Layout.L2021  # table 三's layout, which the relations follow
    # what was found per table, from its printed headers: {"二": "2019", "三": "2021", "四": "2021"}
    layouts: dict[str, Layout] = PydField(default_factory=dict)
    pages: int = 0
    text_pages: list[int] = PydField(default_factory=list)
    ocr_pages: list[int] = PydField(default_factory=list)
    path: str | None = None
    sha256: str | None = None
    source_kind: str | None = None  # pdf, images, html, docx (a .doc/.wps is converted to docx)
    encoding: str | None = None  # web pages: the encoding the text was decoded with


class DocumentStatus(StrEnum):
    OK = "ok"  # every field found, nothing for a person to look at
    REVIEW = "review"  # extracted, some fields or relations need a person
    FAILED = "failed"  # nothing usable: see errors


# ExtractionIssue.code of a printed column or row the format does not know (its cells went
# nowhere) or of values placed by position for want of titles: the document is ``review``.
UNMAPPED = "unmapped"


class ExtractionIssue(BaseModel):
    """An error or warning met while extracting, kept instead of raising."""

    stage: str
    code: str
    message: str
    fatal: bool = False


class Extraction(BaseModel):
    report: ReportMeta = PydField(default_factory=ReportMeta)
    fields: dict[str, Field] = PydField(default_factory=dict)
    checks: list[Check] = PydField(default_factory=list)
    suggestions: list[Suggestion] = PydField(default_factory=list)
    status: DocumentStatus = DocumentStatus.OK
    errors: list[ExtractionIssue] = PydField(default_factory=list)
    timings: dict[str, float] = PydField(default_factory=dict)  # seconds per stage
    extractor_version: str = EXTRACTOR_VERSION

    def table_layouts(self) -> TableLayouts:
        """The layout of each table: as recorded in ``report.layouts``, else implied by the keys."""
        rec = self.report.layouts
        if rec:
            return TableLayouts(active=rec.get("二", Layout.L2021), applications=rec.get("三", self.report.layout))
        implied = TableLayouts.of_keys(self.fields)
        return TableLayouts(active=implied.active, applications=Layout(self.report.layout))

    def value(self, key: str) -> Value:
        f = self.fields.get(key)
        return None if f is None else f.value

    def values(self) -> dict[str, Value]:
        return {k: f.value for k, f in self.fields.items()}

    @property
    def fatal_error(self) -> ExtractionIssue | None:
        return next((e for e in self.errors if e.fatal), None)

    def to_output(self) -> dict:
        """The public JSON shape: report, fields, checks (plus suggestions, status, errors)."""
        return self.model_dump(mode="json")


