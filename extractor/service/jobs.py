"""The background runner: queued uploads → the ingest engine → the store.

One thread in the server process. It claims queued uploads one at a time (``queued`` →
``running``, ``attempts`` + 1) and feeds them to the same engine as ``govreport ingest``
(``extractor.ingest.engines``: a local process pool by default, Ray when configured); each result
is saved as ingest saves it, then the upload is marked ``done`` in its own transaction.

Resuming: at start, uploads left ``running`` by a server that stopped are queued again. Before an
upload is handed to the engine its sha256 is looked up in ``documents``: content stored already
(say, saved just before the server died, the upload not yet marked) is marked ``done`` without
being extracted again — nothing is processed twice.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select, update

from extractor.service.settings import ServiceSettings
from extractor.store import Store
from extractor.store.schema import Document, Upload

log = logging.getLogger("govreport.service")
U = Upload.__table__
D = Document.__table__


def _now() -> datetime:
    return datetime.now(timezone.utc)


def requeue_interrupted(store: Store) -> int:
    """Uploads a stopped server left ``running`` go back to ``queued``; how many."""
    with store._write() as conn:
        return conn.execute(update(U).where(U.c.state == "running").values(state="queued", started_at=None)).rowcount


def _claim_next(store: Store, skip: set[int]):
    """The oldest queued upload, now ``running`` (None if there is none). Content already in
    ``documents`` is marked done instead, with no extraction."""
    while True:
        with store._write() as conn:
            q = select(U).where(U.c.state == "queued").order_by(U.c.id).limit(1)
            if skip:
                q = q.where(U.c.id.not_in(skip))
            row = conn.execute(q).first()
            if row is None:
                return None
            doc_id = conn.execute(select(D.c.id).where(D.c.sha256 == row.sha256)).scalar()
            if doc_id is not None:
                conn.execute(update(U).where(U.c.id == row.id).values(
                    state="done", document_id=doc_id, finished_at=_now()))
                continue
            n = conn.execute(update(U).where(U.c.id == row.id, U.c.state == "queued").values(
                state="running", attempts=U.c.attempts + 1, started_at=_now())).rowcount
            if n:
                return row


def _finish(store: Store, upload_id: int, sha256: str, error: str | None = None) -> None:
    with store._write() as conn:
        doc_id = conn.execute(select(D.c.id).where(D.c.sha256 == sha256)).scalar()
        conn.execute(update(U).where(U.c.id == upload_id).values(
            state="done", document_id=doc_id, finished_at=_now(), error=error))


def _name_errors(ex, stored: str, name: str | None) -> None:
    """Errors read by the uploader name the file they uploaded, never the server's storage path
    (``uploads/f6/f6d9….docx``): the extraction ran on the stored copy, so its messages say that."""
    if not name or not stored:
        return
    shown = name
    for e in ex.errors:
        if stored in e.message:
            e.message = e.message.replace(stored, shown)
        # a message may name the copy by its file name alone (``f6d9….docx``)
        base = Path(stored).name
        if base and base in e.message:
            e.message = e.message.replace(base, shown)


class JobRunner:
    """Runs queued uploads in the background until ``stop()``."""

    def __init__(self, store: Store, settings: ServiceSettings, extract_settings=None):
        self.store = store
        self.settings = settings
        self.extract_settings = extract_settings
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._engine = None
        self.last_error: str | None = None

    def start(self) -> None:
        n = requeue_interrupted(self.store)
        if n:
            log.info("resuming %d upload(s) a stopped server left running", n)
        self._thread = threading.Thread(target=self._loop, name="govreport-jobs", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """New uploads are queued: look now instead of at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._engine is not None:
            try:
                self._engine.close()
            except Exception:
                pass

    def _make_engine(self):
        from extractor.ingest.engines import make_engine

        s = self.settings
        return make_engine(s.engine, s.workers, self.extract_settings, ray_address=s.ray_address, timeout=s.timeout_s)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                did = self.run_once()
                self.last_error = None
            except Exception as e:  # the database away, an engine that cannot start: retry later
                self.last_error = f"{type(e).__name__}: {e}"
                log.exception("background extraction failed; retrying")
                did = False
                try:  # what this runner held goes back to the queue (one runner per store)
                    requeue_interrupted(self.store)
                except Exception:
                    pass
                self._stop.wait(5.0)
            if not did:
                self._wake.wait(self.settings.poll_seconds)
                self._wake.clear()

    def run_once(self) -> int:
        """Extract what is queued (and what is queued meanwhile); the number of uploads done."""
        from extractor.ingest.engines import Task
        from extractor.ingest.inputs import Item
        from extractor.ingest.runner import _save, run_cross_year

        first = _claim_next(self.store, set())
        if first is None:
            return 0
        rows: dict[int, object] = {}

        def tasks():
            row = first
            while row is not None:
                rows[row.id] = row
                yield Task(index=row.id, path=row.path, name=row.path, sha256=row.sha256,
                           suffix=Path(row.path).suffix.lower() or ".pdf")
                if self._stop.is_set():
                    return
                row = _claim_next(self.store, set(rows))

        if self._engine is None:
            self._engine = self._make_engine()
        done = 0
        for task, ex in self._engine.run(tasks()):
            row = rows[task.index]
            ex.report.path = row.path  # the stored copy: page crops and thumbnails read it
            _name_errors(ex, row.path, row.name)
            item = Item(path=Path(row.path), name=row.path, sha256=row.sha256, size=row.size)
            _save(self.store, ex, item)
            _finish(self.store, row.id, row.sha256)
            done += 1
            if self._stop.is_set():
                break
        run_cross_year(self.store)
        return done
