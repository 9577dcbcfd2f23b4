"""Turn the PATHs given to ``govreport ingest`` into the documents to extract.

A PATH is
* a file — extracted whatever its name (the content decides what it is), except ``.zip``
  (an archive) and ``.csv`` (a manifest);
* a folder — walked recursively; report files (``.pdf``, page images, web pages ``.html``/``.htm``/
  ``.shtml``/``.xhtml``/``.mht``, Word ``.docx``/``.doc``/``.wps``/``.odt``) and ``.zip`` archives
  in it are taken, everything else (``.txt``, ``.json``, hidden files) is left alone; images saved
  with a web page (beside it or in its ``NAME_files`` folder) belong to the page, not taken alone;
* a ``.zip`` archive — its members are unpacked into a temporary folder and taken as a folder's
  files would be (nested archives too);
* a manifest ``.csv`` — a header row with a ``path`` column (also accepted: ``file``,
  ``filename``) and optionally ``agency``, ``year`` and ``source_url`` (or ``url``); relative
  paths are relative to the manifest. The optional columns are stored with the document.

Problems with an input itself (a missing path, a broken archive, a bad manifest row) do not stop
the batch: they come back as ``Problem`` items, recorded as failed documents.
"""

from __future__ import annotations

import csv
import shutil
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from extractor.io.document import IMAGE_SUFFIXES, file_sha256

WEB_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml", ".mht", ".mhtml"}
WORD_SUFFIXES = {".docx", ".docm", ".doc", ".wps", ".odt"}
DOCUMENT_SUFFIXES = {".pdf"} | IMAGE_SUFFIXES | WEB_SUFFIXES | WORD_SUFFIXES
MANIFEST_PATH_COLUMNS = ("path", "file", "filename")
MANIFEST_URL_COLUMNS = ("source_url", "url")


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
    """Walks PATHs into ``Item``s; owns the temporary folder archives are unpacked into."""

    def __init__(self, tmp_root: Path):
        self.tmp_root = tmp_root
        self._n = 0

    def walk(self, paths: list[str | Path]) -> Iterator[Item]:
        for p in paths:
            yield from self._path(Path(p), InputMeta(), explicit=True)

    def _path(self, path: Path, meta: InputMeta, *, explicit: bool, name: str | None = None) -> Iterator[Item]:
        name = name or str(path)
        if not path.exists():
            yield Item(path, name, meta, problem=("not_found", f"{name}: no such file or folder"))
        elif path.is_dir():
            yield from self._folder(path, meta, name)
        elif _is_archive(path):
            yield from self._archive(path, meta, name)
        elif _is_manifest(path) and explicit:
            yield from self._manifest(path, name)
        elif explicit or _is_document(path):
            yield Item(path, name, meta)

    def _folder(self, folder: Path, meta: InputMeta, name: str) -> Iterator[Item]:
        try:
            entries = sorted(folder.rglob("*"))
        except OSError as e:
            yield Item(folder, name, meta, problem=("unreadable", f"{name}: cannot list the folder ({e})"))
            return
        for p in entries:
            rel = p.relative_to(folder)
            if any(part.startswith(".") for part in rel.parts) or not p.is_file():
                continue
            sub = str(Path(name) / rel)
            if _is_archive(p):
                yield from self._archive(p, meta, sub)
            elif _is_document(p):
                yield Item(p, sub, meta)

    def _archive(self, path: Path, meta: InputMeta, name: str) -> Iterator[Item]:
        self._n += 1
        dest = self.tmp_root / f"zip{self._n}"
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as e:
            yield Item(path, name, meta, problem=("bad_archive", f"{name}: not a readable zip archive ({e})"))
            return
        with zf:
            for i, info in enumerate(zf.infolist()):
                if info.is_dir():
                    continue
                member = _member_name(info)
                base = Path(member).name
                if not base or base.startswith(".") or "__MACOSX" in member:
                    continue
                if not (_is_document(Path(base)) or _is_archive(Path(base))):
                    continue
                member_name = f"{name}!{member}"
                target = dest / str(i) / base  # never the member's own path: no zip-slip
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(info) as src, target.open("wb") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
                except RuntimeError as e:  # encrypted member
                    yield Item(target, member_name, meta, problem=("encrypted", f"{member_name}: cannot unpack ({e})"))
                    continue
                except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as e:
                    yield Item(target, member_name, meta, problem=("bad_archive", f"{member_name}: cannot unpack ({e})"))
                    continue
                if _is_archive(target):
                    yield from self._archive(target, meta, member_name)
                else:
                    yield Item(target, member_name, meta)

    def _manifest(self, path: Path, name: str) -> Iterator[Item]:
        try:
            with path.open(newline="", encoding="utf-8-sig") as fh:
                rows = list(csv.DictReader(fh))
        except (OSError, UnicodeDecodeError, csv.Error) as e:
            yield Item(path, name, problem=("bad_manifest", f"{name}: cannot read the manifest ({e})"))
            return
        for lineno, row in enumerate(rows, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
            ref = next((row[c] for c in MANIFEST_PATH_COLUMNS if row.get(c)), None)
            if not ref:
                yield Item(path, f"{name}:{lineno}", problem=(
                    "bad_manifest", f"{name} line {lineno}: no path (columns: {', '.join(MANIFEST_PATH_COLUMNS)})"))
                continue
            year = row.get("year") or None
            try:
                year_i = int(year) if year else None
            except ValueError:
                year_i = None
            meta = InputMeta(
                agency=row.get("agency") or None,
                year=year_i,
                source_url=next((row[c] for c in MANIFEST_URL_COLUMNS if row.get(c)), None),
            )
            target = Path(ref)
            if not target.is_absolute():
                target = path.parent / target
            yield from self._path(target, meta, explicit=True, name=str(target))


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
