"""Unpack ``.zip`` inputs within limits: an iterative walk, never a recursion.

An archive given to ``govreport ingest`` and every archive inside it share one budget
(``extractor.limits.Limits``): ``max_members`` entries, ``max_archive_bytes`` expanded in
total, ``max_member_bytes`` per member, ``max_compression_ratio`` per member (members under
``RATIO_FLOOR_BYTES`` are exempt: a small blank page compresses well), ``max_archive_depth``
zips inside zips. The central directory is checked before anything is written, and the bytes
are counted again while streaming (the directory may lie). An archive over a limit, one that
contains itself (its own bytes, as a zip quine does) or nests too deep is one failed input
(``bad_archive``) with a one-line reason; its siblings and the rest of the batch go on.

Members are written under ``dest`` by index and base name only (never the member's own path:
no zip-slip); an inner archive's unpacked copy is deleted once walked, so disk use stays under
``max_archive_bytes`` per top-level archive.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from extractor.limits import Limits, safe_reason

RATIO_FLOOR_BYTES = 1 << 20  # members smaller than this are not judged by their ratio
CHUNK = 1 << 20


@dataclass(frozen=True)
class Member:
    """An unpacked document (``path`` on disk, ``name`` as ``outer.zip!inner.pdf``)."""

    path: Path
    name: str


@dataclass(frozen=True)
class Refused:
    """An archive or member that is not unpacked: ``code`` and a one-line ``message``."""

    path: Path
    name: str
    code: str
    message: str


@dataclass
class _Budget:
    bytes_left: int
    members_left: int


@dataclass(frozen=True)
class _Job:
    path: Path
    name: str
    depth: int  # 0: the archive given
    ancestors: frozenset[str]  # sha256 of the archives it sits in
    temporary: bool  # our own unpacked copy: delete it once walked


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _mib(n: int) -> str:
    return f"{n / 1024**2:,.0f} MiB" if n >= 1024**2 else f"{n:,} bytes"


def walk_archive(
    path: Path,
    name: str,
    dest: Callable[[], Path],
    limits: Limits,
    *,
    wanted: Callable[[str], bool],
    member_name: Callable[[zipfile.ZipInfo], str],
) -> Iterator[Member | Refused]:
    """The documents inside the archive at ``path`` and inside the archives it holds.

    ``dest()`` gives a fresh empty folder for one archive's members; ``wanted(base_name)``
    says whether a member is a document or an archive worth unpacking; ``member_name`` decodes
    a member's name.
    """
    budget = _Budget(limits.max_archive_bytes, limits.max_members)
    try:
        first = _sha256(path)
    except OSError as e:
        yield Refused(path, name, "unreadable", f"{name}: cannot read the archive ({e.strerror or e})")
        return
    stack = [_Job(path, name, 0, frozenset({first}), False)]
    while stack:
        job = stack.pop()
        try:
            found = list(_one(job, dest, limits, budget, wanted, member_name))
        finally:
            if job.temporary:
                job.path.unlink(missing_ok=True)
        inner: list[_Job] = []
        for out in found:
            if isinstance(out, Member) and out.path.suffix.lower() == ".zip":
                refusal = _nested(out, job, limits)
                if isinstance(refusal, Refused):
                    out.path.unlink(missing_ok=True)
                    yield refusal
                else:
                    inner.append(refusal)
            else:
                yield out
        stack.extend(reversed(inner))  # depth first, in member order


def _nested(m: Member, parent: _Job, limits: Limits) -> _Job | Refused:
    depth = parent.depth + 1
    if depth > limits.max_archive_depth:
        return Refused(m.path, m.name, "bad_archive",
                       f"{m.name}: archives nested deeper than {limits.max_archive_depth} (max_archive_depth)")
    digest = _sha256(m.path)
    if digest in parent.ancestors:
        return Refused(m.path, m.name, "bad_archive", f"{m.name}: the archive contains itself")
    return _Job(m.path, m.name, depth, parent.ancestors | {digest}, True)


def _one(job: _Job, dest, limits: Limits, budget: _Budget, wanted, member_name) -> Iterator[Member | Refused]:
    name = job.name
    try:
        zf = zipfile.ZipFile(job.path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        yield Refused(job.path, name, "bad_archive", f"{name}: not a readable zip archive ({safe_reason(e)})")
        return
    with zf:
        try:
            infos = zf.infolist()
        except Exception as e:  # noqa: BLE001 — a broken directory raises many types
            yield Refused(job.path, name, "bad_archive", f"{name}: not a readable zip archive ({type(e).__name__})")
            return
        if len(infos) > budget.members_left:
            yield Refused(job.path, name, "bad_archive",
                          f"{name}: more than {limits.max_members:,} members (max_members)")
            return
        budget.members_left -= len(infos)
        take: list[tuple[int, zipfile.ZipInfo, str]] = []
        for i, info in enumerate(infos):
            if info.is_dir():
                continue
            member = member_name(info)
            base = Path(member).name
            if not base or base.startswith(".") or "__MACOSX" in member or not wanted(base):
                continue
            take.append((i, info, member))
        declared = 0
        for _i, info, member in take:
            size, packed = info.file_size, max(1, info.compress_size)
            if size > limits.max_member_bytes:
                yield Refused(job.path, name, "bad_archive",
                              f"{name}: member {member} expands to {_mib(size)}, over {_mib(limits.max_member_bytes)} "
                              f"(max_member_bytes)")
                return
            if size >= RATIO_FLOOR_BYTES and size / packed > limits.max_compression_ratio:
                yield Refused(job.path, name, "bad_archive",
                              f"{name}: member {member} is compressed {size / packed:,.0f}:1, over "
                              f"{limits.max_compression_ratio}:1 (max_compression_ratio): a zip bomb?")
                return
            declared += size
        if declared > budget.bytes_left:
            yield Refused(job.path, name, "bad_archive",
                          f"{name}: expands to over {_mib(limits.max_archive_bytes)} in all (max_archive_bytes)")
            return
        folder = dest()
        for i, info, member in take:
            full = f"{name}!{member}"
            target = folder / str(i) / Path(member).name
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                written = _copy(zf, info, target, min(limits.max_member_bytes, budget.bytes_left))
            except _TooBig:
                target.unlink(missing_ok=True)
                yield Refused(job.path, name, "bad_archive",
                              f"{name}: member {member} expands past what its directory says (over the limits)")
                return
            except RuntimeError as e:  # an encrypted member
                target.unlink(missing_ok=True)
                yield Refused(target, full, "encrypted", f"{full}: cannot unpack ({safe_reason(e)})")
                continue
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zipfile.LargeZipFile) as e:
                target.unlink(missing_ok=True)
                yield Refused(target, full, "bad_archive", f"{full}: cannot unpack ({type(e).__name__}: {safe_reason(e)})")
                continue
            budget.bytes_left -= written
            yield Member(target, full)


class _TooBig(Exception):
    pass


def _copy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, cap: int) -> int:
    """Stream one member to ``target``, stopping past ``cap`` bytes; the bytes written."""
    written = 0
    with zf.open(info) as src, target.open("wb") as dst:
        while True:
            chunk = src.read(CHUNK)
            if not chunk:
                break
            written += len(chunk)
            if written > cap:
                raise _TooBig()
            dst.write(chunk)
    return written
