"""Storing submitted files: each file (or zip member) kept on disk under its sha256, one
``uploads`` row each, before the HTTP answer. Idempotent by content: a file whose content is
stored already, or queued by an earlier upload, is answered ``duplicate`` and not extracted again.

Limits (``ServiceSettings``): the request's size (checked from ``Content-Length`` before the body
is read, and again on what zips unpack to), the number of files per request (zip members
counted), and upload requests per user per minute (``RateLimiter``).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import insert, select

from extractor.store import Store
from extractor.store.schema import Document, Upload

uploads_table = Upload.__table__
docs_table = Document.__table__
CHUNK = 1 << 20


class UploadRefused(Exception):
    """The whole request is refused: ``status`` 413 (too large, too many files) or 400."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Accepted:
    id: int
    name: str
    sha256: str
    status: str  # queued | duplicate


class RateLimiter:
    """At most ``per_minute`` events per key in any 60 s (a sliding window, in memory)."""

    def __init__(self, per_minute: int, window_s: float = 60.0):
        self.per_minute = per_minute
        self.window = window_s
        self._events: dict[str, deque] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> float | None:
        """None if allowed (and counted), else the seconds until the next one is."""
        now = time.monotonic()
        with self._lock:
            q = self._events.setdefault(key, deque())
            while q and now - q[0] >= self.window:
                q.popleft()
            if len(q) >= self.per_minute:
                return self.window - (now - q[0])
            q.append(now)
            return None


_SUFFIX = re.compile(r"^\.[a-z0-9]{1,5}$")


def _suffix(name: str) -> str:
    s = Path(name.replace("\\", "/")).suffix.lower()
    return s if _SUFFIX.match(s) else ""


def _clean_name(name: str | None) -> str:
    name = (name or "upload").replace("\x00", "").strip()
    name = name.replace("\\", "/").rsplit("/", 1)[-1] or "upload"
    return name[:300]


def _store_file(src: BinaryIO, upload_dir: Path, suffix: str, budget: list[int], limit: int) -> tuple[str, int, Path]:
    """Copy ``src`` into ``upload_dir/<sha[:2]>/<sha><suffix>``, hashing as it goes; ``budget``
    holds the bytes left for the request (413 when it runs out)."""
    upload_dir.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(dir=upload_dir, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := src.read(CHUNK):
                size += len(chunk)
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    raise UploadRefused(413, f"the upload is larger than the limit of {limit // (1024 * 1024)} MiB")
                h.update(chunk)
                out.write(chunk)
        sha = h.hexdigest()
        final = upload_dir / sha[:2] / f"{sha}{suffix}"
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            os.unlink(tmp)
        else:
            os.replace(tmp, final)
        return sha, size, final
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _expand(files: list[tuple[str, BinaryIO]], tmp: Path, max_files: int) -> list[tuple[str, BinaryIO | Path]]:
    """Files as given, zips replaced by their report members (``a.zip!x.pdf``), as the ingest
    walker unpacks them (no zip-slip, nested zips, hidden and unrelated members skipped)."""
    from extractor.ingest.inputs import InputWalker

    out: list[tuple[str, BinaryIO | Path]] = []
    walker = InputWalker(tmp)  # its archive reader: the same unpacking rules as `govreport ingest`
    for name, fh in files:
        if _suffix(name) == ".zip":
            zpath = tmp / f"in{len(out)}.zip"
            with zpath.open("wb") as dst:
                shutil.copyfileobj(fh, dst, CHUNK)
            for item in walker._archive(zpath, _meta(), name):
                if item.problem is not None:
                    raise UploadRefused(400, item.problem[1])
                out.append((item.name, item.path))
                if len(out) > max_files:
                    break
        else:
            out.append((name, fh))
        if len(out) > max_files:
            raise UploadRefused(413, f"more than {max_files} files in one upload (zip members count)")
    return out


def _meta():
    from extractor.ingest.inputs import InputMeta

    return InputMeta()


def accept(store: Store, upload_dir: Path, files: list[tuple[str | None, BinaryIO]], *, user: str,
           max_bytes: int, max_files: int) -> list[Accepted]:
    """Store every file and queue it (or answer ``duplicate``); all rows in one transaction.
    Raises ``UploadRefused``."""
    if not files:
        raise UploadRefused(400, "no files: send one or more in the multipart field `files`")
    budget = [max_bytes]
    stored: list[tuple[str, str, int, Path]] = []
    with tempfile.TemporaryDirectory(prefix="govreport-upload-") as tmp:
        named = [(_clean_name(n), fh) for n, fh in files]
        if len(named) > max_files:
            raise UploadRefused(413, f"more than {max_files} files in one upload")
        for name, src in _expand(named, Path(tmp), max_files):
            if isinstance(src, Path):
                with src.open("rb") as fh:
                    sha, size, path = _store_file(fh, upload_dir, _suffix(name), budget, max_bytes)
            else:
                sha, size, path = _store_file(src, upload_dir, _suffix(name), budget, max_bytes)
            stored.append((name, sha, size, path))
    now = datetime.now(timezone.utc)
    out: list[Accepted] = []
    with store._write() as conn:
        seen: set[str] = set()
        shas = list({s for _n, s, _z, _p in stored})
        known_docs = {r.sha256: r.id for r in conn.execute(
            select(docs_table.c.sha256, docs_table.c.id).where(docs_table.c.sha256.in_(shas)))}
        pending = {r.sha256 for r in conn.execute(
            select(uploads_table.c.sha256).where(uploads_table.c.sha256.in_(shas),
                                                 uploads_table.c.state.in_(("queued", "running"))))}
        for name, sha, size, path in stored:
            dup = sha in known_docs or sha in pending or sha in seen
            seen.add(sha)
            state = "duplicate" if dup else "queued"
            uid = conn.execute(insert(uploads_table).values(
                name=name, sha256=sha, size=size, path=str(path), state=state, uploaded_by=user,
                document_id=known_docs.get(sha), attempts=0, created_at=now,
                finished_at=now if dup else None,
            )).inserted_primary_key[0]
            out.append(Accepted(uid, name, sha, state))
    return out
