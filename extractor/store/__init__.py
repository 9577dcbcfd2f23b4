"""Storage of extraction results in SQLite or PostgreSQL (SQLAlchemy 2 + Alembic).

    from extractor.store import open_store
    with open_store("sqlite:///govreport.db") as store:
        saved = store.save_extraction(extraction, "report.pdf")
        extraction = store.load_extraction(saved.report_id, reviewed=True)

Opening
    ``open_store(url=None, *, schema=None)`` creates or upgrades the database to the newest
    schema (the Alembic migrations in ``migrations/``; safe when several processes open it at
    once). ``url``: ``sqlite:///govreport.db`` (default), ``postgresql://user@host/db``
    (psycopg 3; ``postgresql+psycopg://`` too); ``?schema=NAME`` for a PostgreSQL schema of its
    own. ``store.url`` re-opens the same store; ``store.engine`` / ``store.session()`` for
    queries of your own on the tables in ``schema``.

Writing extraction results (bulk ingest)
    ``save_extraction(extraction, path, *, sha256=None, size=None, source_url=None,
    manifest_agency=None, manifest_year=None) -> SavedDocument`` — one transaction; replaces an
    older version's rows of the same content (reviews survive). ``record_failure(sha256, path,
    code, message, ...)``; ``delete_document(sha256)``.

Reading
    ``document_by_sha(sha)``, ``document(id)``, ``documents(status=, error_code=)``,
    ``stored_versions(shas)`` -> ``DocumentInfo``; ``reports(agency=, year=, status=)``,
    ``report(id)``, ``report_id_for_sha(sha)`` -> ``ReportInfo``; ``fields_of(report_id)``,
    ``field(id)``, ``field_by_key(report_id, key)`` -> ``FieldInfo``; ``checks_of``,
    ``suggestions_of``, ``cross_checks_of(report_id)``; ``load_extraction(report_id, *,
    reviewed=False) -> Extraction``; ``status_summary()``; ``export.export(store, out, fmt,
    long=...)``.

Review (for the review app)
    ``review_queue(limit=, who=, report_id=)``; ``claim(field_id, who, ttl=)`` /
    ``release(field_id, who)`` (raises ``ClaimedByOther``); ``review_field(field_id, value, *,
    who, how, expected_version=None, note=None)`` with ``how`` in ``typed | suggestion |
    accept`` — optimistic concurrency on ``fields.version`` (raises ``StaleVersion``), writes the
    ``audit_log`` in the same transaction; ``audit_log(report_id=, document_id=, key=)``.

Cross-year
    ``consecutive_year_pairs()`` and ``cross_year_checks(only_unchecked=False)``: pairs the
    same agency's consecutive years (``extractor.validate.cross.same_agency``) and stores
    ``extractor.validate.cross.cross_checks`` for each pair (reviewed values applied).

Reads return frozen dataclasses or ``models`` objects, never live ORM rows. Values keep their
type exactly (``codec``): counts as ``int``, amounts as ``Decimal``.
"""

from extractor.store.engine import DEFAULT_URL, make_engine, normalise_url
from extractor.store.store import (
    AuditEntry,
    ClaimedByOther,
    DocumentInfo,
    FieldInfo,
    NotFound,
    ReportInfo,
    SavedDocument,
    StaleVersion,
    Store,
    StoreError,
    open_store,
    pseudo_sha256,
)

__all__ = [
    "DEFAULT_URL", "AuditEntry", "ClaimedByOther", "DocumentInfo", "FieldInfo", "NotFound", "ReportInfo",
    "SavedDocument", "StaleVersion", "Store", "StoreError", "make_engine", "normalise_url", "open_store",
    "pseudo_sha256",
]
