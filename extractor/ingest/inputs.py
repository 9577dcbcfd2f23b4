"""Turn the PATHs given to ``govreport ingest`` into the documents to extract.

A PATH is
* a file — extracted whatever its name (the content decides what it is), except ``.zip``
  (an archive) and ``.csv`` (a manifest);
* a folder — walked recursively; report files (``.pdf``, page images, web pages ``.html``/``.htm``/
  ``.shtml``/``.xhtml``/``.mht``, Word ``.docx``/``.doc``/``.wps``/``.odt``) and ``.zip`` archives
  in it are taken, everything else (``.txt``, ``.json``, hidden files) is left alone; images saved
  with a web page (beside it or in its ``NAME_files`` folder) belong to the page, not taken alone;
* a ``.zip`` archive — its members are unpacked into a temporary folder and taken as a folder's
  files would be (nested archives too), within the archive limits (``extractor.ingest.archives``);
* a manifest ``.csv`` — a header row with a ``path`` column (also accepted: ``file``,
  ``filename``) and optionally ``agency``, ``year`` and ``source_url`` (or ``url``); relative
  paths are relative to the manifest and must stay inside its folder unless ``--allow-outside``.
  The optional columns are stored with the document; every row is validated
  (``extractor.ingest.manifest``).

Problems with an input itself (a missing path, a broken archive, a bad manifest row) do not stop
the batch: they come back as ``Problem`` items, recorded as failed documents.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from extractor.ingest.archives import Refused, walk_archive
from extractor.ingest.manifest import ManifestProblem, read_manifest
from extractor.io.document import IMAGE_SUFFIXES, file_sha256
from extractor.limits import Limits, current

WEB_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml", ".mht", ".mhtml"}
WORD_SUFFIXES = {".docx", ".docm", ".doc", ".wps", ".odt"}
DOCUMENT_SUFFIXES = {".pdf"} | IMAGE_SUFFIXES | WEB_SUFFIXES | WORD_SUFFIXES


@dataclass(frozen=True)
class InputMeta:
    agency: str | None = None
    year: int | None = None
    source_url: str | None = None


@dataclass
class Item:
    """One document to extract: where to read it, how to name it, what the manifest said."""

    path: Path  # a readable file (for archive members: the unpacked copy)
    name: str  # what to store as the document's path: the original path, or ``archive.zip!member``
    meta: InputMeta = field(default_factory=InputMeta)
    sha256: str | None = None
    size: int | None = None
    problem: tuple[str, str] | None = None  # (code, message) if the input cannot be used at all


def _is_document(p: Path) -> bool:
    return p.suffix.lower() in DOCUMENT_SUFFIXES and not _page_resource(p)


def _page_resource(p: Path) -> bool:
    """An image saved with a web page (beside it, or in its ``NAME_files`` folder): the page's,
    not a report of its own."""
    if p.suffix.lower() not in IMAGE_SUFFIXES:
        return False
    return _holds_page(p.parent) or any(
        d.name.endswith(("_files", ".files")) and _holds_page(d.parent) for d in p.parents)


@lru_cache(maxsize=4096)
def _holds_page(folder: Path) -> bool:
    try:
        return any(q.suffix.lower() in WEB_SUFFIXES and q.is_file() for q in folder.iterdir())
    except OSError:
        return False


def _is_archive(p: Path) -> bool:
    return p.suffix.lower() == ".zip"


def _is_manifest(p: Path) -> bool:
    return p.suffix.lower() == ".csv"


class InputWalker:
    """Walks PATHs into ``Item``s; owns the temporary folder archives are unpacked into.

    Every PATH given is a root. A folder's files (symlinks resolved) and a manifest's rows must
    resolve inside their folder — the manifest's folder for a manifest — unless
    ``allow_outside``; anything else is a ``outside_input`` problem and is never opened.
    Archives are unpacked within ``limits`` (``extractor.ingest.archives``); manifest rows are
    validated one by one (``extractor.ingest.manifest``).
    """

    def __init__(self, tmp_root: Path, *, limits: Limits | None = None, allow_outside: bool = False):
        self.tmp_root = tmp_root
        self.limits = limits or current()
        self.allow_outside = allow_outside
        self._n = 0

    def walk(self, paths: list[str | Path]) -> Iterator[Item]:
        for p in paths:
            yield from self._path(Path(p), InputMeta(), explicit=True)

    def _path(self, path: Path, meta: InputMeta, *, explicit: bool, name: str | None = None,
              from_manifest: bool = False) -> Iterator[Item]:
        name = name or str(path)
        if not path.exists():
            yield Item(path, name, meta, problem=("not_found", f"{name}: no such file or folder"))
        elif path.is_dir():
            yield from self._folder(path, meta, name)
        elif _is_archive(path):
            yield from self._archive(path, meta, name)
        elif _is_manifest(path) and explicit:
            if from_manifest:
                yield Item(path, name, meta, problem=(
                    "bad_manifest", f"{name}: a manifest row names another manifest; give it to ingest itself"))
            else:
                yield from self._manifest(path, name)
        elif explicit or _is_document(path):
            yield Item(path, name, meta)

    def _inside(self, path: Path, root: Path) -> bool:
        if self.allow_outside:
            return True
        try:
            path.resolve().relative_to(root.resolve())
            return True
        except (ValueError, OSError, RuntimeError):  # outside, or a symlink loop
            return False

    def _folder(self, folder: Path, meta: InputMeta, name: str) -> Iterator[Item]:
        try:
            entries = sorted(folder.rglob("*"))
        except (OSError, RuntimeError) as e:
            yield Item(folder, name, meta, problem=("unreadable", f"{name}: cannot list the folder ({e})"))
            return
        for p in entries:
            rel = p.relative_to(folder)
            if any(part.startswith(".") for part in rel.parts):
                continue
            sub = str(Path(name) / rel)
            if not (_is_archive(p) or _is_document(p)):
                continue
            if not self._inside(p, folder):
                yield Item(p, sub, meta, problem=(
                    "outside_input", f"{sub}: a link to a file outside {name}: not read (--allow-outside reads it)"))
                continue
            if not p.is_file():
                continue
            if _is_archive(p):
                yield from self._archive(p, meta, sub)
            else:
                yield Item(p, sub, meta)

    def _new_dest(self) -> Path:
        self._n += 1
        d = self.tmp_root / f"zip{self._n}"
        d.mkdir(parents=True, exist_ok=True)
        return d

    def _archive(self, path: Path, meta: InputMeta, name: str) -> Iterator[Item]:
        for out in walk_archive(
            path, name, self._new_dest, self.limits,
            wanted=lambda base: _is_document(Path(base)) or _is_archive(Path(base)), member_name=_member_name,
        ):
            if isinstance(out, Refused):
                yield Item(out.path, out.name, meta, problem=(out.code, out.message))
            else:
                yield Item(out.path, out.name, meta)

    def _manifest(self, path: Path, name: str) -> Iterator[Item]:
        for row in read_manifest(path, name, self.limits):
            if isinstance(row, ManifestProblem):
                yield Item(path, row.name, problem=(row.code, row.message))
                continue
            target = Path(row.ref)
            if not target.is_absolute():
                target = path.parent / target
            if not self._inside(target, path.parent):
                yield Item(path, row.name, problem=(
                    "outside_input",
                    f"{row.name}: {row.ref} is outside the manifest's folder: not read (--allow-outside reads it)"))
                continue
            meta = InputMeta(agency=row.agency, year=row.year, source_url=row.source_url)
            yield from self._path(target, meta, explicit=True, name=str(target), from_manifest=True)


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name; archives made on Chinese Windows store GBK names without the UTF-8
    flag, which zipfile decodes as cp437 — decode those as GB18030 instead."""
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        return name.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name


def hash_items(items: list[Item], threads: int = 4) -> list[Item]:
    """Fill in ``sha256`` and ``size`` (in threads: hashlib releases the GIL). A file that cannot
    be read becomes a ``Problem`` item."""

    def one(item: Item) -> Item:
        if item.problem is not None:
            return item
        try:
            size = item.path.stat().st_size
            return replace(item, sha256=file_sha256(item.path), size=size)
        except OSError as e:
            return replace(item, problem=("unreadable", f"{item.name}: cannot read the file ({e.strerror or e})"))

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        return list(pool.map(one, items))
