"""The database tables of a store (SQLAlchemy 2 declarative models).

The schema itself is created and evolved by the Alembic migrations in ``migrations/``; these
classes must describe the same tables (``tests/test_store.py`` checks that the migrated schema
and this metadata agree). Field keys, relation ids and rule ids are plain strings here: their
vocabulary lives in ``models/`` and is never restated in the database.

Tables
------
documents     one row per distinct file content (``sha256`` unique): outcome, errors, timings
reports       the report read from a document (one per document that did not fail)
fields        one row per canonical field of a report, with provenance and the review columns
checks        the in-document relations evaluated on a report
suggestions   ranked repairs proposed for broken relations
audit_log     every change a person made to a field (kept even if the report is re-extracted)
cross_checks  cross-document relations between a report and the same agency's previous year
review_users  the people of the review app (argon2 hashes); review_settings its key/value store
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false as sa_false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Document(Base):
    """One input file, keyed by its content. ``status`` is a ``models.DocumentStatus`` value."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    path: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(BigInteger)
    pages: Mapped[int | None] = mapped_column(Integer)
    text_pages: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    ocr_pages: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    source_kind: Mapped[str | None] = mapped_column(String(16))  # pdf, images, html, docx
    encoding: Mapped[str | None] = mapped_column(String(32))  # web pages: the encoding decoded with
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    error_code: Mapped[str | None] = mapped_column(String(64), index=True)
    error_message: Mapped[str | None] = mapped_column(Text)
    errors: Mapped[list | None] = mapped_column(JSON(none_as_null=True))  # every ExtractionIssue, fatal or not
    timings: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))  # seconds per pipeline stage
    extractor_version: Mapped[str | None] = mapped_column(String(32), index=True)
    # metadata given with the input (a manifest CSV), not read from the document
    source_url: Mapped[str | None] = mapped_column(Text)
    manifest_agency: Mapped[str | None] = mapped_column(Text)
    manifest_year: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, nullable=False
    )

    report: Mapped["Report | None"] = relationship(back_populates="document", cascade="all, delete-orphan")


class Report(Base):
    """The report a document holds. The row is kept (same id) when its document is re-extracted."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_agency_year", "agency", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    agency: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    layout: Mapped[str | None] = mapped_column(String(16))  # table 三's layout
    layouts: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))  # per table: {"二": "2019", …}
    title: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, nullable=False
    )

    document: Mapped[Document] = relationship(back_populates="report")
    fields: Mapped[list["FieldRow"]] = relationship(
        back_populates="report", cascade="all, delete-orphan", passive_deletes=True
    )


class FieldRow(Base):
    """One canonical field of one report.

    ``value_text`` is the exact value (``str(int)``, ``str(Decimal)`` or the text) and
    ``value_type`` its type (``int``/``decimal``/``text``; NULL when the value is None);
    ``value_num`` is the same value as a float, for SQL arithmetic and sorting.

    Review columns: ``reviewed_value`` (text, same encoding as ``value_text``), ``reviewed_by``,
    ``reviewed_at``; ``version`` increases on every change to the row (optimistic concurrency:
    ``UPDATE … WHERE id = ? AND version = ?``); ``claimed_by``/``claim_expires`` let a reviewer
    hold a field for a while.
    """

    __tablename__ = "fields"
    __table_args__ = (
        UniqueConstraint("report_id", "key", name="uq_fields_report_id_key"),
        Index("ix_fields_key_status", "key", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(String(128), nullable=False)
    value_text: Mapped[str | None] = mapped_column(Text)
    value_num: Mapped[float | None] = mapped_column(Float)
    value_type: Mapped[str | None] = mapped_column(String(16))
    raw: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)
    page: Mapped[int | None] = mapped_column(Integer)
    bbox: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))  # PDF points, top-left origin
    bbox_px: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))  # pixels at ``dpi`` (OCR only)
    dpi: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str | None] = mapped_column(String(16))
    alternatives: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    char_scores: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    evidence: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    unit: Mapped[str | None] = mapped_column(String(16))  # an amount's unit as printed (元 / 万元)
    provenance: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))  # web/Word: table, row, col, path
    reviewed_value: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(128))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claim_expires: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, nullable=False
    )

    report: Mapped[Report] = relationship(back_populates="fields")


class CheckRow(Base):
    """One relation (``models.relations``) evaluated on one report."""

    __tablename__ = "checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True
    )
    relation: Mapped[str] = mapped_column(String(128), nullable=False)
    rule: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    description: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    lhs: Mapped[float | None] = mapped_column(Float)
    rhs: Mapped[float | None] = mapped_column(Float)
    difference: Mapped[float | None] = mapped_column(Float)
    fields: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    values: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))


class SuggestionRow(Base):
    """A proposed repair of one field; ``printed``/``suggested`` encoded like ``value_text``."""

    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True
    )
    field_key: Mapped[str] = mapped_column(String(128), nullable=False)
    printed: Mapped[str | None] = mapped_column(Text)
    suggested: Mapped[str | None] = mapped_column(Text)
    probability: Mapped[float | None] = mapped_column(Float)
    kind: Mapped[str | None] = mapped_column(String(16))
    restores: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    rank: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    repair: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")


class AuditRow(Base):
    """One change a person made to a field. ``how``: ``suggestion`` | ``typed`` | ``accept``.

    Tied to the document and the field key (not only the field row), so the history survives a
    re-extraction of the document.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_document_key", "document_id", "field_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    field_id: Mapped[int | None] = mapped_column(ForeignKey("fields.id", ondelete="SET NULL"))
    field_key: Mapped[str] = mapped_column(String(128), nullable=False)
    who: Mapped[str] = mapped_column(String(128), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    how: Mapped[str] = mapped_column(String(16), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)


class CrossCheckRow(Base):
    """A cross-document relation between ``report_id`` (this year) and ``previous_report_id``."""

    __tablename__ = "cross_checks"
    __table_args__ = (
        UniqueConstraint("report_id", "previous_report_id", "relation", name="uq_cross_checks_pair_relation"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True
    )
    previous_report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True
    )
    relation: Mapped[str] = mapped_column(String(128), nullable=False)
    rule: Mapped[str] = mapped_column(String(64), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    lhs: Mapped[float | None] = mapped_column(Float)
    rhs: Mapped[float | None] = mapped_column(Float)
    difference: Mapped[float | None] = mapped_column(Float)
    fields: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    values: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class ReviewUser(Base):
    """A person who may review: ``role`` reviewer or admin; ``password_hash`` is argon2."""

    __tablename__ = "review_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False, unique=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    password_hash: Mapped[str] = mapped_column(Text, nullable=False)
    disabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class ReviewSetting(Base):
    """Key/value settings of the review app (the key that signs session cookies)."""

    __tablename__ = "review_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class ApiToken(Base):
    """A token a script sends as ``Authorization: Bearer``; only its sha256 is stored (migration 0005)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("review_users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)  # the first characters, to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Upload(Base):
    """One file submitted over HTTP, kept on disk until extracted (migration 0005).

    ``state``: ``queued`` → ``running`` → ``done`` (its document row has the outcome), or
    ``duplicate`` (the content was stored already: ``document_id`` points at it). ``attempts``
    counts hand-overs to the engine (a restart re-queues what was running).
    """

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    path: Mapped[str | None] = mapped_column(Text)  # the stored copy
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    uploaded_by: Mapped[str | None] = mapped_column(String(128))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)  # an upload-level problem (not the extraction's errors)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
