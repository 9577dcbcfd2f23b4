"""The store: extraction results in SQLite or PostgreSQL, and the queries on them.

    from extractor.store import open_store
    store = open_store("sqlite:///govreport.db")      # migrates to the newest schema
    saved = store.save_extraction(extraction, path)   # one document, one transaction
    store.load_extraction(saved.report_id, reviewed=True)

Writing is done by one process at a time per document (bulk ingest writes only from its parent
process); every write method is a single transaction. Reads return plain frozen dataclasses
(``DocumentInfo``, ``ReportInfo``, ``FieldInfo``, ``AuditEntry``) or ``models`` objects, never
live ORM rows, so callers need no session. For ORM queries of your own use ``store.session()``
with the classes in ``extractor.store.schema``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from extractor.store.codec import (
    Value,
    as_number,
    decode_for_key,
    decode_value,
    encode_value,
    parse_value_for_key,
)
from extractor.store.engine import make_engine, normalise_url
from extractor.store.migrate import upgrade
from extractor.store.schema import (
    AuditRow,
    CheckRow,
    CrossCheckRow,
    Document,
    FieldRow,
    Report,
    SuggestionRow,
    utcnow,
)
from models.extraction import (
    EXTRACTOR_VERSION,
    Alternative,
    BBox,
    Check,
    DocumentStatus,
    Extraction,
    ExtractionIssue,
    Field,
    FieldStatus,
    ReportMeta,
    SourceRef,
    Suggestion,
)
from models.fields import Layout

D = Document.__table__
R = Report.__table__
F = FieldRow.__table__
C = CheckRow.__table__
S = SuggestionRow.__table__
A = AuditRow.__table__
X = CrossCheckRow.__table__

REVIEW_HOW = ("suggestion", "typed", "accept")


class StoreError(Exception):
    """Base of the store's own errors."""


class NotFound(StoreError):
    pass


class StaleVersion(StoreError):
    """The row changed since the caller read it (optimistic concurrency): reload and retry."""

    def __init__(self, field_id: int, expected: int, actual: int | None):
        super().__init__(f"field {field_id}: expected version {expected}, the store has {actual}")
        self.field_id, self.expected, self.actual = field_id, expected, actual


class ClaimedByOther(StoreError):
    """Another reviewer holds an unexpired claim on the field."""

    def __init__(self, field_id: int, claimed_by: str, expires: datetime):
        super().__init__(f"field {field_id} is claimed by {claimed_by} until {expires.isoformat()}")
        self.field_id, self.claimed_by, self.expires = field_id, claimed_by, expires


# --- what reads return ------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedDocument:
    document_id: int
    report_id: int | None  # None when the document failed
    status: str
    replaced: bool  # an older row of the same content was replaced


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    sha256: str
    path: str | None
    size: int | None
    pages: int | None
    status: str
    error_code: str | None
    error_message: str | None
    extractor_version: str | None
    timings: dict | None
    source_url: str | None
    manifest_agency: str | None
    manifest_year: int | None
    created_at: datetime
    updated_at: datetime
    report_id: int | None


@dataclass(frozen=True)
class ReportInfo:
    id: int
    document_id: int
    sha256: str
    path: str | None
    status: str
    agency: str | None
    year: int | None
    layout: str | None
    title: str | None
    fields_to_review: int  # status review and no reviewed value yet
    broken_checks: int


@dataclass(frozen=True)
class FieldInfo:
    id: int
    report_id: int
    key: str
    value: Value  # as printed (extracted)
    raw: str | None
    confidence: float | None
    page: int | None
    bbox: BBox | None
    bbox_px: BBox | None
    dpi: float | None
    source: str | None
    status: str | None
    reviewed_value: Value
    reviewed_by: str | None
    reviewed_at: datetime | None
    claimed_by: str | None
    claim_expires: datetime | None
    version: int
    updated_at: datetime
    provenance: dict | None = None  # web pages and Word files: the source cell (``SourceRef``)

    @property
    def effective_value(self) -> Value:
        """The reviewed value where a person gave one, else the extracted value."""
        return self.reviewed_value if self.reviewed_by is not None else self.value


@dataclass(frozen=True)
class AuditEntry:
    id: int
    document_id: int
    report_id: int | None
    field_id: int | None
    field_key: str
    who: str
    at: datetime
    old_value: Value
    new_value: Value
    how: str
    note: str | None


