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
import zipfile
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
    """At most ``per_minute`` events per key in any 60 s (a sliding window, in memory). The upload
    route asks ``wait`` first and ``count``s only an accepted upload: a refused one (bad form, too
    large, not a file it takes) costs nothing against the limit. Two uploads racing past ``wait``
    at once may both be counted: the limit can be passed by the number of concurrent requests."""

    def __init__(self, per_minute: int, window_s: float = 60.0):
        self.per_minute = per_minute
        self.window = window_s
        self._events: dict[str, deque] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> float | None:
        """None if one more is allowed now (not counted: ``count`` it once accepted), else the
        seconds until the next one is."""
        now = time.monotonic()
        with self._lock:
            q = self._events.setdefault(key, deque())
            while q and now - q[0] >= self.window:
                q.popleft()
            if len(q) >= self.per_minute:
                return self.window - (now - q[0])
            return None

    def count(self, key: str) -> None:
        """Count one accepted event for ``key``."""
        with self._lock:
            self._events.setdefault(key, deque()).append(time.monotonic())

    def allow(self, key: str) -> float | None:
        """``wait`` and, when allowed, ``count`` (one step for callers with nothing to refuse)."""
        w = self.wait(key)
        if w is None:
            self.count(key)
        return w


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


def _zip_members(zpath: Path, name: str, tmp: Path, budget: list[int], limit: int, depth: int = 0):
    """``(member name, unpacked path)`` of a zip's report members (nested zips too, two levels).

    Before anything is unpacked the members' declared sizes are held against what is left of the
    request's budget (``zipfile`` never yields more than a member declares), so a zip bomb is
    refused with 413 without being written out. Members are written under numbered folders,
    never their own paths (no zip-slip); hidden files, ``__MACOSX`` and non-report files are
    skipped, as by ``govreport ingest``."""
    from extractor.ingest.inputs import DOCUMENT_SUFFIXES, _member_name

    try:
        zf = zipfile.ZipFile(zpath)
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise UploadRefused(400, f"{name}: not a readable zip archive ({e})") from None
    with zf:
        wanted = []
        for i, info in enumerate(zf.infolist()):
            member = _member_name(info)
            base = Path(member).name
            if info.is_dir() or not base or base.startswith(".") or "__MACOSX" in member:
                continue
            suffix = Path(base).suffix.lower()
            if suffix in DOCUMENT_SUFFIXES or (suffix == ".zip" and depth < 2):
                wanted.append((i, info, member, base))
        declared = sum(info.file_size for _i, info, _m, _b in wanted)
        if declared > budget[0]:
            raise UploadRefused(413, f"{name} unpacks to more than the limit of {limit // (1024 * 1024)} MiB")
        for i, info, member, base in wanted:
            target = Path(tempfile.mkdtemp(dir=tmp)) / base
            try:
                with zf.open(info) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, CHUNK)
            except RuntimeError as e:  # an encrypted member
                raise UploadRefused(400, f"{name}!{member}: cannot unpack ({e})") from None
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as e:
                raise UploadRefused(400, f"{name}!{member}: cannot unpack ({e})") from None
            if target.suffix.lower() == ".zip":
                yield from _zip_members(target, f"{name}!{member}", tmp, budget, limit, depth + 1)
            else:
                yield f"{name}!{member}", target


def _expand(files: list[tuple[str, BinaryIO]], tmp: Path, max_files: int, budget: list[int], limit: int
            ) -> list[tuple[str, BinaryIO | Path]]:
    """Files as given, zips replaced by their report members (``a.zip!x.pdf``)."""
    out: list[tuple[str, BinaryIO | Path]] = []
    for name, fh in files:
        if _suffix(name) == ".zip":
            zpath = tmp / f"in{len(out)}-{len(files)}.zip"
            with zpath.open("wb") as dst:
                shutil.copyfileobj(fh, dst, CHUNK)
            for member in _zip_members(zpath, name, tmp, budget, limit):
                out.append(member)
                if len(out) > max_files:
                    break
        else:
            out.append((name, fh))
        if len(out) > max_files:
            raise UploadRefused(413, f"more than {max_files} files in one upload (zip members count)")
    return out


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
        for name, src in _expand(named, Path(tmp), max_files, [max_bytes], max_bytes):
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
