"""Bulk ingestion: inputs -> engine (local pool or Ray) -> store, idempotent and crash-safe.

    from extractor.ingest import ingest
    summary = ingest(["reports/", "more.zip"], db="sqlite:///govreport.db", workers=4)

* Keyed by content: every file is hashed (sha256) first; a document already stored is skipped,
  unless ``reprocess`` (redo what an older extractor version made) or ``retry_failed``.
  The same content under two names is extracted once.
* Only this (the parent) process writes to the database, one transaction per document, as
  results arrive. Kill it at any moment: what was committed stays, nothing is half written,
  and running the same command again finishes the batch with no duplicates.
* A bad file never stops the batch: it is stored as a failed document with its reason.
* Afterwards the cross-year checks run for agencies with consecutive years.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from extractor.ingest.engines import DEFAULT_TIMEOUT_S, Task, make_engine
from extractor.ingest.inputs import InputWalker, Item, hash_items
from extractor.limits import Limits, safe_reason
from extractor.settings import Settings
from extractor.store import Store, open_store, pseudo_sha256
from models.extraction import EXTRACTOR_VERSION, DocumentStatus, Extraction


@dataclass
class IngestSummary:
    db: str
    engine: str
    workers: int
    extractor_version: str = EXTRACTOR_VERSION
    inputs: int = 0  # files found in the PATHs
    documents: int = 0  # distinct contents among them
    duplicates: int = 0  # inputs whose content another input already has
    skipped: int = 0  # already stored (and not to be redone)
    processed: int = 0  # extracted (or recorded as failed) in this run
    ok: int = 0
    review: int = 0
    failed: int = 0
    failed_by_reason: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    seconds: float = 0.0
    docs_per_s: float = 0.0
    pages_per_s: float = 0.0
    cross_year_pairs: int = 0
    source_pairs: int = 0  # web pages linked with their own attachment (one report, two sources)
    source_pairs_error: str | None = None
    cross_year_error: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


class Reporter:
    """Progress hooks; the CLI's rich progress bar implements them. Does nothing by default."""

    def start(self, total: int, skipped: int) -> None: ...

    def advance(self, name: str, extraction: Extraction) -> None: ...

    def stage(self, text: str) -> None: ...

    def finish(self) -> None: ...


def _version_key(v: str) -> tuple:
    import re

    return tuple(int(x) if x.isdigit() else x for x in re.split(r"[.+-]", v))


def is_older(version: str | None, than: str = EXTRACTOR_VERSION) -> bool:
    """Whether a stored document was made by an older extractor than ``than`` (unknown: yes)."""
    if not version:
        return True
    try:
        return _version_key(version) < _version_key(than)
    except TypeError:  # versions that do not compare part by part
        return version != than


def plan(items: list[Item], store: Store, *, reprocess: bool, retry_failed: bool) -> tuple[list[Item], list[Item], int]:
    """``(to_run, problems, skipped)``; ``items`` hashed; duplicate contents dropped by caller."""
    stored = store.stored_versions(i.sha256 for i in items if i.sha256)
    to_run, problems, skipped = [], [], 0
    for item in items:
        prev = stored.get(item.sha256)
        if prev is not None:
            status, _code, version = prev
            redo = (reprocess and is_older(version)) or (
                retry_failed and status == DocumentStatus.FAILED.value)
            if not redo:
                skipped += 1
                continue
        (problems if item.problem is not None else to_run).append(item)
    return to_run, problems, skipped


