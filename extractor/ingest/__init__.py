"""Bulk ingestion of many reports into a store, on a local process pool or on Ray.

    from extractor.ingest import ingest
    summary = ingest(["reports/"], db="sqlite:///govreport.db", workers=4)
    summary.ok, summary.failed_by_reason
"""

from extractor.ingest.runner import IngestSummary, Reporter, ingest

__all__ = ["IngestSummary", "Reporter", "ingest"]
