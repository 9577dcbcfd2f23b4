"""The shapes the review queue hands out: one set for the web pages, the JSON API and the CLI.

Values are JSON numbers (ints, decimals as floats) or text, like ``Extraction.to_output()``;
``*_text`` fields carry the exact stored text (``"7730.28"``) for display.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, field_validator

JsonValue = int | float | str | None
State = Literal["open", "claimed", "done", "all"]
How = Literal["accept", "suggestion", "typed"]


def jv(v) -> JsonValue:
    """A stored value as JSON: Decimal as float, others unchanged."""
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() and "." not in str(v) else float(v)
    return v


def text_of(v) -> str:
    if v is None:
        return ""
    return str(v)


class QueueItem(BaseModel):
    field_id: int
    report_id: int
    key: str
    label: str = Field(description="table › group › row › column, as printed")
    value: JsonValue = Field(description="the reviewed value where a person gave one, else the value as printed")
    printed: JsonValue = Field(description="the value as extracted (never changed by review)")
    raw: str | None = None
    confidence: float | None = None
    status: str | None = Field(None, description="the extractor's field status: ok | review")
    state: Literal["open", "claimed", "done"]
    claimed_by: str | None = None
    claim_expires: datetime | None = None
    reviewed_by: str | None = None
    version: int
    broken_relations: list[str] = Field(default_factory=list, description="ids of broken relations the field is a term of")
    rules: list[str] = Field(default_factory=list)
    has_suggestion: bool = False
    tier: int = Field(description="0: broken relation and flagged/suggested, 1: broken relation, 2: low confidence only")


class ReportGroup(BaseModel):
    report_id: int
    agency: str | None = None
    year: int | None = None
    title: str | None = None
    items: list[QueueItem]


class QueueOut(BaseModel):
    state: State
    total: int = Field(description="items in this view (all groups)")
    groups: list[ReportGroup]


class Term(BaseModel):
    key: str
    label: str
    value: JsonValue
    reviewed: bool = False
    current: bool = Field(False, description="the field this item is about")
    field_id: int | None = None


class RelationNow(BaseModel):
    id: str
    rule: str
    description: str
    lhs_terms: list[Term]
    rhs_terms: list[Term]
    lhs: JsonValue = None
    rhs: JsonValue = None
    difference: JsonValue = None
    status: Literal["ok", "broken", "missing"]


class SuggestionOut(BaseModel):
    number: int = Field(description="1–3: the key that takes it on the item page")
    suggested: JsonValue
    printed: JsonValue
    probability: float
    kind: str
    rank: int
    restores: list[str]


class AuditOut(BaseModel):
    id: int
    field_key: str
    who: str
    at: datetime
    how: str
    old: JsonValue
    new: JsonValue
    note: str | None = None


class OtherSourceOut(BaseModel):
    """The report's other source (a web page and its own attachment) printing this field differently."""
    report_id: int
    field_id: int
    value: JsonValue = Field(description="the other source's value (its reviewed value if reviewed)")
    printed: JsonValue
    reviewed_by: str | None = None
    name: str | None = Field(None, description="the other source's file name")
    kind: str = Field(description="what the other source is: page or attachment")
    description: str | None = None


class ItemOut(BaseModel):
    item: QueueItem
    agency: str | None
    year: int | None
    title: str | None
    page: int | None
    bbox: dict | None = Field(None, description="PDF points, origin top-left")
    source: str | None
    provenance: dict | None = Field(None, description="web pages and Word files: the source cell "
                                    "(kind, table, row, col, spans, HTML element path)")
    reviewed_value: JsonValue = None
    reviewed_at: datetime | None = None
    relations: list[RelationNow]
    suggestions: list[SuggestionOut]
    history: list[AuditOut]
    crop_url: str
    other_sources: list[OtherSourceOut] = Field(default_factory=list, description="the report's other source "
                                                "where it prints this field differently (a broken sources-agree check)")
    prev_id: int | None = None
    next_id: int | None = None


class ReviewIn(BaseModel):
    how: How
    value: JsonValue = Field(None, description="the correction (typed) or the suggested value (suggestion); ignored for accept")
    suggestion: int | None = Field(None, ge=1, le=3, description="suggestion number (1–3) when how=suggestion")
    version: int = Field(ge=0, le=2**63 - 1,
                         description="the version of the field you read; a save over a newer version is refused (409)")
    confirm_out_of_range: bool = Field(
        False, description="admins only: save a value outside the field's plausible range (counts 0…10⁹) on purpose")

    @field_validator("value", mode="before")
    @classmethod
    def _number_or_text(cls, v):
        """A value is a JSON number, a string or null: ``true``/``false`` are not counts (pydantic
        would take them as 1/0), and lists/objects are not values — a 422, nothing saved."""
        if v is None or (isinstance(v, (int, float, str)) and not isinstance(v, bool)):
            return v
        raise ValueError(f"value must be a number or a string, not {type(v).__name__}")


class ReviewOut(BaseModel):
    item: QueueItem
    relations: list[RelationNow]
    broken_relations_in_report: int
    next_id: int | None = None


class ErrorOut(BaseModel):
    detail: str


class UserOut(BaseModel):
    name: str
    role: str
