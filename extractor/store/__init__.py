"""Storage of extraction results in SQLite or PostgreSQL (SQLAlchemy 2 + Alembic).

    from extractor.store import open_store
    with open_store("sqlite:///govreport.db") as store:
        saved = store.save_extraction(extraction, "report.pdf")
        extraction = store.load_extraction(saved.report_id, reviewed=True)

See ``store.Store`` for the API, ``schema`` for the tables, ``migrations/`` for their history.
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