def ingest(
    paths: list[str | Path],
    *,
    db: str | None = None,
    store: Store | None = None,
    workers: int | None = None,
    engine: str = "local",
    ray_address: str | None = None,
    reprocess: bool = False,
    retry_failed: bool = False,
    settings: Settings | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    cross_year: bool = True,
    reporter: Reporter | None = None,
    allow_outside: bool = False,
    limits: Limits | None = None,
) -> IngestSummary:
    """Extract every document under ``paths`` into the store at ``db`` (or ``store``).

    ``allow_outside``: manifest rows and folder links may name files outside their folder.
    ``limits``: archive, manifest and number limits (default: ``extractor.limits.current()``).
    """
    import os

    if engine == "ray":
        from extractor.ingest.engines import import_ray

        import_ray()  # fail before any work when Ray is not installed
    elif engine != "local":
        raise ValueError(f"unknown engine {engine!r}: local or ray")
    reporter = reporter or Reporter()
    workers = workers or os.cpu_count() or 1
    own_store = store is None
    store = store or open_store(db)
    summary = IngestSummary(db=store.url, engine=engine, workers=workers)
    reasons: Counter[str] = Counter()
    try:
        with tempfile.TemporaryDirectory(prefix="govreport-ingest-") as tmp:
            reporter.stage("finding documents")
            items = list(InputWalker(Path(tmp), limits=limits, allow_outside=allow_outside).walk(paths))
            summary.inputs = len(items)
            reporter.stage(f"hashing {len(items)} file(s)")
            items = hash_items(items)
            unique: dict[str, Item] = {}
            problems_in: list[Item] = []
            for item in items:
                if item.problem is not None or item.sha256 is None:
                    item.sha256 = item.sha256 or pseudo_sha256(item.name)
                    problems_in.append(item)
                elif item.sha256 in unique:
                    summary.duplicates += 1
                else:
                    unique[item.sha256] = item
            summary.documents = len(unique) + len(problems_in)
            to_run, problems, skipped = plan(list(unique.values()) + problems_in, store,
                                             reprocess=reprocess, retry_failed=retry_failed)
            summary.skipped = skipped
            reporter.start(len(to_run) + len(problems), skipped)
            t0 = time.perf_counter()

            def account(ex: Extraction) -> None:
                summary.processed += 1
                summary.pages += ex.report.pages or 0
                if ex.status == DocumentStatus.OK:
                    summary.ok += 1
                elif ex.status == DocumentStatus.REVIEW:
                    summary.review += 1
                else:
                    summary.failed += 1
                    err = ex.fatal_error or (ex.errors[0] if ex.errors else None)
                    reasons[err.code if err else "unknown"] += 1

            for item in problems:
                code, message = item.problem
                message = safe_reason(message, MAX_MESSAGE_CHARS)
                saved_doc = store.record_failure(
                    item.sha256, item.name, code, message, size=item.size, **_meta_kwargs(item))
                ex = store_failure_view(item, code, message, saved_doc)
                account(ex)
                reporter.advance(item.name, ex)

            if to_run:
                by_index = {i: item for i, item in enumerate(to_run)}
                tasks = (
                    Task(index=i, path=str(item.path), name=item.name, sha256=item.sha256,
                         suffix=item.path.suffix.lower() or ".pdf")
                    for i, item in list(by_index.items())
                )
                runner = make_engine(engine, workers, settings, ray_address=ray_address, timeout=timeout)
                summary.workers = getattr(runner, "workers", workers)
                try:
                    for task, ex in runner.run(tasks):
                        item = by_index.pop(task.index)
                        ex.report.path = item.name
                        _own_messages(ex, item)
                        ex = _save(store, ex, item)
                        account(ex)
                        reporter.advance(item.name, ex)
                finally:
                    runner.close()
            summary.seconds = round(time.perf_counter() - t0, 3)
            if summary.seconds > 0:
                summary.docs_per_s = round(summary.processed / summary.seconds, 3)
                summary.pages_per_s = round(summary.pages / summary.seconds, 3)
            summary.failed_by_reason = dict(reasons.most_common())
        if cross_year:
            reporter.stage("cross-year checks")
            summary.cross_year_pairs, summary.cross_year_error = run_cross_year(store)
        summary.source_pairs, summary.source_pairs_error = run_source_links(store)
    finally:
        reporter.finish()
        if own_store:
            store.close()
    return summary


MAX_MESSAGE_CHARS = 500  # a stored reason: the document's name and one bounded library text


def _own_messages(ex: Extraction, item: Item) -> None:
    """Make the worker's messages fit to store and show: an archive member's unpacked copy
    (``/tmp/…/govreport-ingest-…/zip2/0/x.pdf``) is named as the input names it
    (``outer.zip!inner.zip!x.pdf``), and library texts are sanitised (``limits.safe_reason``:
    no byte reprs, printable, bounded)."""
    unpacked = str(item.path)
    for issue in ex.errors:
        message = issue.message
        if unpacked != item.name:
            message = message.replace(unpacked, item.name)
        issue.message = safe_reason(message, MAX_MESSAGE_CHARS)


def _save(store: Store, ex: Extraction, item: Item) -> Extraction:
    """Store one result; if the database refuses this document's rows (not the database being
    down), record the document as failed with the reason and go on."""
    from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

    try:
        store.save_extraction(ex, item.name, sha256=item.sha256, size=item.size, **_meta_kwargs(item))
        return ex
    except OperationalError:
        raise  # the database is gone or locked past the timeout: stop, a re-run resumes
    except (SQLAlchemyError, DBAPIError, ValueError, UnicodeError) as e:
        message = f"{item.name}: the store refused the result ({type(e).__name__}: {str(e).splitlines()[0][:500]})"
        store.record_failure(item.sha256, item.name, "store_error", message, size=item.size,
                             timings=ex.timings, **_meta_kwargs(item))
        return store_failure_view(item, "store_error", message, None)


def run_source_links(store: Store) -> tuple[int, str | None]:
    """Link saved pages with their own attachments (``extractor.ingest.sources``); never fails the ingest."""
    from extractor.ingest.sources import link_sources

    try:
        return link_sources(store), None
    except Exception as e:  # the batch is stored; the links are an addition: report, go on
        return 0, f"page/attachment links failed: {type(e).__name__}: {e}"


def run_cross_year(store: Store) -> tuple[int, str | None]:
    """Cross-year checks for pairs not checked yet; never fails the ingest (the error is returned)."""
    try:
        return store.cross_year_checks(only_unchecked=True), None
    except ImportError as e:
        return 0, f"cross-year checks unavailable: {e}"
    except Exception as e:  # the batch is stored; report the problem instead of losing the summary
        return 0, f"cross-year checks failed: {type(e).__name__}: {e}"


def _meta_kwargs(item: Item) -> dict:
    return dict(source_url=item.meta.source_url, manifest_agency=item.meta.agency, manifest_year=item.meta.year)


def store_failure_view(item: Item, code: str, message: str, _saved) -> Extraction:
    from models.extraction import ExtractionIssue, ReportMeta

    return Extraction(
        report=ReportMeta(path=item.name, sha256=item.sha256),
        status=DocumentStatus.FAILED,
        errors=[ExtractionIssue(stage="ingest", code=code, message=message, fatal=True)],
    )