def _aware(dt: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; they were written in UTC."""
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt


def _bbox(d: dict | None) -> BBox | None:
    return BBox(**d) if d else None


def _json_num(v):
    from decimal import Decimal

    if isinstance(v, Decimal):
        return float(v)
    return v


def clean_text(s: str | None) -> str | None:
    """Text a database accepts: no NUL (PostgreSQL refuses it), no lone surrogates (file names
    that are not UTF-8)."""
    if s is None:
        return None
    if "\x00" in s:
        s = s.replace("\x00", "")
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        s = s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return s


def _clean_json(v):
    if isinstance(v, str):
        return clean_text(v)
    if isinstance(v, dict):
        return {clean_text(k): _clean_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_clean_json(x) for x in v]
    return v


def pseudo_sha256(path: str | Path) -> str:
    """A stand-in key for a file whose content cannot be read (so it cannot be hashed)."""
    return hashlib.sha256(b"unreadable-path:" + str(path).encode("utf-8", "surrogateescape")).hexdigest()


# --- the store --------------------------------------------------------------------------------


class Store:
    """Extraction results in a database. Make one with ``open_store(url)``."""

    def __init__(self, engine: Engine, url: str, *, schema: str | None = None):
        self.engine = engine
        self.url = url  # re-opens the same store (password hidden)
        self.schema = schema

    # -- plumbing ------------------------------------------------------------------------------

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def session(self) -> Session:
        """An ORM session on this store (``with store.session() as s: ...``)."""
        return Session(self.engine)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (SQLite: BEGIN IMMEDIATE, so it waits for the lock up front)."""
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn = conn.execution_options(immediate=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    # -- writing results -----------------------------------------------------------------------

    def save_extraction(
        self,
        extraction: Extraction,
        path: str | Path | None = None,
        *,
        sha256: str | None = None,
        size: int | None = None,
        source_url: str | None = None,
        manifest_agency: str | None = None,
        manifest_year: int | None = None,
    ) -> SavedDocument:
        """Store one document's extraction in ONE transaction, keyed by content sha256.

        A document already stored under the same sha256 is replaced: its document row is
        updated, its report row is kept (same id) with fields updated in place by key — so
        reviewed values, claims and the audit log survive a re-extraction — and its checks,
        suggestions and cross-checks are rewritten. A failed extraction removes the report of
        an earlier version (the audit log stays, tied to the document).
        """
        meta = extraction.report
        sha = sha256 or meta.sha256
        if not sha:
            raise ValueError("save_extraction needs the content sha256 (argument or extraction.report.sha256)")
        path_s = clean_text(str(path) if path is not None else meta.path)
        if size is None and path_s:
            try:
                size = Path(path_s).stat().st_size
            except OSError:
                size = None
        fatal = extraction.fatal_error or (extraction.errors[0] if extraction.status == DocumentStatus.FAILED and extraction.errors else None)
        now = utcnow()
        doc_values = dict(
            sha256=sha,
            path=path_s,
            size=size,
            pages=meta.pages,
            text_pages=list(meta.text_pages),
            ocr_pages=list(meta.ocr_pages),
            source_kind=meta.source_kind,
            encoding=meta.encoding,
            status=extraction.status.value,
            error_code=clean_text(fatal.code)[:64] if fatal is not None else None,
            error_message=clean_text(fatal.message) if fatal is not None else None,
            errors=_clean_json([e.model_dump(mode="json") for e in extraction.errors]),
            timings=dict(extraction.timings),
            extractor_version=extraction.extractor_version,
            updated_at=now,
        )
        # manifest metadata: keep what an earlier run gave unless this run gives something
        for col, v in (("source_url", source_url), ("manifest_agency", manifest_agency), ("manifest_year", manifest_year)):
            if v is not None:
                doc_values[col] = clean_text(v) if isinstance(v, str) else v
        with self._write() as conn:
            doc_id = conn.execute(select(D.c.id).where(D.c.sha256 == sha)).scalar()
            replaced = doc_id is not None
            if doc_id is None:
                # a second writer (another ingest on the same PostgreSQL) may insert the same
                # content meanwhile: insert-or-nothing, then update whichever row exists
                ins = self._insert_ignoring_conflict(D, ["sha256"]).values(created_at=now, **doc_values)
                doc_id = conn.execute(ins.returning(D.c.id)).scalar()
                if doc_id is None:
                    replaced = True
                    doc_id = conn.execute(select(D.c.id).where(D.c.sha256 == sha)).scalar_one()
            if replaced:
                conn.execute(update(D).where(D.c.id == doc_id).values(**doc_values))
            report_id = conn.execute(select(R.c.id).where(R.c.document_id == doc_id)).scalar()
            if extraction.status == DocumentStatus.FAILED:
                if report_id is not None:
                    conn.execute(delete(R).where(R.c.id == report_id))
                return SavedDocument(doc_id, None, extraction.status.value, replaced)
            report_values = dict(
                agency=clean_text(meta.agency),
                year=meta.year,
                layout=meta.layout.value if meta.layout is not None else None,
                layouts={k: Layout(v).value for k, v in meta.layouts.items()} or None,
                title=clean_text(meta.title),
                updated_at=now,
            )
            if report_id is None:
                report_id = conn.execute(
                    insert(R).values(document_id=doc_id, created_at=now, **report_values)
                ).inserted_primary_key[0]
            else:
                conn.execute(update(R).where(R.c.id == report_id).values(**report_values))
            self._write_fields(conn, report_id, extraction, now)
            conn.execute(delete(C).where(C.c.report_id == report_id))
            conn.execute(delete(S).where(S.c.report_id == report_id))
            conn.execute(delete(X).where(or_(X.c.report_id == report_id, X.c.previous_report_id == report_id)))
            if extraction.checks:
                conn.execute(insert(C), [self._check_row(report_id, c) for c in extraction.checks])
            if extraction.suggestions:
                conn.execute(insert(S), [self._suggestion_row(report_id, s) for s in extraction.suggestions])
        return SavedDocument(doc_id, report_id, extraction.status.value, replaced)

    def _insert_ignoring_conflict(self, table, index_elements: list[str]):
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        return dialect_insert(table).on_conflict_do_nothing(index_elements=index_elements)

    @staticmethod
    def _field_values(f: Field) -> dict:
        text, num, type_ = encode_value(f.value)
        return dict(
            value_text=clean_text(text),
            value_num=num,
            value_type=type_,
            raw=clean_text(f.raw),
            confidence=f.confidence,
            page=f.page,
            bbox=f.bbox.model_dump() if f.bbox is not None else None,
            bbox_px=f.bbox_px.model_dump() if f.bbox_px is not None else None,
            dpi=f.dpi,
            source=f.source.value if f.source is not None else None,
            status=f.status.value if f.status is not None else None,
            alternatives=_clean_json([a.model_dump() for a in f.alternatives]) or None,
            char_scores=list(f.char_scores) or None,
            evidence=dict(f.evidence) or None,
            unit=f.unit,
            provenance=_clean_json(f.provenance.model_dump()) if f.provenance is not None else None,
        )

    def _write_fields(self, conn: Connection, report_id: int, extraction: Extraction, now: datetime) -> None:
        existing = {r.key: r.id for r in conn.execute(select(F.c.key, F.c.id).where(F.c.report_id == report_id))}
        new_rows, changed = [], []
        for key, f in extraction.fields.items():
            values = self._field_values(f)
            if key in existing:
                changed.append({"_id": existing[key], "updated_at": now, **values})
            else:
                new_rows.append({"report_id": report_id, "key": key, "version": 1, "updated_at": now, **values})
        gone = [fid for key, fid in existing.items() if key not in extraction.fields]
        if gone:
            conn.execute(delete(F).where(F.c.id.in_(gone)))
        if changed:
            cols = {c: bindparam(c) for c in changed[0] if c != "_id"}
            conn.execute(
                update(F).where(F.c.id == bindparam("_id")).values(version=F.c.version + 1, **cols), changed
            )
        if new_rows:
            conn.execute(insert(F), new_rows)

    @staticmethod
    def _check_row(report_id: int, c: Check) -> dict:
        return dict(
            report_id=report_id,
            relation=c.relation,
            rule=c.rule,
            description=clean_text(c.description),
            severity=c.severity,
            status=c.status.value,
            lhs=_json_num(c.lhs),
            rhs=_json_num(c.rhs),
            difference=_json_num(c.difference),
            fields=list(c.fields),
            values={k: _json_num(v) for k, v in c.values.items()},
        )

    @staticmethod
    def _suggestion_row(report_id: int, s: Suggestion) -> dict:
        return dict(
            report_id=report_id,
            field_key=s.field,
            printed=clean_text(encode_value(s.printed)[0]),
            suggested=clean_text(encode_value(s.suggested)[0]),
            probability=s.probability,
            kind=s.kind.value,
            restores=list(s.restores),
            rank=s.rank,
            repair=s.repair,
        )

    def record_failure(
        self,
        sha256: str | None,
        path: str | Path,
        code: str,
        message: str,
        *,
        stage: str = "ingest",
        size: int | None = None,
        extractor_version: str = EXTRACTOR_VERSION,
        timings: dict[str, float] | None = None,
        source_url: str | None = None,
        manifest_agency: str | None = None,
        manifest_year: int | None = None,
    ) -> SavedDocument:
        """Record a document that failed outside the extractor (a worker crash, an unreadable
        file, a zip member that cannot be unpacked). ``sha256=None``: the file could not be
        read, so it is keyed by ``pseudo_sha256(path)``."""
        sha = sha256 or pseudo_sha256(path)
        extraction = Extraction(
            report=ReportMeta(path=str(path), sha256=sha),
            status=DocumentStatus.FAILED,
            errors=[ExtractionIssue(stage=stage, code=code, message=message, fatal=True)],
            timings=timings or {},
            extractor_version=extractor_version,
        )
        return self.save_extraction(
            extraction, path, sha256=sha, size=size, source_url=source_url,
            manifest_agency=manifest_agency, manifest_year=manifest_year,
        )

    def delete_document(self, sha256: str) -> bool:
        """Remove a document and everything read from it (audit log included)."""
        with self._write() as conn:
            return conn.execute(delete(D).where(D.c.sha256 == sha256)).rowcount > 0

    # -- reading documents and reports -----------------------------------------------------------

    def _document_query(self):
        return select(*D.c, R.c.id.label("report_id")).select_from(D.outerjoin(R, R.c.document_id == D.c.id))

    @staticmethod
    def _document_info(r) -> DocumentInfo:
        return DocumentInfo(
            id=r.id, sha256=r.sha256, path=r.path, size=r.size, pages=r.pages, status=r.status,
            error_code=r.error_code, error_message=r.error_message, extractor_version=r.extractor_version,
            timings=r.timings, source_url=r.source_url, manifest_agency=r.manifest_agency,
            manifest_year=r.manifest_year, created_at=_aware(r.created_at), updated_at=_aware(r.updated_at),
            report_id=r.report_id,
        )

    def document_by_sha(self, sha256: str) -> DocumentInfo | None:
        with self._read() as conn:
            r = conn.execute(self._document_query().where(D.c.sha256 == sha256)).first()
        return self._document_info(r) if r is not None else None

    def document(self, document_id: int) -> DocumentInfo:
        with self._read() as conn:
            r = conn.execute(self._document_query().where(D.c.id == document_id)).first()
        if r is None:
            raise NotFound(f"no document {document_id}")
        return self._document_info(r)

    def documents(self, *, status: str | None = None, error_code: str | None = None) -> list[DocumentInfo]:
        q = self._document_query().order_by(D.c.id)
        if status is not None:
            q = q.where(D.c.status == status)
        if error_code is not None:
            q = q.where(D.c.error_code == error_code)
        with self._read() as conn:
            return [self._document_info(r) for r in conn.execute(q)]

    def stored_versions(self, shas: Iterable[str] | None = None) -> dict[str, tuple[str, str | None, str | None]]:
        """``{sha256: (status, error_code, extractor_version)}`` of stored documents (all, or those
        among ``shas``) — what ingest needs to decide what to skip."""
        out: dict[str, tuple[str, str | None, str | None]] = {}
        q = select(D.c.sha256, D.c.status, D.c.error_code, D.c.extractor_version)
        with self._read() as conn:
            if shas is None:
                for r in conn.execute(q):
                    out[r.sha256] = (r.status, r.error_code, r.extractor_version)
                return out
            shas = list(dict.fromkeys(shas))
            for i in range(0, len(shas), 500):
                for r in conn.execute(q.where(D.c.sha256.in_(shas[i : i + 500]))):
                    out[r.sha256] = (r.status, r.error_code, r.extractor_version)
        return out

    def _reports_query(self):
        to_review = (
            select(func.count())
            .where(F.c.report_id == R.c.id, F.c.status == FieldStatus.REVIEW.value, F.c.reviewed_by.is_(None))
            .scalar_subquery()
        )
        broken = (
            select(func.count()).where(C.c.report_id == R.c.id, C.c.status == "broken").scalar_subquery()
        )
        return select(
            R.c.id, R.c.document_id, D.c.sha256, D.c.path, D.c.status, R.c.agency, R.c.year, R.c.layout,
            R.c.title, to_review.label("fields_to_review"), broken.label("broken_checks"),
        ).select_from(R.join(D, D.c.id == R.c.document_id))

    def reports(
        self, *, agency: str | None = None, year: int | None = None, status: str | None = None
    ) -> list[ReportInfo]:
        q = self._reports_query().order_by(R.c.agency, R.c.year, R.c.id)
        if agency is not None:
            q = q.where(R.c.agency == agency)
        if year is not None:
            q = q.where(R.c.year == year)
        if status is not None:
            q = q.where(D.c.status == status)
        with self._read() as conn:
            return [ReportInfo(**r._mapping) for r in conn.execute(q)]

    def report(self, report_id: int) -> ReportInfo:
        with self._read() as conn:
            r = conn.execute(self._reports_query().where(R.c.id == report_id)).first()
        if r is None:
            raise NotFound(f"no report {report_id}")
        return ReportInfo(**r._mapping)

    def report_id_for_sha(self, sha256: str) -> int | None:
        with self._read() as conn:
            return conn.execute(
                select(R.c.id).select_from(R.join(D, D.c.id == R.c.document_id)).where(D.c.sha256 == sha256)
            ).scalar()

    # -- fields -------------------------------------------------------------------------------

    @staticmethod
    def _field_info(r) -> FieldInfo:
        return FieldInfo(
            id=r.id, report_id=r.report_id, key=r.key, value=decode_value(r.value_text, r.value_type),
            raw=r.raw, confidence=r.confidence, page=r.page, bbox=_bbox(r.bbox), bbox_px=_bbox(r.bbox_px),
            dpi=r.dpi, source=r.source, status=r.status,
            reviewed_value=decode_for_key(r.key, r.reviewed_value), reviewed_by=r.reviewed_by,
            reviewed_at=_aware(r.reviewed_at), claimed_by=r.claimed_by, claim_expires=_aware(r.claim_expires),
            version=r.version, updated_at=_aware(r.updated_at), provenance=r.provenance,
        )

    def fields_of(self, report_id: int) -> list[FieldInfo]:
        """Every field of a report, in stored (document) order."""
        with self._read() as conn:
            return [self._field_info(r) for r in conn.execute(select(F).where(F.c.report_id == report_id).order_by(F.c.id))]

    def field(self, field_id: int) -> FieldInfo:
        with self._read() as conn:
            r = conn.execute(select(F).where(F.c.id == field_id)).first()
        if r is None:
            raise NotFound(f"no field {field_id}")
        return self._field_info(r)

    def field_by_key(self, report_id: int, key: str) -> FieldInfo:
        with self._read() as conn:
            r = conn.execute(select(F).where(F.c.report_id == report_id, F.c.key == key)).first()
        if r is None:
            raise NotFound(f"report {report_id} has no field {key}")
        return self._field_info(r)

    def checks_of(self, report_id: int) -> list[Check]:
        with self._read() as conn:
            rows = conn.execute(select(C).where(C.c.report_id == report_id).order_by(C.c.id)).all()
        return [self._check(r) for r in rows]

    def suggestions_of(self, report_id: int) -> list[Suggestion]:
        with self._read() as conn:
            rows = conn.execute(select(S).where(S.c.report_id == report_id).order_by(S.c.rank, S.c.id)).all()
        return [self._suggestion(r) for r in rows]

    @staticmethod
    def _check(r) -> Check:
        return Check(
            relation=r.relation, rule=r.rule, description=r.description or "", severity=r.severity or "error",
            fields=list(r.fields or []), values=dict(r.values or {}), lhs=as_number(r.lhs),
            rhs=as_number(r.rhs), difference=as_number(r.difference), status=r.status,
        )

    @staticmethod
    def _suggestion(r) -> Suggestion:
        return Suggestion(
            field=r.field_key, printed=decode_for_key(r.field_key, r.printed),
            suggested=decode_for_key(r.field_key, r.suggested), probability=r.probability or 0.0,
            restores=list(r.restores or []), kind=r.kind, rank=r.rank, repair=r.repair,
        )

    def load_extraction(self, report_id: int, *, reviewed: bool = False) -> Extraction:
        """Rebuild the ``Extraction`` of a stored report from its rows.

        ``reviewed=True`` applies the reviewed values: such a field gets the reviewed value,
        ``status`` ok and confidence 1.0 (its ``raw``, page and box stay as printed).
        """
        with self._read() as conn:
            rep = conn.execute(
                select(R, D.c.sha256, D.c.path, D.c.pages, D.c.text_pages, D.c.ocr_pages, D.c.status.label("doc_status"),
                       D.c.errors, D.c.timings, D.c.extractor_version, D.c.source_kind, D.c.encoding)
                .select_from(R.join(D, D.c.id == R.c.document_id))
                .where(R.c.id == report_id)
            ).first()
            if rep is None:
                raise NotFound(f"no report {report_id}")
            frows = conn.execute(select(F).where(F.c.report_id == report_id).order_by(F.c.id)).all()
            crows = conn.execute(select(C).where(C.c.report_id == report_id).order_by(C.c.id)).all()
            srows = conn.execute(select(S).where(S.c.report_id == report_id).order_by(S.c.id)).all()
        fields: dict[str, Field] = {}
        for r in frows:
            f = Field(
                key=r.key, value=decode_value(r.value_text, r.value_type), raw=r.raw or "",
                confidence=r.confidence if r.confidence is not None else 1.0, page=r.page, bbox=_bbox(r.bbox),
                bbox_px=_bbox(r.bbox_px), dpi=r.dpi, source=r.source or "text", status=r.status or "ok",
                alternatives=[Alternative(**a) for a in (r.alternatives or [])],
                char_scores=list(r.char_scores or []), evidence=dict(r.evidence or {}), unit=r.unit,
                provenance=SourceRef(**r.provenance) if r.provenance else None,
            )
            if reviewed and r.reviewed_by is not None:
                f = f.model_copy(update=dict(
                    value=decode_for_key(r.key, r.reviewed_value), status=FieldStatus.OK, confidence=1.0,
                ))
            fields[r.key] = f
        meta = ReportMeta(
            agency=rep.agency, year=rep.year, title=rep.title, layout=Layout(rep.layout) if rep.layout else Layout.L2021,
            layouts={k: Layout(v) for k, v in (rep.layouts or {}).items()},
            pages=rep.pages or 0, text_pages=list(rep.text_pages or []), ocr_pages=list(rep.ocr_pages or []),
            path=rep.path, sha256=rep.sha256, source_kind=rep.source_kind, encoding=rep.encoding,
        )
        return Extraction(
            report=meta, fields=fields, checks=[self._check(r) for r in crows],
            suggestions=[self._suggestion(r) for r in srows], status=DocumentStatus(rep.doc_status),
            errors=[ExtractionIssue(**e) for e in (rep.errors or [])], timings=dict(rep.timings or {}),
            extractor_version=rep.extractor_version or EXTRACTOR_VERSION,
        )

    # -- review (for the review app) -------------------------------------------------------------

    def review_queue(self, *, limit: int = 50, who: str | None = None, report_id: int | None = None) -> list[FieldInfo]:
        """Fields waiting for a person: status review, no reviewed value, not claimed by someone
        else (an expired claim counts as free). Lowest confidence first."""
        now = utcnow()
        free = or_(F.c.claimed_by.is_(None), F.c.claim_expires < now)
        if who is not None:
            free = or_(free, F.c.claimed_by == who)
        q = (
            select(F)
            .where(F.c.status == FieldStatus.REVIEW.value, F.c.reviewed_by.is_(None), free)
            .order_by(F.c.confidence.asc().nulls_first() if self.dialect == "postgresql" else F.c.confidence, F.c.id)
            .limit(limit)
        )
        if report_id is not None:
            q = q.where(F.c.report_id == report_id)
        with self._read() as conn:
            return [self._field_info(r) for r in conn.execute(q)]

    def claim(self, field_id: int, who: str, *, ttl: timedelta = timedelta(minutes=15)) -> FieldInfo:
        """Hold a field for ``who`` until now + ttl. Raises ``ClaimedByOther`` if another
        reviewer's claim has not expired. Does not bump ``version`` (a claim is not an edit)."""
        now = utcnow()
        with self._write() as conn:
            res = conn.execute(
                update(F)
                .where(F.c.id == field_id, or_(F.c.claimed_by.is_(None), F.c.claimed_by == who, F.c.claim_expires < now))
                .values(claimed_by=who, claim_expires=now + ttl)
            )
            if res.rowcount == 0:
                r = conn.execute(select(F.c.claimed_by, F.c.claim_expires).where(F.c.id == field_id)).first()
                if r is None:
                    raise NotFound(f"no field {field_id}")
                raise ClaimedByOther(field_id, r.claimed_by, _aware(r.claim_expires))
            r = conn.execute(select(F).where(F.c.id == field_id)).first()
        return self._field_info(r)

    def release(self, field_id: int, who: str) -> None:
        with self._write() as conn:
            conn.execute(
                update(F).where(F.c.id == field_id, F.c.claimed_by == who).values(claimed_by=None, claim_expires=None)
            )

    def review_field(
        self,
        field_id: int,
        value: Value,
        *,
        who: str,
        how: str,
        expected_version: int | None = None,
        note: str | None = None,
        allow_out_of_range: bool = False,
    ) -> FieldInfo:
        """Set a field's reviewed value and log it, in one transaction.

        ``how``: ``typed`` (a person typed ``value``), ``suggestion`` (a suggested repair was
        taken), ``accept`` (the printed value is right: ``value`` is ignored and the extracted
        value becomes the reviewed one). ``expected_version``: the ``version`` the caller read;
        if the row changed since, ``StaleVersion`` is raised and nothing is written. A claim
        held by someone else raises ``ClaimedByOther``. The claim is released on success.
        A typed value is parsed by the bounded number parser (``ValueError`` when it does not
        fit; out of its plausible range only with ``allow_out_of_range``).
        """
        if how not in REVIEW_HOW:
            raise ValueError(f"how must be one of {REVIEW_HOW}, not {how!r}")
        now = utcnow()
        with self._write() as conn:
            r = conn.execute(
                select(F, R.c.document_id).select_from(F.join(R, R.c.id == F.c.report_id)).where(F.c.id == field_id)
            ).first()
            if r is None:
                raise NotFound(f"no field {field_id}")
            if expected_version is not None and r.version != expected_version:
                raise StaleVersion(field_id, expected_version, r.version)
            expires = _aware(r.claim_expires)
            if r.claimed_by not in (None, who) and expires is not None and expires > now:
                raise ClaimedByOther(field_id, r.claimed_by, expires)
            new_text = (r.value_text if how == "accept"
                        else parse_value_for_key(r.key, value, allow_out_of_range=allow_out_of_range))
            old_text = r.reviewed_value if r.reviewed_by is not None else r.value_text
            res = conn.execute(
                update(F)
                .where(F.c.id == field_id, F.c.version == r.version)
                .values(
                    reviewed_value=new_text, reviewed_by=who, reviewed_at=now, version=F.c.version + 1,
                    updated_at=now, claimed_by=None, claim_expires=None,
                )
            )
            if res.rowcount == 0:  # changed between our read and our write
                actual = conn.execute(select(F.c.version).where(F.c.id == field_id)).scalar()
                raise StaleVersion(field_id, r.version, actual)
            conn.execute(
                insert(A).values(
                    document_id=r.document_id, report_id=r.report_id, field_id=field_id, field_key=r.key,
                    who=who, at=now, old_value=old_text, new_value=new_text, how=how, note=note,
                )
            )
            r2 = conn.execute(select(F).where(F.c.id == field_id)).first()
        return self._field_info(r2)

    def audit_log(
        self, *, report_id: int | None = None, document_id: int | None = None, key: str | None = None
    ) -> list[AuditEntry]:
        """Review history, oldest first."""
        q = select(A).order_by(A.c.at, A.c.id)
        if report_id is not None:
            q = q.where(A.c.report_id == report_id)
        if document_id is not None:
            q = q.where(A.c.document_id == document_id)
        if key is not None:
            q = q.where(A.c.field_key == key)
        with self._read() as conn:
            return [
                AuditEntry(
                    id=r.id, document_id=r.document_id, report_id=r.report_id, field_id=r.field_id,
                    field_key=r.field_key, who=r.who, at=_aware(r.at),
                    old_value=decode_for_key(r.field_key, r.old_value),
                    new_value=decode_for_key(r.field_key, r.new_value), how=r.how, note=r.note,
                )
                for r in conn.execute(q)
            ]

    # -- cross-year checks ----------------------------------------------------------------------

    def consecutive_year_pairs(self, *, only_unchecked: bool = False) -> list[tuple[int, int]]:
        """``(this_year_report_id, last_year_report_id)`` for the same agency in consecutive years.

        Whether two printed names are the same agency is decided by
        ``extractor.validate.cross.same_agency`` (a pair counts when it answers True or a score of
        at least ``SAME_AGENCY_MIN``). Candidates are found through ``normalize_agency`` forms and
        their suffixes, so the pairing stays near-linear in the number of reports. When several
        of last year's reports qualify, the best score wins, then the most recently stored.
        ``only_unchecked``: leave out pairs that already have cross-checks stored.
        """
        from extractor.validate.cross import normalize_agency, same_agency

        with self._read() as conn:
            rows = conn.execute(
                select(R.c.id, R.c.agency, R.c.year)
                .select_from(R.join(D, D.c.id == R.c.document_id))
                .where(R.c.year.is_not(None), R.c.agency.is_not(None), D.c.status != DocumentStatus.FAILED.value)
                .order_by(R.c.year, R.c.id)
            ).all()
            checked = set()
            if only_unchecked:
                checked = {(r.report_id, r.previous_report_id) for r in conn.execute(
                    select(X.c.report_id, X.c.previous_report_id).distinct())}
        by_year: dict[int, list] = {}
        for r in rows:
            by_year.setdefault(r.year, []).append(r)
        pairs: list[tuple[int, int]] = []
        for year, this in sorted(by_year.items()):
            last = by_year.get(year - 1)
            if not last:
                continue
            by_norm: dict[str, list] = {}
            by_suffix: dict[str, list] = {}
            for p in last:
                n = normalize_agency(p.agency)
                by_norm.setdefault(n, []).append(p)
                for i in range(1, len(n) - 3):
                    by_suffix.setdefault(n[i:], []).append(p)
            for r in this:
                n = normalize_agency(r.agency)
                cands = {p.id: p for p in by_norm.get(n, [])}
                cands.update((p.id, p) for p in by_suffix.get(n, []))
                for i in range(1, len(n) - 3):
                    cands.update((p.id, p) for p in by_norm.get(n[i:], []))
                best = None
                for p in cands.values():
                    score = _agency_score(same_agency, r.agency, p.agency)
                    if score >= SAME_AGENCY_MIN and (best is None or (score, p.id) > best[:2]):
                        best = (score, p.id)
                if best is not None and (r.id, best[1]) not in checked:
                    pairs.append((r.id, best[1]))
        return pairs

    def cross_year_checks(self, *, only_unchecked: bool = False) -> int:
        """Run the cross-document relations (``extractor.validate.cross.cross_checks``) for every
        agency with consecutive years and store them (reviewed values applied). Each pair is
        written in its own transaction, replacing its earlier results. Returns the number of
        pairs checked."""
        from extractor.validate.cross import cross_checks

        n = 0
        for this_id, last_id in self.consecutive_year_pairs(only_unchecked=only_unchecked):
            this = self.load_extraction(this_id, reviewed=True)
            last = self.load_extraction(last_id, reviewed=True)
            results = cross_checks(this, last)
            with self._write() as conn:
                conn.execute(delete(X).where(X.c.report_id == this_id, X.c.previous_report_id == last_id))
                if results:
                    now = utcnow()
                    conn.execute(insert(X), [
                        {**self._check_row(this_id, c), "previous_report_id": last_id, "created_at": now}
                        for c in results
                    ])
            n += 1
        return n

    def cross_checks_of(self, report_id: int) -> list[tuple[int, Check]]:
        """``(previous_report_id, check)`` for a report's cross-document checks: cross-year ones
        and, for a page, the source checks with its attachment (``source_checks_of`` gives those
        from either side; ``SOURCE_RULES`` names them)."""
        with self._read() as conn:
            rows = conn.execute(select(X).where(X.c.report_id == report_id).order_by(X.c.id)).all()
        return [(r.previous_report_id, self._check(r)) for r in rows]

    # -- one report from two sources (a web page and its own attachment) -------------------------

    SAME_REPORT = "same-report"  # cross_checks rule linking a page (report_id) to its attachment
    SOURCE_RULES = (SAME_REPORT, "sources-agree")  # checks between one report's two sources, not across years

    def save_source_pair(self, page_report_id: int, attachment_report_id: int, checks: list[Check]) -> None:
        """Store the link between a page's report and its attachment's (``checks``: the link and the
        fields they disagree on, as cross-document checks); disagreeing fields of both go to review.
        Replaces the pair's earlier results, in one transaction."""
        broken = sorted({k for c in checks if c.status == "broken" for k in c.fields})
        with self._write() as conn:
            conn.execute(delete(X).where(X.c.report_id == page_report_id,
                                         X.c.previous_report_id == attachment_report_id))
            now = utcnow()
            conn.execute(insert(X), [
                {**self._check_row(page_report_id, c), "previous_report_id": attachment_report_id, "created_at": now}
                for c in checks
            ])
            if broken:
                conn.execute(
                    update(F).where(F.c.report_id.in_([page_report_id, attachment_report_id]), F.c.key.in_(broken),
                                    F.c.status != FieldStatus.REVIEW.value)
                    .values(status=FieldStatus.REVIEW.value, version=F.c.version + 1)
                )
                # a report with a field in review is not ``ok``: both documents say so in status,
                # export and the reports list (a failed one stays failed)
                conn.execute(
                    update(D).where(D.c.id.in_(select(R.c.document_id).where(
                        R.c.id.in_([page_report_id, attachment_report_id]))), D.c.status == DocumentStatus.OK.value)
                    .values(status=DocumentStatus.REVIEW.value)
                )

    def source_checks_of(self, report_id: int) -> list[tuple[int, Check]]:
        """``(other report id, check)`` for the checks linking a report with its other source (a
        page and its own attachment: rules ``same-report`` and ``sources-agree``), whichever side
        ``report_id`` is."""
        with self._read() as conn:
            rows = conn.execute(select(X).where(
                or_(X.c.report_id == report_id, X.c.previous_report_id == report_id),
                X.c.rule.in_(self.SOURCE_RULES)).order_by(X.c.id)).all()
        return [(r.previous_report_id if r.report_id == report_id else r.report_id, self._check(r)) for r in rows]

    def attachment_report_ids(self) -> set[int]:
        """Reports stored as the second source of another (a page's attachment): one report, one row."""
        with self._read() as conn:
            return {r for (r,) in conn.execute(select(X.c.previous_report_id).where(X.c.rule == self.SAME_REPORT))}

    # -- summaries for status and export ---------------------------------------------------------

    def status_summary(self) -> dict:
        """Counts: documents by status, failures by error code, reports by layout and by year,
        fields waiting for review, broken checks by rule, cross-checks by rule and status."""
        with self._read() as conn:
            by_status = dict(conn.execute(select(D.c.status, func.count()).group_by(D.c.status)).all())
            by_reason = _counts(conn.execute(
                select(D.c.error_code, func.count()).where(D.c.status == DocumentStatus.FAILED.value)
                .group_by(D.c.error_code)
            ), "unknown")
            by_layout = _counts(conn.execute(select(R.c.layout, func.count()).group_by(R.c.layout)))
            by_year = _counts(conn.execute(select(R.c.year, func.count()).group_by(R.c.year).order_by(R.c.year)))
            by_version = _counts(conn.execute(
                select(D.c.extractor_version, func.count()).group_by(D.c.extractor_version)))
            to_review = conn.execute(
                select(func.count()).where(F.c.status == FieldStatus.REVIEW.value, F.c.reviewed_by.is_(None))
            ).scalar()
            reviewed = conn.execute(select(func.count()).where(F.c.reviewed_by.is_not(None))).scalar()
            broken = dict(conn.execute(select(C.c.rule, func.count()).where(C.c.status == "broken").group_by(C.c.rule)).all())
            cross = {
                f"{rule}:{status}": n
                for rule, status, n in conn.execute(select(X.c.rule, X.c.status, func.count()).group_by(X.c.rule, X.c.status)).all()
            }
            pages = conn.execute(select(func.coalesce(func.sum(D.c.pages), 0))).scalar()
        return {
            "documents": sum(by_status.values()),
            "pages": int(pages or 0),
            "by_status": by_status,
            "failed_by_reason": by_reason,
            "reports": sum(by_layout.values()),
            "by_layout": by_layout,
            "by_year": by_year,
            "by_extractor_version": by_version,
            "fields_to_review": to_review,
            "fields_reviewed": reviewed,
            "broken_checks_by_rule": broken,
            "cross_checks": cross,
        }

    def iter_report_rows(self, *, batch: int = 200) -> Iterator[tuple]:
        """``(report row, [field rows])`` for every stored report in id order, in batches (the
        export reads through this; memory stays bounded by ``batch`` reports)."""
        last = 0
        base = (
            select(R.c.id, R.c.document_id, R.c.agency, R.c.year, R.c.layout, R.c.title, D.c.sha256, D.c.path,
                   D.c.status, D.c.source_url, D.c.extractor_version)
            .select_from(R.join(D, D.c.id == R.c.document_id))
            .order_by(R.c.id)
        )
        while True:
            with self._read() as conn:
                reps = conn.execute(base.where(R.c.id > last).limit(batch)).all()
                if not reps:
                    return
                ids = [r.id for r in reps]
                frows: dict[int, list] = {i: [] for i in ids}
                for f in conn.execute(select(F).where(F.c.report_id.in_(ids)).order_by(F.c.report_id, F.c.id)):
                    frows[f.report_id].append(f)
                audit: dict[tuple[int, str], list] = {}
                doc_ids = [r.document_id for r in reps]
                for a in conn.execute(select(A).where(A.c.document_id.in_(doc_ids)).order_by(A.c.at, A.c.id)):
                    audit.setdefault((a.document_id, a.field_key), []).append(a)
            for r in reps:
                yield r, frows[r.id], audit
            last = reps[-1].id


def _counts(rows, none_label: str = "?") -> dict:
    out: dict = {}
    for k, n in rows:
        k = none_label if k is None else k
        out[k] = out.get(k, 0) + n
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], str(kv[0]))))


SAME_AGENCY_MIN = 0.9  # same_agency's score for "one name is the other with a place prefix"


def _agency_score(same_agency, a: str, b: str) -> float:
    v = same_agency(a, b)
    if v is True:
        return 1.0
    if v is False or v is None:
        return 0.0
    return float(v)


def open_store(url: str | None = None, *, schema: str | None = None, migrate: bool = True, echo: bool = False) -> Store:
    """Open (and by default create or upgrade to the newest schema) the store at ``url``.

    ``url``: ``sqlite:///govreport.db`` by default; ``postgresql://user@host/db`` (psycopg 3)
    accepted as well as ``postgresql+psycopg://``; ``?schema=NAME`` or ``schema=`` puts the
    tables in a PostgreSQL schema of their own.
    """
    u, url_schema = normalise_url(url)
    schema = schema or url_schema
    engine = make_engine(u, schema=schema, echo=echo)
    if migrate:
        upgrade(engine)
    shown = u.update_query_dict({"schema": schema}) if schema else u
    return Store(engine, shown.render_as_string(hide_password=True), schema=schema)
